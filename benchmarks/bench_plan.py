"""The no-op plan a CI runs on every pull request, against `zsync validate` of the same tree.

    .venv/bin/python benchmarks/bench_plan.py [--datasets 100 1000] [--repeat 3]

Generates a project of realistic manifests (bench_validate's: ~20 creators each, one small
file), applies it to a fresh emulator (fast profile), then times, each in a fresh process as
CI runs them, `zsync plan --detailed-exitcode` (which must find nothing to do) and `zsync
validate`; prints the medians, the ratio (target: at most 1.5), both commands' CPU per
dataset, and how long the server takes to answer the listing the plan reads (the part of the
plan's wall time that is the emulator's, not zsync's). `rows()` returns the same figures.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_validate import manifest
from measure import start_emulator

from zenodo_sync.backends.deposit import ZenodoDepositBackend

TOKEN = "bench-plan-token"


def build(root: Path, count: int) -> None:
    rng = random.Random(1000)
    (root / ".git").mkdir()
    (root / "zsync.yaml").write_text("server: sandbox\ndefaults:\n  license: cc-by-4.0\n", encoding="utf-8")
    folder = root / "datasets"
    folder.mkdir()
    for index in range(count):
        text = manifest(index, rng).replace("  language: ger\n", "")
        (folder / f"set-{index:04d}.yaml").write_text(text, encoding="utf-8")
        (folder / f"data-{index}.csv").write_text(
            f"time,value\n2024-01-01T00:00Z,{index}\n", encoding="utf-8"
        )


def timed(
    args: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds of the child, and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def rows(sizes: tuple[int, ...] = (100, 1000), repeat: int = 3) -> list[dict[str, Any]]:
    result = []
    for count in sizes:
        root = Path(tempfile.mkdtemp(prefix="zsync-bench-plan-"))
        server, url = start_emulator(root / "emu", TOKEN, profile="fast")
        try:
            project = root / "project"
            project.mkdir()
            build(project, count)
            env = {**os.environ, "ZENODO_TOKEN": TOKEN, "ZSYNC_SERVER": url}
            zsync = [sys.executable, "-m", "zenodo_sync"]
            _, _, applied = timed([*zsync, "apply", "--auto-approve", "--parallelism", "4"], project, env)
            if applied.returncode != 0:
                raise RuntimeError(f"apply failed: {applied.stderr[-2000:]}")
            plans, validates, plan_cpu, validate_cpu, listings = [], [], [], [], []
            for _ in range(repeat):
                wall, cpu, done = timed([*zsync, "plan", "--detailed-exitcode"], project, env)
                if done.returncode != 0:
                    raise RuntimeError(f"the plan after apply is not empty (exit {done.returncode})")
                plans.append(wall)
                plan_cpu.append(cpu)
                wall, cpu, done = timed([*zsync, "validate"], project, env)
                validates.append(wall)
                validate_cpu.append(cpu)
                started = time.perf_counter()
                listed = sum(1 for _ in ZenodoDepositBackend(url, TOKEN).list_own(all_versions=True))
                listings.append(time.perf_counter() - started)
                assert listed == count
            plan_s, validate_s = statistics.median(plans), statistics.median(validates)
            result.append(
                {
                    "datasets": count,
                    "noop_plan_s": plan_s,
                    "validate_s": validate_s,
                    "ratio": plan_s / validate_s,
                    "plan_cpu_ms_per_dataset": statistics.median(plan_cpu) / count * 1000,
                    "validate_cpu_ms_per_dataset": statistics.median(validate_cpu) / count * 1000,
                    "cpu_ratio": statistics.median(plan_cpu) / statistics.median(validate_cpu),
                    "server_listing_s": statistics.median(listings),
                    "target_ratio": 1.5,
                }
            )
        finally:
            server.terminate()
            server.wait()
            shutil.rmtree(root, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'datasets':>8} {'no-op plan s':>12} {'validate s':>10} {'ratio':>6} {'plan CPU ms/ds':>14} "
        f"{'validate CPU ms/ds':>18} {'CPU ratio':>9} {'server listing s':>16}"
    )
    for row in rows(tuple(args.datasets), args.repeat):
        print(
            f"{row['datasets']:>8} {row['noop_plan_s']:>12.2f} {row['validate_s']:>10.2f} "
            f"{row['ratio']:>6.2f} {row['plan_cpu_ms_per_dataset']:>14.2f} "
            f"{row['validate_cpu_ms_per_dataset']:>18.2f} {row['cpu_ratio']:>9.2f} {row['server_listing_s']:>16.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
