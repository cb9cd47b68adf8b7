"""`zsync demo` (being built: see the open issues)."""

import click

from zenodo_sync.errors import ZsyncError


@click.command(name="demo")
def command() -> None:
    """Not built yet."""
    raise ZsyncError("zsync demo is not built yet")
