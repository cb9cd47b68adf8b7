"""Checks of meaning that JSON Schema cannot express: check digits, real dates, vocabularies.

Runs on a manifest whose shape already passed the schema. Each check reports through
`report(pointer, rule, message, severity)`; the caller knows where a pointer was written.
Warnings are findability advice: Zenodo accepts the record, people just find it less.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from typing import Any

from zenodo_sync.manifest.findings import ERROR, WARNING
from zenodo_sync.manifest.schema_source import MARKER_PREFIX
from zenodo_sync.zenodo.concepts import ConceptFormatError, ConceptRef, parse_concept
from zenodo_sync.zenodo.dates import embargo_has_ended, parse_edtf_date
from zenodo_sync.zenodo.fields import MIN_TEXT_LENGTH
from zenodo_sync.zenodo.grants import funder_ror, split_grant_id
from zenodo_sync.zenodo.identifiers import detect_identifier, is_valid_orcid, stored_gnd, stored_orcid
from zenodo_sync.zenodo.licenses import accepted_license_ids, license_meant_by_title_only, title_only_license
from zenodo_sync.zenodo.locations import keeps_point
from zenodo_sync.zenodo.names import readback_name, split_name
from zenodo_sync.zenodo.sanitise import sanitise_html, sanitise_text
from zenodo_sync.zenodo.vocabulary import languages

Report = Callable[[str, str, str, str], None]  # (pointer, rule, message, severity)

# Stricter than the server on purpose: idutils takes any `10.<digits>/<anything>` after `doi:\s*`
# or a resolver URL (identifiers.DOI_PREFIX); the validator wants DataCite's registrant form and
# the prefixes people write, so a likely typo is caught before Zenodo stores it.
_DOI_RE = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_DOI_URL_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
MIN_DESCRIPTION_WORDS = 6  # "shorter than a sentence"


def _entries(metadata: dict[str, Any], field: str) -> list[tuple[int, dict[str, Any]]]:
    """The mapping entries of a list field; the schema reports any other shape."""
    value = metadata.get(field)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _license_id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def check_metadata(metadata: dict[str, Any], report: Report, today: datetime.date) -> None:
    base = "/metadata"
    _check_people(metadata, base, report)
    _check_blank_text(metadata, base, report)
    _check_dates(metadata, base, report, today)
    _check_license(metadata, base, report)
    _check_language(metadata, base, report)
    _check_identifiers(metadata, base, report)
    _check_types(metadata, base, report)
    _check_locations(metadata, base, report)
    _check_findability(metadata, base, report)
    _check_gnds(metadata, base, report)
    _check_additional_descriptions(metadata, base, report)
    _check_own_doi(metadata, base, report)


def _check_people(metadata: dict[str, Any], base: str, report: Report) -> None:
    for group in ("creators", "contributors", "thesis_supervisors"):
        for index, person in _entries(metadata, group):
            _check_name(person.get("name"), f"{base}/{group}/{index}/name", report)
            orcid = person.get("orcid")
            if isinstance(orcid, str) and not is_valid_orcid(orcid):
                report(
                    f"{base}/{group}/{index}/orcid",
                    "orcid-checksum",
                    f"ORCID iD {orcid} has a wrong check digit (ISO 7064 11,2): a typo in one of its digits?",
                    ERROR,
                )
            elif isinstance(orcid, str) and stored_orcid(orcid) is None:
                # The server asks idutils too, and silently drops the iD: the plan would add it forever.
                report(
                    f"{base}/{group}/{index}/orcid",
                    "orcid-unissued",
                    f"ORCID iD {orcid} has a valid check digit but is outside the ranges ORCID issues "
                    "(0000-0001-5000-0007 to 0000-0003-5000-0001, "
                    "0009-0000-0000-0000 to 0009-0010-0000-0000); Zenodo drops it: "
                    "copy the iD from the person's ORCID page",
                    ERROR,
                )


def _check_name(name: Any, pointer: str, report: Report) -> None:
    """Zenodo keeps the family name, the part before the one comma; a blank one is refused at
    publish ("Family name cannot be blank", §3.11), after the draft and its uploads exist."""
    if not isinstance(name, str):
        return
    family, given = split_name(name)
    if readback_name(family, given) is not None:
        return
    if not sanitise_text(name.replace(",", "")):
        message = "name is blank (only spaces): Zenodo refuses to publish a person without a name"
    else:
        message = (
            f"`{name}` has nothing before its comma: Zenodo refuses a blank family name "
            "(write `Family, Given`)"
        )
    report(pointer, "name-blank", message, ERROR)


def _check_blank_text(metadata: dict[str, Any], base: str, report: Report) -> None:
    """Zenodo strips text before it stores it (§3.11): a title that is only spaces is dropped and
    then missing at publish, a blank publisher leaves nothing for the DOI registration."""
    title = metadata.get("title")
    if isinstance(title, str) and len(sanitise_text(title)) < MIN_TEXT_LENGTH:
        shown = sanitise_text(title)
        detail = "is blank (only spaces)" if not shown else f"is `{shown}` once spaces are stripped"
        report(
            f"{base}/title",
            "text-blank",
            f"title {detail}: Zenodo needs at least {MIN_TEXT_LENGTH} characters and refuses to publish",
            ERROR,
        )
    publisher = metadata.get("imprint_publisher")
    if isinstance(publisher, str) and not sanitise_text(publisher):
        report(
            f"{base}/imprint_publisher",
            "text-blank",
            "imprint_publisher is blank (only spaces): Zenodo refuses to publish without a publisher "
            "(leave the key out and Zenodo is the publisher)",
            ERROR,
        )


def _check_dates(metadata: dict[str, Any], base: str, report: Report, today: datetime.date) -> None:
    def existing(pointer: str, value: Any) -> datetime.date | None:
        if not isinstance(value, str):
            return None
        date = parse_edtf_date(value)
        if date is None:
            report(pointer, "date-invalid", f"{value} is not a date that exists", ERROR)
        return date

    existing(f"{base}/publication_date", metadata.get("publication_date"))
    embargo = existing(f"{base}/embargo_date", metadata.get("embargo_date"))
    if (
        embargo is not None
        and metadata.get("access_right") == "embargoed"
        and embargo_has_ended(metadata["embargo_date"], today.isoformat())
    ):
        # Zenodo refuses to publish: "Embargo end date must be set to a future date." (docs/zenodo-behaviour.md §3.9)
        report(
            f"{base}/embargo_date",
            "embargo-date-past",
            f"embargo_date {metadata['embargo_date']} is not in the future (today is {today.isoformat()}); "
            "Zenodo refuses to publish it",
            ERROR,
        )
    for index, entry in _entries(metadata, "dates"):
        start = existing(f"{base}/dates/{index}/start", entry.get("start"))
        end = existing(f"{base}/dates/{index}/end", entry.get("end"))
        if start and end and start > end:
            report(
                f"{base}/dates/{index}/end",
                "date-range",
                f"end {entry['end']} is before start {entry['start']}",
                ERROR,
            )


def _check_license(metadata: dict[str, Any], base: str, report: Report) -> None:
    if "license" not in metadata:
        return
    value = _license_id(metadata["license"])
    if value is None:
        return
    pointer = f"{base}/license" + ("/id" if isinstance(metadata["license"], dict) else "")
    lowered = value.strip().lower()
    # Exactly the ids the server resolves (§3.12), aliases such as cc-zero included.
    known = accepted_license_ids()
    if lowered in known:
        return
    if title_only_license(value):
        report(
            pointer,
            "license-unknown",
            f"Zenodo keeps license `{value}` as a title only and reads it back with no license, "
            f"so every plan would show it as a change; write `{license_meant_by_title_only(value)}`",
            ERROR,
        )
        return
    choices = sorted(known)
    close = difflib.get_close_matches(lowered, choices, n=3, cutoff=0.6)
    hint = (
        f"; did you mean {' or '.join(f'`{c}`' for c in close)}?"
        if close
        else " (Zenodo uses SPDX ids, e.g. cc-by-4.0, cc0-1.0, mit)"
    )
    report(pointer, "license-unknown", f"license `{value}` is not in Zenodo's license list{hint}", ERROR)


def _check_language(metadata: dict[str, Any], base: str, report: Report) -> None:
    code = metadata.get("language")
    if not isinstance(code, str):
        return
    langs = languages()
    if code in langs.alpha3 or code in langs.alpha2:
        return
    if code in langs.bibliographic:
        target = langs.bibliographic[code]
        hint = f"; Zenodo uses the ISO 639-3 code `{target}` ({langs.alpha3[target]}) for `{code}`"
    else:
        hint = " (use an ISO 639 code such as eng, deu, fra or en)"
    report(f"{base}/language", "language-unknown", f"`{code}` is not an ISO 639 language code{hint}", ERROR)


def _check_identifiers(metadata: dict[str, Any], base: str, report: Report) -> None:
    for index, item in _entries(metadata, "related_identifiers"):
        identifier = item.get("identifier")
        if not isinstance(identifier, str):
            continue
        pointer = f"{base}/related_identifiers/{index}/identifier"
        detected = detect_identifier(identifier)
        stored = detected[1] if detected else sanitise_text(identifier)
        if stored.lower().startswith(MARKER_PREFIX):
            # zsync adds and strips its own marker on every save; one written by hand never settles.
            report(
                pointer,
                "identifier-reserved",
                f"`{identifier}` uses zsync's own marker scheme ({MARKER_PREFIX}...), which zsync adds "
                "to every record itself: remove this entry",
                ERROR,
            )
            continue
        looks_doi = (
            item.get("scheme") == "doi" or identifier.startswith("10.") or _DOI_URL_RE.match(identifier)
        )
        if looks_doi:
            bare = _DOI_URL_RE.sub("", identifier)
            if not _DOI_RE.match(bare):
                message = f"`{identifier}` is not a valid DOI (10.<registrant>/<suffix>)"
                report(pointer, "doi-syntax", message, ERROR)
                continue
        if detected is None:
            # The server detects the scheme itself and answers 400 "No valid scheme recognized" (§3.10).
            report(
                pointer,
                "identifier-scheme-unknown",
                f"Zenodo cannot tell what kind of identifier `{identifier}` is and refuses the record: "
                "write a DOI, a full URL (https://...), an arXiv id, a handle, an ISBN, ...",
                ERROR,
            )
    grants = metadata.get("grants") if isinstance(metadata.get("grants"), list) else []
    for index, grant in enumerate(grants):
        grant_id = grant.get("id") if isinstance(grant, dict) else grant
        if isinstance(grant_id, str):
            funder, _ = split_grant_id(grant_id)
            if funder_ror(funder) is None:
                # Zenodo maps funder DOIs to ROR ids with a fixed table and refuses the rest (§3.10):
                # apply would fail after planning, so validate refuses it first.
                report(
                    f"{base}/grants/{index}",
                    "grant-funder-unknown",
                    f"funder {funder} is not in Zenodo's funder table (its DOI -> ROR map); Zenodo "
                    "refuses the grant",
                    ERROR,
                )


def _check_types(metadata: dict[str, Any], base: str, report: Report) -> None:
    upload_type = metadata.get("upload_type")
    for field, owner in (("publication_type", "publication"), ("image_type", "image")):
        if field in metadata and upload_type != owner:
            report(
                f"{base}/{field}",
                "subtype-ignored",
                f"{field} is only used when upload_type is {owner}; Zenodo ignores it here",
                WARNING,
            )


def _check_locations(metadata: dict[str, Any], base: str, report: Report) -> None:
    for index, location in _entries(metadata, "locations"):
        given = "lat" in location or "lon" in location
        if given and not keeps_point(location.get("lat"), location.get("lon")):
            # Zenodo keeps a point only when both lat and lon are non-zero (docs/zenodo-behaviour.md §3.10).
            report(
                f"{base}/locations/{index}",
                "location-point-dropped",
                "Zenodo keeps coordinates only when both lat and lon are given and non-zero",
                WARNING,
            )


def _check_findability(metadata: dict[str, Any], base: str, report: Report) -> None:
    if not metadata.get("keywords"):
        report(base, "findability-keywords", "no keywords: add a few so people can find this record", WARNING)
    creators = metadata.get("creators") if isinstance(metadata.get("creators"), list) else []
    if creators and not any(isinstance(c, dict) and c.get("orcid") for c in creators):
        report(
            f"{base}/creators",
            "findability-orcid",
            "no creator has an ORCID iD: add them so the record links to its authors",
            WARNING,
        )
    description = metadata.get("description")
    words = len(re.sub(r"<[^>]*>", " ", description).split()) if isinstance(description, str) else 0
    if words < MIN_DESCRIPTION_WORDS:
        pointer = f"{base}/description" if isinstance(description, str) else base
        report(
            pointer,
            "findability-description",
            "description is shorter than a sentence: say what the data is, how it was made, and by whom",
            WARNING,
        )


def _check_gnds(metadata: dict[str, Any], base: str, report: Report) -> None:
    """Zenodo keeps a GND id only as idutils reads it (§3.10): it drops one idutils does not
    recognise and cuts a longer one short, so the record would never match the manifest."""
    for group in ("creators", "contributors", "thesis_supervisors"):
        for index, person in _entries(metadata, group):
            gnd = person.get("gnd")
            if not isinstance(gnd, str):
                continue
            stored = stored_gnd(gnd)
            if stored is None or not sanitise_text(gnd).endswith(stored):
                report(
                    f"{base}/{group}/{index}/gnd",
                    "gnd-format",
                    f"`{gnd}` is not a GND id (such as 118540238 or gnd:4074335-4); "
                    + ("Zenodo drops it" if stored is None else f"Zenodo would keep only {stored}"),
                    ERROR,
                )


def _check_additional_descriptions(metadata: dict[str, Any], base: str, report: Report) -> None:
    """Zenodo cleans notes and method as HTML before it stores them (§3.11); one that comes out
    shorter than 3 characters is kept without its text, and publish then refuses the record."""
    for field in ("notes", "method"):
        value = metadata.get(field)
        if not isinstance(value, str):
            continue
        stored = sanitise_html(value)
        if len(stored) < MIN_TEXT_LENGTH:
            report(
                f"{base}/{field}",
                "html-too-short",
                f"{field} is `{stored}` once Zenodo cleans its HTML: it needs at least "
                f"{MIN_TEXT_LENGTH} characters and refuses to publish",
                ERROR,
            )


ZENODO_DOI_PREFIX = "10.5281/"


def _check_own_doi(metadata: dict[str, Any], base: str, report: Report) -> None:
    """`doi` names an existing DOI from elsewhere; Zenodo mints its own 10.5281 DOIs and blocks
    that prefix as an external one (§3.10), so the record never carries the DOI written."""
    doi = metadata.get("doi")
    if isinstance(doi, str) and doi.strip().startswith(ZENODO_DOI_PREFIX):
        report(
            f"{base}/doi",
            "doi-zenodo-prefix",
            f"{doi} is a Zenodo DOI: Zenodo registers those itself; leave `doi` out to get one",
            ERROR,
        )


def check_concept(value: object, report: Report) -> ConceptRef | None:
    """The manifest's `concept:` (the existing record it describes), or None when it names none.

    Whether the number is a concept, one of its versions, or someone else's record, only the
    server can say: plan checks that (engine/refresh.py).
    """
    try:
        return parse_concept(value)
    except ConceptFormatError as exc:
        shown = value if isinstance(value, (int, str)) else type(value).__name__
        report("/concept", "concept-format", f"concept `{shown}` {exc}", ERROR)
        return None
