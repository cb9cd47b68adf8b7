"""One run of a zsync command, outside the CLI: options in, a plan or an apply report out.

The CLI parses its options into one `RunOptions`, calls a function here, prints what the
`report` callback is given, and turns the result into an exit code. Nothing here prints:

    planned = plan_project(RunOptions(targets=("rose",)), report)
    apply_plan(planned, options, report)

The engine and the HTTP client are imported inside the functions that use them, so
`zsync validate` (which only loads manifests) does not pay for importing them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenodo_sync.errors import ApplyInterrupted, ConfigError, ManifestError, StalePlanError
from zenodo_sync.manifest import Finding, Project, ProjectConfig, find_project_root, load_project
from zenodo_sync.model import FoundBy
from zenodo_sync.settings import Settings, load_settings, resolve_server
from zenodo_sync.sizes import human_size
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.backends.base import Backend
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.engine.apply import ApplyReport
    from zenodo_sync.engine.download import DownloadReport
    from zenodo_sync.engine.progress import ProgressSink
    from zenodo_sync.engine.state import LockFile
    from zenodo_sync.model import ActualDataset, DesiredDataset, LocalFile, Plan
    from zenodo_sync.release.event import ReleaseEvent

DEFAULT_PARALLELISM = 4  # datasets applied, or files hashed, at once
CITATION_NAME = "CITATION.cff"
# `zsync export` formats -> the file Zenodo's GitHub integration reads (at the repository's top)
EXPORT_FILES = {"cff": CITATION_NAME, "zenodo-json": ".zenodo.json"}


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for, parsed: one value per run, never changed by it."""

    paths: tuple[str, ...] = ()  # manifests or folders to load; () = the `datasets` glob of zsync.yaml
    targets: tuple[str, ...] = ()  # dataset keys to plan and apply; () = all
    server: str | None = None  # --server; else ZSYNC_SERVER, zsync.yaml `server`, the default
    root: Path | None = None  # the project root; None = found from the working directory
    config: Path | None = None  # a zsync.yaml other than the root's
    parallelism: int = DEFAULT_PARALLELISM
    adopt: tuple[str, ...] = ()  # keys allowed to take over a record found by its marker alone
    changed_since: str | None = None  # --changed-since REF: only datasets changed since the merge base
    backend: str | None = None  # --backend; else zsync.yaml `backend`, else deposit


class Kind(Enum):
    """What a reported line is, so the CLI can choose where it goes."""

    STATUS = "status"  # what the run is doing now
    WARNING = "warning"  # something to read before applying
    FINDING = "finding"  # a manifest problem, as file:line:column: severity: message
    PROGRESS = "progress"  # a step of apply
    RESULT = "result"  # the outcome of apply


Report = Callable[[Kind, str], None]


def ignore(kind: Kind, text: str) -> None:
    """A Report that drops everything."""


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


def project_root(options: RunOptions) -> Path:
    """The root the options name, else the one found from the working directory (every command's rule)."""
    return options.root or find_project_root(Path.cwd())


def load_manifests(options: RunOptions) -> Project:
    """The project at the options' root, every manifest loaded and checked (no I/O beyond reading)."""
    paths = [Path(p) for p in options.paths] or None
    return load_project(project_root(options), paths, options.config)


def backend_from_settings(settings: Settings, **options: Any) -> ZenodoDepositBackend:
    """The backend for resolved Settings (token required), with its shared rate limiter:
    the deposit API's, or the InvenioRDM API's for `backend: rdm`.

    `options` go to the backend (user_agent, retries, timeout, ...).
    """
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.backends.ratelimit import RateLimiter
    from zenodo_sync.backends.rdm import InvenioRdmBackend

    limiter = RateLimiter(per_minute=settings.requests_per_minute)
    if settings.retries is not None:
        options.setdefault("retries", settings.retries)
    kind = InvenioRdmBackend if settings.backend == "rdm" else ZenodoDepositBackend
    return kind(settings.server, settings.require_token(), limiter=limiter, **options)


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
    _report_findings(project.findings, report)
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
    datasets = _targeted(list(project.datasets), options.targets)
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

    desired = _hashed(datasets, default_cache_path(root), options.parallelism, progress)

    settings = load_settings(options.server, project.config, cli_backend=options.backend)
    _check_backend_fields(settings, desired)
    if check_settings is not None:
        check_settings(settings)
    # One backend, so one rate limiter, for every worker of an apply: Zenodo counts requests
    # per User-Agent and address, not per connection, and announces its budget in
    # X-RateLimit-* headers (§5).
    backend = backend_from_settings(settings)
    lock = _server_lock(root, project, settings, report)
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
    plan = make_plan(desired.values(), actuals, entries, server=settings.server, targeted=targeted)
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


def _server_lock(root: Path, project: Project, settings: Settings, report: Report) -> LockFile:
    """The lock of the server the settings name: zsync.lock for zsync.yaml's server, else one
    under .zsync/locks/ (engine/state.py), said in a status line."""
    from zenodo_sync.backends.instance import emulator_instance
    from zenodo_sync.engine.state import lock_for_server

    home = resolve_server(None, project.config, env={})  # zsync.yaml's server: zsync.lock is its
    instance = emulator_instance(settings.server) if settings.is_local else None
    lock, note = lock_for_server(root, settings.server, home=home, instance=instance)
    if note:
        report(Kind.STATUS, note)
    replayed = lock.replay_note(root)
    if replayed:
        report(Kind.WARNING, replayed)
    return lock


@dataclass(frozen=True)
class Binding:
    """What `zsync bind` recorded: the key, the concept it now follows, and where."""

    key: str
    concept_id: str
    concept_doi: str | None
    lock_path: Path
    changed: bool  # False: the lock held this binding already


def bind_dataset(
    options: RunOptions, key: str, concept: str, *, force: bool = False, report: Report = ignore
) -> Binding:
    """Record in the server's lock that manifest `key` describes the existing concept `concept`.

    The manifest is not edited (a `concept:` line in it does the same, visibly). The concept
    must be one of the token owner's on the server; a different binding, another key's
    concept or an unfinished apply is replaced only with `force`.
    """
    from zenodo_sync.engine.binding import resolve_concept
    from zenodo_sync.engine.identity import marker_for, markers_of
    from zenodo_sync.engine.refresh import list_everything
    from zenodo_sync.engine.state import LockEntry
    from zenodo_sync.errors import BindingError
    from zenodo_sync.zenodo.concepts import ConceptFormatError, parse_concept

    try:
        ref = parse_concept(concept)
    except ConceptFormatError as exc:
        raise ConfigError(f"zsync bind {key} {concept}: `{concept}` {exc}.") from None
    root = project_root(options)
    project = load_manifests(options)
    manifest = project.manifest(key)
    if manifest is None:
        raise ConfigError(
            f"zsync bind {key}: no manifest has this key.",
            hint=_target_hint(key, {m.key for m in project.manifests}),
        )
    key = manifest.key
    if manifest.concept is not None and manifest.concept.number != ref.number:
        raise BindingError(
            f"{key}: {manifest.display} already binds concept {manifest.concept} (`concept:`), not {ref}.",
            hint=f"Change or remove `concept:` in {manifest.display}: the manifest's own binding wins.",
        )
    settings = load_settings(options.server, project.config, cli_backend=options.backend)
    backend = backend_from_settings(settings)
    lock = _server_lock(root, project, settings, report)
    report(Kind.STATUS, f"Looking for concept {ref} on {settings.server}...")
    listing = list_everything(backend)
    bound = resolve_concept(backend, listing.by_concept, ref, who=f"zsync bind {key} {concept}")
    ours = {marker_for(key, project.config.namespace), marker_for(key)}
    foreign = sorted(
        {
            marker
            for record in listing.by_concept.get(bound.concept_id, {}).values()
            for marker in markers_of(record.metadata)
        }
        - ours
    )
    if foreign:
        raise BindingError(
            f"zsync bind {key} {concept}: concept {bound.concept_id} carries the zsync marker "
            f"{foreign[0]}: zsync manages it for another dataset (or another repository). Nothing "
            "was changed.",
            hint="Bind a record zsync does not manage yet, or use that dataset's own manifest.",
        )
    lock_name = lock.path.relative_to(root).as_posix()
    entry = lock.get(key)
    if entry is not None and entry.concept_id == bound.concept_id and entry.in_flight is None:
        return Binding(key, bound.concept_id, bound.concept_doi, lock.path, changed=False)
    refusals = []
    if entry is not None and entry.concept_id is not None and entry.concept_id != bound.concept_id:
        refusals.append(f"{lock_name} ties {key} to concept {entry.concept_id}")
    if entry is not None and entry.in_flight is not None:
        refusals.append(f"{lock_name} records an unfinished {entry.in_flight.operation} for {key}")
    owners = [
        other
        for other, other_entry in sorted(lock.entries.items())
        if other != key and other_entry.concept_id == bound.concept_id
    ]
    if owners:
        # Not even with --force: two manifests on one record rewrite it in turn on every apply.
        raise BindingError(
            f"zsync bind {key} {concept}: {lock_name} already ties concept {bound.concept_id} to the "
            f"key {owners[0]}; one record can follow one manifest only. Nothing was changed.",
            hint=f"Bind another concept, or first remove the manifest of {owners[0]} and run `zsync apply` "
            "(it forgets that key).",
        )
    if refusals and not force:
        raise BindingError(
            f"zsync bind {key} {concept}: {'; '.join(refusals)}; nothing was changed.",
            hint="Run `zsync plan` to see what the lock holds now; `zsync bind --force` replaces it.",
        )
    lock.put(key, LockEntry(concept_id=bound.concept_id, concept_doi=bound.concept_doi, bound=True))
    return Binding(key, bound.concept_id, bound.concept_doi, lock.path, changed=True)


def plan_saved(
    path: Path, options: RunOptions, report: Report = ignore, *, progress: ProgressSink | None = None
) -> PlannedRun:
    """A saved plan, ready to apply exactly, once a fresh plan shows nothing moved since it was made.

    If the saved plan was carried out already, the fresh plan is returned, `already_applied` set.
    The fresh plan covers the saved plan's own targets; `options.targets` must be empty.
    """
    from zenodo_sync.engine.planfile import already_applied, check_not_stale, read_plan
    from zenodo_sync.engine.state import same_server

    if options.targets:
        raise ConfigError(
            "--target cannot be combined with a saved plan: it applies exactly what it holds.",
            hint="Make a targeted plan with `zsync plan --target KEY -out FILE`.",
        )
    saved, saved_targets = read_plan(path)

    def made_for_this_server(settings: Settings) -> None:
        # The server comes from the user's settings, never from the plan file: a plan file
        # (a CI artifact, a file from a pull request) must not be able to send the token elsewhere.
        if not same_server(saved.server, settings.server):
            raise StalePlanError(
                f"{path} was made for {saved.server}, but this apply would talk to {settings.server} "
                f"(from {settings.server_source}); nothing was sent.",
                hint=f"Apply it against the server it was made for (`--server {saved.server}` if you trust "
                "that address), or make a new plan for this server.",
            )

    fresh = plan_project(
        dataclasses.replace(options, targets=tuple(saved_targets)),
        report,
        check_settings=made_for_this_server,
        progress=progress,
    )
    if already_applied(saved, fresh.plan):
        # Applying a plan twice (a re-run CI job, a second terminal) is not a stale plan:
        # the server is where the plan was taking it. Only zsync.lock may have to catch up.
        return dataclasses.replace(fresh, already_applied=True)
    check_not_stale(saved, fresh.plan)
    # Exactly the saved changes, against the manifests and server state just shown equal.
    return dataclasses.replace(fresh, plan=dataclasses.replace(saved, server=fresh.server))


def needs_adoption(plan: Plan) -> set[str]:
    """Keys whose change takes over a record found by its marker alone: each needs the user's consent."""
    from zenodo_sync.engine.apply import adoption_of

    return {change.key for change in plan.changes if adoption_of(change)}


def save_plan(plan: Plan, path: Path) -> None:
    """Write `plan` for `zsync apply FILE` to carry out exactly."""
    from zenodo_sync.engine.planfile import write_plan

    # A plan for a subset is saved with its keys, so apply re-plans the same subset.
    write_plan(path, plan, targets=[c.key for c in plan.changes] if plan.targeted else [])


def apply_plan(
    planned: PlannedRun, options: RunOptions, report: Report = ignore, *, progress: ProgressSink | None = None
) -> ApplyReport:
    """Carry out `planned.plan` and report the outcome; raise if any dataset failed or was stopped.

    `options.adopt`: keys allowed to take over a record found by its marker alone (Applier);
    `progress` follows each upload.
    """
    from zenodo_sync.engine.apply import Applier, StopRequested

    applier = Applier(
        planned.backend,
        planned.lock,
        planned.desired,
        echo=lambda text: report(Kind.PROGRESS, text),
        parallelism=options.parallelism,
        namespace=planned.namespace,
        adopt=options.adopt,
        progress=progress,
    )
    outcome = applier.apply(planned.plan)
    failed = outcome.errors
    if applier.interrupted:
        done = [o.key for o in outcome.outcomes if o.error is None]
        stopped = [o.key for o in failed if isinstance(o.error, StopRequested)]
        raise StopRequested(
            f"Interrupted: {plural(len(done), 'dataset')} finished, {len(stopped)} stopped after the step "
            "in flight" + (f" ({', '.join(stopped)})" if stopped else "") + ".",
            hint="zsync.lock records every step that was done, and nothing was published after the "
            "interrupt; an upload cut off is sent again from the start: run `zsync apply` again "
            "to finish.",
        )
    if failed:
        done_count = len(outcome.outcomes) - len(failed)
        details = "; ".join(_without_key_prefix(o.key, o.error.message) for o in failed if o.error)
        raise ApplyInterrupted(
            f"Apply failed for {plural(len(failed), 'dataset')} ({done_count} finished): {details}",
            hint="zsync.lock records every step that was done; fix the cause and run `zsync apply` "
            "again: it resumes open drafts instead of creating new records.",
        )
    report(Kind.RESULT, "")
    report(Kind.RESULT, outcome.summary_line())
    for dataset in outcome.outcomes:
        record = dataset.record
        if record is not None and record.doi and dataset.action.family != "no-op":
            concept = f" (concept DOI {record.concept_doi})" if record.concept_doi else ""
            report(Kind.RESULT, f"  {dataset.key}: {record.doi}{concept}")
    return outcome


@dataclass(frozen=True)
class TouchedDatasets:
    """The datasets a branch changed since its merge base with a ref (a pull request's base)."""

    ref: str
    base: str  # the merge base's commit id
    keys: frozenset[str]

    def describe(self) -> str:
        return f"Changed since {self.ref} (merge base {self.base[:12]}): " + (
            ", ".join(sorted(self.keys)) if self.keys else "no dataset"
        )


def touched_since(options: RunOptions, ref: str, project: Project | None = None) -> TouchedDatasets:
    """Datasets whose manifest or files changed since the merge base of `ref` and HEAD, or that
    inherit a zsync.yaml default which changed (work-tree changes and new files count too).

    A dataset folder (one with zenodo.yaml) counts as changed when anything under it changed,
    so a file deleted from a glob's match counts too. A change to zsync.yaml beyond `defaults`
    (the server, the namespace, the datasets glob) touches every dataset.
    """
    from zenodo_sync.vcs.changes import changed_paths, merge_base, open_repository, text_at

    why = "--changed-since"
    project = project or load_manifests(options)
    root = project_root(options)
    config_path = project.config.path or root / "zsync.yaml"
    with open_repository(root, why) as repo:
        base = merge_base(repo, ref, why)
        changed = {_real(path) for path in changed_paths(repo, base)}
        config_before = (
            text_at(repo, base, Path(_real(config_path))) if _real(config_path) in changed else None
        )
    keys = set()
    for manifest in project.manifests:
        manifest_path = _real(manifest.path)
        folder = os.path.dirname(manifest_path) + os.sep
        own_folder = manifest.path.name.startswith("zenodo.")
        if manifest_path in changed or (own_folder and any(path.startswith(folder) for path in changed)):
            keys.add(manifest.key)
    for dataset in project.datasets:
        if any(_real(local.path) in changed for local in dataset.files):
            keys.add(dataset.key)
    if _real(config_path) in changed:
        keys |= _inheriting_changed_defaults(options, project, config_before or "")
    return TouchedDatasets(ref=ref, base=base, keys=frozenset(keys))


def _inheriting_changed_defaults(options: RunOptions, project: Project, config_before: str) -> set[str]:
    """Keys whose effective manifest differs under zsync.yaml as it was at the merge base."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zsync-config-") as folder:
        old_config = Path(folder) / "zsync.yaml"
        old_config.write_text(config_before, encoding="utf-8")
        paths = [Path(p) for p in options.paths] or None
        old = load_project(project.root, paths, old_config)
    before, now = old.config, project.config
    if (before.server, before.datasets, before.namespace) != (now.server, now.datasets, now.namespace):
        return {manifest.key for manifest in project.manifests}  # what every dataset stands on
    effective_before = {manifest.display: manifest.effective for manifest in old.manifests}
    return {
        manifest.key
        for manifest in project.manifests
        if effective_before.get(manifest.display) != manifest.effective
    }


def _base_project(base_root: Path, config: Path | None, root: Path, options: RunOptions) -> Project:
    """The project as it was in the base tree; the same paths, where they existed then."""
    if not base_root.is_dir():
        return Project(root=base_root, config=ProjectConfig())  # the project did not exist yet
    if not options.paths:
        return load_project(base_root, None, config)
    paths = [base_root / Path(_real(path)).relative_to(_real(root)) for path in options.paths]
    existing = [path for path in paths if path.exists()]
    return load_project(base_root, existing, config) if existing else Project(base_root, ProjectConfig())


def _real(path: Path | str) -> str:
    return os.path.realpath(path)


@dataclass(frozen=True)
class OfflinePlan:
    """A plan computed from git alone (engine/offline.py): no server, no token."""

    plan: Plan
    touched: TouchedDatasets


def plan_offline(
    options: RunOptions, base_ref: str, report: Report = ignore, *, progress: ProgressSink | None = None
) -> OfflinePlan:
    """The manifests at the merge base of `base_ref` against the head, as a plan, without Zenodo.

    The lock at the head names the records; hashing uses the project's md5 cache for the head
    and a temporary one for the base tree.
    """
    import tempfile

    from zenodo_sync.engine.files import default_cache_path
    from zenodo_sync.engine.offline import offline_plan
    from zenodo_sync.engine.state import LockFile
    from zenodo_sync.vcs.changes import export_tree, open_repository, top_of

    root = project_root(options)
    project = load_manifests(options)
    _report_findings(project.findings, report)
    touched = touched_since(options, base_ref, project)
    report(
        Kind.STATUS,
        f"Planning offline: the manifests at {base_ref} (merge base {touched.base[:12]}) against the head; "
        "Zenodo is not asked.",
    )
    head = _hashed(
        _targeted(list(project.datasets), options.targets),
        default_cache_path(root),
        options.parallelism,
        progress,
    )
    with tempfile.TemporaryDirectory(prefix="zsync-base-") as folder:
        with open_repository(root, "--offline") as repo:
            relative = Path(_real(root)).relative_to(top_of(repo))
            export_tree(repo, touched.base, Path(folder) / "tree")
        base_root = Path(folder) / "tree" / relative
        config = None
        if project.config.path is not None:
            config = base_root / Path(_real(project.config.path)).relative_to(_real(root))
            config = config if config.is_file() else None
        before = _base_project(base_root, config, project.root, options)
        base_datasets = [d for d in before.datasets if d.key in head] if options.targets else before.datasets
        base = _hashed(base_datasets, Path(folder) / "md5-cache.json", options.parallelism)
    lock = LockFile.load(root)
    label = f"git {touched.base[:12]} (offline)"
    return OfflinePlan(plan=offline_plan(base, head, lock.entries, label=label), touched=touched)


def _report_findings(findings: list[Finding], report: Report) -> None:
    for finding in sorted(findings, key=lambda f: (f.file, f.line, f.column)):
        where = f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file
        report(Kind.FINDING, f"{where}: {finding.severity}: {finding.message}")
    errors = [f for f in findings if f.is_error]
    if errors:
        raise ManifestError(
            f"{plural(len(errors), 'error')} in the manifests; nothing was planned.",
            hint="Fix them (see `zsync validate`), then plan again.",
        )


def _targeted(datasets: list[DesiredDataset], targets: tuple[str, ...]) -> list[DesiredDataset]:
    if not targets:
        return datasets
    known = {d.key for d in datasets}
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise ConfigError(
            f"--target {unknown[0]}: no manifest has this key.", hint=_target_hint(unknown[0], known)
        )
    return [d for d in datasets if d.key in targets]


def _target_hint(target: str, known: set[str]) -> str:
    """Did you mean the nearest key (a typo is the usual cause); else a few keys to choose from."""
    import difflib

    close = difflib.get_close_matches(target, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"Did you mean `--target {close[0]}`?"
    return "Keys are the manifest's `id`, else its path without extension, e.g. " + (
        ", ".join(sorted(known)[:3]) or "datasets/rose-scent"
    )


def _hashed(
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


def _without_key_prefix(key: str, message: str) -> str:
    """`key: message`, once: engine messages often start with the key already."""
    return message if message.startswith(f"{key}: ") else f"{key}: {message}"


# --- zsync release ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseRequest:
    """What `zsync release` was asked for (the CLI reads the event from the environment)."""

    event: ReleaseEvent
    dataset: str | None = None  # the key named on the command line; None: from the tag
    notes_from_release: bool = False  # the release's notes become the version's notes
    assets: tuple[str, ...] = ()  # paths or globs to attach instead of the git archive
    download_assets: bool = False  # the event's assets, downloaded, instead of the git archive
    update_citation: bool = False  # rewrite CITATION.cff and the README badge in the working tree
    env: dict[str, str] = field(default_factory=dict, repr=False)  # GITHUB_TOKEN, GITHUB_API_URL


@dataclass
class ReleaseResult:
    key: str
    tag: str
    version: str
    doi: str | None
    concept_doi: str | None
    record_id: int | None
    url: str | None = None
    files: list[str] = field(default_factory=list)
    already_released: bool = False  # the tag's version was published before: nothing was sent
    left_for_review: bool = False  # `publish: false`: a draft, `doi` the one it gets when published
    cited_in_archive: bool = False  # the archived CITATION.cff carries `doi`
    updated_files: list[str] = field(default_factory=list)  # rewritten by --update-citation


def release_project(options: RunOptions, request: ReleaseRequest, report: Report = ignore) -> ReleaseResult:
    """Publish the release as a new version of its dataset (the first one if none exists).

    When the files are the git archive and the tagged tree has a CITATION.cff, the version is
    made in two steps so the archive can cite itself: a draft first (files removed, not
    published), whose DOI Zenodo reserves (§3.2.3); then the archive, with that DOI, version
    and date written into its CITATION.cff, uploaded into that draft, which is published.
    """
    from zenodo_sync.manifest.placeholders import ReleaseValues
    from zenodo_sync.vcs.tags import file_at_tag

    root = project_root(options)
    event = request.event
    report = _once(report)  # each of the two plans would say the same lock and refresh notes
    first_look = load_project(root, config_path=options.config)
    key, version = _released_dataset(first_look, event.tag, request.dataset)
    date = _release_date(root, event)
    values = ReleaseValues(version=version, tag=event.tag, date=date)
    project = load_project(root, config_path=options.config, release=values, release_key=key)
    desired = _release_dataset(project, key, report)
    _check_version(desired, version, event.tag)
    if request.notes_from_release:
        desired.metadata["notes"] = _release_notes(event)
    report(Kind.STATUS, f"Releasing {key} version {version} (tag {event.tag}, from {event.source}).")

    folder = root / ".zsync" / "release"
    citation = None
    reserved: str | None = None
    if request.assets:
        files = [_local_file(path) for path in _local_assets(request.assets, root)]
    elif request.download_assets:
        from zenodo_sync.release.assets import download_assets

        report(Kind.STATUS, f"Downloading {plural(len(event.assets), 'release asset')}...")
        files = [_local_file(path) for path in download_assets(event.assets, folder / event.tag, request.env)]
    else:
        files = []  # the archive, made below once its CITATION.cff can carry the DOI
        citation = file_at_tag(root, event.tag, CITATION_NAME)

    targeted = dataclasses.replace(options, targets=(key,))
    result = ReleaseResult(
        key=key, tag=event.tag, version=version, doi=None, concept_doi=None, record_id=None
    )
    if citation is not None:
        # Step one: the draft, whose DOI is reserved before anything is published.
        draft_run = plan_datasets(
            root,
            project,
            [dataclasses.replace(desired, files=[], publish=False)],
            targeted,
            report,
            targeted=True,
        )
        if _already_released(draft_run, key, version, result):
            return result
        report(
            Kind.STATUS, f"{key}: opening the new version's draft to learn the DOI Zenodo reserves for it..."
        )
        apply_plan(draft_run, targeted, _quiet_draft_step(report))
        entry = draft_run.lock.get(key)
        reserved = entry.draft_doi if entry is not None else None
        if reserved:
            from zenodo_sync.release.citation import cite_version

            try:
                tagged = citation.decode("utf-8")
            except UnicodeDecodeError:
                raise ManifestError(
                    f"CITATION.cff at tag {event.tag} is not UTF-8, so zsync cannot write the DOI into it; "
                    f"draft {entry.draft_id if entry else ''} is left open, nothing was published.",
                    hint="Save CITATION.cff as UTF-8 (the Citation File Format requires it), tag again and "
                    "release: the draft is reused.",
                ) from None
            text = cite_version(tagged, doi=reserved, version=version, date=date)
            report(
                Kind.STATUS, f"{key}: the archived CITATION.cff cites {reserved}, version {version}, {date}"
            )
            replace = {CITATION_NAME: text.encode("utf-8")}
            result.cited_in_archive = True
        else:
            replace = {}
        files = [_local_file(_archive(root, key, event.tag, folder, replace))]
    elif not files:
        files = [_local_file(_archive(root, key, event.tag, folder, {}))]

    # `publish: false` holds here too: the release stops at a draft for review, its DOI reserved.
    publish_run = plan_datasets(
        root,
        project,
        [dataclasses.replace(desired, files=files)],
        targeted,
        report,
        targeted=True,
    )
    if citation is None and _already_released(publish_run, key, version, result):
        return result
    previous = publish_run.actuals.get(key)
    apply_plan(publish_run, targeted, _without_apply_summary(report))
    entry = publish_run.lock.get(key)
    if entry is not None and desired.publish:
        result.doi, result.concept_doi, result.record_id = entry.doi, entry.concept_doi, entry.record_id
        if result.cited_in_archive and reserved and entry.doi and entry.doi != reserved:
            # The sandbox's reservation can name the production prefix (§3.2.3).
            report(
                Kind.WARNING,
                f"Warning: {key}: the archived CITATION.cff cites {reserved}, but Zenodo minted {entry.doi}.",
            )
    elif entry is not None:
        result.left_for_review = True
        result.doi, result.concept_doi, result.record_id = entry.draft_doi, entry.concept_doi, entry.draft_id
    result.files = [local.name for local in files]
    if result.record_id is not None:
        result.url = _record_url(publish_run, result.record_id, draft=result.left_for_review)
    if request.update_citation and result.doi and not result.left_for_review:
        old = (
            {previous.latest.doi}
            if previous is not None and previous.latest and previous.latest.doi
            else set()
        )
        result.updated_files = _update_working_tree(root, result, date, old, report)
    return result


README_NAMES = ("README.md", "README.rst", "README.txt", "README")


def _released_dataset(project: Project, tag: str, named: str | None) -> tuple[str, str]:
    """The key of the dataset the release is for, and its version, from the tag and the command line."""
    from zenodo_sync.release.tags import read_tag

    keys = [manifest.key for manifest in project.manifests]
    reading = read_tag(tag, keys, project.config.tag_prefix)
    if named is not None:
        if named not in keys:
            raise ConfigError(f"{named}: no manifest has this key.", hint=_target_hint(named, set(keys)))
        if reading.key not in (None, named):
            raise ConfigError(f"Tag {tag} names the dataset {reading.key}, not {named}.")
        return named, reading.version
    if reading.key is not None:
        return reading.key, reading.version
    if len(keys) == 1:
        return keys[0], reading.version
    if not keys:
        raise ManifestError(
            f"Nothing to release: no manifest under {project.config.datasets}, and no .zenodo.json "
            f"or CITATION.cff in {project.root}.",
            hint="Add a CITATION.cff (or a manifest), or run zsync in the project's directory.",
        )
    raise ConfigError(
        f"Tag {tag} does not say which dataset it releases, and there are {len(keys)}: "
        + ", ".join(sorted(keys)[:5])
        + ".",
        hint=f"Name it (`zsync release {sorted(keys)[0]}`), or tag releases as "
        f"`<dataset>-{project.config.tag_prefix}<version>`.",
    )


def _release_date(root: Path, event: ReleaseEvent) -> str:
    import datetime

    from zenodo_sync.vcs.tags import tag_date

    if event.published_at:
        return event.published_at[:10]
    try:
        return tag_date(root, event.tag).isoformat()
    except ConfigError:
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def _release_dataset(project: Project, key: str, report: Report) -> DesiredDataset:
    """The released dataset, loaded with the release's values; its errors (only its) stop the release."""
    manifest = project.manifest(key)
    own_files = {project.config.path and project.config.path.relative_to(project.root).as_posix()}
    if manifest is not None:
        own_files.add(manifest.display)
    if project.repository is not None:
        own_files.update({".zenodo.json", CITATION_NAME})
    _report_findings([f for f in project.findings if f.file in own_files], report)
    found = next((d for d in project.datasets if d.key == key), None) or project.repository
    if found is None or found.key != key:
        raise ManifestError(f"{key}: the dataset could not be loaded; nothing was released.")
    return found


def _check_version(desired: DesiredDataset, version: str, tag: str) -> None:
    written = desired.metadata.get("version")
    if written is None:
        desired.metadata["version"] = version
    elif written != version:
        raise ManifestError(
            f"{desired.manifest_path}: version is {written!r}, but tag {tag} releases version {version!r}; "
            "nothing was released.",
            hint='Write `version: "{release.version}"` in the manifest: the release fills it in.',
        )


def _release_notes(event: ReleaseEvent) -> str:
    from zenodo_sync.manifest.expand import markdown_to_html

    if not event.notes.strip():
        raise ConfigError(
            f"--notes-from-release: the release {event.tag} has no notes"
            + (" (--tag alone gives none; run from the release event)" if event.source == "--tag" else "")
            + ".",
            hint="Write the release notes on GitHub, or leave the option out.",
        )
    return markdown_to_html(event.notes)


def _local_assets(patterns: tuple[str, ...], root: Path) -> list[Path]:
    from zenodo_sync.release.assets import local_assets

    return local_assets(list(patterns), root)


def _local_file(path: Path) -> LocalFile:
    from zenodo_sync.model import LocalFile

    return LocalFile(name=path.name, path=path.resolve(), size=path.stat().st_size)


def _archive(root: Path, key: str, tag: str, folder: Path, replace: dict[str, bytes]) -> Path:
    from zenodo_sync.vcs.tags import archive_tag

    # Named as GitHub names its source archives: the repository, then the tag.
    name = f"{root.name}-{tag}".replace("/", "-")
    return archive_tag(root, tag, folder / f"{name}.zip", name, replace)


def _already_released(planned: PlannedRun, key: str, version: str, result: ReleaseResult) -> bool:
    """The tag's version is the latest published one (a re-run job): say its DOIs, send nothing."""
    actual = planned.actuals.get(key)
    latest = actual.latest if actual is not None else None
    if (
        latest is None
        or latest.metadata.get("version") != version
        or actual is None
        or actual.draft is not None
    ):
        return False
    result.already_released = True
    result.doi, result.concept_doi, result.record_id = latest.doi, latest.concept_doi, latest.id
    result.url = _record_url(planned, latest.id)
    return True


def _record_url(planned: PlannedRun, record_id: int, *, draft: bool = False) -> str:
    """The record's page (a draft's: its upload form), at the API's origin."""
    base = planned.settings.server.rstrip("/")
    origin = base[: -len("/api")] if base.endswith("/api") else base
    return f"{origin}/{'uploads' if draft else 'records'}/{record_id}"


def _once(report: Report) -> Report:
    """`report`, saying each status line once."""
    said: set[str] = set()

    def forward(kind: Kind, text: str) -> None:
        if kind in (Kind.STATUS, Kind.FINDING):
            if text in said:
                return
            said.add(text)
        report(kind, text)

    return forward


def _without_apply_summary(report: Report) -> Report:
    """The release prints its own outcome; apply's counts ("1 resumed") would only confuse it."""

    def forward(kind: Kind, text: str) -> None:
        if kind != Kind.RESULT:
            report(kind, text)

    return forward


def _quiet_draft_step(report: Report) -> Report:
    """The first step's report: its draft is no review draft, and its apply is not the outcome."""

    def forward(kind: Kind, text: str) -> None:
        if kind == Kind.RESULT or "left as a draft for review" in text:
            return
        report(kind, text)

    return forward


def _update_working_tree(
    root: Path, result: ReleaseResult, date: str, old_dois: set[str], report: Report
) -> list[str]:
    """--update-citation: CITATION.cff and the README badge name the new version (commit is the user's)."""
    from zenodo_sync.atomicfile import write_atomic
    from zenodo_sync.release.citation import cite_version, update_badges

    assert result.doi is not None
    changed = []
    citation = root / CITATION_NAME
    if citation.is_file():
        text = citation.read_text(encoding="utf-8")
        new = cite_version(text, doi=result.doi, version=result.version, date=date)
        if new != text:
            write_atomic(citation, new)
            changed.append(CITATION_NAME)
    for name in README_NAMES:
        readme = root / name
        if not readme.is_file():
            continue
        text = readme.read_text(encoding="utf-8")
        new, count = update_badges(text, old_dois, result.doi)
        if count:
            write_atomic(readme, new)
            changed.append(name)
        elif result.concept_doi and result.concept_doi not in text:
            report(
                Kind.WARNING,
                f"{name} has no DOI badge of this record; one that always shows the latest version: "
                f"[![DOI](https://zenodo.org/badge/DOI/{result.concept_doi}.svg)](https://doi.org/{result.concept_doi})",
            )
        break
    return changed


# --- zsync export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    key: str
    text: str
    file_name: str  # where Zenodo's GitHub integration looks for it, at the repository's top
    left_out: list[str]  # metadata fields the format cannot carry


def export_manifest(options: RunOptions, key: str | None, fmt: str, report: Report = ignore) -> Exported:
    """The manifest `key` (the only one when None) as `.zenodo.json` or CITATION.cff text."""
    from zenodo_sync.manifest.export import cff_export, zenodo_json_export
    from zenodo_sync.manifest.placeholders import ReleaseValues

    root = project_root(options)
    # Placeholders stay as written (the release fills them in) and are left out of the file.
    keep = ReleaseValues(version="{release.version}", tag="{release.tag}", date="{release.date}")
    project = load_project(root, [Path(p) for p in options.paths] or None, options.config, release=keep)
    keys = [manifest.key for manifest in project.manifests if manifest.display not in EXPORT_FILES.values()]
    if key is None:
        if len(keys) != 1:
            raise ConfigError(
                f"zsync export writes one dataset; there are {len(keys)}"
                + (f": {', '.join(sorted(keys)[:5])}" if keys else " (no manifest found)")
                + ".",
                hint="Name it: `zsync export KEY --format cff`.",
            )
        key = keys[0]
    manifest = project.manifest(key)
    if manifest is None or key not in keys:
        raise ConfigError(f"{key}: no manifest has this key.", hint=_target_hint(key, set(keys)))
    _report_findings([f for f in project.findings if f.file == manifest.display], report)
    desired = next(d for d in project.datasets if d.key == key)
    if fmt == "zenodo-json":
        return Exported(key, zenodo_json_export(desired.metadata), EXPORT_FILES[fmt], [])
    written = (manifest.effective or {}).get("metadata", {}).get("license")
    text, left_out = cff_export(desired.metadata, written if isinstance(written, str) else None)
    return Exported(key, text, EXPORT_FILES[fmt], left_out)


# --- zsync import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    """What `zsync import` was asked for: where the records come from and how to write them."""

    sources: tuple[str, ...] = ()  # record ids, DOIs, record URLs
    owner: str | None = None  # "me": every concept of the token's owner
    communities: tuple[str, ...] = ()
    query: str | None = None
    path_template: str = "{slug}"  # the folder under the datasets root: {slug}, {concept}, {id}
    force: bool = False  # replace manifests and lock entries that exist
    dry_run: bool = False
    extract_defaults: bool = False
    with_files: bool = False  # download each record's files next to its manifest and list them
    parallel: int = DEFAULT_PARALLELISM  # files downloaded at once


@dataclass
class ImportResult:
    """What an import wrote (or, with --dry-run, would write): path -> text, and per concept its key."""

    files: dict[str, str] = field(default_factory=dict)  # path relative to the root -> text
    keys: dict[str, str] = field(default_factory=dict)  # concept id -> dataset key
    lock_path: str = ""
    lock_keys: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # one line per concept with a draft pending
    downloads: list[str] = field(default_factory=list)  # one summary line per record downloaded


def import_records(
    options: RunOptions,
    wanted: ImportOptions,
    report: Report = ignore,
    *,
    progress: ProgressSink | None = None,
) -> ImportResult:
    """Write one manifest (and one lock entry) per concept the sources and collections name.

    With `wanted.with_files`, each record's files are downloaded (verified, resumable:
    engine/download.py) next to its manifest before anything is written, and listed as local files.
    """
    from zenodo_sync.engine import importer
    from zenodo_sync.engine.importsource import Gatherer

    if not (wanted.sources or wanted.owner or wanted.communities or wanted.query is not None):
        raise ConfigError(
            "Nothing to import: give a record id, DOI or URL, or one of --owner me, --community SLUG, --query Q.",
            hint="For example `zsync import 10.5281/zenodo.123` or `zsync import --owner me`.",
        )
    if wanted.query is not None and not wanted.query.strip():
        raise ConfigError(
            "--query is empty: it would import every public record on the server.",
            hint="Give a search, e.g. --query 'owners:123' or --query 'title:\"rose scent\"'.",
        )
    if wanted.owner not in (None, "me"):
        raise ConfigError(
            f"--owner {wanted.owner}: only `--owner me` (the owner of the token) is supported.",
            hint="To import another account's public records, search for them: --query 'owners:ID'.",
        )
    _check_template(wanted.path_template)
    root = project_root(options)
    project = load_manifests(options)
    settings = load_settings(options.server, project.config)
    if wanted.owner and not settings.token:
        settings.require_token()  # raises the usual "how to get a token" error
    backend, reader = _import_backend(settings)
    lock = _lock_of(root, settings, project)
    report(Kind.STATUS, f"Reading records from {settings.server}...")

    gatherer = Gatherer(backend, reader, note=lambda text: report(Kind.WARNING, f"Note: {text}"))
    for source in wanted.sources:
        gatherer.source(source)
    if wanted.owner:
        gatherer.owner_me()
    if wanted.communities or wanted.query is not None:
        gatherer.search(wanted.query or "", wanted.communities)
    found = gatherer.results()
    result = ImportResult(lock_path=lock.path.relative_to(root).as_posix())
    if not found:
        report(Kind.STATUS, "No published records found: nothing to import.")
        return result

    datasets_root = project.config.datasets_root or "datasets"
    keys = _keys_for(found, wanted.path_template)
    own: dict[str, dict[str, Any]] = {}
    for item in found:
        record = item.latest
        metadata, notes = importer.manifest_metadata(item.metadata, record_id=record.id)
        result.warnings += [f"{keys[item.concept_id]}: {note}" for note in notes]
        own[item.concept_id] = importer.with_empty_overrides(metadata, project.config.defaults)
        if item.pending_draft is not None:
            draft = item.pending_draft
            kind = "an edit of the latest version" if draft.id == record.id else "a new version"
            result.pending.append(
                f"{keys[item.concept_id]}: draft {draft.id} ({kind}) is pending on concept {item.concept_id}; "
                f"the manifest describes published record {record.id}, and `zsync plan` shows what "
                "happens to the draft"
            )

    defaults = dict(project.config.defaults)
    if wanted.extract_defaults:
        extracted = importer.shared_defaults(own.values())
        _check_defaults_can_change(project, root, extracted, replacing=set(keys.values()))
        defaults.update(extracted)
        own = {concept: importer.without_defaults(metadata, extracted) for concept, metadata in own.items()}
        if extracted:
            result.files[_config_display(project, root)] = _config_with_defaults(project, extracted)

    from zenodo_sync.manifest.defaults import merge

    for item in found:
        key = keys[item.concept_id]
        effective = merge(defaults, own[item.concept_id])
        result.warnings += importer.check_round_trip(
            effective, item.metadata, where=f"{key} (record {item.latest.id})"
        )
        concept_ref = item.latest.concept_doi or item.concept_id
        files: list[Any] = importer.files_of(item.latest)
        if wanted.with_files:
            files = importer.local_files_of(item.latest) or files
        path = f"{datasets_root}/{key}/zenodo.yaml"
        header = f"Imported from {item.latest.links.get('html') or 'record ' + str(item.latest.id)}"
        document = importer.document_for(concept_ref, own[item.concept_id], files)
        result.files[path] = _manifest_text(document, header)
        result.keys[item.concept_id] = key

    _refuse_overwrites(project, root, lock, result, force=wanted.force)
    result.warnings += _validation_warnings(root, project, result.files, files_elsewhere=wanted.with_files)
    if wanted.dry_run:
        if wanted.with_files:
            result.downloads = [
                f"{result.keys[item.concept_id]}: {plural(len(item.latest.files), 'file')} of record "
                f"{item.latest.id} would be downloaded"
                for item in found
            ]
        return result
    if wanted.with_files:
        result.downloads = _download_records(
            found, result.keys, root / datasets_root, backend, wanted, progress
        )
    _write_import(root, lock, found, result)
    return result


def _download_records(
    found: list[Any],
    keys: dict[str, str],
    folder: Path,
    backend: ZenodoDepositBackend,
    wanted: ImportOptions,
    progress: ProgressSink | None,
) -> list[str]:
    """Every record's files next to its manifest (verified; a re-run skips what is complete)."""
    from zenodo_sync.engine.download import download_files

    lines = []
    for item in found:
        key = keys[item.concept_id]
        outcome = download_files(
            backend, item.latest, folder / key, parallel=wanted.parallel, progress=progress, label=key
        )
        lines.append(f"{key}: {outcome.summary()}")
    return lines


def _write_import(root: Path, lock: LockFile, found: list[Any], result: ImportResult) -> None:
    """The manifests (and zsync.yaml), then one lock entry per imported concept."""
    from zenodo_sync.engine.normalise import canonical_digest
    from zenodo_sync.engine.state import LockEntry, write_state_file

    for path, text in result.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_state_file(target, text)  # atomic; a failure names the file
    for item in found:
        record = item.latest
        key = result.keys[item.concept_id]
        lock.entries[key] = LockEntry(
            concept_id=item.concept_id,
            concept_doi=record.concept_doi,
            record_id=record.id,
            doi=record.doi,
            version=record.metadata.get("version"),
            files={f.name: f.md5 for f in record.files},
            # The deposit API's form is the one refresh reads: only then is the digest comparable.
            metadata_digest=canonical_digest(record.metadata) if item.owned else None,
        )
        result.lock_keys.append(key)
    lock.save()


def _import_backend(settings: Settings) -> tuple[ZenodoDepositBackend, Any]:
    """A backend that works with or without a token (public records need none)."""
    from zenodo_sync.backends.deposit import RecordsReader, ZenodoDepositBackend
    from zenodo_sync.backends.ratelimit import RateLimiter

    limiter = RateLimiter(per_minute=settings.requests_per_minute)
    extra: dict[str, Any] = {"retries": settings.retries} if settings.retries is not None else {}
    backend = ZenodoDepositBackend(settings.server, settings.token, limiter=limiter, **extra)
    return backend, RecordsReader(backend, token=settings.token)


def _lock_of(root: Path, settings: Settings, project: Project) -> LockFile:
    """The lock `zsync plan` will read for this server (the same choice as plan_project's)."""
    from zenodo_sync.backends.instance import emulator_instance
    from zenodo_sync.engine.state import lock_for_server

    home = resolve_server(None, project.config, env={})
    instance = emulator_instance(settings.server) if settings.is_local else None
    lock, _note = lock_for_server(root, settings.server, home=home, instance=instance)
    return lock


TEMPLATE_FIELDS = ("slug", "concept", "id")


def _check_template(template: str) -> None:
    import string

    names = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None]
    unknown = [name for name in names if name not in TEMPLATE_FIELDS]
    if unknown or not names or "/" in template or "\\" in template or template.startswith("."):
        raise ConfigError(
            f"--path-template {template!r}: "
            + (f"unknown field {{{unknown[0]}}}" if unknown else "it must be one folder name with a field"),
            hint="Use {slug} (from the title), {concept} (the concept id) or {id} (the latest record id), "
            "e.g. --path-template 'zenodo-{concept}'.",
        )


def _keys_for(found: list[Any], template: str) -> dict[str, str]:
    """Dataset key (the folder under datasets/) per concept; two equal names get the concept id added."""
    from zenodo_sync.engine.importer import slug

    keys: dict[str, str] = {}
    taken: set[str] = set()
    for item in found:
        key = template.format(
            slug=slug(str(item.latest.metadata.get("title") or "record")),
            concept=item.concept_id,
            id=item.latest.id,
        )
        if key in taken:
            key = f"{key}-{item.concept_id}"
        taken.add(key)
        keys[item.concept_id] = key
    return keys


def _manifest_text(document: dict[str, Any], header: str) -> str:
    from zenodo_sync.manifest.writer import manifest_text

    return manifest_text(document, header=header)


def _config_display(project: Project, root: Path) -> str:
    if project.config.path is None:
        return "zsync.yaml"
    try:
        return project.config.path.relative_to(root).as_posix()
    except ValueError:
        return str(project.config.path)


def _config_with_defaults(project: Project, defaults: dict[str, Any]) -> str:
    """zsync.yaml with the extracted `defaults` added at its end (the rest kept as written)."""
    from zenodo_sync.manifest.writer import dump_yaml

    block = dump_yaml({"defaults": defaults})
    if project.config.path is None or not project.config.path.exists():
        return (
            "# Shared by every manifest: mappings merged, lists replaced (zsync import --extract-defaults).\n"
            + block
        )
    text = project.config.path.read_text(encoding="utf-8")
    return text + ("" if text.endswith("\n") or not text else "\n") + block


def _check_defaults_can_change(
    project: Project, root: Path, extracted: dict[str, Any], *, replacing: set[str]
) -> None:
    """--extract-defaults adds to zsync.yaml `defaults`; that must not change any other manifest."""
    if not extracted:
        return
    document = project.config.document
    if document is not None and isinstance(document.data, dict) and "defaults" in document.data:
        # The extracted defaults are appended as a `defaults:` block: a second one would be a
        # duplicate key, and rewriting the file would lose the user's comments.
        raise ConfigError(
            f"--extract-defaults: {_config_display(project, root)} already has a `defaults:` section; "
            "zsync will not rewrite it.",
            hint="Import without --extract-defaults, or remove the `defaults:` section first (and put "
            "its values into the manifests).",
        )
    clash = sorted(key for key in extracted if key in project.config.defaults)
    if clash:
        raise ConfigError(
            f"--extract-defaults: zsync.yaml already has defaults for {', '.join(clash)}; "
            "changing them would change other manifests.",
            hint="Import without --extract-defaults, or move those defaults into the manifests first.",
        )
    others = sorted(m.display for m in project.manifests if m.key not in replacing)
    if others:
        raise ConfigError(
            f"--extract-defaults: the project already has manifests ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}) that new defaults would change.",
            hint="Import without --extract-defaults into an existing project, or import into a new folder.",
        )


def _refuse_overwrites(
    project: Project, root: Path, lock: LockFile, result: ImportResult, *, force: bool
) -> None:
    """Never replace a manifest or a lock entry that exists unless --force; one error naming them."""
    if force:
        return
    config = _config_display(project, root)
    existing = [path for path in result.files if path != config and (root / path).exists()]
    keys_known = {m.key: m.display for m in project.manifests}
    clashes = [f"{path} exists" for path in existing]
    for concept, key in result.keys.items():
        if key in keys_known and f"{keys_known[key]} exists" not in clashes:
            clashes.append(f"{keys_known[key]} already has the key {key}")
        if lock.get(key) is not None:
            clashes.append(f"{result.lock_path} has an entry for {key}")
        for other, entry in lock.entries.items():
            if other != key and entry.concept_id == concept:
                clashes.append(f"{result.lock_path} already binds concept {concept} to {other}")
    if clashes:
        raise ConfigError(
            f"Not overwriting: {'; '.join(clashes[:5])}"
            + (f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else "")
            + "; nothing was written.",
            hint="Pass --force to replace them, --path-template to write elsewhere, or --dry-run to see what "
            "would be written.",
        )


def _validation_warnings(
    root: Path, project: Project, files: dict[str, str], *, files_elsewhere: bool = False
) -> list[str]:
    """What `zsync validate` would say about the new files, checked in a scratch copy of them.

    `files_elsewhere`: the manifests list local data files the scratch copy does not hold."""
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="zsync-import-"))
    try:
        config_name = _config_display(project, root)
        if config_name not in files and project.config.path is not None and project.config.path.exists():
            (scratch / "zsync.yaml").write_text(
                project.config.path.read_text(encoding="utf-8"), encoding="utf-8"
            )
        for path, text in files.items():
            target = scratch / ("zsync.yaml" if path == config_name else path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        checked = load_project(scratch, None, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [
        f"{finding.file}:{finding.line}:{finding.column}: {finding.message} (`zsync validate` will say so)"
        for finding in checked.findings
        if finding.is_error and not (files_elsewhere and finding.rule.startswith("file"))
    ]


# -- zsync download ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadOptions:
    """`zsync download RECORD [--version N] [--dest DIR] [--parallel N]`, parsed."""

    record: str  # a record id, a version or concept DOI, or a record link
    version: str | None = None  # None: the record named; "latest"; or "N" (1 = the first version)
    dest: Path | None = None  # None: a folder named after the record's id, in the working directory
    parallel: int = DEFAULT_PARALLELISM
    server: str | None = None


def download_record(
    options: DownloadOptions, report: Report = ignore, *, progress: ProgressSink | None = None
) -> DownloadReport:
    """Find the record (and version) the options name and download its files, verified.

    No token is needed for public files; with ZENODO_TOKEN set, the owner's restricted files
    come too. Raises ConfigError for a reference or version that names no record.
    """
    from zenodo_sync.engine.download import download_files
    from zenodo_sync.manifest.project import load_config
    from zenodo_sync.zenodo.recordref import RecordRefError, parse_record_ref

    try:
        ref = parse_record_ref(options.record)
    except RecordRefError as exc:
        raise ConfigError(f"RECORD: {exc}.", hint=_RECORD_FORMS) from None
    version = _version_number(options.version)
    config = load_config(find_project_root(Path.cwd()), None, [])
    settings = load_settings(options.server, config)
    if not ref.on_host(settings.server):
        raise ConfigError(
            f"{options.record} is a link to {ref.host}, but zsync talks to {settings.server} "
            f"(from {settings.server_source}); nothing was sent.",
            hint=f"Give the server the link is on, e.g. `--server https://{ref.host}/api` "
            "(or `--server zenodo` / `--server sandbox`).",
        )
    backend = _reading_backend(settings)
    record = backend.read_published(ref.record_id)
    if version is not None:
        versions = backend.published_versions(record.id)
        number = len(versions) if version == "latest" else int(version)
        if not 1 <= number <= len(versions):
            raise ConfigError(
                f"--version {options.version}: the concept of record {record.id} has "
                f"{plural(len(versions), 'published version')}.",
                hint="--version 1 is the first version, --version latest the newest.",
            )
        record = versions[number - 1]
        if not record.files:  # a search hit may list files in part; the record itself has them all
            record = backend.read_published(record.id)
    dest = options.dest if options.dest is not None else Path(str(record.id))
    named = f"record {record.id}" + (f" ({record.doi})" if record.doi else "")
    size = sum(f.size for f in record.files)
    report(
        Kind.STATUS,
        f"Downloading {named}: {plural(len(record.files), 'file')}, {human_size(size)}, into {dest}",
    )
    outcome = download_files(backend, record, dest, parallel=options.parallel, progress=progress)
    report(Kind.RESULT, f"Downloaded {outcome.summary()}")
    return outcome


_RECORD_FORMS = (
    "RECORD is a record id (1234567), a DOI (10.5281/zenodo.1234567, a version's or the concept's) "
    "or a record link (https://zenodo.org/records/1234567)."
)


def _version_number(text: str | None) -> int | str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value == "latest":
        return value
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise ConfigError(
        f"--version {text}: expected a version number (1 = the first) or `latest`.",
        hint="Versions are counted from 1 in the order they were published.",
    )


def _reading_backend(settings: Settings) -> ZenodoDepositBackend:
    """A backend for reading: the token if there is one (restricted files), none needed."""
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.backends.ratelimit import RateLimiter

    options: dict[str, Any] = {}
    if settings.retries is not None:
        options["retries"] = settings.retries
    limiter = RateLimiter(per_minute=settings.requests_per_minute)
    return ZenodoDepositBackend(settings.server, settings.token, limiter=limiter, **options)
