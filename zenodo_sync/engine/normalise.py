"""One canonical form for deposit-API metadata, so that what zsync sends and what Zenodo reads back compare equal.

The law (docs/architecture.md): right after an apply the plan is empty, i.e. for every manifest

    canonical_desired(sent) == canonical_actual(readback, sent=sent)

where `sent` is the metadata zsync PUT and `readback` the `metadata` the deposit API returns.
Both functions apply the SAME idempotent rules, so a rule only has to make the two forms meet,
not to predict the server byte for byte; where the server adds something by itself
(defaults), `canonical_desired` predicts it. Section numbers are `docs/zenodo-behaviour.md`.

The rules, one small function each below:

 1. Unknown keys are dropped, as the server drops them (§3.6); `access_conditions` and
    `prereserve_doi` too (§3.2, §3.10). `dropped_by_server()` names them for the plan's
    warnings (plan.plan_warnings).
 2. Empty values (None, "", [], {}) mean "not set": `affiliation: null` == absent == "".
 3. Plain text goes through `sanitise_text` and HTML (description, notes, method) through
    `sanitise_html`, the server's own pipeline (§3.11): whitespace, quotes, entities, tags.
 4. Creator/contributor names: exactly one comma splits family/given, recomposed as
    "Family, Given" ("Doe,John" == "Doe, John"; "Doe," == "Doe") (§3.10, §3.11).
 5. ORCID: URL prefix removed, hyphenated, check digit upper-case; GND without `gnd:` (§3.10).
 6. Contributor `type` in the server's CamelCase (§3.10).
 7. `thesis_supervisors` become contributors of type Supervisor placed first (§3.10).
 8. Licenses compared as RDM ids through the server's own table (`licenses.rdm_license_for_legacy`):
    cc-zero == cc0-1.0, isc-license == isc; read-back ids through the map without aliases, so
    `cc-by` read back means cc-by-1.0, not cc-by-4.0 (§3.12).
 9. Default license predicted when the manifest sets none and access is open/embargoed (§3.10).
10. access_right: absent == "open"; "closed" reads back "restricted"; an embargo whose date
    has passed reads back "open"; `embargo_date` only counts while embargoed (§3.10).
11. upload_type subtypes: only the subtype of the chosen type counts; thesis -> dissertation (§3.10).
12. Grants: one string "funderDOI::award"; bare award = EC; funder DOIs through ROR, so RCUK
    == UKRI; shorthand, object and readback forms all meet (§3.10).
13. Communities: a sorted set of slugs; order is not kept by the server after publish (§3.10).
14. Related identifiers: identifier normalised by the server's own detection (idutils), relation in
    camelCase, the server-added `scheme` ignored, alternate identifiers moved last (§3.10).
15. Dates: type lower-case; single dates (start == end, or one side only) lose their value,
    because the server reads them back without start/end (§3.10, zenodo/zenodo#2594).
16. Language: 2-letter codes mapped to the 3-letter code the server stores (§3.10).
17. Locations: lat/lon count only when both are non-zero, as the server keeps them (§3.10).
18. Server-filled fields: `imprint_publisher` "Zenodo" predicted when absent (§3.6);
    `publication_date` and `doi` count only when the manifest sets them (the server fills
    today's date / its own DOI) (§3.6, §3.10).
19. A title, description, notes or method shorter than 3 characters never reaches the server
    (RDM Length(min=3); drafts drop invalid fields silently, §3.6). The validator rejects them.

Order: kept wherever the server keeps it (creators: authorship order; keywords: shown in that
order on the landing page, and a plan must not hide a reorder that apply would send);
sorted only where the server does not keep order (communities).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, overload

from zenodo_sync.engine.identity import without_marker
from zenodo_sync.zenodo import licenses, vocabulary
from zenodo_sync.zenodo.dates import embargo_has_ended, is_interval
from zenodo_sync.zenodo.fields import (
    DEFAULT_PUBLISHER,
    DROPPED_FIELDS,
    HTML_FIELDS,
    KNOWN_FIELDS,
    MIN_LENGTH_FIELDS,
    MIN_TEXT_LENGTH,
    SERVER_FILLED_UNLESS_SET,
    TEXT_FIELDS,
)
from zenodo_sync.zenodo.grants import grant_id_from_self_link, readback_funder_doi, split_grant_id
from zenodo_sync.zenodo.identifiers import (
    detect_identifier,
    hyphenated_orcid,
    stored_gnd,
    strip_doi_prefix,
    strip_orcid_url,
)
from zenodo_sync.zenodo.locations import keeps_point
from zenodo_sync.zenodo.names import readback_name, split_name
from zenodo_sync.zenodo.sanitise import sanitise_html, sanitise_text

# Fields decided together by a rule that reads several keys (resource type, access, license).
_JOINT_FIELDS = frozenset(
    {"upload_type", "publication_type", "image_type", "access_right", "embargo_date", "license"}
)

Metadata = dict[str, Any]


# --- entry points -------------------------------------------------------------------


# --- once per record and run ---------------------------------------------------------
#
# A plan canonicalises each server record for refresh (does it match the lock?), for drift
# and for the diff, and each manifest for the diff and for the removals it warns about. The
# forms are pure functions of the metadata and the day, so each is computed once: cached by
# the metadata's JSON text, and handed out as a fresh copy (callers may change what they get).
# Metadata that is not plain JSON (a YAML date object) is canonicalised without the cache.

_CACHE_SIZE = 8192


def _today(today: str | None) -> str:
    return today or _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def _cached(compute: Callable[[str, str], str], metadata: Metadata, today: str) -> Metadata | None:
    try:
        answer = compute(json.dumps(metadata, ensure_ascii=False), today)
    except (TypeError, ValueError):  # not plain JSON in, or (never seen) not plain JSON out
        return None
    result: Metadata = json.loads(answer)
    return result


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _desired_text(text: str, today: str) -> str:
    return json.dumps(_canonical_desired(json.loads(text), today=today), ensure_ascii=False)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _actual_text(text: str, today: str) -> str:
    return json.dumps(_canonical_actual(json.loads(text), today=today), ensure_ascii=False)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _actual_without_marker_text(text: str, today: str) -> str:
    return json.dumps(_canonical_actual(without_marker(json.loads(text)), today=today), ensure_ascii=False)


def canonical_desired(metadata: Metadata, *, today: str | None = None) -> Metadata:
    """The canonical form of metadata as zsync sends it (server defaults predicted).

    `today` (YYYY-MM-DD, default: today in UTC) decides whether an embargo has ended: the
    server then reads it back as open access (§3.10).
    """
    day = _today(today)
    cached = _cached(_desired_text, metadata, day)
    return cached if cached is not None else _canonical_desired(metadata, today=day)


def _canonical_desired(metadata: Metadata, *, today: str) -> Metadata:
    data = _without_empty(metadata)
    data = move_thesis_supervisors(data)
    canon = _canonical_common(data, today=today)
    canon = predict_server_defaults(canon)
    return canon


def canonical_actual(
    metadata: Metadata,
    *,
    sent: Metadata | None = None,
    today: str | None = None,
    strip_marker: bool = False,
) -> Metadata:
    """The canonical form of the `metadata` the deposit API reads back.

    With `sent` (what zsync sent or will send), server-filled fields the manifest leaves
    unset are dropped, so that the law holds as an equality. `diff.diff_metadata` ignores
    them in any case. `strip_marker`: zsync's own marker is left out (identity.without_marker).
    """
    day = _today(today)
    canon = _cached(_actual_without_marker_text if strip_marker else _actual_text, metadata, day)
    if canon is None:
        canon = _canonical_actual(without_marker(metadata) if strip_marker else metadata, today=day)
    if sent is not None:
        canon = drop_server_filled(canon, sent)
    return canon


def _canonical_actual(metadata: Metadata, *, today: str) -> Metadata:
    data = _without_empty(metadata)
    data = records_api_resource_type(data)
    canon = _canonical_common(data, today=today)
    if canon.get("license"):
        canon["license"] = canonical_read_back_license(data["license"])
    return canon


def canonical_digest(remote_metadata: Metadata) -> str:
    """sha256 of the canonical form of server metadata: the lock keeps it to notice drift.

    zsync's own marker is left out: the manifest never holds it.
    """
    return stable_digest(canonical_actual(remote_metadata, strip_marker=True))


def stable_digest(value: Any) -> str:
    """sha256 of a JSON value, the same whatever the order of its keys."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dropped_by_server(metadata: Metadata) -> list[str]:
    """Keys of `metadata` the deposit API silently drops (§3.6): worth a warning, never a diff."""
    return sorted(key for key in metadata if key in DROPPED_FIELDS or key not in KNOWN_FIELDS)


# --- the pipeline shared by both sides ----------------------------------------------


def _canonical_common(data: Metadata, *, today: str | None) -> Metadata:
    canon: Metadata = {}
    for key, value in data.items():
        if key not in KNOWN_FIELDS or key in DROPPED_FIELDS or key == "thesis_supervisors":
            continue  # rule 1; supervisors were moved into contributors already (rule 7)
        if key in _JOINT_FIELDS:
            continue
        rule = _FIELD_RULES.get(key)
        canon[key] = rule(value) if rule else value
    canon.update(canonical_resource_type(data))
    canon.update(canonical_access(data, today=today))
    if data.get("license"):
        canon["license"] = canonical_license(data["license"])
    return _without_empty(drop_too_short(canon))


# A dict comes back a dict (with the same keys or fewer): metadata in, metadata out.
@overload
def _without_empty(value: Metadata) -> Metadata: ...
@overload
def _without_empty(value: Any) -> Any: ...
def _without_empty(value: Any) -> Any:
    """Rule 2: None, "", [] and {} mean "not set" at every depth (`affiliation: null` == absent)."""
    if isinstance(value, dict):
        cleaned = {key: _without_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if not _is_empty(item)}
    if isinstance(value, (list, tuple)):
        cleaned_items = [_without_empty(item) for item in value]
        return [item for item in cleaned_items if not _is_empty(item)]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]  # a YAML date that slipped through as an object
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- rule 3: text and HTML ----------------------------------------------------------


def _settled(clean: Callable[[str], str], text: str) -> str:
    """`clean` applied until the text no longer changes. One pass is not idempotent: it strips
    before it removes what it removes ("\u200b\rX" -> "\nX"), and the server may run a field
    through its sanitiser twice (deserializer, then RDM schema), so only the settled text is
    the same on both sides whichever number of passes the server made."""
    for _ in range(8):  # each pass only removes or replaces; a few always settle it
        cleaned = clean(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def canonical_text(value: Any) -> str:
    """§3.11: plain text as the server stores it (ftfy, strip), settled."""
    return _settled(sanitise_text, str(value))


def canonical_html(value: Any) -> str:
    """§3.11: HTML as the server stores it: the deserializer's plain-text pass (ftfy), then the
    bleach allow-list, settled, so that it meets whichever passes the server applied."""
    return _settled(lambda text: sanitise_html(sanitise_text(text)), str(value))


def canonical_version(value: Any) -> str | None:
    """`version` as the server stores it (§3.11), None when unset: the plan compares versions
    on their own (a different one needs a new version), so " 1.0" must equal "1.0"."""
    if value is None:
        return None
    return canonical_text(value) or None


def drop_too_short(canon: Metadata) -> Metadata:
    """RDM's Length(min=3) on title and descriptions: a draft silently drops a shorter value
    (§3.6: drafts save partially-invalid metadata), so it never reaches the server."""
    return {
        key: value
        for key, value in canon.items()
        if key not in MIN_LENGTH_FIELDS or not isinstance(value, str) or len(value) >= MIN_TEXT_LENGTH
    }


def _text_list(values: Any) -> list[str]:
    """keywords, references: each entry sanitised (§3.11); order kept (module docstring)."""
    return [canonical_text(value) for value in _as_list(values)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# --- rules 4-7: people --------------------------------------------------------------


def recompose_name(name: Any) -> str:
    """§3.10: a name with exactly one comma is split and read back as "Family, Given".

    Split first, then each part sanitised, as the server does: sanitising the whole name first
    keeps a character that is stripped at the end of a part (U+0085 before the comma)."""
    family, given = split_name(str(name))
    return readback_name(canonical_text(family), None if given is None else canonical_text(given)) or ""


def canonical_orcid(value: Any) -> str:
    """§3.10: the server removes the URL prefix; hyphens and check-digit case carry no meaning."""
    text = str(value).strip()
    # malformed: the validator reports it; compare as written (URL aside)
    return hyphenated_orcid(text) or strip_orcid_url(text)


def canonical_gnd(value: Any) -> str:
    """§3.10: stored as `gnd:<id>` as idutils normalises it (any `gnd:`/d-nb.info prefix
    replaced), read back without the prefix."""
    text = str(value).strip()
    stored = stored_gnd(text)
    if stored is not None:
        return stored
    return text[4:] if text.lower().startswith("gnd:") else text


def canonical_person(person: Any) -> Metadata:
    """A creator or contributor: recomposed name, first affiliation only, bare identifiers."""
    if not isinstance(person, dict):
        return {"name": recompose_name(person)}
    canon: Metadata = {"name": recompose_name(person.get("name", ""))}
    affiliation = person.get("affiliation")
    if isinstance(affiliation, (list, tuple)):  # §3.11: only the first affiliation is kept
        affiliation = affiliation[0] if affiliation else None
    if isinstance(affiliation, dict):
        affiliation = affiliation.get("name")
    if affiliation:
        canon["affiliation"] = canonical_text(affiliation)
    if person.get("orcid"):
        canon["orcid"] = canonical_orcid(person["orcid"])
    if person.get("gnd"):
        canon["gnd"] = canonical_gnd(person["gnd"])
    if person.get("type"):
        canon["type"] = canonical_contributor_type(person["type"])
    return _without_empty(canon)


def canonical_contributor_type(kind: Any) -> str:
    """§3.10: stored as `role.id = type.lower()`, read back in CamelCase."""
    text = str(kind)
    return vocabulary.canonical_contributor_type(text) or text.strip()


def _people(values: Any) -> list[Metadata]:
    return [canonical_person(person) for person in _as_list(values)]


def move_thesis_supervisors(data: Metadata) -> Metadata:
    """§3.10: thesis supervisors are stored as contributors with role supervisor, placed first."""
    supervisors = _as_list(data.get("thesis_supervisors"))
    if not supervisors:
        return data
    moved = dict(data)
    del moved["thesis_supervisors"]
    as_contributors = [
        {**person, "type": "Supervisor"}
        if isinstance(person, dict)
        else {"name": person, "type": "Supervisor"}
        for person in supervisors
    ]
    moved["contributors"] = as_contributors + _as_list(data.get("contributors"))
    return moved


# --- rules 8-11: license, access, resource type -------------------------------------


def canonical_license(value: Any) -> str:
    """§3.12: both sides as the RDM id the server resolves them to (`cc-zero` == `CC0-1.0` ==
    `cc0-1.0`); an id the server rejects stays as written, lower-cased (the validator reports it)."""
    if isinstance(value, dict):
        value = value.get("id", "")
    text = str(value)
    return licenses.rdm_license_for_legacy(text) or text.strip().lower()


def canonical_read_back_license(value: Any) -> str:
    """The RDM id behind a license id the deposit API read back. Read-back ids are resolved
    without the aliases: a few RDM ids read back under an alias that, sent again, means another
    license (cc-by-1.0 reads back as `cc-by`, which means cc-by-4.0: §3.12)."""
    text = (value.get("id", "") if isinstance(value, dict) else str(value)).strip().lower()
    return licenses.rdm_license_for_read_back(text) or canonical_license(text)


def canonical_access(data: Metadata, *, today: str | None) -> Metadata:
    """§3.10: absent == open; closed reads back restricted; an ended embargo reads back open."""
    today = today or _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    access = str(data.get("access_right") or "open").strip().lower()
    if access == "closed":
        access = "restricted"
    embargo_date = str(data.get("embargo_date") or "").strip()
    if access == "embargoed" and today and embargo_date and embargo_has_ended(embargo_date, today):
        access = "open"
    canon: Metadata = {"access_right": access}
    if access == "embargoed" and embargo_date:
        canon["embargo_date"] = embargo_date
    return canon


def canonical_resource_type(data: Metadata) -> Metadata:
    """§3.10: stored as one RDM id "type-subtype", so only the subtype of the chosen type survives."""
    upload_type = str(data.get("upload_type") or "").strip().lower()
    canon: Metadata = {"upload_type": upload_type}
    if upload_type == "publication" and data.get("publication_type"):
        subtype = str(data["publication_type"]).strip().lower()
        # §3.10: stored as one id, publication-thesis as publication-dissertation.
        canon["publication_type"] = vocabulary.resource_type_id("publication", subtype).partition("-")[2]
    if upload_type == "image" and data.get("image_type"):
        canon["image_type"] = str(data["image_type"]).strip().lower()
    return _without_empty(canon)


def records_api_resource_type(data: Metadata) -> Metadata:
    """The records API shows `resource_type: {type, subtype}` (§6.3): read it like upload_type."""
    resource_type = data.get("resource_type")
    if not isinstance(resource_type, dict) or data.get("upload_type"):
        return data
    converted = dict(data)
    kind, subtype = resource_type.get("type"), resource_type.get("subtype")
    converted["upload_type"] = kind
    if subtype and kind in ("publication", "image"):
        converted[f"{kind}_type"] = subtype
    return converted


def predict_server_defaults(canon: Metadata) -> Metadata:
    """§3.6/§3.10: what the server fills in when the manifest is silent, predicted on the sent side."""
    predicted = dict(canon)
    predicted.setdefault("imprint_publisher", DEFAULT_PUBLISHER)
    default = licenses.default_license(predicted.get("upload_type"), predicted.get("access_right"))
    if "license" not in predicted and default:
        predicted["license"] = default
    return predicted


def drop_server_filled(canon: Metadata, sent: Metadata) -> Metadata:
    """§3.6: publication_date (today) and doi (the server's own) count only when the manifest sets them."""
    return {
        key: value
        for key, value in canon.items()
        if key not in SERVER_FILLED_UNLESS_SET or not _is_empty(sent.get(key))
    }


# --- rules 12-14: grants, communities, related identifiers ---------------------------


def canonical_doi(value: Any) -> str:
    """§3.10: `https://doi.org/X`, `dx.doi.org/X` and `doi:X` are all stored as X."""
    return strip_doi_prefix(str(value))


def canonical_grant(grant: Any) -> str:
    """§3.10: shorthand `{"id": "funderDOI::award"}`, a full grant object or a bare award number
    (taken as EC) all become "funderDOI::award", with the funder DOI as the server reads it back
    after its ROR round trip (RCUK comes back as UKRI)."""
    funder, award = split_grant_id(_grant_id(grant))
    return f"{readback_funder_doi(canonical_doi(funder))}::{award.strip()}"


def _grant_id(grant: Any) -> str:
    if not isinstance(grant, dict):
        return str(grant).strip()
    if grant.get("id"):
        return str(grant["id"]).strip()
    linked = grant_id_from_self_link(str((grant.get("links") or {}).get("self") or ""))
    if linked is not None:  # the old grant object form
        return linked.strip()
    funder_doi = (grant.get("funder") or {}).get("doi", "")
    award = grant.get("code") or grant.get("number") or ""
    return f"{funder_doi}::{award}" if funder_doi else str(award)


def _grants(values: Any) -> list[str]:
    return [canonical_grant(grant) for grant in _as_list(values)]


def canonical_communities(values: Any) -> list[str]:
    """§3.10: `[{"identifier": slug}]` on input, `{"id": slug}` in the records API; a set of slugs."""
    slugs = set()
    for entry in _as_list(values):
        slug = entry.get("identifier") or entry.get("id") if isinstance(entry, dict) else entry
        if slug:
            slugs.add(str(slug).strip())
    return sorted(slugs)


def canonical_identifier(value: Any) -> str:
    """§3.10: the server stores identifiers normalised by idutils (DOI, arXiv, handle, ISBN,
    PMID forms); one it cannot detect is refused, so it is compared as written."""
    text = str(value).strip()
    detected = detect_identifier(text)
    return detected[1] if detected else text


def canonical_related_identifiers(values: Any) -> list[Metadata]:
    """§3.10: relation in camelCase, `scheme` (added by the server) ignored, alternates last.

    Alternate identifiers are stored as bare {identifier, scheme}: their resource_type is lost.
    Relations RDM added after the legacy API read back without `relation` at all."""
    entries = []
    for entry in _as_list(values):
        if not isinstance(entry, dict):
            continue
        relation = str(entry.get("relation") or "")
        relation = vocabulary.canonical_relation(relation) or relation.strip()
        canon = {"identifier": canonical_identifier(entry.get("identifier", ""))}
        if relation not in vocabulary.RDM_ONLY_RELATIONS:
            canon["relation"] = relation
        if entry.get("resource_type") and relation != "isAlternateIdentifier":
            canon["resource_type"] = str(entry["resource_type"]).strip().lower()
        entries.append(_without_empty(canon))
    return alternate_identifiers_last(entries)


def alternate_identifiers_last(entries: list[Metadata]) -> list[Metadata]:
    """§3.10: isAlternateIdentifier entries move to metadata.identifiers and read back appended last."""
    others = [entry for entry in entries if entry.get("relation") != "isAlternateIdentifier"]
    alternates = [entry for entry in entries if entry.get("relation") == "isAlternateIdentifier"]
    return others + alternates


# --- rules 15-17: dates, language, locations -----------------------------------------


def canonical_date_entry(entry: Any) -> Metadata:
    """§3.10: type lower-cased; a single date (start == end, or one side only) reads back
    without start/end (zenodo/zenodo#2594), so only intervals keep their values."""
    if not isinstance(entry, dict):
        return {}
    canon: Metadata = {"type": str(entry.get("type") or "").strip().lower()}
    start, end = (str(entry.get(side) or "").strip() for side in ("start", "end"))
    if is_interval(start, end):
        canon["start"], canon["end"] = start, end
    if entry.get("description"):
        canon["description"] = canonical_text(entry["description"])
    return _without_empty(canon)


def _dates(values: Any) -> list[Metadata]:
    return [canonical_date_entry(entry) for entry in _as_list(values)]


def canonical_language(value: Any) -> str:
    """§3.10: 2-letter ISO 639-1 codes are stored (and read back) as the 3-letter code."""
    code = str(value).strip().lower()
    return vocabulary.language_id(code) or code


def canonical_location(entry: Any) -> Metadata:
    """§3.10: geometry is stored only when both lat and lon are truthy (0 is dropped)."""
    if not isinstance(entry, dict):
        return {}
    canon: Metadata = {"place": canonical_text(entry.get("place") or "")}
    lat, lon = entry.get("lat"), entry.get("lon")
    if lat is not None and lon is not None and keeps_point(lat, lon):
        canon["lat"], canon["lon"] = float(lat), float(lon)
    if entry.get("description"):
        canon["description"] = canonical_text(entry["description"])
    return _without_empty(canon)


def _locations(values: Any) -> list[Metadata]:
    return [canonical_location(entry) for entry in _as_list(values)]


def canonical_subject(entry: Any) -> Metadata:
    """§3.10: stored as given in `legacy:subjects`; missing keys read back as null (rule 2)."""
    if not isinstance(entry, dict):
        return {"term": canonical_text(entry)}
    subject: Metadata = {
        key: canonical_text(value)
        for key, value in entry.items()
        if key in ("term", "identifier", "scheme") and value is not None
    }
    return _without_empty(subject)


def _subjects(values: Any) -> list[Metadata]:
    return [canonical_subject(entry) for entry in _as_list(values)]


_FIELD_RULES: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(TEXT_FIELDS, canonical_text),
    **dict.fromkeys(HTML_FIELDS, canonical_html),
    "publication_date": lambda value: str(value).strip(),
    "doi": canonical_doi,
    "creators": _people,
    "contributors": _people,
    "keywords": _text_list,
    "references": _text_list,
    "grants": _grants,
    "communities": canonical_communities,
    "related_identifiers": canonical_related_identifiers,
    "dates": _dates,
    "language": canonical_language,
    "locations": _locations,
    "subjects": _subjects,
}
