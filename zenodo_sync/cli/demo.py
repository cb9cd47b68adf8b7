"""`zsync demo`: zsync's main job, start to finish, on a throw-away local Zenodo.

Copies the example manifests (`datasets/`) into a temporary project, starts the bundled
emulator, then validates, plans, applies, plans again (nothing to do), edits a
description (an `update`: same DOI) and a data file (a `new-version`: new DOI under the
same concept DOI). No token and no network are needed; nothing outside the temporary
directory is touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import yaml

from zenodo_sync.cli.options import no_color_option
from zenodo_sync.cli.output import render_plan, to_terminal, use_colour
from zenodo_sync.errors import ConfigError, ZsyncError
from zenodo_sync.model import Action
from zenodo_sync.run.applying import apply_plan
from zenodo_sync.run.manifests import load_manifests, project_root
from zenodo_sync.run.options import RunOptions, ignore
from zenodo_sync.run.planning import plan_project
from zenodo_sync.settings import SERVER_ENV, TOKEN_ENV
from zenodo_sync.wording import plural

DEMO_TOKEN = "zsync-demo-token"


def example_dirs() -> list[Path]:
    """Where the example manifests may be: this project, then the checkout the package runs from."""
    package_root = Path(__file__).resolve().parents[2]
    candidates = [project_root(RunOptions()) / "datasets", package_root / "datasets"]
    unique: list[Path] = []
    for candidate in candidates:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def _find_examples() -> Path:
    looked = example_dirs()
    for candidate in looked:
        if candidate.is_dir() and any(candidate.rglob("*.yaml")):
            return candidate
    raise ConfigError(
        "zsync demo needs the example manifests in a datasets/ folder; looked in "
        + ", ".join(str(p) for p in looked)
        + ".",
        hint="Run it from a clone of the zsync repository (pip install -e . then zsync demo).",
    )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _section(number: int, title: str) -> None:
    click.echo("")
    click.secho(f"==> {number}. {title}", bold=True)
    click.echo("")


@click.command(name="demo")
@click.option("--keep", is_flag=True, help="Keep the temporary project and emulator data for a look.")
@no_color_option
def command(keep: bool, no_color: bool) -> int:
    """Run validate -> plan -> apply -> update -> new version on a throw-away local Zenodo."""
    from zenodo_sync.emulator import running_emulator

    examples = _find_examples()
    workdir = Path(tempfile.mkdtemp(prefix="zsync-demo-"))
    project = workdir / "project"
    shutil.copytree(examples, project / "datasets")
    config = examples.parent / "zsync.yaml"
    if config.is_file():
        shutil.copy2(config, project / "zsync.yaml")
    colour = use_colour(no_color)
    click.echo(f"zsync demo: example manifests from {examples}, copied to {project}")
    try:
        with running_emulator(data_dir=workdir / "emulator", token=DEMO_TOKEN) as emu:
            click.echo(f"Started a throw-away Zenodo emulator at {emu.url}")
            _name_server(project / "zsync.yaml", emu.url)
            with _environment(**{TOKEN_ENV: emu.token, SERVER_ENV: emu.url}):
                _run(project, colour)
        click.echo("\nStopped the emulator.")
    finally:
        if keep:
            click.echo(f"Kept the demo project and emulator data in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    click.secho("\nDemo complete.", bold=True)
    return 0


def _name_server(config: Path, url: str) -> None:
    """The demo project's server is the emulator, so its zsync.lock (shown last) holds its state."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    settings = settings if isinstance(settings, dict) else {}
    settings["server"] = url
    config.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _run(project: Path, colour: bool) -> None:
    options = RunOptions(root=project)

    _section(1, "Validate the example manifests")
    loaded = load_manifests(options)
    errors = [f for f in loaded.findings if f.is_error]
    for finding in loaded.findings:
        click.echo(f"{finding.file}:{finding.line}:{finding.column}: {finding.severity}: {finding.message}")
    if errors:
        raise ZsyncError(f"The example manifests have {plural(len(errors), 'error')}.")
    click.echo(
        f"{plural(len(loaded.datasets), 'manifest')} valid: " + ", ".join(d.key for d in loaded.datasets)
    )

    _section(2, "zsync plan: nothing exists on the server yet")
    planned = plan_project(options, ignore)
    click.echo(render_plan(planned.plan, "text", colour), nl=False)

    _section(3, "zsync apply --auto-approve: create and publish both")
    report = apply_plan(planned, options, to_terminal)
    first_dois = {o.key: (o.record.doi, o.record.concept_doi) for o in report.outcomes if o.record}

    _section(4, "zsync plan again: the server matches the manifests")
    again = plan_project(options, ignore)
    click.echo(render_plan(again.plan, "text", colour), nl=False)
    if again.plan.has_changes:
        raise ZsyncError("The plan after apply is not empty; this is a bug in zsync.")

    datasets = sorted(again.desired.values(), key=lambda d: d.key)
    target = datasets[0]
    manifest = project / target.manifest_path

    _section(5, f"Edit the description in {target.manifest_path}: an update keeps the DOI")
    _edit_description(manifest)
    updated = plan_project(options, ignore)
    click.echo(render_plan(updated.plan, "text", colour), nl=False)
    report = apply_plan(updated, options, to_terminal)
    _say_dois(report, first_dois, Action.UPDATE)

    _section(6, f"Change a data file of {target.key}: a new version gets a new DOI, same concept DOI")
    changed = _touch_data_file(target)
    click.echo(f"Appended a line to {changed.relative_to(project)}")
    versioned = plan_project(options, ignore)
    click.echo(render_plan(versioned.plan, "text", colour), nl=False)
    report = apply_plan(versioned, options, to_terminal)
    _say_dois(report, first_dois, Action.NEW_VERSION)

    _section(7, "zsync plan once more: nothing to do, and zsync.lock records it all")
    final = plan_project(options, ignore)
    click.echo(render_plan(final.plan, "text", colour), nl=False)
    if final.plan.has_changes:
        raise ZsyncError("The plan after apply is not empty; this is a bug in zsync.")
    click.echo("")
    click.echo((project / "zsync.lock").read_text(encoding="utf-8"), nl=False)


def _say_dois(report, first_dois: dict, action: Action) -> None:
    for outcome in report.outcomes:
        if outcome.record is None or outcome.key not in first_dois:
            continue
        before_doi, concept = first_dois[outcome.key]
        now = outcome.record.doi
        if action == Action.UPDATE:
            same = "the same DOI" if now == before_doi else f"a different DOI (was {before_doi})"
            click.echo(f"{outcome.key}: still {now}: {same}")
        else:
            click.echo(
                f"{outcome.key}: new version DOI {now} (was {before_doi}); concept DOI "
                f"{outcome.record.concept_doi} (was {concept})"
            )


def _edit_description(manifest: Path) -> None:
    # The temp copy only: comments in it may be lost, the user's manifests are untouched.
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    metadata = data.setdefault("metadata", {})
    metadata["description"] = (
        str(metadata.get("description") or "").rstrip() + "\n\nEdited by zsync demo: a metadata-only change."
    )
    manifest.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _touch_data_file(target) -> Path:
    if not target.files:
        raise ZsyncError(f"{target.key} lists no files; the demo needs one to change.")
    # A data table, as a real new release would change; any file when there is none.
    tables = [f for f in target.files if f.name.lower().endswith((".csv", ".tsv", ".txt"))]
    path = Path(min(tables or target.files, key=lambda f: f.name).path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n# changed by zsync demo\n")
    return path
