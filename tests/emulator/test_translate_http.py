"""The lossy round trip over real HTTP: what a client PUTs is not what it GETs back (§3.6, §3.10-3.12).

The rule-by-rule tables live in test_translate.py; these tests check that the emulator applies
the translation layer on every deposit route, and that errors reach the client as Zenodo's
400 body with `errors[].messages` lists.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

TIMEOUT = 10


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


@pytest.fixture
def api(emulator):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {emulator.token}"

    def call(method: str, url: str, **kwargs) -> requests.Response:
        if not url.startswith("http"):
            url = emulator.url + url
        return session.request(method, url, timeout=TIMEOUT, **kwargs)

    return call


def create(api, metadata: dict) -> dict:
    response = api("POST", "/deposit/depositions", json={"metadata": metadata})
    assert response.status_code == 201, response.text
    return response.json()


def test_put_then_get_reads_back_zenodos_rewrites(api):
    before = today()  # the server's "today" (UTC) may roll over during the test
    deposit = create(api, {"title": "placeholder"})
    sent = {
        "title": "  “Quoted” title ",
        "upload_type": "publication",
        "publication_type": "thesis",
        "creators": [{"name": "Curie,Marie", "orcid": "https://orcid.org/0000-0002-1825-0097"}],
        "license": "MIT",
        "dates": [{"start": "2020-01-01", "end": "2020-01-01", "type": "Collected"}],
        "related_identifiers": [{"identifier": "https://doi.org/10.1000/ABC", "relation": "Cites"}],
        "access_conditions": "dropped",
    }
    response = api("PUT", f"/deposit/depositions/{deposit['id']}", json={"metadata": sent})
    assert response.status_code == 200, response.text
    back = api("GET", f"/deposit/depositions/{deposit['id']}").json()
    metadata = back["metadata"]
    assert back["title"] == metadata["title"] == '"Quoted" title'
    assert metadata["publication_type"] == "dissertation"
    assert metadata["creators"] == [
        {"name": "Curie, Marie", "affiliation": None, "orcid": "0000-0002-1825-0097"}
    ]
    assert metadata["license"] == "mit-license"
    assert metadata["dates"] == [{"type": "collected"}]
    assert metadata["related_identifiers"] == [
        {"identifier": "10.1000/ABC", "relation": "cites", "scheme": "doi"}
    ]
    assert metadata["publication_date"] in {before, today()}
    assert metadata["imprint_publisher"] == "Zenodo"
    assert "access_conditions" not in metadata
    assert metadata["prereserve_doi"] == {"doi": f"10.5072/zenodo.{deposit['id']}", "recid": deposit["id"]}


def test_put_replaces_the_whole_metadata(api):
    before = today()
    deposit = create(
        api, {"title": "First title", "version": "1.0", "keywords": ["a"], "publication_date": "2020-05-05"}
    )
    api("PUT", f"/deposit/depositions/{deposit['id']}", json={"metadata": {"title": "Second title"}})
    metadata = api("GET", f"/deposit/depositions/{deposit['id']}").json()["metadata"]
    assert metadata["title"] == "Second title"
    assert "version" not in metadata and "keywords" not in metadata
    assert metadata["publication_date"] in {before, today()}  # omitted => reset to today (§3.6)


@pytest.mark.parametrize(
    "metadata, error",
    [
        (
            {"license": "cc-by-5.0"},
            {"field": "metadata.license", "messages": ["Invalid license provided: cc-by-5.0"]},
        ),
        ({"access_right": "embargoed"}, {"field": "_schema", "messages": ["Unknown access type."]}),
        (
            {"communities": ["c1"]},
            {
                "field": "communities",
                "messages": ["Communities must be an array of objects with an 'identifier' key."],
            },
        ),
        (
            {"related_identifiers": [{"identifier": "PMC12345", "relation": "cites"}]},
            {
                "field": "metadata.related_identifiers.scheme",
                "messages": ["No valid scheme recognized for identifier."],
            },
        ),
        (
            {"language": "english"},
            {
                "field": "metadata.language",
                "messages": ["Language must be either ISO-639-1 or 639-2 compatible."],
            },
        ),
    ],
)
def test_inputs_zenodo_rejects_at_once_answer_400(api, metadata, error):
    response = api("POST", "/deposit/depositions", json={"metadata": {"title": "Some title", **metadata}})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["message"] == "A validation error occurred."
    assert body["errors"] == [error]


def test_publish_reports_rdm_paths_then_publishes(api):
    deposit = create(
        api,
        {
            "title": "Publishable",
            "upload_type": "dataset",
            "creators": [{"name": "Doe, John"}, {"name": " "}],
            "contributors": [{"name": "Roe, Jane"}],
        },
    )
    upload = api(
        "PUT",
        f"{deposit['links']['bucket']}/data.csv",
        data=b"a,b\n1,2\n",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert upload.status_code == 201, upload.text
    response = api("POST", deposit["links"]["publish"])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "metadata.contributors.0.role", "messages": ["Missing data for required field."]},
        {
            "field": "metadata.creators.1.person_or_org.family_name",
            "messages": ["Family name cannot be blank."],
        },
    ]
    fixed = {"title": "Publishable", "upload_type": "dataset", "creators": [{"name": "Doe, John"}]}
    assert api("PUT", f"/deposit/depositions/{deposit['id']}", json={"metadata": fixed}).status_code == 200
    response = api("POST", deposit["links"]["publish"])
    assert response.status_code == 202, response.text
    assert response.json()["metadata"]["license"] == "cc-zero"  # the dataset default, legacy id


def test_records_api_serves_both_metadata_views(api):
    deposit = create(
        api,
        {
            "title": "Both views",
            "upload_type": "image",
            "image_type": "photo",
            "creators": [{"name": "Doe, John"}],
            "license": "cc-by",
        },
    )
    api(
        "PUT",
        f"{deposit['links']['bucket']}/photo.txt",
        data=b"pixels",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert api("POST", deposit["links"]["publish"]).status_code == 202
    zenodo = api("GET", f"/records/{deposit['id']}").json()["metadata"]
    assert zenodo["resource_type"] == {"title": "Photo", "type": "image", "subtype": "photo"}
    assert zenodo["license"] == {"id": "cc-by-4.0"}
    assert zenodo["relations"]["version"][0]["index"] == 0
    rdm = api(
        "GET", f"/records/{deposit['id']}", headers={"Accept": "application/vnd.inveniordm.v1+json"}
    ).json()
    assert rdm["metadata"]["resource_type"] == {"id": "image-photo", "title": {"en": "Photo"}}
    assert rdm["metadata"]["rights"] == [{"id": "cc-by-4.0"}]
    assert rdm["metadata"]["creators"][0]["person_or_org"]["name"] == "Doe, John"
