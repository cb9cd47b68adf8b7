"""An embargo lifts once its date has come (docs/zenodo-behaviour.md §3.10).

Zenodo's daily task (invenio-rdm-records RDMRecordService.lift_embargo) opens a published
record whose embargo date has passed, and its edit draft when that has the same access. The
emulator applies the same rule on every read. The date is made deterministic by pinning the
emulator's calendar (`today`) and restarting it on the same data dir a day later.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator import running_emulator

DAY_BEFORE, EMBARGO_END = "2026-01-10", "2026-01-11"
EMBARGOED = {**VALID_METADATA, "access_right": "embargoed", "embargo_date": EMBARGO_END}


def run(data_dir: Path, today: str):
    return running_emulator(data_dir=data_dir, token="test-token", today=today)


@pytest.fixture
def embargoed_world(tmp_path) -> tuple[Path, dict]:
    """On the day before the embargo ends: a published record, one published and in edit, and
    a draft never published, all embargoed until EMBARGO_END."""
    data_dir = tmp_path / "data"
    with run(data_dir, DAY_BEFORE) as emu:
        api = Api(emu.url, emu.token)
        record = api.published(EMBARGOED)
        edited = api.published(EMBARGOED)
        assert api.post(f"/deposit/depositions/{edited['id']}/actions/edit").status_code == 201
        draft = api.create(EMBARGOED)
        # Still embargoed today: files closed to others, the listings say so.
        assert api.deposit(record["id"])["metadata"]["access_right"] == "embargoed"
        assert requests.get(f"{emu.url}/records/{record['id']}/files").status_code == 403
        hits = api.get("/records", params={"q": f"recid:{record['id']}"}).json()["hits"]["hits"]
        assert [hit["metadata"]["access_right"] for hit in hits] == ["embargoed"]
    return data_dir, {"record": record["id"], "edited": edited["id"], "draft": draft["id"]}


def test_a_published_record_is_open_once_its_embargo_date_has_come(embargoed_world):
    data_dir, ids = embargoed_world
    with run(data_dir, EMBARGO_END) as emu:
        api = Api(emu.url, emu.token)
        deposit = api.deposit(ids["record"])
        assert deposit["metadata"]["access_right"] == "open"
        assert deposit["metadata"]["embargo_date"] == EMBARGO_END  # the date stays
        record = api.get(f"/records/{ids['record']}").json()
        assert record["metadata"]["access_right"] == "open"
        rdm = api.get(
            f"/records/{ids['record']}", headers={"Accept": "application/vnd.inveniordm.v1+json"}
        ).json()
        assert rdm["access"]["files"] == "public"
        assert rdm["access"]["status"] == "open"
        assert rdm["access"]["embargo"]["active"] is False
        # Files are public now: anyone may list them.
        assert requests.get(f"{emu.url}/records/{ids['record']}/files").status_code == 200


def test_search_and_listings_show_the_lifted_embargo(embargoed_world):
    data_dir, ids = embargoed_world
    with run(data_dir, EMBARGO_END) as emu:
        api = Api(emu.url, emu.token)
        hits = api.get("/records", params={"q": f"recid:{ids['record']}"}).json()["hits"]["hits"]
        assert [hit["metadata"]["access_right"] for hit in hits] == ["open"]
        listing = {d["id"]: d["metadata"]["access_right"] for d in api.get("/deposit/depositions").json()}
        assert listing[ids["record"]] == "open"
        assert listing[ids["edited"]] == "open"  # the edit draft had the record's access
        assert listing[ids["draft"]] == "embargoed"  # never published: the task leaves it alone
        open_hits = api.get("/records", params={"q": "access_right:open"}).json()["hits"]["hits"]
        assert sorted(hit["id"] for hit in open_hits) == sorted([ids["record"], ids["edited"]])


def test_an_edit_draft_is_lifted_with_its_record_and_publishes(embargoed_world):
    data_dir, ids = embargoed_world
    with run(data_dir, EMBARGO_END) as emu:
        api = Api(emu.url, emu.token)
        assert api.deposit(ids["edited"])["metadata"]["access_right"] == "open"
        published = api.publish(ids["edited"])
        assert published["metadata"]["access_right"] == "open"


def test_a_new_version_starts_from_the_lifted_record(embargoed_world):
    data_dir, ids = embargoed_world
    with run(data_dir, EMBARGO_END) as emu:
        api = Api(emu.url, emu.token)
        response = api.post(f"/deposit/depositions/{ids['record']}/actions/newversion")
        assert response.status_code == 201, response.text
        new_id = int(response.json()["links"]["latest_draft"].rstrip("/").rsplit("/", 1)[1])
        draft = api.deposit(new_id)
        assert draft["metadata"]["access_right"] == "open"
        assert api.publish(new_id)["metadata"]["access_right"] == "open"


def test_a_draft_never_published_keeps_its_embargo_and_cannot_publish_it(embargoed_world):
    data_dir, ids = embargoed_world
    with run(data_dir, EMBARGO_END) as emu:
        api = Api(emu.url, emu.token)
        assert api.deposit(ids["draft"])["metadata"]["access_right"] == "embargoed"
        api.upload(api.deposit(ids["draft"]), "data.csv", b"a,b\n")
        response = api.post(f"/deposit/depositions/{ids['draft']}/actions/publish")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["access.embargo.until"]


def test_a_pinned_date_must_be_a_date(tmp_path):
    with pytest.raises(ValueError), run(tmp_path / "data", "2026-13-45"):
        pass
