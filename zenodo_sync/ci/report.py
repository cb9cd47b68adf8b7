"""What a plan or an apply leaves on GitHub: the comment body, the job summary, the outputs.

The comment and the summary are the markdown view of the plan (render/markdown.py) with a
first line that finds the comment again, the datasets the pull request touched first, and
a note when the plan was made from git alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path

from zenodo_sync.ci.comment import marker_for
from zenodo_sync.ci.environment import GitHub
from zenodo_sync.ci.outputs import SUMMARY_LIMIT, add_summary, set_outputs
from zenodo_sync.model import DatasetChange, Plan
from zenodo_sync.render import render
from zenodo_sync.render.markdown import DEFAULT_MAX_CHARS

COMMENT_HINT = (
    "The full plan is in this workflow run's job summary (and its plan JSON), or run `zsync plan` locally."
)


def touched_first(plan: Plan, touched: Collection[str]) -> Plan:
    """The same plan with the datasets the pull request touched first, each group by key."""
    if not touched:
        return plan
    ordered = sorted(plan.changes, key=lambda change: (change.key not in touched, change.key))
    return dataclasses.replace(plan, changes=ordered)


def plan_markdown(
    plan: Plan,
    *,
    folder: str,
    touched: Collection[str] = (),
    offline_base: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """The plan as the comment (or, with a larger `max_chars`, the job summary) shows it."""
    lines = [marker_for(folder)]
    if folder not in ("", "."):
        lines.append(f"Project: `{folder}`")
    if offline_base:
        lines += [
            "> [!NOTE]",
            f"> Made **offline**, from git alone: the manifests at `{offline_base[:12]}` (the merge base) "
            "against this pull request, with zsync.lock naming the records. Zenodo was not asked "
            "(pull requests from forks get no token), so a record edited on Zenodo since the last "
            "apply is not seen; the plan made on merge is the one applied.",
        ]
    if touched:
        names = ", ".join(f"`{key}`" for key in sorted(touched)[:20])
        more = f" and {len(touched) - 20} more" if len(touched) > 20 else ""
        lines.append(f"Datasets this pull request touches: {names}{more}.")
    head = "\n".join(lines) + "\n\n"
    body = render(
        touched_first(plan, touched), "markdown", max_chars=max_chars - len(head), full_plan_hint=COMMENT_HINT
    )
    return head + body


def summary_markdown(
    plan: Plan, *, folder: str, touched: Collection[str] = (), offline_base: str | None = None
) -> str:
    """The plan for the job summary: the comment's view, with room for all of it (1 MiB a step)."""
    return plan_markdown(
        plan, folder=folder, touched=touched, offline_base=offline_base, max_chars=SUMMARY_LIMIT // 2
    )


def report_plan(github: GitHub, plan: Plan, json_path: Path, summary: str) -> None:
    """Job summary and outputs of a plan step: has-changes and where the plan JSON is."""
    if not github.active:
        return
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(render(plan, "json"), encoding="utf-8")
    add_summary(github, summary)
    set_outputs(github, {"has-changes": _flag(plan.has_changes), "plan-json": str(json_path)})


def minted(
    changes: list[DatasetChange], records: dict[str, tuple[str | None, str | None]]
) -> tuple[list[str], list[str]]:
    """The DOIs an apply published (new records and versions) and their concept DOIs."""
    dois, concepts = [], []
    for change in changes:
        doi, concept = records.get(change.key, (None, None))
        if doi and change.action.family in ("create", "new-version", "resume") and change.publish:
            dois.append(doi)
            if concept and concept not in concepts:
                concepts.append(concept)
    return dois, concepts


def report_apply(github: GitHub, plan: Plan, records: dict[str, tuple[str | None, str | None]]) -> None:
    """Job summary and outputs of an apply step: has-changes, dois, concept-dois (space-separated)."""
    if not github.active:
        return
    dois, concepts = minted(plan.changes, records)
    lines = ["### zsync apply", ""]
    shown = [change for change in plan.changes if change.action.family != "no-op"]
    if not shown:
        lines.append("Nothing to do: Zenodo matched the manifests.")
    for change in shown:
        doi, concept = records.get(change.key, (None, None))
        what = f"`{change.key}`: {change.action.value}"
        if doi:
            what += f", DOI [{doi}](https://doi.org/{doi})"
        if concept:
            what += f" (concept DOI [{concept}](https://doi.org/{concept}))"
        lines.append(f"- {what}")
    add_summary(github, "\n".join(lines) + "\n")
    set_outputs(
        github,
        {
            "has-changes": _flag(plan.has_changes),
            "dois": " ".join(dois),
            "concept-dois": " ".join(concepts),
        },
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"
