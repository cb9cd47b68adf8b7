"""Units of the semantic checks that have arithmetic in them."""

import datetime

import pytest

from zenodo_sync.zenodo.dates import parse_edtf_date as parse_date
from zenodo_sync.zenodo.identifiers import is_valid_orcid, orcid_check_digit
from zenodo_sync.zenodo.licenses import accepted_license_ids
from zenodo_sync.zenodo.vocabulary import languages


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0097",
        "0000-0001-5109-3700",
        "0000-0002-1694-233X",
        "https://orcid.org/0000-0001-6136-288X",
    ],
)
def test_valid_orcids(orcid):
    assert is_valid_orcid(orcid)


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0098", "0000-0002-1694-2330", "0000-0002-1825-009"])
def test_invalid_orcids(orcid):
    assert not is_valid_orcid(orcid)


def test_check_digit_ten_is_x():
    assert orcid_check_digit("000000021694233") == "X"


def test_dates_must_exist():
    assert parse_date("2024-02-29") == datetime.date(2024, 2, 29)
    assert parse_date("2023-02-29") is None
    assert parse_date("2024-02") == datetime.date(2024, 2, 1)
    assert parse_date("2024-00") is None


def test_shipped_vocabularies():
    ids = accepted_license_ids()
    assert {"cc-by-4.0", "cc0-1.0", "mit", "other-open", "other-closed"} <= ids
    assert all(item == item.lower() for item in ids)
    langs = languages()
    assert langs.alpha2["en"] == "eng" and langs.alpha2["de"] == "deu"
    assert langs.bibliographic["ger"] == "deu"
    assert len(langs.alpha3) > 7000
