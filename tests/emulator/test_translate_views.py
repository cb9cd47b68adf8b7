"""The records API views of a stored record (docs/zenodo-behaviour.md §6.3 Zenodo JSON, §7.3 RDM JSON).

The Zenodo JSON view is checked against a real record (tests/fixtures/zenodo-record-6515860.json):
its legacy metadata, sent through the deposit translation and published, must render back as
exactly the metadata zenodo.org served, keys, values and order.
"""

from __future__ import annotations

import json
from pathlib import Path

from zenodo_sync.emulator.translate import (
    deposit_input_to_stored,
    published,
    stored_to_deposit_metadata,
    stored_to_rdm_metadata,
    stored_to_zenodo_record_metadata,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = "2026-11-22"


def store(metadata: dict) -> dict:
    return deposit_input_to_stored(metadata, today=TODAY, previous=None)


def record_view(stored: dict, **overrides) -> dict:
    options = {
        "record_id": 7,
        "concept_id": 6,
        "doi": "10.5072/zenodo.7",
        "version_index": 1,
        "is_last": True,
        "doi_prefix": "10.5072",
    }
    options.update(overrides)
    return stored_to_zenodo_record_metadata(stored, **options)


def test_6_3_real_record_metadata_renders_exactly_as_zenodo_served_it():
    real = json.loads((FIXTURES / "zenodo-record-6515860.json").read_text())
    served = real["metadata"]
    # What the owner would have sent through the deposit API for this record.
    sent = {k: v for k, v in served.items() if k not in ("doi", "resource_type", "communities", "relations")}
    sent["upload_type"] = served["resource_type"]["type"]
    sent["communities"] = [{"identifier": c["id"]} for c in served["communities"]]
    stored = published(store(sent), accepted_communities=["iodp"])
    view = stored_to_zenodo_record_metadata(
        stored,
        record_id=real["id"],
        concept_id=real["conceptrecid"],
        doi=real["doi"],
        version_index=1,
        is_last=True,
        doi_prefix="10.5281",
    )
    assert list(view) == list(served)
    assert view == served


def test_6_3_resource_type_license_and_relations_formats():
    stored = store(
        {
            "title": "Paper",
            "upload_type": "publication",
            "publication_type": "article",
            "license": "mit",
            "creators": [{"name": "Doe, J"}],
        }
    )
    view = record_view(stored, version_index=3, is_last=False, concept_id=6)
    assert view["resource_type"] == {"title": "Journal article", "type": "publication", "subtype": "article"}
    assert view["license"] == {"id": "mit-license"}  # the legacy id, as an object
    # relations.version index is 0-based in this view (§8)
    assert view["relations"] == {
        "version": [{"index": 2, "is_last": False, "parent": {"pid_type": "recid", "pid_value": "6"}}]
    }
    assert view["doi"] == "10.5072/zenodo.7"
    assert "upload_type" not in view and "prereserve_doi" not in view and "imprint_publisher" not in view


def test_6_3_thesis_reads_as_dissertation_titled_thesis():
    stored = store(
        {
            "title": "My thesis",
            "upload_type": "publication",
            "publication_type": "thesis",
            "thesis_university": "Uni",
        }
    )
    view = record_view(stored)
    assert view["resource_type"] == {"title": "Thesis", "type": "publication", "subtype": "dissertation"}
    assert view["thesis"] == {"university": "Uni"}


def test_6_3_grants_are_full_objects():
    stored = store({"title": "Funded", "grants": [{"id": "10.13039/501100000780::654241"}]})
    assert record_view(stored)["grants"] == [
        {
            "code": "654241",
            "internal_id": "10.13039/501100000780::654241",
            "funder": {"name": "European Commission", "doi": "10.13039/501100000780", "acronym": "EC"},
        }
    ]


def test_6_3_alternate_identifiers_have_their_own_key():
    stored = store(
        {
            "title": "Alt",
            "related_identifiers": [
                {"identifier": "2011ApJS..192...18K", "relation": "isAlternateIdentifier"}
            ],
        }
    )
    view = record_view(stored)
    assert view["alternate_identifiers"] == [{"identifier": "2011ApJS..192...18K"}]
    assert "related_identifiers" not in view


def test_6_3_journal_meeting_imprint_groups():
    stored = store(
        {
            "title": "Paper",
            "journal_title": "J",
            "journal_volume": "1",
            "conference_title": "Conf",
            "imprint_place": "Geneva",
            "partof_title": "Book",
        }
    )
    view = record_view(stored)
    assert view["journal"] == {"title": "J", "volume": "1"}
    assert view["meeting"] == {"title": "Conf"}
    assert view["imprint"] == {"place": "Geneva"}


def test_7_3_rdm_view_fills_vocabulary_titles_and_keeps_rdm_shapes():
    stored = store(
        {
            "title": "Data",
            "upload_type": "dataset",
            "creators": [{"name": "Doe, John"}],
            "language": "en",
            "grants": [{"id": "654241"}],
            "journal_title": "J",
        }
    )
    rdm = stored_to_rdm_metadata(stored)
    assert set(rdm) == {"metadata", "custom_fields", "access", "pids"}
    metadata = rdm["metadata"]
    assert metadata["resource_type"] == {"id": "dataset", "title": {"en": "Dataset"}}
    assert metadata["rights"] == [{"id": "cc0-1.0"}]
    assert metadata["languages"] == [{"id": "eng"}]
    assert metadata["publisher"] == "Zenodo"
    assert metadata["creators"][0]["person_or_org"] == {
        "type": "personal",
        "family_name": "Doe",
        "given_name": "John",
        "name": "Doe, John",
    }
    assert metadata["funding"][0]["funder"] == {"id": "00k4n6c32", "name": "European Commission"}
    assert rdm["custom_fields"] == {"journal:journal": {"title": "J"}}
    assert rdm["access"] == {
        "record": "public",
        "files": "public",
        "embargo": {"active": False, "reason": None},
        "status": "open",
    }
    # The view is a copy: changing it leaves the stored record alone.
    metadata["title"] = "changed"
    assert stored["metadata"]["title"] == "Data"


def test_3_2_prereserve_doi_is_the_doi_the_server_mints():
    back = stored_to_deposit_metadata(store({"title": "x y z"}), record_id=393001, doi_prefix="10.5072")
    assert back["prereserve_doi"] == {"doi": "10.5072/zenodo.393001", "recid": 393001}
    back = stored_to_deposit_metadata(store({"title": "x y z"}), record_id=393001, doi_prefix="10.5281")
    assert back["prereserve_doi"] == {"doi": "10.5281/zenodo.393001", "recid": 393001}


def test_7_3_rdm_access_status_follows_the_embargo():
    stored = store({"title": "Later", "access_right": "embargoed", "embargo_date": "2030-01-01"})
    access = stored_to_rdm_metadata(stored)["access"]
    assert access == {
        "record": "public",
        "files": "restricted",
        "status": "embargoed",
        "embargo": {"active": True, "until": "2030-01-01", "reason": None},
    }
