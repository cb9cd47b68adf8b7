"""Zenodo's publish-time validation of a stored draft (docs/zenodo-behaviour.md §3.9).

Publishing runs three checks in turn, and the first that fails answers the request alone:
1. the strict RDM schema over the draft (field paths like
   `metadata.creators.0.person_or_org.family_name`, and `access.embargo.until`);
2. the files component: Zenodo forbids metadata-only records, so at least one file;
3. the PID checks: a Zenodo (DataCite) DOI needs a publisher; an external DOI must be a DOI.
So metadata errors are always reported before the files error.
"""

from __future__ import annotations

import re

import idutils

from zenodo_sync.zenodo.dates import embargo_has_ended, is_edtf_date
from zenodo_sync.zenodo.deposit_to_rdm import MISSING
from zenodo_sync.zenodo.fields import MIN_TEXT_LENGTH

FILES_MISSING = "Missing uploaded files. To disable files for this record please mark it as metadata-only."
EMBARGO_IN_PAST = "Embargo end date must be set to a future date."
PUBLISHER_MISSING = "Missing publisher field required for DOI registration."
INVALID_DOI = "Invalid DOI"  # RDM PID manager: "Invalid %(scheme)s" with the scheme's label


def _natural_key(item: dict) -> list:
    """Sort `metadata.creators.10` after `metadata.creators.2`."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", item["field"])]


def _person_errors(entries: list, field: str, *, needs_role: bool) -> list[dict]:
    errors = []
    for i, entry in enumerate(entries):
        person = entry.get("person_or_org") or {}
        kind = person.get("type")
        if kind == "organizational":
            if not (person.get("name") or "").strip():
                errors.append(
                    {"field": f"{field}.{i}.person_or_org.name", "messages": ["Name cannot be blank."]}
                )
        elif not (person.get("family_name") or "").strip():
            errors.append(
                {
                    "field": f"{field}.{i}.person_or_org.family_name",
                    "messages": ["Family name cannot be blank."],
                }
            )
        if needs_role and not (entry.get("role") or {}).get("id"):
            errors.append({"field": f"{field}.{i}.role", "messages": [MISSING]})
    return errors


def _schema_errors(stored: dict, today: str) -> list[dict]:
    metadata = stored.get("metadata") or {}
    errors: list[dict] = []

    def missing(key: str) -> None:
        errors.append({"field": f"metadata.{key}", "messages": [MISSING]})

    if not (metadata.get("resource_type") or {}).get("id"):
        missing("resource_type")
    title = metadata.get("title")
    if title is None:
        missing("title")
    elif len(title) < MIN_TEXT_LENGTH:  # reachable through the native API only: the legacy layer drops it
        errors.append(
            {"field": "metadata.title", "messages": [f"Shorter than minimum length {MIN_TEXT_LENGTH}."]}
        )
    if not metadata.get("publication_date"):
        missing("publication_date")
    if not metadata.get("creators"):
        missing("creators")
    else:
        errors += _person_errors(metadata["creators"], "metadata.creators", needs_role=False)
    errors += _person_errors(metadata.get("contributors") or [], "metadata.contributors", needs_role=True)
    for i, entry in enumerate(metadata.get("additional_descriptions") or []):
        if not entry.get("description"):
            missing(f"additional_descriptions.{i}.description")
    for i, entry in enumerate(metadata.get("dates") or []):
        if not entry.get("date"):
            missing(f"dates.{i}.date")

    embargo = (stored.get("access") or {}).get("embargo") or {}
    if embargo.get("active"):
        until = embargo.get("until")
        if not until or not is_edtf_date(until) or embargo_has_ended(until, today):
            errors.append({"field": "access.embargo.until", "messages": [EMBARGO_IN_PAST]})
    return sorted(errors, key=_natural_key)


def publish_errors(stored: dict, file_count: int, *, today: str) -> list[dict]:
    """Errors Zenodo answers a publish with (400), or [] when the draft is publishable."""
    errors = _schema_errors(stored, today)
    if errors:
        return errors
    if file_count < 1:
        return [{"field": "files.enabled", "messages": [FILES_MISSING]}]
    doi = (stored.get("pids") or {}).get("doi") or {}
    if doi.get("provider") == "external":
        if not idutils.is_doi(doi.get("identifier") or ""):
            return [{"field": "pids.doi", "messages": [INVALID_DOI]}]
    elif not (stored.get("metadata") or {}).get("publisher"):
        return [{"field": "metadata.publisher", "messages": [PUBLISHER_MISSING]}]
    return []
