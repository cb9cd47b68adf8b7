"""create -> no-op -> update -> no-op -> new-version -> no-op -> forget, over real HTTP.

The law after every apply: a plan right after it is empty (`--detailed-exitcode` exits 0).
Every test runs on both backends (deposit and rdm, conftest.BOTH_BACKENDS).
"""

from __future__ import annotations

import json

import pytest

from .conftest import BOTH_BACKENDS

pytestmark = BOTH_BACKENDS


def plan_json(zsync) -> dict:
    result = zsync("plan", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def actions(zsync) -> dict[str, str]:
    return {c["key"]: c["action"] for c in plan_json(zsync)["changes"]}


def apply_ok(zsync) -> str:
    result = zsync("apply", "--auto-approve")
    assert result.code == 0, result.err + result.out
    assert_plan_empty(zsync)
    return result.out


def assert_plan_empty(zsync) -> None:
    result = zsync("plan", "--detailed-exitcode")
    assert result.code == 0, f"plan after apply is not empty:\n{result.out}\n{result.err}"
    assert "No changes" in result.out


def test_every_transition_and_the_plan_after_apply_is_empty(project, zenv, zsync, server):
    first = zsync("plan", "--detailed-exitcode")
    assert first.code == 2, first.err
    assert actions(zsync) == {"alpha": "create", "beta": "create"}

    out = apply_ok(zsync)
    assert "Apply complete! Datasets: 2 created, 0 updated, 0 new versions." in out
    server.assert_exactly({"alpha": 1, "beta": 1})
    created = project.lock["datasets"]["alpha"]
    assert created["in_flight"] is None and created["doi"] and created["concept_doi"]
    assert created["files"].keys() == {"data.csv", "readme.txt"}

    # metadata only -> update, same DOI
    project.edit_manifest(
        "alpha",
        "Measurements of rose petal volatiles.",
        "Measurements of rose petal volatiles, recalibrated.",
    )
    assert actions(zsync) == {"alpha": "update", "beta": "no-op"}
    change = next(c for c in plan_json(zsync)["changes"] if c["key"] == "alpha")
    assert [f["path"] for f in change["field_changes"]] == ["description"]
    out = apply_ok(zsync)
    assert "0 created, 1 updated, 0 new versions" in out
    assert project.lock["datasets"]["alpha"]["doi"] == created["doi"]
    server.assert_exactly({"alpha": 1, "beta": 1})

    # a file changes -> new version: new DOI, same concept DOI; only that file is replaced
    project.write_file("alpha", "data.csv", "a,b\n1,2\n5,6\n")
    change = next(c for c in plan_json(zsync)["changes"] if c["key"] == "alpha")
    assert change["action"] == "new-version"
    assert {f["name"]: f["kind"] for f in change["file_changes"]} == {
        "data.csv": "replace",
        "readme.txt": "keep",
    }
    out = apply_ok(zsync)
    assert "0 created, 0 updated, 1 new version." in out
    assert "uploading data.csv" in out and "uploading readme.txt" not in out
    versioned = project.lock["datasets"]["alpha"]
    assert versioned["doi"] != created["doi"]
    assert versioned["concept_doi"] == created["concept_doi"]
    server.assert_exactly({"alpha": 2, "beta": 1})

    # version bump alone -> new version; file removed -> new version without it
    project.edit_manifest("beta", 'version: "1.0"', 'version: "1.1"')
    assert actions(zsync) == {"alpha": "no-op", "beta": "new-version"}
    apply_ok(zsync)
    project.edit_manifest("alpha", "  - readme.txt\n", "")
    change = next(c for c in plan_json(zsync)["changes"] if c["key"] == "alpha")
    assert {f["name"]: f["kind"] for f in change["file_changes"]} == {
        "data.csv": "keep",
        "readme.txt": "remove",
    }
    apply_ok(zsync)
    assert project.lock["datasets"]["alpha"]["files"].keys() == {"data.csv"}
    server.assert_exactly({"alpha": 3, "beta": 2})

    # manifest removed -> forget: the record stays, the lock entry goes
    import shutil

    shutil.rmtree(project.root / "datasets" / "beta")
    plan = plan_json(zsync)
    forget = next(c for c in plan["changes"] if c["key"] == "beta")
    assert forget["action"] == "forget" and "cannot be deleted" in forget["reason"]
    apply_ok(zsync)
    assert "beta" not in project.lock["datasets"]
    assert len(server.concepts_for("beta")) == 1


def test_json_plan_shape_and_targeting(project, zenv, zsync):
    data = plan_json(zsync)
    assert data["format_version"] == "1"
    assert [c["key"] for c in data["changes"]] == ["alpha", "beta"]
    assert all(c["action"] == "create" for c in data["changes"])
    targeted = zsync("plan", "--json", "--target", "beta")
    assert [c["key"] for c in json.loads(targeted.out)["changes"]] == ["beta"]
    unknown = zsync("plan", "--target", "nope")
    assert unknown.code == 1 and "nope" in unknown.err and "Traceback" not in unknown.err


def test_publish_false_stops_at_a_draft_then_publishes(project, zenv, zsync, server):
    project.write_manifest("gamma", "A draft for review", {"g.csv": "g\n1\n"}, publish=False)
    out = apply_ok(zsync)
    assert "left as a draft for review" in out
    drafts = [r for r in server.records() if r.is_draft]
    assert [r.id for r in drafts] == [project.lock["datasets"]["gamma"]["draft_id"]]

    project.edit_manifest("gamma", "publish: false", "publish: true")
    assert actions(zsync)["gamma"] == "resume"
    apply_ok(zsync)
    server.assert_exactly({"alpha": 1, "beta": 1, "gamma": 1})


def test_publishing_a_draft_left_for_review_says_so_and_warns_of_the_doi(project, zenv, zsync, server):
    project.write_manifest("gamma", "A draft for review", {"g.csv": "g\n1\n"}, publish=False)
    apply_ok(zsync)
    draft_id = project.lock["datasets"]["gamma"]["draft_id"]
    project.edit_manifest("gamma", "publish: false", "publish: true")

    text = zsync("plan", "--no-color").out
    assert f"gamma: draft {draft_id}, left for review, will be published (mints its DOI" in text
    assert "publish a draft left for review (publish: false): mints its DOI" in text  # the legend
    assert "interrupted" not in text and "never published 5" not in text
    assert "Plan: 0 to create, 0 to update, 0 new versions, 2 unchanged, 1 reviewed draft to publish." in text
    markdown = zsync("plan", "--format", "markdown").out
    assert "> [!WARNING]" in markdown and "publishes 1 new DOI (`gamma`)" in markdown
    assert json.loads(zsync("plan", "--json").out)["changes"][2]["draft_for_review"] is True
    apply_ok(zsync)
    server.assert_exactly({"alpha": 1, "beta": 1, "gamma": 1})


def test_drift_is_shown_and_brought_back(project, zenv, zsync, server):
    apply_ok(zsync)
    record_id = project.lock["datasets"]["beta"]["record_id"]
    backend = server.backend
    backend.edit(record_id)
    edited = dict(backend.get(record_id).metadata)
    edited["title"] = "Renamed on the website"
    backend.update_metadata(record_id, edited)
    backend.publish(record_id)

    change = next(c for c in plan_json(zsync)["changes"] if c["key"] == "beta")
    assert change["action"] == "update" and change["drift"] is True
    assert "outside of zsync" in zsync("plan").out or "outside zsync" in zsync("plan").out
    apply_ok(zsync)
    assert backend.get(record_id).metadata["title"] == "Colour reflectance of IODP 374 cores"


def test_apply_without_terminal_or_auto_approve_refuses(project, zenv, zsync, server):
    result = zsync("apply")
    assert result.code == 1
    assert "Refusing to apply" in result.err and "--auto-approve" in result.err
    assert server.records() == []


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_other_formats_render(project, zenv, zsync, fmt):
    result = zsync("plan", "--format", fmt, "--no-color")
    assert result.code == 0 and "alpha" in result.out and "\x1b[" not in result.out


@pytest.mark.parametrize("answer, applied", [("no", False), ("yes", True)])
def test_apply_on_a_terminal_asks_and_only_yes_applies(project, zenv, server, answer, applied):
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()  # stdin is a terminal: apply must ask
    try:
        os.write(controller, f"{answer}\n".encode())
        result = subprocess.run(
            [sys.executable, "-m", "zenodo_sync", "apply"],
            cwd=project.root,
            env={**os.environ, **zenv},
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert "Only 'yes' will be accepted" in result.stdout
    assert result.returncode == (0 if applied else 1), result.stderr
    assert (len(server.records()) == 2) is applied
    if not applied:
        assert "Apply cancelled." in result.stderr


def test_plan_for_a_path_is_targeted_and_never_forgets(project, zenv, zsync):
    assert zsync("apply", "--auto-approve").code == 0
    project.edit_manifest("beta", "Colour reflectance", "Colour reflectance, revised")
    result = zsync("plan", "--json", "datasets/alpha")
    data = json.loads(result.out)
    assert [(c["key"], c["action"]) for c in data["changes"]] == [("alpha", "no-op")]
    assert data["targeted"] is True


def test_leaving_a_community_is_a_plan_warning_not_a_silent_drop(project, zenv, zsync, server):
    project.edit_manifest(
        "alpha", "  keywords: [roses, GC-MS]\n", "  keywords: [roses, GC-MS]\n  communities: [zenodo, iodp]\n"
    )
    apply_ok(zsync)
    assert actions(zsync)["alpha"] == "no-op"

    project.edit_manifest("alpha", "  communities: [zenodo, iodp]\n", "  communities: [zenodo]\n")
    planned = zsync("plan", "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err  # nothing apply can send
    assert "Warning: alpha: communities: the manifest no longer lists 'iodp'" in planned.out
    assert "apply leaves it there" in planned.out
    change = next(c for c in plan_json(zsync)["changes"] if c["key"] == "alpha")
    assert change["action"] == "no-op" and change["field_changes"] == []
    assert len(change["warnings"]) == 1 and "'iodp'" in change["warnings"][0]
    markdown = zsync("plan", "--format", "markdown").out
    assert "> - alpha: communities: the manifest no longer lists 'iodp'" in markdown
    beta = next(c for c in plan_json(zsync)["changes"] if c["key"] == "beta")
    assert beta["warnings"] == []


def test_publish_false_prints_and_locks_the_reserved_doi_that_publish_then_mints(
    project, zenv, zsync, server
):
    project.write_manifest("gamma", "A draft for review", {"g.csv": "g\n1\n"}, publish=False)
    out = apply_ok(zsync)
    entry = project.lock["datasets"]["gamma"]
    reserved = entry["draft_doi"]
    assert reserved == f"10.5072/zenodo.{entry['draft_id']}"
    assert "gamma: left as a draft for review (publish: false): " in out
    assert f"; reserved DOI {reserved} (minted when published)" in out
    assert "draft_doi" not in project.lock["datasets"]["alpha"]

    project.edit_manifest("gamma", "publish: false", "publish: true")
    apply_ok(zsync)
    entry = project.lock["datasets"]["gamma"]
    assert entry["doi"] == reserved and "draft_doi" not in entry
    assert server.backend.get(entry["record_id"]).doi == reserved
