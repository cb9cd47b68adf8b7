"""zsync's restatement of idutils' ORCID rules gives idutils' answer for every value.

identifiers.stored_orcid restates idutils' normalize_orcid + is_orcid so that validating a
manifest does not import idutils; the server runs idutils, so any disagreement is a bug.
"""

from __future__ import annotations

import idutils
from hypothesis import given
from hypothesis import strategies as st

from zenodo_sync.zenodo.identifiers import orcid_check_digit, stored_orcid
from zenodo_sync.zenodo.sanitise import sanitise_text


def idutils_verdict(value: str) -> str | None:
    normalised = idutils.normalize_orcid(sanitise_text(value))
    return normalised if idutils.is_orcid(normalised) else None


def valid(base: str) -> str:
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


EXAMPLES = [
    "0000-0002-1825-0097",
    "https://orcid.org/0000-0002-1825-0097",
    "http://orcid.org/0000-0002-1825-0097",
    "orcid.org/0000-0002-1825-0097",
    "0000-0002-1825-0098",  # wrong check digit
    "0000000218250097",
    "0000 0002 1825 0097",
    "0000-0001-5000-0007",  # check digit right, outside the issued ranges? idutils decides
    valid("000000015000000"),
    valid("000000034999999"),
    valid("000000035000001"),
    valid("000900000000000"),
    valid("000900100000001"),
    "0000-0002-1694-233X",
    "0000-0002-1694-233x",
    "https://isni.org/isni/0000000218250097",
    "0000-0002-1825-00970",
    "0000-0002-1825",
    "",
    "  0000-0002-1825-0097  ",
    "٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧",
    "abcd-efgh-ijkl-mnop",
]


def test_examples_agree_with_idutils() -> None:
    for value in EXAMPLES:
        assert stored_orcid(value) == idutils_verdict(value), value


@given(st.text(alphabet="0123456789Xx- :/.htpsorcidgn", max_size=40))
def test_any_text_agrees_with_idutils(value: str) -> None:
    assert stored_orcid(value) == idutils_verdict(value)


@given(st.from_regex(r"\A0000-000[0-9]-[0-9]{4}-[0-9]{3}[0-9X]\Z"))
def test_orcid_shaped_values_agree_with_idutils(value: str) -> None:
    assert stored_orcid(value) == idutils_verdict(value)
