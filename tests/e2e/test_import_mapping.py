"""The pieces of `zsync import` that need no server: the reverse mapping, the YAML writer,
defaults extraction and SOURCE parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from zenodo_sync.engine import importer
from zenodo_sync.engine.importsource import record_number
from zenodo_sync.errors import ConfigError
from zenodo_sync.manifest.writer import dump_yaml, manifest_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_shorthands_replace_the_server_forms():
    metadata, notes = importer.manifest_metadata(
        {
            "title": "Rose",
            "upload_type": "dataset",
            "license": "cc-zero",
            "communities": [{"identifier": "zenodo"}, {"identifier": "biology"}],
            "grants": [
                {"id": "10.13039/501100000780::654241"},
                {"code": "777", "funder": {"doi": "10.13039/100000001"}},
            ],
            "doi": "10.5281/zenodo.12",
            "prereserve_doi": {"doi": "10.5281/zenodo.12", "recid": 12},
            "imprint_publisher": "Zenodo",
            "related_identifiers": [
                {"identifier": "10.1234/x", "relation": "cites", "scheme": "doi"},
                {"identifier": "urn:zsync:rose", "relation": "isAlternateIdentifier", "scheme": "urn"},
            ],
            "access_right": "open",
            "embargo_date": None,
        },
        record_id=12,
    )
    assert metadata == {
        "title": "Rose",
        "upload_type": "dataset",
        "access_right": "open",
        "license": "cc0-1.0",
        "communities": ["biology", "zenodo"],
        "grants": ["10.13039/501100000780::654241", "10.13039/100000001::777"],
        "related_identifiers": [{"identifier": "10.1234/x", "relation": "cites"}],  # no marker, no scheme
    }
    assert list(metadata)[:4] == ["title", "upload_type", "access_right", "license"]  # the README's order
    assert notes == []


def test_a_read_back_alias_becomes_the_license_it_means():
    # §3.12: cc-by-1.0 reads back as `cc-by`, which sent again would mean cc-by-4.0.
    metadata, _notes = importer.manifest_metadata({"license": "cc-by"})
    assert metadata["license"] == "cc-by-1.0"


def test_an_external_doi_is_kept_and_what_a_manifest_cannot_hold_is_said():
    metadata, notes = importer.manifest_metadata(
        {"doi": "10.1000/xyz", "access_right": "restricted", "owner_notes": "x"}, record_id=5
    )
    assert metadata["doi"] == "10.1000/xyz"
    assert metadata["access_conditions"] == importer.ACCESS_CONDITIONS_PLACEHOLDER
    assert any("record 5: `owner_notes` is not a field a manifest can hold" in note for note in notes)
    assert any("record 5: restricted access" in note for note in notes)


def test_a_value_the_manifest_would_change_is_a_warning_naming_record_and_field():
    readback = {"title": "Tulip", "upload_type": "dataset", "license": "mit", "imprint_publisher": "Zenodo"}
    manifest = {"title": "Rose", "upload_type": "dataset", "license": "mit"}
    warnings = importer.check_round_trip(manifest, readback, where="rose (record 7)")
    assert warnings == [
        "rose (record 7): `title` cannot be expressed in a manifest exactly as the record holds it; "
        "the plan will show it as a change"
    ]


def test_the_real_records_map_without_loss():
    for name in ("zenodo-record-6515860.json", "rose-deposition-metadata.json"):
        remote = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["metadata"]
        remote.setdefault("imprint_publisher", "Zenodo")  # the deposition body: what it reads back with
        metadata, _notes = importer.manifest_metadata(remote)
        assert importer.check_round_trip(metadata, remote, where=name) == []


def test_records_api_groups_become_flat_fields():
    flat = importer.flat_publication_details(
        {
            "journal": {"title": "J", "volume": "3"},
            "meeting": {"acronym": "C", "session_part": "1"},
            "imprint": {"publisher": "P"},
            "thesis": {"university": "U"},
            "alternate_identifiers": [{"identifier": "ark:/1/2"}],
        }
    )
    assert flat == {
        "journal_title": "J",
        "journal_volume": "3",
        "conference_acronym": "C",
        "conference_session_part": "1",
        "imprint_publisher": "P",
        "thesis_university": "U",
        "related_identifiers": [{"identifier": "ark:/1/2", "relation": "isAlternateIdentifier"}],
    }


def test_values_the_legacy_view_hides_come_from_the_native_json():
    legacy = {
        "dates": [{"type": "collected", "start": "2019-01-01", "end": "2019-02-01"}, {"type": "other"}],
        "related_identifiers": [{"identifier": "10.1234/x"}],
    }
    assert importer.hides_values(legacy)
    native = {
        "metadata": {
            "dates": [
                {"date": "2019-01-01/2019-02-01", "type": {"id": "collected"}},
                {"date": "2020-05-05", "type": {"id": "other"}},
            ],
            "related_identifiers": [{"identifier": "10.1234/x", "relation_type": {"id": "istranslationof"}}],
        }
    }
    completed = importer.with_native_values(legacy, native)
    assert completed["dates"][1] == {"type": "other", "start": "2020-05-05"}
    assert completed["related_identifiers"] == [{"identifier": "10.1234/x", "relation": "isTranslationOf"}]
    assert not importer.hides_values(completed)


def test_only_what_every_record_shares_becomes_a_default():
    first = {"creators": [{"name": "Doe, Jane"}], "license": "mit", "keywords": ["a"]}
    second = {"creators": [{"name": "Doe, Jane"}], "license": "cc-by-4.0", "keywords": ["a"], "title": "T"}
    shared = importer.shared_defaults([first, second])
    assert shared == {"creators": [{"name": "Doe, Jane"}], "keywords": ["a"]}
    assert importer.without_defaults(second, shared) == {"license": "cc-by-4.0", "title": "T"}
    assert importer.shared_defaults([first]) == {}  # one record shares nothing with others
    # A record without a list the project's defaults set says so, or it would inherit it.
    assert importer.with_empty_overrides({"title": "T"}, {"grants": ["x::1"]}) == {"title": "T", "grants": []}


def test_the_writer_uses_block_scalars_flow_lists_and_loads_back_equal():
    data = {
        "metadata": {
            "title": "Rose",
            "description": "<p>First line</p>\n<p>Second line</p>",
            "notes": ("word " * 30).strip(),
            "keywords": ["FAIR data", "roses"],
            "creators": [{"name": "Doe, Jane", "orcid": "0000-0002-1825-0097"}],
            "version": "1.0",
            "publication_date": "2019-03-13",
        }
    }
    text = dump_yaml(data)
    assert "description: |-\n    <p>First line</p>\n    <p>Second line</p>\n" in text
    assert "notes: >-\n" in text
    assert "keywords: [FAIR data, roses]" in text
    assert "  creators:\n    - name: Doe, Jane\n" in text
    assert list(yaml.safe_load(text)["metadata"]) == list(data["metadata"])  # order kept
    assert yaml.safe_load(text) == data


@pytest.mark.parametrize(
    "value", ["trailing space \nline", "  leading\nspaces", "tab\tinside " * 10, "\u2028odd"]
)
def test_text_a_block_cannot_carry_still_loads_back_equal(value):
    assert yaml.safe_load(dump_yaml({"notes": value})) == {"notes": value}


def test_a_manifest_starts_with_the_schema_comment_and_header():
    text = manifest_text({"concept": "10.5281/zenodo.1", "metadata": {"title": "T"}}, header="Imported")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "\n# Imported\nconcept: 10.5281/zenodo.1\n" in text


@pytest.mark.parametrize(
    ("source", "number"),
    [
        ("123", 123),
        ("10.5281/zenodo.123", 123),
        ("doi:10.5281/zenodo.124", 124),
        ("https://doi.org/10.5072/zenodo.125", 125),
        ("https://zenodo.org/records/126", 126),
        ("https://zenodo.org/record/127", 127),
        ("https://zenodo.org/api/records/128", 128),
        ("https://zenodo.org/uploads/129", 129),
    ],
)
def test_every_source_form_names_its_record(source, number):
    assert record_number(source, "https://zenodo.org/api") == number


@pytest.mark.parametrize("source", ["rose", "10.1000/other.5", "https://example.org/records/5", ""])
def test_a_source_that_names_no_record_is_refused(source):
    with pytest.raises(ConfigError, match="is not a record id, a Zenodo DOI or a record URL"):
        record_number(source, "https://zenodo.org/api")
