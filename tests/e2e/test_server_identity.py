"""Which server's state lives where: zsync.lock holds the state of the server zsync.yaml names
(default zenodo) and nothing else; every other server's state lives under `.zsync/locks/`,
and an emulator restarted on its data directory is the same server on any port."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from zenodo_sync.emulator import running_emulator
from zenodo_sync.emulator.config import DEFAULT_PORT

from .conftest import FAST_ENV, ServerView

README = Path(__file__).resolve().parents[2] / "README.md"


def point_at(monkeypatch, emu) -> None:
    for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
        monkeypatch.setenv(name, value)


def side_locks(root: Path) -> list[str]:
    return sorted(path.name for path in (root / ".zsync" / "locks").glob("*.lock"))


def test_trying_the_emulator_leaves_zsync_lock_alone_and_a_restart_on_another_port_is_the_same_server(
    project, tmp_path, monkeypatch, zsync
):
    data = tmp_path / "emulator-data"
    with running_emulator(data_dir=data, token="emulator-token") as first:
        point_at(monkeypatch, first)
        applied = zsync("apply", "--auto-approve")
        assert applied.code == 0, applied.out + applied.err
        first_url = first.url
    # No zsync.yaml: the project's server is zenodo, so the emulator's state is not in zsync.lock.
    assert not (project.root / "zsync.lock").exists()
    (side_lock,) = side_locks(project.root)
    assert re.fullmatch(r"emulator-[0-9a-f]+\.lock", side_lock)

    with running_emulator(data_dir=data, token="emulator-token") as again:
        assert again.url != first_url
        point_at(monkeypatch, again)
        plan = zsync("plan", "--detailed-exitcode")
        assert plan.code == 0, plan.out + plan.err
        assert "ADOPTS" not in plan.out + plan.err and "No changes" in plan.out
        assert "emulator" in plan.err and ".zsync/locks/emulator-" in plan.err
        ServerView(again).assert_exactly({"alpha": 1, "beta": 1})
    assert not (project.root / "zsync.lock").exists()


def test_the_committed_lock_of_zenodo_is_never_written_by_a_trial_on_the_emulator(
    project, tmp_path, monkeypatch, zsync
):
    (project.root / "zsync.yaml").write_text("server: zenodo\n", encoding="utf-8")
    committed = (
        '{"datasets": {"alpha": {"concept_id": "7", "record_id": 8}}, "format_version": "1", '
        '"server": "https://zenodo.org/api"}\n'
    )
    (project.root / "zsync.lock").write_text(committed, encoding="utf-8")
    with running_emulator(data_dir=tmp_path / "emu") as emu:
        point_at(monkeypatch, emu)
        assert zsync("apply", "--auto-approve").code == 0
        assert zsync("plan", "--detailed-exitcode").code == 0
    assert (project.root / "zsync.lock").read_text(encoding="utf-8") == committed


def test_a_fresh_emulator_is_a_new_server_even_where_the_last_one_was(project, tmp_path, monkeypatch, zsync):
    with running_emulator(data_dir=tmp_path / "one") as one:
        point_at(monkeypatch, one)
        assert zsync("apply", "--auto-approve").code == 0
    with running_emulator(data_dir=tmp_path / "two") as two:
        point_at(monkeypatch, two)
        plan = zsync("plan", "--detailed-exitcode")
        assert plan.code == 2 and "Plan: 2 to create" in plan.out, plan.out + plan.err
    assert len(side_locks(project.root)) == 1  # a plan writes no state


def test_the_emulator_reports_one_instance_id_per_data_directory(tmp_path):
    ids = []
    for data in ("a", "a", "b"):
        with running_emulator(data_dir=tmp_path / data) as emu:
            ids.append(requests.get(f"{emu.url}/_emulator/instance", timeout=10).json()["instance_id"])
    assert ids[0] == ids[1] != ids[2]


def test_readme_emulator_example_uses_the_emulators_default_port():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A local Zenodo") :]
    urls = set(re.findall(r"http://127\.0\.0\.1:(\d+)/api", section.split("\n- ")[0]))
    assert urls == {str(DEFAULT_PORT)}


def test_zsync_emulator_listens_on_its_default_port_and_says_so_when_it_is_taken(tmp_path):
    blocker = socket.socket()
    try:
        blocker.bind(("127.0.0.1", DEFAULT_PORT))
    except OSError:
        blocker.close()
        pytest.skip(f"port {DEFAULT_PORT} is in use on this machine")
    blocker.listen(1)
    try:
        command = [sys.executable, "-m", "zenodo_sync", "emulator", "--data-dir", str(tmp_path)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    finally:
        blocker.close()
    assert result.returncode == 1 and result.stdout == ""
    assert f"Port {DEFAULT_PORT} on 127.0.0.1 is already in use" in result.stderr
    assert "--port 0" in result.stderr and "Traceback" not in result.stderr
