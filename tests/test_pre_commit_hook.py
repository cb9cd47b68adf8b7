"""The pre-commit hook as the README and `zsync init` set it up: a rev that exists, and a hook
that validates the whole project when anything a manifest depends on changes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from zenodo_sync.manifest import scaffold

REPO = Path(__file__).resolve().parents[1]


def hook() -> dict:
    (only,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return only


def test_the_hook_validates_the_whole_project_without_file_names():
    defined = hook()
    assert defined["id"] == scaffold.HOOK_ID
    assert defined["entry"] == "zsync validate"
    # zsync validate reads zsync.yaml itself and needs every manifest (duplicate ids, defaults).
    assert defined["pass_filenames"] is False


@pytest.mark.parametrize(
    "path, runs",
    [
        ("zsync.yaml", True),
        ("zsync.yml", True),
        ("datasets/rose/zenodo.yaml", True),
        ("datasets/rose/data/scent.csv", True),  # a data file: a manifest's file may be gone
        ("metadata/zenodo/rose.yaml", True),  # manifests under a custom `datasets` glob
        ("metadata/zenodo/rose.yml", True),
        ("project/datasets/iodp/reflectance.csv", True),
        ("src/analysis.py", False),
        ("README.md", False),
    ],
)
def test_the_hook_runs_when_a_yaml_file_or_a_dataset_file_changes(path, runs):
    # pre-commit selects files with re.search on the path relative to the repository root.
    assert bool(re.search(hook()["files"], path)) is runs


def readme_pre_commit_block() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**pre-commit.**") :]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_the_readme_shows_what_init_writes():
    assert readme_pre_commit_block() == scaffold.pre_commit_repos_block()
    assert scaffold.pre_commit_repos_block() in scaffold.pre_commit_text()


def test_the_readme_rev_names_something_that_exists():
    rev = yaml.safe_load(readme_pre_commit_block())["repos"][0]["rev"]
    if re.fullmatch(r"v?\d+(\.\d+)*", rev):  # a release tag: it must have been made
        tags = subprocess.run(["git", "tag", "--list", rev], cwd=REPO, capture_output=True, text=True).stdout
        assert tags.split() == [rev], f"README names tag {rev}, which does not exist"
    else:  # the default branch (no tags yet), with the command that pins it explained
        assert rev == "main"
        assert scaffold.PIN_COMMAND in (REPO / "README.md").read_text(encoding="utf-8")
