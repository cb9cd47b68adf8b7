"""A pull request's review under GitHub Actions: one sticky plan comment, the job summary and
the step outputs, against the emulator and a stand-in for GitHub's REST API on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import run_in
from tests.e2e.github_repo import commit_all, git, github_step, init_repository, pull_request_event
from tests.github_standin import github_standin

MARKER = "<!-- zsync-plan:. -->"
TOKEN = "ghs_writeTokenForTheTests0123456789"


def ours(github, number):
    return [body for body in github.comments(number) if body.startswith(MARKER)]


def test_one_comment_after_three_pushes_and_none_once_the_plan_is_empty(
    project, zenv, capsys, tmp_path, monkeypatch
):
    root = project.root
    init_repository(root, tmp_path / "origin.git")
    assert run_in(root, capsys, "apply", "--auto-approve").code == 0
    main = commit_all(root, "zsync.lock after the first apply")
    git(root, "checkout", "-q", "-b", "feature")

    with github_standin(token=TOKEN, page_size=2) as github:
        # Reviewers spoke first: the plan comment is on a later page of the listing.
        for text in ("LGTM?", "Please add an ORCID", "<!-- zsync:plan -->\nan old plan posted by hand"):
            github.add_comment(7, text)
        step = github_step(
            monkeypatch, tmp_path / "step", root, pull_request_event(7, main), api_url=github.url, token=TOKEN
        )

        project.edit_manifest("alpha", "Rose scent GC-MS data", "Rose scent GC-MS data, 2019 harvest")
        commit_all(root, "push 1")
        first = run_in(root, capsys, "plan", "--comment")
        assert first.code == 0, first.err
        assert "Posted the plan comment on pull request #7" in first.err
        assert len(ours(github, 7)) == 1
        assert "Rose scent GC-MS data, 2019 harvest" in ours(github, 7)[0]
        assert step.outputs["has-changes"] == "true"
        plan_json = json.loads(Path(step.outputs["plan-json"]).read_text(encoding="utf-8"))
        assert [c["key"] for c in plan_json["changes"] if c["action"] == "update"] == ["alpha"]
        assert "2019 harvest" in step.summary and MARKER in step.summary

        project.edit_manifest("beta", "Colour reflectance of IODP 374 cores", "Colour reflectance, IODP 374")
        commit_all(root, "push 2")
        assert run_in(root, capsys, "plan", "--comment").code == 0
        project.write_file("beta", "reflectance.csv", "x,y\n3,5\n")
        commit_all(root, "push 3")
        third = run_in(root, capsys, "plan", "--comment")
        assert third.code == 0, third.err
        assert "Updated the plan comment" in third.err

        (body,) = ours(github, 7)  # one comment, however many pushes
        assert "Colour reflectance, IODP 374" in body and "reflectance.csv" in body
        assert body.index("`alpha`") < body.index("`beta`")
        assert "Datasets this pull request touches: `alpha`, `beta`." in body
        posts = [path for method, path in github.requests if method == "POST"]
        assert len(posts) == 1

        # The pull request is reverted to main: nothing to review, so no plan comment is left.
        git(root, "checkout", "-q", main, "--", "datasets")
        commit_all(root, "revert")
        step.reset()
        emptied = run_in(root, capsys, "plan", "--comment")
        assert emptied.code == 0, emptied.err
        assert "deleted the plan comment" in emptied.err
        assert ours(github, 7) == []
        assert len(github.comments(7)) == 3  # the reviewers' comments stay
        assert step.outputs["has-changes"] == "false"
        assert TOKEN not in emptied.out + emptied.err + step.summary


def test_a_token_without_rights_fails_in_one_line_without_showing_it(
    project, zenv, capsys, tmp_path, monkeypatch
):
    root = project.root
    init_repository(root, tmp_path / "origin.git")
    main = git(root, "rev-parse", "HEAD")
    read_only = "ghs_readOnlyTokenForTheTests987654321"
    with github_standin(token=TOKEN, read_only_tokens=frozenset({read_only})) as github:
        github_step(
            monkeypatch,
            tmp_path / "step",
            root,
            pull_request_event(8, main),
            api_url=github.url,
            token=read_only,
        )
        result = run_in(root, capsys, "plan", "--comment")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: The GitHub token may not comment on pull request #8 of rose-lab/data (403: Resource not "
        "accessible by integration); the plan comment was not posted."
    ]
    assert "pull-requests: write" in result.err
    assert "Traceback" not in result.err and read_only not in result.out + result.err


def test_outside_github_actions_the_same_command_runs_plain(project, zenv, capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    result = run_in(project.root, capsys, "plan", "--comment")
    assert result.code == 0, result.err
    assert "--comment: not in GitHub Actions" in result.err
    assert not (tmp_path / "summary.md").exists()
    assert not (project.root / ".zsync" / "plan.json").exists()
