"""The reverse mapping of `zsync import`: a record as Zenodo reads it back -> a manifest.

The forward direction is manifest/expand.py (shorthands -> what zsync sends) and
engine/normalise.py (what is sent and what is read back, brought to one form). Importing
goes the other way with the same rules, so that the round-trip law holds by construction:

    metadata_changes(to_deposit_metadata(manifest_metadata(readback)), readback) == []

and `check_round_trip` proves it for every record imported: any field left over is something
the manifest cannot express, said as a warning naming the record and the field, never
dropped in silence. Shorthands are used where they apply (`license: cc-by-4.0`,
`communities: [slug]`, grants as "funderDOI::award"); keys come in the README's order.

Both shapes Zenodo reads back are understood: the deposit API's `metadata` (the owner's
records) and the records API's (anybody's public record: `resource_type`, `license: {id}`,
`communities: [{id}]`, full grant objects).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zenodo_sync.engine.identity import without_marker
from zenodo_sync.engine.normalise import (
    canonical_communities,
    canonical_grant,
    canonical_read_back_license,
    records_api_resource_type,
)
from zenodo_sync.engine.plan import metadata_changes
from zenodo_sync.manifest.expand import to_deposit_metadata
from zenodo_sync.model import RemoteRecord
from zenodo_sync.zenodo import vocabulary
from zenodo_sync.zenodo.fields import DEFAULT_PUBLISHER, DROPPED_FIELDS, KNOWN_FIELDS

Metadata = dict[str, Any]

# The README's manifest example first, then the rest grouped as Zenodo's form groups them.
FIELD_ORDER = (
    "title",
    "upload_type",
    "publication_type",
    "image_type",
    "publication_date",
    "description",
    "creators",
    "access_right",
    "embargo_date",
    "access_conditions",
    "license",
    "keywords",
    "communities",
    "grants",
    "version",
    "language",
    "doi",
    "contributors",
    "thesis_supervisors",
    "thesis_university",
    "subjects",
    "related_identifiers",
    "references",
    "dates",
    "locations",
    "notes",
    "method",
    "journal_title",
    "journal_volume",
    "journal_issue",
    "journal_pages",
    "conference_title",
    "conference_acronym",
    "conference_dates",
    "conference_place",
    "conference_url",
    "conference_session",
    "conference_session_part",
    "imprint_publisher",
    "imprint_isbn",
    "imprint_place",
    "partof_title",
    "partof_pages",
    "custom",
)
PERSON_ORDER = ("name", "affiliation", "orcid", "gnd", "type")
RELATED_ORDER = ("identifier", "relation", "resource_type")
DATE_ORDER = ("type", "start", "end", "description")
LOCATION_ORDER = ("place", "lat", "lon", "description")
SUBJECT_ORDER = ("term", "identifier", "scheme")

# What the records API shows beside the metadata a deposit holds: facts about the record, not
# fields of a manifest (docs/zenodo-behaviour.md §6.3).
RECORD_FACTS = frozenset({"relations", "resource_type", "access_right_category"})

# zsync.yaml `defaults` candidates for --extract-defaults (the fields records of one group share).
SHARED_FIELDS = ("creators", "license", "grants", "communities", "keywords")

# The schema needs conditions for restricted access; Zenodo does not keep them (§3.10.8).
ACCESS_CONDITIONS_PLACEHOLDER = "Write to the creators to request access."


@dataclass
class ImportedManifest:
    """One concept as a manifest: its document (concept, metadata, files) and what to tell the user."""

    key: str
    concept_id: str
    record: RemoteRecord  # the latest published version
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    pending_draft: RemoteRecord | None = None

    @property
    def metadata(self) -> Metadata:
        metadata: Metadata = self.document["metadata"]
        return metadata


def manifest_metadata(remote: Metadata, *, record_id: int | None = None) -> tuple[Metadata, list[str]]:
    """Manifest `metadata` for a record's read-back metadata, and the notes for the user.

    `record_id` names the record in the notes and tells a Zenodo-minted DOI (which the
    manifest leaves to the server) from an external one (which it keeps).
    """
    where = f"record {record_id}" if record_id is not None else "the record"
    data = _without_empty(
        flat_publication_details(records_api_resource_type(without_marker(copy.deepcopy(remote))))
    )
    notes: list[str] = []
    out: Metadata = {}
    for key, value in data.items():
        if key in RECORD_FACTS or key in DROPPED_FIELDS:
            continue
        if key not in KNOWN_FIELDS:
            notes.append(
                f"{where}: `{key}` is not a field a manifest can hold (Zenodo's deposit API drops it); "
                "it stays on the record as it is"
            )
            continue
        converted = _FIELD_CONVERTERS.get(key, _same)(value)
        if not _is_empty(converted):
            out[key] = converted
    if _is_zenodo_doi(out.get("doi"), record_id):
        del out["doi"]  # minted by Zenodo for this version: the server fills it in (§3.6)
    if out.get("imprint_publisher") == DEFAULT_PUBLISHER:
        del out["imprint_publisher"]  # the server's default (§3.6): a manifest leaves it out
    if out.get("upload_type") != "publication":
        out.pop("publication_type", None)
    if out.get("upload_type") != "image":
        out.pop("image_type", None)
    if out.get("access_right") != "embargoed":
        out.pop("embargo_date", None)
    if out.get("access_right") in ("restricted", "closed"):
        out["access_conditions"] = ACCESS_CONDITIONS_PLACEHOLDER
        notes.append(
            f"{where}: restricted access: Zenodo does not keep `access_conditions`, which the "
            "manifest needs; a placeholder was written, edit it to say who may have access"
        )
    return ordered(out, FIELD_ORDER), notes


def check_round_trip(metadata: Metadata, remote: Metadata, *, where: str) -> list[str]:
    """Warnings for every field the manifest's metadata would change on the record (empty: none).

    The proof of the round-trip law for this record: the manifest, expanded as zsync sends
    it, compared with what the server holds by the plan's own comparison.
    """
    flat = flat_publication_details(remote)
    if is_records_view(remote):
        # Without the native JSON's publisher (importer.with_native_values), Zenodo's default.
        flat.setdefault("imprint_publisher", DEFAULT_PUBLISHER)
    changes = metadata_changes(to_deposit_metadata(metadata), flat)
    fields = sorted({change.path.split(".")[0] for change in changes})
    return [
        f"{where}: `{name}` cannot be expressed in a manifest exactly as the record holds it; "
        "the plan will show it as a change"
        for name in fields
    ]


def files_of(record: RemoteRecord) -> list[dict[str, Any]]:
    """The record's files as remote-only entries (kept on the server, checked by md5)."""
    return [{"name": f.name, "md5": f.md5} for f in sorted(record.files, key=lambda f: f.name)]


def local_files_of(record: RemoteRecord) -> list[str]:
    """The record's files as local paths next to the manifest (`--with-files`); empty when a file
    key has folders, which a manifest's file list cannot give a Zenodo key (it keeps the name only)."""
    names = sorted(f.name for f in record.files)
    return [] if any("/" in name or "\\" in name for name in names) else names


def document_for(concept: str, metadata: Metadata, files: list[dict[str, Any]]) -> dict[str, Any]:
    """A manifest document: the binding first, then metadata, then files (the README's order)."""
    return {"concept": concept, "metadata": metadata, "files": files}


# --- --extract-defaults -------------------------------------------------------------------------


def shared_defaults(manifests: Iterable[Metadata], fields: Iterable[str] = SHARED_FIELDS) -> Metadata:
    """The fields every one of `manifests` holds with the same value (at least two manifests)."""
    manifests = list(manifests)
    shared: Metadata = {}
    if len(manifests) < 2:
        return shared
    for name in fields:
        values = [metadata.get(name) for metadata in manifests]
        if values[0] is not None and all(value == values[0] for value in values):
            shared[name] = copy.deepcopy(values[0])
    return shared


def without_defaults(metadata: Metadata, defaults: Mapping[str, Any]) -> Metadata:
    """The manifest's own part once `defaults` hold the shared fields (the merged result is unchanged).

    Only whole top-level values equal to the default are left out: zsync.yaml merges mappings
    and replaces lists (manifest/defaults.py), so a list or text equal to its default is the
    one case where leaving it out gives the same effective metadata.
    """
    return {key: value for key, value in metadata.items() if key not in defaults or defaults[key] != value}


def with_empty_overrides(metadata: Metadata, defaults: Mapping[str, Any]) -> Metadata:
    """A record without a field the project's defaults set must say so, or it would inherit it."""
    out = dict(metadata)
    for key, value in defaults.items():
        if key not in out and isinstance(value, list):
            out[key] = []
    return ordered(out, FIELD_ORDER)


# --- folder names -------------------------------------------------------------------------------


def slug(title: str, limit: int = 60) -> str:
    """A folder name from a title: its words, lower-case, joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    text = "-".join(words)[:limit].strip("-")
    return text or "record"


# --- the field converters -----------------------------------------------------------------------


def ordered(mapping: Mapping[str, Any], order: Iterable[str]) -> dict[str, Any]:
    """`mapping` with the keys of `order` first, in that order, then any other in its own order."""
    order = list(order)
    first = {key: mapping[key] for key in order if key in mapping}
    return first | {key: value for key, value in mapping.items() if key not in first}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        cleaned = {key: _without_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if not _is_empty(item)}
    if isinstance(value, list):
        return [item for item in (_without_empty(entry) for entry in value) if not _is_empty(item)]
    return value


def _is_zenodo_doi(doi: Any, record_id: int | None) -> bool:
    return isinstance(doi, str) and record_id is not None and doi.lower().endswith(f"/zenodo.{record_id}")


def _same(value: Any) -> Any:
    return value


def _person(person: Any) -> Any:
    if not isinstance(person, dict):
        return {"name": person}
    person = dict(person)
    if isinstance(person.get("affiliation"), list):  # records API: [{"name": ...}]
        first = person["affiliation"][0] if person["affiliation"] else None
        person["affiliation"] = first.get("name") if isinstance(first, dict) else first
    return ordered({k: v for k, v in person.items() if k in PERSON_ORDER}, PERSON_ORDER)


def _people(values: Any) -> list[Any]:
    return [_person(person) for person in values or []]


def _license(value: Any) -> str:
    # §3.12: the id read back may be an alias that, sent again, means another license.
    return canonical_read_back_license(value)


def _communities(values: Any) -> list[str]:
    return canonical_communities(values)


def canonical_communities_of(metadata: Metadata) -> list[str]:
    """The community slugs a record's metadata names, in either API's shape."""
    return canonical_communities(metadata.get("communities"))


def _grants(values: Any) -> list[str]:
    return [canonical_grant(grant) for grant in values or []]


def _related(values: Any) -> list[Any]:
    # `scheme` is the server's own detection, added on read (§3.10): a manifest leaves it out.
    return [
        ordered({k: v for k, v in entry.items() if k in RELATED_ORDER}, RELATED_ORDER)
        for entry in values or []
        if isinstance(entry, dict)
    ]


def _entries(order: tuple[str, ...]) -> Any:
    def convert(values: Any) -> list[Any]:
        return [ordered(entry, order) if isinstance(entry, dict) else entry for entry in values or []]

    return convert


_FIELD_CONVERTERS = {
    "creators": _people,
    "contributors": _people,
    "thesis_supervisors": _people,
    "license": _license,
    "communities": _communities,
    "grants": _grants,
    "related_identifiers": _related,
    "dates": _entries(DATE_ORDER),
    "locations": _entries(LOCATION_ORDER),
    "subjects": _entries(SUBJECT_ORDER),
}


# --- the records API's shape --------------------------------------------------------------------

# The records API groups publication details in objects (docs/zenodo-behaviour.md §6.3); the deposit API
# and manifests spell them as flat fields.
_RECORD_GROUPS = {
    "journal": {
        "title": "journal_title",
        "volume": "journal_volume",
        "issue": "journal_issue",
        "pages": "journal_pages",
    },
    "meeting": {
        "title": "conference_title",
        "acronym": "conference_acronym",
        "dates": "conference_dates",
        "place": "conference_place",
        "url": "conference_url",
        "session": "conference_session",
        "session_part": "conference_session_part",
    },
    "imprint": {"publisher": "imprint_publisher", "place": "imprint_place", "isbn": "imprint_isbn"},
    "part_of": {"title": "partof_title", "pages": "partof_pages"},
    "thesis": {"university": "thesis_university"},
}


def flat_publication_details(data: Metadata) -> Metadata:
    """Records-API metadata with its grouped details (`journal: {title}`) as deposit fields
    (`journal_title`), and `alternate_identifiers` back among the related identifiers."""
    out = dict(data)
    for group, names in _RECORD_GROUPS.items():
        value = out.get(group)
        if not isinstance(value, dict):
            continue
        del out[group]
        for inner, flat in names.items():
            if value.get(inner) not in (None, "") and flat not in out:
                out[flat] = value[inner]
    alternates = out.pop("alternate_identifiers", None)
    if isinstance(alternates, list):
        related = list(out.get("related_identifiers") or [])
        known = {entry.get("identifier") for entry in related if isinstance(entry, dict)}
        related += [
            {"identifier": entry["identifier"], "relation": "isAlternateIdentifier"}
            for entry in alternates
            if isinstance(entry, dict) and entry.get("identifier") and entry["identifier"] not in known
        ]
        out["related_identifiers"] = related
    return out


# --- what the deposit API hides, read from the record's native JSON -----------------------------


def hides_values(metadata: Metadata) -> bool:
    """Whether the legacy read-back hides a value a manifest needs: a single date read back without
    its date (zenodo/zenodo#2594, §3.10.18), or a relation the legacy view does not know (§3.10)."""
    if is_records_view(metadata):
        return True  # the publisher and part-of details are not shown there at all
    dates = metadata.get("dates") or []
    related = metadata.get("related_identifiers") or []
    return any(isinstance(d, dict) and not (d.get("start") or d.get("end")) for d in dates) or any(
        isinstance(r, dict) and not r.get("relation") for r in related
    )


def with_native_values(metadata: Metadata, native: Metadata) -> Metadata:
    """`metadata` (legacy read-back) with hidden dates and relations filled in from the record's
    native (InvenioRDM) JSON, where they are kept (docs/zenodo-behaviour.md §6.13): `{"date": "2020-05-05", "type": {"id": ...}}`,
    `{"identifier": ..., "relation_type": {"id": ...}}`."""
    out = copy.deepcopy(metadata)
    found = native.get("metadata")
    native_metadata: Metadata = found if isinstance(found, dict) else {}
    native_dates = [d for d in native_metadata.get("dates") or [] if isinstance(d, dict)]
    for entry, stored in zip(out.get("dates") or [], native_dates, strict=False):
        if isinstance(entry, dict) and not (entry.get("start") or entry.get("end")):
            value = str(stored.get("date") or "")
            if value and "/" not in value:
                entry["start"] = value
    relations = {
        str(item.get("identifier")): str((item.get("relation_type") or {}).get("id") or "")
        for item in native_metadata.get("related_identifiers") or []
        if isinstance(item, dict)
    }
    for entry in out.get("related_identifiers") or []:
        if isinstance(entry, dict) and not entry.get("relation"):
            relation_id = relations.get(str(entry.get("identifier")))
            relation = vocabulary.canonical_relation(relation_id) if relation_id else None
            if relation:
                entry["relation"] = relation
    if is_records_view(out):
        # The records API's legacy view leaves out the publisher and the part-of details (§6.13).
        if native_metadata.get("publisher"):
            out["imprint_publisher"] = native_metadata["publisher"]
        custom = native.get("custom_fields")
        imprint = custom.get("imprint:imprint") if isinstance(custom, dict) else None
        for inner, flat in (("title", "partof_title"), ("pages", "partof_pages")):
            if isinstance(imprint, dict) and imprint.get(inner):
                out[flat] = imprint[inner]
    return out


def is_records_view(metadata: Metadata) -> bool:
    """Whether metadata was read from the records API (it carries `relations`), not the deposit API."""
    return "relations" in metadata
