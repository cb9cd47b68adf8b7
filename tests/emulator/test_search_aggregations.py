"""Record searches carry Zenodo's aggregations (docs/zenodo-behaviour.md §6.2): publication_date,
access_status, resource_type, subject and file_type, in invenio-records-resources' labelled
bucket shape, counted over every hit of the query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator import running_emulator

TODAY = "2026-06-01"
FACETS = ["publication_date", "access_status", "resource_type", "subject", "file_type"]
LABELS = {
    "publication_date": "Publication date",
    "access_status": "Access status",
    "resource_type": "Resource types",
    "subject": "Subjects",
    "file_type": "File type",
}


def bucket(key: str, count: int, label: str | None = None, **extra) -> dict:
    return {
        "key": key,
        "doc_count": count,
        "label": key if label is None else label,
        "is_selected": False,
        **extra,
    }


@pytest.fixture
def api(tmp_path) -> Iterator[Api]:
    with running_emulator(data_dir=tmp_path / "data", token="test-token", today=TODAY) as emu:
        yield Api(emu.url, emu.token)


@pytest.fixture
def three_records(api) -> dict:
    dataset = api.published(
        {**VALID_METADATA, "publication_date": "2019-08-10", "keywords": ["roses", "GC-MS"]},
        files={"peaks.csv": b"a,b\n", "raw.CSV": b"1,2\n", "README": b"read me"},
    )
    article = api.published(
        {
            **VALID_METADATA,
            "title": "Scent paper",
            "upload_type": "publication",
            "publication_type": "article",
            "publication_date": "2022-03-01",
            "keywords": ["roses"],
        },
        files={"paper.pdf": b"%PDF"},
    )
    figure = api.published(
        {
            **VALID_METADATA,
            "title": "Scent figure",
            "upload_type": "image",
            "image_type": "figure",
            "publication_date": "2022-12-31",
            "access_right": "closed",
        },
        files={"plot.png": b"png", "data.csv": b"x\n"},
    )
    return {"dataset": dataset, "article": article, "figure": figure}


def test_empty_search_lists_every_facet_with_no_buckets(api):
    aggregations = api.get("/records").json()["aggregations"]
    assert list(aggregations) == FACETS
    assert aggregations == {name: {"buckets": [], "label": LABELS[name]} for name in FACETS}


def test_facets_count_the_hits(api, three_records):
    aggregations = api.get("/records").json()["aggregations"]
    assert list(aggregations) == FACETS
    assert aggregations["access_status"] == {
        "label": "Access status",
        "buckets": [bucket("open", 2, "Open"), bucket("restricted", 1, "Restricted")],
    }
    assert aggregations["resource_type"] == {
        "label": "Resource types",
        "buckets": [
            bucket("dataset", 1, "Dataset", inner={"buckets": []}),
            bucket("image", 1, "Image", inner={"buckets": [bucket("image-figure", 1, "Figure")]}),
            bucket(
                "publication",
                1,
                "Publication",
                inner={"buckets": [bucket("publication-article", 1, "Journal article")]},
            ),
        ],
    }
    # A record counts once per file type, whatever the case of the extension; no extension, no type.
    assert aggregations["file_type"] == {
        "label": "File type",
        "buckets": [bucket("csv", 2, "CSV"), bucket("pdf", 1, "PDF"), bucket("png", 1, "PNG")],
    }
    assert aggregations["subject"] == {
        "label": "Subjects",
        "buckets": [bucket("roses", 2), bucket("GC-MS", 1)],
    }
    # One bucket per year from the first to the last, empty years included.
    assert aggregations["publication_date"] == {
        "label": "Publication date",
        "buckets": [bucket("2019", 1), bucket("2020", 0), bucket("2021", 0), bucket("2022", 2)],
    }


def test_facets_count_every_hit_not_only_the_page(api, three_records):
    body = api.get("/records", params={"size": 1}).json()
    assert len(body["hits"]["hits"]) == 1
    assert sum(b["doc_count"] for b in body["aggregations"]["resource_type"]["buckets"]) == 3


def test_facets_follow_the_query(api, three_records):
    aggregations = api.get("/records", params={"q": "title:paper OR title:figure"}).json()["aggregations"]
    assert [b["key"] for b in aggregations["resource_type"]["buckets"]] == ["image", "publication"]
    assert aggregations["publication_date"]["buckets"] == [bucket("2022", 2)]


def test_a_new_version_replaces_its_predecessor_unless_all_versions(api, three_records):
    dataset = three_records["dataset"]
    response = api.post(f"/deposit/depositions/{dataset['id']}/actions/newversion")
    assert response.status_code == 201, response.text
    new_id = int(response.json()["links"]["latest_draft"].rsplit("/", 1)[1])
    api.publish(new_id)  # publication_date: today, 2026
    latest = api.get("/records").json()["aggregations"]["publication_date"]["buckets"]
    assert (latest[0], latest[-1]) == (bucket("2022", 2), bucket("2026", 1))
    every = api.get("/records", params={"all_versions": "true"}).json()["aggregations"]
    assert every["publication_date"]["buckets"][0] == bucket("2019", 1)
    assert every["resource_type"]["buckets"][0] == bucket("dataset", 2, "Dataset", inner={"buckets": []})


def test_years_outside_2000_to_this_year_are_not_bucketed(api):
    api.published({**VALID_METADATA, "publication_date": "1999-12-31"})
    assert api.get("/records").json()["aggregations"]["publication_date"]["buckets"] == []


def test_user_records_have_facets_and_versions_have_none(api, three_records):
    mine = api.get("/user/records").json()["aggregations"]
    assert list(mine) == FACETS
    assert mine["access_status"]["buckets"][0] == bucket("open", 2, "Open")
    versions = api.get(f"/records/{three_records['dataset']['id']}/versions").json()
    assert versions["aggregations"] == {}  # RDM_SEARCH_VERSIONING has no facets


def test_inveniordm_json_carries_the_same_aggregations(api, three_records):
    zenodo = api.get("/records").json()["aggregations"]
    rdm = api.get("/records", headers={"Accept": "application/vnd.inveniordm.v1+json"}).json()["aggregations"]
    assert rdm == zenodo
