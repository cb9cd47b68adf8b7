"""Parsing the deposit API's JSON into RemoteRecord / RemoteFile (docs/zenodo-behaviour.md §3.2, §3.7-3.8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zenodo_sync.backends.deposit import parse_file, parse_md5, parse_record, parse_size
from zenodo_sync.errors import ServerError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("value, expected", [(7, 7), (7.0, 7), ("7", 7), ("34698467", 34698467), (None, 0)])
def test_sizes_arrive_as_int_float_or_string(value, expected):
    assert parse_size(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("md5:C2D626F8BEBA73AD0CF4E66214F7D949", "c2d626f8beba73ad0cf4e66214f7d949"),
        ("66ce05ea8b2c1e4f2f0f6b1c0c6e6a1b", "66ce05ea8b2c1e4f2f0f6b1c0c6e6a1b"),
        ("sha256:abcd", ""),  # not an md5: never compared as one
        (None, ""),
    ],
)
def test_checksums_with_or_without_prefix(value, expected):
    assert parse_md5(value) == expected


def test_deposit_file_object_with_float_size():
    remote = parse_file({"id": "9c1e", "filename": "x.csv", "filesize": 7.0, "checksum": "66ce05ea"})
    assert (remote.id, remote.name, remote.size, remote.md5) == ("9c1e", "x.csv", 7, "66ce05ea")


def test_bucket_answer_uses_key_size_and_version_id():
    remote = parse_file({"key": "data.csv", "size": 7, "checksum": "md5:c2d6", "version_id": "38a7"})
    assert (remote.id, remote.name, remote.size, remote.md5) == ("38a7", "data.csv", 7, "c2d6")


def test_fresh_draft():
    record = parse_record(
        {
            "id": 1234568,
            "conceptrecid": "1234567",
            "state": "unsubmitted",
            "submitted": False,
            "metadata": {"access_right": "open", "prereserve_doi": {"doi": "10.5281/zenodo.1234568"}},
            "owner": 42,
            "files": [],
            "modified": "2026-08-20T10:00:00.234567+00:00",
            "links": {
                "bucket": "https://zenodo.org/api/files/6a1b",
                "html": "https://zenodo.org/deposit/1234568",
            },
        }
    )
    assert record.id == 1234568 and record.concept_id == "1234567"
    assert record.is_draft and not record.submitted
    assert record.doi is None  # a pre-reserved DOI is not a DOI yet
    assert record.links["bucket"].endswith("/6a1b")
    assert record.html_url == "https://zenodo.org/deposit/1234568"
    assert record.owner == 42 and record.modified.startswith("2026-08-20")


def test_published_deposition_with_files():
    record = parse_record(
        {
            "id": 11,
            "conceptrecid": "10",
            "state": "done",
            "submitted": True,
            "owner": 1,
            "doi": "10.5072/zenodo.11",
            "conceptdoi": "10.5072/zenodo.10",
            "metadata": {"title": "T", "doi": "10.5072/zenodo.11"},
            "files": [
                {
                    "id": "a",
                    "filename": "d.csv",
                    "filesize": 3,
                    "checksum": "900150983cd24fb0d6963f7d28e17f72",
                }
            ],
            "links": {"self": "https://zenodo.org/api/records/11"},
        }
    )
    assert not record.is_draft
    assert (record.doi, record.concept_doi) == ("10.5072/zenodo.11", "10.5072/zenodo.10")
    assert record.files[0].md5 == "900150983cd24fb0d6963f7d28e17f72" and record.files[0].size == 3


def test_edit_draft_is_a_draft_that_was_submitted():
    record = parse_record(
        {"id": 5, "conceptrecid": "4", "state": "inprogress", "submitted": True, "metadata": {}}
    )
    assert record.is_draft and record.submitted


def test_real_records_api_fixture():
    data = json.loads((FIXTURES / "zenodo-record-6515860.json").read_text())
    record = parse_record(data)
    assert record.id == 6515860 and record.concept_id == "6515859"
    assert record.owner == 88403  # from owners[{"id": "88403"}]
    assert record.doi == "10.5281/zenodo.6515860"
    names = {f.name: f for f in record.files}
    assert names["RSC.zip"].size == 34698467
    assert names["RSC.zip"].md5 == "9300f9e6f903f19f4ad9972ea5a14cd7"


def test_not_a_deposition():
    with pytest.raises(ServerError, match="not a deposition"):
        parse_record({"hits": {"hits": []}})
