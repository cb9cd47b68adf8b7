"""Options several commands take alike, declared once so their names and help stay the same."""

from __future__ import annotations

import click

from zenodo_sync.settings import BACKENDS

server_option = click.option(
    "--server",
    metavar="URL",
    help="Server: zenodo, sandbox or an API URL (default from ZSYNC_SERVER or zsync.yaml).",
)

backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="API to speak: deposit (Zenodo's deposit API) or rdm (the InvenioRDM API of zenodo.org or "
    "any InvenioRDM instance). Default from zsync.yaml `backend`, else deposit.",
)

no_color_option = click.option(
    "--no-color", is_flag=True, help="No colour (also when NO_COLOR is set or not on a terminal)."
)
