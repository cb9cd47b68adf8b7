"""Options several commands take alike, declared once so their names and help stay the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from zenodo_sync.run.options import DEFAULT_PARALLELISM
from zenodo_sync.settings import BACKENDS

F = TypeVar("F", bound=Callable[..., Any])

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


def parallel_option(name: str, help: str, maximum: int | None = None) -> Callable[[F], F]:
    """`--parallel` or `--parallelism`: how many things at once (`help` says which), at least 1."""
    return click.option(
        name,
        type=click.IntRange(min=1, max=maximum),
        default=DEFAULT_PARALLELISM,
        show_default=True,
        help=help,
    )
