"""What every plan view says the same way: symbols, headers, the summary line, values.

Wording follows Terraform's plan output, whose summary line CI tools parse with regular
expressions: keep these strings stable.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from zenodo_sync.model import Action, DatasetChange, FoundBy, Plan
from zenodo_sync.wording import plural

SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.NEW_VERSION: "-/+",
    Action.RESUME_CREATE: ">",
    Action.RESUME_UPDATE: ">",
    Action.RESUME_NEW_VERSION: ">",
    Action.DISCARD_DRAFT: ">",
    Action.DISCARD_DRAFT_THEN_UPDATE: ">",
    Action.FORGET: ".",
    Action.RECORD_LOCK: " ",
    Action.NO_OP: " ",
}
LEGEND = {
    Action.CREATE: "create",
    Action.UPDATE: "update in-place",
    Action.NEW_VERSION: "new version (new DOI, same concept)",
    Action.RESUME_CREATE: "resume create (finish and publish the draft of a record never published)",
    Action.RESUME_UPDATE: "resume update (publish an open edit draft: same DOI)",
    Action.RESUME_NEW_VERSION: "resume new version (finish and publish an open new-version draft: new DOI)",
    Action.DISCARD_DRAFT: "resume by discarding a needless draft (the published version already matches)",
    Action.DISCARD_DRAFT_THEN_UPDATE: (
        "resume by discarding a needless draft, then update in-place (same DOI)"
    ),
    Action.FORGET: "forget (stop managing; the published record stays on Zenodo)",
}
ZENODO = "Zenodo"
# The servers the plan calls "Zenodo": zenodo.org, its sandbox, and the emulator (loopback).
ZENODO_HOSTS = ("zenodo.org", "www.zenodo.org", "sandbox.zenodo.org")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# A resume of the draft `publish: false` left for review, once the manifest says publish.
FOR_REVIEW_LEGEND = {
    Action.RESUME_CREATE: "publish a draft left for review (publish: false): mints its DOI",
    Action.RESUME_UPDATE: "publish an edit draft left for review (publish: false): same DOI",
    Action.RESUME_NEW_VERSION: "publish a new-version draft left for review (publish: false): mints its DOI",
}
# Publishing a new record or version mints a DOI, which cannot be undone (§3.9).
MINTING_ACTIONS = (Action.CREATE, Action.NEW_VERSION, Action.RESUME_CREATE, Action.RESUME_NEW_VERSION)
# Taking over a record found by its zsync marker alone (no zsync.lock entry, no namespace):
# it may be another repository's record, so it is a change of its own that needs consent.
ADOPT_SYMBOL = "<-"
ADOPT_LEGEND = "adopt: take over a record found by its zsync marker alone (apply needs --adopt KEY)"
NO_CHANGES = "No changes. Zenodo matches the manifests."
DRIFT_TITLE = "Objects have changed outside of zsync"
COMPACT_VALUE_CHARS = 100
FOUND_BY_WORDS = {
    FoundBy.LOCK: "zsync.lock",
    FoundBy.MARKER: "server search",
    FoundBy.MARKER_ONLY: "its zsync marker alone: no zsync.lock entry and no namespace",
    FoundBy.CONCEPT: "the manifest's `concept:`",
    FoundBy.NONE: "none",
}


def found_by_words(found_by: FoundBy) -> str:
    """How a record was found, as plans and the CLI say it."""
    return FOUND_BY_WORDS[found_by]


def shown_changes(plan: Plan) -> list[DatasetChange]:
    """The datasets a view details: those that change on the server or are adopted (as
    Terraform hides unchanged resources); a record-lock changes only zsync.lock (see lock_only)."""
    return [change for change in plan.changes if change.action.family != "no-op" or change.adopt is not None]


def lock_only(plan: Plan) -> list[DatasetChange]:
    """record-lock changes: nothing on the server changes, zsync.lock learns the record."""
    return [change for change in plan.changes if change.action == Action.RECORD_LOCK and change.adopt is None]


def adopts_only(change: DatasetChange) -> bool:
    """An adoption and nothing else: the server already matches the manifest."""
    return change.adopt is not None and change.action.family == "no-op"


def server_name(plan: Plan) -> str:
    """What the plan calls its server: "Zenodo", or the host of another InvenioRDM instance
    (`backend: rdm` speaks to any), so that no message says Zenodo where it is not."""
    host = urlsplit(plan.server).hostname if plan.server else None
    if not host or host in ZENODO_HOSTS or host in LOOPBACK_HOSTS:
        return ZENODO
    return host


def on_server(text: str, plan: Plan) -> str:
    """`text`, written for Zenodo, with the plan's own server named instead."""
    name = server_name(plan)
    return text if name == ZENODO else text.replace(ZENODO, name)


def symbol(change: DatasetChange) -> str:
    """The dataset's symbol: its action's, or the adoption's when it is only adopted."""
    return ADOPT_SYMBOL if adopts_only(change) else SYMBOLS[change.action]


def consent_line(plan: Plan) -> str | None:
    """What apply needs before it adopts, or None when nothing is adopted."""
    keys = [change.key for change in plan.adoptions()]
    if not keys:
        return None
    flags = " ".join(f"--adopt {key}" for key in keys)
    return (
        f"Adopting needs your consent: `zsync apply {flags}` (or yes at apply's prompt). "
        f"{'This record' if len(keys) == 1 else 'These records'} may belong to another repository "
        "that uses this Zenodo account with the same key; a `namespace:` in zsync.yaml keeps "
        "repositories apart."
    )


def lock_only_line(plan: Plan) -> str | None:
    """One line naming the datasets whose zsync.lock entry apply writes, or None."""
    keys = [change.key for change in lock_only(plan)]
    if not keys:
        return None
    return on_server(
        f"zsync.lock will record what the server holds for: {', '.join(keys)} (nothing changes on Zenodo)",
        plan,
    )


def used_actions(plan: Plan) -> list[Action]:
    """Legend entries: only the symbols this plan uses, in a fixed order."""
    present = {change.action for change in shown_changes(plan)}
    return [action for action in LEGEND if action in present]


def legend(plan: Plan) -> list[tuple[str, str]]:
    """(symbol, meaning) for each kind of change this plan shows, in a fixed order."""
    shown = shown_changes(plan)
    entries = []
    for action in used_actions(plan):
        of_action = [change for change in shown if change.action == action]
        if any(not _publishes_reviewed_draft(change) for change in of_action):
            entries.append((SYMBOLS[action], on_server(LEGEND[action], plan)))
        if any(_publishes_reviewed_draft(change) for change in of_action):
            entries.append((SYMBOLS[action], FOR_REVIEW_LEGEND[action]))
    if plan.adoptions():
        entries.append((ADOPT_SYMBOL, ADOPT_LEGEND))
    return entries


def _publishes_reviewed_draft(change: DatasetChange) -> bool:
    return change.draft_for_review and change.publish and change.action in FOR_REVIEW_LEGEND


def header(change: DatasetChange, where: str = ZENODO) -> str:
    """The one-line description of a dataset's action, e.g. "rose will be created"; `where`
    names the server (server_name)."""
    text = _action_header(change)
    if where != ZENODO:
        text = text.replace(ZENODO, where)
    if change.adopt is None:
        return text
    concept = f"concept {change.adopt.concept_id}" if change.adopt.concept_id else "its record"
    if adopts_only(change):
        return (
            f"{change.key} will be adopted: {concept}, found by its zsync marker alone, is taken over "
            f"(nothing changes on {where}; zsync.lock will record it)"
        )
    return f"{change.key} adopts {concept}, then{text[len(change.key) :]}"


def _action_header(change: DatasetChange) -> str:
    key = change.key
    if change.action == Action.CREATE:
        text = f"{key} will be created"
    elif change.action == Action.UPDATE:
        text = f"{key} will be updated in-place" + (f" (same DOI {change.doi})" if change.doi else "")
    elif change.action == Action.NEW_VERSION:
        concept = change.concept_doi or change.concept_id
        text = f"{key} will get a new version" + (f" (new DOI under concept {concept})" if concept else "")
    elif change.draft_for_review and change.action in FOR_REVIEW_LEGEND:
        text = _reviewed_draft_header(change)
    elif change.action == Action.RESUME_CREATE:
        text = f"{key} will be resumed: its never-published draft {change.draft_id} is finished"
    elif change.action == Action.RESUME_UPDATE:
        text = (
            f"{key} will be resumed: the open edit draft of record {change.draft_id} is finished (same DOI)"
        )
    elif change.action == Action.RESUME_NEW_VERSION:
        concept = change.concept_doi or change.concept_id
        text = f"{key} will be resumed: new-version draft {change.draft_id} is finished" + (
            f" (new DOI under concept {concept})" if concept else ""
        )
    elif change.action == Action.DISCARD_DRAFT:
        text = (
            f"{key} will be resumed: draft {change.draft_id} is discarded (record {change.record_id} matches)"
        )
    elif change.action == Action.DISCARD_DRAFT_THEN_UPDATE:
        text = (
            f"{key} will be resumed: draft {change.draft_id} is discarded, then record "
            f"{change.record_id} is updated in-place" + (f" (same DOI {change.doi})" if change.doi else "")
        )
    elif change.action == Action.RECORD_LOCK:
        record = change.record_id or change.draft_id
        text = f"{key} is unchanged on Zenodo; zsync.lock will record record {record}"
    elif change.action == Action.FORGET:
        stays = f"record {change.record_id} stays" if change.record_id else "its records stay"
        text = f"{key} will be forgotten ({stays} on Zenodo; zsync stops managing it)"
    else:
        text = f"{key} is unchanged"
    return text


def _reviewed_draft_header(change: DatasetChange) -> str:
    """The draft `publish: false` left for review: published now, or updated and kept a draft."""
    key, draft = change.key, change.draft_id
    concept = change.concept_doi or change.concept_id
    if change.action == Action.RESUME_UPDATE:
        which = f"the edit draft of record {draft}"
        outcome = "same DOI" + (f" {change.doi}" if change.doi else "")
    elif change.action == Action.RESUME_NEW_VERSION:
        which = f"new-version draft {draft}"
        outcome = "mints a new DOI" + (f" under concept {concept}" if concept else "")
    else:
        which, outcome = f"draft {draft}", "mints its DOI and concept DOI"
    if not change.publish:
        return f"{key}: {which}, left for review, will be updated (it stays a draft: publish: false)"
    return f"{key}: {which}, left for review, will be published ({outcome})"


def notes(change: DatasetChange) -> list[str]:
    """Extra comment lines under a header: why, and whether it stops at a draft."""
    lines = []
    if change.reason:
        lines.append(f"({change.reason})")
    if not change.publish and change.action not in (Action.FORGET, Action.NO_OP, Action.RECORD_LOCK):
        lines.append("(stops at a draft for review: publish: false; nothing is published)")
    return lines


def warnings(plan: Plan) -> list[str]:
    """Every change's warnings, each naming its dataset: shown even for unchanged datasets."""
    return [f"{change.key}: {warning}" for change in plan.changes for warning in change.warnings]


def summary_line(plan: Plan) -> str:
    """`Plan: N to create, N to update, N new versions, N unchanged.` (+ resume/forget/adopt when
    non-zero). An adopted dataset is counted under its action too (unchanged, when it is only adopted)."""
    if not plan.has_changes:
        return NO_CHANGES
    counts = plan.summary()
    line = (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{plural(counts['new-version'], 'new version')}, {counts['no-op']} unchanged"
    )
    reviewed = sum(1 for change in plan.changes if _publishes_reviewed_draft(change))
    for count, what in (
        (counts["resume"] - reviewed, "to resume"),
        (counts["forget"], "to forget"),
        (len(plan.adoptions()), "to adopt"),
    ):
        if count:
            line += f", {count} {what}"
    if reviewed:
        line += f", {plural(reviewed, 'reviewed draft')} to publish"
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
