"""The one license table (zenodo_sync.zenodo.licenses), kept honest by real Zenodo responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zenodo_sync.emulator import translate
from zenodo_sync.zenodo import licenses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _stored_and_read_back(license_value: object) -> tuple[list, object]:
    """The emulator's stored rights and deposit-API readback for a deposit with this license."""
    sent = {
        "upload_type": "dataset",
        "title": "Cores",
        "creators": [{"name": "Doe, J"}],
        "license": license_value,
    }
    stored = translate.deposit_input_to_stored(sent, today="2026-11-30", previous=None)
    back = translate.stored_to_deposit_metadata(stored, record_id=7, doi_prefix="10.5072")
    return stored["metadata"]["rights"], back.get("license")


# --- real responses ---------------------------------------------------------------------


def test_a_license_zenodo_read_back_resolves_both_ways():
    # zenodo.org's records API showed this published record's license in its legacy form.
    shown = _fixture("zenodo-record-6515860.json")["metadata"]["license"]["id"]
    assert shown == "cc-zero"
    rdm_id = licenses.rdm_license_for_read_back(shown)
    assert rdm_id == "cc0-1.0"
    assert licenses.legacy_license_for_rdm(rdm_id) == shown
    assert licenses.rdm_license_for_legacy(shown) == rdm_id  # sent again, it means the same


def test_a_license_a_user_sent_zenodo_resolves_both_ways():
    # A real deposition body, PUT with an upper-case license object.
    sent = _fixture("rose-deposition-metadata.json")["metadata"]["license"]
    assert sent == {"id": "CC-BY-4.0"}
    rdm_id = licenses.rdm_license_for_legacy(sent["id"])
    assert rdm_id == "cc-by-4.0"
    assert sent["id"].lower() in licenses.accepted_license_ids()
    assert licenses.rdm_license_for_read_back(licenses.legacy_license_for_rdm(rdm_id)) == rdm_id
    assert _stored_and_read_back(sent) == ([{"id": "cc-by-4.0"}], "cc-by-4.0")


# --- the table as a whole ---------------------------------------------------------------


def test_every_stored_license_reads_back_as_an_id_that_means_it():
    accepted = licenses.accepted_license_ids()
    for license_id in accepted:
        rdm_id = licenses.rdm_license_for_legacy(license_id)
        read_back = licenses.legacy_license_for_rdm(rdm_id)
        assert read_back is not None, license_id
        assert licenses.rdm_license_for_read_back(read_back) == rdm_id, license_id


def test_the_table_is_zenodos_size_and_lower_case():
    accepted = licenses.accepted_license_ids()
    assert 500 < len(accepted) < 600  # zenodo-rdm's legacy map has 519 ids, aliases aside
    assert all(license_id == license_id.lower() for license_id in accepted)


@pytest.mark.parametrize(
    ("sent", "stored", "read_back"),
    [
        # §3.12, row by row
        ("cc-by", "cc-by-4.0", "cc-by-4.0"),
        ("CC-BY-4.0", "cc-by-4.0", "cc-by-4.0"),
        ("cc-zero", "cc0-1.0", "cc-zero"),
        ("CC0-1.0", "cc0-1.0", "cc-zero"),
        ("cc-by-sa", "cc-by-sa-4.0", "cc-by-sa-4.0"),
        ("mit-license", "mit", "mit-license"),
        ("Apache-2.0", "apache-2.0", "apache2.0"),
        ("GPL-3.0", "gpl-3.0-only", "gpl-3.0"),
        ("gpl-3.0-or-later", "gpl-3.0-or-later", "gpl-3.0-or-later"),
        ("lgpl-3.0", "lgpl-3.0-only", "lgpl-3.0"),
        ("agpl-3.0", "agpl-3.0-only", "apgl-v3"),
        ("BSD-3-Clause", "bsd-3-clause", "bsd-3-clause"),
        ("other-open", "other-open", "other-open"),
        ("other-closed", "other-closed", "other-closed"),
        # read back under an alias that, sent again, means a newer version
        ("cc-by-1.0", "cc-by-1.0", "cc-by"),
        ("efl-1.0", "efl-1.0", "eiffel"),
        ("zpl-1.1", "zpl-1.1", "zpl"),
    ],
)
def test_3_12_round_trip(sent, stored, read_back):
    assert licenses.rdm_license_for_legacy(sent) == stored
    assert licenses.legacy_license_for_rdm(stored) == read_back
    assert licenses.rdm_license_for_read_back(read_back) == stored
    assert _stored_and_read_back(sent) == ([{"id": stored}], read_back)


@pytest.mark.parametrize("license_id", ["3d-slicer-1.0", "cc0", "cc-by-5.0", "cc-pdm-1.0", "FAL"])
def test_ids_zenodo_does_not_know(license_id):
    assert licenses.rdm_license_for_legacy(license_id) is None
    assert license_id.lower() not in licenses.accepted_license_ids()
    with pytest.raises(translate.LegacyInputError):
        _stored_and_read_back(license_id)


@pytest.mark.parametrize(
    ("license_id", "title"), [("fal", "Free Art License"), ("gfdl", "GNU Free Documentation License")]
)
def test_3_10_title_only_licenses_are_stored_without_an_id(license_id, title):
    assert licenses.rdm_license_for_legacy(license_id) is None
    assert licenses.title_only_license(license_id) == title
    assert licenses.rdm_license_for_legacy(licenses.license_meant_by_title_only(license_id))
    rights, read_back = _stored_and_read_back(license_id)
    assert rights == [{"title": {"en": title}}]
    assert read_back is None


def test_the_default_licenses_are_in_the_table():
    for default in (licenses.DEFAULT_LICENSE_DATASET, licenses.DEFAULT_LICENSE_OTHER):
        assert licenses.rdm_license_for_legacy(default) == default
