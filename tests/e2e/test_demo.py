"""`zsync demo` from the repository: the README's first command."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_subprocess

REPO = Path(__file__).resolve().parents[2]


def test_demo_runs_offline_without_a_token_and_exits_0(tmp_path):
    env = {"ZENODO_TOKEN": "", "ZSYNC_SERVER": "", "ZSYNC_SEARCH_DELAY": "0.02"}
    result = run_subprocess(["demo", "--no-color"], REPO, env, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "2 to create" in out or "Plan: 2" in out
    assert out.count("No changes") >= 2
    assert "still " in out and "the same DOI" in out
    assert "new version DOI" in out
    assert "Demo complete." in out
