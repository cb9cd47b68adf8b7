"""How a user may name a Zenodo concept (a manifest's `concept:`, `zsync bind KEY CONCEPT`).

Accepted: a concept DOI (`10.5281/zenodo.2598799`, also written `doi:...` or as a
https://doi.org/ link), a zenodo.org page of the record (`https://zenodo.org/records/2598799`,
`.../doi/10.5281/zenodo.2598799`), or the concept record id itself (`2598799`). A Zenodo DOI
is `<prefix>/zenodo.<id>` (docs/zenodo-behaviour.md §1.4, §8.7), so every form names a number;
whether that number is a concept or one of its versions only the server can say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zenodo_sync.zenodo.recordref import RecordRefError, is_doi, parse_record_ref

CONCEPT_FORMS = (
    "a concept DOI (10.5281/zenodo.2598799, or https://doi.org/10.5281/zenodo.2598799), a Zenodo "
    "record URL (https://zenodo.org/records/2598799) or a concept record id (2598799)"
)


@dataclass(frozen=True)
class ConceptRef:
    """A concept as the user named it: the number it names, and the DOI when one was written."""

    number: str  # the record id, or the id inside a Zenodo DOI
    doi: str | None = None  # lower case; None when the user wrote an id or a record URL

    def __str__(self) -> str:
        return self.doi or self.number


class ConceptFormatError(ValueError):
    """The text names no Zenodo concept; the message says why."""


def parse_concept(value: Any) -> ConceptRef:
    """The ConceptRef `value` names; ConceptFormatError (with a message) when it names none.

    Read as any record reference is (zenodo/recordref.py): a concept is named the ways a
    record is; a YAML number is the concept's record id.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConceptFormatError(f"must be {CONCEPT_FORMS}")
    text = str(value).strip()
    if text.isdigit() and int(text) < 1:
        raise ConceptFormatError("a record id is a positive number")
    try:
        ref = parse_record_ref(text)
    except RecordRefError as error:
        if is_doi(text):
            raise ConceptFormatError(
                "is not a Zenodo DOI: a concept DOI is minted by Zenodo and reads "
                "<prefix>/zenodo.<number> (10.5281/zenodo.2598799); a record with a DOI from elsewhere "
                "has no concept DOI"
            ) from error
        raise ConceptFormatError(f"must be {CONCEPT_FORMS}") from error
    return ConceptRef(str(ref.record_id), ref.doi)
