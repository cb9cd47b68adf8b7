"""apply.py's printing: progress lines for large uploads and the summary line."""

from __future__ import annotations

from pathlib import Path

from zenodo_sync.engine.apply import PROGRESS_MIN_BYTES, Applier, ApplyReport, DatasetOutcome
from zenodo_sync.errors import ServerError
from zenodo_sync.model import Action, LocalFile
from zenodo_sync.engine.state import LockFile


def applier(lines: list[str], tmp_path) -> Applier:
    return Applier(backend=None, lock=LockFile(tmp_path / "zsync.lock"), desired={}, echo=lines.append)


def test_large_upload_reports_each_quarter_once(tmp_path):
    lines: list[str] = []
    size = PROGRESS_MIN_BYTES * 2
    advance = applier(lines, tmp_path)._progress("rose", LocalFile("big.bin", Path("/x"), size))
    for _ in range(8):
        advance(size // 8)
    assert [line.split(": ", 2)[2] for line in lines] == [f"{p}% of 32.0 MB" for p in (25, 50, 75)]
    assert all(line.startswith("rose:   big.bin") for line in lines)


def test_small_upload_has_no_progress(tmp_path):
    assert applier([], tmp_path)._progress("rose", LocalFile("s.csv", Path("/x"), 10)) is None


def test_summary_counts_only_successes_and_names_extras():
    report = ApplyReport([
        DatasetOutcome("a", Action.CREATE), DatasetOutcome("b", Action.NEW_VERSION),
        DatasetOutcome("c", Action.UPDATE, error=ServerError("no")), DatasetOutcome("d", Action.RESUME_NEW_VERSION),
    ])
    assert report.summary_line() == "Apply complete! Datasets: 1 created, 0 updated, 1 new version, 1 resumed."
    assert [o.key for o in report.errors] == ["c"]
