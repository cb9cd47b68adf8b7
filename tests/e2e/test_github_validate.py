"""Under GitHub Actions, `zsync validate` annotates the manifest lines by itself, with paths
from the repository's top wherever the project lives; elsewhere it prints plain lines."""

from __future__ import annotations

from tests.e2e.conftest import run_in


def test_validate_annotates_manifest_lines_under_github_actions(project, capsys, tmp_path, monkeypatch):
    project.edit_manifest("alpha", "license: cc-by-4.0", "license: cc-by-4.2")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))  # the project is in a folder of the repository
    result = run_in(project.root / "datasets", capsys, "validate")
    assert result.code == 1
    (annotation,) = [line for line in result.out.splitlines() if line.startswith("::error ")]
    assert annotation.startswith("::error file=project/datasets/alpha/zenodo.yaml,line=10,col=12,")

    monkeypatch.delenv("GITHUB_ACTIONS")
    plain = run_in(project.root / "datasets", capsys, "validate")
    assert "alpha/zenodo.yaml:10:12: error: license `cc-by-4.2`" in plain.out and "::error" not in plain.out
