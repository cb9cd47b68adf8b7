"""md5 hashing with the size+mtime keyed cache."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from zenodo_sync.engine import files as files_module
from zenodo_sync.engine.files import default_cache_path, hash_files, md5_of
from zenodo_sync.errors import ManifestError
from zenodo_sync.model import LocalFile


def make(tmp_path, name, content: bytes) -> LocalFile:
    path = tmp_path / name
    path.write_bytes(content)
    return LocalFile(name=name, path=path, size=len(content))


def test_md5_matches_hashlib_across_chunk_boundaries(tmp_path):
    content = os.urandom(files_module.CHUNK * 2 + 123)
    local = make(tmp_path, "big.bin", content)
    assert md5_of(local.path) == hashlib.md5(content).hexdigest()


def test_hash_files_fills_md5_in_order_without_cache(tmp_path):
    locals_ = [make(tmp_path, f"f{i}.txt", f"content {i}".encode()) for i in range(5)]
    hashed = hash_files(locals_, None)
    assert [f.name for f in hashed] == [f.name for f in locals_]
    assert [f.md5 for f in hashed] == [hashlib.md5(f"content {i}".encode()).hexdigest() for i in range(5)]


def test_cache_is_used_while_size_and_mtime_are_unchanged(tmp_path, monkeypatch):
    cache = default_cache_path(tmp_path)
    local = make(tmp_path, "data.csv", b"a,b\n1,2\n")
    first = hash_files([local], cache)[0]
    assert cache.is_file()
    entries = json.loads(cache.read_text())["entries"]
    assert entries[str(local.path.resolve())]["md5"] == first.md5

    calls = []
    real = files_module.md5_of
    monkeypatch.setattr(
        files_module, "md5_of", lambda path, progress=None: calls.append(path) or real(path, progress)
    )
    assert hash_files([local], cache)[0].md5 == first.md5
    assert calls == []  # served from the cache

    # Same size, new content and mtime: hashed again.
    local.path.write_bytes(b"a,b\n1,3\n")
    stat = local.path.stat()
    os.utime(local.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    again = hash_files([local], cache)[0]
    assert calls == [local.path]
    assert again.md5 == hashlib.md5(b"a,b\n1,3\n").hexdigest()


def test_size_is_refreshed_from_disk(tmp_path):
    local = make(tmp_path, "grow.txt", b"abc")
    local.path.write_bytes(b"abcdef")
    assert hash_files([local], None)[0].size == 6


def test_corrupt_or_foreign_cache_is_ignored_and_rewritten(tmp_path):
    cache = default_cache_path(tmp_path)
    cache.parent.mkdir()
    cache.write_text("{not json")
    local = make(tmp_path, "x.txt", b"x")
    assert hash_files([local], cache)[0].md5 == hashlib.md5(b"x").hexdigest()
    assert json.loads(cache.read_text())["format_version"] == files_module.CACHE_FORMAT

    cache.write_text(
        json.dumps(
            {
                "format_version": 999,
                "entries": {
                    str(local.path.resolve()): {
                        "size": 1,
                        "mtime_ns": local.path.stat().st_mtime_ns,
                        "md5": "0" * 32,
                    }
                },
            }
        )
    )
    assert hash_files([local], cache)[0].md5 == hashlib.md5(b"x").hexdigest()


def test_cache_forgets_deleted_files_and_leaves_no_temp_files(tmp_path):
    cache = default_cache_path(tmp_path)
    gone = make(tmp_path, "gone.txt", b"1")
    kept = make(tmp_path, "kept.txt", b"2")
    hash_files([gone, kept], cache)
    gone.path.unlink()
    newer = make(tmp_path, "new.txt", b"3")
    hash_files([newer], cache)
    entries = json.loads(cache.read_text())["entries"]
    assert sorted(os.path.basename(k) for k in entries) == ["kept.txt", "new.txt"]
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]


def test_missing_file_is_a_clear_error(tmp_path):
    local = LocalFile(name="nope.csv", path=tmp_path / "nope.csv", size=1)
    with pytest.raises(ManifestError) as info:
        hash_files([local], None)
    assert "nope.csv" in info.value.message and info.value.hint


def test_unwritable_cache_location_does_not_fail(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    local = make(tmp_path, "y.txt", b"y")
    assert hash_files([local], blocker / "md5-cache.json")[0].md5 == hashlib.md5(b"y").hexdigest()


def test_hashing_tells_each_file_its_progress(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (2 * 1024 * 1024 + 5))
    small = tmp_path / "s.txt"
    small.write_bytes(b"hello")
    counts: dict[str, list[int]] = {}

    def progress_for(local: LocalFile):
        return counts.setdefault(local.name, []).append

    hash_files([LocalFile("big.bin", big, 0), LocalFile("s.txt", small, 0)], None, progress_for=progress_for)
    assert counts == {"big.bin": [1024 * 1024, 1024 * 1024, 5], "s.txt": [5]}
