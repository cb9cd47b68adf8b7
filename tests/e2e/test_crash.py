"""SIGKILL `zsync apply` after each step of a multi-dataset apply, then run it again.

Every run ends with exactly the records the manifests describe: one concept per dataset,
no duplicate version, no draft left behind, and an empty plan. The kill points are the
checkpoints apply passes after each request that changed the server and after each lock
write (ZSYNC_TEST_KILL_AT=N kills the process with SIGKILL at the Nth), so every window
between "the server changed" and "the lock knows it" is hit.
"""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from zenodo_sync.cli import main
from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV, ServerView, run_subprocess

MAX_KILL_POINTS = 60

# On both backends; the rdm runs are the slowest duplicates of the suite (about a minute and a
# half on a busy machine), so they carry `slow`: `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.parametrize(
    "backend", ["deposit", pytest.param("rdm", marks=pytest.mark.slow)], indirect=True
)


def _in_process(args: list[str], cwd, env: dict[str, str], monkeypatch) -> int:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        main(args)
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        os.chdir(previous)


def _crash_and_recover(template, tmp_path, monkeypatch, *, prepare, expected, label, backend):
    """For N = 1, 2, ...: fresh server and project, kill apply at checkpoint N, rerun, check."""
    for kill_at in range(1, MAX_KILL_POINTS + 1):
        work = tmp_path / f"{label}-{kill_at}"
        shutil.copytree(template, work / "project")
        root = work / "project"
        with running_emulator(data_dir=work / "emu") as emu:
            env = {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}
            if backend != "deposit":
                (root / "zsync.yaml").write_text(f"backend: {backend}\n", encoding="utf-8")
            prepare(root, env)
            killed = run_subprocess(
                ["apply", "--auto-approve", "--parallelism", "2"],
                root,
                {**env, "ZSYNC_TEST_KILL_AT": str(kill_at)},
            )
            if killed.returncode == 0:
                assert kill_at > 5, "apply finished before the kill points were exercised"
                return kill_at
            assert killed.returncode == -signal.SIGKILL, killed.stderr
            assert _in_process(["apply", "--auto-approve"], root, env, monkeypatch) == 0, (
                f"rerun after kill at checkpoint {kill_at} failed"
            )
            ServerView(emu).assert_exactly(expected)
            assert _in_process(["plan", "--detailed-exitcode"], root, env, monkeypatch) == 0, (
                f"plan not empty after recovering from kill at checkpoint {kill_at}"
            )
    pytest.fail(f"apply still killed after {MAX_KILL_POINTS} checkpoints")


def test_kill_during_create_of_two_datasets(project, tmp_path, monkeypatch, capsys, backend):
    points = _crash_and_recover(
        project.root,
        tmp_path,
        monkeypatch,
        prepare=lambda root, env: None,
        expected={"alpha": 1, "beta": 1},
        label="create",
        backend=backend,
    )
    capsys.readouterr()
    assert points > 10


def test_kill_during_new_version_and_update(project, tmp_path, monkeypatch, capsys, backend):
    def prepare(root, env):
        assert _in_process(["apply", "--auto-approve"], root, env, monkeypatch) == 0
        (root / "datasets" / "alpha" / "data.csv").write_text("a,b\n1,2\n7,8\n")
        path = root / "datasets" / "beta" / "zenodo.yaml"
        path.write_text(path.read_text().replace("rose petal volatiles", "rose petal volatiles (fixed)"))

    points = _crash_and_recover(
        project.root,
        tmp_path,
        monkeypatch,
        prepare=prepare,
        expected={"alpha": 2, "beta": 1},
        label="change",
        backend=backend,
    )
    capsys.readouterr()
    assert points > 10
