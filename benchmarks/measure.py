"""What the file benchmarks share: a large input file, the process's peak memory, an emulator."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def write_random_file(path: Path, size_mb: int) -> Path:
    """`size_mb` MiB of incompressible bytes, written one block at a time."""
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size_mb):
            handle.write(block)
    return path


def start_emulator(
    data_dir: Path, token: str, *faults: str, profile: str = "zenodo", quiet: bool = False
) -> tuple[subprocess.Popen, str]:
    """A `zsync emulator` on a free port accepting `token` (given through the environment, not
    visible in `ps`), with optional fault specs and its profile (`fast`: no rate limits);
    returns the process and its API URL. `quiet`: its status lines on stderr are dropped."""
    command = [sys.executable, "-m", "zenodo_sync", "emulator", "--port", "0", "--data-dir", str(data_dir)]
    command += ["--profile", profile]
    for spec in faults:
        command += ["--faults", spec]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
        env={**os.environ, "ZSYNC_EMULATOR_TOKEN": token},
    )
    return server, server.stdout.readline().strip()
