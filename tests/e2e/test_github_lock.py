"""Apply on merge: zsync.lock committed and pushed back (--commit-lock), the DOIs in the step
outputs and job summary; a push the origin refuses fails the job; a stopped apply still
commits the lock as far as it got."""

from __future__ import annotations

import json

import requests

from tests.e2e.conftest import run_in
from tests.e2e.github_repo import git, github_step, init_repository

BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"


def origin_lock(origin) -> dict:
    return json.loads(git(origin, "show", "main:zsync.lock"))


def test_the_lock_is_committed_and_pushed_after_a_merge(project, zenv, capsys, tmp_path, monkeypatch):
    root, origin = project.root, tmp_path / "origin.git"
    init_repository(root, origin)
    # A fresh runner names nobody: the bot commits.
    (tmp_path / "empty.gitconfig").write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "empty.gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    step = github_step(
        monkeypatch, tmp_path / "step", root, {"ref": "refs/heads/main"}, ref="refs/heads/main"
    )

    result = run_in(root, capsys, "apply", "--auto-approve", "--commit-lock")
    assert result.code == 0, result.err
    assert "Committed zsync.lock" in result.err and "pushed it to origin main" in result.err
    lock = project.lock
    assert origin_lock(origin) == lock
    assert (
        git(origin, "log", "-1", "--format=%an <%ae>|%s", "main")
        == f"{BOT}|zsync.lock: the records after zsync apply"
    )
    assert git(origin, "show", "--name-only", "--format=", "main") == "zsync.lock"

    entries = lock["datasets"]
    assert step.outputs["dois"].split() == [entries["alpha"]["doi"], entries["beta"]["doi"]]
    assert step.outputs["concept-dois"].split() == [
        entries["alpha"]["concept_doi"],
        entries["beta"]["concept_doi"],
    ]
    assert step.outputs["has-changes"] == "true"
    assert f"[{entries['alpha']['doi']}](https://doi.org/{entries['alpha']['doi']})" in step.summary

    # Nothing changed: nothing to commit, and no empty commit pushed.
    before = git(origin, "rev-parse", "main")
    again = run_in(root, capsys, "apply", "--auto-approve", "--commit-lock")
    assert again.code == 0 and "zsync.lock is unchanged: nothing to commit." in again.err
    assert git(origin, "rev-parse", "main") == before


def test_a_refused_push_fails_the_job_in_one_line(project, zenv, capsys, tmp_path, monkeypatch):
    root, origin = project.root, tmp_path / "origin.git"
    init_repository(root, origin)
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'protected branch: pushes need a review' >&2\nexit 1\n", encoding="utf-8"
    )
    hook.chmod(0o755)
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")

    result = run_in(root, capsys, "apply", "--auto-approve", "--commit-lock")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert errors[0].startswith("Error: Could not push zsync.lock to origin main: ")
    assert "pre-receive hook declined" in errors[0]
    assert "nothing apply did is lost" in errors[0]
    assert "Traceback" not in result.err
    # Applied, and committed in the clone: the next push (or the artifact) carries it.
    assert json.loads(git(root, "show", "HEAD:zsync.lock")) == project.lock
    assert "zsync.lock" not in git(origin, "ls-tree", "--name-only", "main").split()


def test_an_apply_that_stopped_midway_commits_the_lock_as_far_as_it_got(
    project, zenv, emulator, capsys, tmp_path, monkeypatch
):
    root, origin = project.root, tmp_path / "origin.git"
    init_repository(root, origin)
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
    # Every publish fails: the drafts are made and filled, nothing is published.
    faults = requests.post(
        emulator.url + "/_emulator/faults",
        json={"spec": "POST /api/deposit/depositions/*/actions/publish=500"},
    )
    assert faults.ok

    result = run_in(root, capsys, "apply", "--auto-approve", "--commit-lock", "--parallelism", "1")
    assert result.code == 1
    assert "Apply failed for 2 datasets" in result.err
    assert "Committed zsync.lock" in result.err
    pushed = origin_lock(origin)
    assert pushed == project.lock
    assert {entry["in_flight"]["operation"] for entry in pushed["datasets"].values()} == {"create"}
    assert all(entry["in_flight"]["draft_id"] for entry in pushed["datasets"].values())


def test_a_lock_kept_for_another_server_is_not_committed(project, zenv, capsys, tmp_path, monkeypatch):
    root = project.root
    (root / "zsync.yaml").write_text("server: sandbox\n", encoding="utf-8")  # ZSYNC_SERVER names the emulator
    init_repository(root, tmp_path / "origin.git")
    result = run_in(root, capsys, "apply", "--auto-approve", "--commit-lock")
    assert result.code == 1
    assert "Error: --commit-lock: this apply's state is kept in .zsync/locks/emulator-" in result.err
    assert "not in zsync.lock, so there is nothing to commit." in result.err
    assert git(root, "log", "--format=%s") == "datasets"
