"""`zsync apply`: a plan carried out, its outcome reported, a failure or a stop raised."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenodo_sync.errors import ApplyInterrupted
from zenodo_sync.run.options import Kind, Report, RunOptions, ignore
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.engine.apply import ApplyReport
    from zenodo_sync.engine.progress import ProgressSink
    from zenodo_sync.model import Plan
    from zenodo_sync.run.planning import PlannedRun


def needs_adoption(plan: Plan) -> set[str]:
    """Keys whose change takes over a record found by its marker alone: each needs the user's consent."""
    from zenodo_sync.engine.apply import adoption_of

    return {change.key for change in plan.changes if adoption_of(change)}


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


def _without_key_prefix(key: str, message: str) -> str:
    """`key: message`, once: engine messages often start with the key already."""
    return message if message.startswith(f"{key}: ") else f"{key}: {message}"
