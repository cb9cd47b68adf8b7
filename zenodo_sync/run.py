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
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenodo_sync.errors import ApplyInterrupted, ConfigError, ManifestError, StalePlanError
from zenodo_sync.manifest import Finding, Project, find_project_root, load_project
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

DEFAULT_PARALLELISM = 4  # datasets applied, or files hashed, at once


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
    """The backend for resolved Settings (token required), with its shared rate limiter.

    `options` go to ZenodoDepositBackend (user_agent, retries, timeout, ...).
    """
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.backends.ratelimit import RateLimiter

    limiter = RateLimiter(per_minute=settings.requests_per_minute)
    if settings.retries is not None:
        options.setdefault("retries", settings.retries)
    return ZenodoDepositBackend(settings.server, settings.require_token(), limiter=limiter, **options)


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
    from zenodo_sync.engine.files import default_cache_path
    from zenodo_sync.engine.plan import make_plan
    from zenodo_sync.engine.refresh import refresh
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
    datasets = _targeted(list(project.datasets), options.targets)
    desired = _hashed(datasets, default_cache_path(root), options.parallelism, progress)

    settings = load_settings(options.server, project.config)
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
    targeted = bool(options.targets or options.paths)
    plan = make_plan(desired.values(), actuals, lock.entries, server=settings.server, targeted=targeted)
    return PlannedRun(
        root=root,
        settings=settings,
        backend=backend,
        lock=lock,
        desired=desired,
        plan=plan,
        namespace=namespace,
    )


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
    settings = load_settings(options.server, project.config)
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
