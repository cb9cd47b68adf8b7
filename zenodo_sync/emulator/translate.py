"""Zenodo's translation layer: legacy deposit JSON <-> the RDM record it is stored as.

Zenodo's deposit API is a lossy translation over InvenioRDM (docs/zenodo-behaviour.md §1, §3.10-3.12):
what a client sends is stored as RDM JSON and read back through reverse mappings. The emulator
stores the "stored" dicts built here as opaque JSON and serves every view from them, so zsync's
differ meets exactly the rewriting the real server does.

The stored dict: `{"metadata": {...RDM...}, "custom_fields": {...}, "access": {...},
"pids": {...}}`, plus, once published, `"parent_communities": [slug, ...]` (see `published`).

Lifecycle helpers for the emulator core (each returns a new dict, never mutates its input):
- `published(stored, accepted_communities=...)` at publish (§3.9 communities);
- `new_version_draft(stored, today=...)` for actions/newversion (§3.9, §8);
- `lift_embargo(stored, today=...)` when an embargo date has passed (§3.10 access_right).
"""

from __future__ import annotations

import copy

from zenodo_sync.zenodo.dates import embargo_has_ended
from zenodo_sync.zenodo.deposit_to_rdm import LegacyInputError, deposit_input_to_stored, detect_identifier
from zenodo_sync.zenodo.rdm_to_deposit import (
    stored_to_deposit_metadata,
    stored_to_rdm_metadata,
    stored_to_zenodo_record_metadata,
)

from .translate_publish import publish_errors

__all__ = [
    "LegacyInputError",
    "deposit_input_to_stored",
    "detect_identifier",
    "lift_embargo",
    "new_version_draft",
    "publish_errors",
    "published",
    "requested_communities",
    "stored_to_deposit_metadata",
    "stored_to_rdm_metadata",
    "stored_to_zenodo_record_metadata",
]


def requested_communities(stored: dict) -> list[str]:
    """Community slugs a legacy client asked for (`communities[].identifier`) on this draft."""
    return list((stored.get("custom_fields") or {}).get("legacy:communities") or [])


def published(stored: dict, *, accepted_communities: list[str] | None = None) -> dict:
    """The record as stored after a successful publish.

    Zenodo turns the requested communities into inclusion requests and drops the draft-only
    list; failures are silently ignored, so afterwards only the communities the record is
    actually in are read back (§3.10 communities). The caller decides which were accepted.
    """
    record = copy.deepcopy(stored)
    (record.get("custom_fields") or {}).pop("legacy:communities", None)
    previous = list(record.get("parent_communities") or [])
    for slug in accepted_communities or []:
        if slug not in previous:
            previous.append(slug)
    record["parent_communities"] = previous
    return record


def new_version_draft(stored: dict, *, today: str) -> dict:
    """A new-version draft of the latest version: metadata copied minus `version`,
    `publication_date` set to today (since mid-2026), DOI cleared (§3.9 newversion, §8)."""
    draft = copy.deepcopy(stored)
    metadata = draft.setdefault("metadata", {})
    metadata.pop("version", None)
    metadata["publication_date"] = today
    draft["pids"] = {}
    return draft


def lift_embargo(stored: dict, *, today: str) -> dict:
    """Zenodo's embargo lift: once `until` has passed, files become public and the deposit
    API reads `access_right: open` (the `embargo_date` stays)."""
    record = copy.deepcopy(stored)
    access = record.get("access") or {}
    embargo = access.get("embargo") or {}
    if embargo.get("active") and embargo.get("until") and embargo_has_ended(embargo["until"], today):
        embargo["active"] = False
        access["files"] = "public"
    return record
