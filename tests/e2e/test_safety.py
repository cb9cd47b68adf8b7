"""The apply engine's safety promises, each against a fault or a stranger's hand on the server.

Every scenario ends with the law: a plan right after it is empty (`--detailed-exitcode` exits
0), each key has exactly one concept with the expected number of published versions, no
draft is left anywhere, and the latest version holds exactly the manifest's files.
Faults are switched on at runtime through the emulator's admin endpoint (faults.py), so
one emulator serves the whole scenario.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import time

import requests

from zenodo_sync.emulator import running_emulator
from zenodo_sync.emulator import server as emulator_server
from zenodo_sync.model import LocalFile

from .conftest import BOTH_BACKENDS, ServerView, name_server

# Every scenario on both backends; faults aim at the request each one sends (conftest.ROUTES).
pytestmark = BOTH_BACKENDS


def set_faults(emulator, spec: str) -> None:
    requests.post(f"{emulator.url}/_emulator/faults", json={"spec": spec}, timeout=10).raise_for_status()


def plan_of(zsync, key: str) -> dict:
    result = zsync("plan", "--json")
    assert result.code == 0, result.err
    return next(c for c in json.loads(result.out)["changes"] if c["key"] == key)


def apply_ok(zsync) -> str:
    result = zsync("apply", "--auto-approve", "--parallelism", "1")
    assert result.code == 0, result.out + result.err
    return result.out


def manifest_files(project, key: str) -> dict[str, str]:
    folder = project.root / "datasets" / key
    return {
        path.name: hashlib.md5(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.name != "zenodo.yaml"
    }


def latest_of(server, key: str):
    (records,) = server.concepts_for(key).values()
    newest = max((r for r in records if r.submitted), key=lambda r: r.id)
    return server.backend.get(newest.id)


def assert_law(zsync, server, project, versions: dict[str, int]) -> None:
    plan = zsync("plan", "--detailed-exitcode")
    assert plan.code == 0, f"plan after apply is not empty:\n{plan.out}\n{plan.err}"
    server.assert_exactly(versions)
    for key in versions:
        latest = latest_of(server, key)
        assert {f.name: f.md5 for f in latest.files} == manifest_files(project, key), key
        assert project.lock["datasets"][key]["record_id"] == latest.id


class IndexClock:
    """The emulator's search-index clock, which a test can hold still.

    While held, listings show exactly what they showed at that moment and nothing written
    since: an index that lags for as long as the test needs (§6.6), whatever the machine's
    load. Reads by id are never affected.
    """

    def __init__(self, lag: float):
        self.lag = lag
        self.held_at: float | None = None

    def __call__(self) -> float:
        return time.time() if self.held_at is None else self.held_at

    def hold(self) -> None:
        self.held_at = time.time()

    def catch_up(self) -> None:
        """Let the index show every write made so far."""
        self.held_at = None
        time.sleep(self.lag)


@contextlib.contextmanager
def emulator_with_index(tmp_path, monkeypatch, index: IndexClock):
    monkeypatch.setattr(emulator_server, "Store", functools.partial(emulator_server.Store, clock=index))
    with running_emulator(data_dir=tmp_path / "emu", search_lag=index.lag) as emu:
        yield emu


def point_zsync_at(
    monkeypatch, project, emu, backend: str, *, search_delay: str, search_retries: str
) -> None:
    name_server(project.root, emu.url, backend)
    for name, value in {
        "ZENODO_TOKEN": emu.token,
        "ZSYNC_SERVER": emu.url,
        "ZSYNC_SEARCH_DELAY": search_delay,
        "ZSYNC_SEARCH_RETRIES": search_retries,
    }.items():
        monkeypatch.setenv(name, value)


def rdm_finds_the_pending_draft_itself(
    result, zsync, emu, project, index: IndexClock, record_id=None
) -> bool:
    """On the rdm backend, POST /records/<id>/versions answers the concept's pending draft
    itself (docs/zenodo-behaviour.md §7.6): nothing waits for the lagging index, so the apply
    the deposit backend must stop finishes, and finishes the one draft, not the published record."""
    if "backend: rdm" not in (project.root / "zsync.yaml").read_text(encoding="utf-8"):
        return False
    assert result.code == 0, result.out + result.err
    if record_id is not None:
        assert f"new-version draft {record_id} ready" not in result.out
    index.catch_up()
    assert_law(zsync, ServerView(emu), project, {"alpha": 2, "beta": 1})
    return True


# --- lost answers ------------------------------------------------------------------------------


def test_lost_newversion_answer_reuses_the_pending_draft(project, zenv, zsync, server, emulator, routes):
    apply_ok(zsync)
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
    set_faults(emulator, f"{routes['newversion']}=drop-after-commit:1")
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})


def test_lost_newversion_answer_unseen_by_the_index_then_a_rerun_finishes_the_one_draft(
    project, tmp_path, monkeypatch, zsync, routes, backend
):
    """The index lags longer than apply waits: it stops and says so; the rerun finds the draft."""
    index = IndexClock(lag=0.05)
    with emulator_with_index(tmp_path, monkeypatch, index) as emu:
        point_zsync_at(monkeypatch, project, emu, backend, search_delay="0.01", search_retries="2")
        apply_ok(zsync)
        index.catch_up()
        project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
        set_faults(emu, f"{routes['newversion']}=drop-after-commit:1")
        index.hold()  # the draft newversion makes stays out of listings for the whole apply
        failed = zsync("apply", "--auto-approve")
        if rdm_finds_the_pending_draft_itself(failed, zsync, emu, project, index):
            return
        assert failed.code == 1 and "has not appeared in the account's depositions yet" in failed.err
        assert "Traceback" not in failed.err
        index.catch_up()
        assert plan_of(zsync, "alpha")["action"] == "resume"  # the draft is found, not made twice
        apply_ok(zsync)
        index.catch_up()
        assert_law(zsync, ServerView(emu), project, {"alpha": 2, "beta": 1})


def publish_alpha_behind_a_held_index(project, zsync, index: IndexClock) -> int:
    """Publish alpha's first version while the index is held: the listing keeps showing the
    published record as the unpublished draft it was (the stale snapshot of §6.6)."""
    project.edit_manifest("alpha", "publish: true", "publish: false")
    apply_ok(zsync)
    record_id = project.lock["datasets"]["alpha"]["draft_id"]
    index.catch_up()
    index.hold()
    project.edit_manifest("alpha", "publish: false", "publish: true")
    apply_ok(zsync)
    assert project.lock["datasets"]["alpha"]["record_id"] == record_id
    return record_id


def assert_one_new_version_draft_is_resumed(zsync, emu, project, index: IndexClock) -> None:
    """Once the index catches up: exactly one draft (the new version), which a rerun finishes."""
    index.catch_up()
    concept = project.lock["datasets"]["alpha"]["concept_id"]
    (draft,) = [r for r in ServerView(emu).records() if r.is_draft]
    assert draft.state == "unsubmitted" and draft.concept_id == concept
    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume" and change["draft_id"] == draft.id
    apply_ok(zsync)
    index.catch_up()
    assert_law(zsync, ServerView(emu), project, {"alpha": 2, "beta": 1})


def test_lost_newversion_answer_is_not_taken_from_the_published_records_stale_snapshot(
    project, tmp_path, monkeypatch, zsync, routes, backend
):
    """After a lost newversion answer the stale entry of the just-published record is the
    concept's only "draft" in sight: apply must not finish the published record as the new
    version and leave the real draft open; it stops, and the rerun finishes the one draft."""
    index = IndexClock(lag=0.05)
    with emulator_with_index(tmp_path, monkeypatch, index) as emu:
        point_zsync_at(monkeypatch, project, emu, backend, search_delay="0.01", search_retries="2")
        record_id = publish_alpha_behind_a_held_index(project, zsync, index)
        project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
        set_faults(emu, f"{routes['newversion']}=drop-after-commit:1")
        failed = zsync("apply", "--auto-approve")
        if rdm_finds_the_pending_draft_itself(failed, zsync, emu, project, index, record_id):
            return
        assert failed.code == 1 and "has not appeared in the account's depositions yet" in failed.err
        assert "Traceback" not in failed.err
        assert f"new-version draft {record_id} ready" not in failed.out
        # The lock still says a new version is under way, not that the published record is it.
        assert project.lock["datasets"]["alpha"]["in_flight"]["operation"] == "new-version"
        assert_one_new_version_draft_is_resumed(zsync, emu, project, index)


def test_a_pending_draft_unseen_by_the_index_is_not_the_stale_published_record(
    project, tmp_path, monkeypatch, zsync, backend
):
    """newversion refuses because a pending draft holds files (§3.9.3); the search for
    it finds only the published record's stale entry, which must not be taken for it."""
    index = IndexClock(lag=0.05)
    with emulator_with_index(tmp_path, monkeypatch, index) as emu:
        point_zsync_at(monkeypatch, project, emu, backend, search_delay="0.01", search_retries="2")
        record_id = publish_alpha_behind_a_held_index(project, zsync, index)
        ServerView(emu).backend.new_version(record_id)  # opened on Zenodo, unseen by the index
        project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
        assert plan_of(zsync, "alpha")["action"] == "new-version"
        failed = zsync("apply", "--auto-approve")
        if rdm_finds_the_pending_draft_itself(failed, zsync, emu, project, index, record_id):
            return
        assert failed.code == 1 and "has not appeared in the account's depositions yet" in failed.err
        assert "Traceback" not in failed.err
        assert f"new-version draft {record_id} ready" not in failed.out
        assert_one_new_version_draft_is_resumed(zsync, emu, project, index)


def test_lost_edit_answer_updates_in_place(project, zenv, zsync, server, emulator, routes):
    apply_ok(zsync)
    doi = project.lock["datasets"]["alpha"]["doi"]
    project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent GC-MS data, corrected")
    set_faults(emulator, f"{routes['edit']}=drop-after-commit:1")
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 1, "beta": 1})
    assert latest_of(server, "alpha").doi == doi
    assert latest_of(server, "alpha").metadata["title"] == "Rose scent GC-MS data, corrected"


def test_publish_answered_with_a_504_page_after_it_happened_is_not_repeated(
    project, zenv, zsync, server, emulator, routes
):
    apply_ok(zsync)
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
    project.edit_manifest("beta", "Colour reflectance", "Colour reflectance (v2 title)")
    set_faults(emulator, f"{routes['publish']}=504-html-after-commit")
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})


# --- drafts left by someone else ---------------------------------------------------------------


def test_a_strangers_pending_new_version_is_reused_without_its_extra_files(
    project, zenv, zsync, server, tmp_path
):
    apply_ok(zsync)
    record_id = project.lock["datasets"]["alpha"]["record_id"]
    stranger = server.backend.new_version(record_id)  # made by hand on Zenodo
    extra = tmp_path / "stranger.txt"
    extra.write_text("not in any manifest\n")
    server.backend.upload(
        stranger,
        LocalFile(
            name="stranger.txt",
            path=extra,
            size=extra.stat().st_size,
            md5=hashlib.md5(extra.read_bytes()).hexdigest(),
        ),
    )
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")

    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume" and change["draft_id"] == stranger.id
    assert {f["name"]: f["kind"] for f in change["file_changes"]}["stranger.txt"] == "remove"
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})
    assert latest_of(server, "alpha").id == stranger.id


def test_a_strangers_new_version_draft_does_not_turn_an_update_into_a_new_version(
    project, zenv, zsync, server
):
    """Publishing it would add a version the manifest never asked for (same files, same version)."""
    apply_ok(zsync)
    record_id = project.lock["datasets"]["alpha"]["record_id"]
    doi = project.lock["datasets"]["alpha"]["doi"]
    stranger = server.backend.new_version(record_id)
    project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent GC-MS data, corrected")
    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume"
    assert f"{stranger.id} is not needed" in change["reason"] and "same DOI" in change["reason"]
    assert [f["path"] for f in change["field_changes"]] == ["title"]
    out = apply_ok(zsync)
    assert "discarding" in out
    assert_law(zsync, server, project, {"alpha": 1, "beta": 1})
    latest = latest_of(server, "alpha")
    assert latest.doi == doi and latest.metadata["title"] == "Rose scent GC-MS data, corrected"


def test_a_strangers_new_version_draft_is_discarded_when_nothing_changes(project, zenv, zsync, server):
    apply_ok(zsync)
    stranger = server.backend.new_version(project.lock["datasets"]["alpha"]["record_id"])
    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume" and "discarded" in change["reason"]
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 1, "beta": 1})
    assert stranger.id not in [r.id for r in server.records()]


def test_a_new_version_planned_before_a_stranger_opened_one_reuses_it(project, zenv, zsync, server, tmp_path):
    """The draft appears between plan and apply: newversion hands it back (§3.9.2, §3.9.3)."""
    apply_ok(zsync)
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
    saved = zsync("plan", "-out", "plan.zplan")
    assert saved.code == 0, saved.err
    stranger = server.backend.new_version(project.lock["datasets"]["alpha"]["record_id"])
    extra = tmp_path / "stranger.txt"
    extra.write_text("not in any manifest\n")
    server.backend.upload(
        stranger,
        LocalFile(
            name="stranger.txt",
            path=extra,
            size=extra.stat().st_size,
            md5=hashlib.md5(extra.read_bytes()).hexdigest(),
        ),
    )
    # A saved plan is refused because the server moved; a fresh apply reuses the draft.
    assert zsync("apply", "plan.zplan").code == 1
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})
    assert latest_of(server, "alpha").id == stranger.id


def test_an_edit_draft_left_open_is_finished_by_an_update(project, zenv, zsync, server):
    apply_ok(zsync)
    record_id = project.lock["datasets"]["alpha"]["record_id"]
    server.backend.edit(record_id)  # opened on the website and left there
    project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent GC-MS data, corrected")
    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume" and change["draft_id"] == record_id
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 1, "beta": 1})
    assert latest_of(server, "alpha").metadata["title"] == "Rose scent GC-MS data, corrected"


def test_an_edit_draft_left_open_that_changes_nothing_is_not_described_as_discarded(
    project, zenv, zsync, server
):
    apply_ok(zsync)
    record_id = project.lock["datasets"]["alpha"]["record_id"]
    server.backend.edit(record_id)
    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume"
    assert "edit draft" in change["reason"] and "discarded" not in change["reason"]
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 1, "beta": 1})


# --- what a plan says and does ---------------------------------------------------------------


def test_a_version_bump_with_identical_files_is_a_new_version_and_says_so(project, zenv, zsync, server):
    apply_ok(zsync)
    first = project.lock["datasets"]["alpha"]
    project.edit_manifest("alpha", 'version: "1.0"', 'version: "1.1"')
    change = plan_of(zsync, "alpha")
    assert change["action"] == "new-version"
    assert "version 1.0 -> 1.1" in change["reason"]
    assert "files unchanged" in change["reason"] and "new DOI" in change["reason"]
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})
    latest = project.lock["datasets"]["alpha"]
    assert latest["doi"] != first["doi"] and latest["files"] == first["files"]


def test_publish_false_then_a_file_change_updates_the_same_draft(project, zenv, zsync, server):
    project.write_manifest("gamma", "A draft for review", {"g.csv": "g\n1\n"}, publish=False)
    apply_ok(zsync)
    draft_id = project.lock["datasets"]["gamma"]["draft_id"]
    project.write_file("gamma", "g.csv", "g\n1\n2\n")
    change = plan_of(zsync, "gamma")
    assert change["action"] == "resume" and change["draft_id"] == draft_id
    apply_ok(zsync)
    drafts = [r for r in server.records() if r.is_draft]
    assert [r.id for r in drafts] == [draft_id]
    assert {f.name: f.md5 for f in server.backend.get(draft_id).files} == manifest_files(project, "gamma")
    assert zsync("plan", "--detailed-exitcode").code == 0

    project.edit_manifest("gamma", "publish: false", "publish: true")
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 1, "beta": 1, "gamma": 1})
    assert latest_of(server, "gamma").id == draft_id


def test_publish_false_new_version_then_a_file_change_keeps_one_draft(project, zenv, zsync, server):
    apply_ok(zsync)
    project.edit_manifest("alpha", "publish: true", "publish: false")
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
    apply_ok(zsync)
    draft_id = project.lock["datasets"]["alpha"]["draft_id"]
    project.write_file("alpha", "readme.txt", "hello again\n")
    change = plan_of(zsync, "alpha")
    assert change["action"] == "resume" and change["draft_id"] == draft_id
    apply_ok(zsync)
    assert [r.id for r in server.records() if r.is_draft] == [draft_id]
    project.edit_manifest("alpha", "publish: false", "publish: true")
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})


def test_a_file_dropped_and_another_added_in_one_new_version(project, zenv, zsync, server):
    apply_ok(zsync)
    (project.root / "datasets" / "alpha" / "readme.txt").unlink()
    project.write_file("alpha", "notes.md", "# Notes\n")
    project.edit_manifest("alpha", "  - readme.txt", "  - notes.md")
    change = plan_of(zsync, "alpha")
    assert change["action"] == "new-version"
    assert {f["name"]: f["kind"] for f in change["file_changes"]} == {
        "data.csv": "keep",
        "notes.md": "add",
        "readme.txt": "remove",
    }
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})


def test_a_renamed_file_with_the_same_content(project, zenv, zsync, server):
    apply_ok(zsync)
    folder = project.root / "datasets" / "alpha"
    (folder / "data.csv").rename(folder / "measurements.csv")
    project.edit_manifest("alpha", "  - data.csv", "  - measurements.csv")
    change = plan_of(zsync, "alpha")
    assert change["action"] == "new-version"
    assert {f["name"]: f["kind"] for f in change["file_changes"]} == {
        "data.csv": "remove",
        "measurements.csv": "add",
        "readme.txt": "keep",
    }
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})


def test_lost_answer_to_a_file_deletion_is_not_a_failure(project, zenv, zsync, server, emulator, routes):
    """DELETE is retried (idempotent); the retry finds the file gone (404), which is the goal."""
    apply_ok(zsync)
    (project.root / "datasets" / "alpha" / "readme.txt").unlink()
    project.edit_manifest("alpha", "  - readme.txt\n", "")
    set_faults(emulator, f"{routes['delete-file']}=drop-after-commit:1")
    apply_ok(zsync)
    assert_law(zsync, server, project, {"alpha": 2, "beta": 1})


def test_lost_newversion_answer_while_the_search_index_lags(
    project, tmp_path, monkeypatch, zsync, routes, backend
):
    """newversion hands back the pending draft only through the search-backed listing
    (docs/zenodo-behaviour.md §3.9.3, §6.6): apply waits for it as it does after a lost create."""
    with running_emulator(data_dir=tmp_path / "emu", search_lag=0.3) as emu:
        name_server(project.root, emu.url, backend)
        env = {
            "ZENODO_TOKEN": emu.token,
            "ZSYNC_SERVER": emu.url,
            "ZSYNC_SEARCH_DELAY": "0.1",
            "ZSYNC_SEARCH_RETRIES": "4",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        apply_ok(zsync)
        project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
        set_faults(emu, f"{routes['newversion']}=drop-after-commit:1")
        apply_ok(zsync)
        time.sleep(0.35)  # the index catches up: the view below reads the listing
        assert_law(zsync, ServerView(emu), project, {"alpha": 2, "beta": 1})


def test_an_edit_draft_open_on_an_older_version_does_not_block_a_new_version(project, zenv, zsync, server):
    """The manifest describes the latest version; an edit of an older one (opened on the website)
    is someone else's business: it is neither finished nor taken for the new-version draft."""
    apply_ok(zsync)
    first = project.lock["datasets"]["alpha"]["record_id"]
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
    apply_ok(zsync)
    server.backend.edit(first)
    assert zsync("plan", "--detailed-exitcode").code == 0
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n5,6\n")
    assert plan_of(zsync, "alpha")["action"] == "new-version"
    apply_ok(zsync)
    assert zsync("plan", "--detailed-exitcode").code == 0
    assert [(r.id, r.state) for r in server.records() if r.is_draft] == [(first, "inprogress")]
    server.backend.discard(first)
    assert_law(zsync, server, project, {"alpha": 3, "beta": 1})
