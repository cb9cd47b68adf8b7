"""`benchmarks/run_all.py --quick`: the report is written with every row (no timing asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Each row of the summary, by a part of its first cell.
ROWS = [
    "start-up, `zsync --help`",
    "start-up, `zsync validate, 1 manifest`",
    "md5 hashing,",
    "upload,",
    "emulator: deposit listing page",
    "emulator: records search page",
    "emulator: records search, q=",
    "emulator: record read by id",
    "no-op `zsync plan`,",
    "apply, time per dataset",
    "apply, parallelism 4 vs 1",
    "requests per created dataset",
    "requests of a no-op plan beyond the listing",
    "datasets under the zenodo profile",
]
SECTIONS = [
    "## Summary",
    "## Apply",
    "## No-op plan against validate",
    "## Start-up",
    "## Files",
    "## Rate limits",
    "## Emulator searches and reads",
]


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("md5sum")), reason="needs curl and md5sum")
def test_quick_run_writes_every_row(tmp_path):
    output = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run_all.py"), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert section in text
    summary = text.split("## Summary", 1)[1].split("\n## ", 1)[0]
    rows = [
        line for line in summary.splitlines() if line.startswith("| ") and not line.startswith("| Benchmark")
    ]
    for start in ROWS:
        matching = [row for row in rows if start in row.strip("|").split("|")[0]]
        assert len(matching) == 1, f"no single summary row for {start!r}"
        cells = [cell.strip() for cell in matching[0].strip("|").split("|")]
        assert cells[4] in ("met", "**not met**")
        assert cells[4] == "met" or cells[5], f"{start!r} is not met and says no why"
    assert len(rows) == len(ROWS)
    assert "Machine: " in text and "Command: `python benchmarks/run_all.py --quick`" in text
