"""Whole commands against their references: start-up against `python -c pass`, and the no-op
`zsync plan` of an applied project against `zsync validate` of the same tree.

    .venv/bin/python benchmarks/bench_commands.py [--datasets 100 500 1000] [--runs 5]

Each command is a fresh process, as a shell, a pre-commit hook or CI runs it, timed in turn
with its reference (benchmarks/abtime.py: medians, the ratio pair by pair). For the plan, a
project of N one-file manifests is generated and applied once to a `zsync emulator` (fast
profile, no rate limits; the apply is set-up, not measured), then `zsync plan` must find
nothing to do. `startup_rows()` and `plan_rows()` return the figures for run_all.py.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from abtime import paired

TOKEN = "bench-commands-token"
ZSYNC = [sys.executable, "-m", "zenodo_sync"]

MANIFEST = """\
metadata:
  title: Sea surface temperature at buoy {index}
  upload_type: dataset
  description: Hourly measurements of sea surface temperature at buoy {index}, quality-controlled.
  creators:
    - name: Doe, Jane
      orcid: 0000-0002-1825-0097
  keywords: [ocean, temperature]
  license: cc-by-4.0
  version: "1.0"
files:
  - data.csv
"""


def write_project(root: Path, count: int, server: str = "sandbox") -> Path:
    """`count` valid one-file manifests under datasets/, with zsync.yaml naming `server`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "zsync.yaml").write_text(f"server: {server}\n", encoding="utf-8")
    for index in range(count):
        folder = root / "datasets" / f"buoy-{index:04d}"
        folder.mkdir(parents=True)
        (folder / "zenodo.yaml").write_text(MANIFEST.format(index=index), encoding="utf-8")
        (folder / "data.csv").write_text(f"time,value\n2024-01-01T00:00Z,{index}\n", encoding="utf-8")
    return root


def startup_rows(runs: int = 5) -> list[dict[str, Any]]:
    """`zsync --help` and `zsync validate` of one manifest, each against `python -c pass`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp) / "one", 1)
        baseline = [sys.executable, "-c", "pass"]
        result = []
        for label, command in (
            ("zsync --help", [*ZSYNC, "--help"]),
            ("zsync validate, 1 manifest", [*ZSYNC, "validate"]),
        ):
            figures = paired(command, baseline, runs=runs, cwd=root)
            result.append(
                {
                    "command": label,
                    "seconds": figures.a_wall,
                    "reference_seconds": figures.b_wall,
                    "ratio": figures.ratio,
                    "spread": figures.spread,
                }
            )
        return result


def _start_emulator(data_dir: Path) -> tuple[subprocess.Popen, str]:
    command = [*ZSYNC, "emulator", "--port", "0", "--profile", "fast", "--data-dir", str(data_dir)]
    env = {**os.environ, "ZSYNC_EMULATOR_TOKEN": TOKEN}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    return process, process.stdout.readline().strip()  # type: ignore[union-attr]


def plan_rows(sizes: tuple[int, ...] = (100, 500, 1000), runs: int = 3) -> list[dict[str, Any]]:
    """The no-op `zsync plan` of N applied datasets against `zsync validate` of the same tree."""
    result = []
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            emulator, url = _start_emulator(Path(tmp) / "emu")
            try:
                root = write_project(Path(tmp) / "project", count, server=url)
                env = {**os.environ, "ZENODO_TOKEN": TOKEN, "NO_COLOR": "1"}
                env.pop("ZSYNC_SERVER", None)
                applied = subprocess.run(
                    [*ZSYNC, "apply", "--auto-approve", "--parallelism", "4"],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if applied.returncode != 0:
                    raise RuntimeError(f"set-up apply of {count} datasets failed: {applied.stderr[-2000:]}")
                # `plan --detailed-exitcode`-style tools exit 2 on changes; 0 here is "no changes".
                figures = paired([*ZSYNC, "plan"], [*ZSYNC, "validate"], runs=runs, cwd=root, env=env)
                check = subprocess.run([*ZSYNC, "plan"], cwd=root, env=env, capture_output=True, text=True)
                if "No changes" not in check.stdout and "no changes" not in check.stdout.lower():
                    raise RuntimeError(f"the plan after apply is not empty: {check.stdout[-2000:]}")
            finally:
                emulator.terminate()
                emulator.wait(timeout=10)
        result.append(
            {
                "datasets": count,
                "plan_s": figures.a_wall,
                "validate_s": figures.b_wall,
                "ratio": figures.ratio,
                "plan_cpu_ms_per_dataset": figures.a_cpu / count * 1000,
                "spread": figures.spread,
            }
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for row in startup_rows(args.runs):
        print(
            f"{row['command']:<28} {row['seconds']:.3f} s  python -c pass {row['reference_seconds']:.3f} s  "
            f"ratio {row['ratio']:.1f}",
            flush=True,
        )
    for row in plan_rows(tuple(args.datasets), runs=max(1, args.runs // 2)):
        print(
            f"no-op plan, {row['datasets']:>5} datasets: {row['plan_s']:.2f} s  validate {row['validate_s']:.2f} s"
            f"  ratio {row['ratio']:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
