"""Shared fixtures. Tests talk to the emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from zenodo_sync.emulator import EmulatorHandle, running_emulator


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorHandle]:
    """A fresh emulator (fast profile: no rate limits, no search lag) on a new data dir.

    `emulator.url` is the API base (``http://127.0.0.1:<port>/api``), `emulator.token` the
    owner's token (user 1), `emulator.other_token` another user's (user 2).
    """
    with running_emulator(data_dir=tmp_path / "emulator-data", profile="fast") as emu:
        yield emu


class EmulatorProcess:
    """`zsync emulator` run as a real subprocess (for restarts, kill -9 and CLI behaviour)."""

    def __init__(self, data_dir: Path, *args: str, startup_timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        command = [
            sys.executable,
            "-m",
            "zenodo_sync",
            "emulator",
            "--port",
            "0",
            "--data-dir",
            str(self.data_dir),
            *args,
        ]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        # The first stdout line is the base URL, printed once the server accepts connections.
        timer = threading.Timer(startup_timeout, self.process.kill)
        timer.start()
        try:
            self.url = self.process.stdout.readline().strip()
        finally:
            timer.cancel()
        if not self.url.startswith("http://"):
            self.process.kill()
            stderr = self.process.stderr.read()
            raise RuntimeError(f"zsync emulator did not start: {self.url!r} {stderr}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as when a machine or a CI job dies."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@pytest.fixture
def emulator_process() -> Iterator:
    """Factory: ``emulator_process(data_dir, "--token", "t")`` starts `zsync emulator`; every
    process started is stopped at the end of the test."""
    started: list[EmulatorProcess] = []

    def start(data_dir: Path, *args: str) -> EmulatorProcess:
        proc = EmulatorProcess(data_dir, *args)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.process.poll() is None:
            proc.process.kill()
            proc.process.wait(timeout=10)
        for stream in (proc.process.stdout, proc.process.stderr):
            stream.close()
