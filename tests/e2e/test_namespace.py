"""Two repositories, one Zenodo account, one dataset key: markers must keep them apart.

With `namespace:` in zsync.yaml each repository marks its records `urn:zsync:<ns>:<key>`
and only ever finds its own. Without one, a record found by marker alone (no lock entry,
no create in flight) is shown as an adoption and apply refuses it unless told `--adopt`.
"""

from __future__ import annotations

import json
import shutil

import pytest

from zenodo_sync.engine.identity import markers_of

from .conftest import BOTH_BACKENDS, Project, Result, name_server

pytestmark = BOTH_BACKENDS


@pytest.fixture
def two_repos(tmp_path, zenv, monkeypatch, capsys, backend):
    """Repository A and B, each with a dataset `alpha` of different content; run(repo, *args)."""
    from zenodo_sync.cli import main

    repos = {}
    for name in ("a", "b"):
        root = tmp_path / f"repo-{name}"
        root.mkdir()
        repos[name] = Project(root)
        name_server(root, zenv["ZSYNC_SERVER"], backend)
        repos[name].write_manifest(
            "alpha", f"Dataset alpha of repository {name}", {"data.csv": f"{name}\n1\n"}
        )

    def run(repo: Project, *args: str) -> Result:
        monkeypatch.chdir(repo.root)
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return repos, run


def titles_by_marker(server) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for record in server.records():
        for marker in markers_of(record.metadata):
            found.setdefault(marker, []).append(record.metadata["title"])
    return found


def test_namespaces_keep_two_repositories_with_the_same_key_apart(two_repos, server, emulator, backend):
    repos, run = two_repos
    for name, repo in repos.items():
        (repo.root / "zsync.yaml").write_text(
            f"server: {emulator.url}\nnamespace: lab-{name}\nbackend: {backend}\n"
        )
    assert run(repos["a"], "apply", "--auto-approve").code == 0
    plan_b = json.loads(run(repos["b"], "plan", "--json").out)
    assert [c["action"] for c in plan_b["changes"]] == ["create"]  # not A's record
    assert run(repos["b"], "apply", "--auto-approve").code == 0
    assert titles_by_marker(server) == {
        "urn:zsync:lab-a:alpha": ["Dataset alpha of repository a"],
        "urn:zsync:lab-b:alpha": ["Dataset alpha of repository b"],
    }
    # Each finds its own again without its lock, by its own marker, and adopts it unasked.
    for repo in repos.values():
        (repo.root / "zsync.lock").unlink()
        assert run(repo, "plan", "--detailed-exitcode").code == 0
        assert run(repo, "apply", "--auto-approve").code == 0
        assert repo.lock["datasets"]["alpha"]["concept_id"]


def test_without_namespace_a_marker_match_is_an_adoption_apply_refuses(two_repos, server):
    repos, run = two_repos
    assert run(repos["a"], "apply", "--auto-approve").code == 0
    shutil.copy(repos["a"].root / "zsync.lock", repos["a"].root / "kept.lock")

    plan = run(repos["b"], "plan")
    assert plan.code == 0
    assert "Warning: alpha: zsync.lock has no entry" in plan.err and "urn:zsync:alpha" in plan.err
    assert "ADOPTS concept" in plan.out and "--adopt alpha" in plan.out

    saved = run(repos["b"], "plan", "-out", "b.zplan")
    assert saved.code == 0
    for attempt in (("apply", "--auto-approve"), ("apply", "b.zplan")):
        refused = run(repos["b"], *attempt)
        assert refused.code == 1, refused.out + refused.err
        assert "Refusing to adopt" in refused.err and "--adopt alpha" in refused.err
        assert "Traceback" not in refused.err
    # A's record is untouched and B wrote no lock pointing at it.
    assert titles_by_marker(server) == {"urn:zsync:alpha": ["Dataset alpha of repository a"]}
    assert not (repos["b"].root / "zsync.lock").exists()


def test_adopt_takes_over_a_record_after_a_lost_lock(two_repos, server):
    repos, run = two_repos
    repo = repos["a"]
    assert run(repo, "apply", "--auto-approve").code == 0
    concept = repo.lock["datasets"]["alpha"]["concept_id"]
    (repo.root / "zsync.lock").unlink()
    repo.edit_manifest("alpha", "Dataset alpha of repository a", "Dataset alpha, retitled")
    done = run(repo, "apply", "--auto-approve", "--adopt", "alpha")
    assert done.code == 0, done.err
    assert repo.lock["datasets"]["alpha"]["concept_id"] == concept
    assert titles_by_marker(server) == {"urn:zsync:alpha": ["Dataset alpha, retitled"]}
    assert run(repo, "plan", "--detailed-exitcode").code == 0


@pytest.mark.parametrize("value", ["a:b", "", "-lead", "x" * 65, "[1]"])
def test_a_bad_namespace_is_a_finding_with_its_line(two_repos, value):
    repos, run = two_repos
    (repos["a"].root / "zsync.yaml").write_text(
        f"server: zenodo\nnamespace: {json.dumps(value) if value != '[1]' else value}\n"
    )
    result = run(repos["a"], "plan")
    assert result.code == 1
    assert "zsync.yaml:2:" in result.err and "namespace" in result.err
    assert "Traceback" not in result.err


def test_yes_on_a_terminal_to_a_plan_that_says_adopts_is_consent(two_repos, zenv, server):
    import os
    import pty
    import subprocess
    import sys

    repos, run = two_repos
    repo = repos["a"]
    assert run(repo, "apply", "--auto-approve").code == 0
    (repo.root / "zsync.lock").unlink()
    repo.edit_manifest("alpha", "Dataset alpha of repository a", "Dataset alpha, retitled on a terminal")
    controller, terminal = pty.openpty()  # stdin is a terminal: apply asks, showing ADOPTS
    try:
        os.write(controller, b"yes\n")
        result = subprocess.run(
            [sys.executable, "-m", "zenodo_sync", "apply"],
            cwd=repo.root,
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
    assert result.returncode == 0, result.stderr
    assert "ADOPTS concept" in result.stdout and "Only 'yes' will be accepted" in result.stdout
    assert titles_by_marker(server) == {"urn:zsync:alpha": ["Dataset alpha, retitled on a terminal"]}
