"""The shared Zenodo rules (zenodo_sync/zenodo) and the places they now serve.

Each rule is checked on its own, then through the layers that call it: the emulator's
translation (what the server does) and the normaliser (what zsync predicts) must agree, which is
the plan-after-apply law of normalise.py (§3.10-§3.12).
"""

from __future__ import annotations

import datetime

import pytest

from zenodo_sync.emulator import translate
from zenodo_sync.engine.normalise import canonical_actual, canonical_desired
from zenodo_sync.zenodo import dates, grants, identifiers, licenses, locations, names
from zenodo_sync.zenodo import vocabulary as vocab

TODAY = "2026-11-22"
EC = "10.13039/501100000780"
UKRI = "10.13039/100014013"
RCUK = "10.13039/501100000690"


def readback(sent: dict) -> dict:
    """What the deposit API reads back after `sent` was PUT (emulator translation layer)."""
    stored = translate.deposit_input_to_stored(sent, today=TODAY, previous=None)
    return translate.stored_to_deposit_metadata(stored, record_id=7, doi_prefix="10.5072")


def law_holds(sent: dict) -> bool:
    return canonical_desired(sent, today=TODAY) == canonical_actual(readback(sent), sent=sent, today=TODAY)


def dataset(**fields) -> dict:
    return {
        "upload_type": "dataset",
        "title": "Cores",
        "creators": [{"name": "Doe, John"}],
        "description": "<p>Photos of cores.</p>",
        **fields,
    }


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "family", "given", "shown"),
    [
        ("Doe,John", "Doe", "John", "Doe, John"),
        (" Doe ,  John ", "Doe", "John", "Doe, John"),
        ("Doe,", "Doe", "", "Doe"),
        ("Ann Other", "Ann Other", None, "Ann Other"),
        ("Smith, J., Jr.", "Smith, J., Jr.", None, "Smith, J., Jr."),
        (", John", "", "John", None),
    ],
)
def test_names_split_and_read_back(written, family, given, shown):
    assert names.split_name(written) == (family, given)
    assert names.readback_name(family, given) == shown


@pytest.mark.parametrize("written", ["Doe,John", ", John", "Doe,", "Smith, J., Jr."])
def test_server_and_normaliser_read_a_name_alike(written):
    assert law_holds(dataset(creators=[{"name": "Roe, Ann"}, {"name": written}]))


# --- dates -----------------------------------------------------------------------------


def test_edtf_dates_must_name_a_real_day():
    assert dates.parse_edtf_date("2024-02-29") == datetime.date(2024, 2, 29)
    assert dates.parse_edtf_date("2024") == datetime.date(2024, 1, 1)
    for invalid in ("2023-02-29", "2024-13", "2024-1-5", "24-01-01", "", None, 20240101):
        assert dates.parse_edtf_date(invalid) is None
    assert dates.is_edtf_date_or_interval("2020-01/2021")
    assert not dates.is_edtf_date_or_interval("2021/2020")


@pytest.mark.parametrize(
    ("start", "end", "stored", "interval"),
    [
        ("2020", "2021", "2020/2021", True),
        ("2020", "2020", "2020", False),
        ("2020", None, "2020", False),
        (None, "2021", "2021", False),
        (None, None, None, False),
    ],
)
def test_a_date_pair_is_stored_as_one_value(start, end, stored, interval):
    assert dates.stored_date_value(start, end) == stored
    assert dates.is_interval(start, end) is interval


def test_only_intervals_keep_their_values_on_both_sides():
    sent = dataset(
        dates=[
            {"start": "2020", "end": "2020", "type": "Collected"},
            {"start": "2020", "end": "2021", "type": "Valid"},
        ]
    )
    assert readback(sent)["dates"] == [
        {"type": "collected"},
        {"start": "2020", "end": "2021", "type": "valid"},
    ]
    assert law_holds(sent)


# --- grants ----------------------------------------------------------------------------


def test_grant_ids_and_funders():
    assert grants.split_grant_id("654241") == (EC, "654241")
    assert grants.split_grant_id(f"{UKRI}::EP/K1") == (UKRI, "EP/K1")
    assert grants.grant_id_from_self_link(f"https://zenodo.org/api/grants/{EC}::1") == f"{EC}::1"
    assert grants.grant_id_from_self_link("https://zenodo.org/api/records/1") is None
    assert grants.readback_funder_doi(RCUK) == UKRI
    assert grants.readback_funder_doi("10.13039/501100000781") == "10.13039/501100000781"
    assert grants.funder_ror("10.13039/501100000781") is None


def test_grant_forms_meet_after_the_server_round_trip():
    assert law_holds(dataset(grants=[{"id": "654241"}, {"id": f"{RCUK}::EP/K011766/1"}]))


# --- identifiers -----------------------------------------------------------------------


def test_orcid_rules():
    assert identifiers.orcid_check_digit("000000021694233") == "X"
    assert identifiers.is_valid_orcid("https://orcid.org/0000-0001-6136-288X")
    assert not identifiers.is_valid_orcid("0000-0002-1825-0098")
    assert (
        identifiers.hyphenated_orcid("https://sandbox.orcid.org/0000000161362 88x") == "0000-0001-6136-288X"
    )
    assert identifiers.hyphenated_orcid("0000-0002-1825-009") is None
    assert identifiers.strip_doi_prefix(" https://dx.doi.org/10.1/X") == "10.1/X"


@pytest.mark.parametrize(
    ("written", "scheme", "stored"),
    [
        ("https://doi.org/10.1234/abc", "doi", "10.1234/abc"),
        ("1310.2590", "arxiv", "arXiv:1310.2590"),
        ("hdl:1234/5", "handle", "1234/5"),
        ("0-306-40615-2", "isbn", "978-0-306-40615-7"),
        ("PMID:12345", "pmid", "12345"),
    ],
)
def test_related_identifiers_are_normalised_once_for_both_sides(written, scheme, stored):
    assert identifiers.detect_identifier(written) == (scheme, stored)
    assert law_holds(dataset(related_identifiers=[{"identifier": written, "relation": "cites"}]))


def test_an_identifier_without_a_scheme_is_refused():
    assert identifiers.detect_identifier("PMC1234") is None
    with pytest.raises(translate.LegacyInputError):
        readback(dataset(related_identifiers=[{"identifier": "PMC1234", "relation": "cites"}]))


# --- licenses and defaults -------------------------------------------------------------

# A legacy id Zenodo reads back under an alias it resolves to a newer version (cc-by -> 4.0):
# the readback alone cannot tell them apart; the normaliser decides by what was sent.
LOSSY_LICENSE_IDS = {
    "cc-by-1.0",
    "cc-by-sa-1.0",
    "apache-1.0",
    "python-2.0",
    "pythonsoftfoundation",
    "psf-2.0",
    "ofl-1.0",
    "gfdl-1.1-only",
    "efl-1.0",
    "zpl-1.1",
}


@pytest.mark.parametrize("license_id", sorted(licenses.accepted_license_ids()))
def test_every_license_the_server_takes_meets_its_readback(license_id):
    assert law_holds(dataset(license=license_id.upper()))


@pytest.mark.parametrize("license_id", sorted(LOSSY_LICENSE_IDS))
def test_a_lossy_readback_still_shows_a_real_license_change(license_id):
    # The record holds cc-by-1.0 (read back as `cc-by`); the manifest now says cc-by-4.0.
    held = readback(dataset(license=license_id))
    wanted = dataset(
        license="cc-by-4.0" if licenses.rdm_license_for_legacy(license_id) != "cc-by-4.0" else "mit"
    )
    assert canonical_desired(wanted, today=TODAY) != canonical_actual(held, sent=wanted, today=TODAY)


def test_the_lossy_license_ids_really_are_lossy():
    for license_id in LOSSY_LICENSE_IDS:
        again = licenses.rdm_license_for_legacy(
            licenses.legacy_license_for_rdm(licenses.rdm_license_for_legacy(license_id))
        )
        assert again != licenses.rdm_license_for_legacy(license_id)


@pytest.mark.parametrize(
    ("upload_type", "access_right", "expected"),
    [
        ("dataset", "open", "cc0-1.0"),
        ("software", "embargoed", "cc-by-4.0"),
        ("dataset", "restricted", None),
        ("dataset", "closed", None),
    ],
)
def test_default_license(upload_type, access_right, expected):
    assert licenses.default_license(upload_type, access_right) == expected
    fields = {"upload_type": upload_type, "access_right": access_right}
    if access_right == "embargoed":
        fields["embargo_date"] = "2099-01-01"
    sent = dataset(**fields)
    assert readback(sent).get("license") == (licenses.legacy_license_for_rdm(expected) if expected else None)
    assert law_holds(sent)


# --- languages -------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "stored"), [("de", "deu"), ("EN", "eng"), ("sh", "hbs"), ("fra", "fra")])
def test_languages_are_stored_with_the_validators_table(written, stored):
    assert readback(dataset(language=written))["language"] == stored
    assert law_holds(dataset(language=written))


def test_an_unknown_two_letter_language_is_dropped():
    assert vocab.language_id("xx") is None
    assert "language" not in readback(dataset(language="xx"))


# --- locations -------------------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lon", "kept"), [(52.5, 13.4, True), (0, 13.4, False), (52.5, None, False)])
def test_a_point_is_kept_only_with_two_non_zero_coordinates(lat, lon, kept):
    assert locations.keeps_point(lat, lon) is kept
    location = {"place": "Berlin", **({"lat": lat} if lat is not None else {}), "lon": lon}
    sent = dataset(locations=[location])
    assert ("lat" in readback(sent)["locations"][0]) is kept
    assert law_holds(sent)
