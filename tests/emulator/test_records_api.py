"""Records API conformance: records, versions, files, search (docs/zenodo-behaviour.md §6, §7.3)."""

from __future__ import annotations

import hashlib

import pytest

from tests.emulator.conftest import VALID_METADATA

RDM = "application/vnd.inveniordm.v1+json"


@pytest.fixture
def two_versions(api):
    first = api.published({**VALID_METADATA, "version": "1.0"}, files={"data.csv": b"v1\n"})
    draft = api.post(f"/deposit/depositions/{first['id']}/actions/newversion").json()
    (old,) = draft["files"]
    api.delete(f"/deposit/depositions/{draft['id']}/files/{old['id']}")
    api.upload(draft, "data.csv", b"v2 data\n")
    api.put(f"/deposit/depositions/{draft['id']}", json={"metadata": {**VALID_METADATA, "version": "2.0"}})
    second = api.publish(draft["id"])
    return first, second


def test_record_json_by_default(anonymous, two_versions, emulator):
    first, second = two_versions
    response = anonymous.get(f"/records/{second['id']}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == second["id"] and body["recid"] == str(second["id"])
    assert body["conceptrecid"] == first["conceptrecid"]
    assert body["doi"] == second["doi"] and body["conceptdoi"] == first["conceptdoi"]
    assert body["status"] == "published" and body["state"] == "done" and body["submitted"] is True
    assert body["owners"] == [{"id": 1}]
    assert body["metadata"]["version"] == "2.0"
    assert body["metadata"]["resource_type"] == {"title": "Dataset", "type": "dataset"}
    assert body["metadata"]["relations"]["version"][0] == {
        "index": 1,
        "is_last": True,
        "parent": {"pid_type": "recid", "pid_value": first["conceptrecid"]},
    }
    (file,) = body["files"]
    assert file["checksum"] == "md5:" + hashlib.md5(b"v2 data\n").hexdigest() and file["size"] == 8
    assert file["links"]["self"] == f"{emulator.url}/records/{second['id']}/files/data.csv/content"
    older = anonymous.get(f"/records/{first['id']}").json()
    assert older["metadata"]["relations"]["version"][0]["is_last"] is False
    assert older["metadata"]["relations"]["version"][0]["index"] == 0


def test_record_rdm_json(anonymous, two_versions):
    first, second = two_versions
    response = anonymous.get(f"/records/{second['id']}", headers={"Accept": RDM})
    assert response.status_code == 200 and response.headers["Content-Type"] == RDM
    body = response.json()
    assert body["id"] == str(second["id"]) and body["is_published"] is True and body["is_draft"] is False
    assert body["parent"]["id"] == first["conceptrecid"]
    assert body["parent"]["pids"]["doi"]["identifier"] == first["conceptdoi"]
    assert body["pids"]["doi"]["identifier"] == second["doi"]
    assert body["versions"] == {"index": 2, "is_latest": True, "is_latest_draft": True}
    assert body["metadata"]["title"] == VALID_METADATA["title"]
    assert body["metadata"]["resource_type"]["id"] == "dataset"
    assert body["metadata"]["creators"][0]["person_or_org"]["family_name"] == "Doe"
    assert body["files"]["count"] == 1 and "data.csv" in body["files"]["entries"]
    older = anonymous.get(f"/records/{first['id']}", headers={"Accept": RDM}).json()
    assert older["versions"]["is_latest"] is False


def test_unknown_accept_is_406(anonymous, two_versions):
    _first, second = two_versions
    response = anonymous.get(f"/records/{second['id']}", headers={"Accept": "application/x-nonsense"})
    assert response.status_code == 406
    assert anonymous.get(f"/records/{second['id']}", headers={"Accept": "*/*"}).status_code == 200


def test_concept_id_redirects_to_latest(anonymous, two_versions, emulator):
    first, second = two_versions
    response = anonymous.get(f"/records/{first['conceptrecid']}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{emulator.url}/records/{second['id']}"


def test_versions_latest_is_a_301_with_json(anonymous, two_versions, emulator):
    first, second = two_versions
    for some_id in (first["id"], second["id"], first["conceptrecid"]):
        response = anonymous.get(f"/records/{some_id}/versions/latest")
        assert response.status_code == 301
        location = f"{emulator.url}/records/{second['id']}"
        assert response.headers["Location"] == location
        assert response.json() == {"status": 301, "message": "Redirecting...", "location": location}


def test_versions_lists_every_published_version(anonymous, two_versions):
    first, second = two_versions
    body = anonymous.get(f"/records/{first['id']}/versions").json()
    assert body["hits"]["total"] == 2
    assert [h["id"] for h in body["hits"]["hits"]] == [second["id"], first["id"]]  # newest version first


def test_drafts_are_not_records(api, anonymous):
    draft = api.create()
    response = anonymous.get(f"/records/{draft['id']}")
    assert response.status_code == 404
    assert response.json()["message"] == "The persistent identifier is not registered."
    assert anonymous.get("/records/999999").status_code == 404
    # the owner reads the draft through the native route
    own = api.get(f"/records/{draft['id']}/draft")
    assert own.status_code == 200 and own.json()["status"] == "draft"
    assert anonymous.get(f"/records/{draft['id']}/draft").status_code == 403


def test_record_files_in_rdm_shape_and_content(anonymous, two_versions, emulator):
    _first, second = two_versions
    listing = anonymous.get(f"/records/{second['id']}/files")
    assert listing.status_code == 200
    body = listing.json()
    (entry,) = body["entries"]
    assert entry["key"] == "data.csv" and entry["size"] == 8 and entry["status"] == "completed"
    assert entry["checksum"] == "md5:" + hashlib.md5(b"v2 data\n").hexdigest()
    assert entry["links"]["content"] == f"{emulator.url}/records/{second['id']}/files/data.csv/content"
    meta = anonymous.get(f"/records/{second['id']}/files/data.csv")
    assert meta.status_code == 200 and meta.json()["key"] == "data.csv"
    content = anonymous.get(entry["links"]["content"])
    assert content.status_code == 200 and content.content == b"v2 data\n"
    assert content.headers["ETag"] == f'"{entry["checksum"]}"'
    assert anonymous.get(f"/records/{second['id']}/files/nope.csv/content").status_code == 404


def test_restricted_files_need_the_owner(api, anonymous):
    record = api.published(
        {**VALID_METADATA, "access_right": "restricted", "access_conditions": "ask"},
        files={"secret.txt": b"s"},
    )
    assert anonymous.get(f"/records/{record['id']}").status_code == 200  # metadata is public
    assert anonymous.get(f"/records/{record['id']}/files/secret.txt/content").status_code == 403
    assert api.get(f"/records/{record['id']}/files/secret.txt/content").content == b"s"


def test_search_envelope_paging_and_latest_versions(api, anonymous, two_versions, emulator):
    first, second = two_versions
    third = api.published({**VALID_METADATA, "title": "Another thing"})
    api.create(VALID_METADATA)  # drafts are never in /api/records
    body = anonymous.get("/records", params={"size": 1}).json()
    assert set(body) == {"hits", "aggregations", "links"}
    assert body["hits"]["total"] == 2  # latest version per concept
    assert [h["id"] for h in body["hits"]["hits"]] == [third["id"]]
    assert "next" in body["links"] and "prev" not in body["links"]
    page2 = anonymous.get(body["links"]["next"]).json()
    assert [h["id"] for h in page2["hits"]["hits"]] == [second["id"]]
    assert "prev" in page2["links"] and "next" not in page2["links"]
    everything = anonymous.get("/records", params={"all_versions": "1"}).json()
    assert sorted(h["id"] for h in everything["hits"]["hits"]) == sorted(
        [first["id"], second["id"], third["id"]]
    )
    rdm = anonymous.get("/records", headers={"Accept": RDM}).json()
    assert "sortBy" in rdm and rdm["hits"]["hits"][0]["id"] == str(third["id"])


def test_search_queries(api, anonymous, other, two_versions):
    first, second = two_versions
    community = api.published(
        {**VALID_METADATA, "title": "Community piece", "communities": [{"identifier": "my-lab"}]}
    )
    theirs = other.published({**VALID_METADATA, "title": "Someone else's"})

    def ids(**params) -> list[int]:
        response = anonymous.get("/records", params=params)
        assert response.status_code == 200, response.text
        return sorted(h["id"] for h in response.json()["hits"]["hits"])

    assert ids(q="owners:2") == [theirs["id"]]
    assert ids(q="owners:1") == sorted([second["id"], community["id"]])
    assert ids(q=f"conceptrecid:{first['conceptrecid']}", all_versions="true") == sorted(
        [first["id"], second["id"]]
    )
    assert ids(q=f'doi:"{first["doi"]}"', all_versions="true") == [first["id"]]
    assert ids(q="title:community") == [community["id"]]
    assert ids(communities="my-lab") == [community["id"]]
    assert ids(communities=["my-lab", "no-such-community"]) == [community["id"]]
    # only unknown slugs: no filter at all, as zenodo.org does (ZR params.py)
    assert len(ids(communities="no-such-community")) == 3
    assert ids(q="communities:my-lab") == [community["id"]]
    assert ids(type="dataset", q="owners:2") == [theirs["id"]]
    # `version` is the version index, as in ZR queryparser.py; metadata.version is the label
    assert ids(q="version:2") == [second["id"]]
    assert ids(q='metadata.version:"1.0"', all_versions="1") == [first["id"]]
    assert ids(q="filename:data.csv") == sorted([second["id"], community["id"], theirs["id"]])
    assert ids(q="filename:nothing.csv") == []
    assert ids(q="user:2") == [theirs["id"]]


def test_search_size_limits(anonymous, api):
    assert anonymous.get("/records", params={"size": 25}).status_code == 200
    assert anonymous.get("/records", params={"size": 26}).status_code == 400  # guests: 25 (§6.4)
    assert api.get("/records", params={"size": 100}).status_code == 200
    assert api.get("/records", params={"size": 101}).status_code == 400
    assert anonymous.get("/records", params={"sort": "nonsense"}).status_code == 400


def test_user_records_lists_own_drafts_and_records(api, other, anonymous, two_versions):
    _first, second = two_versions
    draft = api.create(VALID_METADATA)
    other.create()
    body = api.get("/user/records").json()
    assert sorted(h["id"] for h in body["hits"]["hits"]) == sorted([second["id"], draft["id"]])
    statuses = {h["id"]: h["status"] for h in body["hits"]["hits"]}
    assert statuses == {second["id"]: "published", draft["id"]: "draft"}
    rdm = api.get("/user/records", params={"all_versions": "true"}, headers={"Accept": RDM}).json()
    assert rdm["hits"]["total"] == 3
    assert anonymous.get("/user/records").status_code == 403


def test_draft_files_are_for_the_owner_only(api, anonymous, emulator):
    draft = api.create()
    api.upload(draft, "d.txt", b"draft")
    listing = api.get(f"/records/{draft['id']}/draft/files")
    assert listing.status_code == 200
    (entry,) = listing.json()["entries"]
    assert entry["links"]["content"] == f"{emulator.url}/records/{draft['id']}/draft/files/d.txt/content"
    assert api.get(entry["links"]["content"]).content == b"draft"
    assert anonymous.get(entry["links"]["content"]).status_code == 403
    assert anonymous.get(f"/records/{draft['id']}/files").status_code == 404  # not published


def test_deposit_files_of_a_published_record_are_listed(api):
    # ZR-L LegacyFileService._get_record falls back from the draft to the record
    record = api.published(files={"p.csv": b"1"})
    listing = api.get(f"/deposit/depositions/{record['id']}/files")
    assert listing.status_code == 200
    (file,) = listing.json()
    assert file["filename"] == "p.csv" and file["filesize"] == 1.0
    assert file["links"]["download"].endswith(f"/records/{record['id']}/files/p.csv/content")


def test_rdm_status_of_drafts(api):
    def rdm_draft(record_id: int) -> dict:
        return api.get(f"/records/{record_id}/draft", headers={"Accept": RDM}).json()

    first = api.create(VALID_METADATA)
    assert rdm_draft(first["id"])["status"] == "draft"
    api.upload(first, "a.txt", b"1")
    api.publish(first["id"])
    api.post(f"/deposit/depositions/{first['id']}/actions/edit")
    edit = rdm_draft(first["id"])
    assert edit["status"] == "published" and edit["is_published"] is True and edit["is_draft"] is True
    new = api.post(f"/deposit/depositions/{first['id']}/actions/newversion").json()
    assert rdm_draft(new["id"])["status"] == "new_version_draft"
    assert rdm_draft(new["id"])["versions"]["index"] == 2
