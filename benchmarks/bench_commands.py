"""Start-up, paired: `zsync --help` and `zsync validate` of one manifest against `python -c pass`.

    .venv/bin/python benchmarks/bench_commands.py [--runs 5]

Each command is a fresh process, as a shell or a pre-commit hook runs it, timed in turn with
`python -c pass` (benchmarks/abtime.py: A B A B ..., medians, the ratio pair by pair, which
holds on a shared machine whose speed drifts, where medians taken apart would not).
`startup_rows()` returns the figures for run_all.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from abtime import paired

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for row in startup_rows(args.runs):
        print(
            f"{row['command']:<28} {row['seconds']:.3f} s  python -c pass {row['reference_seconds']:.3f} s  "
            f"ratio {row['ratio']:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
