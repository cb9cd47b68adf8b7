"""Listings and search are eventually consistent; reads by id are not (docs/zenodo-behaviour.md §6.6)."""

from __future__ import annotations

import time

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator import running_emulator

LAG = 1.0  # long enough that a loaded CI machine still reads before the index catches up


def _wait_until(condition, timeout: float = 5.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "never became visible"
        time.sleep(0.05)
    return time.monotonic() - start


def test_writes_show_in_listings_only_after_the_lag(tmp_path):
    with running_emulator(data_dir=tmp_path / "data", search_lag=LAG) as emu:
        api = Api(emu.url, emu.token)
        created = api.create(VALID_METADATA)
        assert api.get(f"/deposit/depositions/{created['id']}").status_code == 200  # by id: at once
        assert api.get("/deposit/depositions").json() == []
        waited = _wait_until(lambda: len(api.get("/deposit/depositions").json()) == 1)
        assert waited > LAG / 2

        api.upload(created, "a.csv", b"1")
        record = api.publish(created["id"])
        assert api.get(f"/records/{record['id']}").status_code == 200
        assert api.get("/records").json()["hits"]["total"] == 0
        # the listing still shows the old snapshot (a draft) until the index catches up
        (stale,) = api.get("/deposit/depositions").json()
        assert stale["state"] == "unsubmitted"
        _wait_until(lambda: api.get("/records").json()["hits"]["total"] == 1)
        assert api.get("/deposit/depositions").json()[0]["state"] == "done"


def test_deleted_drafts_leave_listings_at_once(tmp_path):
    with running_emulator(data_dir=tmp_path / "data", search_lag=LAG) as emu:
        api = Api(emu.url, emu.token)
        created = api.create()
        _wait_until(lambda: len(api.get("/deposit/depositions").json()) == 1)
        api.delete(f"/deposit/depositions/{created['id']}")
        assert api.get("/deposit/depositions").json() == []  # index_refresh=True on delete (§3.5)


def test_no_lag_by_default(emulator):
    api = Api(emulator.url, emulator.token)
    created = api.create()
    assert [d["id"] for d in api.get("/deposit/depositions").json()] == [created["id"]]
