"""What every plan view says the same way: symbols, headers, the summary line, values, sizes.

Wording follows Terraform's plan output (../shared/reference/ux-conventions.md §1.1), whose
summary line CI tools parse with regular expressions: keep these strings stable.
"""

from __future__ import annotations

import json
from typing import Any

from zenodo_sync.model import Action, DatasetChange, Plan
from zenodo_sync.sizes import human_size  # noqa: F401 - the renderers' common.human_size

SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.NEW_VERSION: "-/+",
    Action.RESUME: ">",
    Action.FORGET: ".",
    Action.NO_OP: " ",
}
LEGEND = {
    Action.CREATE: "create",
    Action.UPDATE: "update in-place",
    Action.NEW_VERSION: "new version (new DOI, same concept)",
    Action.RESUME: "resume (finish a draft left open by an interrupted apply)",
    Action.FORGET: "forget (stop managing; the published record stays on Zenodo)",
}
# Create and new-version publish a new DOI, which cannot be undone (zenodo-api.md §3.9).
MINTING_ACTIONS = (Action.CREATE, Action.NEW_VERSION)
NO_CHANGES = "No changes. Zenodo matches the manifests."
DRIFT_TITLE = "Objects have changed outside of zsync"
COMPACT_VALUE_CHARS = 100


def shown_changes(plan: Plan) -> list[DatasetChange]:
    """The datasets a view details: everything but no-ops (as Terraform hides unchanged resources)."""
    return [change for change in plan.changes if change.action != Action.NO_OP]


def used_actions(plan: Plan) -> list[Action]:
    """Legend entries: only the symbols this plan uses, in a fixed order."""
    present = {change.action for change in shown_changes(plan)}
    return [action for action in LEGEND if action in present]


def header(change: DatasetChange) -> str:
    """The one-line description of a dataset's action, e.g. "rose will be created"."""
    key = change.key
    if change.action == Action.CREATE:
        text = f"{key} will be created"
    elif change.action == Action.UPDATE:
        text = f"{key} will be updated in-place" + (f" (same DOI {change.doi})" if change.doi else "")
    elif change.action == Action.NEW_VERSION:
        concept = change.concept_doi or change.concept_id
        text = f"{key} will get a new version" + (f" (new DOI under concept {concept})" if concept else "")
    elif change.action == Action.RESUME:
        draft = change.draft_id or change.record_id
        text = f"{key} will be resumed" + (f" (open draft {draft} from an interrupted apply)" if draft else "")
    elif change.action == Action.FORGET:
        record = f"record {change.record_id}" if change.record_id else "its records"
        text = f"{key} will be forgotten ({record} stays on Zenodo; zsync stops managing it)"
    else:
        text = f"{key} is unchanged"
    return text


def notes(change: DatasetChange) -> list[str]:
    """Extra comment lines under a header: why, and whether it stops at a draft."""
    lines = []
    if change.reason:
        lines.append(f"({change.reason})")
    if not change.publish and change.action not in (Action.FORGET, Action.NO_OP):
        lines.append("(stops at a draft for review: publish: false; nothing is published)")
    return lines


def summary_line(plan: Plan) -> str:
    """`Plan: N to create, N to update, N new versions, N unchanged.` (+ resume/forget when non-zero)."""
    if not plan.has_changes:
        return NO_CHANGES
    counts = plan.summary()
    line = (f"Plan: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['new-version']} new versions, {counts['no-op']} unchanged")
    if counts["resume"]:
        line += f", {counts['resume']} to resume"
    if counts["forget"]:
        line += f", {counts['forget']} to forget"
    return line + "."


def minting(plan: Plan) -> list[DatasetChange]:
    """Datasets whose apply publishes a new DOI (irreversible)."""
    return [change for change in plan.changes if change.action in MINTING_ACTIONS and change.publish]


def drifted(plan: Plan) -> list[DatasetChange]:
    return [change for change in plan.changes if change.drift]


def format_value(value: Any) -> str:
    """A value on one line: JSON, so strings are quoted and nothing is ambiguous."""
    return json.dumps(value, ensure_ascii=False)


def format_value_lines(value: Any) -> list[str]:
    """A value as lines: short values on one line; long lists and dicts one entry a line."""
    compact = format_value(value)
    if len(compact) <= COMPACT_VALUE_CHARS or not isinstance(value, (list, dict)) or not value:
        return [compact]
    if isinstance(value, list):
        return ["["] + [f"    {format_value(item)}," for item in value] + ["]"]
    return ["{"] + [f"    {format_value(key)}: {format_value(item)}," for key, item in value.items()] + ["}"]


def short_md5(md5: str | None) -> str:
    return md5[:8] if md5 else "?"
