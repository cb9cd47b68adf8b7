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
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.backends.base import Backend
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.engine.apply import ApplyReport
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
    from zenodo_sync.backends.instance import emulator_instance
    from zenodo_sync.engine.files import default_cache_path
    from zenodo_sync.engine.plan import make_plan
    from zenodo_sync.engine.refresh import refresh
    from zenodo_sync.engine.state import LOCK_NAME, lock_for_server

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
    home = resolve_server(None, project.config, env={})  # zsync.yaml's server: zsync.lock is its
    instance = emulator_instance(settings.server) if settings.is_local else None
    lock, note = lock_for_server(root, settings.server, home=home, instance=instance)
    if note:
        report(Kind.STATUS, note)
    replayed = lock.replay_note(root)
    if replayed:
        report(Kind.WARNING, replayed)
    report(Kind.STATUS, f"Refreshing state from {settings.server} ({plural(len(desired), 'dataset')})...")
    namespace = project.config.namespace
    actuals = refresh(
        backend, list(desired), lock, namespace=namespace, on_wait=lambda text: report(Kind.STATUS, text)
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
    elif actual.found_by == FoundBy.MARKER:
        report(
            Kind.STATUS,
            f"{actual.key}: found concept {actual.concept_id} on the server by its zsync marker "
            f"({found_by_words(actual.found_by)}); it is adopted, not created again",
        )


def _without_key_prefix(key: str, message: str) -> str:
    """`key: message`, once: engine messages often start with the key already."""
    return message if message.startswith(f"{key}: ") else f"{key}: {message}"
