"""`zsync plan`: manifests loaded and hashed, the server refreshed, the plan made.

The engine and the HTTP client are imported inside the functions that use them, so a
command that only loads manifests does not pay for importing them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenodo_sync.errors import ManifestError
from zenodo_sync.manifest import Project
from zenodo_sync.model import FoundBy
from zenodo_sync.run.changed_since import TouchedDatasets, touched_since
from zenodo_sync.run.connection import backend_from_settings, server_lock
from zenodo_sync.run.manifests import (
    EXPORT_FILES,
    load_manifests,
    only_targets,
    project_root,
    report_findings,
)
from zenodo_sync.run.options import Kind, Report, RunOptions, ignore
from zenodo_sync.settings import Settings, load_settings
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.backends.base import Backend
    from zenodo_sync.engine.progress import ProgressSink
    from zenodo_sync.engine.state import LockFile
    from zenodo_sync.model import ActualDataset, DesiredDataset, LocalFile, Plan


@dataclass(frozen=True)
class PlannedRun:
    """Everything apply needs after planning: the plan the user saw, and what it was made from."""

    root: Path
    settings: Settings
    backend: Backend
    lock: LockFile
    desired: dict[str, DesiredDataset] = field(repr=False)
    plan: Plan
    namespace: str | None = None  # zsync.yaml `namespace`: the marker of this project's records
    # A saved plan found already carried out: `plan` is then the fresh one, with nothing to send.
    already_applied: bool = False
    actuals: dict[str, ActualDataset] = field(default_factory=dict, repr=False)  # what refresh found
    touched: TouchedDatasets | None = None  # with --changed-since: what the branch changed

    @property
    def server(self) -> str:
        return self.settings.server


def plan_project(
    options: RunOptions,
    report: Report = ignore,
    *,
    check_settings: Callable[[Settings], None] | None = None,
    progress: ProgressSink | None = None,
) -> PlannedRun:
    """Load and validate manifests, hash files (cached), refresh from the server, plan.

    `check_settings` sees the resolved server before the first request carries the token;
    `progress` follows the hashing of each file not found in the md5 cache.
    """
    from zenodo_sync.engine.state import LOCK_NAME

    root = project_root(options)
    project = load_manifests(options)
    report_findings(project.findings, report)
    if not project.manifests and not (root / LOCK_NAME).exists():
        # Most likely the wrong directory: "No changes" would wrongly reassure (Terraform
        # likewise refuses to plan a directory without configuration).
        raise ManifestError(
            f"No manifests found: nothing matches `{project.config.datasets}` under {root}, "
            "and there is no zsync.lock.",
            hint="Run zsync in your project's directory (the one holding datasets/ or "
            "zsync.yaml), or set `datasets:` in zsync.yaml to where the manifests are.",
        )
    # A repository described by its CITATION.cff / .zenodo.json is published by releases only:
    # plan and apply neither change it nor forget its zsync.lock entry.
    released_only = {m.key for m in project.manifests if m.display in EXPORT_FILES.values()}
    if project.repository is not None:
        report(
            Kind.STATUS,
            f"{project.repository.manifest_path} describes this repository; `zsync release` publishes it "
            "with the release's files, plan and apply leave it alone.",
        )
    datasets = only_targets(list(project.datasets), options.targets)
    touched = None
    if options.changed_since:
        touched = touched_since(options, options.changed_since, project)
        datasets = [dataset for dataset in datasets if dataset.key in touched.keys]
        report(Kind.STATUS, touched.describe())
    return plan_datasets(
        root,
        project,
        datasets,
        options,
        report,
        check_settings=check_settings,
        progress=progress,
        targeted=bool(options.targets or options.paths or options.changed_since),
        released_only=released_only,
        touched=touched,
    )


def plan_datasets(
    root: Path,
    project: Project,
    datasets: list[DesiredDataset],
    options: RunOptions,
    report: Report = ignore,
    *,
    check_settings: Callable[[Settings], None] | None = None,
    progress: ProgressSink | None = None,
    targeted: bool = False,
    released_only: Collection[str] = (),
    touched: TouchedDatasets | None = None,
) -> PlannedRun:
    """Hash the datasets' files, refresh them from the server and plan (plan_project's second half).

    `targeted`: the datasets are a subset, so other keys of zsync.lock are not forgotten;
    `released_only`: keys only `zsync release` publishes, never forgotten either;
    `touched`: with --changed-since, what the branch changed (kept for the PR comment's order).
    """
    from zenodo_sync.engine.files import default_cache_path
    from zenodo_sync.engine.plan import make_plan
    from zenodo_sync.engine.refresh import refresh

    desired = hash_datasets(datasets, default_cache_path(root), options.parallelism, progress)

    settings = load_settings(options.server, project.config, cli_backend=options.backend)
    _check_backend_fields(settings, desired)
    if check_settings is not None:
        check_settings(settings)
    # One backend, so one rate limiter, for every worker of an apply: Zenodo counts requests
    # per User-Agent and address, not per connection, and announces its budget in
    # X-RateLimit-* headers (§5).
    backend = backend_from_settings(settings)
    lock = server_lock(root, project, settings, report)
    report(Kind.STATUS, f"Refreshing state from {settings.server} ({plural(len(desired), 'dataset')})...")
    namespace = project.config.namespace
    actuals = refresh(
        backend,
        list(desired),
        lock,
        namespace=namespace,
        # A bound manifest is found by its concept; an unbound one that would be created is
        # checked against the account's records of the same title (a record made before zsync).
        bindings={key: d.concept for key, d in desired.items() if d.concept},
        titles={key: str(d.metadata.get("title") or "") for key, d in desired.items() if not d.concept},
        on_wait=lambda text: report(Kind.STATUS, text),
    )
    for actual in actuals.values():
        _report_found_by(actual, report, lock_name=lock.path.relative_to(root).as_posix())
    _find_awaited_communities(backend, desired, actuals)
    entries = {key: entry for key, entry in lock.entries.items() if key not in released_only}
    plan = make_plan(
        desired.values(),
        actuals,
        entries,
        server=settings.server,
        targeted=targeted,
        take_drafts=options.take_drafts,
    )
    return PlannedRun(
        root=root,
        settings=settings,
        backend=backend,
        lock=lock,
        desired=desired,
        plan=plan,
        namespace=namespace,
        actuals=actuals,
        touched=touched,
    )


def _check_backend_fields(settings: Settings, desired: dict[str, DesiredDataset]) -> None:
    """A manifest field the chosen backend cannot carry stops the plan (validate says it too
    when zsync.yaml names the backend): never dropped silently."""
    if settings.backend != "rdm":
        return
    from zenodo_sync.zenodo.rdm_mapping import no_rdm_equivalent

    for dataset in desired.values():
        for name, why in no_rdm_equivalent(dataset.metadata).items():
            raise ManifestError(
                f"{dataset.manifest_path}: `metadata.{name}` has no equivalent in the InvenioRDM API "
                f"(backend rdm): {why}.",
                hint="Remove the field, or plan with `--backend deposit` (Zenodo only).",
            )


def _find_awaited_communities(
    backend: Backend, desired: dict[str, DesiredDataset], actuals: dict[str, ActualDataset]
) -> None:
    """Communities the manifest lists that the server was asked for and does not show yet: the
    latest record's open inclusion requests, or a draft's on a backend that asks only when it
    publishes (docs/zenodo-behaviour.md §7.8). The plan counts them as joined and says why.
    Asked only where a community is missing, so an unchanged project costs no request."""
    for key, actual in actuals.items():
        wanted = desired.get(key)
        shown = actual.draft or actual.latest
        if shown is None or wanted is None:
            continue
        missing = [
            slug for slug in _community_slugs(wanted.metadata) if slug not in _community_slugs(shown.metadata)
        ]
        if not missing:
            continue
        if actual.draft is not None and not backend.drafts_hold_communities:
            actual.awaited_communities = missing
        elif actual.draft is None:
            pending = set(backend.pending_communities(shown))
            actual.awaited_communities = [slug for slug in missing if slug in pending]


def _community_slugs(metadata: dict[str, Any]) -> list[str]:
    return [str(c.get("identifier")) for c in metadata.get("communities") or [] if isinstance(c, dict)]


def hash_datasets(
    datasets: list[DesiredDataset], cache: Path, workers: int, progress: ProgressSink | None = None
) -> dict[str, DesiredDataset]:
    from zenodo_sync.engine.files import hash_files
    from zenodo_sync.engine.progress import HASH, byte_counter

    every = [f for d in datasets for f in d.files]
    key_of = {id(f): d.key for d in datasets for f in d.files}

    def progress_for(local: LocalFile) -> Callable[[int], None] | None:
        return byte_counter(progress, HASH, key_of[id(local)], local.name, local.size) if progress else None

    hashed = iter(hash_files(every, cache, workers=max(1, workers), progress_for=progress_for))
    return {d.key: dataclasses.replace(d, files=[next(hashed) for _ in d.files]) for d in datasets}


def _report_found_by(actual: ActualDataset, report: Report, *, lock_name: str) -> None:
    """Say how refresh found a record that zsync.lock did not name."""
    from zenodo_sync.engine.identity import marker_for
    from zenodo_sync.render.common import found_by_words

    if actual.found_by == FoundBy.MARKER_ONLY:
        report(
            Kind.WARNING,
            f"Warning: {actual.key}: {lock_name} has no entry for this key, but concept {actual.concept_id} "
            f"on the server carries its marker {marker_for(actual.key)}. The plan ADOPTS that record; "
            "if another repository uses this Zenodo account with the same key, it is that "
            f"repository's record. `zsync apply` asks for --adopt {actual.key}; setting `namespace:` "
            "in zsync.yaml keeps repositories apart.",
        )
    elif actual.found_by == FoundBy.CONCEPT:
        report(
            Kind.STATUS,
            f"{actual.key}: bound by its manifest's concept: to concept {actual.concept_id}; it is "
            "updated or given new versions, never created",
        )
    elif actual.found_by == FoundBy.MARKER:
        report(
            Kind.STATUS,
            f"{actual.key}: found concept {actual.concept_id} on the server by its zsync marker "
            f"({found_by_words(actual.found_by)}); it is adopted, not created again",
        )
