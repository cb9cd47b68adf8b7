"""The one mapping between deposit-style metadata and InvenioRDM records (zenodo/rdm_mapping.py),
both ways: to_rdm builds the native draft, from_rdm reads a native record back as the
deposit API reads the same stored record (the emulator's deposit view uses the same code)."""

from __future__ import annotations

import pytest

from zenodo_sync.zenodo.deposit_to_rdm import deposit_input_to_stored
from zenodo_sync.zenodo.rdm_mapping import (
    LegacyInputError,
    from_rdm,
    no_rdm_equivalent,
    to_rdm,
)
from zenodo_sync.zenodo.rdm_to_deposit import stored_to_deposit_metadata

TODAY = "2026-11-30"

RICH = {
    "title": "Rose scent GC-MS data",
    "upload_type": "publication",
    "publication_type": "article",
    "publication_date": "2026-03-01",
    "description": "<p>Measurements of rose petal volatiles.</p>",
    "creators": [
        {"name": "Doe, Jane", "affiliation": "University of Somewhere", "orcid": "0000-0002-1825-0097"},
        {"name": "Roe, Richard"},
    ],
    "contributors": [{"name": "Poe, Edgar", "type": "DataCurator"}],
    "license": "cc-by-4.0",
    "keywords": ["roses", "GC-MS"],
    "version": "1.0",
    "language": "eng",
    "access_right": "embargoed",
    "embargo_date": "2027-01-01",
    "related_identifiers": [
        {"identifier": "10.1234/foo", "relation": "isSupplementTo", "resource_type": "publication-article"},
        {"identifier": "urn:zsync:rose", "relation": "isAlternateIdentifier", "scheme": "urn"},
    ],
    "dates": [{"start": "2025-01-01", "end": "2025-02-01", "type": "Collected"}],
    "locations": [{"place": "Geneva", "lat": 46.2, "lon": 6.14}],
    "references": ["Doe J (2014). Title."],
    "grants": [{"id": "10.13039/501100000780::654241"}],
    "journal_title": "Journal of Roses",
    "journal_volume": "4",
    "notes": "Measured at dawn.",
    "communities": [{"identifier": "zenodo"}, {"identifier": "iodp"}],
}


def native_record(body: dict, *, record_id: int = 7, published: bool = False, communities=()) -> dict:
    """A native record as the server answers it for a draft made from `body`."""
    return {
        "id": str(record_id),
        "is_published": published,
        "is_draft": not published,
        "parent": {"id": str(record_id - 1), "communities": {"ids": list(communities)}},
        **{key: body[key] for key in ("metadata", "custom_fields", "access", "pids") if key in body},
    }


def test_to_rdm_builds_the_native_draft_of_the_deposit_metadata():
    draft = to_rdm(RICH, today=TODAY)
    body = draft.body
    metadata = body["metadata"]
    assert metadata["title"] == "Rose scent GC-MS data"
    assert metadata["resource_type"] == {"id": "publication-article"}
    assert metadata["creators"][0]["person_or_org"] == {
        "type": "personal",
        "family_name": "Doe",
        "given_name": "Jane",
        "name": "Doe, Jane",
        "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
    }
    assert metadata["creators"][0]["affiliations"] == [{"name": "University of Somewhere"}]
    assert metadata["contributors"][0]["role"] == {"id": "datacurator"}
    assert metadata["rights"] == [{"id": "cc-by-4.0"}]
    assert metadata["subjects"] == [{"subject": "roses"}, {"subject": "GC-MS"}]
    assert metadata["languages"] == [{"id": "eng"}]
    # zsync's marker is an alternate identifier: it becomes one of the record's identifiers.
    assert metadata["identifiers"] == [{"identifier": "urn:zsync:rose", "scheme": "urn"}]
    assert metadata["related_identifiers"][0]["relation_type"] == {"id": "issupplementto"}
    assert metadata["funding"][0]["award"]["number"] == "654241"
    assert body["access"] == {
        "record": "public",
        "files": "restricted",
        "embargo": {"active": True, "until": "2027-01-01", "reason": None},
    }
    assert body["custom_fields"] == {"journal:journal": {"title": "Journal of Roses", "volume": "4"}}
    assert body["files"] == {"enabled": True}
    # Communities are asked for with inclusion requests, never put in the draft (§7.8).
    assert draft.communities == ["zenodo", "iodp"]
    assert "legacy:communities" not in body["custom_fields"]


def test_from_rdm_reads_a_native_record_as_the_deposit_api_reads_it():
    """The same stored record, read through both: what from_rdm gives for the native JSON is
    what the deposit API's view gives for the record Zenodo stores from the same input."""
    stored = deposit_input_to_stored(RICH, today=TODAY, previous=None)
    deposit_view = stored_to_deposit_metadata(stored, record_id=7, doi_prefix="10.5072")
    native = native_record(to_rdm(RICH, today=TODAY).body)
    native_view = from_rdm(native)
    deposit_view.pop("prereserve_doi")
    # The deposit view lists the draft's requested communities; a native draft has none yet.
    deposit_view.pop("communities")
    assert native_view == deposit_view


def test_the_round_trip_keeps_what_zsync_compares():
    back = from_rdm(native_record(to_rdm(RICH, today=TODAY).body, published=True, communities=["zenodo"]))
    for key in ("title", "upload_type", "publication_type", "description", "license", "keywords", "version"):
        assert back[key] == RICH[key], key
    assert [c["name"] for c in back["creators"]] == ["Doe, Jane", "Roe, Richard"]
    assert back["creators"][0]["orcid"] == "0000-0002-1825-0097"
    assert back["contributors"][0]["type"] == "DataCurator"
    assert back["access_right"] == "embargoed" and back["embargo_date"] == "2027-01-01"
    assert back["journal_title"] == "Journal of Roses"
    assert back["communities"] == [{"identifier": "zenodo"}]  # the parent's communities
    assert {"identifier": "urn:zsync:rose", "relation": "isAlternateIdentifier", "scheme": "urn"} in back[
        "related_identifiers"
    ]


def test_a_reserved_doi_reads_back_as_prereserve_doi_until_published():
    reserved = {"doi": {"identifier": "10.5072/zenodo.7", "provider": "datacite", "client": "datacite"}}
    body = {**to_rdm(RICH, today=TODAY).body, "pids": reserved}
    draft = from_rdm(native_record(body))
    assert "doi" not in draft
    assert draft["prereserve_doi"] == {"doi": "10.5072/zenodo.7", "recid": 7}
    published = from_rdm(native_record(body, published=True))
    assert published["doi"] == "10.5072/zenodo.7" and "prereserve_doi" not in published


def test_an_external_doi_is_the_drafts_own_and_is_sent():
    draft = to_rdm({**RICH, "doi": "10.1234/external.5"}, today=TODAY)
    assert draft.body["pids"] == {"doi": {"identifier": "10.1234/external.5", "provider": "external"}}
    assert from_rdm(native_record(draft.body))["doi"] == "10.1234/external.5"


def test_legacy_subjects_have_no_native_equivalent_and_are_never_sent():
    metadata = {**RICH, "subjects": [{"term": "Roses", "identifier": "http://x.org/1", "scheme": "url"}]}
    assert set(no_rdm_equivalent(metadata)) == {"subjects"}
    assert no_rdm_equivalent(RICH) == {}
    assert "legacy:subjects" not in to_rdm(metadata, today=TODAY).body["custom_fields"]


def test_input_the_deposit_api_refuses_is_refused_by_the_mapping_too():
    with pytest.raises(LegacyInputError) as caught:
        to_rdm({**RICH, "license": "no-such-license"}, today=TODAY)
    assert caught.value.errors[0]["field"] == "metadata.license"
