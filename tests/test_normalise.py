"""normalise.py: what zsync sends and what Zenodo reads back meet in one canonical form.

One test per rule of the module docstring: a value as sent and the value as the deposit API
reads it back (docs/zenodo-behaviour.md §3.6, §3.10-§3.12) canonicalise equal. Counter-tests show that
real changes are not hidden.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zenodo_sync.engine.normalise import canonical_actual, canonical_desired, dropped_by_server

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-11-22"


def sent_metadata(**fields):
    """A minimal complete manifest as zsync sends it, with `fields` on top (None removes a key)."""
    base = {
        "upload_type": "dataset",
        "title": "Core photographs",
        "creators": [{"name": "Doe, John", "affiliation": "Uni", "orcid": "0000-0002-1825-0097"}],
        "description": "<p>Photos of cores.</p>",
        "license": "cc-by-4.0",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def readback_of(sent, **fields):
    """The deposit API's answer: server-filled fields added (§3.2, §3.6), then `fields` on top."""
    back = dict(sent)
    back.setdefault("access_right", "open")
    back.setdefault("publication_date", TODAY)
    back.setdefault("imprint_publisher", "Zenodo")
    back["prereserve_doi"] = {"doi": "10.5281/zenodo.12", "recid": 12}
    back["doi"] = "10.5072/zenodo.12"
    back.update(fields)
    return {key: value for key, value in back.items() if value is not None}


def assert_same(sent, back):
    assert canonical_desired(sent, today=TODAY) == canonical_actual(back, sent=sent, today=TODAY)


def assert_differ(sent, back):
    assert canonical_desired(sent, today=TODAY) != canonical_actual(back, sent=sent, today=TODAY)


# --- rule 1: keys the server drops -------------------------------------------------------


def test_keys_the_server_drops_never_count():
    sent = sent_metadata(access_conditions="Ask me", prereserve_doi=True, keyword=["typo"])
    assert_same(sent, readback_of(sent, access_conditions=None, keyword=None))


def test_dropped_keys_are_named_for_a_warning():
    sent = sent_metadata(access_conditions="Ask me", keyword=["typo"])
    assert dropped_by_server(sent) == ["access_conditions", "keyword"]
    assert dropped_by_server(sent_metadata()) == []


# --- rule 2: empty values ------------------------------------------------------------------


@pytest.mark.parametrize("affiliation", [None, "", "   "])
def test_affiliation_null_absent_or_empty_are_the_same(affiliation):
    sent = sent_metadata(creators=[{"name": "Doe, John"}])
    back = readback_of(sent, creators=[{"name": "Doe, John", "affiliation": affiliation}])
    assert_same(sent, back)


def test_a_new_affiliation_is_a_change():
    sent = sent_metadata(creators=[{"name": "Doe, John", "affiliation": "Uni"}])
    assert_differ(sent, readback_of(sent, creators=[{"name": "Doe, John", "affiliation": None}]))


# --- rule 3: text and HTML through the server's sanitiser ------------------------------------


def test_plain_text_is_compared_as_the_server_stores_it():
    sent = sent_metadata(title="  \u201cCore\u201d photos it\u2019s  ", keywords=["Tom &amp; Jerry"])
    back = readback_of(sent, title='"Core" photos it\'s', keywords=["Tom & Jerry"])
    assert_same(sent, back)


def test_html_is_compared_as_the_server_stores_it():
    sent = sent_metadata(
        description="<p class='x' onclick='evil()'>A &amp; B <script>x</script></p>\n",
        notes="Plain note\r\n",
        method="<h6>Method</h6>",
    )
    back = readback_of(sent, description="<p>A &amp; B x</p>", notes="Plain note", method="Method")
    assert_same(sent, back)


def test_a_changed_word_in_the_description_is_a_change():
    sent = sent_metadata(description="<p>Photos of cores.</p>")
    assert_differ(sent, readback_of(sent, description="<p>Photos of the cores.</p>"))


# --- rules 4-7: people ------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, read_back",
    [
        ("Doe,John", "Doe, John"),
        (" Doe ,  John ", "Doe, John"),
        ("Doe,", "Doe"),
        ("John Doe", "John Doe"),
        ("Doe, John, Jr.", "Doe, John, Jr."),
    ],
)
def test_creator_name_forms(written, read_back):
    sent = sent_metadata(creators=[{"name": written}])
    assert_same(sent, readback_of(sent, creators=[{"name": read_back, "affiliation": None}]))


def test_a_changed_given_name_is_a_change():
    sent = sent_metadata(creators=[{"name": "Doe, Jane"}])
    assert_differ(sent, readback_of(sent, creators=[{"name": "Doe, John"}]))


@pytest.mark.parametrize(
    "written",
    [
        "https://orcid.org/0000-0002-1825-0097",
        "http://orcid.org/0000-0002-1825-0097",
        "orcid.org/0000-0002-1825-0097",
        "0000000218250097",
    ],
)
def test_orcid_url_and_bare_forms(written):
    sent = sent_metadata(creators=[{"name": "Doe, John", "orcid": written}])
    assert_same(sent, readback_of(sent, creators=[{"name": "Doe, John", "orcid": "0000-0002-1825-0097"}]))


def test_orcid_check_digit_case():
    sent = sent_metadata(creators=[{"name": "Doe, John", "orcid": "0000-0001-6136-288x"}])
    assert_same(sent, readback_of(sent, creators=[{"name": "Doe, John", "orcid": "0000-0001-6136-288X"}]))


def test_a_changed_orcid_digit_is_a_change():
    sent = sent_metadata(creators=[{"name": "Doe, John", "orcid": "0000-0002-1825-0097"}])
    assert_differ(sent, readback_of(sent, creators=[{"name": "Doe, John", "orcid": "0000-0002-1825-0098"}]))


def test_gnd_is_read_back_without_its_prefix():
    sent = sent_metadata(creators=[{"name": "Doe, John", "gnd": "gnd:118514768"}])
    assert_same(sent, readback_of(sent, creators=[{"name": "Doe, John", "gnd": "118514768"}]))


def test_a_removed_creator_is_a_change():
    two = [{"name": "Doe, John"}, {"name": "Roe, Ann"}]
    sent = sent_metadata(creators=two[:1])
    assert_differ(sent, readback_of(sent, creators=two))


def test_creator_order_counts():
    two = [{"name": "Doe, John"}, {"name": "Roe, Ann"}]
    sent = sent_metadata(creators=two)
    assert_differ(sent, readback_of(sent, creators=two[::-1]))


def test_contributor_type_casing():
    sent = sent_metadata(contributors=[{"name": "IODP", "type": "datacollector"}])
    assert_same(
        sent, readback_of(sent, contributors=[{"name": "IODP", "type": "DataCollector", "affiliation": None}])
    )


def test_a_changed_contributor_type_is_a_change():
    sent = sent_metadata(contributors=[{"name": "IODP", "type": "DataCollector"}])
    assert_differ(sent, readback_of(sent, contributors=[{"name": "IODP", "type": "DataCurator"}]))


def test_thesis_supervisors_read_back_as_first_contributors():
    sent = sent_metadata(
        upload_type="publication",
        publication_type="thesis",
        thesis_supervisors=[{"name": "Smith,Ann"}],
        contributors=[{"name": "Lab", "type": "HostingInstitution"}],
    )
    back = readback_of(
        sent,
        thesis_supervisors=None,
        publication_type="dissertation",
        contributors=[
            {"name": "Smith, Ann", "type": "Supervisor", "affiliation": None},
            {"name": "Lab", "type": "HostingInstitution", "affiliation": None},
        ],
    )
    assert_same(sent, back)


# --- rules 8-11: license, access, resource type ------------------------------------------


@pytest.mark.parametrize(
    "sent_id, read_back",
    [
        ("cc-zero", "cc-zero"),
        ("CC0-1.0", "cc-zero"),
        ("cc0-1.0", "cc-zero"),
        ("CC-BY-4.0", "cc-by-4.0"),
        ("cc-by", "cc-by-4.0"),
        ("cc-by-sa", "cc-by-sa-4.0"),
        ("MIT", "mit-license"),
        ("Apache-2.0", "apache2.0"),
        ("GPL-3.0", "gpl-3.0"),
        ("lgpl-3.0", "lgpl-3.0"),
        ("agpl-3.0", "apgl-v3"),
        ("BSD-3-Clause", "bsd-3-clause"),
    ],
)
def test_license_ids_through_the_rdm_id(sent_id, read_back):
    sent = sent_metadata(license=sent_id)
    assert_same(sent, readback_of(sent, license=read_back))
    sent_object = sent_metadata(license={"id": sent_id})
    assert_same(sent_object, readback_of(sent_object, license={"id": read_back}))


def test_a_changed_license_is_a_change():
    sent = sent_metadata(license="cc-by-4.0")
    assert_differ(sent, readback_of(sent, license="cc-zero"))


@pytest.mark.parametrize("upload_type, default", [("dataset", "cc-zero"), ("software", "cc-by-4.0")])
def test_the_default_license_is_predicted(upload_type, default):
    sent = sent_metadata(upload_type=upload_type, license=None)
    assert_same(sent, readback_of(sent, license=default))


def test_no_default_license_for_restricted_access():
    sent = sent_metadata(license=None, access_right="restricted")
    assert_same(sent, readback_of(sent))


def test_a_license_set_on_the_website_is_drift_when_the_manifest_has_none():
    sent = sent_metadata(upload_type="dataset", license=None)
    assert_differ(sent, readback_of(sent, license="cc-by-4.0"))


def test_closed_reads_back_restricted():
    sent = sent_metadata(access_right="closed")
    assert_same(sent, readback_of(sent, access_right="restricted"))


def test_absent_access_right_is_open():
    sent = sent_metadata(access_right=None)
    assert_same(sent, readback_of(sent, access_right="open"))


def test_restricting_access_is_a_change():
    sent = sent_metadata(access_right="open")
    assert_differ(sent, readback_of(sent, access_right="restricted"))


def test_an_embargo_that_ended_reads_back_open():
    sent = sent_metadata(access_right="embargoed", embargo_date="2020-01-01")
    assert_same(sent, readback_of(sent, access_right="open", embargo_date=None))


def test_a_running_embargo_keeps_its_date():
    sent = sent_metadata(access_right="embargoed", embargo_date="2099-01-01")
    assert_same(sent, readback_of(sent))
    assert_differ(sent, readback_of(sent, embargo_date="2099-06-01"))


def test_thesis_reads_back_as_dissertation():
    sent = sent_metadata(upload_type="publication", publication_type="thesis")
    assert_same(sent, readback_of(sent, publication_type="dissertation"))


def test_only_the_subtype_of_the_chosen_type_counts():
    sent = sent_metadata(upload_type="dataset", publication_type="article", image_type="photo")
    assert_same(sent, readback_of(sent, publication_type=None, image_type=None))
    image = sent_metadata(upload_type="image", image_type="Photo")
    assert_same(image, readback_of(image, image_type="photo"))
    assert_differ(image, readback_of(image, image_type="figure"))


def test_records_api_resource_type_reads_like_upload_type():
    sent = sent_metadata(upload_type="publication", publication_type="article")
    back = readback_of(
        sent,
        upload_type=None,
        publication_type=None,
        resource_type={"type": "publication", "subtype": "article", "title": "Article"},
    )
    assert_same(sent, back)


# --- rules 12-14: grants, communities, related identifiers -------------------------------


def test_grant_shorthand_object_and_readback_meet():
    rose = json.loads((FIXTURES / "rose-deposition-metadata.json").read_text())["metadata"]
    sent = sent_metadata(grants=rose["grants"])  # the old full grant object
    assert_same(sent, readback_of(sent, grants=[{"id": "10.13039/501100000780::654241"}]))
    shorthand = sent_metadata(grants=[{"id": "10.13039/501100000780::654241"}])
    assert_same(shorthand, readback_of(shorthand))


def test_a_bare_award_number_is_an_ec_grant():
    sent = sent_metadata(grants=[{"id": "283595"}])
    assert_same(sent, readback_of(sent, grants=[{"id": "10.13039/501100000780::283595"}]))
    fp7_readback = sent_metadata(grants=[{"id": "10.13039/501100000780::283595"}])
    assert_same(fp7_readback, readback_of(fp7_readback, grants=[{"id": "283595"}]))


def test_rcuk_grants_read_back_as_ukri():
    sent = sent_metadata(grants=[{"id": "10.13039/501100000690::EP/K011766/1"}])
    assert_same(sent, readback_of(sent, grants=[{"id": "10.13039/100014013::EP/K011766/1"}]))


def test_a_different_award_is_a_change():
    sent = sent_metadata(grants=[{"id": "10.13039/501100000780::654241"}])
    assert_differ(sent, readback_of(sent, grants=[{"id": "10.13039/501100000780::654242"}]))


def test_communities_are_a_set_of_slugs():
    sent = sent_metadata(communities=[{"identifier": "iodp"}, {"identifier": "zenodo"}])
    assert_same(sent, readback_of(sent, communities=[{"identifier": "zenodo"}, {"identifier": "iodp"}]))
    assert_same(sent, readback_of(sent, communities=[{"id": "iodp"}, {"id": "zenodo"}]))  # records API


def test_a_community_left_is_a_change():
    sent = sent_metadata(communities=[{"identifier": "iodp"}, {"identifier": "zenodo"}])
    assert_differ(sent, readback_of(sent, communities=[{"identifier": "iodp"}]))


def test_related_identifiers_as_the_server_rewrites_them():
    sent = sent_metadata(
        related_identifiers=[
            {"identifier": "10.5281/zenodo.1", "relation": "isAlternateIdentifier"},
            {"identifier": "https://doi.org/10.1038/S41588", "relation": "Cites", "scheme": "url"},
            {"identifier": "doi:10.1/x", "relation": "isorignialformof"},
            {"identifier": "1310.2590", "relation": "references"},
            {"identifier": "hdl:1234/5", "relation": "isPartOf"},
        ]
    )
    back = readback_of(
        sent,
        related_identifiers=[
            {"identifier": "10.1038/S41588", "relation": "cites", "scheme": "doi"},
            {"identifier": "10.1/x", "relation": "isOriginalFormOf", "scheme": "doi"},
            {"identifier": "arXiv:1310.2590", "relation": "references", "scheme": "arxiv"},
            {"identifier": "1234/5", "relation": "isPartOf", "scheme": "handle"},
            {"identifier": "10.5281/zenodo.1", "relation": "isAlternateIdentifier", "scheme": "doi"},
        ],
    )
    assert_same(sent, back)


def test_a_changed_relation_is_a_change():
    sent = sent_metadata(related_identifiers=[{"identifier": "10.1/x", "relation": "cites"}])
    back = readback_of(
        sent, related_identifiers=[{"identifier": "10.1/x", "relation": "isCitedBy", "scheme": "doi"}]
    )
    assert_differ(sent, back)


# --- rules 15-17: dates, language, locations ------------------------------------------------


def test_single_dates_read_back_without_their_value():
    sent = sent_metadata(
        dates=[
            {"start": "2019-05-01", "end": "2019-05-01", "type": "Collected"},
            {"start": "2019-06-01", "type": "Valid", "description": "from"},
        ]
    )
    back = readback_of(sent, dates=[{"type": "collected"}, {"type": "valid", "description": "from"}])
    assert_same(sent, back)


def test_date_intervals_round_trip_and_changes_show():
    sent = sent_metadata(dates=[{"start": "2019-05-01", "end": "2019-06-01", "type": "Collected"}])
    assert_same(
        sent, readback_of(sent, dates=[{"start": "2019-05-01", "end": "2019-06-01", "type": "collected"}])
    )
    assert_differ(
        sent, readback_of(sent, dates=[{"start": "2019-05-01", "end": "2019-07-01", "type": "collected"}])
    )


@pytest.mark.parametrize("written, read_back", [("en", "eng"), ("de", "deu"), ("fr", "fra"), ("ENG", "eng")])
def test_language_two_and_three_letters(written, read_back):
    sent = sent_metadata(language=written)
    assert_same(sent, readback_of(sent, language=read_back))


def test_a_changed_language_is_a_change():
    sent = sent_metadata(language="de")
    assert_differ(sent, readback_of(sent, language="eng"))


def test_locations_drop_a_zero_coordinate():
    sent = sent_metadata(
        locations=[
            {"place": "Ross Sea", "lat": 0, "lon": 170.5},
            {"place": "Site U1521", "lat": -75.7, "lon": 179.0},
        ]
    )
    back = readback_of(
        sent,
        locations=[
            {"place": "Ross Sea", "description": None},
            {"place": "Site U1521", "lat": -75.7, "lon": 179, "description": None},
        ],
    )
    assert_same(sent, back)


# --- rule 18: server-filled fields -------------------------------------------------------------


def test_server_filled_fields_count_only_when_the_manifest_sets_them():
    sent = sent_metadata()  # no publication_date, doi, imprint_publisher, access_right
    assert_same(sent, readback_of(sent))


def test_a_publication_date_the_manifest_sets_is_compared():
    sent = sent_metadata(publication_date="2019-08-10")
    assert_same(sent, readback_of(sent))
    assert_differ(sent, readback_of(sent, publication_date="2019-08-11"))


def test_an_external_doi_the_manifest_sets_is_compared():
    sent = sent_metadata(doi="https://doi.org/10.1234/abc")
    assert_same(sent, readback_of(sent, doi="10.1234/abc"))
    assert_differ(sent, readback_of(sent, doi="10.1234/abd"))


def test_a_publisher_changed_on_the_website_is_drift():
    sent = sent_metadata()
    assert_differ(sent, readback_of(sent, imprint_publisher="Someone else"))


# --- order of keywords (decision: it counts) ----------------------------------------------


def test_keyword_order_counts():
    """The server keeps keyword order and the landing page shows it; apply would send the new
    order, so a plan must show it (normalise.py docstring)."""
    sent = sent_metadata(keywords=["b", "a"])
    assert_same(sent, readback_of(sent))
    assert_differ(sent, readback_of(sent, keywords=["a", "b"]))


# --- whole documents ------------------------------------------------------------------------


def test_the_rose_tutorial_metadata_meets_its_readback():
    """fixtures/rose-deposition-metadata.json as sent, and what the deposit API reads back (§3.10-3.12)."""
    sent = json.loads((FIXTURES / "rose-deposition-metadata.json").read_text())["metadata"]
    back = readback_of(
        sent,
        license="cc-by-4.0",
        grants=[{"id": "10.13039/501100000780::654241"}],
        creators=[{**creator} for creator in sent["creators"]],
        related_identifiers=[{**entry, "scheme": "doi"} for entry in sent["related_identifiers"]],
    )
    assert_same(sent, back)


def test_the_iodp_record_is_canonical_and_stable():
    record = json.loads((FIXTURES / "zenodo-record-6515860.json").read_text())["metadata"]
    canon = canonical_actual(record)
    assert canon["license"] == "cc0-1.0"
    assert canon["upload_type"] == "dataset"
    assert canon["communities"] == ["iodp"]
    assert all("affiliation" not in creator for creator in canon["creators"])
    assert canonical_actual(canon) == canon  # idempotent: the canonical form is a fixed point


def test_canonical_forms_are_fixed_points():
    sent = sent_metadata(
        thesis_supervisors=[{"name": "Smith,Ann"}],
        license="CC0-1.0",
        language="en",
        grants=[{"id": "283595"}],
        access_right="closed",
        related_identifiers=[{"identifier": "https://doi.org/10.1/x", "relation": "Cites"}],
    )
    canon = canonical_desired(sent)
    assert canonical_desired(canon) == canon
    assert canonical_actual(canon) == canon


def test_inputs_are_not_modified():
    sent = sent_metadata(
        thesis_supervisors=[{"name": "Smith,Ann"}], contributors=[{"name": "Lab", "type": "Other"}]
    )
    before = json.dumps(sent, sort_keys=True)
    canonical_desired(sent)
    canonical_actual(readback_of(sent), sent=sent)
    assert json.dumps(sent, sort_keys=True) == before


# --- rule 19: values too short for the server -------------------------------------------------


def test_too_short_texts_never_reach_the_server():
    sent = sent_metadata(title="AB", notes="ok")
    assert_same(sent, readback_of(sent, title=None, notes=None))
    assert_differ(sent_metadata(title="ABC"), readback_of(sent_metadata(title="ABC"), title=None))


def test_description_text_is_fixed_like_plain_text_before_the_html_pass():
    sent = sent_metadata(description="\u201cQuoted\u201d Tom &amp; Jerry")
    assert_same(sent, readback_of(sent, description='"Quoted" Tom &amp; Jerry'))
