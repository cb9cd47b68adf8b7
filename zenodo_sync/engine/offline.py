"""A plan from git alone: the manifests at a base commit stand in for the server.

Pull requests from forks get no secrets, so their review cannot ask Zenodo. What it can
show is what the pull request changes: each dataset's effective metadata and file md5s at
the merge base against the head, through the same planner, so it reads like a plan. The
lock says which records those are; a dataset the lock does not name was never published
and is planned as a create.

It is a review aid, not a promise: a record edited on Zenodo since the last apply is not
seen, and the plan made on merge (with the token) is the one apply carries out.
"""

from __future__ import annotations

from typing import Any

from zenodo_sync.engine.diff import diff_metadata
from zenodo_sync.engine.normalise import canonical_desired
from zenodo_sync.engine.plan import make_plan
from zenodo_sync.engine.state import LockEntry
from zenodo_sync.model import (
    Action,
    ActualDataset,
    DesiredDataset,
    FieldChange,
    FoundBy,
    Plan,
    RemoteFile,
    RemoteRecord,
)


def offline_plan(
    base: dict[str, DesiredDataset],
    head: dict[str, DesiredDataset],
    lock_entries: dict[str, LockEntry],
    *,
    label: str,
) -> Plan:
    """Head against base, both hashed; `label` stands where a plan names its server."""
    actuals = {
        key: _as_published(dataset, lock_entries[key])
        for key, dataset in base.items()
        if key in lock_entries and key in head
    }
    # A manifest removed in the pull request forgets its record, if the lock names one.
    removed = {key: lock_entries[key] for key in base.keys() - head.keys() if key in lock_entries}
    plan = make_plan(head.values(), actuals, removed, server=label, differ=_between_manifests)
    for change in plan.changes:
        change.drift = False  # unknowable without the server
        if change.action == Action.RECORD_LOCK:
            change.action = Action.NO_OP  # only the server could tell the lock is behind
        elif change.action == Action.CREATE:
            change.reason = "zsync.lock names no record for this key"
    return plan


def _between_manifests(desired: dict[str, Any], before: dict[str, Any] | None) -> list[FieldChange]:
    """Both sides are manifests, so both are brought to the form zsync sends."""
    return list(
        diff_metadata(canonical_desired(before) if before is not None else {}, canonical_desired(desired))
    )


def _as_published(dataset: DesiredDataset, entry: LockEntry) -> ActualDataset:
    """The base manifest as the record the lock names: what the last apply published."""
    record = RemoteRecord(
        id=entry.record_id or 0,
        concept_id=entry.concept_id,
        state="done",
        submitted=True,
        metadata=dataset.metadata,
        files=[RemoteFile(id="", name=f.name, size=f.size, md5=str(f.md5)) for f in dataset.files],
        doi=entry.doi,
        concept_doi=entry.concept_doi,
    )
    return ActualDataset(key=dataset.key, concept_id=entry.concept_id, latest=record, found_by=FoundBy.LOCK)
