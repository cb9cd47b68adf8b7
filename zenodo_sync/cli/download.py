"""`zsync download`: fetch a record's files, verified against its md5s, resumable."""

from __future__ import annotations

from pathlib import Path

import click

from zenodo_sync.cli.progress import Console
from zenodo_sync.run import DEFAULT_PARALLELISM, DownloadOptions, download_record


@click.command(name="download")
@click.argument("record", metavar="RECORD")
@click.option(
    "--version",
    "version",
    metavar="N|latest",
    help="The concept's Nth published version (1 = the first) or `latest`. "
    "Default: the version RECORD names (a concept DOI or id: the latest).",
)
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to download into (made if missing). Default: a folder named after the record's id.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1, max=16),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Files downloaded at once (one shared rate limiter).",
)
@click.option("--server", metavar="URL", help="Server: zenodo, sandbox or an API URL.")
def command(record: str, version: str | None, dest: Path | None, parallel: int, server: str | None) -> int:
    """Download the files of RECORD: a record id, a DOI (a version's or the concept's) or a
    record link. Public files need no token; ZENODO_TOKEN opens the owner's restricted files.

    Each file is checked against the record's md5 before it takes its name. Run the command
    again after an interruption: complete files are skipped, partial ones continued.
    """
    console = Console()  # status lines and progress bars through one lock
    options = DownloadOptions(record=record, version=version, dest=dest, parallel=parallel, server=server)
    download_record(options, console.report, progress=console.progress)
    return 0
