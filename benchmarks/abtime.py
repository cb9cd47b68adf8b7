"""Whole-process A/B timing: two commands run in turn, A B A B ..., the ratio taken pair by pair.

Each run is a fresh process; its wall time is a monotonic clock around it, its CPU time and
peak memory the kernel's own accounting of the finished child (os.wait4). The medians are
quoted, and the ratio A/B is the median of the per-pair ratios, so that it holds while a
shared machine's speed drifts during the call.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float
    status: int


@dataclass(frozen=True)
class Paired:
    a_wall: float
    b_wall: float
    ratio: float  # median of A/B wall times, pair by pair
    a_cpu: float
    b_cpu: float
    a_peak_rss_mb: float
    spread: float  # (max - min) / median of A's wall: how noisy the machine was
    runs: int


def run_once(
    command: list[str], *, cwd: Path | None = None, env: dict | None = None, self_timed: bool = False
) -> Run:
    """One run; `self_timed`: the command prints the seconds of the part to time as its last
    line (its own interpreter start is then left out), and that is the run's wall time."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if self_timed else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    output = process.stdout.read() if process.stdout else b""
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if self_timed and process.returncode == 0:
        wall = float(output.decode().split()[-1])
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / divisor, process.returncode)


def paired(
    a: list[str],
    b: list[str],
    *,
    runs: int = 5,
    warmup: int = 1,
    cwd: Path | None = None,
    env: dict | None = None,
    expect: tuple[int, ...] = (0,),
    a_self_timed: bool = False,
) -> Paired:
    """Time `a` against `b`: `warmup` uncounted pairs, then `runs` counted pairs."""
    for _ in range(warmup):
        run_once(a, cwd=cwd, env=env, self_timed=a_self_timed)
        run_once(b, cwd=cwd, env=env)
    pairs = []
    for _ in range(runs):
        first = run_once(a, cwd=cwd, env=env, self_timed=a_self_timed)
        second = run_once(b, cwd=cwd, env=env)
        for run, command in ((first, a), (second, b)):
            if run.status not in expect:
                raise RuntimeError(f"{' '.join(command)} exited {run.status}")
        pairs.append((first, second))
    a_walls = [first.wall for first, _ in pairs]
    median_a = statistics.median(a_walls)
    return Paired(
        a_wall=median_a,
        b_wall=statistics.median(second.wall for _, second in pairs),
        ratio=statistics.median(first.wall / second.wall for first, second in pairs),
        a_cpu=statistics.median(first.cpu for first, _ in pairs),
        b_cpu=statistics.median(second.cpu for _, second in pairs),
        a_peak_rss_mb=max(first.peak_rss_mb for first, _ in pairs),
        spread=(max(a_walls) - min(a_walls)) / median_a if median_a else 0.0,
        runs=runs,
    )
