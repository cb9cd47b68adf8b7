"""`zsync init`: a new project in one command (zsync.yaml, a first manifest, .gitignore, pre-commit).

On a terminal it asks for what the flags left out; without one it takes the defaults, and
names the flag to give for anything that has none (a title, a creator).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from zenodo_sync.errors import ConfigError
from zenodo_sync.manifest import scaffold
from zenodo_sync.zenodo.vocabulary import UPLOAD_TYPES


@click.command(name="init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="Title of the first dataset.")
@click.option(
    "--creator",
    "creators",
    multiple=True,
    metavar="NAME",
    help='A creator of the first dataset, as "Family, Given" (repeatable).',
)
@click.option(
    "--license",
    "license_id",
    metavar="ID",
    help=f"License id Zenodo knows, e.g. cc-by-4.0, cc0-1.0, mit. [default: {scaffold.DEFAULT_LICENSE}]",
)
@click.option(
    "--upload-type",
    type=click.Choice(UPLOAD_TYPES),
    help=f"Zenodo's upload_type. [default: {scaffold.DEFAULT_UPLOAD_TYPE}]",
)
@click.option("--description", help="What the data is, how it was made, and by whom.")
@click.option(
    "--file",
    "files",
    multiple=True,
    metavar="PATH",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A data file of the first dataset (repeatable). Without one, the manifest says "
    "`publish: false` until you list its files.",
)
@click.option(
    "--key",
    metavar="NAME",
    help="The dataset's folder under datasets/ and its key. [default: from the title]",
)
@click.option(
    "--server",
    type=click.Choice(["sandbox", "zenodo"]),
    default=scaffold.DEFAULT_SERVER,
    show_default=True,
    help="The Zenodo zsync.yaml names (sandbox: test DOIs, to try things).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite zsync.yaml, the manifest and .pre-commit-config.yaml if they exist.",
)
def command(
    directory: Path,
    title: str | None,
    creators: tuple[str, ...],
    license_id: str | None,
    upload_type: str | None,
    description: str | None,
    files: tuple[Path, ...],
    key: str | None,
    server: str,
    force: bool,
) -> int:
    """Start a zsync project in DIRECTORY (default: here): zsync.yaml, a first manifest, .gitignore
    entries and a pre-commit hook. Never overwrites a file unless --force."""
    root = Path(os.path.abspath(directory))
    dataset = _dataset(title, creators, license_id, upload_type, description, _under(root, files), key)
    plan = scaffold.scaffold(dataset, server=server)
    taken = scaffold.existing(root, plan)
    if not force:
        scaffold.refuse_to_overwrite(root, plan)
    scaffold.check_manifest(plan)
    root.mkdir(parents=True, exist_ok=True)
    written, ignored = scaffold.write(root, plan, force=force)
    for path in written:
        click.echo(f"{'Overwrote' if path in taken else 'Created'} {path}")
    if ignored:
        click.echo(f"Added {', '.join(ignored)} to {scaffold.GITIGNORE_FILE}")
    scaffold.check_files(root, plan)
    click.echo(
        "\nNext:\n"
        f"  zsync validate                 # check {plan.manifest_path} (edit it freely)\n"
        "  export ZENODO_TOKEN=...        # a token of the "
        f"{'Zenodo sandbox' if server == 'sandbox' else 'Zenodo'} account\n"
        "  zsync plan                     # what apply would do on Zenodo\n"
        "  pre-commit install             # validate before each commit "
        f"(pin the hook: {scaffold.PIN_COMMAND})"
    )
    return 0


def _dataset(
    title: str | None,
    creators: tuple[str, ...],
    license_id: str | None,
    upload_type: str | None,
    description: str | None,
    files: tuple[str, ...],
    key: str | None,
) -> scaffold.NewDataset:
    """The first dataset from the flags, asking on a terminal for what they left out."""
    if sys.stdin.isatty():
        title = title or click.prompt("Title of the dataset")
        creators = creators or (click.prompt('Creator, as "Family, Given"'),)
        license_id = license_id or click.prompt("License", default=scaffold.DEFAULT_LICENSE)
        upload_type = upload_type or click.prompt(
            "Upload type",
            default=scaffold.DEFAULT_UPLOAD_TYPE,
            type=click.Choice(UPLOAD_TYPES),
            show_choices=False,
        )
        if description is None:
            description = (
                click.prompt(
                    "Description (what, how, by whom; empty to fill in later)", default="", show_default=False
                )
                or None
            )
    missing = [flag for flag, value in (("--title", title), ("--creator", creators)) if not value]
    if missing:
        raise ConfigError(
            f"zsync init needs {' and '.join(missing)} when there is no terminal to ask.",
            hint='e.g. zsync init --title "Rose scent GC-MS measurements" --creator "Doe, Jane"',
        )
    assert title  # for the type checker: `missing` is empty
    return scaffold.NewDataset(
        title=title,
        creators=creators,
        license=license_id or scaffold.DEFAULT_LICENSE,
        upload_type=upload_type or scaffold.DEFAULT_UPLOAD_TYPE,
        description=description,
        files=files,
        key=key,
    )


def _under(root: Path, files: tuple[Path, ...]) -> tuple[str, ...]:
    """The --file paths relative to the project root; a file outside it cannot be published."""
    relative = []
    for path in files:
        absolute = Path(os.path.abspath(path))
        if not absolute.is_relative_to(root):
            raise ConfigError(
                f"--file {path}: outside the project folder {root}.",
                hint="zsync publishes only files of the repository; copy it in first.",
            )
        relative.append(absolute.relative_to(root).as_posix())
    return tuple(relative)
