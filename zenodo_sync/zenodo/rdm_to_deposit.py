"""Stored RDM record -> the metadata views Zenodo serves (docs/zenodo-behaviour.md §3.10-3.12, §6.3, §7.3).

Three readers of the same stored record:
- the deposit API's legacy `metadata` (zenodo-rdm `legacyjson.py` + `common.py`): the reverse
  mappings that make the round trip lossy (§3.11);
- the records API default JSON (`zenodojson.py`): legacy-like, but `resource_type{}`,
  `license{id}`, full `grants`, `communities[{id}]`, `relations.version`, `alternate_identifiers`;
- the InvenioRDM JSON (`application/vnd.inveniordm.v1+json`): the stored shape with vocabulary
  titles filled in.

A key is omitted when the stored record has nothing for it, except where Zenodo's serializer
emits null (a creator's `affiliation`, a contributor's `type`), as the real fixture shows.

The emulator serves its views with these; the InvenioRDM backend reads native records back
into deposit-style metadata with the first one (through rdm_mapping.py), so both APIs read
one record the same way.
"""

from __future__ import annotations

import copy
from typing import Any

from zenodo_sync.zenodo import licenses
from zenodo_sync.zenodo import vocabulary as vocab
from zenodo_sync.zenodo.grants import funder_doi_for_ror

# custom_fields namespaces the legacy views show as their own keys, not under `custom`.
_OWN_NAMESPACES = ("legacy:", "thesis:", "imprint:", "meeting:", "journal:", "part_of:")


# --------------------------------------------------------------------------- shared pieces


def _creator(entry: dict[str, Any], *, contributor: bool) -> dict[str, Any]:
    """A stored creator/contributor as the legacy views show it (§3.10 creators)."""
    person = entry.get("person_or_org") or {}
    out: dict[str, Any] = {}
    if "name" in person:
        out["name"] = person["name"]  # recomposed "Family, Given" (§3.11)
    affiliations = entry.get("affiliations") or []
    out["affiliation"] = affiliations[0].get("name") if affiliations else None  # first only
    if contributor:
        role = (entry.get("role") or {}).get("id")
        # CamelCase; null when absent or unknown to the legacy API (RDM's translator)
        out["type"] = vocab.canonical_contributor_type(role) if role else None
    for identifier in person.get("identifiers") or []:
        if identifier.get("scheme") == "orcid":
            out["orcid"] = identifier["identifier"].replace("orcid:", "")
        elif identifier.get("scheme") == "gnd":
            out["gnd"] = identifier["identifier"].replace("gnd:", "")
    return out


def _date(entry: dict[str, Any]) -> dict[str, Any]:
    """Only intervals come back with start/end; a single date loses its value (zenodo#2594)."""
    out: dict[str, Any] = {}
    parts = (entry.get("date") or "").split("/")
    if len(parts) == 2:
        out["start"], out["end"] = parts
    type_id = (entry.get("type") or {}).get("id")
    if type_id is not None:
        out["type"] = type_id
    if entry.get("description"):
        out["description"] = entry["description"]
    return out


def _related(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"identifier": entry.get("identifier")}
    relation = vocab.legacy_relation((entry.get("relation_type") or {}).get("id"))
    if relation:
        out["relation"] = relation
    resource_type = (entry.get("resource_type") or {}).get("id")
    if resource_type:
        out["resource_type"] = resource_type
    if entry.get("scheme"):
        out["scheme"] = entry["scheme"]
    return out


def _locations(metadata: dict[str, Any]) -> list[Any] | None:
    locations = metadata.get("locations")
    if not locations:
        return None
    result = []
    for feature in locations.get("features") or []:
        out: dict[str, Any] = {}
        if feature.get("place"):
            out["place"] = feature["place"]
        if feature.get("description"):
            out["description"] = feature["description"]
        coordinates = (feature.get("geometry") or {}).get("coordinates")
        if coordinates:
            out["lon"], out["lat"] = coordinates[0], coordinates[1]  # GeoJSON is [lon, lat]
        result.append(out)
    return result


def _access_right(access: dict[str, Any]) -> str | None:
    """§3.10: files public -> open; active embargo -> embargoed; else restricted (closed too)."""
    if access.get("files") == "public":
        return "open"
    if (access.get("embargo") or {}).get("active"):
        return "embargoed"
    if access.get("files") == "restricted":
        return "restricted"
    return None


def _keywords(metadata: dict[str, Any]) -> list[Any] | None:
    keywords = [s["subject"] for s in metadata.get("subjects") or [] if not s.get("id") and s.get("subject")]
    return keywords or None


def _notes_and_method(metadata: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    notes = method = None
    for entry in metadata.get("additional_descriptions") or []:
        type_id = (entry.get("type") or {}).get("id")
        if type_id == "notes" and not notes:
            notes = entry.get("description", "")
        elif type_id == "methods":
            method = entry.get("description", "")
    if notes:
        out["notes"] = notes
    if method:
        out["method"] = method
    return out


def _custom(custom_fields: dict[str, Any]) -> dict[str, Any] | None:
    custom = {k: v for k, v in custom_fields.items() if not k.startswith(_OWN_NAMESPACES)}
    return copy.deepcopy(custom) or None


def _license_readback(metadata: dict[str, Any]) -> tuple[bool, str | None]:
    """(present, legacy id): title-only rights read back without a license (§3.10)."""
    rights = metadata.get("rights") or []
    if not rights or not rights[0].get("id"):
        return False, None
    return True, licenses.legacy_license_for_rdm(rights[0]["id"])


def _communities(stored: dict[str, Any]) -> list[str]:
    """Requested slugs (draft custom field) plus the communities the record is in (§3.10)."""
    slugs: list[str] = []
    requested = (stored.get("custom_fields") or {}).get("legacy:communities") or []
    for slug in list(requested) + list(stored.get("parent_communities") or []):
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def _grant(funding: dict[str, Any]) -> dict[str, Any] | None:
    """The legacy grant of a stored funding entry, or None when Zenodo would skip it."""
    funder_ror = (funding.get("funder") or {}).get("id")
    award = funding.get("award") or {}
    number = award.get("number") or (award.get("id") or "").partition("::")[2]
    if not funder_ror or not number:
        return None
    funder_doi = funder_doi_for_ror(funder_ror) or funder_ror  # RCUK comes back as UKRI
    name, acronym = vocab.FUNDER_NAMES.get(funder_doi, (funder_ror, None))
    grant: dict[str, Any] = {
        "code": number,
        "internal_id": f"{funder_doi}::{number}",
        "funder": {"name": name},
    }
    if funder_doi.startswith("10.13039/"):
        grant["funder"]["doi"] = funder_doi
    if acronym:
        grant["funder"]["acronym"] = acronym
    for key in ("title", "acronym", "program"):
        if award.get(key):
            grant[key] = award[key]
    return grant


def _common(stored: dict[str, Any]) -> dict[str, Any]:
    """Fields both legacy views share (zenodo-rdm common.MetadataSchema), in its order."""
    metadata = stored.get("metadata") or {}
    access = stored.get("access") or {}
    doi = ((stored.get("pids") or {}).get("doi") or {}).get("identifier")
    out: dict[str, Any] = {}
    for key in ("title",):
        if key in metadata:
            out[key] = metadata[key]
    if doi:
        out["doi"] = doi
    for key in ("publication_date", "description"):
        if key in metadata:
            out[key] = metadata[key]
    out["access_right"] = _access_right(access)
    embargo = access.get("embargo") or {}
    if "until" in embargo:
        out["embargo_date"] = embargo["until"]
    if "creators" in metadata:
        out["creators"] = [_creator(c, contributor=False) for c in metadata["creators"]]
    if "contributors" in metadata:
        out["contributors"] = [_creator(c, contributor=True) for c in metadata["contributors"]]
    keywords = _keywords(metadata)
    if keywords:
        out["keywords"] = keywords
    custom_fields = stored.get("custom_fields") or {}
    if "legacy:subjects" in custom_fields:
        out["subjects"] = copy.deepcopy(custom_fields["legacy:subjects"])
    if "related_identifiers" in metadata:
        out["related_identifiers"] = [_related(r) for r in metadata["related_identifiers"]]
    locations = _locations(metadata)
    if locations is not None:
        out["locations"] = locations
    if "dates" in metadata:
        out["dates"] = [_date(d) for d in metadata["dates"]]
    if "version" in metadata:
        out["version"] = metadata["version"]
    references = [r["reference"] for r in metadata.get("references") or [] if "reference" in r]
    if references:
        out["references"] = references
    languages = metadata.get("languages") or []
    if languages:
        out["language"] = languages[0].get("id")
    custom = _custom(custom_fields)
    if custom:
        out["custom"] = custom
    out.update(_notes_and_method(metadata))
    return out


# --------------------------------------------------------------------------- deposit API view

_LEGACY_CUSTOM_KEYS = (
    (
        "journal:journal",
        (
            ("title", "journal_title"),
            ("volume", "journal_volume"),
            ("issue", "journal_issue"),
            ("pages", "journal_pages"),
        ),
    ),
    (
        "meeting:meeting",
        (
            ("title", "conference_title"),
            ("acronym", "conference_acronym"),
            ("dates", "conference_dates"),
            ("place", "conference_place"),
            ("url", "conference_url"),
            ("session", "conference_session"),
            ("session_part", "conference_session_part"),
        ),
    ),
    (
        "imprint:imprint",
        (
            ("isbn", "imprint_isbn"),
            ("place", "imprint_place"),
            ("pages", "partof_pages"),
            ("title", "partof_title"),
        ),
    ),
    ("thesis:thesis", (("university", "thesis_university"),)),
)


def stored_to_deposit_metadata(
    stored: dict[str, Any], *, record_id: int, doi_prefix: str | None
) -> dict[str, Any]:
    """The legacy `metadata` object of a deposition (§3.2, §3.10 readback column).

    `prereserve_doi` is the DOI the record gets when published: `zenodo.<id>` under this
    server's `doi_prefix`, so a reserved DOI quoted in a paper is the one minted later. This
    departs on purpose from the sandbox, which prints the production prefix there (§3.2.3).
    With no `doi_prefix` (a record read through the native API, which says its reserved DOI
    itself: rdm_mapping.py) there is no `prereserve_doi`.
    """
    metadata = stored.get("metadata") or {}
    out = _common(stored)

    # Alternate identifiers come back as related identifiers, appended at the end (§3.10).
    alternate = [
        {"identifier": i.get("identifier"), "relation": "isAlternateIdentifier", "scheme": i.get("scheme")}
        for i in metadata.get("identifiers") or []
    ]
    if alternate:
        out["related_identifiers"] = out.get("related_identifiers", []) + alternate

    grants = []
    for funding in metadata.get("funding") or []:
        grant = _grant(funding)
        if grant:
            # FP7 awards come back as the bare number (§3.10)
            grants.append({"id": grant["code"] if grant.get("program") == "FP7" else grant["internal_id"]})
    if grants:
        out["grants"] = grants

    present, license_id = _license_readback(metadata)
    if present:
        out["license"] = license_id  # a plain string in the deposit API (legacyjson.py)

    custom_fields = stored.get("custom_fields") or {}
    for group, keys in _LEGACY_CUSTOM_KEYS:
        values = custom_fields.get(group) or {}
        for rdm_key, legacy_key in keys:
            if rdm_key in values:
                out[legacy_key] = values[rdm_key]
    if "publisher" in metadata:
        out["imprint_publisher"] = metadata["publisher"]

    communities = _communities(stored)
    if communities:
        out["communities"] = [{"identifier": slug} for slug in communities]

    type_id = (metadata.get("resource_type") or {}).get("id")
    if type_id:
        upload_type, subtype = vocab.split_resource_type_id(type_id)
        out["upload_type"] = upload_type
        if subtype:
            out[f"{upload_type}_type"] = subtype

    # §3.2: always present; the same DOI publish mints (service.py), never another prefix's.
    if doi_prefix is not None:
        out["prereserve_doi"] = {"doi": f"{doi_prefix}/zenodo.{record_id}", "recid": int(record_id)}
    return out


# --------------------------------------------------------------------------- records API views


def stored_to_zenodo_record_metadata(
    stored: dict[str, Any],
    *,
    record_id: int,
    concept_id: int | str,
    doi: str | None,
    version_index: int,
    is_last: bool,
    doi_prefix: str,
) -> dict[str, Any]:
    """`metadata` of the records API's default JSON (zenodojson.py, §6.3).

    `version_index` is RDM's 1-based `versions.index`; the legacy view shows it 0-based (§8).
    `doi` overrides the stored DOI when given (the minted DOI of a published version).
    """
    del record_id, doi_prefix  # same ids as the top-level record; no prefix is printed here
    metadata = stored.get("metadata") or {}
    view = copy.deepcopy(stored)
    if doi:
        view.setdefault("pids", {})["doi"] = {"identifier": doi}
    out = _common(view)

    alternate = [{"identifier": i.get("identifier")} for i in metadata.get("identifiers") or []]
    if alternate:
        out["alternate_identifiers"] = alternate

    type_id = (metadata.get("resource_type") or {}).get("id")
    if type_id:
        upload_type, subtype = vocab.split_resource_type_id(type_id)
        resource_type = {"title": vocab.RESOURCE_TYPE_TITLES.get(type_id, type_id), "type": upload_type}
        if subtype:
            resource_type["subtype"] = subtype
        out["resource_type"] = resource_type

    present, license_id = _license_readback(metadata)
    if present:
        out["license"] = {"id": license_id} if license_id is not None else None

    grants = [g for g in (_grant(f) for f in metadata.get("funding") or []) if g]
    if grants:
        out["grants"] = grants

    communities = _communities(stored)
    if communities:
        out["communities"] = [{"id": slug} for slug in communities]

    custom_fields = stored.get("custom_fields") or {}
    journal = custom_fields.get("journal:journal")
    if journal:
        out["journal"] = {
            k: journal[k] for k in ("issue", "pages", "title", "volume", "year") if k in journal
        }
    meeting = custom_fields.get("meeting:meeting")
    if meeting:
        out["meeting"] = dict(meeting)
    imprint = custom_fields.get("imprint:imprint")
    if imprint:
        shown = {k: imprint[k] for k in ("publisher", "place", "isbn") if k in imprint}
        out["imprint"] = shown  # part-of title/pages live here but the view does not show them
    thesis = custom_fields.get("thesis:thesis")
    if thesis and thesis.get("university"):
        out["thesis"] = {"university": thesis["university"]}

    out["relations"] = {
        "version": [
            {
                "index": version_index - 1,
                "is_last": bool(is_last),
                "parent": {"pid_type": "recid", "pid_value": str(concept_id)},
            }
        ]
    }
    return out


def stored_to_rdm_metadata(stored: dict[str, Any]) -> dict[str, Any]:
    """The InvenioRDM JSON parts of a record (§7.3): `metadata`, `custom_fields`, `access`, `pids`.

    Vocabulary references get their titles filled in, as RDM does on read; the caller adds ids,
    links, files, versions and parent.
    """
    metadata = copy.deepcopy(stored.get("metadata") or {})
    resource_type = metadata.get("resource_type")
    if resource_type and resource_type.get("id") in vocab.RESOURCE_TYPE_TITLES:
        resource_type["title"] = {"en": vocab.RESOURCE_TYPE_TITLES[resource_type["id"]]}
    for funding in metadata.get("funding") or []:
        funder = funding.get("funder") or {}
        funder_doi = funder_doi_for_ror(str(funder.get("id") or ""))
        if funder_doi in vocab.FUNDER_NAMES:
            funder["name"] = vocab.FUNDER_NAMES[funder_doi][0]
    custom_fields = copy.deepcopy(stored.get("custom_fields") or {})
    access = copy.deepcopy(stored.get("access") or {})
    access.setdefault("embargo", {"active": False, "reason": None})
    # RDM's computed access status (the deposit API's access_right, one word per state).
    access["status"] = _access_right(access) or "restricted"
    return {
        "metadata": metadata,
        "custom_fields": custom_fields,
        "access": access,
        "pids": copy.deepcopy(stored.get("pids") or {}),
    }
