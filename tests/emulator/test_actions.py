"""The deposit state machine: publish, edit, discard, newversion (docs/zenodo-behaviour.md §3.4, §3.9, §8)."""

from __future__ import annotations

import datetime

from tests.emulator.conftest import VALID_METADATA

TODAY = datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def _action(api, record_id: int, action: str):
    return api.post(f"/deposit/depositions/{record_id}/actions/{action}")


# -- publish -----------------------------------------------------------------------------------------
def test_publish_mints_doi_and_concept_doi(api, emulator):
    draft = api.create(VALID_METADATA)
    api.upload(draft, "data.csv", b"1,2\n")
    response = _action(api, draft["id"], "publish")
    assert response.status_code == 202
    body = response.json()
    prefix = emulator.config.doi_prefix
    assert body["doi"] == f"{prefix}/zenodo.{draft['id']}"
    assert body["conceptdoi"] == f"{prefix}/zenodo.{draft['conceptrecid']}"
    assert body["doi_url"] == f"https://doi.org/{body['doi']}"
    assert body["metadata"]["doi"] == body["doi"]
    assert body["state"] == "done" and body["submitted"] is True
    links = body["links"]
    assert links["self"] == f"{emulator.url}/records/{draft['id']}"  # not a deposit URL (§3.3)
    assert links["files"] == f"{emulator.url}/records/{draft['id']}/files"
    assert links["latest_draft"] == f"{emulator.url}/deposit/depositions/{draft['id']}"
    assert links["latest"] == f"{emulator.url}/records/{draft['id']}/versions/latest"
    assert links["bucket"] == draft["links"]["bucket"]
    assert links["parent_doi"] == f"https://doi.org/{body['conceptdoi']}"
    (file,) = body["files"]
    # ZR-L dump_files: `self` hangs off links.files; `download` stays the draft URL
    assert file["links"]["self"] == f"{emulator.url}/records/{draft['id']}/files/{file['id']}"
    assert file["links"]["download"] == f"{emulator.url}/records/{draft['id']}/draft/files/data.csv/content"
    assert api.deposit(draft["id"]) == body


def test_repeat_publish_is_404(api):
    record = api.published()
    assert _action(api, record["id"], "publish").status_code == 404


def test_publish_validation_errors_use_rdm_paths(api):
    draft = api.create()
    response = _action(api, draft["id"], "publish")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "A validation error occurred."
    fields = [e["field"] for e in body["errors"]]
    assert "metadata.creators" in fields and "metadata.title" in fields
    assert "files.enabled" not in fields  # schema validation fails before the files check (§3.9)
    assert api.deposit(draft["id"])["state"] == "unsubmitted"


def test_publish_needs_a_file(api):
    draft = api.create(VALID_METADATA)
    response = _action(api, draft["id"], "publish")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "files.enabled",
            "messages": [
                "Missing uploaded files. To disable files for this record please mark it as metadata-only."
            ],
        }
    ]


def test_actions_need_the_owner(api, other, anonymous):
    draft = api.create(VALID_METADATA)
    api.upload(draft, "a.txt", b"1")
    for action in ("publish", "edit", "discard", "newversion"):
        assert _action(other, draft["id"], action).status_code == 403
        assert _action(anonymous, draft["id"], action).status_code == 403
    assert _action(api, draft["id"], "frobnicate").status_code == 404
    assert _action(api, 999999, "publish").status_code == 404


# -- edit / discard ----------------------------------------------------------------------------------
def test_edit_update_publish_keeps_id_and_doi(api):
    record = api.published()
    edit = _action(api, record["id"], "edit")
    assert edit.status_code == 201
    draft = edit.json()
    assert draft["state"] == "inprogress" and draft["submitted"] is True
    assert draft["doi"] == record["doi"]
    assert draft["links"]["self"].endswith(f"/deposit/depositions/{record['id']}")
    assert [f["id"] for f in draft["files"]] == [f["id"] for f in record["files"]]
    again = _action(api, record["id"], "edit")  # idempotent
    assert again.status_code == 201 and again.json()["links"]["bucket"] == draft["links"]["bucket"]
    updated = api.put(
        f"/deposit/depositions/{record['id']}",
        json={"metadata": {**VALID_METADATA, "title": "A better title"}},
    )
    assert updated.status_code == 200 and updated.json()["metadata"]["doi"] == record["doi"]
    published = api.publish(record["id"])
    assert published["id"] == record["id"] and published["doi"] == record["doi"]
    assert published["conceptdoi"] == record["conceptdoi"]
    assert published["title"] == "A better title" and published["state"] == "done"
    assert published["links"]["bucket"] == record["links"]["bucket"]
    assert published["created"] == record["created"] and published["modified"] > record["modified"]


def test_edit_then_discard_leaves_the_record_unchanged(api):
    record = api.published()
    _action(api, record["id"], "edit")
    api.put(f"/deposit/depositions/{record['id']}", json={"metadata": {**VALID_METADATA, "title": "Oops"}})
    response = _action(api, record["id"], "discard")
    assert response.status_code == 204 and response.content == b""
    assert api.deposit(record["id"]) == record
    assert _action(api, record["id"], "discard").status_code == 404  # nothing left to discard


def test_edit_of_a_draft_returns_the_draft(api):
    draft = api.create()
    response = _action(api, draft["id"], "edit")
    assert response.status_code == 201 and response.json() == draft


def test_discard_of_a_never_published_draft_deletes_it(api):
    draft = api.create()
    assert _action(api, draft["id"], "discard").status_code == 204
    assert api.get(f"/deposit/depositions/{draft['id']}").status_code == 404


# -- new version -------------------------------------------------------------------------------------
def test_newversion_returns_the_new_draft_with_files_imported(api):
    record = api.published({**VALID_METADATA, "version": "1.0"}, files={"a.csv": b"1", "b.csv": b"22"})
    response = _action(api, record["id"], "newversion")
    assert response.status_code == 201
    draft = response.json()
    assert draft["id"] > record["id"] and draft["conceptrecid"] == record["conceptrecid"]
    assert draft["state"] == "unsubmitted" and draft["submitted"] is False
    assert "doi" not in draft and draft["conceptdoi"] == record["conceptdoi"]
    assert "version" not in draft["metadata"]
    assert draft["metadata"]["publication_date"] == TODAY
    assert draft["metadata"]["title"] == record["metadata"]["title"]
    # the same file instances, so the same ids (§3.7), in a new unlocked bucket
    assert sorted((f["id"], f["filename"]) for f in draft["files"]) == sorted(
        (f["id"], f["filename"]) for f in record["files"]
    )
    assert draft["links"]["bucket"] != record["links"]["bucket"]
    # the published version is untouched
    assert api.deposit(record["id"]) == record


def test_newversion_replace_a_file_and_publish(api, emulator):
    record = api.published(files={"data.csv": b"v1"})
    draft = _action(api, record["id"], "newversion").json()
    (old,) = draft["files"]
    assert api.delete(f"/deposit/depositions/{draft['id']}/files/{old['id']}").status_code == 204
    api.upload(draft, "data.csv", b"v2!")
    api.put(f"/deposit/depositions/{draft['id']}", json={"metadata": {**VALID_METADATA, "version": "2.0"}})
    second = api.publish(draft["id"])
    assert second["doi"] == f"{emulator.config.doi_prefix}/zenodo.{draft['id']}"
    assert second["conceptdoi"] == record["conceptdoi"]
    assert [f["filesize"] for f in second["files"]] == [3]
    assert api.get(f"{record['links']['bucket']}/data.csv").content == b"v1"


def test_newversion_without_changes_can_be_published(api):
    record = api.published()
    draft = _action(api, record["id"], "newversion").json()
    second = api.publish(draft["id"])
    assert second["doi"] != record["doi"] and second["conceptdoi"] == record["conceptdoi"]


def test_newversion_reuses_a_pending_draft_and_refuses_when_it_has_files(api):
    record = api.published(files={"a.csv": b"1"})
    first = _action(api, record["id"], "newversion").json()
    again = _action(api, record["id"], "newversion")
    assert again.status_code == 400
    assert again.json() == {
        "status": 400,
        "message": "A validation error occurred.",
        "errors": [{"field": "files.enabled", "messages": ["Please remove all files first."]}],
    }
    for file in first["files"]:
        api.delete(f"/deposit/depositions/{first['id']}/files/{file['id']}")
    reused = _action(api, record["id"], "newversion")
    assert reused.status_code == 201 and reused.json()["id"] == first["id"]
    assert [f["filename"] for f in reused.json()["files"]] == ["a.csv"]  # imported again


def test_newversion_from_any_version_copies_the_latest(api):
    first = api.published({**VALID_METADATA, "title": "First title"})
    draft = _action(api, first["id"], "newversion").json()
    api.put(
        f"/deposit/depositions/{draft['id']}", json={"metadata": {**VALID_METADATA, "title": "Second title"}}
    )
    api.publish(draft["id"])
    third = _action(api, first["id"], "newversion").json()
    assert third["metadata"]["title"] == "Second title"


def test_newversion_of_an_unpublished_draft_is_404(api):
    draft = api.create()
    response = _action(api, draft["id"], "newversion")
    assert response.status_code == 404
    assert response.json()["message"] == "The persistent identifier is not registered."


def test_discarding_a_new_version_draft_keeps_the_concept(api):
    record = api.published()
    draft = _action(api, record["id"], "newversion").json()
    assert api.delete(f"/deposit/depositions/{draft['id']}").status_code == 204
    assert api.deposit(record["id"]) == record
    assert _action(api, record["id"], "newversion").status_code == 201


def test_external_doi_records_cannot_be_versioned(api):
    record = api.published({**VALID_METADATA, "doi": "10.1234/external.1"})
    assert record["doi"] == "10.1234/external.1" and "conceptdoi" not in record
    assert _action(api, record["id"], "newversion").status_code == 403
