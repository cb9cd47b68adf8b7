"""The emulator's native InvenioRDM writes (docs/zenodo-behaviour.md §7): status codes, answer
shapes, and one store behind both APIs (a record made through one is seen through the other)."""

from __future__ import annotations

import hashlib

import pytest

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator import running_emulator

NATIVE_METADATA = {
    "title": "Rose scent GC-MS",
    "resource_type": {"id": "dataset"},
    "publication_date": "2026-01-01",
    "publisher": "Zenodo",
    "description": "<p>Volatile compounds of rose petals.</p>",
    "creators": [{"person_or_org": {"type": "personal", "family_name": "Doe", "given_name": "Jane"}}],
}
OCTETS = {"Content-Type": "application/octet-stream"}


def create(api: Api, **body) -> dict:
    response = api.post("/records", json={"metadata": NATIVE_METADATA, "files": {"enabled": True}, **body})
    assert response.status_code == 201, response.text
    return response.json()


def upload(api: Api, record_id: str, key: str, content: bytes) -> dict:
    base = f"/records/{record_id}/draft/files"
    started = api.post(base, json=[{"key": key}])
    assert started.status_code == 201, started.text
    sent = api.put(f"{base}/{key}/content", data=content, headers=OCTETS)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "pending"
    committed = api.post(f"{base}/{key}/commit")
    assert committed.status_code == 200, committed.text
    return committed.json()


def published(api: Api, files: dict[str, bytes] | None = None) -> dict:
    draft = create(api)
    for key, content in (files or {"data.csv": b"a,b\n1,2\n"}).items():
        upload(api, draft["id"], key, content)
    response = api.post(f"/records/{draft['id']}/draft/actions/publish")
    assert response.status_code == 202, response.text
    return response.json()


def test_create_answers_a_native_draft(api):
    draft = create(api)
    assert draft["is_draft"] is True and draft["is_published"] is False
    assert draft["status"] == "draft"
    assert draft["id"].isdigit() and int(draft["parent"]["id"]) == int(draft["id"]) - 1
    # RDM computes a personal creator's name (§7.3.2).
    assert draft["metadata"]["creators"][0]["person_or_org"]["name"] == "Doe, Jane"
    assert draft["access"]["record"] == "public" and draft["files"]["enabled"] is True
    assert draft["links"]["self"].endswith(f"/api/records/{draft['id']}/draft")


def test_the_three_step_upload(api):
    draft = create(api)
    base = f"/records/{draft['id']}/draft/files"
    started = api.post(base, json=[{"key": "data.csv"}])
    assert started.status_code == 201
    (entry,) = started.json()["entries"]
    assert entry["key"] == "data.csv" and entry["status"] == "pending"
    assert entry["links"]["commit"].endswith(f"{base}/data.csv/commit")
    content = b"a,b\n1,2\n"
    assert api.put(f"{base}/data.csv/content", data=content, headers=OCTETS).status_code == 200
    committed = api.post(f"{base}/data.csv/commit").json()
    assert committed["status"] == "completed"
    assert committed["checksum"] == "md5:" + hashlib.md5(content).hexdigest()
    assert committed["size"] == len(content)
    files = api.get(f"/records/{draft['id']}/draft/files").json()["entries"]
    assert [f["key"] for f in files] == ["data.csv"]


def test_an_upload_refuses_what_zenodo_refuses(api):
    draft = create(api)
    base = f"/records/{draft['id']}/draft/files"
    upload(api, draft["id"], "data.csv", b"1\n")
    again = api.post(base, json=[{"key": "data.csv"}])  # §7.5: an existing key is not replaced
    assert again.status_code == 400 and "already exists" in again.json()["message"]
    assert api.put(f"{base}/nothing.csv/content", data=b"x", headers=OCTETS).status_code == 404
    assert api.post(base, json=[{"key": "empty.csv"}]).status_code == 201
    assert api.put(f"{base}/empty.csv/content", data=b"", headers=OCTETS).status_code == 200
    assert api.post(f"{base}/empty.csv/commit").json()["message"] == "Empty files are not accepted."
    wrong_type = api.put(f"{base}/empty.csv/content", data=b"x", headers={"Content-Type": "text/csv"})
    assert wrong_type.status_code == 415
    assert api.delete(f"{base}/data.csv").status_code == 204
    assert api.post(base, json=[{"key": "data.csv"}]).status_code == 201


def test_put_replaces_metadata_and_keeps_a_reserved_doi(api, emulator):
    draft = create(api)
    reserved = api.post(f"/records/{draft['id']}/draft/pids/doi")
    assert reserved.status_code == 201
    doi = reserved.json()["pids"]["doi"]
    assert doi == {
        "identifier": f"10.5072/zenodo.{draft['id']}",
        "provider": "datacite",
        "client": "datacite",
    }
    twice = api.post(f"/records/{draft['id']}/draft/pids/doi")
    assert twice.status_code == 400 and twice.json()["message"] == "A PID already exists for type doi"
    changed = {**NATIVE_METADATA, "title": "Rose scent, corrected"}
    del changed["description"]
    updated = api.put(f"/records/{draft['id']}/draft", json={"metadata": changed})
    assert updated.status_code == 200
    assert updated.json()["metadata"]["title"] == "Rose scent, corrected"
    assert "description" not in updated.json()["metadata"]  # replaced, not merged (§7.4)
    assert updated.json()["pids"]["doi"] == doi  # omitted pids are kept (§7.4)
    upload(api, draft["id"], "data.csv", b"1\n")
    record = api.post(f"/records/{draft['id']}/draft/actions/publish").json()
    assert record["pids"]["doi"]["identifier"] == doi["identifier"]  # the reserved DOI is minted


def test_edit_discard_and_publish_of_a_published_record(api):
    record = published(api)
    edit = api.post(f"/records/{record['id']}/draft")
    assert edit.status_code == 201
    assert edit.json()["is_published"] is True and edit.json()["is_draft"] is True
    assert api.delete(f"/records/{record['id']}/draft").status_code == 204
    assert api.get(f"/records/{record['id']}/draft").status_code == 404
    api.post(f"/records/{record['id']}/draft")
    changed = {**NATIVE_METADATA, "title": "Rose scent, second edition"}
    assert api.put(f"/records/{record['id']}/draft", json={"metadata": changed}).status_code == 200
    republished = api.post(f"/records/{record['id']}/draft/actions/publish")
    assert republished.status_code == 202
    assert republished.json()["metadata"]["title"] == "Rose scent, second edition"
    assert republished.json()["pids"]["doi"] == record["pids"]["doi"]


def test_a_new_version_starts_without_files_and_imports_them_on_request(api):
    record = published(api, {"data.csv": b"a\n", "readme.txt": b"hi\n"})
    answer = api.post(f"/records/{record['id']}/versions")
    assert answer.status_code == 201
    draft = answer.json()
    assert draft["id"] != record["id"] and draft["parent"]["id"] == record["parent"]["id"]
    assert draft["status"] == "new_version_draft" and draft["files"]["count"] == 0
    assert "version" not in draft["metadata"] and "doi" not in draft["pids"]
    again = api.post(f"/records/{record['id']}/versions")  # the open one comes back (§7.6)
    assert again.json()["id"] == draft["id"]
    imported = api.post(f"/records/{draft['id']}/draft/actions/files-import")
    assert imported.status_code == 201
    assert sorted(e["key"] for e in imported.json()["entries"]) == ["data.csv", "readme.txt"]
    refused = api.post(f"/records/{draft['id']}/draft/actions/files-import")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["messages"] == ["Please remove all files first."]
    # The same file contents, linked rather than uploaded again.
    old = {e["key"]: e["checksum"] for e in api.get(f"/records/{record['id']}/files").json()["entries"]}
    new = {e["key"]: e["checksum"] for e in imported.json()["entries"]}
    assert old == new


def test_inclusion_requests_answer_processed_and_errors(api):
    record = published(api)
    answer = api.post(f"/records/{record['id']}/communities", json={"communities": [{"id": "zenodo"}]})
    assert answer.status_code == 200
    (processed,) = answer.json()["processed"]
    assert processed["community_id"] == "zenodo" and processed["request"]["status"] == "accepted"
    again = api.post(f"/records/{record['id']}/communities", json={"communities": [{"id": "zenodo"}]})
    assert again.status_code == 400
    assert again.json()["errors"][0]["community_id"] == "zenodo"
    read = api.get(f"/records/{record['id']}", headers={"Accept": "application/vnd.inveniordm.v1+json"})
    assert read.json()["parent"]["communities"]["ids"] == ["zenodo"]
    # The deposit API reads the record in the community too: one store.
    assert api.deposit(int(record["id"]))["metadata"]["communities"] == [{"identifier": "zenodo"}]


def test_one_store_a_record_made_through_either_api_is_seen_through_the_other(api):
    native = published(api)
    deposition = api.deposit(int(native["id"]))
    assert deposition["state"] == "done" and deposition["metadata"]["title"] == NATIVE_METADATA["title"]
    assert deposition["metadata"]["creators"] == [{"name": "Doe, Jane", "affiliation": None}]
    legacy = api.published(VALID_METADATA, {"data.csv": b"1\n"})
    edit = api.post(f"/records/{legacy['id']}/draft")
    assert edit.status_code == 201
    assert edit.json()["metadata"]["title"] == VALID_METADATA["title"]
    assert api.deposit(legacy["id"])["state"] == "inprogress"  # the native edit opened the draft
    listed = api.get("/user/records", params={"allversions": "true"}).json()["hits"]["hits"]
    assert {int(hit["id"]) for hit in listed} == {int(native["id"]), legacy["id"]}


def test_other_users_and_anonymous_requests_are_refused(api, other, anonymous):
    draft = create(api)
    assert other.put(f"/records/{draft['id']}/draft", json={"metadata": NATIVE_METADATA}).status_code == 403
    assert other.post(f"/records/{draft['id']}/draft/files", json=[{"key": "a"}]).status_code == 403
    assert anonymous.post("/records", json={"metadata": NATIVE_METADATA}).status_code == 403


@pytest.mark.parametrize("body", [[], "text", {"metadata": []}, {"files": {"enabled": False}}])
def test_malformed_bodies_are_400(api, body):
    response = api.post("/records", json=body)
    assert response.status_code == 400, response.text


def test_the_invenio_rdm_profile_has_no_deposit_api(tmp_path):
    with running_emulator(data_dir=tmp_path / "emu", profile="invenio-rdm") as emu:
        api = Api(emu.url, emu.token)
        assert api.get("/deposit/depositions").status_code == 404
        assert api.post("/deposit/depositions", json={}).status_code == 404
        draft = create(api)
        assert api.get(f"/files/{draft['id']}").status_code == 404
        upload(api, draft["id"], "data.csv", b"1\n")
        assert api.post(f"/records/{draft['id']}/draft/actions/publish").status_code == 202
        assert api.get("/user/records").json()["hits"]["total"] == 1


def test_a_reviewed_communitys_request_stays_open_until_a_curator_accepts(tmp_path):
    with running_emulator(data_dir=tmp_path / "emu", reviewed_communities=("iodp",)) as emu:
        api, curator = Api(emu.url, emu.token), Api(emu.url, emu.other_token)
        record = published(api)
        answer = api.post(
            f"/records/{record['id']}/communities", json={"communities": [{"id": "iodp"}, {"id": "zenodo"}]}
        )
        assert answer.status_code == 200
        statuses = {p["community_id"]: p["request"]["status"] for p in answer.json()["processed"]}
        assert statuses == {"iodp": "submitted", "zenodo": "accepted"}
        assert api.deposit(int(record["id"]))["metadata"]["communities"] == [{"identifier": "zenodo"}]
        again = api.post(f"/records/{record['id']}/communities", json={"communities": [{"id": "iodp"}]})
        assert again.status_code == 400 and "open inclusion request" in again.json()["errors"][0]["message"]
        (pending,) = [
            r for r in api.get(f"/records/{record['id']}/requests").json()["hits"]["hits"] if r["is_open"]
        ]
        assert pending["receiver"] == {"community": "iodp"} and pending["type"] == "community-inclusion"
        accepted = curator.post(f"/requests/{pending['id']}/actions/accept")
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        communities = api.deposit(int(record["id"]))["metadata"]["communities"]
        assert communities == [{"identifier": "zenodo"}, {"identifier": "iodp"}]
        assert curator.post(f"/requests/{pending['id']}/actions/accept").status_code == 400
