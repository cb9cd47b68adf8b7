"""Deposit API conformance: create, read, update, delete, list (docs/zenodo-behaviour.md §3.1-3.6, §4)."""

from __future__ import annotations

import datetime

import pytest

from tests.emulator.conftest import VALID_METADATA

TODAY = datetime.datetime.now(datetime.timezone.utc).date().isoformat()


# -- create ------------------------------------------------------------------------------------------
def test_create_empty_deposit_has_zenodos_shape(api, emulator):
    response = api.post("/deposit/depositions", json={})
    assert response.status_code == 201
    body = response.json()
    assert body["conceptrecid"] == str(body["id"] - 1)  # parent allocated first (§1)
    assert body["record_id"] == body["id"]
    assert body["state"] == "unsubmitted" and body["submitted"] is False
    assert body["title"] == "" and body["files"] == [] and body["owner"] == 1
    assert body["metadata"] == {
        "access_right": "open",
        "prereserve_doi": {"doi": f"10.5072/zenodo.{body['id']}", "recid": body["id"]},
    }
    assert "doi" not in body and "conceptdoi" not in body
    assert body["created"].endswith("+00:00") and "." in body["created"]
    links = body["links"]
    base = emulator.url.removesuffix("/api")
    assert links["self"] == f"{emulator.url}/deposit/depositions/{body['id']}"
    assert links["html"] == f"{base}/deposit/{body['id']}"
    assert links["badge"] == f"{base}/badge/doi/.svg"
    assert links["bucket"].startswith(f"{emulator.url}/files/")
    assert links["latest_draft"] == links["self"]
    for action in ("publish", "edit", "discard", "newversion"):
        assert links[action] == f"{links['self']}/actions/{action}"
    assert "record" not in links and "latest" not in links


def test_ids_come_from_one_counter(api):
    first = api.create()
    second = api.create()
    assert int(second["conceptrecid"]) == first["id"] + 1
    assert second["id"] == first["id"] + 2


def test_create_with_metadata_applies_zenodos_defaults(api):
    body = api.create({"title": "Tiny", "upload_type": "dataset"})
    metadata = body["metadata"]
    assert body["title"] == "Tiny"
    assert metadata["publication_date"] == TODAY
    assert metadata["imprint_publisher"] == "Zenodo"
    assert metadata["license"] == "cc-zero"  # default for datasets, read back in legacy form (§3.12)


def test_create_rejects_unknown_top_level_keys(api):
    response = api.post("/deposit/depositions", json={"metadata": {}, "id": 5, "links": {}})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["message"] == "A validation error occurred."
    assert sorted(e["field"] for e in body["errors"]) == ["id", "links"]
    assert all(e["messages"] == ["Unknown field."] for e in body["errors"])


def test_create_needs_a_valid_token(anonymous, emulator):
    assert anonymous.post("/deposit/depositions", json={}).json() == {
        "status": 403,
        "message": "Permission denied.",
    }
    response = anonymous.post("/deposit/depositions", json={}, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 403
    # ?access_token= works like the header (docs/zenodo-behaviour.md §2)
    ok = anonymous.post("/deposit/depositions", json={}, params={"access_token": emulator.token})
    assert ok.status_code == 201


def test_malformed_json_and_wrong_content_type(api):
    bad = api.post("/deposit/depositions", data=b"{nope", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "Unable to decode JSON data in request body."
    wrong = api.post("/deposit/depositions", data=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong.status_code == 415
    assert wrong.json() == {
        "status": 415,
        "message": "Invalid 'Content-Type' header. Expected one of: application/json",
    }


def test_translation_errors_surface_as_400(api):
    response = api.post("/deposit/depositions", json={"metadata": {**VALID_METADATA, "license": "no-such"}})
    assert response.status_code == 400
    assert any(e["field"] == "metadata.license" for e in response.json()["errors"])


# -- get ----------------------------------------------------------------------------------------------
def test_get_own_other_and_unknown(api, other, anonymous):
    created = api.create()
    got = api.get(f"/deposit/depositions/{created['id']}")
    assert got.status_code == 200 and got.json() == created
    assert got.headers["ETag"] == '"1"'  # the draft's revision, as ZR-L etag_headers
    assert other.get(f"/deposit/depositions/{created['id']}").status_code == 403
    assert anonymous.get(f"/deposit/depositions/{created['id']}").status_code == 403
    missing = api.get("/deposit/depositions/999999")
    assert missing.status_code == 404 and missing.json()["status"] == 404


# -- update ----------------------------------------------------------------------------------------------
def test_put_replaces_the_whole_metadata(api):
    created = api.create({**VALID_METADATA, "keywords": ["a", "b"], "version": "1.0"})
    response = api.put(f"/deposit/depositions/{created['id']}", json={"metadata": {"title": "Only a title"}})
    assert response.status_code == 200
    metadata = response.json()["metadata"]
    assert metadata["title"] == "Only a title"
    assert "keywords" not in metadata and "version" not in metadata and "creators" not in metadata
    assert metadata["publication_date"] == TODAY
    assert api.deposit(created["id"])["metadata"] == metadata
    assert response.json()["modified"] >= created["modified"]


def test_put_rejects_unknown_top_level_and_others(api, other):
    created = api.create()
    bad = api.put(f"/deposit/depositions/{created['id']}", json={"metadata": {}, "state": "done"})
    assert bad.status_code == 400 and bad.json()["errors"] == [
        {"field": "state", "messages": ["Unknown field."]}
    ]
    assert other.put(f"/deposit/depositions/{created['id']}", json={"metadata": {}}).status_code == 403


def test_put_on_published_record_without_edit_draft_is_404(api):
    record = api.published()
    response = api.put(f"/deposit/depositions/{record['id']}", json={"metadata": VALID_METADATA})
    assert response.status_code == 404


# -- delete ----------------------------------------------------------------------------------------------
def test_delete_draft_then_again(api, other):
    created = api.create()
    assert other.delete(f"/deposit/depositions/{created['id']}").status_code == 403
    response = api.delete(f"/deposit/depositions/{created['id']}")
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"/deposit/depositions/{created['id']}").status_code == 404
    assert api.delete(f"/deposit/depositions/{created['id']}").status_code == 404
    assert api.get(created["links"]["bucket"]).status_code == 404  # its bucket went with it


def test_delete_published_record_is_404_and_discards_an_edit_draft(api):
    record = api.published()
    assert api.delete(f"/deposit/depositions/{record['id']}").status_code == 404
    assert api.post(f"/deposit/depositions/{record['id']}/actions/edit").status_code == 201
    api.put(f"/deposit/depositions/{record['id']}", json={"metadata": {**VALID_METADATA, "title": "Changed"}})
    assert api.delete(f"/deposit/depositions/{record['id']}").status_code == 204
    after = api.deposit(record["id"])
    assert after["state"] == "done" and after["title"] == VALID_METADATA["title"]


# -- list -------------------------------------------------------------------------------------------------
def test_list_is_a_bare_array_of_own_depositions_without_bucket_links(api, other):
    mine = api.create()
    other.create()
    response = api.get("/deposit/depositions")
    assert response.status_code == 200
    listed = response.json()
    assert isinstance(listed, list)
    assert [d["id"] for d in listed] == [mine["id"]]
    assert "bucket" not in listed[0]["links"]  # bucket ids are not indexed (§3.3)
    assert {k: v for k, v in mine["links"].items() if k != "bucket"} == listed[0]["links"]


def test_list_needs_a_token(anonymous):
    assert anonymous.get("/deposit/depositions").status_code == 403


def test_list_query_by_legacy_fields(api):
    first = api.published({**VALID_METADATA, "title": "Alpha particles", "keywords": ["physics"]})
    second = api.create({**VALID_METADATA, "title": "Beta decay"})

    def ids(q: str) -> list[int]:
        response = api.get("/deposit/depositions", params={"q": q})
        assert response.status_code == 200, response.text
        return sorted(d["id"] for d in response.json())

    assert ids(f"conceptrecid:{first['conceptrecid']}") == [first["id"]]
    assert ids(f"recid:{second['id']}") == [second["id"]]
    assert ids(f'doi:"{first["doi"]}"') == [first["id"]]
    assert ids(f"doi:{first['doi']}") == [first["id"]]
    assert ids("title:alpha") == [first["id"]]
    assert ids("title:(decay)") == [second["id"]]
    assert ids("owners:1") == sorted([first["id"], second["id"]])
    assert ids("owners:2") == []
    assert ids("keywords:physics") == [first["id"]]
    assert ids("particles") == [first["id"]]
    assert ids("title:alpha OR title:beta") == sorted([first["id"], second["id"]])
    assert ids("-title:alpha") == [second["id"]]
    broken = api.get("/deposit/depositions", params={"q": 'title:"unclosed'})
    assert broken.status_code == 400 and broken.json()["message"] == "Invalid query string syntax."


def test_list_paging_sorting_and_size_limits(api):
    created = [api.create()["id"] for _ in range(5)]
    newest = api.get("/deposit/depositions", params={"size": 2}).json()
    assert [d["id"] for d in newest] == created[::-1][:2]  # default sort: newest first
    page3 = api.get("/deposit/depositions", params={"size": 2, "page": 3}).json()
    assert [d["id"] for d in page3] == [created[0]]
    oldest = api.get("/deposit/depositions", params={"sort": "oldest", "size": 1}).json()
    assert [d["id"] for d in oldest] == [created[0]]
    assert api.get("/deposit/depositions", params={"size": 100}).status_code == 200
    too_big = api.get("/deposit/depositions", params={"size": 101})
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["field"] == "size"
    assert api.get("/deposit/depositions", params={"page": 0}).status_code == 400
    assert api.get("/deposit/depositions", params={"size": "x"}).status_code == 400
    assert api.get("/deposit/depositions", params={"page": 101, "size": 100}).status_code == 400
    bad_sort = api.get("/deposit/depositions", params={"sort": "sideways"})
    assert bad_sort.status_code == 400 and bad_sort.json()["message"] == "Invalid sort option 'sideways'."
    # status= is accepted (and, as on Zenodo, does not filter: docs/zenodo-behaviour.md §3.5)
    assert len(api.get("/deposit/depositions", params={"status": "published"}).json()) == 5


def test_list_shows_the_latest_draft_per_concept_unless_all_versions(api):
    first = api.published()
    draft = api.post(f"/deposit/depositions/{first['id']}/actions/newversion").json()
    latest = api.get("/deposit/depositions", params={"q": f"conceptrecid:{first['conceptrecid']}"}).json()
    assert [d["id"] for d in latest] == [draft["id"]]  # versions.is_latest_draft
    everything = api.get(
        "/deposit/depositions", params={"q": f"conceptrecid:{first['conceptrecid']}", "all_versions": "true"}
    ).json()
    assert sorted(d["id"] for d in everything) == sorted([first["id"], draft["id"]])
    bare = api.get(f"/deposit/depositions?all_versions&q=conceptrecid:{first['conceptrecid']}").json()
    assert len(bare) == 2
    states = {d["id"]: d["state"] for d in everything}
    assert states == {first["id"]: "done", draft["id"]: "unsubmitted"}


def test_list_shows_edit_drafts_as_in_progress(api):
    record = api.published()
    api.post(f"/deposit/depositions/{record['id']}/actions/edit")
    (listed,) = api.get("/deposit/depositions").json()
    assert listed["state"] == "inprogress" and listed["submitted"] is True


@pytest.mark.parametrize("path", ["/deposit/depositions/1/unknown", "/nowhere"])
def test_unknown_routes_are_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404 and response.json()["status"] == 404
