"""zsync.lock: round trip, sorted and stable, atomic, refuses what it cannot read."""

from __future__ import annotations

import json

import pytest

from zenodo_sync.engine.identity import keys_marked, marker_for, with_marker, without_marker
from zenodo_sync.engine.state import LOCK_NAME, InFlight, LockEntry, LockFile, lock_for_server
from zenodo_sync.errors import StateError


def test_round_trip_is_sorted_and_byte_stable(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME, server="http://127.0.0.1:1/api")
    lock.put("zeta", LockEntry(concept_id="5", record_id=6, files={"b.csv": "2", "a.csv": "1"}))
    lock.start("alpha", "create", "intent")
    first = (tmp_path / LOCK_NAME).read_text()
    data = json.loads(first)
    assert data["format_version"] == "1"
    assert list(data["datasets"]) == ["alpha", "zeta"]
    assert list(data["datasets"]["zeta"]["files"]) == ["a.csv", "b.csv"]
    again = LockFile.load(tmp_path)
    assert again.get("alpha").in_flight == InFlight(operation="create", step="intent")
    again.save()
    assert (tmp_path / LOCK_NAME).read_text() == first
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_NAME]  # no temp file left behind


def test_step_keeps_operation_and_draft(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME)
    lock.start("k", "new-version", "intent")
    lock.step("k", "draft", draft_id=9)
    lock.step("k", "files")
    assert LockFile.load(tmp_path).get("k").in_flight == InFlight("new-version", "files", 9)
    lock.drop("k")
    assert LockFile.load(tmp_path).entries == {}


ZENODO = "https://zenodo.org/api"


def test_lock_of_another_server_is_not_trusted_nor_overwritten(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME, {"k": LockEntry(concept_id="1")}, server=ZENODO)
    lock.save()
    committed = (tmp_path / LOCK_NAME).read_text()
    home, note = lock_for_server(tmp_path, "https://zenodo.org/api/", home=ZENODO)
    assert home.get("k") is not None and note is None

    trial, note = lock_for_server(tmp_path, "http://127.0.0.1:5000/api", home=ZENODO)
    assert trial.get("k") is None and ".zsync/locks/127.0.0.1_5000_api.lock" in note
    trial.put("k", LockEntry(concept_id="99"))
    assert (tmp_path / LOCK_NAME).read_text() == committed
    assert trial.path == tmp_path / ".zsync" / "locks" / "127.0.0.1_5000_api.lock"
    again, _ = lock_for_server(tmp_path, "http://127.0.0.1:5000/api", home=ZENODO)
    assert again.get("k").concept_id == "99"


def test_an_emulator_is_known_by_its_instance_whatever_its_port(tmp_path):
    first, _ = lock_for_server(tmp_path, "http://127.0.0.1:5000/api", home=ZENODO, instance="abc1")
    first.put("k", LockEntry(concept_id="3"))
    moved, note = lock_for_server(tmp_path, "http://127.0.0.1:6000/api", home=ZENODO, instance="abc1")
    assert moved.get("k").concept_id == "3" and "emulator abc1" in note
    assert moved.path == tmp_path / ".zsync" / "locks" / "emulator-abc1.lock"
    fresh, _ = lock_for_server(tmp_path, "http://127.0.0.1:5000/api", home=ZENODO, instance="def2")
    assert fresh.get("k") is None
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_lock_an_earlier_zsync_wrote_for_an_emulator_is_kept_aside_not_trusted(tmp_path):
    emulator = "http://127.0.0.1:5123/api"
    LockFile(tmp_path / LOCK_NAME, {"k": LockEntry(concept_id="1")}, server=emulator).save()
    trial, _ = lock_for_server(tmp_path, emulator, home=ZENODO)
    assert trial.get("k").concept_id == "1"  # still that emulator's state, now read as its side lock
    home, note = lock_for_server(tmp_path, ZENODO, home=ZENODO)
    assert home.get("k") is None and home.server == ZENODO
    assert "127.0.0.1_5123_api.lock" in note
    aside, _ = lock_for_server(tmp_path, emulator, home=ZENODO)
    assert aside.get("k").concept_id == "1"


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "cannot read"),
        ('{"format_version": "9", "datasets": {}}', "format_version"),
        ('{"format_version": "1", "datasets": {"k": {"in_flight": {"step": "x"}}}}', "datasets.k.in_flight"),
    ],
)
def test_unreadable_lock_is_a_state_error_with_a_hint(tmp_path, text, words):
    (tmp_path / LOCK_NAME).write_text(text)
    with pytest.raises(StateError, match=words) as info:
        LockFile.load(tmp_path)
    assert "marker" in info.value.hint


def test_marker_is_added_once_and_removed_for_comparison():
    metadata = {
        "title": "T",
        "related_identifiers": [
            {"identifier": "10.1/x", "relation": "cites"},
            {"identifier": marker_for("old"), "relation": "isAlternateIdentifier"},
        ],
    }
    sent = with_marker(metadata, "rose")
    assert keys_marked(sent) == ["rose"]
    assert sent["related_identifiers"][0] == {"identifier": "10.1/x", "relation": "cites"}
    assert without_marker(sent) == {
        "title": "T",
        "related_identifiers": [{"identifier": "10.1/x", "relation": "cites"}],
    }
    assert "related_identifiers" not in without_marker(with_marker({"title": "T"}, "rose"))
    assert metadata["related_identifiers"][1]["identifier"] == "urn:zsync:old"  # input untouched


@pytest.mark.parametrize("key", ["rose", "datasets/rose-scent", "Rose Scent", "a:b", "ünïcode"])
def test_marker_round_trips_any_key_as_one_urn(key):
    import idutils

    marker = marker_for(key)
    assert idutils.detect_identifier_schemes(marker)[0] == "urn"
    assert keys_marked(
        {"related_identifiers": [{"identifier": marker, "relation": "isAlternateIdentifier"}]}
    ) == [key]


def test_namespaced_marker_splits_one_way_and_replaces_the_old_marker():
    from zenodo_sync.engine.identity import markers_of

    assert marker_for("rose", "lab-a") == "urn:zsync:lab-a:rose"
    # Under a namespace a ":" in the key is encoded, so "a:b" + "c" never reads as "a" + "b:c".
    assert marker_for("b:c", "a") != marker_for("c", "a:b")
    assert marker_for("b:c", "a") == "urn:zsync:a:b%3Ac"
    assert marker_for("b:c") == "urn:zsync:b:c"  # unchanged without a namespace (compatibility)
    moved = with_marker(with_marker({"title": "T"}, "rose"), "rose", "lab-a")
    assert markers_of(moved) == ["urn:zsync:lab-a:rose"]


def test_a_binding_round_trips_and_is_written_only_when_set(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME, server="http://127.0.0.1:1/api")
    lock.put("rose", LockEntry(concept_id="11", concept_doi="10.5072/zenodo.11", bound=True))
    lock.put("tulip", LockEntry(concept_id="5", record_id=6))
    data = json.loads((tmp_path / LOCK_NAME).read_text())
    assert data["datasets"]["rose"]["bound"] is True and "bound" not in data["datasets"]["tulip"]
    again = LockFile.load(tmp_path)
    assert again.get("rose").bound and not again.get("tulip").bound


# --- the journal apply writes (one fsynced line per step, compacted into the lock) -------------


def test_journalled_steps_are_lines_until_compacted(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME, {"old": LockEntry(concept_id="1")}, server=ZENODO)
    lock.save()
    before = (tmp_path / LOCK_NAME).read_text()
    with lock.journalled():
        lock.start("k", "create", "intent")
        lock.step("k", "draft", draft_id=7)
        lock.drop("old")
        assert (tmp_path / LOCK_NAME).read_text() == before  # the lock is not rewritten per step
        lines = lock.journal_path.read_text().splitlines()
        assert len(lines) == 4 and json.loads(lines[0]) == {"server": ZENODO, "zsync_journal": "1"}
        assert json.loads(lines[3]) == {"entry": None, "key": "old"}
        replayed = LockFile.load(tmp_path)  # what a kill -9 here would leave for the next run
        assert replayed.get("k").in_flight == InFlight("create", "draft", 7)
        assert replayed.get("old") is None and replayed.replayed_steps == 3
        assert "zsync.lock.journal holds 3 steps of an apply that stopped" in replayed.replay_note(tmp_path)
    assert not lock.journal_path.exists()
    compacted = LockFile.load(tmp_path)
    assert compacted.get("k").in_flight == InFlight("create", "draft", 7) and compacted.get("old") is None
    assert compacted.replayed_steps is None and compacted.replay_note(tmp_path) is None
    assert (tmp_path / LOCK_NAME).read_text() == compacted.to_text()


def test_a_torn_last_line_is_a_step_that_never_completed(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME, server=ZENODO)
    with lock.journalled():
        lock.start("k", "create", "intent")
        text = lock.journal_path.read_text()
        lock.journal_path.write_text(text + '{"entry": {"concept_id": "9"')
        assert LockFile.load(tmp_path).get("k").in_flight == InFlight("create", "intent")
        lock.journal_path.write_text("")  # killed while the header was written
        assert LockFile.load(tmp_path).replayed_steps == 0
        lock.journal_path.write_text(text + "not json\n" + text.splitlines()[1] + "\n")
        with pytest.raises(StateError, match=r"zsync.lock.journal:3: cannot read this journal line"):
            LockFile.load(tmp_path)
        lock.journal_path.write_text(text.replace('"step": "intent"', '"step": 3'))
        with pytest.raises(StateError, match=r"journal:2: .*in_flight"):
            LockFile.load(tmp_path)
        lock.journal_path.write_text(text)


def test_replaying_a_journal_the_lock_already_holds_changes_nothing(tmp_path):
    """Killed between a compaction's lock write and the journal's removal: both on disk."""
    lock = LockFile(tmp_path / LOCK_NAME, server=ZENODO)
    with lock.journalled():
        lock.put("k", LockEntry(concept_id="1", record_id=2, files={"a.csv": "x"}))
        lock.start("k", "new-version", "intent")
        journal = lock.journal_path.read_text()
    written = (tmp_path / LOCK_NAME).read_text()
    lock.journal_path.write_text(journal)
    again = LockFile.load(tmp_path)
    assert again.to_text() == written and again.replayed_steps == 2
    with again.journalled():  # the next apply compacts it first, then journals its own steps
        assert not again.journal_path.exists()
    assert (tmp_path / LOCK_NAME).read_text() == written and not again.journal_path.exists()


def test_the_journal_is_compacted_once_longer_than_the_lock(tmp_path):
    lock = LockFile(tmp_path / LOCK_NAME, server=ZENODO)
    with lock.journalled(compact_every=4):
        for index in range(10):
            lock.put(f"k{index % 2}", LockEntry(concept_id=str(index)))
        # 10 steps, compacted after the 4th and the 8th: two steps in the journal now
        assert len(lock.journal_path.read_text().splitlines()) == 1 + 2
        assert LockFile.load(tmp_path).get("k1").concept_id == "9"
    assert LockFile.load(tmp_path).get("k0").concept_id == "8"


def test_a_journal_without_a_lock_is_read_for_any_server(tmp_path):
    emulator = "http://127.0.0.1:5000/api"
    lock, _ = lock_for_server(tmp_path, emulator, home=ZENODO, instance="abc1")
    with lock.journalled():
        lock.start("k", "create", "intent")
        assert not lock.path.exists() and lock.journal_path.exists()
        again, _ = lock_for_server(tmp_path, emulator, home=ZENODO, instance="abc1")
        assert again.get("k").in_flight == InFlight("create", "intent")
