"""apply.py's output: upload progress as events (never printed by the engine), the stop
that cuts an upload off, and the summary line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zenodo_sync.engine.apply import Applier, ApplyReport, DatasetOutcome, StopRequested
from zenodo_sync.engine.progress import UPLOAD, Progress
from zenodo_sync.engine.state import LockFile
from zenodo_sync.errors import ServerError
from zenodo_sync.model import Action, LocalFile


def applier(lines: list[str], tmp_path, events: list[Progress] | None = None) -> Applier:
    return Applier(
        backend=None,
        lock=LockFile(tmp_path / "zsync.lock"),
        desired={},
        echo=lines.append,
        progress=events.append if events is not None else None,
    )


def test_upload_progress_is_told_to_the_sink_not_printed(tmp_path):
    lines: list[str] = []
    events: list[Progress] = []
    size = 32_000_000
    advance = applier(lines, tmp_path, events)._progress("rose", LocalFile("big.bin", Path("/x"), size))
    for _ in range(8):
        advance(size // 8)
    assert lines == []
    assert [e.done for e in events] == [size * n // 8 for n in range(9)]
    assert {(e.task, e.key, e.name, e.total) for e in events} == {(UPLOAD, "rose", "big.bin", size)}
    assert events[-1].finished and not events[-2].finished


def test_an_interrupt_stops_the_upload_at_its_next_chunk(tmp_path):
    events: list[Progress] = []
    apply = applier([], tmp_path, events)
    advance = apply._progress("rose", LocalFile("big.bin", Path("/x"), 1000))
    advance(100)
    apply._checkpoint.stop.set()
    with pytest.raises(StopRequested, match=r"upload of big\.bin was stopped"):
        advance(100)
    assert events[-1].done == 100


def test_without_a_sink_uploads_can_still_be_stopped(tmp_path):
    apply = applier([], tmp_path)
    advance = apply._progress("rose", LocalFile("s.csv", Path("/x"), 10))
    advance(5)
    apply._checkpoint.stop.set()
    with pytest.raises(StopRequested):
        advance(5)


def test_summary_counts_only_successes_and_names_extras():
    report = ApplyReport(
        [
            DatasetOutcome("a", Action.CREATE),
            DatasetOutcome("b", Action.NEW_VERSION),
            DatasetOutcome("c", Action.UPDATE, error=ServerError("no")),
            DatasetOutcome("d", Action.RESUME_NEW_VERSION),
        ]
    )
    assert (
        report.summary_line() == "Apply complete! Datasets: 1 created, 0 updated, 1 new version, 1 resumed."
    )
    assert [o.key for o in report.errors] == ["c"]
