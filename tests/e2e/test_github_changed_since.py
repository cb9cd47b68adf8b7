"""--changed-since REF plans exactly the datasets a branch touched since its merge base: by
their manifest, their files, or a zsync.yaml default they inherit."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import run_in
from tests.e2e.github_repo import commit_all, git, init_repository


@pytest.fixture
def repository(project, zenv, tmp_path):
    """alpha and beta inherit zsync.yaml's `notes`; gamma writes its own."""
    root = project.root
    project.write_manifest("gamma", "Petal colour spectra", {"spectra.csv": "nm,r\n400,0.1\n"})
    project.edit_manifest("gamma", "  version:", "  notes: Measured in 2019.\n  version:")
    config = root / "zsync.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "defaults:\n  notes: Shared notes.\n", encoding="utf-8"
    )
    init_repository(root, tmp_path / "origin.git")
    git(root, "checkout", "-q", "-b", "feature")
    return project


def planned_keys(root, capsys, *args) -> list[str]:
    result = run_in(root, capsys, "plan", "--json", "--changed-since", "main", *args)
    assert result.code == 0, result.err
    return [change["key"] for change in json.loads(result.out)["changes"]]


def test_a_changed_data_file_touches_its_dataset_only(repository, capsys):
    repository.write_file("alpha", "data.csv", "a,b\n1,2\n5,6\n")
    commit_all(repository.root, "new rows")
    assert planned_keys(repository.root, capsys) == ["alpha"]


def test_a_changed_manifest_touches_its_dataset_even_before_it_is_committed(repository, capsys):
    repository.edit_manifest("beta", "Colour reflectance of IODP 374 cores", "Colour reflectance, IODP 374")
    assert planned_keys(repository.root, capsys) == ["beta"]


def test_a_changed_default_touches_every_dataset_that_inherits_it(repository, capsys):
    config = repository.root / "zsync.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("Shared notes.", "Shared notes, revised."))
    commit_all(repository.root, "defaults")
    result = run_in(repository.root, capsys, "plan", "--json", "--changed-since", "main")
    assert [change["key"] for change in json.loads(result.out)["changes"]] == ["alpha", "beta"]
    assert "Changed since main (merge base " in result.err and "): alpha, beta" in result.err


def test_a_zsync_yaml_change_that_no_dataset_sees_touches_none(repository, capsys):
    config = repository.root / "zsync.yaml"
    config.write_text("# the project's settings\n" + config.read_text(encoding="utf-8"))
    commit_all(repository.root, "a comment")
    assert planned_keys(repository.root, capsys) == []


def test_main_moving_on_does_not_count_what_the_branch_did_not_change(repository, capsys):
    root = repository.root
    repository.write_file("gamma", "spectra.csv", "nm,r\n400,0.2\n")
    commit_all(root, "the branch's change")
    git(root, "checkout", "-q", "main")
    repository.write_file("alpha", "readme.txt", "changed on main\n")
    commit_all(root, "main moves on")
    git(root, "checkout", "-q", "feature")
    assert planned_keys(root, capsys) == ["gamma"]  # against the merge base, not main's tip
