"""`zsync validate [PATH...]`: check manifests and print every problem with file:line:column.

Exit 0 when no manifest has an error (warnings alone do not fail, unless --strict), 1 otherwise.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click
import yaml

from zenodo_sync.ci.environment import GitHub
from zenodo_sync.errors import ZsyncError
from zenodo_sync.manifest import Finding, Project
from zenodo_sync.manifest.findings import ERROR
from zenodo_sync.manifest.reporters import REPORTERS
from zenodo_sync.run import RunOptions, load_manifests


def _relative_to_cwd(findings: list[Finding], root: Path) -> list[Finding]:
    """Findings name files relative to the project root; people click paths relative to where they are."""
    cwd = Path.cwd()
    if cwd == root:
        return findings
    shown = []
    for finding in findings:
        path = Path(finding.file)
        absolute = path if path.is_absolute() else root / path
        shown.append(dataclasses.replace(finding, file=os.path.relpath(absolute, cwd)))
    return shown


def _absolute(file: str, root: Path) -> Path:
    path = Path(file)
    return path if path.is_absolute() else root / path


def _show_effective(project: Project, key: str) -> int:
    manifest = project.manifest(key)
    if manifest is None:
        known = ", ".join(sorted(item.key for item in project.manifests)) or "none found"
        raise ZsyncError(f"no manifest has the key or path {key!r}", hint=f"keys: {known}")
    if manifest.effective is None:
        raise ZsyncError(
            f"{manifest.display} cannot be read as YAML",
            hint=f"run `zsync validate {manifest.display}` to see why",
        )
    click.echo(f"# {manifest.display} (key {manifest.key}) after zsync.yaml defaults")
    click.echo(yaml.safe_dump(manifest.effective, sort_keys=False, allow_unicode=True, width=100), nl=False)
    return 1 if manifest.has_errors else 0


@click.command(name="validate")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default=None,
    help="text: file:line:col lines; json: one document; github: annotations "
    "[default: github under GitHub Actions, else text].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="zsync.yaml to use (default: the one at the project root).",
)
@click.option(
    "--show-effective",
    "show_key",
    metavar="KEY",
    help="Print the manifest KEY (or its path) after merging zsync.yaml defaults, as YAML.",
)
@click.option("--no-warnings", is_flag=True, help="Show errors only.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any finding).")
def command(
    paths: tuple[Path, ...],
    output_format: str | None,
    config_path: Path | None,
    show_key: str | None,
    no_warnings: bool,
    strict: bool,
) -> None:
    """Check manifests: YAML, schema, and meaning (ORCID check digits, dates, licenses, files).

    PATH is a manifest or a folder of manifests; by default, the `datasets` glob of
    zsync.yaml (datasets/**) under the project root (the nearest folder up from here
    with zsync.yaml or zsync.lock, else with datasets/, else with .git).
    """
    project = load_manifests(RunOptions(paths=tuple(str(path) for path in paths), config=config_path))
    if show_key is not None:
        click.get_current_context().exit(_show_effective(project, show_key))
    findings = project.findings
    if strict:  # for CI gates: a warning (e.g. a file git does not track) fails the run
        findings = [dataclasses.replace(item, severity=ERROR) for item in findings]
    findings = [item for item in findings if item.is_error or not no_warnings]
    if not project.manifests and not findings:
        where = ", ".join(str(path) for path in paths) if paths else project.config.datasets
        click.echo(f"No manifests found (looked in {where}).", err=True)
    github = GitHub.from_environ()
    output_format = output_format or ("github" if github.active else "text")
    if output_format == "github" and github.workspace is not None:
        # Annotations land on a line only with the path from the repository's top, wherever zsync ran.
        shown = [
            dataclasses.replace(item, file=github.relative_to_workspace(_absolute(item.file, project.root)))
            for item in findings
        ]
    else:
        shown = _relative_to_cwd(findings, project.root)
    click.echo(REPORTERS[output_format](shown, len(project.manifests)), nl=False)
    click.get_current_context().exit(1 if any(item.is_error for item in findings) else 0)
