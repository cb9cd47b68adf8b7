"""Start-up: `zsync --help`, `--version` and `validate` of one manifest against `python -c pass`.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 5]

Each command runs in a fresh process, as a pre-commit hook or a shell runs it; the figure is
the median wall time of --repeat runs and its ratio to `python -c pass` measured in the same
run (target: within 8x), and the same for CPU time (user + system), which a shared machine's
load disturbs less. `rows()` returns the same figures for a later entry point.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MANIFEST = """\
metadata:
  title: Sea surface temperature at buoy 7
  upload_type: dataset
  description: Hourly measurements of sea surface temperature, quality-controlled.
  creators:
    - name: Doe, Jane
      orcid: 0000-0002-1825-0097
  keywords: [ocean, temperature]
  license: cc-by-4.0
files:
  - data.csv
"""


def one_manifest_project(root: Path) -> Path:
    (root / "datasets" / "buoy").mkdir(parents=True)
    (root / "zsync.yaml").write_text("server: sandbox\n", encoding="utf-8")
    (root / "datasets" / "buoy" / "zenodo.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "datasets" / "buoy" / "data.csv").write_text("time,value\n", encoding="utf-8")
    return root


def median_seconds(args: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `repeat` runs of `args`."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(args, cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def rows(repeat: int = 5) -> list[dict[str, object]]:
    """One row per command: median seconds and the ratio to `python -c pass` (target <= 8)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = one_manifest_project(Path(tmp))
        zsync = [sys.executable, "-m", "zenodo_sync"]
        baseline, baseline_cpu = median_seconds([sys.executable, "-c", "pass"], root, repeat)
        result: list[dict[str, object]] = [
            {
                "command": "python -c pass",
                "seconds": baseline,
                "ratio": 1.0,
                "cpu_seconds": baseline_cpu,
                "cpu_ratio": 1.0,
                "target": None,
            }
        ]
        for label, args in [
            ("zsync --help", [*zsync, "--help"]),
            ("zsync --version", [*zsync, "--version"]),
            ("zsync validate (1 manifest)", [*zsync, "validate"]),
        ]:
            seconds, cpu = median_seconds(args, root, repeat)
            result.append(
                {
                    "command": label,
                    "seconds": seconds,
                    "ratio": seconds / baseline,
                    "cpu_seconds": cpu,
                    "cpu_ratio": cpu / baseline_cpu,
                    "target": 8.0,
                }
            )
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'command':<30} {'median s':>9} {'x pass':>7} {'CPU s':>7} {'x pass':>7}  target")
    for row in rows(args.repeat):
        target = f"<= {row['target']:.0f}x" if row["target"] else ""
        print(
            f"{row['command']:<30} {row['seconds']:>9.3f} {row['ratio']:>7.1f} "
            f"{row['cpu_seconds']:>7.3f} {row['cpu_ratio']:>7.1f}  {target}"
        )


if __name__ == "__main__":
    main()
