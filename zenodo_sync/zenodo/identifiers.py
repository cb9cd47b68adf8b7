"""Identifiers as Zenodo reads them (§3.10 creators, related_identifiers, doi).

Related identifiers: the server detects the scheme and normalises the value with idutils;
`detect_identifier` does exactly that, for the emulator (which stores the result) and for the
normaliser (which predicts it, so `1310.2590` == `arXiv:1310.2590`, an ISBN-10 == its ISBN-13).

ORCID iDs: `stored_orcid` is idutils' verdict, as the server reaches it (its two short rules
restated here, checked against idutils by the tests, so that validating a manifest does not
pay idutils' import, a third of a second); the emulator stores
its answer and the validator refuses what it would drop. The check-digit rules below let the
validator say *why* an iD is refused, and the normaliser compare iDs written as URLs.
DOIs: the emulator calls idutils itself, as the server does; the validator and the normaliser
use the rules below, which agree with idutils on every value a manifest may hold.
"""

from __future__ import annotations

import re
from typing import Any

from zenodo_sync.zenodo import vocabulary as vocab
from zenodo_sync.zenodo.sanitise import sanitise_text

# The URL forms people paste. The server (idutils) only strips `http(s)://orcid.org/`; the
# schema refuses the other forms, and the normaliser accepts them so a plan compares the iD.
_ORCID_URL = re.compile(r"^(https?://)?(www\.|sandbox\.)?orcid\.org/", re.IGNORECASE)

# idutils' DOI prefixes: `doi:`, `https://doi.org/`, `dx.doi.org/`; the server stores the bare DOI.
DOI_PREFIX = re.compile(r"^(doi:\s*|(https?://)?(dx\.)?doi\.org/)", re.IGNORECASE)


def strip_orcid_url(value: str) -> str:
    """The iD of an ORCID written as a URL; the value itself otherwise."""
    return _ORCID_URL.sub("", value)


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 15 ORCID digits."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def is_valid_orcid(value: str) -> bool:
    """16 characters (URL and hyphens aside) whose last one is the check digit of the others."""
    digits = strip_orcid_url(value).replace("-", "")
    return len(digits) == 16 and digits[:15].isdigit() and orcid_check_digit(digits[:15]) == digits[15]


# idutils' ORCID rules (normalize_orcid, is_orcid and the is_isni it calls), step for step.
_IDUTILS_ORCID_URLS = ("http://orcid.org/", "https://orcid.org/")
_IDUTILS_ISNI_URLS = ("http://isni.org/isni/", "https://isni.org/isni/")
_ORCID_ISNI_RANGES = ((15_000_000, 35_000_000), (900_000_000_000, 900_100_000_000))


def _idutils_normalize_orcid(value: str) -> str:
    value = _strip_first_prefix(value, _IDUTILS_ORCID_URLS).replace("-", "").replace(" ", "")
    return "-".join([value[0:4], value[4:8], value[8:12], value[12:16]])


def _idutils_is_isni(value: str) -> bool:
    value = _strip_first_prefix(value, _IDUTILS_ISNI_URLS).replace("-", "").replace(" ", "").upper()
    if len(value) != 16:
        return False
    try:
        total = 0
        for char in value[:-1]:
            total = (total + int(char)) * 2
        check = 10 if value[-1] == "X" else int(value[-1])
    except ValueError:
        return False
    return (12 - total % 11) % 11 == check


def _idutils_is_orcid(value: str) -> bool:
    if value.startswith(_IDUTILS_ISNI_URLS):
        return False
    value = _strip_first_prefix(value, _IDUTILS_ORCID_URLS).replace("-", "").replace(" ", "")
    if not _idutils_is_isni(value):
        return False
    number = int(value[:-1], 10)
    return any(start <= number <= end for start, end in _ORCID_ISNI_RANGES)


def _strip_first_prefix(value: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def stored_orcid(value: str) -> str | None:
    """The ORCID iD Zenodo keeps for `value`, or None when it drops it on save (§3.10):
    idutils wants a valid check digit *and* an iD inside the ranges ORCID issues."""
    normalised = _idutils_normalize_orcid(sanitise_text(value))
    return normalised if _idutils_is_orcid(normalised) else None


def hyphenated_orcid(value: str) -> str | None:
    """The `0000-0000-0000-000X` form the server stores and reads back, or None when `value`
    (URL, hyphens and spaces aside) is not 16 characters. The check digit is not verified."""
    compact = strip_orcid_url(value.strip()).replace("-", "").replace(" ", "").upper()
    if len(compact) != 16:
        return None
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def strip_doi_prefix(value: str) -> str:
    """A DOI without its `doi:` / resolver URL prefix, as the server stores it."""
    return DOI_PREFIX.sub("", value.strip())


def detect_identifier(identifier: str) -> tuple[str, str] | None:
    """(scheme, normalised identifier) as Zenodo detects it with idutils, or None: the server
    answers 400 "No valid scheme recognized for identifier." (§3.10)."""
    idutils = _idutils()
    value = sanitise_text(identifier)
    allowed = set(vocab.IDENTIFIER_SCHEMES)
    for scheme in idutils.detect_identifier_schemes(value):
        if scheme in allowed:  # the first detected scheme Zenodo allows wins
            return scheme, idutils.normalize_pid(value, scheme)
    return None


def stored_gnd(value: str) -> str | None:
    """The GND id Zenodo keeps for `value`, without its `gnd:` prefix, or None when idutils does
    not take it for a GND. idutils matches only a prefix of the value, so a longer one is cut
    short ("3656731592" is kept as 365673159): the validator refuses a GND not kept whole."""
    idutils = _idutils()
    text = sanitise_text(value)
    if not idutils.is_gnd(text):
        return None
    normalised: str = idutils.normalize_gnd(text)  # idutils ships no type information
    return normalised[len("gnd:") :]


def _idutils() -> Any:
    """idutils, imported on first use: its import compiles regular expressions for a third of
    a second, which `zsync validate` of a manifest without related identifiers never needs."""
    import idutils

    return idutils
