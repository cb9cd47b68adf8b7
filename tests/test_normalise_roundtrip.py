"""The law, against the emulator's translation layer: canonical_desired(sent) == canonical_actual(readback).

Every metadata below is sent through what the server does with it (emulator/translate.py:
deposit_input_to_stored -> stored_to_deposit_metadata, docs/zenodo-behaviour.md §3.6, §3.10-§3.12), both
as a draft and after publish, and must come back with an empty diff. The cases together touch
every rule of normalise.py; the example manifests in datasets/ are included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zenodo_sync.emulator import translate
from zenodo_sync.engine.diff import diff_metadata
from zenodo_sync.engine.normalise import canonical_actual, canonical_desired

ROOT = Path(__file__).parent.parent
TODAY = "2026-11-22"
CREATOR = {"name": "Doe, John", "affiliation": "Uni", "orcid": "0000-0002-1825-0097"}


def case(**fields):
    base = {
        "upload_type": "dataset",
        "title": "Core photographs",
        "creators": [CREATOR],
        "description": "<p>Photos of cores.</p>",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


CASES = {
    "minimal dataset, default license": case(),
    "software, default license": case(upload_type="software"),
    "text as people type it": case(
        title="  \u201cCore\u201d photos \ufb01eld it\u2019s  ",
        version=" v1.0 \n",
        keywords=["Tom &amp; Jerry", " sea ice "],
        references=["Doe (2019)\r\n"],
        description="<p class='x' onclick='evil()'>A & B <script>x</script><img src=a></p>\n",
        notes="Plain note",
        method="<h6>Method</h6><table><tr><td>1</td></tr></table>",
    ),
    "typography in HTML fields": case(
        description="\u201cQuoted\u201d Tom &amp; Jerry, a < b",
        notes="It\u2019s &amp; <b>bold</b>",
        method="\ufb01eld work",
    ),
    "too short to be stored": case(title="AB", notes="ok", method="<b></b>"),
    "creator name forms and ids": case(
        creators=[
            {"name": "Doe,John", "orcid": "https://orcid.org/0000-0002-1825-0097"},
            {"name": " Roe ,  Ann ", "affiliation": ""},
            {"name": "Poe,", "affiliation": None, "gnd": "gnd:118514768"},
            {"name": "Ann Other"},
            {"name": "Smith, J., Jr."},
            {"name": "Seki, Osamu", "orcid": "0000-0001-6136-288x"},
        ]
    ),
    "thesis with supervisors": case(
        upload_type="publication",
        publication_type="thesis",
        thesis_university="Uni Bremen",
        thesis_supervisors=[{"name": "Smith,Ann", "orcid": "0000-0001-5109-3700"}],
        contributors=[
            {"name": "IODP", "type": "datacollector"},
            {"name": "Lab", "type": "HostingInstitution"},
        ],
    ),
    "closed access": case(access_right="closed", license=None),
    "restricted with conditions": case(access_right="restricted", access_conditions="Ask me"),
    "running embargo": case(access_right="embargoed", embargo_date="2099-01-01"),
    "grants in every form": case(
        grants=[
            {"id": "654241"},
            {"id": "10.13039/501100000690::EP/K011766/1"},
            {"id": "10.13039/100000001::1234567"},
        ]
    ),
    "communities": case(communities=[{"identifier": "zenodo"}, {"identifier": "iodp"}]),
    "related identifiers": case(
        related_identifiers=[
            {"identifier": "10.5281/zenodo.1", "relation": "isAlternateIdentifier"},
            {"identifier": "https://doi.org/10.1038/s41588-018-0110-3", "relation": "Cites", "scheme": "url"},
            {"identifier": "doi:10.1/x", "relation": "isOrignialFormOf"},  # the typo the server fixes
            {"identifier": "1310.2590", "relation": "references"},
            {"identifier": "hdl:1234/5", "relation": "isPartOf"},
            {
                "identifier": "https://github.com/x/y",
                "relation": "isSupplementTo",
                "resource_type": "software",
            },
        ]
    ),
    "dates": case(
        dates=[
            {"start": "2019-05-01", "end": "2019-05-01", "type": "Collected"},
            {"start": "2019-06-01", "type": "Valid", "description": "from June"},
            {"start": "2019-01-01", "end": "2019-12-31", "type": "collected"},
        ]
    ),
    "two-letter language": case(language="de"),
    "three-letter language": case(language="eng"),
    "locations": case(
        locations=[
            {"place": "Ross Sea", "lat": 0, "lon": 170.5},
            {"place": "Site U1521", "lat": -75.7, "lon": 179.0, "description": "hole A"},
        ]
    ),
    "image with a stray publication type": case(
        upload_type="image", image_type="photo", publication_type="article"
    ),
    "journal, conference, imprint": case(
        upload_type="publication",
        publication_type="article",
        journal_title="Nature",
        journal_volume="1",
        journal_issue="2",
        journal_pages="3-4",
        conference_title="AGU",
        conference_acronym="AGU25",
        conference_dates="1-5 Dec",
        conference_place="SF",
        conference_url="https://agu.org",
        imprint_publisher="Self",
        imprint_isbn="978-3-16-148410-0",
        imprint_place="Bremen",
        partof_title="Book",
        partof_pages="1-10",
    ),
    "publication date and external DOI set": case(
        publication_date="2019-08-10", doi="https://doi.org/10.1234/abc"
    ),
    "subjects": case(subjects=[{"term": "Ocean", "identifier": "http://id.loc.gov/x", "scheme": "url"}]),
}
LICENSES = [
    "cc-zero",
    "CC0-1.0",
    "cc-by-4.0",
    "CC-BY-4.0",
    "cc-by",
    "cc-by-sa",
    "cc-by-nc-4.0",
    "cc-by-3.0",
    "MIT",
    "mit-license",
    "Apache-2.0",
    "GPL-3.0",
    "gpl-3.0-or-later",
    "lgpl-3.0",
    "agpl-3.0",
    "BSD-3-Clause",
    "other-open",
]
CASES.update({f"license {license_id}": case(license=license_id) for license_id in LICENSES})
CASES["license object"] = case(license={"id": "CC-BY-4.0"})


def rose_fixture():
    sent = json.loads((ROOT / "tests/fixtures/rose-deposition-metadata.json").read_text())["metadata"]
    # The tutorial's full grant object is the pre-2023 form; zsync sends the shorthand (§3.10).
    return {**sent, "grants": [{"id": "10.13039/501100000780::654241"}]}


def example_manifests():
    from zenodo_sync.manifest import load_project

    project = load_project(ROOT)
    return {f"datasets: {dataset.key}": dataset.metadata for dataset in project.datasets}


def all_cases():
    cases = dict(CASES)
    cases["rose fixture"] = rose_fixture()
    cases.update(example_manifests())
    return cases


def read_back(stored):
    return translate.stored_to_deposit_metadata(stored, record_id=12, doi_prefix="10.5072")


def assert_law(sent, back):
    desired = canonical_desired(sent, today=TODAY)
    actual = canonical_actual(back, sent=sent, today=TODAY)
    assert diff_metadata(actual, desired) == []
    assert desired == actual


@pytest.mark.parametrize("name", sorted(all_cases()))
def test_a_draft_reads_back_equal(name):
    sent = all_cases()[name]
    assert_law(sent, read_back(translate.deposit_input_to_stored(sent, today=TODAY, previous=None)))


@pytest.mark.parametrize("name", sorted(all_cases()))
def test_a_published_record_reads_back_equal(name):
    sent = all_cases()[name]
    stored = translate.deposit_input_to_stored(sent, today=TODAY, previous=None)
    record = translate.published(stored, accepted_communities=translate.requested_communities(stored))
    assert_law(sent, read_back(record))


def test_an_update_reads_back_equal_over_a_previous_version():
    first = CASES["grants in every form"]
    stored = translate.deposit_input_to_stored(first, today=TODAY, previous=None)
    second = case(title="Core photographs, revised", license="MIT")
    updated = translate.deposit_input_to_stored(second, today=TODAY, previous=stored)
    assert_law(second, read_back(updated))


def test_an_ended_embargo_reads_back_equal():
    sent = case(access_right="embargoed", embargo_date="2026-12-01")
    stored = translate.deposit_input_to_stored(sent, today=TODAY, previous=None)
    lifted = translate.lift_embargo(stored, today="2026-12-02")
    back = read_back(lifted)
    assert back["access_right"] == "open"
    assert canonical_desired(sent, today="2026-12-02") == canonical_actual(
        back, sent=sent, today="2026-12-02"
    )


def test_the_law_does_not_hide_an_edit_made_on_the_server():
    sent = CASES["creator name forms and ids"]
    back = read_back(translate.deposit_input_to_stored(sent, today=TODAY, previous=None))
    back["creators"][0]["orcid"] = "0000-0002-1825-0098"
    changes = diff_metadata(canonical_actual(back, sent=sent), canonical_desired(sent))
    assert [(change.path, change.kind) for change in changes] == [("creators.0.orcid", "change")]


# --- over real HTTP, on both emulator profiles ------------------------------------------------

# The "zenodo" profile enforces Zenodo's 100 requests/minute (docs/zenodo-behaviour.md §5): it gets the
# example manifests and a handful of cases, the "fast" profile gets every case.
ZENODO_PROFILE_CASES = [
    "text as people type it",
    "creator name forms and ids",
    "thesis with supervisors",
    "grants in every form",
    "related identifiers",
    "rose fixture",
]


@pytest.fixture(scope="module", params=["fast", "zenodo"])
def deposit_backend(request, tmp_path_factory):
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.emulator import running_emulator

    data_dir = tmp_path_factory.mktemp(f"law-{request.param}")
    with running_emulator(data_dir=data_dir, profile=request.param) as emu:
        yield request.param, ZenodoDepositBackend(emu.url, emu.token)


def http_cases(profile):
    cases = all_cases()
    del cases["too short to be stored"]  # rightly refused at publish (no title)
    if profile == "zenodo":
        return {
            name: sent
            for name, sent in cases.items()
            if name in ZENODO_PROFILE_CASES or name.startswith("datasets:")
        }
    return cases


def test_the_law_over_http_after_create_and_publish(deposit_backend, tmp_path):
    """What zsync apply does for a create (docs/zenodo-behaviour.md §3.13): create, upload, publish, read back."""
    from zenodo_sync.model import LocalFile

    profile, backend = deposit_backend
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    failures = {}
    for name, sent in sorted(http_cases(profile).items()):
        draft = backend.create(sent)
        backend.upload(draft, LocalFile(name="data.csv", path=data, size=data.stat().st_size))
        for stage, record in (("draft", backend.get(draft.id)), ("published", backend.publish(draft.id))):
            changes = diff_metadata(canonical_actual(record.metadata, sent=sent), canonical_desired(sent))
            if changes:
                failures[f"{name} ({stage})"] = changes
    assert failures == {}


def test_the_law_over_http_after_an_update(deposit_backend, tmp_path):
    """An update of a published record (edit, PUT, publish) reads back equal too."""
    from zenodo_sync.model import LocalFile

    _, backend = deposit_backend
    data = tmp_path / "data.csv"
    data.write_text("x\n")
    first = CASES["creator name forms and ids"]
    draft = backend.create(first)
    backend.upload(draft, LocalFile(name="data.csv", path=data, size=data.stat().st_size))
    published = backend.publish(draft.id)
    second = {**CASES["thesis with supervisors"], "license": "MIT", "language": "fr"}
    backend.edit(published.id)
    backend.update_metadata(published.id, second)
    record = backend.publish(published.id)
    assert diff_metadata(canonical_actual(record.metadata, sent=second), canonical_desired(second)) == []
    assert canonical_actual(record.metadata, sent=second) == canonical_desired(second)


def test_leaving_a_community_does_not_leave_a_plan_that_never_empties(deposit_backend, tmp_path):
    """A PUT without a community does not take a published record out of it (the emulator keeps
    the parent's communities): the diff must not keep asking for that removal."""
    from zenodo_sync.engine.diff import one_way_removals
    from zenodo_sync.model import LocalFile

    _, backend = deposit_backend
    data = tmp_path / "data.csv"
    data.write_text("x\n")
    first = case(communities=[{"identifier": "iodp"}, {"identifier": "zenodo"}])
    draft = backend.create(first)
    backend.upload(draft, LocalFile(name="data.csv", path=data, size=data.stat().st_size))
    published = backend.publish(draft.id)
    second = case(communities=[{"identifier": "iodp"}])
    backend.edit(published.id)
    backend.update_metadata(published.id, second)
    record = backend.publish(published.id)
    before, after = canonical_actual(record.metadata, sent=second), canonical_desired(second)
    assert diff_metadata(before, after) == []
    assert [change.before for change in one_way_removals(before, after)] == ["zenodo"]
