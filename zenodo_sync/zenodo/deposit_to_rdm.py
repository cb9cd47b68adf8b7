"""Legacy deposit metadata -> the RDM-shaped record Zenodo stores (docs/zenodo-behaviour.md §3.6, §3.10).

Zenodo's deposit API deserialises legacy JSON in two passes and we reproduce both:

1. the legacy deserializer (zenodo-rdm `legacy/deserializers`): renames and reshapes fields, fills
   defaults, and rejects a few inputs at once with 400 (`LegacyInputError`);
2. the RDM draft schema, loaded with `raise_errors=False`: text is sanitised, and a field that
   fails validation is silently *dropped* from the draft (§3.6) instead of failing the request.
   The problem only surfaces at publish (see translate_publish).

Where real Zenodo answers HTTP 500 (a `KeyError` on a missing sub-key, §3.6 [U]) we answer 400
with the field named instead: the client's mistake is the same, and a 500 would only make the
client retry a request that can never succeed.

The emulator's deposit API stores what this returns; the InvenioRDM backend sends it as a
native draft (through rdm_mapping.py): one mapping for both.
"""

from __future__ import annotations

import copy
from typing import Any

import idutils

from zenodo_sync.zenodo import licenses
from zenodo_sync.zenodo import vocabulary as vocab
from zenodo_sync.zenodo.dates import is_edtf_date_or_interval, stored_date_value
from zenodo_sync.zenodo.fields import DEFAULT_PUBLISHER, MAX_VERSION_LENGTH, MIN_TEXT_LENGTH
from zenodo_sync.zenodo.grants import funder_ror, grant_id_from_self_link, split_grant_id
from zenodo_sync.zenodo.identifiers import detect_identifier, stored_orcid
from zenodo_sync.zenodo.locations import keeps_point
from zenodo_sync.zenodo.names import readback_name, split_name
from zenodo_sync.zenodo.sanitise import sanitise_html, sanitise_text

# §3.10: the DOI prefix the legacy deserializer treats as Zenodo's own (hard-coded there, even
# on sandbox); any other prefix is stored as an external DOI.
ZENODO_DOI_PREFIX = "10.5281/"

MISSING = "Missing data for required field."
NOT_NULL = "Field may not be null."
NOT_STRING = "Not a valid string."
NOT_LIST = "Not a valid list."


VALIDATION_MESSAGE = "A validation error occurred."


class LegacyInputError(Exception):
    """Input Zenodo rejects at once with 400.

    `errors` is the body's list: `[{"field": "metadata.license", "messages": ["..."]}]`;
    `message` the body's message: "A validation error occurred." for schema errors, or
    "Invalid value <id>." when the input loaded but names an unknown vocabulary id (RDM's
    relation check at commit, whose real body has no `errors` list [U]; we keep the list so the
    client can still tell which field).
    """

    def __init__(self, errors: list[dict[str, Any]], message: str = VALIDATION_MESSAGE):
        self.errors = errors
        self.message = message
        super().__init__("; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in errors))


class _Errors:
    """Collects field errors the way marshmallow does: every field is checked, then one 400.

    Unknown vocabulary ids are kept apart: RDM only checks them after the input has loaded.
    """

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.unknown_ids: list[dict[str, Any]] = []

    def add(self, field: str, message: str) -> None:
        _append(self.items, field, message)

    def unknown_id(self, field: str, value: object) -> None:
        """An id missing from Zenodo's vocabulary ([U] 400 "Invalid value <id>.", §3.6)."""
        _append(self.unknown_ids, field, f"Invalid value {value}.")

    def raise_if_any(self) -> None:
        if self.items:
            raise LegacyInputError(self.items)

    def raise_unknown_ids(self) -> None:
        if self.unknown_ids:
            raise LegacyInputError(self.unknown_ids, message=self.unknown_ids[0]["messages"][0])


def _append(items: list[dict[str, Any]], field: str, message: str) -> None:
    for item in items:
        if item["field"] == field:
            item["messages"].append(message)
            return
    items.append({"field": field, "messages": [message]})


# --------------------------------------------------------------------------- entry point


def deposit_input_to_stored(
    metadata: dict[str, Any] | None, *, today: str, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """What Zenodo stores for a legacy create/update body's `metadata` (None: no `metadata` key).

    Returns `{"metadata", "custom_fields", "access", "pids"}` (RDM shapes, §7.3). A PUT replaces
    everything, except that the DOI of `previous` is kept when `doi` is omitted (§3.6).
    """
    previous_pids = copy.deepcopy((previous or {}).get("pids") or {})
    if metadata is None:
        # POST {} / PUT {}: nothing to deserialise; the draft is empty and open (§3.2 example).
        return {"metadata": {}, "custom_fields": {}, "access": _open_access(), "pids": previous_pids}
    errors = _Errors()
    if not isinstance(metadata, dict):
        errors.add("metadata", "Invalid input type.")
        errors.raise_if_any()
    metadata = _with_default_license(metadata)

    rdm: dict[str, Any] = {}
    _load_plain_fields(metadata, rdm, errors, today)
    _load_resource_type(metadata, rdm, errors)
    _load_creators(metadata, rdm, errors)
    _load_contributors(metadata, rdm, errors)
    _load_descriptions(metadata, rdm, errors)
    _load_license(metadata, rdm, errors)
    _load_keywords(metadata, rdm, errors)
    _load_language(metadata, rdm, errors)
    _load_dates(metadata, rdm, errors)
    _load_locations(metadata, rdm, errors)
    _load_references(metadata, rdm, errors)
    _load_identifiers(metadata, rdm, errors)
    _load_grants(metadata, rdm, errors)
    errors.raise_if_any()

    # The top-level post-load hooks run only once the metadata itself loaded (marshmallow order).
    custom_fields = _load_custom_fields(metadata, errors)
    errors.raise_if_any()
    access = _load_access(metadata, errors)
    errors.raise_if_any()
    pids = _load_pids(metadata, previous_pids, errors)
    _load_communities(metadata, custom_fields, errors)
    _load_subjects(metadata, custom_fields, errors)
    errors.raise_if_any()
    errors.raise_unknown_ids()
    return {"metadata": rdm, "custom_fields": custom_fields, "access": access, "pids": pids}


def _open_access() -> dict[str, Any]:
    return {"record": "public", "files": "public", "embargo": {"active": False, "reason": None}}


def _with_default_license(metadata: dict[str, Any]) -> dict[str, Any]:
    """§3.10 default license: only when metadata is non-empty, `license` absent and access open."""
    if not metadata or "license" in metadata:
        return metadata
    default = licenses.default_license(metadata.get("upload_type"), metadata.get("access_right", "open"))
    return {**metadata, "license": default} if default else metadata


# --------------------------------------------------------------------------- small helpers


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _declared(metadata: dict[str, Any], key: str, errors: _Errors, *, kind: type = str) -> Any:
    """A field the legacy schema declares: None and wrong types are 400 (marshmallow)."""
    if key not in metadata:
        return None
    value = metadata[key]
    if value is None:
        errors.add(f"metadata.{key}", NOT_NULL)
        return None
    if kind is str and not isinstance(value, str):
        errors.add(f"metadata.{key}", NOT_STRING)
        return None
    if kind is list and not isinstance(value, list):
        errors.add(f"metadata.{key}", NOT_LIST)
        return None
    return value


# --------------------------------------------------------------------------- plain fields


def _load_plain_fields(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors, today: str) -> None:
    title = _declared(metadata, "title", errors)
    if title is not None:
        title = sanitise_text(title)
        if len(title) >= MIN_TEXT_LENGTH:  # shorter is dropped from the draft (§3.6)
            rdm["title"] = title

    # §3.6: omitted => today (deserializer load_default)
    published = _declared(metadata, "publication_date", errors) if "publication_date" in metadata else today
    if published is not None:
        published = sanitise_text(published)
        if is_edtf_date_or_interval(published):  # invalid EDTF is dropped from the draft
            rdm["publication_date"] = published

    if "imprint_publisher" in metadata:
        publisher = _declared(metadata, "imprint_publisher", errors)
    else:
        publisher = DEFAULT_PUBLISHER  # §3.6: omitted => "Zenodo"
    if publisher is not None:
        rdm["publisher"] = sanitise_text(publisher)

    version = _declared(metadata, "version", errors)
    if version is not None:
        version = sanitise_text(version)
        if len(version) <= MAX_VERSION_LENGTH:
            rdm["version"] = version


def _load_resource_type(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: upload_type + `<type>_type` -> resource_type.id; thesis -> dissertation."""
    upload_type = metadata.get("upload_type")
    if not upload_type:
        return
    if not _is_str(upload_type):
        errors.add("metadata.upload_type", NOT_STRING)
        return
    type_id = vocab.resource_type_id(upload_type, metadata.get(f"{upload_type}_type"))
    if type_id not in vocab.RESOURCE_TYPE_TITLES:
        # [U] RDM rejects unknown vocabulary ids; 400 is the safe reading (§3.6).
        errors.unknown_id("metadata.resource_type", type_id)
        return
    rdm["resource_type"] = {"id": type_id}


# --------------------------------------------------------------------------- people


def _person(entry: Any, field: str, errors: _Errors) -> dict[str, Any] | None:
    """A legacy creator object -> RDM creator; always `personal` (§3.10)."""
    if not isinstance(entry, dict):
        errors.add(field, "Invalid input type.")
        return None
    person: dict[str, Any] = {"type": "personal"}
    name = entry.get("name")
    if name:
        if not _is_str(name):
            errors.add(f"{field}.name", NOT_STRING)
            return None
        family, given = split_name(name)
        person["family_name"] = family
        if given is not None:
            person["given_name"] = given
        shown = readback_name(family, given)
        if shown is None:  # a blank family name is dropped on save, reported at publish
            del person["family_name"]
        else:
            person["name"] = shown
    identifiers = []
    orcid, gnd = entry.get("orcid"), entry.get("gnd")
    if orcid and _is_str(orcid):
        kept = stored_orcid(orcid)
        if kept is not None:  # an invalid ORCID is dropped from the draft
            identifiers.append({"scheme": "orcid", "identifier": kept})
    if gnd and _is_str(gnd):
        value = idutils.normalize_gnd(sanitise_text(gnd))
        if idutils.is_gnd(value):
            identifiers.append({"scheme": "gnd", "identifier": value})
    if identifiers:
        person["identifiers"] = identifiers
    creator: dict[str, Any] = {"person_or_org": person}
    affiliation = entry.get("affiliation")
    if affiliation and _is_str(affiliation):
        creator["affiliations"] = [{"name": sanitise_text(affiliation)}]
    return creator


def _load_creators(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    creators = _declared(metadata, "creators", errors, kind=list)
    if creators is None:
        return
    loaded = [_person(entry, f"metadata.creators.{i}", errors) for i, entry in enumerate(creators)]
    creators = [c for c in loaded if c is not None]
    if creators:  # RDM: Length(min=1); an empty list is dropped from the draft
        rdm["creators"] = creators


def _load_contributors(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: thesis_supervisors become contributors with role supervisor, placed first."""
    result = []
    supervisors = metadata.get("thesis_supervisors") or []
    if not isinstance(supervisors, list):
        errors.add("metadata.thesis_supervisors", NOT_LIST)
        supervisors = []
    for i, entry in enumerate(supervisors):
        person = _person(entry, f"metadata.thesis_supervisors.{i}", errors)
        if person is not None:
            person["role"] = {"id": "supervisor"}
            result.append(person)
    contributors = _declared(metadata, "contributors", errors, kind=list) or []
    for i, entry in enumerate(contributors):
        field = f"metadata.contributors.{i}"
        if not isinstance(entry, dict):
            errors.add(field, "Not a valid mapping type.")
            continue
        person = _person(entry, field, errors)
        if person is None:
            continue
        kind = entry.get("type")
        if kind:
            if not _is_str(kind):
                errors.add(f"{field}.type", NOT_STRING)
                continue
            role = kind.lower()  # RDM role ids are the legacy types lower-cased
            if vocab.canonical_contributor_type(role) is None and role != "translator":
                # [U] unknown vocabulary id: RDM rejects it; 400 is the safe reading (§3.6)
                errors.unknown_id(f"{field}.type", role)
                continue
            person["role"] = {"id": role}
        # no type: stored without role; publish fails with "...role: Missing data" (§3.9)
        result.append(person)
    if result or "contributors" in metadata:  # an explicit [] is stored as []
        rdm["contributors"] = result


# --------------------------------------------------------------------------- text blocks


def _load_descriptions(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    description = _declared(metadata, "description", errors)
    if description is not None:
        # The deserializer's SanitizedUnicode runs first, then RDM's SanitizedHTML (§3.11).
        html = sanitise_html(sanitise_text(description))
        if len(html) >= MIN_TEXT_LENGTH:  # shorter is dropped from the draft
            rdm["description"] = html
    additional = []
    for key, type_id in (("notes", "notes"), ("method", "methods")):
        value = metadata.get(key)
        if not value:
            continue
        if not _is_str(value):
            errors.add(f"metadata.{key}", NOT_STRING)
            continue
        entry: dict[str, Any] = {"description": sanitise_html(value), "type": {"id": type_id}}
        if len(entry["description"]) < MIN_TEXT_LENGTH:
            del entry["description"]  # kept without text; publish reports it missing
        additional.append(entry)
    if additional:
        rdm["additional_descriptions"] = additional


def _load_license(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10/§3.12: one license, aliases resolved, unknown ids rejected at once."""
    if "license" not in metadata:
        return
    value = metadata["license"]
    if value is None:
        errors.add("metadata.license", NOT_NULL)
        return
    if not isinstance(value, (dict, str)):
        errors.add(
            "metadata.license",
            f"Invalid license value provided (expected string, or object with 'id' key): {value}",
        )
        return
    if isinstance(value, dict):
        if "id" not in value:
            errors.add("metadata.license", f"Invalid license object provided (missing 'id' key): {value}")
            return
        license_id = value["id"]
    else:
        license_id = value
    rdm_id = licenses.rdm_license_for_legacy(license_id) if _is_str(license_id) else None
    if rdm_id is not None:
        rdm["rights"] = [{"id": rdm_id}]
        return
    title = licenses.title_only_license(license_id) if _is_str(license_id) else None
    if title is None:
        errors.add("metadata.license", f"Invalid license provided: {license_id}")
        return
    rdm["rights"] = [{"title": {"en": title}}]  # §3.10: no id, so it reads back without a license


def _load_keywords(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: keywords -> free-text subjects. Like Zenodo, a bare string is iterated per character."""
    keywords = _declared(metadata, "keywords", errors, kind=object)
    if not keywords:
        return
    if not isinstance(keywords, (list, str)):
        errors.add("metadata.keywords", NOT_LIST)
        return
    subjects = []
    for keyword in keywords:
        if _is_str(keyword) and sanitise_text(keyword):
            subjects.append({"subject": sanitise_text(keyword)})
    if subjects:
        rdm["subjects"] = subjects


def _load_language(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: 3 letters kept, 2 letters mapped to ISO 639-3 (en -> eng), anything else 400."""
    language = _declared(metadata, "language", errors)
    if language is None:
        return
    if len(language) == 3:
        if not (language.isascii() and language.isalpha() and language.islower()):
            # Vocabulary ids are lower-case ISO 639-3: "ENG" is an unknown id ([U] 400, §3.6).
            errors.unknown_id("metadata.language", language)
            return
        rdm["languages"] = [{"id": language}]
    elif len(language) == 2:
        # pycountry, which Zenodo uses here, looks codes up case-insensitively: "EN" -> "eng".
        mapped = vocab.language_id(language.lower())
        if mapped:  # an unknown 2-letter code maps to nothing and is dropped from the draft
            rdm["languages"] = [{"id": mapped}]
    else:
        errors.add("metadata.language", "Language must be either ISO-639-1 or 639-2 compatible.")


def _load_dates(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: one EDTF date when start == end or only one given, else `start/end`."""
    entries = _declared(metadata, "dates", errors, kind=list)
    if entries is None:
        return
    result = []
    for i, entry in enumerate(entries):
        field = f"metadata.dates.{i}"
        if not isinstance(entry, dict):
            errors.add(field, "Invalid input type.")
            continue
        value = stored_date_value(entry.get("start"), entry.get("end"))
        if value is None:
            errors.add("metadata.dates", "Invalid date provided.")
            continue
        kind = entry.get("type")
        if not kind or not _is_str(kind):
            # Zenodo: KeyError -> 500 (§3.6 [U]); we name the field instead.
            errors.add(f"{field}.type", MISSING)
            continue
        type_id = kind.lower()
        if type_id not in vocab.DATE_TYPES:
            errors.unknown_id(f"{field}.type", type_id)
            continue
        stored: dict[str, Any] = {"type": {"id": type_id}}
        if is_edtf_date_or_interval(value):  # an invalid date is dropped; publish reports it
            stored = {"date": value, **stored}
        description = entry.get("description")
        if description and _is_str(description):
            stored["description"] = sanitise_text(description)
        result.append(stored)
    rdm["dates"] = result


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load_locations(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: GeoJSON features; geometry only when both lat and lon are truthy (0 is lost)."""
    entries = _declared(metadata, "locations", errors, kind=list)
    if entries is None:
        return
    features = []
    for i, entry in enumerate(entries):
        field = f"metadata.locations.{i}"
        if not isinstance(entry, dict):
            errors.add(field, "Invalid input type.")
            continue
        if "place" not in entry:
            errors.add(f"{field}.place", MISSING)  # Zenodo: KeyError -> 500 (§3.6 [U])
            continue
        feature: dict[str, Any] = {}
        if _is_str(entry["place"]):
            feature["place"] = sanitise_text(entry["place"])
        lat, lon = entry.get("lat"), entry.get("lon")
        if keeps_point(lat, lon) and _is_number(lat) and _is_number(lon):
            feature["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
        description = entry.get("description")
        if description and _is_str(description):
            feature["description"] = sanitise_text(description)
        features.append(feature)
    rdm["locations"] = {"features": features}


def _load_references(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: strings -> [{reference}]. Like keywords, a bare string is iterated per character."""
    entries = _declared(metadata, "references", errors, kind=object)
    if entries is None:
        return
    if not isinstance(entries, (list, str)):
        errors.add("metadata.references", NOT_LIST)
        return
    references = [{"reference": sanitise_text(r)} for r in entries if _is_str(r) and sanitise_text(r)]
    rdm["references"] = references


# --------------------------------------------------------------------------- identifiers


def _load_identifiers(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: scheme detection and normalisation; isAlternateIdentifier -> metadata.identifiers."""
    if "related_identifiers" not in metadata:
        return
    entries = metadata["related_identifiers"]
    if not isinstance(entries, list):
        errors.add("metadata.related_identifiers", "related_identifiers must be a list")
        return
    related, alternate = [], []
    for i, entry in enumerate(entries):
        field = f"metadata.related_identifiers.{i}"
        if not isinstance(entry, dict):
            errors.add(field, "Each related identifier must be an object")
            continue
        relation = entry.get("relation")
        if relation is not None and not _is_str(relation):
            errors.add(f"{field}.relation", "relation must be a string")
            continue
        identifier = entry.get("identifier")
        if not identifier or not _is_str(identifier):
            errors.add("metadata.related_identifiers.identifier", MISSING)
            continue
        detected = detect_identifier(identifier)
        if detected is None:
            errors.add("metadata.related_identifiers.scheme", "No valid scheme recognized for identifier.")
            continue
        scheme, normalised = detected
        # Only the exact camelCase spelling is split off (zenodo-rdm split_identifiers).
        if relation == "isAlternateIdentifier":
            alternate.append({"identifier": normalised, "scheme": scheme})
            continue
        if relation is None:
            errors.add(f"{field}.relation", MISSING)  # Zenodo: KeyError -> 500 (§3.6 [U])
            continue
        # The historic typo Zenodo fixes, in this exact spelling; vocabulary.canonical_relation
        # fixes any casing of it, since the normaliser only compares (other casings here: [U]).
        if relation == "isOrignialFormOf":
            relation = "isOriginalFormOf"
        relation_id = relation.lower()
        # RDM's relation vocabulary has no "isalternateidentifier": any other spelling of it
        # is an unknown id, like a misspelt relation ([U] 400 is the safe reading, §3.6).
        if vocab.canonical_relation(relation_id) is None or relation_id == "isalternateidentifier":
            errors.unknown_id(f"{field}.relation", relation_id)
            continue
        stored: dict[str, Any] = {
            "identifier": normalised,
            "scheme": scheme,
            "relation_type": {"id": relation_id},
        }
        resource_type = entry.get("resource_type")
        if resource_type:
            if not _is_str(resource_type) or resource_type not in vocab.RESOURCE_TYPE_TITLES:
                errors.unknown_id(f"{field}.resource_type", resource_type)
                continue
            stored["resource_type"] = {"id": resource_type}
        related.append(stored)
    if related or not entries:  # an explicit [] is stored (and read back) as []
        rdm["related_identifiers"] = related
    if alternate:
        rdm["identifiers"] = alternate


def _grant_id(grant: Any) -> str | None:
    """The `funderDOI::award` id of a legacy grant entry.

    Deliberate leniency [U]: users PUT back the whole grant object an older Zenodo GET returned
    (the rose tutorial, tests/fixtures/README.md), which has no `id` but names it in
    `links.self` (`.../api/grants/<funderDOI>::<award>`). Today's source would fail on it
    (KeyError, 500); we read the id from the link so the seed tutorial runs unchanged, as the
    emulator's acceptance criteria require (issue 4). Without either, the field is named in a 400.
    """
    if not isinstance(grant, dict):
        return None
    if "id" in grant:
        return grant["id"] if _is_str(grant["id"]) and grant["id"] else None
    link = (grant.get("links") or {}).get("self") if isinstance(grant.get("links"), dict) else None
    if isinstance(link, str):
        return grant_id_from_self_link(link) or None
    return None


def _load_grants(metadata: dict[str, Any], rdm: dict[str, Any], errors: _Errors) -> None:
    """§3.10: `funderDOI::award` (bare award = EC) -> funding with the funder's ROR id."""
    grants = _declared(metadata, "grants", errors, kind=list)
    if not grants:
        return
    funding = []
    for i, grant in enumerate(grants):
        field = f"metadata.grants.{i}"
        grant_id = _grant_id(grant)
        if not grant_id:
            # Zenodo: KeyError -> 500 (§3.6 [U]); we name the field instead.
            errors.add(f"{field}.id", MISSING)
            continue
        funder_doi, award_number = split_grant_id(grant_id)
        ror = funder_ror(funder_doi)
        if ror is None or not award_number:
            # Funders outside Zenodo's DOI->ROR table are not in its vocabulary (§3.10).
            errors.unknown_id(f"{field}.id", f"{funder_doi}::{award_number}")
            continue
        funding.append(
            {
                "funder": {"id": ror},
                "award": {"id": f"{ror}::{award_number}", "number": award_number},
            }
        )
    rdm["funding"] = funding


# --------------------------------------------------------------------------- top-level hooks

_CUSTOM_GROUPS = {
    "journal:journal": (
        ("journal_title", "title"),
        ("journal_volume", "volume"),
        ("journal_issue", "issue"),
        ("journal_pages", "pages"),
    ),
    "meeting:meeting": (
        ("conference_title", "title"),
        ("conference_acronym", "acronym"),
        ("conference_dates", "dates"),
        ("conference_place", "place"),
        ("conference_url", "url"),
        ("conference_session", "session"),
        ("conference_session_part", "session_part"),
    ),
    "imprint:imprint": (
        ("partof_title", "title"),
        ("partof_pages", "pages"),
        ("imprint_isbn", "isbn"),
        ("imprint_place", "place"),
    ),
    "thesis:thesis": (("thesis_university", "university"),),
}


def _load_custom_fields(metadata: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """§3.10: journal/conference/imprint/part-of/thesis fields and `custom` -> custom_fields."""
    custom_fields: dict[str, Any] = {}
    for group, keys in _CUSTOM_GROUPS.items():
        values = {}
        for legacy_key, rdm_key in keys:
            value = metadata.get(legacy_key)
            if value is None:
                continue
            if not _is_str(value):
                errors.add(f"metadata.{legacy_key}", NOT_STRING)
                continue
            values[rdm_key] = sanitise_text(value)
        if values:
            custom_fields[group] = values
    custom = metadata.get("custom")
    if custom is not None:
        if not isinstance(custom, dict):
            errors.add("metadata.custom", "Not a valid mapping type.")
        else:
            custom_fields.update({k: copy.deepcopy(v) for k, v in custom.items() if v is not None})
    return custom_fields


def _load_access(metadata: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """§3.10: open / restricted and closed (files restricted) / embargoed (needs embargo_date)."""
    access_right = metadata.get("access_right")
    if not access_right or access_right == "open":
        return _open_access()
    if access_right in ("restricted", "closed"):
        return {"record": "public", "files": "restricted", "embargo": {"active": False, "reason": None}}
    embargo_date = metadata.get("embargo_date")
    if access_right == "embargoed" and embargo_date:
        return {
            "record": "public",
            "files": "restricted",
            "embargo": {"active": True, "until": embargo_date, "reason": None},
        }
    errors.add("_schema", "Unknown access type.")
    return _open_access()


def _load_pids(metadata: dict[str, Any], previous_pids: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """§3.10 doi: Zenodo's prefix -> datacite, any other -> external; omitted -> kept (§3.6)."""
    doi = metadata.get("doi")
    if not doi:
        return previous_pids
    if not _is_str(doi):
        errors.add("metadata.doi", NOT_STRING)
        return previous_pids
    previous_doi = previous_pids.get("doi") or {}
    if previous_doi.get("identifier") == doi:
        return previous_pids  # re-sending the record's own DOI changes nothing
    # The provider is decided on the raw string; RDM's PID manager then normalises a valid DOI
    # (https://doi.org/10.1/X -> 10.1/X) and keeps an invalid one, failing it at publish.
    provider = "datacite" if doi.startswith(ZENODO_DOI_PREFIX) else "external"
    if idutils.is_doi(doi):
        doi = idutils.normalize_doi(doi)
    if provider == "datacite":
        return {**previous_pids, "doi": {"identifier": doi, "provider": "datacite", "client": "datacite"}}
    return {**previous_pids, "doi": {"identifier": doi, "provider": "external"}}


def _load_communities(metadata: dict[str, Any], custom_fields: dict[str, Any], errors: _Errors) -> None:
    """§3.10: only a list of {identifier}; kept as requested slugs until publish."""
    communities = metadata.get("communities")
    if not communities:
        return
    valid = isinstance(communities, list) and all(
        isinstance(c, dict) and "identifier" in c for c in communities
    )
    if not valid:
        errors.add("communities", "Communities must be an array of objects with an 'identifier' key.")
        return
    custom_fields["legacy:communities"] = [c["identifier"] for c in communities]


def _load_subjects(metadata: dict[str, Any], custom_fields: dict[str, Any], errors: _Errors) -> None:
    """§3.10: legacy `subjects` [{term, identifier, scheme}] -> custom field legacy:subjects."""
    subjects = metadata.get("subjects")
    if not subjects:
        return
    if not isinstance(subjects, list) or not all(isinstance(s, dict) for s in subjects):
        errors.add("metadata.subjects", "Invalid input type.")
        return
    custom_fields["legacy:subjects"] = [
        {"term": s.get("term"), "identifier": s.get("identifier"), "scheme": s.get("scheme")}
        for s in subjects
    ]
