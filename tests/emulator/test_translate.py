"""The translation layer's rewrite rules, one table row per rule (docs/zenodo-behaviour.md §3.6, §3.9-3.12).

Each row sends legacy deposit metadata through `deposit_input_to_stored` and reads it back with
`stored_to_deposit_metadata`, asserting what the reference says Zenodo stores and returns.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from zenodo_sync.emulator.translate import (
    LegacyInputError,
    deposit_input_to_stored,
    lift_embargo,
    new_version_draft,
    publish_errors,
    published,
    stored_to_deposit_metadata,
)

TODAY = "2026-11-22"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASE = {
    "title": "A dataset",
    "upload_type": "dataset",
    "creators": [{"name": "Doe, John"}],
    "description": "Abstract",
}


def store(metadata: dict | None, previous: dict | None = None) -> dict:
    return deposit_input_to_stored(metadata, today=TODAY, previous=previous)


def readback(metadata: dict | None, previous: dict | None = None) -> dict:
    return stored_to_deposit_metadata(store(metadata, previous), record_id=42, doi_prefix="10.5072")


def rejection(metadata: dict) -> list[dict]:
    with pytest.raises(LegacyInputError) as caught:
        store(metadata)
    return caught.value.errors


# --------------------------------------------------------------------------- §3.10 upload types


@pytest.mark.parametrize(
    "sent, upload_type, subtype_key, subtype",
    [
        ({"upload_type": "dataset"}, "dataset", None, None),
        (
            {"upload_type": "publication", "publication_type": "article"},
            "publication",
            "publication_type",
            "article",
        ),
        # §3.10: publication+thesis is stored as publication-dissertation since 2026-01
        (
            {"upload_type": "publication", "publication_type": "thesis"},
            "publication",
            "publication_type",
            "dissertation",
        ),
        ({"upload_type": "image", "image_type": "photo"}, "image", "image_type", "photo"),
        ({"upload_type": "software"}, "software", None, None),
    ],
)
def test_3_10_upload_type_round_trip(sent, upload_type, subtype_key, subtype):
    back = readback(sent)
    assert back["upload_type"] == upload_type
    if subtype_key:
        assert back[subtype_key] == subtype
    else:
        assert not any(key.endswith("_type") and key != "upload_type" for key in back)


def test_3_10_thesis_is_stored_as_dissertation():
    stored = store({"upload_type": "publication", "publication_type": "thesis"})
    assert stored["metadata"]["resource_type"] == {"id": "publication-dissertation"}


def test_3_6_unknown_upload_type_is_rejected():
    errors = rejection({"upload_type": "spreadsheet"})
    assert errors == [{"field": "metadata.resource_type", "messages": ["Invalid value spreadsheet."]}]


# --------------------------------------------------------------------------- §3.6 defaults


def test_3_6_defaults_filled_by_the_server():
    back = readback({"title": "Only a title"})
    assert back["publication_date"] == TODAY
    assert back["imprint_publisher"] == "Zenodo"
    assert back["access_right"] == "open"
    assert back["license"] == "cc-by-4.0"  # not a dataset: CC-BY-4.0
    assert back["prereserve_doi"] == {"doi": "10.5072/zenodo.42", "recid": 42}


def test_3_2_no_metadata_key_reads_back_open_and_prereserved_only():
    assert readback(None) == {
        "access_right": "open",
        "prereserve_doi": {"doi": "10.5072/zenodo.42", "recid": 42},
    }


def test_3_6_put_replaces_and_resets_publication_date_to_today():
    first = store({**BASE, "publication_date": "2020-01-01", "version": "1.0"})
    second = store({"title": "A dataset"}, previous=first)
    assert second["metadata"]["publication_date"] == TODAY
    assert "version" not in second["metadata"]
    assert "creators" not in second["metadata"]


@pytest.mark.parametrize(
    "key, read",
    [
        ("creators", None),  # below RDM's minimum length: dropped from the draft
        ("contributors", []),
        ("related_identifiers", []),
        ("locations", []),
        ("dates", []),
        ("references", None),
        ("keywords", None),
        ("grants", None),
    ],
)
def test_3_6_empty_lists_read_back_as_zenodo_serialises_them(key, read):
    back = readback({**BASE, key: []})
    assert back.get(key) == read
    assert (key in back) == (read is not None)


def test_3_6_unknown_metadata_keys_are_dropped():
    back = readback({**BASE, "keyword": ["typo"], "access_conditions": "ask me", "prereserve_doi": True})
    assert "keyword" not in back and "keywords" not in back
    assert "access_conditions" not in back
    assert back["prereserve_doi"] == {"doi": "10.5072/zenodo.42", "recid": 42}


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("title", None, "Field may not be null."),
        ("title", 5, "Not a valid string."),
        ("creators", "Doe, John", "Not a valid list."),
        ("license", None, "Field may not be null."),
    ],
)
def test_3_6_declared_fields_reject_wrong_types(key, value, message):
    assert rejection({**BASE, key: value}) == [{"field": f"metadata.{key}", "messages": [message]}]


# --------------------------------------------------------------------------- §3.11 text


@pytest.mark.parametrize(
    "sent, expected",
    [
        ("  “Smart” quotes ", '"Smart" quotes'),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("ﬁnal ＡＢＣ", "final ABC"),
    ],
)
def test_3_11_title_is_sanitised(sent, expected):
    assert readback({"title": sent})["title"] == expected


def test_3_6_too_short_title_is_dropped_from_the_draft_and_fails_publish():
    stored = store({**BASE, "title": "ab"})
    assert "title" not in readback({**BASE, "title": "ab"})
    assert {"field": "metadata.title", "messages": ["Missing data for required field."]} in publish_errors(
        stored, 1, today=TODAY
    )


@pytest.mark.parametrize("field", ["description", "notes", "method"])
def test_3_11_html_fields_are_sanitised(field):
    sent = "<p class='x' onclick='y'>Hi <script>alert(1)</script><b>there</b> & you</p>"
    back = readback({**BASE, field: sent})
    assert back[field] == "<p>Hi alert(1)<b>there</b> &amp; you</p>"


def test_3_11_plain_description_stays_plain():
    assert readback({**BASE, "description": "  just text "})["description"] == "just text"


def test_3_10_notes_and_method_are_additional_descriptions():
    stored = store({**BASE, "notes": "Some notes", "method": "Our method"})
    assert stored["metadata"]["additional_descriptions"] == [
        {"description": "Some notes", "type": {"id": "notes"}},
        {"description": "Our method", "type": {"id": "methods"}},
    ]


# --------------------------------------------------------------------------- §3.10 creators


@pytest.mark.parametrize(
    "name, family, given, readback_name",
    [
        ("Doe, John", "Doe", "John", "Doe, John"),
        ("Doe,John", "Doe", "John", "Doe, John"),
        (" Doe ,  John ", "Doe", "John", "Doe, John"),
        ("Doe,", "Doe", "", "Doe"),
        ("John Doe", "John Doe", None, "John Doe"),  # no comma: all of it is the family name
        ("ACME Consortium", "ACME Consortium", None, "ACME Consortium"),  # always personal
        ("Doe, John, Jr.", "Doe, John, Jr.", None, "Doe, John, Jr."),  # two commas: not split
    ],
)
def test_3_10_creator_names_split_on_exactly_one_comma(name, family, given, readback_name):
    stored = store({**BASE, "creators": [{"name": name}]})
    person = stored["metadata"]["creators"][0]["person_or_org"]
    assert person["type"] == "personal"
    assert person["family_name"] == family
    assert person.get("given_name") == given
    assert readback({**BASE, "creators": [{"name": name}]})["creators"] == [
        {"name": readback_name, "affiliation": None}
    ]


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-0097",
        "http://orcid.org/0000-0002-1825-0097",
    ],
)
def test_3_10_orcid_url_prefix_is_stripped(orcid):
    back = readback({**BASE, "creators": [{"name": "Doe, John", "orcid": orcid}]})
    assert back["creators"][0]["orcid"] == "0000-0002-1825-0097"


def test_3_10_orcid_with_orcid_prefix_is_corrupted_and_lost():
    back = readback({**BASE, "creators": [{"name": "Doe, John", "orcid": "orcid:0000-0002-1825-0097"}]})
    assert "orcid" not in back["creators"][0]


def test_3_10_gnd_is_stored_prefixed_and_read_back_bare():
    stored = store({**BASE, "creators": [{"name": "Doe, John", "gnd": "118540238"}]})
    assert stored["metadata"]["creators"][0]["person_or_org"]["identifiers"] == [
        {"scheme": "gnd", "identifier": "gnd:118540238"}
    ]
    back = stored_to_deposit_metadata(stored, record_id=1, doi_prefix="10.5281")
    assert back["creators"][0]["gnd"] == "118540238"


def test_3_10_only_the_first_affiliation_is_read_back():
    stored = store(BASE)
    stored["metadata"]["creators"][0]["affiliations"] = [{"name": "CERN"}, {"name": "Some Lab"}]
    back = stored_to_deposit_metadata(stored, record_id=1, doi_prefix="10.5281")
    assert back["creators"] == [{"name": "Doe, John", "affiliation": "CERN"}]


def test_3_10_affiliation_round_trip():
    back = readback({**BASE, "creators": [{"name": "Doe, John", "affiliation": " CERN "}]})
    assert back["creators"] == [{"name": "Doe, John", "affiliation": "CERN"}]


def test_3_9_blank_creator_name_fails_publish_with_rdm_path():
    stored = store({**BASE, "creators": [{"name": "Doe, John"}, {"name": "  "}]})
    assert publish_errors(stored, 1, today=TODAY) == [
        {
            "field": "metadata.creators.1.person_or_org.family_name",
            "messages": ["Family name cannot be blank."],
        }
    ]


# --------------------------------------------------------------------------- §3.10 contributors


@pytest.mark.parametrize(
    "sent_type, role, read_type",
    [
        ("DataCurator", "datacurator", "DataCurator"),
        ("datacurator", "datacurator", "DataCurator"),  # case canonicalised on readback
        ("ContactPerson", "contactperson", "ContactPerson"),
        ("WorkPackageLeader", "workpackageleader", "WorkPackageLeader"),
    ],
)
def test_3_10_contributor_type_is_a_lowercase_role(sent_type, role, read_type):
    sent = {**BASE, "contributors": [{"name": "Roe, Jane", "type": sent_type}]}
    assert store(sent)["metadata"]["contributors"][0]["role"] == {"id": role}
    assert readback(sent)["contributors"] == [{"name": "Roe, Jane", "affiliation": None, "type": read_type}]


def test_3_9_contributor_without_type_is_kept_but_fails_publish():
    sent = {**BASE, "contributors": [{"name": "Roe, Jane"}]}
    assert readback(sent)["contributors"] == [{"name": "Roe, Jane", "affiliation": None, "type": None}]
    assert publish_errors(store(sent), 1, today=TODAY) == [
        {"field": "metadata.contributors.0.role", "messages": ["Missing data for required field."]}
    ]


def test_3_6_unknown_contributor_type_is_rejected():
    errors = rejection({**BASE, "contributors": [{"name": "Roe, Jane", "type": "Author"}]})
    assert errors == [{"field": "metadata.contributors.0.type", "messages": ["Invalid value author."]}]


def test_3_10_thesis_supervisors_become_first_contributors():
    sent = {
        **BASE,
        "contributors": [{"name": "Roe, Jane", "type": "Editor"}],
        "thesis_supervisors": [{"name": "Moe, Max", "orcid": "0000-0002-1825-0097"}],
    }
    back = readback(sent)
    assert "thesis_supervisors" not in back
    assert back["contributors"] == [
        {"name": "Moe, Max", "affiliation": None, "type": "Supervisor", "orcid": "0000-0002-1825-0097"},
        {"name": "Roe, Jane", "affiliation": None, "type": "Editor"},
    ]


# --------------------------------------------------------------------------- §3.10 access


@pytest.mark.parametrize(
    "sent, access_right, files",
    [
        ({}, "open", "public"),
        ({"access_right": "open"}, "open", "public"),
        ({"access_right": "restricted"}, "restricted", "restricted"),
        ({"access_right": "closed"}, "restricted", "restricted"),  # closed reads back as restricted
    ],
)
def test_3_10_access_right(sent, access_right, files):
    stored = store({**BASE, **sent})
    assert stored["access"]["record"] == "public"  # records are always public on Zenodo
    assert stored["access"]["files"] == files
    assert readback({**BASE, **sent})["access_right"] == access_right


def test_3_10_embargo_round_trip_and_lift():
    sent = {**BASE, "access_right": "embargoed", "embargo_date": "2027-01-01"}
    stored = store(sent)
    assert stored["access"]["embargo"] == {"active": True, "until": "2027-01-01", "reason": None}
    back = stored_to_deposit_metadata(stored, record_id=1, doi_prefix="10.5281")
    assert (back["access_right"], back["embargo_date"]) == ("embargoed", "2027-01-01")
    assert lift_embargo(stored, today="2026-12-31") == stored
    lifted = stored_to_deposit_metadata(lift_embargo(stored, today="2027-01-01"), record_id=1, doi_prefix="x")
    assert (lifted["access_right"], lifted["embargo_date"]) == ("open", "2027-01-01")


@pytest.mark.parametrize(
    "sent",
    [
        {"access_right": "embargoed"},
        {"access_right": "public"},
    ],
)
def test_3_10_embargo_without_date_or_unknown_access_is_rejected(sent):
    assert rejection({**BASE, **sent}) == [{"field": "_schema", "messages": ["Unknown access type."]}]


def test_3_9_embargo_date_in_the_past_fails_publish():
    stored = store({**BASE, "access_right": "embargoed", "embargo_date": "2020-01-01"})
    assert publish_errors(stored, 1, today=TODAY) == [
        {"field": "access.embargo.until", "messages": ["Embargo end date must be set to a future date."]}
    ]


# --------------------------------------------------------------------------- §3.12 licenses


@pytest.mark.parametrize(
    "sent, rdm_id, read_id",
    [
        ("cc-by-4.0", "cc-by-4.0", "cc-by-4.0"),
        ("CC-BY-4.0", "cc-by-4.0", "cc-by-4.0"),
        ("cc-by", "cc-by-4.0", "cc-by-4.0"),
        ({"id": "CC-BY-4.0"}, "cc-by-4.0", "cc-by-4.0"),
        ("cc-zero", "cc0-1.0", "cc-zero"),
        ("CC0-1.0", "cc0-1.0", "cc-zero"),
        ("cc0-1.0", "cc0-1.0", "cc-zero"),
        ("cc-by-sa", "cc-by-sa-4.0", "cc-by-sa-4.0"),
        ("cc-by-nc-4.0", "cc-by-nc-4.0", "cc-by-nc-4.0"),
        ("cc-by-3.0", "cc-by-3.0", "cc-by-3.0"),
        ("mit", "mit", "mit-license"),
        ("MIT", "mit", "mit-license"),
        ("mit-license", "mit", "mit-license"),
        ("apache-2.0", "apache-2.0", "apache2.0"),
        ("Apache-2.0", "apache-2.0", "apache2.0"),
        ("gpl-3.0", "gpl-3.0-only", "gpl-3.0"),
        ("gpl-3.0-only", "gpl-3.0-only", "gpl-3.0"),
        ("gpl-3.0-or-later", "gpl-3.0-or-later", "gpl-3.0-or-later"),
        ("lgpl-3.0", "lgpl-3.0-only", "lgpl-3.0"),
        ("agpl-3.0", "agpl-3.0-only", "apgl-v3"),
        ("BSD-3-Clause", "bsd-3-clause", "bsd-3-clause"),
        ("other-open", "other-open", "other-open"),
        ("cc-by-1.0", "cc-by-1.0", "cc-by"),  # reads back as an alias that now means 4.0
    ],
)
def test_3_12_license_round_trip(sent, rdm_id, read_id):
    assert store({**BASE, "license": sent})["metadata"]["rights"] == [{"id": rdm_id}]
    assert readback({**BASE, "license": sent})["license"] == read_id


@pytest.mark.parametrize(
    "sent, expected",
    [
        ({"upload_type": "dataset"}, "cc-zero"),
        ({"upload_type": "software"}, "cc-by-4.0"),
        ({"upload_type": "dataset", "access_right": "embargoed", "embargo_date": "2030-01-01"}, "cc-zero"),
    ],
)
def test_3_10_default_license_by_upload_type(sent, expected):
    assert readback({"title": "Some title", **sent})["license"] == expected


@pytest.mark.parametrize("access_right", ["restricted", "closed"])
def test_3_10_no_default_license_unless_open(access_right):
    assert "license" not in readback({**BASE, "access_right": access_right})


@pytest.mark.parametrize(
    "sent, message",
    [
        ("cc-by-5.0", "Invalid license provided: cc-by-5.0"),
        ("cc0", "Invalid license provided: cc0"),
        ({"id": "nope"}, "Invalid license provided: nope"),
        (
            ["cc-by-4.0"],
            "Invalid license value provided (expected string, or object with 'id' key): ['cc-by-4.0']",
        ),
        (4, "Invalid license value provided (expected string, or object with 'id' key): 4"),
        ({"title": "x"}, "Invalid license object provided (missing 'id' key): {'title': 'x'}"),
    ],
)
def test_3_10_invalid_license_is_rejected(sent, message):
    assert rejection({**BASE, "license": sent}) == [{"field": "metadata.license", "messages": [message]}]


# --------------------------------------------------------------------------- §3.10 DOI


def test_3_10_external_doi():
    stored = store({**BASE, "doi": "10.1234/ext.1"})
    assert stored["pids"] == {"doi": {"identifier": "10.1234/ext.1", "provider": "external"}}
    assert readback({**BASE, "doi": "10.1234/ext.1"})["doi"] == "10.1234/ext.1"


def test_3_10_external_doi_is_normalised_like_any_pid():
    assert store({**BASE, "doi": "https://doi.org/10.1234/EXT.1"})["pids"]["doi"] == {
        "identifier": "10.1234/EXT.1",
        "provider": "external",
    }


def test_3_9_invalid_external_doi_fails_publish():
    stored = store({**BASE, "doi": "not-a-doi"})
    assert readback({**BASE, "doi": "not-a-doi"})["doi"] == "not-a-doi"  # saved as sent
    assert publish_errors(stored, 1, today=TODAY) == [{"field": "pids.doi", "messages": ["Invalid DOI"]}]


def test_3_10_zenodo_prefix_doi_is_datacite():
    stored = store({**BASE, "doi": "10.5281/zenodo.42"})
    assert stored["pids"]["doi"]["provider"] == "datacite"


def test_3_6_doi_is_kept_when_a_put_omits_it():
    first = store({**BASE, "doi": "10.1234/ext.1"})
    assert store(BASE, previous=first)["pids"] == first["pids"]


# --------------------------------------------------------------------------- keywords, subjects


def test_3_10_keywords_are_free_text_subjects():
    stored = store({**BASE, "keywords": [" FAIR ", "rose"]})
    assert stored["metadata"]["subjects"] == [{"subject": "FAIR"}, {"subject": "rose"}]
    assert readback({**BASE, "keywords": [" FAIR ", "rose"]})["keywords"] == ["FAIR", "rose"]


def test_3_10_empty_keywords_vanish():
    assert "keywords" not in readback({**BASE, "keywords": []})


def test_3_10_controlled_subjects_are_not_read_back_as_keywords():
    stored = store({**BASE, "keywords": ["free"]})
    stored["metadata"]["subjects"].append({"id": "euroscivoc:123"})
    assert stored_to_deposit_metadata(stored, record_id=1, doi_prefix="x")["keywords"] == ["free"]


def test_3_10_subjects_custom_field_fills_missing_keys_with_null():
    sent = {**BASE, "subjects": [{"term": "Astronomy", "identifier": "http://x.org/1"}]}
    assert store(sent)["custom_fields"]["legacy:subjects"] == [
        {"term": "Astronomy", "identifier": "http://x.org/1", "scheme": None}
    ]
    assert readback(sent)["subjects"] == [
        {"term": "Astronomy", "identifier": "http://x.org/1", "scheme": None}
    ]


# --------------------------------------------------------------------------- related identifiers


@pytest.mark.parametrize(
    "sent, identifier, scheme",
    [
        ("10.1038/s41588-018-0110-3", "10.1038/s41588-018-0110-3", "doi"),
        ("https://doi.org/10.1/X", "10.1/X", "doi"),
        ("https://dx.doi.org/10.1234/ABC", "10.1234/ABC", "doi"),
        ("doi:10.1234/abc", "10.1234/abc", "doi"),
        ("1310.2590", "arXiv:1310.2590", "arxiv"),
        ("arXiv:1310.2590", "arXiv:1310.2590", "arxiv"),
        ("hdl:1234/5", "1234/5", "handle"),
        ("https://github.com/org/repo", "https://github.com/org/repo", "url"),
        ("urn:nbn:de:1111-2004033116", "urn:nbn:de:1111-2004033116", "urn"),
        ("9780451450524", "978-0-451-45052-4", "isbn"),
        ("0317-8471", "0317-8471", "issn"),
        ("pmid:12345", "12345", "pmid"),
        ("ark:/13030/tf5p30086k", "ark:/13030/tf5p30086k", "ark"),
        ("http://purl.org/foo/bar", "http://purl.org/foo/bar", "purl"),
        ("2011ApJS..192...18K", "2011ApJS..192...18K", "ads"),
    ],
)
def test_3_10_related_identifier_scheme_detection_and_normalisation(sent, identifier, scheme):
    back = readback({**BASE, "related_identifiers": [{"identifier": sent, "relation": "cites"}]})
    assert back["related_identifiers"] == [{"identifier": identifier, "relation": "cites", "scheme": scheme}]


@pytest.mark.parametrize(
    "sent, read",
    [
        ("isSupplementTo", "isSupplementTo"),
        ("issupplementto", "isSupplementTo"),
        ("ISCITEDBY", "isCitedBy"),
        ("isOrignialFormOf", "isOriginalFormOf"),  # the historic typo is fixed
    ],
)
def test_3_10_relation_case_is_canonicalised(sent, read):
    stored = store({**BASE, "related_identifiers": [{"identifier": "10.1/x", "relation": sent}]})
    assert stored["metadata"]["related_identifiers"][0]["relation_type"] == {"id": read.lower()}
    back = stored_to_deposit_metadata(stored, record_id=1, doi_prefix="x")
    assert back["related_identifiers"][0]["relation"] == read


@pytest.mark.parametrize(
    "relation", ["isTranslationOf", "hasTranslation", "isCollectedBy", "collects", "other"]
)
def test_3_10_relations_newer_than_the_legacy_enum_read_back_without_relation(relation):
    back = readback({**BASE, "related_identifiers": [{"identifier": "10.1/x", "relation": relation}]})
    assert back["related_identifiers"] == [{"identifier": "10.1/x", "scheme": "doi"}]


def test_3_10_user_scheme_is_ignored():
    back = readback(
        {
            **BASE,
            "related_identifiers": [
                {"identifier": "https://doi.org/10.1/x", "relation": "cites", "scheme": "url"}
            ],
        }
    )
    assert back["related_identifiers"] == [{"identifier": "10.1/x", "relation": "cites", "scheme": "doi"}]


def test_3_10_resource_type_of_related_identifier_round_trips():
    back = readback(
        {
            **BASE,
            "related_identifiers": [
                {"identifier": "10.1/x", "relation": "isCitedBy", "resource_type": "publication-article"}
            ],
        }
    )
    assert back["related_identifiers"] == [
        {
            "identifier": "10.1/x",
            "relation": "isCitedBy",
            "resource_type": "publication-article",
            "scheme": "doi",
        }
    ]


def test_3_10_alternate_identifiers_move_to_identifiers_and_come_back_last():
    sent = {
        **BASE,
        "related_identifiers": [
            {"identifier": "2011ApJS..192...18K", "relation": "isAlternateIdentifier"},
            {"identifier": "10.1/x", "relation": "cites"},
        ],
    }
    stored = store(sent)
    assert stored["metadata"]["identifiers"] == [{"identifier": "2011ApJS..192...18K", "scheme": "ads"}]
    assert readback(sent)["related_identifiers"] == [
        {"identifier": "10.1/x", "relation": "cites", "scheme": "doi"},
        {"identifier": "2011ApJS..192...18K", "relation": "isAlternateIdentifier", "scheme": "ads"},
    ]


@pytest.mark.parametrize(
    "entry, field, message",
    [
        (
            {"identifier": "PMC12345", "relation": "cites"},
            "metadata.related_identifiers.scheme",
            "No valid scheme recognized for identifier.",
        ),
        (
            {"identifier": "10.1/x", "relation": "likes"},
            "metadata.related_identifiers.0.relation",
            "Invalid value likes.",
        ),
        (
            {"identifier": "10.1/x", "relation": 3},
            "metadata.related_identifiers.0.relation",
            "relation must be a string",
        ),
        ("10.1/x", "metadata.related_identifiers.0", "Each related identifier must be an object"),
        # only the exact camelCase spelling is moved to identifiers; RDM has no such relation id
        (
            {"identifier": "10.1/x", "relation": "isalternateidentifier"},
            "metadata.related_identifiers.0.relation",
            "Invalid value isalternateidentifier.",
        ),
    ],
)
def test_3_10_bad_related_identifiers_are_rejected(entry, field, message):
    assert rejection({**BASE, "related_identifiers": [entry]}) == [{"field": field, "messages": [message]}]


def test_3_10_related_identifiers_must_be_a_list():
    errors = rejection({**BASE, "related_identifiers": {"identifier": "10.1/x"}})
    assert errors == [
        {"field": "metadata.related_identifiers", "messages": ["related_identifiers must be a list"]}
    ]


@pytest.mark.parametrize("key", ["keywords", "references"])
def test_3_10_a_bare_string_is_taken_character_by_character(key):
    # The deserializer iterates whatever it gets: "ab" is two one-letter entries, not one.
    assert readback({**BASE, key: "ab"})[key] == ["a", "b"]


def test_3_10_references_round_trip():
    back = readback({**BASE, "references": ["Doe J (2014). Title. ", "Roe R (2015)."]})
    assert back["references"] == ["Doe J (2014). Title.", "Roe R (2015)."]


# --------------------------------------------------------------------------- communities


def test_3_10_communities_requested_then_only_accepted_after_publish():
    sent = {**BASE, "communities": [{"identifier": "iodp"}, {"identifier": "nope"}]}
    stored = store(sent)
    assert stored["custom_fields"]["legacy:communities"] == ["iodp", "nope"]
    assert readback(sent)["communities"] == [{"identifier": "iodp"}, {"identifier": "nope"}]
    record = published(stored, accepted_communities=["iodp"])
    back = stored_to_deposit_metadata(record, record_id=1, doi_prefix="x")
    assert back["communities"] == [{"identifier": "iodp"}]


@pytest.mark.parametrize("communities", [["iodp"], "iodp", [{"id": "iodp"}]])
def test_3_10_communities_must_be_identifier_objects(communities):
    assert rejection({**BASE, "communities": communities}) == [
        {
            "field": "communities",
            "messages": ["Communities must be an array of objects with an 'identifier' key."],
        }
    ]


# --------------------------------------------------------------------------- grants


@pytest.mark.parametrize(
    "sent, funder_ror, read",
    [
        ("10.13039/501100000780::654241", "00k4n6c32", "10.13039/501100000780::654241"),
        ("654241", "00k4n6c32", "10.13039/501100000780::654241"),  # bare number = EC
        ("10.13039/100000001::1234567", "021nxhr62", "10.13039/100000001::1234567"),
        ("10.13039/501100000690::EP/K0/1", "001aqnf71", "10.13039/100014013::EP/K0/1"),  # RCUK -> UKRI
        ("10.13039/501100001665::755021", "00rbzpz17", "10.13039/501100001665::755021"),  # ANR
    ],
)
def test_3_10_grants_funder_doi_to_ror_and_back(sent, funder_ror, read):
    stored = store({**BASE, "grants": [{"id": sent}]})
    award = sent.split("::")[-1]
    assert stored["metadata"]["funding"] == [
        {"funder": {"id": funder_ror}, "award": {"id": f"{funder_ror}::{award}", "number": award}}
    ]
    assert readback({**BASE, "grants": [{"id": sent}]})["grants"] == [{"id": read}]


@pytest.mark.parametrize(
    "grant, message",
    [
        ({"id": "10.13039/501100000781::101001"}, "Invalid value 10.13039/501100000781::101001."),  # ERC
        ({"id": "10.13039/501100000780::"}, "Invalid value 10.13039/501100000780::."),
    ],
)
def test_3_10_unknown_funder_or_missing_grant_id_is_rejected(grant, message):
    errors = rejection({**BASE, "grants": [grant]})
    assert errors == [{"field": "metadata.grants.0.id", "messages": [message]}]


# --------------------------------------------------------------------------- custom-field groups


def test_3_10_journal_conference_imprint_partof_thesis_round_trip():
    sent = {
        **BASE,
        "journal_title": "J",
        "journal_volume": "1",
        "journal_issue": "2",
        "journal_pages": "3-4",
        "conference_title": "Conf",
        "conference_acronym": "C",
        "conference_dates": "1-2 May",
        "conference_place": "Geneva",
        "conference_url": "https://c.org",
        "conference_session": "A",
        "conference_session_part": "1",
        "imprint_isbn": "978-3-16-148410-0",
        "imprint_place": "Geneva",
        "partof_title": "Book",
        "partof_pages": "10-20",
        "thesis_university": "Uni",
    }
    stored = store(sent)
    assert stored["custom_fields"]["journal:journal"] == {
        "title": "J",
        "volume": "1",
        "issue": "2",
        "pages": "3-4",
    }
    assert stored["custom_fields"]["imprint:imprint"] == {
        "title": "Book",
        "pages": "10-20",
        "isbn": "978-3-16-148410-0",
        "place": "Geneva",
    }
    assert stored["custom_fields"]["thesis:thesis"] == {"university": "Uni"}
    back = readback(sent)
    for key, value in sent.items():
        if key not in BASE:
            assert back[key] == value, key
    assert "custom" not in back


def test_3_10_custom_round_trips_under_custom():
    custom = {"dwc:basisOfRecord": ["PreservedSpecimen"], "code:programmingLanguage": [{"id": "python"}]}
    assert readback({**BASE, "custom": custom})["custom"] == custom


def test_3_10_version_round_trip():
    assert readback({**BASE, "version": " v1.2.0 "})["version"] == "v1.2.0"


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    "sent, stored_id",
    [
        ("en", "eng"),
        ("de", "deu"),
        ("fr", "fra"),
        ("eng", "eng"),
        ("zh", "zho"),
        ("EN", "eng"),
    ],
)
def test_3_10_language_two_letters_become_three(sent, stored_id):
    assert store({**BASE, "language": sent})["metadata"]["languages"] == [{"id": stored_id}]
    assert readback({**BASE, "language": sent})["language"] == stored_id


def test_3_10_unknown_two_letter_language_is_dropped():
    assert "language" not in readback({**BASE, "language": "qq"})


def test_3_6_upper_case_three_letter_language_is_an_unknown_id():
    assert rejection({**BASE, "language": "ENG"}) == [
        {"field": "metadata.language", "messages": ["Invalid value ENG."]}
    ]


@pytest.mark.parametrize("sent", ["english", "e", ""])
def test_3_10_language_of_other_lengths_is_rejected(sent):
    assert rejection({**BASE, "language": sent}) == [
        {"field": "metadata.language", "messages": ["Language must be either ISO-639-1 or 639-2 compatible."]}
    ]


# --------------------------------------------------------------------------- locations, dates


@pytest.mark.parametrize(
    "sent, read",
    [
        ({"place": "Geneva", "lat": 46.2, "lon": 6.14}, {"place": "Geneva", "lon": 6.14, "lat": 46.2}),
        ({"place": "Equator", "lat": 0, "lon": 6.14}, {"place": "Equator"}),  # 0 is falsy: geometry lost
        ({"place": "Lab", "description": "Room 1"}, {"place": "Lab", "description": "Room 1"}),
    ],
)
def test_3_10_locations_geometry_only_with_truthy_lat_and_lon(sent, read):
    assert readback({**BASE, "locations": [sent]})["locations"] == [read]


def test_3_10_location_geometry_is_geojson_lon_lat():
    stored = store({**BASE, "locations": [{"place": "Geneva", "lat": 46.2, "lon": 6.14}]})
    assert stored["metadata"]["locations"] == {
        "features": [{"place": "Geneva", "geometry": {"type": "Point", "coordinates": [6.14, 46.2]}}]
    }


@pytest.mark.parametrize(
    "sent, stored_date, read",
    [
        (
            {"start": "2018-03-21", "end": "2018-03-25", "type": "Collected"},
            "2018-03-21/2018-03-25",
            {"start": "2018-03-21", "end": "2018-03-25", "type": "collected"},
        ),
        # single dates lose their value on readback (zenodo#2594)
        ({"start": "2018-03-21", "end": "2018-03-21", "type": "Valid"}, "2018-03-21", {"type": "valid"}),
        ({"start": "2018-03-21", "type": "Collected"}, "2018-03-21", {"type": "collected"}),
        (
            {"end": "2019", "type": "withdrawn", "description": "gone"},
            "2019",
            {"type": "withdrawn", "description": "gone"},
        ),
    ],
)
def test_3_10_dates_single_or_interval_type_lowercased(sent, stored_date, read):
    stored = store({**BASE, "dates": [sent]})
    assert stored["metadata"]["dates"][0]["date"] == stored_date
    assert readback({**BASE, "dates": [sent]})["dates"] == [read]


def test_3_6_date_without_start_or_end_is_rejected():
    assert rejection({**BASE, "dates": [{"type": "Collected"}]}) == [
        {"field": "metadata.dates", "messages": ["Invalid date provided."]}
    ]


# --------------------------------------------------------------------------- §3.9 publish


def test_3_9_empty_draft_lists_every_missing_field():
    errors = publish_errors(store(None), 0, today=TODAY)
    assert errors == [
        {"field": f"metadata.{key}", "messages": ["Missing data for required field."]}
        for key in ("creators", "publication_date", "resource_type", "title")
    ]


def test_3_9_metadata_errors_come_before_the_files_error():
    stored = store({"title": "A title"})
    assert all(e["field"].startswith("metadata.") for e in publish_errors(stored, 0, today=TODAY))
    ready = store(BASE)
    assert publish_errors(ready, 0, today=TODAY) == [
        {
            "field": "files.enabled",
            "messages": [
                "Missing uploaded files. To disable files for this record please mark it as metadata-only."
            ],
        }
    ]
    assert publish_errors(ready, 1, today=TODAY) == []


def test_3_9_blank_publisher_blocks_the_doi_registration():
    stored = store({**BASE, "imprint_publisher": ""})
    assert publish_errors(stored, 1, today=TODAY) == [
        {
            "field": "metadata.publisher",
            "messages": ["Missing publisher field required for DOI registration."],
        }
    ]


# --------------------------------------------------------------------------- §3.9 new version


def test_3_9_new_version_draft_drops_version_and_doi_and_dates_today():
    stored = store({**BASE, "version": "1", "publication_date": "2020-01-01", "doi": "10.5281/zenodo.1"})
    draft = new_version_draft(stored, today=TODAY)
    assert "version" not in draft["metadata"]
    assert draft["metadata"]["publication_date"] == TODAY
    assert draft["pids"] == {}
    assert stored["metadata"]["version"] == "1"  # the input is not mutated


# --------------------------------------------------------------------------- the rose fixture


def test_rose_fixture_goes_through_and_reads_back_as_zenodo_would():
    # Sent exactly as the tutorial's user PUT it: license {"id": "CC-BY-4.0"}, a grant object
    # copied from an old GET (no `id`, only links.self), related identifiers without a scheme.
    rose = json.loads((FIXTURES / "rose-deposition-metadata.json").read_text())["metadata"]
    back = readback(rose)
    assert back["license"] == "cc-by-4.0"
    assert back["grants"] == [{"id": "10.13039/501100000780::654241"}]
    assert back["related_identifiers"] == [
        {"identifier": "10.1038/s41588-018-0110-3", "relation": "cites", "scheme": "doi"},
        {"identifier": "10.5281/zenodo.2598799", "relation": "cites", "scheme": "doi"},
        {"identifier": "10.5281/zenodo.2557893", "relation": "isNewVersionOf", "scheme": "doi"},
    ]
    assert back["creators"][0] == {
        "name": "Philippe Rocca-Serra",
        "affiliation": "University of Oxford",
        "orcid": "0000-0001-9853-5668",
    }
    assert back["keywords"] == rose["keywords"]
    assert (back["upload_type"], back["language"], back["publication_date"]) == (
        "dataset",
        "eng",
        "2019-03-13",
    )
    assert back["imprint_publisher"] == "Zenodo"
    assert publish_errors(store(rose), 1, today=TODAY) == []


@pytest.mark.parametrize(
    "grant",
    [
        {"acronym": "PhenoMenAl", "program": "H2020"},
        {"links": {"self": "https://zenodo.org/api/funders/10.13039/501100000780"}},
        {"id": ""},
    ],
)
def test_grant_without_a_usable_id_is_named_in_the_error(grant):
    assert rejection({**BASE, "grants": [grant]}) == [
        {"field": "metadata.grants.0.id", "messages": ["Missing data for required field."]}
    ]


# --------------------------------------------------------------------------- everything at once


def test_3_10_full_legacy_deposit_reads_back_with_every_rewrite():
    """One deposit using every legacy field; the whole readback is compared (§3.10-3.12)."""
    sent = {
        "upload_type": "publication",
        "publication_type": "thesis",
        "title": " A “complete” thesis ",
        "publication_date": "2024-02-29",
        "description": "<p class='abstract'>Results &amp; more</p>",
        "notes": "Some notes",
        "method": "<em>Careful</em> work",
        "creators": [
            {
                "name": "Curie,Marie",
                "affiliation": "Sorbonne",
                "orcid": "https://orcid.org/0000-0002-1825-0097",
            },
            {"name": "ACME Lab", "gnd": "118540238"},
        ],
        "contributors": [{"name": "Roe, Jane", "type": "editor", "affiliation": "ETH"}],
        "thesis_supervisors": [{"name": "Bohr, Niels"}],
        "thesis_university": "Uni Paris",
        "access_right": "closed",
        "access_conditions": "on request",
        "license": "CC-BY-SA",
        "doi": "10.1234/thesis.1",
        "keywords": ["physics", " radioactivity "],
        "subjects": [{"term": "Physics", "identifier": "https://id.loc.gov/x", "scheme": "url"}],
        "related_identifiers": [
            {"identifier": "arXiv:1310.2590", "relation": "isAlternateIdentifier"},
            {
                "identifier": "https://doi.org/10.1000/XYZ",
                "relation": "IsSupplementTo",
                "resource_type": "dataset",
            },
        ],
        "references": ["Curie M (1903). Thesis."],
        "communities": [{"identifier": "physics"}],
        "grants": [{"id": "10.13039/100000001::0001234"}],
        "journal_title": "Annales",
        "imprint_publisher": "Sorbonne Press",
        "imprint_place": "Paris",
        "version": "2.0",
        "language": "fr",
        "locations": [{"place": "Paris", "lat": 48.85, "lon": 2.35}],
        "dates": [
            {"start": "1898-01-01", "end": "1902-12-31", "type": "Collected", "description": "lab work"}
        ],
        "custom": {"dwc:kingdom": ["Animalia"]},
        "unknown_key": "dropped",
    }
    assert readback(sent) == {
        "title": 'A "complete" thesis',
        "doi": "10.1234/thesis.1",
        "publication_date": "2024-02-29",
        "description": "<p>Results &amp; more</p>",
        "access_right": "restricted",
        "creators": [
            {"name": "Curie, Marie", "affiliation": "Sorbonne", "orcid": "0000-0002-1825-0097"},
            {"name": "ACME Lab", "affiliation": None, "gnd": "118540238"},
        ],
        "contributors": [
            {"name": "Bohr, Niels", "affiliation": None, "type": "Supervisor"},
            {"name": "Roe, Jane", "affiliation": "ETH", "type": "Editor"},
        ],
        "keywords": ["physics", "radioactivity"],
        "subjects": [{"term": "Physics", "identifier": "https://id.loc.gov/x", "scheme": "url"}],
        "related_identifiers": [
            {
                "identifier": "10.1000/XYZ",
                "relation": "isSupplementTo",
                "resource_type": "dataset",
                "scheme": "doi",
            },
            {"identifier": "arXiv:1310.2590", "relation": "isAlternateIdentifier", "scheme": "arxiv"},
        ],
        "locations": [{"place": "Paris", "lon": 2.35, "lat": 48.85}],
        "dates": [
            {"start": "1898-01-01", "end": "1902-12-31", "type": "collected", "description": "lab work"}
        ],
        "version": "2.0",
        "references": ["Curie M (1903). Thesis."],
        "language": "fra",
        "custom": {"dwc:kingdom": ["Animalia"]},
        "notes": "Some notes",
        "method": "<em>Careful</em> work",
        "grants": [{"id": "10.13039/100000001::0001234"}],
        "license": "cc-by-sa-4.0",
        "journal_title": "Annales",
        "imprint_place": "Paris",
        "thesis_university": "Uni Paris",
        "imprint_publisher": "Sorbonne Press",
        "communities": [{"identifier": "physics"}],
        "upload_type": "publication",
        "publication_type": "dissertation",
        "prereserve_doi": {"doi": "10.5072/zenodo.42", "recid": 42},
    }


def test_translation_never_mutates_what_it_is_given():
    sent = {
        **BASE,
        "keywords": ["a"],
        "custom": {"dwc:kingdom": ["Animalia"]},
        "subjects": [{"term": "x"}],
        "grants": [{"id": "654241"}],
        "related_identifiers": [{"identifier": "10.1/x", "relation": "cites"}],
    }
    previous = store({**BASE, "doi": "10.1234/ext"})
    sent_copy, previous_copy = copy.deepcopy(sent), copy.deepcopy(previous)
    stored = store(sent, previous=previous)
    stored_copy = copy.deepcopy(stored)
    stored_to_deposit_metadata(stored, record_id=1, doi_prefix="x")
    published(stored, accepted_communities=["c"])
    lift_embargo(stored, today=TODAY)
    assert (sent, previous, stored) == (sent_copy, previous_copy, stored_copy)
    assert stored["pids"] == previous["pids"]  # only the DOI carries over from `previous`
    assert stored["pids"] is not previous["pids"]


def test_3_6_unknown_vocabulary_ids_are_checked_after_the_schema():
    # Schema errors (here the license) answer first, with the validation message ...
    with pytest.raises(LegacyInputError) as caught:
        store({**BASE, "license": "nope", "upload_type": "spreadsheet"})
    assert caught.value.message == "A validation error occurred."
    assert caught.value.errors == [
        {"field": "metadata.license", "messages": ["Invalid license provided: nope"]}
    ]
    # ... and an input that loads but names unknown ids gets RDM's "Invalid value <id>." [U].
    with pytest.raises(LegacyInputError) as caught:
        store({**BASE, "upload_type": "spreadsheet", "dates": [{"start": "2020", "type": "Birthday"}]})
    assert caught.value.message == "Invalid value spreadsheet."
    assert caught.value.errors == [
        {"field": "metadata.resource_type", "messages": ["Invalid value spreadsheet."]},
        {"field": "metadata.dates.0.type", "messages": ["Invalid value birthday."]},
    ]
