"""`zsync plan`: manifests + the server's state -> a plan, printed or saved.

Also home of `prepare()`, the load -> hash -> refresh -> diff pipeline that `zsync apply`
and `zsync demo` share, so the plan a reviewer reads is the plan apply carries out.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import click

from zenodo_sync.backends.base import Backend
from zenodo_sync.errors import ConfigError, ManifestError
from zenodo_sync.engine.identity import marker_for
from zenodo_sync.model import DesiredDataset, FoundBy, Plan
from zenodo_sync.engine.plan import make_plan
from zenodo_sync.engine.planfile import write_plan
from zenodo_sync.engine.refresh import refresh
from zenodo_sync.render.common import found_by_words
from zenodo_sync.settings import Settings
from zenodo_sync.engine.state import LOCK_NAME, LockFile

PROJECT_MARKERS = ("zsync.yaml", "zsync.lock", "datasets")


@dataclass
class Prepared:
    """Everything one run needs after planning: apply reuses it as is."""

    root: Path
    server: str
    backend: Backend
    lock: LockFile
    desired: dict[str, DesiredDataset]
    plan: Plan
    targets: list[str]
    namespace: str | None = None  # zsync.yaml `namespace`: the marker of this project's records


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` holding zsync.yaml, zsync.lock or datasets/."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return start


def prepare(paths: tuple[str, ...] | list[str], targets: tuple[str, ...] | list[str], server: str | None,
            *, root: Path | None = None, parallelism: int = 4,
            status: Callable[[str], None] | None = None,
            check_settings: Callable[[Settings], None] | None = None) -> Prepared:
    """Load and validate manifests, hash files (cached), refresh from the server, plan.

    `check_settings` sees the resolved server before the first request carries the token.
    """
    from zenodo_sync.run import backend_from_settings
    from zenodo_sync.engine.files import default_cache_path
    from zenodo_sync.manifest import load_project
    from zenodo_sync.settings import load_settings

    status = status or (lambda text: click.echo(text, err=True))
    root = root or find_root(Path.cwd())
    manifest_paths = [Path(p).resolve() for p in paths] or None
    project = load_project(root, manifest_paths)
    _report_findings(project.findings)
    if not project.manifests and not (root / LOCK_NAME).exists():
        # Most likely the wrong directory: "No changes" would wrongly reassure (Terraform
        # likewise refuses to plan a directory without configuration).
        raise ManifestError(f"No manifests found: nothing matches `{project.config.datasets}` under {root}, "
                            "and there is no zsync.lock.",
                            hint="Run zsync in your project's directory (the one holding datasets/ or "
                                 "zsync.yaml), or set `datasets:` in zsync.yaml to where the manifests are.")

    datasets = list(project.datasets)
    if targets:
        known = {d.key for d in datasets}
        unknown = [t for t in targets if t not in known]
        if unknown:
            raise ConfigError(f"--target {unknown[0]}: no manifest has this key.",
                              hint="Keys are the manifest's `id`, else its path without extension, e.g. "
                                   + (", ".join(sorted(known)[:3]) or "datasets/rose-scent"))
        datasets = [d for d in datasets if d.key in targets]
    desired = _hashed(datasets, default_cache_path(root), parallelism)

    settings = load_settings(server, project.config)
    if check_settings is not None:
        check_settings(settings)
    # One backend, so one rate limiter, for every worker of an apply: Zenodo counts requests
    # per user, not per connection, and announces its budget in X-RateLimit-* headers (§5).
    backend = backend_from_settings(settings)
    committed = LockFile.load(root)
    lock = committed.for_server(settings.server)
    if lock is not committed:
        status(f"zsync.lock belongs to {committed.server}; for {settings.server} zsync keeps its state in "
               f"{lock.path.relative_to(root)} instead")
    status(f"Refreshing state from {settings.server} ({len(desired)} dataset(s))...")
    namespace = project.config.namespace
    actuals = refresh(backend, list(desired), lock, namespace=namespace)
    for actual in actuals.values():
        if actual.found_by == FoundBy.MARKER_ONLY:
            status(f"Warning: {actual.key}: zsync.lock has no entry for this key, but concept {actual.concept_id} "
                   f"on the server carries its marker {marker_for(actual.key)}. The plan ADOPTS that record; "
                   "if another repository uses this Zenodo account with the same key, it is that "
                   f"repository's record. `zsync apply` asks for --adopt {actual.key}; setting `namespace:` "
                   "in zsync.yaml keeps repositories apart.")
        elif actual.found_by == FoundBy.MARKER:
            status(f"{actual.key}: found concept {actual.concept_id} on the server by its zsync marker "
                   f"({found_by_words(actual.found_by)}); it is adopted, not created again")
    targeted = bool(targets or paths)
    plan = make_plan(desired.values(), actuals, lock.entries, server=settings.server, targeted=targeted)
    return Prepared(root=root, server=settings.server, backend=backend, lock=lock, desired=desired,
                    plan=plan, targets=list(targets), namespace=namespace)


def _report_findings(findings) -> None:
    errors = [f for f in findings if f.is_error]
    for finding in sorted(findings, key=lambda f: (f.file, f.line, f.column)):
        where = f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file
        click.echo(f"{where}: {finding.severity}: {finding.message}", err=True)
    if errors:
        raise ManifestError(f"{len(errors)} error(s) in the manifests; nothing was planned.",
                            hint="Fix them (see `zsync validate`), then plan again.")


def _hashed(datasets: list[DesiredDataset], cache: Path, workers: int) -> dict[str, DesiredDataset]:
    from zenodo_sync.engine.files import hash_files

    every = [f for d in datasets for f in d.files]
    hashed = iter(hash_files(every, cache, workers=max(1, workers)))
    return {d.key: replace(d, files=[next(hashed) for _ in d.files]) for d in datasets}


def use_colour(no_color: bool) -> bool:
    """Colour only on a terminal, never with --no-color or NO_COLOR (render.use_colour)."""
    from zenodo_sync.render import use_colour as stream_colour

    return stream_colour(sys.stdout, no_color=no_color)


def render_plan(plan: Plan, fmt: str, colour: bool) -> str:
    from zenodo_sync.render import render

    return render(plan, fmt, color=colour)


@click.command(name="plan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Plan only this dataset key (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (same as --format json).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("-out", "--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Save the plan so `zsync apply FILE` carries out exactly it.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when nothing would change, 2 when something would, 1 on error.")
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set or not on a terminal).")
@click.option("--server", metavar="URL", help="Server: zenodo, sandbox or an API URL (default from "
                                               "ZSYNC_SERVER or zsync.yaml).")
@click.option("--parallelism", type=click.IntRange(min=1), default=4, show_default=True,
              help="Files hashed at once.")
def command(paths: tuple[str, ...], targets: tuple[str, ...], as_json: bool, fmt: str, out: str | None,
            detailed_exitcode: bool, no_color: bool, server: str | None, parallelism: int) -> int:
    """Show what apply would change on Zenodo to match the manifests."""
    fmt = "json" if as_json else fmt
    prepared = prepare(paths, targets, server, parallelism=parallelism)
    plan = prepared.plan
    click.echo(render_plan(plan, fmt, use_colour(no_color)), nl=False)
    if out:
        # A plan for a subset is saved with its keys, so apply re-plans the same subset.
        write_plan(Path(out), plan, targets=[c.key for c in plan.changes] if plan.targeted else [])
        click.echo(f"\nSaved the plan to: {out}\n\nTo perform exactly these actions, run:\n"
                   f"    zsync apply {out}", err=fmt == "json")
    elif fmt == "text" and plan.has_changes and not os.environ.get("ZSYNC_IN_AUTOMATION"):
        click.echo("\nNote: You didn't use the -out option to save this plan, so zsync can't guarantee to "
                   "take exactly these actions if you run \"zsync apply\" now.")
    if plan.targeted and fmt == "text":
        click.echo("\nWarning: planned for a subset of datasets (paths or --target); lock entries of "
                   "other datasets are not considered.", err=True)
    return 2 if detailed_exitcode and plan.has_changes else 0
