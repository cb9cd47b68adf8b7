"""Every command finds the same project root, wherever in the project it is run from."""

from __future__ import annotations

import json

from .conftest import run_in


def _run_in(folder, capsys, *args: str) -> tuple[int, str]:
    result = run_in(folder, capsys, *args)
    return result.code, result.out


def test_validate_and_plan_pick_the_same_root_from_a_subdirectory(project, zenv, capsys):
    # No zsync.yaml and no .git: datasets/ alone marks the root, for validate as for plan.
    inside = project.root / "datasets" / "alpha"

    code, out = _run_in(inside, capsys, "validate", "--format", "json")
    assert code == 0
    assert json.loads(out)["files_checked"] == 2

    code, out = _run_in(inside, capsys, "plan", "--json")
    assert code == 0
    assert sorted(change["key"] for change in json.loads(out)["changes"]) == ["alpha", "beta"]


def test_a_git_folder_inside_the_project_does_not_move_the_root(project, zenv, capsys):
    # A data folder that is its own repository (a git submodule) stays part of the project.
    (project.root / "zsync.yaml").write_text("{}\n", encoding="utf-8")
    data_repo = project.root / "datasets" / "alpha" / "raw"
    (data_repo / ".git").mkdir(parents=True)

    code, out = _run_in(data_repo, capsys, "validate", "--format", "json")
    assert code == 0
    assert json.loads(out)["files_checked"] == 2

    code, out = _run_in(data_repo, capsys, "plan", "--json")
    assert code == 0
    assert sorted(change["key"] for change in json.loads(out)["changes"]) == ["alpha", "beta"]
