"""How a user may name a Zenodo concept (a manifest's `concept:`, `zsync bind KEY CONCEPT`).

Accepted: a concept DOI (`10.5281/zenodo.2598799`, also written `doi:...` or as a
https://doi.org/ link), a zenodo.org page of the record (`https://zenodo.org/records/2598799`,
`.../doi/10.5281/zenodo.2598799`), or the concept record id itself (`2598799`). A Zenodo DOI
is `<prefix>/zenodo.<id>` (docs/zenodo-behaviour.md §1.4, §8.7), so every form names a number;
whether that number is a concept or one of its versions only the server can say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_ZENODO_DOI = re.compile(r"^10\.[0-9]{4,9}/zenodo\.([0-9]+)$", re.IGNORECASE)
_ANY_DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_DOI_LINK = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_RECORD_PAGE = re.compile(
    r"^https?://[^/\s]+(?:/api)?/(?:records?|deposit|uploads|deposit/depositions)/([0-9]+)/?(?:[?#]\S*)?$",
    re.IGNORECASE,
)
_DOI_PAGE = re.compile(r"^https?://[^/\s]+/doi/(10\.\S+?)/?(?:[?#]\S*)?$", re.IGNORECASE)

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
    """The ConceptRef `value` names; ConceptFormatError (with a message) when it names none."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConceptFormatError(f"must be {CONCEPT_FORMS}")
    if isinstance(value, int):
        if value < 1:
            raise ConceptFormatError("a record id is a positive number")
        return ConceptRef(str(value))
    text = value.strip()
    if text.isdigit():
        if int(text) < 1:
            raise ConceptFormatError("a record id is a positive number")
        return ConceptRef(str(int(text)))
    page = _RECORD_PAGE.match(text)
    if page:
        return ConceptRef(str(int(page.group(1))))
    doi_page = _DOI_PAGE.match(text)
    doi = doi_page.group(1) if doi_page else _DOI_LINK.sub("", text)
    zenodo = _ZENODO_DOI.match(doi)
    if zenodo:
        return ConceptRef(str(int(zenodo.group(1))), doi.lower())
    if _ANY_DOI.match(doi):
        raise ConceptFormatError(
            "is not a Zenodo DOI: a concept DOI is minted by Zenodo and reads "
            "<prefix>/zenodo.<number> (10.5281/zenodo.2598799); a record with a DOI from elsewhere "
            "has no concept DOI"
        )
    raise ConceptFormatError(f"must be {CONCEPT_FORMS}")
