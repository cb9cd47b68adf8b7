"""`zsync emulator` (being built: see the open issues)."""

import click

from zenodo_sync.errors import ZsyncError


@click.command(name="emulator")
def command() -> None:
    """Not built yet."""
    raise ZsyncError("zsync emulator is not built yet")
