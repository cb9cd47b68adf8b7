"""md5 of local files, with a cache so unchanged files are not read again.

Zenodo reports an md5 for every stored file (docs/zenodo-behaviour.md §3.7-3.8), so comparing
md5s is how zsync knows which files need uploading. Hashing gigabytes on every
`zsync plan` would be slow, so results are cached in `.zsync/md5-cache.json`, keyed
by absolute path and trusted only while size and mtime (nanoseconds) are unchanged.
The cache is an optimisation: a missing, corrupt or foreign cache is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from zenodo_sync.atomicfile import write_atomic
from zenodo_sync.backends.base import ProgressCallback
from zenodo_sync.errors import ManifestError
from zenodo_sync.model import LocalFile

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
CACHE_FORMAT = 1
CACHE_DIR = ".zsync"
CACHE_NAME = "md5-cache.json"


def default_cache_path(project_root: Path) -> Path:
    return Path(project_root) / CACHE_DIR / CACHE_NAME


def md5_of(path: Path, progress: ProgressCallback | None = None) -> str:
    """md5 of a file read in 1 MiB chunks (constant memory whatever the size).

    `progress` is told the size of each chunk once it is hashed.
    """
    digest = hashlib.md5(usedforsecurity=False)
    # One buffer, filled in place without Python's own buffering: no copy, no allocation per chunk.
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while count := handle.readinto(buffer):
            digest.update(view[:count])
            if progress is not None:
                progress(count)
    return digest.hexdigest()


def hash_files(
    files: list[LocalFile],
    cache_path: Path | None = None,
    *,
    workers: int = 4,
    progress_for: Callable[[LocalFile], ProgressCallback | None] | None = None,
) -> list[LocalFile]:
    """The same files with `md5` (and `size`, as on disk now) filled in, in the same order.

    Files are hashed in a few threads: hashlib releases the GIL on large buffers, so
    several big files hash in parallel. `progress_for(file)` gives the callback that
    follows one file's hashing (files found in the cache are not read, so not reported).
    """
    cache = _load_cache(cache_path) if cache_path is not None else {}
    stats: list[os.stat_result] = []
    for local in files:
        try:
            stats.append(os.stat(local.path))
        except OSError as exc:
            raise ManifestError(
                f"Cannot read {local.path} (file {local.name!r}): {exc.strerror}.",
                hint="The file may have been moved or deleted since the manifest was "
                "loaded; check the manifest's `files` list.",
            ) from None
    keys = [str(Path(local.path).resolve()) for local in files]
    results: list[str | None] = []
    to_hash: list[int] = []
    for index, (key, stat) in enumerate(zip(keys, stats, strict=False)):
        entry = cache.get(key)
        if (
            isinstance(entry, dict)
            and entry.get("size") == stat.st_size
            and entry.get("mtime_ns") == stat.st_mtime_ns
            and _is_md5(entry.get("md5"))
        ):
            results.append(entry["md5"])
        else:
            results.append(None)
            to_hash.append(index)

    def hash_one(index: int) -> str:
        progress = progress_for(files[index]) if progress_for is not None else None
        try:
            return md5_of(Path(files[index].path), progress)
        except OSError as exc:
            raise ManifestError(
                f"Cannot read {files[index].path} (file {files[index].name!r}): {exc.strerror}.",
                hint="Check the file's permissions.",
            ) from None

    if to_hash:
        log.debug("Hashing %d of %d files (%d cached)", len(to_hash), len(files), len(files) - len(to_hash))
        if len(to_hash) == 1 or workers <= 1:
            digests = [hash_one(index) for index in to_hash]
        else:
            with ThreadPoolExecutor(max_workers=min(workers, len(to_hash))) as pool:
                digests = list(pool.map(hash_one, to_hash))
        for index, digest in zip(to_hash, digests, strict=False):
            results[index] = digest
            stat = stats[index]
            cache[keys[index]] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "md5": digest}
        if cache_path is not None:
            _save_cache(cache_path, cache)

    return [
        dataclasses.replace(local, md5=md5, size=stat.st_size)
        for local, md5, stat in zip(files, results, stats, strict=False)
    ]


def _is_md5(value: object) -> bool:
    """A damaged or hand-edited cache entry is re-hashed, never trusted into a plan."""
    return isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdef" for c in value.lower())


def _load_cache(path: Path) -> dict[str, object]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format_version") != CACHE_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _save_cache(path: Path, entries: dict[str, object]) -> None:
    """Write the cache atomically (temp file + rename); forget files that no longer exist."""
    path = Path(path)
    kept = {key: value for key, value in sorted(entries.items()) if os.path.exists(key)}
    text = json.dumps({"format_version": CACHE_FORMAT, "entries": kept}, indent=1, sort_keys=True) + "\n"
    try:
        write_atomic(path, text)
    except OSError as exc:
        # A read-only checkout must not stop a plan: the cache only saves time.
        log.warning("Could not write the md5 cache %s: %s", path, exc.strerror)
