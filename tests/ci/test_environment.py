"""GitHub's extras switch on from the environment alone, and write GitHub's file formats."""

from __future__ import annotations

import json

from zenodo_sync.ci.environment import GitHub
from zenodo_sync.ci.outputs import add_summary, set_outputs


def test_nothing_switches_on_outside_github_actions(tmp_path):
    # GitLab CI, or a shell where someone exported a GitHub variable by hand.
    github = GitHub.from_environ({"GITLAB_CI": "true", "GITHUB_OUTPUT": str(tmp_path / "out")})
    assert not github.active
    set_outputs(github, {"has-changes": "true"})
    add_summary(github, "# plan")
    assert list(tmp_path.iterdir()) == []


def test_outputs_use_the_heredoc_form_for_values_with_newlines(tmp_path):
    github = GitHub.from_environ({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(tmp_path / "out")})
    (tmp_path / "out").write_text("earlier=step\n", encoding="utf-8")
    set_outputs(github, {"dois": "10.5281/zenodo.1 10.5281/zenodo.2", "notes": "two\nlines"})
    lines = (tmp_path / "out").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["earlier=step", "dois=10.5281/zenodo.1 10.5281/zenodo.2"]
    name, delimiter = lines[2].split("<<")
    assert name == "notes" and lines[3:] == ["two", "lines", delimiter]
    assert delimiter not in "two\nlines"


def test_the_pull_request_and_whether_it_comes_from_a_fork(tmp_path):
    event = tmp_path / "event.json"
    pull = {
        "number": 12,
        "base": {"sha": "abc", "ref": "main", "repo": {"full_name": "lab/data"}},
        "head": {"repo": {"full_name": "someone/data"}},
    }
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(event), "GITHUB_REF": "refs/pull/12/merge"}
    github = GitHub.from_environ(env)
    found = github.pull_request()
    assert found is not None and (found.number, found.base_sha, found.is_fork) == (12, "abc", True)
    assert github.branch() is None
    pull["head"]["repo"] = {"full_name": "lab/data"}
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    assert github.pull_request().is_fork is False
    event.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")
    assert github.pull_request() is None
    assert GitHub.from_environ({**env, "GITHUB_REF": "refs/heads/main"}).branch() == "main"
