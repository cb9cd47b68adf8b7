"""The law, on every example and test manifest: right after an apply the plan is empty,
on both emulator profiles (fast, and zenodo with its rate limits)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV, ServerView

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("profile", ["fast", "zenodo"])
def test_examples_apply_then_plan_is_empty(tmp_path, monkeypatch, capsys, profile):
    from zenodo_sync.cli import main

    root = tmp_path / "project"
    shutil.copytree(REPO / "datasets", root / "datasets")
    with running_emulator(data_dir=tmp_path / "emu", profile=profile) as emu:
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(root)
        codes = []
        for args in (["apply", "--auto-approve"], ["plan", "--detailed-exitcode"]):
            with pytest.raises(SystemExit) as exited:
                main(args)
            codes.append(exited.value.code)
        output = capsys.readouterr()
        assert codes == [0, 0], output.out + output.err
        assert "No changes" in output.out
        ServerView(emu).assert_exactly({"rose": 1, "iodp-374-color-reflectance": 1})


POSITIVE = REPO / "tests" / "example-files" / "positive"


@pytest.mark.parametrize("profile", ["fast", "zenodo"])
def test_every_valid_test_manifest_apply_then_plan_is_empty(tmp_path, monkeypatch, capsys, profile):
    from zenodo_sync.cli import main

    root = tmp_path / "project"
    shutil.copytree(POSITIVE, root / "datasets")
    manifests = sorted(POSITIVE.glob("*.yaml"))
    with running_emulator(data_dir=tmp_path / "emu", profile=profile) as emu:
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(root)
        outputs = []
        for args in (["apply", "--auto-approve"], ["plan", "--detailed-exitcode", "--json"]):
            with pytest.raises(SystemExit) as exited:
                main(args)
            outputs.append(capsys.readouterr())
            assert exited.value.code == 0, outputs[-1].out + outputs[-1].err
        plan = json.loads(outputs[-1].out)
        assert len(plan["changes"]) == len(manifests) >= 6
        assert {change["action"] for change in plan["changes"]} == {"no-op"}, outputs[-1].out
