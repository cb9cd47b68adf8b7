"""The one atomic write: all of the new text or none of it, no temporary file left behind."""

from __future__ import annotations

import os

import pytest

from zenodo_sync.atomicfile import write_atomic


def test_writes_the_text_with_the_usual_permissions(tmp_path):
    target = tmp_path / "sub" / "zsync.lock"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["zsync.lock"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "plan.zplan"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "lone surrogate \udc80")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.zplan"]
