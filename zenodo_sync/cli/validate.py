"""`zsync validate` (being built: see the open issues)."""

import click

from zenodo_sync.errors import ZsyncError


@click.command(name="validate")
def command() -> None:
    """Not built yet."""
    raise ZsyncError("zsync validate is not built yet")
