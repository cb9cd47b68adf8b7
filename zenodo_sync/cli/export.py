"""`zsync export [DATASET] --format cff|zenodo-json`: a manifest as CITATION.cff or .zenodo.json."""

from __future__ import annotations

from pathlib import Path

import click

from zenodo_sync.atomicfile import write_atomic
from zenodo_sync.cli.output import to_terminal
from zenodo_sync.errors import ZsyncError
from zenodo_sync.run import EXPORT_FILES, RunOptions, export_manifest, project_root


@click.command(name="export")
@click.argument("dataset", required=False, metavar="[DATASET]")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(EXPORT_FILES)), required=True, help="The file to write."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write it (default: CITATION.cff or .zenodo.json at the project root; - for stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def command(dataset: str | None, fmt: str, output: Path | None, force: bool) -> int:
    """Write the manifest DATASET as a CITATION.cff or a .zenodo.json, read as Zenodo's GitHub
    integration reads them (the only manifest when DATASET is not given)."""
    options = RunOptions()
    exported = export_manifest(options, dataset, fmt, to_terminal)
    if exported.left_out:
        click.echo(
            f"Note: a CITATION.cff carries only what Zenodo reads from it; left out: {', '.join(exported.left_out)} "
            "(`--format zenodo-json` keeps every field).",
            err=True,
        )
    if output is not None and str(output) == "-":
        click.echo(exported.text, nl=False)
        return 0
    target = output or project_root(options) / exported.file_name
    if target.exists() and not force:
        raise ZsyncError(f"{target} exists; nothing was written.", hint="Add --force to overwrite it.")
    write_atomic(target, exported.text)
    click.echo(f"Wrote {target} from the manifest {exported.key}.")
    return 0
