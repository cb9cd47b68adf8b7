"""The search index's entries: a page decodes its own records only, an older data directory is
indexed on start, and remembered totals follow every write (docs/zenodo-behaviour.md §6.6)."""

from __future__ import annotations

import sqlite3

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator import running_emulator


def _titles(api: Api, path: str) -> list[str]:
    return [hit["metadata"]["title"] for hit in api.get(path).json()["hits"]["hits"]]


def test_a_page_decodes_only_its_own_records(tmp_path):
    data = tmp_path / "data"
    with running_emulator(data_dir=data) as emu:
        api = Api(emu.url, emu.token)
        for name in ("alpha", "beta", "gamma"):
            api.published({**VALID_METADATA, "title": name})
        # Spoil every snapshot but the newest: a search that decoded them would fail.
        with sqlite3.connect(data / "emulator.sqlite3") as db:
            db.execute(
                "UPDATE search_index SET doc = 'not json' WHERE seq < (SELECT max(seq) FROM search_index)"
            )
        response = api.get("/records?size=1&sort=newest")
        assert response.status_code == 200
        assert response.json()["hits"]["total"] == 3
        assert [hit["metadata"]["title"] for hit in response.json()["hits"]["hits"]] == ["gamma"]
        assert [d["title"] for d in api.get("/deposit/depositions?size=1").json()] == ["gamma"]


def test_a_data_directory_without_entries_is_indexed_on_start(tmp_path):
    data = tmp_path / "data"
    with running_emulator(data_dir=data) as emu:
        api = Api(emu.url, emu.token)
        api.published({**VALID_METADATA, "title": "kept"})
        api.create({**VALID_METADATA, "title": "a draft"})
    with sqlite3.connect(data / "emulator.sqlite3") as db:  # as an emulator before entries left it
        db.execute("DELETE FROM search_entries")
        db.execute("DELETE FROM search_terms")
    with running_emulator(data_dir=data) as emu:
        api = Api(emu.url, emu.token)
        assert _titles(api, "/records") == ["kept"]
        listed = api.get("/deposit/depositions").json()
        assert sorted(d["title"] for d in listed) == ["a draft", "kept"]


def test_totals_and_facets_follow_each_write(emulator):
    api = Api(emulator.url, emulator.token)
    assert api.get("/records").json()["hits"]["total"] == 0
    first = api.published({**VALID_METADATA, "title": "one", "keywords": ["sea"]})
    body = api.get("/records").json()
    assert body["hits"]["total"] == 1
    assert [b["key"] for b in body["aggregations"]["subject"]["buckets"]] == ["sea"]
    assert api.get("/records?q=title:one").json()["hits"]["total"] == 1
    api.published({**VALID_METADATA, "title": "two", "keywords": ["lake"]})
    body = api.get("/records").json()
    assert body["hits"]["total"] == 2
    assert sorted(b["key"] for b in body["aggregations"]["subject"]["buckets"]) == ["lake", "sea"]
    assert api.get("/records?q=title:two").json()["hits"]["total"] == 1
    # A published new version replaces the first in the latest-only search, not in all versions.
    answer = api.post(f"/deposit/depositions/{first['id']}/actions/newversion").json()
    draft_id = int(answer["links"]["latest_draft"].rstrip("/").rsplit("/", 1)[-1])
    api.put(f"/deposit/depositions/{draft_id}", json={"metadata": {**VALID_METADATA, "title": "one v2"}})
    api.publish(draft_id)
    assert sorted(_titles(api, "/records")) == ["one v2", "two"]
    assert api.get("/records?all_versions=true").json()["hits"]["total"] == 3
