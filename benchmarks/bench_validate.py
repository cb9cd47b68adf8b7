"""How long `zsync validate` takes on a project of 1,000 manifests (target: a few seconds).

    .venv/bin/python benchmarks/bench_validate.py [--manifests 1000] [--shared-id] [--keep]

Generates a temporary project (zsync.yaml with defaults, 1,000 realistic manifests of
~20 creators each, one small data file per manifest, every 10th manifest with an error),
then runs `zsync validate` in a fresh process, as a user or CI would, and prints the
wall time. The process start (Python, imports) is measured separately and included.
--shared-id gives every manifest the same `id` (each one an error naming a few of the others:
validate must stay linear). `rows()` returns the figures for a later entry point.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zenodo_sync.zenodo.identifiers import orcid_check_digit


def orcid(rng: random.Random) -> str:
    base = "00000002" + "".join(rng.choice("0123456789") for _ in range(7))  # inside an issued range
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def manifest(index: int, rng: random.Random, shared_id: bool = False) -> str:
    creators = "".join(
        f"    - name: Author{index}-{n}, Given\n      orcid: {orcid(rng)}\n"
        f"      affiliation: Institute {n % 7}\n"
        for n in range(20)
    )
    broken = "  language: ger\n" if index % 10 == 0 else ""
    return ("id: shared\n" if shared_id else "") + (
        f"metadata:\n"
        f"  title: Sensor data set number {index}\n"
        f"  upload_type: dataset\n"
        f"  publication_date: 2024-{index % 12 + 1:02d}-{index % 28 + 1:02d}\n"
        f"  description: >-\n    Measurements of sea surface temperature from buoy {index}, hourly,\n"
        f"    quality-controlled and documented in the README file.\n"
        f"  creators:\n{creators}"
        f"  keywords: [ocean, temperature, buoy {index}]\n"
        f"  related_identifiers:\n    - identifier: 10.1234/paper.{index}\n      relation: isSupplementTo\n"
        f"  grants: ['10.13039/501100000780::{654241 + index}']\n{broken}"
        f"files:\n  - data-{index}.csv\n"
    )


def build(root: Path, count: int, shared_id: bool = False) -> None:
    rng = random.Random(1000)
    (root / ".git").mkdir()
    (root / "zsync.yaml").write_text(
        "server: sandbox\ndefaults:\n  license: cc-by-4.0\n  communities: [lab]\n", encoding="utf-8"
    )
    folder = root / "datasets"
    folder.mkdir()
    for index in range(count):
        (folder / f"set-{index:04d}.yaml").write_text(manifest(index, rng, shared_id), encoding="utf-8")
        (folder / f"data-{index}.csv").write_text("time,value\n2024-01-01T00:00Z,7.1\n", encoding="utf-8")


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def rows(count: int = 1000, shared_id: bool = False) -> list[dict[str, object]]:
    """One row: `zsync validate` of `count` generated manifests, in a fresh process."""
    root = Path(tempfile.mkdtemp(prefix="zsync-bench-validate-"))
    try:
        build(root, count, shared_id)
        startup, _ = timed([sys.executable, "-m", "zenodo_sync", "--version"], root)
        elapsed, done = timed([sys.executable, "-m", "zenodo_sync", "validate", "--format", "json"], root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise RuntimeError(f"zsync validate failed: {done.stderr}")
    errors = sum(1 for line in done.stdout.splitlines() if '"severity": "error"' in line)
    return [
        {
            "manifests": count,
            "shared_id": shared_id,
            "seconds": elapsed,
            "ms_per_manifest": elapsed / count * 1000,
            "process_start_seconds": startup,
            "errors": errors,
            "output_bytes": len(done.stdout),
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=1000)
    parser.add_argument("--shared-id", action="store_true", help="every manifest with the same `id`")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    options = parser.parse_args()
    if options.keep:
        root = Path(tempfile.mkdtemp(prefix="zsync-bench-validate-"))
        build(root, options.manifests, options.shared_id)
        print(f"project kept in {root}")
    for row in rows(options.manifests, options.shared_id):
        print(
            f"zsync validate: {row['manifests']} manifests{' sharing one id' if row['shared_id'] else ''} "
            f"in {row['seconds']:.2f} s ({row['ms_per_manifest']:.2f} ms each; process start "
            f"{row['process_start_seconds']:.2f} s), {row['errors']} errors reported, "
            f"{row['output_bytes'] / 1e6:.1f} MB of output"
        )


if __name__ == "__main__":
    main()
