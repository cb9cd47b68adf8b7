"""What a search index snapshot holds besides the record itself (docs/zenodo-behaviour.md §6.6).

A snapshot is taken per record id at each write (service.reindex); this module derives, once
and at that moment, what searches filter, sort and count on: one *entry* per draft and per
published record of the snapshot, with its sort keys, its searchable fields (the names
search.FIELD_ALIASES maps a query onto) and its facet terms. Searches then read these columns
and decode whole records only for the page they return (store.Tx.search_rows).

An active embargo is the exception: its lift depends on the day of the search, not of the
write (service.lift_expired_embargo), so an entry records the embargo's end and a search
derives an entry whose embargo has ended afresh from the snapshot (records.entry_values).
"""

from __future__ import annotations

import json

from zenodo_sync.emulator import facets, translate
from zenodo_sync.emulator.views import deposition_state, stored_doi

PUBLISHED = 1  # entry kind of a published record
DRAFT = 0  # entry kind of a draft (a first draft, an edit or a new version's draft)

# The deposit metadata the fields are read from carries a reserved DOI built from the server's
# prefix; no searchable field uses it, so the index needs no prefix of its own.
_NO_PREFIX = ""


def searchable(view: dict, current: dict, doi_prefix: str = _NO_PREFIX) -> dict:
    """Field -> values of one hit, under the names search.FIELD_ALIASES maps the query onto."""
    legacy = translate.stored_to_deposit_metadata(
        current["stored"], record_id=view["id"], doi_prefix=doi_prefix
    )
    parent = view["parent"]
    communities = list(parent["communities"]) + [
        c.get("identifier", "") for c in legacy.get("communities", [])
    ]
    doi = stored_doi(current["stored"])
    return {
        "id": [str(view["id"])],
        "conceptrecid": [str(parent["id"])],
        "doi": [doi] if doi else [],
        "conceptdoi": [parent["doi"]] if parent["doi"] else [],
        "owners": [str(view["owner"])],
        "title": [legacy.get("title", "")],
        "description": [legacy.get("description", "")],
        "keywords": list(legacy.get("keywords", [])),
        "creators": [c.get("name", "") for c in legacy.get("creators", [])],
        "orcids": [c["orcid"] for c in legacy.get("creators", []) if c.get("orcid")],
        "communities": communities,
        "publication_date": [legacy["publication_date"]] if legacy.get("publication_date") else [],
        "version": [legacy["version"]] if legacy.get("version") else [],
        "version_index": [str(current["version_index"])],
        "filenames": [obj["key"] for obj in current["files"]],
        "languages": [legacy["language"]] if legacy.get("language") else [],
        "access_right": [legacy.get("access_right", "")],
        "type": [legacy["upload_type"]] if legacy.get("upload_type") else [],
        "subtype": [legacy.get("publication_type") or legacy.get("image_type") or ""],
        "state": [deposition_state(view)],
    }


def first_value(fields: dict, field: str) -> str:
    """The sort key of a text field: its first value, "" when it has none."""
    values = fields.get(field) or [""]
    return values[0] or ""


def embargo_end(view: dict) -> str | None:
    """The day the published record's active embargo ends (its edit draft follows it), or None."""
    record = view["record"]
    if record is None:
        return None  # a draft never published keeps its embargo (service.lift_expired_embargo)
    embargo = (record["stored"].get("access") or {}).get("embargo") or {}
    if embargo.get("active") and embargo.get("until"):
        return str(embargo["until"])[:10]
    return None


def entries(view: dict) -> list[dict]:
    """The index entries of one snapshot: its draft and its published record, each with
    `deposit` set on the one the deposit API lists (the draft when there is one)."""
    found = []
    for kind, current in ((DRAFT, view["draft"]), (PUBLISHED, view["record"])):
        if current is None:
            continue
        fields = searchable(view, current)
        found.append(
            {
                "kind": kind,
                "deposit": kind == DRAFT or view["draft"] is None,
                "parent_id": view["parent"]["id"],
                "version_index": current["version_index"],
                "created": current["created"],
                "updated": current["updated"],
                "publication_date": first_value(fields, "publication_date"),
                "title": first_value(fields, "title"),
                "embargo_until": embargo_end(view),
                "communities": json.dumps(view["parent"]["communities"]),
                "fields": json.dumps(fields, separators=(",", ":")),
                "terms": facets.hit_terms(current),
            }
        )
    return found
