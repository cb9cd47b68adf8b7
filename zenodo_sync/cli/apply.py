"""`zsync apply` (being built: see the open issues)."""

import click

from zenodo_sync.errors import ZsyncError


@click.command(name="apply")
def command() -> None:
    """Not built yet."""
    raise ZsyncError("zsync apply is not built yet")
