"""A pull request from a fork: no secrets, so the plan is made from git alone (--offline)."""

from __future__ import annotations

from tests.e2e.conftest import run_in
from tests.e2e.github_repo import commit_all, git, github_step, init_repository, pull_request_event
from tests.github_standin import github_standin

TOKEN = "ghs_writeTokenForTheTests0123456789"
READ_ONLY = "ghs_forkReadOnlyToken0123456789"


def test_a_fork_pull_request_is_planned_offline_with_the_lock_naming_the_records(
    project, zenv, capsys, tmp_path, monkeypatch
):
    root = project.root
    init_repository(root, tmp_path / "origin.git")
    assert run_in(root, capsys, "apply", "--auto-approve").code == 0
    main = commit_all(root, "zsync.lock after the first apply")
    alpha, beta = project.lock["datasets"]["alpha"], project.lock["datasets"]["beta"]
    git(root, "checkout", "-q", "-b", "fork-feature")
    project.edit_manifest("alpha", 'version: "1.0"', 'version: "1.1"')
    project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
    project.edit_manifest("beta", "Colour reflectance of IODP 374 cores", "Colour reflectance, IODP 374")
    commit_all(root, "a contributor's change")
    # The fork's job has no Zenodo token and no server to ask.
    monkeypatch.delenv("ZENODO_TOKEN")
    monkeypatch.setenv("ZSYNC_SERVER", "http://127.0.0.1:9/api")

    with github_standin(token=TOKEN, read_only_tokens=frozenset({READ_ONLY})) as github:
        step = github_step(
            monkeypatch,
            tmp_path / "step",
            root,
            pull_request_event(9, main, fork=True),
            api_url=github.url,
            token=READ_ONLY,
        )
        result = run_in(root, capsys, "plan", "--offline", "--comment")
        assert result.code == 0, result.err
        # A fork's token is read-only: said once, not a failure; the summary has the plan.
        assert "a pull request from a fork: the plan is in the job summary" in result.err
        assert github.comments(9) == []

        assert f"Planning offline: the manifests at {main}" in result.err
        assert (
            f"zsync compared the manifests with those at {main} (merge base {main[:12]}), not with Zenodo."
            in result.out
        )
        # zsync.lock names the records: the new version's concept, the update's DOI.
        assert f"alpha will get a new version (new DOI under concept {alpha['concept_doi']})" in result.out
        assert f"beta will be updated in-place (same DOI {beta['doi']})" in result.out
        assert '~ version: "1.0" -> "1.1"' in result.out and "~ file data.csv" in result.out
        assert "Plan: 0 to create, 1 to update, 1 new version, 0 unchanged." in result.out
        assert "Made **offline**" in step.summary and "1.1" in step.summary
        assert step.outputs["has-changes"] == "true"

        # Where the repository lets forks' workflows write, the comment says it was made offline.
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        again = run_in(root, capsys, "plan", "--offline", "--comment")
        assert again.code == 0, again.err
        (body,) = github.comments(9)
        assert body.startswith("<!-- zsync-plan:. -->") and "Made **offline**" in body
        assert "Datasets this pull request touches: `alpha`, `beta`." in body


def test_offline_outside_a_pull_request_needs_a_base(project, capsys, tmp_path, monkeypatch):
    init_repository(project.root, tmp_path / "origin.git")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run_in(project.root, capsys, "plan", "--offline")
    assert result.code == 1
    assert "Error: --offline needs a base to compare with: --changed-since REF" in result.err
    unknown = run_in(project.root, capsys, "plan", "--offline", "--changed-since", "origin/nowhere")
    assert unknown.code == 1
    assert "Error: --changed-since origin/nowhere: git knows no commit by this name." in unknown.err
    assert "fetch-depth: 0" in unknown.err and "Traceback" not in unknown.err
