"""`zsync plan` (being built: see the open issues)."""

import click

from zenodo_sync.errors import ZsyncError


@click.command(name="plan")
def command() -> None:
    """Not built yet."""
    raise ZsyncError("zsync plan is not built yet")
