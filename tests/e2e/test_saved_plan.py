"""`zsync plan -out FILE` then `zsync apply FILE`: exactly that plan, or a refusal when stale."""

from __future__ import annotations

import json

from .conftest import BOTH_BACKENDS

pytestmark = BOTH_BACKENDS  # plan and apply on both backends (conftest.py)


def test_saved_plan_is_applied_without_prompt_and_holds_no_token(project, zenv, zsync, server):
    out = zsync("plan", "-out", "plan.zplan")
    assert out.code == 0 and "Saved the plan to: plan.zplan" in out.out
    text = (project.root / "plan.zplan").read_text()
    assert zenv["ZENODO_TOKEN"] not in text
    assert json.loads(text)["format_version"] == "1"
    result = zsync("apply", "plan.zplan")  # no terminal, no --auto-approve: a saved plan needs neither
    assert result.code == 0, result.err
    server.assert_exactly({"alpha": 1, "beta": 1})
    assert zsync("plan", "--detailed-exitcode").code == 0


def test_saved_plan_refused_when_a_manifest_moved(project, zenv, zsync, server):
    assert zsync("plan", "-out", "plan.zplan").code == 0
    project.edit_manifest("beta", "Colour reflectance", "Colour reflectance (edited)")
    result = zsync("apply", "plan.zplan")
    assert result.code == 1
    assert "stale" in result.err and "beta" in result.err and "manifest" in result.err
    assert server.records() == []


def test_saved_plan_refused_when_a_file_moved(project, zenv, zsync, server):
    assert zsync("plan", "-out", "plan.zplan").code == 0
    project.write_file("alpha", "data.csv", "changed\n")
    result = zsync("apply", "plan.zplan")
    assert result.code == 1 and "alpha" in result.err and "data.csv" in result.err
    assert server.records() == []


def test_saved_plan_refused_when_the_server_moved(project, zenv, zsync, server):
    assert zsync("apply", "--auto-approve").code == 0
    project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent data")
    assert zsync("plan", "-out", "plan.zplan").code == 0
    record_id = project.lock["datasets"]["alpha"]["record_id"]
    backend = server.backend
    backend.edit(record_id)
    metadata = dict(backend.get(record_id).metadata)
    metadata["keywords"] = ["edited", "elsewhere"]
    backend.update_metadata(record_id, metadata)
    backend.publish(record_id)

    result = zsync("apply", "plan.zplan")
    assert result.code == 1
    assert "stale" in result.err and "alpha" in result.err and "server" in result.err


def test_a_saved_plan_applied_twice_says_it_was_already_applied(project, zenv, zsync, server):
    assert zsync("plan", "-out", "plan.zplan").code == 0
    assert zsync("apply", "plan.zplan").code == 0
    lock_after_first = (project.root / "zsync.lock").read_text()

    again = zsync("apply", "plan.zplan")
    assert again.code == 0, again.err
    assert "already applied" in again.out and "Nothing to do" in again.out
    assert "stale" not in again.err
    server.assert_exactly({"alpha": 1, "beta": 1})
    assert (project.root / "zsync.lock").read_text() == lock_after_first


def test_a_saved_plan_applied_then_edited_manifest_is_still_stale(project, zenv, zsync, server):
    """Already applied means the server is at the plan's end state for the same manifests."""
    assert zsync("plan", "-out", "plan.zplan").code == 0
    assert zsync("apply", "plan.zplan").code == 0
    project.edit_manifest("beta", "Colour reflectance", "Colour reflectance (edited)")
    again = zsync("apply", "plan.zplan")
    assert again.code == 1
    assert "stale" in again.err and "beta" in again.err and "already applied" not in again.out
    server.assert_exactly({"alpha": 1, "beta": 1})
