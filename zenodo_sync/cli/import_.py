"""`zsync import`: manifests (and zsync.lock entries) for records that already exist on Zenodo."""

from __future__ import annotations

import click

from zenodo_sync.cli.output import to_terminal
from zenodo_sync.cli.progress import Console
from zenodo_sync.run import DEFAULT_PARALLELISM, ImportOptions, Kind, RunOptions, import_records
from zenodo_sync.wording import plural


@click.command(name="import")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--owner",
    type=click.Choice(["me"]),
    help="Every concept of the token's owner, drafts and restricted records included.",
)
@click.option(
    "--community",
    "communities",
    multiple=True,
    metavar="SLUG",
    help="Every record of this community (repeatable).",
)
@click.option(
    "--query", metavar="Q", help="Every record a Zenodo search finds, e.g. 'owners:123' or 'title:rose'."
)
@click.option(
    "--path-template",
    default="{slug}",
    show_default=True,
    metavar="TEMPLATE",
    help="Folder of each manifest under datasets/: {slug} (from the title), {concept} or {id}.",
)
@click.option(
    "--extract-defaults",
    is_flag=True,
    help="Move what every imported record shares (creators, license, grants, communities, keywords) "
    "into zsync.yaml `defaults`.",
)
@click.option(
    "--with-files",
    is_flag=True,
    help="Download each record's files next to its manifest (verified by md5, resumable) and list "
    "them as local files.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Files downloaded at once (--with-files).",
)
@click.option("--force", is_flag=True, help="Replace manifests and zsync.lock entries that exist.")
@click.option("--dry-run", is_flag=True, help="Print the paths and YAML it would write; write nothing.")
@click.option(
    "--server",
    metavar="URL",
    help="Server: zenodo, sandbox or an API URL (default from ZSYNC_SERVER or zsync.yaml).",
)
def command(
    sources: tuple[str, ...],
    owner: str | None,
    communities: tuple[str, ...],
    query: str | None,
    path_template: str,
    extract_defaults: bool,
    with_files: bool,
    parallel: int,
    force: bool,
    dry_run: bool,
    server: str | None,
) -> int:
    """Write a manifest for each record already on Zenodo, so that the plan shows no change.

    SOURCE is a record id, a version or concept DOI, or a record URL. Each concept (all its
    versions) becomes one manifest of its latest published version, its files listed as kept
    on the server; zsync.lock learns the record, so `zsync plan` finds nothing to do.
    """
    wanted = ImportOptions(
        sources=sources,
        owner=owner,
        communities=communities,
        query=query,
        path_template=path_template,
        force=force,
        dry_run=dry_run,
        extract_defaults=extract_defaults,
        with_files=with_files,
        parallel=parallel,
    )
    console = Console()  # download bars on stderr
    result = import_records(RunOptions(server=server), wanted, console.report, progress=console.progress)
    for warning in result.warnings:
        to_terminal(Kind.WARNING, f"Warning: {warning}")
    for line in result.pending:
        to_terminal(Kind.WARNING, f"Pending: {line}")
    if dry_run:
        for path, text in result.files.items():
            click.echo(f"--- {path}")
            click.echo(text, nl=False)
        if result.keys:
            click.echo(f"--- {result.lock_path}: entries for {', '.join(result.keys.values())}")
        for line in result.downloads:
            click.echo(line)
        click.echo(f"\nDry run: {plural(len(result.files), 'file')} would be written; nothing was written.")
        return 0
    for line in result.downloads:
        click.echo(f"Downloaded {line}")
    for path in result.files:
        click.echo(f"Wrote {path}")
    if result.lock_keys:
        click.echo(f"Recorded {plural(len(result.lock_keys), 'dataset')} in {result.lock_path}")
        click.echo("Run `zsync plan`: it should show no changes for the imported datasets.")
    return 0
