"""Identity without the lock: zsync finds its records again and never makes a second concept."""

from __future__ import annotations

import json

from zenodo_sync.emulator import running_emulator

from .conftest import BOTH_BACKENDS, FAST_ENV, ServerView, name_server

pytestmark = BOTH_BACKENDS


def test_lost_lock_finds_the_records_again_by_marker(project, zenv, zsync, server):
    assert zsync("apply", "--auto-approve").code == 0
    before = project.lock
    (project.root / "zsync.lock").unlink()

    result = zsync("plan", "--detailed-exitcode")
    # An adoption is a change: it has its symbol, is counted, and names the consent it needs.
    assert result.code == 2, result.out + result.err
    assert "Warning: alpha: zsync.lock has no entry" in result.err and "ADOPTS" in result.err
    assert "No changes" not in result.out
    assert ' <- dataset "alpha"' in result.out and ' <- dataset "beta"' in result.out
    assert "Plan: 0 to create, 0 to update, 0 new versions, 2 unchanged, 2 to adopt." in result.out
    assert "zsync apply --adopt alpha --adopt beta" in result.out
    markdown = zsync("plan", "--format", "markdown").out
    assert "<code>&lt;-</code> alpha will be adopted" in markdown and "--adopt alpha --adopt beta" in markdown
    summary = json.loads(zsync("plan", "--json").out)["summary"]
    assert summary["adopt"] == 2 and summary["no-op"] == 2
    # Without a namespace the marker could be another repository's: CI does not adopt silently.
    refused = zsync("apply", "--auto-approve")
    assert refused.code == 1 and "--adopt alpha --adopt beta" in refused.err
    assert not (project.root / "zsync.lock").exists()
    # apply with nothing to change still writes the lock back, with the same records
    assert zsync("apply", "--auto-approve", "--adopt", "alpha", "--adopt", "beta").code == 0
    after = project.lock
    for key in ("alpha", "beta"):
        for field in ("concept_id", "record_id", "doi", "concept_doi", "files"):
            assert after["datasets"][key][field] == before["datasets"][key][field]
    server.assert_exactly({"alpha": 1, "beta": 1})


def test_lost_lock_then_a_change_updates_the_found_record(project, zenv, zsync, server):
    assert zsync("apply", "--auto-approve").code == 0
    (project.root / "zsync.lock").unlink()
    project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent GC-MS data (v2 title)")
    plan = json.loads(zsync("plan", "--json").out)
    alpha = next(c for c in plan["changes"] if c["key"] == "alpha")
    assert alpha["action"] == "update" and alpha["reason"].startswith("ADOPTS concept")
    assert alpha["adopt"]["marker"] == "urn:zsync:alpha" and "adopt" not in alpha["basis"]
    refused = zsync("apply", "--auto-approve")
    assert refused.code == 1 and "Refusing to adopt" in refused.err and "nothing was sent" in refused.err
    assert all(
        r.metadata["title"] == "Rose scent GC-MS data"
        for r in server.records()
        if "alpha" in str(r.metadata.get("related_identifiers"))
    )
    assert zsync("apply", "--auto-approve", "--adopt", "alpha", "--adopt", "beta").code == 0
    server.assert_exactly({"alpha": 1, "beta": 1})
    assert zsync("plan", "--detailed-exitcode").code == 0  # adopted: the lock knows them now


def test_lost_create_response_does_not_duplicate(project, tmp_path, monkeypatch, zsync, backend, routes):
    faults = f"{routes['create']}=drop-after-commit:1"
    with running_emulator(data_dir=tmp_path / "emu", faults=faults) as emu:
        name_server(project.root, emu.url, backend)
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        result = zsync("apply", "--auto-approve", "--parallelism", "1")
        assert result.code == 0, result.out + result.err
        assert "no answer to create" in result.out
        ServerView(emu).assert_exactly({"alpha": 1, "beta": 1})
        assert zsync("plan", "--detailed-exitcode").code == 0


def test_lost_publish_response_does_not_publish_twice(project, tmp_path, monkeypatch, zsync, backend, routes):
    faults = f"{routes['publish']}=drop-after-commit:1"
    with running_emulator(data_dir=tmp_path / "emu", faults=faults) as emu:
        name_server(project.root, emu.url, backend)
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        result = zsync("apply", "--auto-approve", "--parallelism", "1")
        assert result.code == 0, result.out + result.err
        ServerView(emu).assert_exactly({"alpha": 1, "beta": 1})
        assert zsync("plan", "--detailed-exitcode").code == 0


def test_search_lag_neither_hides_records_nor_shows_phantom_changes(
    project, tmp_path, monkeypatch, zsync, backend, routes
):
    """The listing lags behind writes (docs/zenodo-behaviour.md §6.6): refresh reads by id what the lock
    knows, and waits for the index when a create's answer was lost."""
    faults = f"{routes['create']}=drop-after-commit:1"
    with running_emulator(data_dir=tmp_path / "emu", search_lag=0.3, faults=faults) as emu:
        name_server(project.root, emu.url, backend)
        for name, value in {
            "ZENODO_TOKEN": emu.token,
            "ZSYNC_SERVER": emu.url,
            "ZSYNC_SEARCH_DELAY": "0.1",
            "ZSYNC_SEARCH_RETRIES": "4",
        }.items():
            monkeypatch.setenv(name, value)
        result = zsync("apply", "--auto-approve", "--parallelism", "1")
        assert result.code == 0, result.out + result.err
        assert zsync("plan", "--detailed-exitcode").code == 0  # at once, while the index lags
        project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent GC-MS data, renamed")
        assert zsync("apply", "--auto-approve").code == 0
        assert zsync("plan", "--detailed-exitcode").code == 0
        project.write_file("beta", "reflectance.csv", "x,y\n3,4\n9,9\n")
        assert zsync("apply", "--auto-approve").code == 0
        assert zsync("plan", "--detailed-exitcode").code == 0
        import time

        time.sleep(0.4)
        ServerView(emu).assert_exactly({"alpha": 1, "beta": 2})


def test_server_error_on_publish_fails_clearly_and_a_rerun_resumes_the_draft(
    project, tmp_path, monkeypatch, zsync, backend, routes
):
    faults = f"{routes['publish']}=500:1"
    with running_emulator(data_dir=tmp_path / "emu", faults=faults) as emu:
        name_server(project.root, emu.url, backend)
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        failed = zsync("apply", "--auto-approve", "--parallelism", "1")
        assert failed.code == 1
        assert "Apply failed for 1 dataset (1 finished)" in failed.err and "Traceback" not in failed.err
        assert emu.token not in failed.err + failed.out
        plan = json.loads(zsync("plan", "--json").out)
        assert sorted(c["action"] for c in plan["changes"]) == ["no-op", "resume"]
        rerun = zsync("apply", "--auto-approve")
        assert rerun.code == 0, rerun.err
        assert "1 resumed" in rerun.out
        ServerView(emu).assert_exactly({"alpha": 1, "beta": 1})
        assert zsync("plan", "--detailed-exitcode").code == 0


def test_two_concepts_with_one_marker_are_refused_not_guessed(project, zenv, zsync, server):
    from zenodo_sync.engine.identity import with_marker

    metadata = {
        "title": "Made twice by hand",
        "upload_type": "dataset",
        "description": "Twice.",
        "creators": [{"name": "Doe, Jane"}],
    }
    for _ in range(2):
        server.backend.create(with_marker(metadata, "alpha"))
    result = zsync("plan")
    assert result.code == 1
    assert "alpha" in result.err and "2 concepts marked urn:zsync:alpha" in result.err
    assert "Hint:" in result.err and "Traceback" not in result.err


def test_lost_lock_with_an_open_draft_finds_and_finishes_it(project, zenv, zsync, server):
    project.write_manifest("gamma", "A draft for review", {"g.csv": "g\n1\n"}, publish=False)
    assert zsync("apply", "--auto-approve").code == 0
    draft_id = project.lock["datasets"]["gamma"]["draft_id"]
    (project.root / "zsync.lock").unlink()

    plan = json.loads(zsync("plan", "--json").out)
    gamma = next(c for c in plan["changes"] if c["key"] == "gamma")
    assert (gamma["action"], gamma["draft_id"]) == ("no-op", draft_id)
    project.edit_manifest("gamma", "publish: false", "publish: true")
    assert (
        zsync("apply", "--auto-approve", "--adopt", "alpha", "--adopt", "beta", "--adopt", "gamma").code == 0
    )
    assert project.lock["datasets"]["gamma"]["record_id"] == draft_id
    server.assert_exactly({"alpha": 1, "beta": 1, "gamma": 1})
