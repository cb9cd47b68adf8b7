"""SIGKILL `zsync apply` after each step of a multi-dataset apply, then run it again.

Every run ends with exactly the records the manifests describe: one concept per dataset,
no duplicate version, no draft left behind, and an empty plan. The kill points are the
checkpoints apply passes after each request that changed the server, after each step
journalled (zsync.lock.journal, fsynced) and inside each compaction of the journal into the
lock, between the lock's write and the journal's removal (ZSYNC_TEST_KILL_AT=N kills the
process with SIGKILL at the Nth), so every window between "the server changed" and "the lock
knows it" is hit. With ZSYNC_TEST_COMPACT_EVERY=2 the journal is compacted every two steps,
so kill points fall inside compactions in the middle of an apply too.
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


def _journals(root) -> list:
    return sorted(root.glob(".zsync/locks/*.journal")) + sorted(root.glob("*.journal"))


def _crash_and_recover(
    template, tmp_path, monkeypatch, capsys, *, prepare, expected, label, extra_env=None, backend="deposit"
):
    """For N = 1, 2, ...: fresh server and project, kill apply at checkpoint N, rerun, check.

    Also checks the journal: a kill that leaves one is reported by the rerun, which writes it
    into the lock; no journal is left after a finished apply. Returns the number of the first
    checkpoint apply got past, and how many kills left a journal behind.
    """
    journals_left = 0
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
                {**env, **(extra_env or {}), "ZSYNC_TEST_KILL_AT": str(kill_at)},
            )
            if killed.returncode == 0:
                assert kill_at > 5, "apply finished before the kill points were exercised"
                assert not _journals(root), "a finished apply left its journal behind"
                return kill_at, journals_left
            assert killed.returncode == -signal.SIGKILL, killed.stderr
            left = _journals(root)
            journals_left += bool(left)
            capsys.readouterr()
            assert (
                _in_process(["apply", "--auto-approve"], root, {**env, **(extra_env or {})}, monkeypatch) == 0
            ), f"rerun after kill at checkpoint {kill_at} failed"
            if left:
                assert "of an apply that stopped before it finished" in capsys.readouterr().err, (
                    f"the journal left by the kill at checkpoint {kill_at} was not reported"
                )
            assert not _journals(root), f"the rerun after kill at checkpoint {kill_at} left a journal"
            ServerView(emu).assert_exactly(expected)
            assert _in_process(["plan", "--detailed-exitcode"], root, env, monkeypatch) == 0, (
                f"plan not empty after recovering from kill at checkpoint {kill_at}"
            )
    pytest.fail(f"apply still killed after {MAX_KILL_POINTS} checkpoints")


def test_kill_during_create_of_two_datasets(project, tmp_path, monkeypatch, capsys, backend):
    points, journals_left = _crash_and_recover(
        project.root,
        tmp_path,
        monkeypatch,
        capsys,
        prepare=lambda root, env: None,
        expected={"alpha": 1, "beta": 1},
        label="create",
        backend=backend,
    )
    capsys.readouterr()
    assert points > 10
    assert journals_left >= points - 3  # nearly every kill falls while the journal is open


def test_kill_inside_compactions_in_the_middle_of_an_apply(project, tmp_path, monkeypatch, capsys, backend):
    if backend != "deposit":
        pytest.skip("the lock journal does not depend on the backend: its kill points are proven on deposit")
    points, journals_left = _crash_and_recover(
        project.root,
        tmp_path,
        monkeypatch,
        capsys,
        prepare=lambda root, env: None,
        expected={"alpha": 1, "beta": 1},
        label="compact",
        extra_env={"ZSYNC_TEST_COMPACT_EVERY": "2"},
    )
    capsys.readouterr()
    assert points > 15  # a compaction every two steps adds a kill point each
    assert journals_left > 0


def test_kill_during_new_version_and_update(project, tmp_path, monkeypatch, capsys, backend):
    def prepare(root, env):
        assert _in_process(["apply", "--auto-approve"], root, env, monkeypatch) == 0
        (root / "datasets" / "alpha" / "data.csv").write_text("a,b\n1,2\n7,8\n")
        path = root / "datasets" / "beta" / "zenodo.yaml"
        path.write_text(path.read_text().replace("rose petal volatiles", "rose petal volatiles (fixed)"))

    points, _ = _crash_and_recover(
        project.root,
        tmp_path,
        monkeypatch,
        capsys,
        prepare=prepare,
        expected={"alpha": 2, "beta": 1},
        label="change",
        backend=backend,
    )
    capsys.readouterr()
    assert points > 10
