"""`zsync init`: a new project in one command, through the real CLI, in a real git repository."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ServerView, run_in

FLAGS = ("--title", "Rose scent GC-MS measurements", "--creator", "Doe, Jane")
NEW_FILES = ("zsync.yaml", ".pre-commit-config.yaml")


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def zsync_in(repo, capsys, monkeypatch):
    """Run `zsync ARGS` in-process in the new repository, stdin not a terminal."""

    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - closed with the test's process

    return lambda *args: run_in(repo, capsys, *args)


def files_under(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_init_with_flags_writes_a_project_that_validates(repo, zsync_in):
    (repo / "data.csv").write_text("a,b\n1,2\n")
    subprocess.run(["git", "add", "data.csv"], cwd=repo, check=True)
    result = zsync_in(
        "init",
        *FLAGS,
        "--license",
        "cc0-1.0",
        "--upload-type",
        "dataset",
        "--file",
        "data.csv",
        "--description",
        "Measurements of 61 metabolites in 6 rose cultivars.",
    )
    assert result.code == 0, result.err
    manifest_path = repo / "datasets" / "rose-scent-gc-ms-measurements" / "zenodo.yaml"
    for name in (*NEW_FILES, ".gitignore"):
        assert (repo / name).is_file(), name
    manifest = yaml.safe_load(manifest_path.read_text())
    assert manifest["metadata"]["title"] == "Rose scent GC-MS measurements"
    assert manifest["metadata"]["creators"] == [{"name": "Doe, Jane"}]
    assert manifest["metadata"]["license"] == "cc0-1.0"
    assert manifest["files"] == ["../../data.csv"] and "publish" not in manifest

    config = yaml.safe_load((repo / "zsync.yaml").read_text())
    assert config == {"server": "sandbox", "datasets": "datasets/**"}
    assert "# namespace:" in (repo / "zsync.yaml").read_text()  # the other options, as comments
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"] == [{"id": "zsync-validate"}]
    assert (repo / ".gitignore").read_text().splitlines()[-2:] == [".zsync/", "*.zplan"]

    validated = zsync_in("validate")
    assert validated.code == 0, validated.out + validated.err
    assert "0 errors" in validated.out and "in 1 manifest" in validated.out


def test_init_without_files_stops_at_a_draft_and_validates(repo, zsync_in):
    result = zsync_in("init", *FLAGS, "--key", "rose")
    assert result.code == 0, result.err
    manifest = yaml.safe_load((repo / "datasets" / "rose" / "zenodo.yaml").read_text())
    assert manifest["publish"] is False and "files" not in manifest
    assert zsync_in("validate").code == 0


def test_init_appends_gitignore_lines_once(repo, zsync_in):
    (repo / ".gitignore").write_text("node_modules/\n/.zsync/")  # no newline at the end
    assert zsync_in("init", *FLAGS).code == 0
    assert (repo / ".gitignore").read_text().splitlines() == [
        "node_modules/",
        "/.zsync/",
        "# zsync: local state (md5 cache, other servers' locks) and saved plans",
        "*.zplan",
    ]
    assert zsync_in("init", *FLAGS, "--force").code == 0
    lines = (repo / ".gitignore").read_text().splitlines()
    assert lines.count("*.zplan") == 1 and not any(line == ".zsync/" for line in lines)


def test_init_never_overwrites_and_names_every_file_in_the_way(repo, zsync_in):
    (repo / "zsync.yaml").write_text("server: zenodo\n")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = zsync_in("init", *FLAGS)
    assert result.code == 1
    assert "zsync.yaml, .pre-commit-config.yaml already exist" in result.err and "--force" in result.err
    assert files_under(repo) == {"zsync.yaml": "server: zenodo\n", ".pre-commit-config.yaml": "repos: []\n"}

    forced = zsync_in("init", *FLAGS, "--force")
    assert forced.code == 0, forced.err
    assert "Overwrote zsync.yaml" in forced.out
    assert yaml.safe_load((repo / "zsync.yaml").read_text())["server"] == "sandbox"


def test_init_without_a_terminal_names_the_missing_flags(repo, zsync_in):
    result = zsync_in("init", "--license", "cc0-1.0")
    assert result.code == 1
    assert "needs --title and --creator" in result.err and "no terminal" in result.err
    assert files_under(repo) == {}
    only_title = zsync_in("init", "--title", "Roses")
    assert only_title.code == 1 and "needs --creator" in only_title.err


def test_init_refuses_what_validate_would_refuse_and_writes_nothing(repo, zsync_in):
    result = zsync_in("init", *FLAGS, "--license", "cc-by-44")
    assert result.code == 1
    assert "would not pass `zsync validate`" in result.err and "cc-by-44" in result.err
    assert "Traceback" not in result.err
    assert files_under(repo) == {}


def test_init_asks_on_a_terminal(repo):
    controller, terminal = pty.openpty()
    try:
        # title, creator, license (default), upload type (default), description (none)
        os.write(controller, b"Colour reflectance of IODP 374 cores\nSmith, Ann\n\n\n\n")
        result = subprocess.run(
            [sys.executable, "-m", "zenodo_sync", "init"],
            cwd=repo,
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Title of the dataset" in result.stdout and "License [cc-by-4.0]" in result.stdout
    manifest = yaml.safe_load(
        (repo / "datasets" / "colour-reflectance-of-iodp-374-cores" / "zenodo.yaml").read_text()
    )
    assert manifest["metadata"]["creators"] == [{"name": "Smith, Ann"}]
    assert manifest["metadata"]["license"] == "cc-by-4.0" and manifest["metadata"]["upload_type"] == "dataset"
    assert "description" not in manifest["metadata"]


def test_the_first_hour_init_validate_plan_apply(repo, zsync_in, zenv, emulator):
    """From an empty repository to a published record on the (emulated) Zenodo."""
    (repo / "scent.csv").write_text("compound,ppm\nlinalool,12\n")
    assert zsync_in("init", *FLAGS, "--key", "rose", "--file", "scent.csv").code == 0
    assert zsync_in("validate").code == 0
    planned = zsync_in("plan")
    assert planned.code == 0 and "rose" in planned.out and "1 to create" in planned.out
    applied = zsync_in("apply", "--auto-approve")
    assert applied.code == 0, applied.err
    ServerView(emulator).assert_exactly({"rose": 1})


@pytest.mark.parametrize("key", ["../outside", "a/b", "two words", ".hidden"])
def test_init_refuses_a_key_that_is_not_one_folder_name(repo, zsync_in, key):
    result = zsync_in("init", *FLAGS, "--key", key)
    assert result.code == 1 and "--key" in result.err and "Traceback" not in result.err
    assert files_under(repo) == {} and not (repo.parent / "outside").exists()


def test_init_says_when_a_listed_file_cannot_be_published(repo, zsync_in):
    result = zsync_in("init", *FLAGS, "--key", "rose", "--file", ".git/HEAD")
    assert result.code == 1
    assert "datasets/rose/zenodo.yaml was written" in result.err and "inside .git/" in result.err
    assert zsync_in("validate").code == 1  # the same refusal, as init said
