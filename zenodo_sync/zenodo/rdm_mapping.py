"""The one mapping between zsync's deposit-style metadata and InvenioRDM's native records.

zsync works in the deposit API's metadata (what a manifest expands to). Zenodo stores it as
an InvenioRDM record (docs/zenodo-behaviour.md §1, §3.10), and the same two translations
serve the emulator's deposit API and the InvenioRDM backend:

- `to_rdm`: deposit metadata -> the body of a native draft (`deposit_to_rdm`, the legacy
  deserializer's rules), with the communities split off: the native API asks for those with
  inclusion requests, not in the draft (§7.8);
- `from_rdm`: a native record (`application/vnd.inveniordm.v1+json`) -> deposit metadata as
  the deposit API would read the same record back (`rdm_to_deposit`, §3.10 readback column).

A record written through one API therefore reads the same through the other, and the plan
zsync makes from either is the same.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from zenodo_sync.zenodo.deposit_to_rdm import LegacyInputError, deposit_input_to_stored
from zenodo_sync.zenodo.rdm_to_deposit import stored_to_deposit_metadata

__all__ = ["BACKENDS", "LegacyInputError", "RdmDraft", "from_rdm", "no_rdm_equivalent", "to_rdm"]

# The APIs zsync can speak to a server (zsync.yaml `backend`, --backend): Zenodo's deposit API,
# or the native InvenioRDM API of zenodo.org and of any other InvenioRDM instance.
BACKENDS = ("deposit", "rdm")

# Deposit fields Zenodo keeps in its own custom fields, which a plain InvenioRDM instance does
# not define (zenodo-rdm's `legacy:*` namespace): field -> why it cannot be sent.
NO_RDM_EQUIVALENT = {
    "subjects": "Zenodo keeps legacy subjects in its own `legacy:subjects` custom field, which "
    "InvenioRDM's native metadata does not have; use `keywords`, or `backend: deposit`",
}
# Custom fields of zenodo-rdm's own namespace, never sent through the native API.
_ZENODO_ONLY_CUSTOM_FIELDS = ("legacy:communities", "legacy:subjects")


@dataclass
class RdmDraft:
    """What the native API takes for one draft: the PUT/POST body, and the communities to
    ask for with inclusion requests once the record is published."""

    body: dict[str, Any]
    communities: list[str] = field(default_factory=list)


def no_rdm_equivalent(metadata: dict[str, Any]) -> dict[str, str]:
    """The fields of `metadata` the native API cannot carry, each with the reason."""
    return {key: why for key, why in NO_RDM_EQUIVALENT.items() if metadata.get(key)}


def to_rdm(metadata: dict[str, Any], *, today: str, previous: dict[str, Any] | None = None) -> RdmDraft:
    """The native draft for deposit `metadata`; `previous` is the draft as read (its `pids`
    are kept when `metadata` names no DOI, as the deposit API keeps them, §3.6).

    Raises LegacyInputError for input the deposit API would refuse with 400.
    """
    previous_stored = {"pids": (previous or {}).get("pids") or {}}
    stored = deposit_input_to_stored(metadata, today=today, previous=previous_stored)
    custom_fields = dict(stored.get("custom_fields") or {})
    communities = list(custom_fields.get("legacy:communities") or [])
    for name in _ZENODO_ONLY_CUSTOM_FIELDS:
        custom_fields.pop(name, None)
    body = {
        "metadata": stored["metadata"],
        "custom_fields": custom_fields,
        "access": stored["access"],
        "pids": stored["pids"],
        "files": {"enabled": True},
    }
    return RdmDraft(body=body, communities=communities)


def community_slugs(record: dict[str, Any]) -> list[str]:
    """The communities a native record's parent is in, by slug where the answer names them
    (expanded entries), else by id (the emulator's ids are slugs)."""
    communities = (record.get("parent") or {}).get("communities") or {}
    entries = [e for e in communities.get("entries") or [] if isinstance(e, dict) and e.get("slug")]
    if entries:
        return [str(e["slug"]) for e in entries]
    return [str(i) for i in communities.get("ids") or []]


def from_rdm(record: dict[str, Any]) -> dict[str, Any]:
    """Deposit-style metadata of a native record, as the deposit API reads it back.

    A draft never published shows its reserved DOI as `prereserve_doi` (§3.2), not as `doi`,
    as the deposit API does; an external DOI is the record's own and stays `doi`.
    """
    pids = copy.deepcopy(record.get("pids") or {})
    pids.pop("oai", None)
    reserved = None
    doi = pids.get("doi") or {}
    if not record.get("is_published") and doi.get("identifier") and doi.get("provider") != "external":
        reserved = {"doi": doi["identifier"], "recid": _int_or_str(record.get("id"))}
        pids.pop("doi")
    stored = {
        "metadata": record.get("metadata") or {},
        "custom_fields": record.get("custom_fields") or {},
        "access": record.get("access") or {},
        "pids": pids,
        "parent_communities": community_slugs(record),
    }
    metadata = stored_to_deposit_metadata(stored, record_id=_int_or_str(record.get("id")), doi_prefix=None)
    if reserved is not None:
        metadata["prereserve_doi"] = reserved
    return metadata


def _int_or_str(value: Any) -> Any:
    text = str(value or "")
    return int(text) if text.isdigit() else text
