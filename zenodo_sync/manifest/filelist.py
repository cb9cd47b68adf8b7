"""A manifest's `files` entries resolved to LocalFiles, and every way they can be wrong.

Zenodo has no directories: a file's name on Zenodo is its basename, so two files with
the same basename cannot go in one record. Paths must stay inside the project (after
resolving symlinks): a manifest in a pull request must not be able to publish
/etc/passwd or a CI secret, nor anything under `.git/` (remotes with tokens, hooks) or
`.zsync/` (zsync's own state). Limits are zenodo.org's (§5).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zenodo_sync.manifest.findings import ERROR, WARNING
from zenodo_sync.model import LocalFile, RemoteOnlyFile
from zenodo_sync.sizes import human_size
from zenodo_sync.zenodo.limits import MAX_FILE_BYTES, MAX_FILES_PER_RECORD, MAX_RECORD_BYTES

Report = Callable[[str, str, str, str], None]  # (pointer, rule, message, severity)
Tracked = Callable[[Path], "bool | None"]  # does git track this file? None: no git repository
GLOB_CHARS = set("*?[")
PRIVATE_DIRS = (".git", ".zsync")  # never published, whatever the manifest says


@dataclass(frozen=True)
class Limits:
    max_files: int = MAX_FILES_PER_RECORD
    max_record_bytes: int = MAX_RECORD_BYTES
    max_file_bytes: int = MAX_FILE_BYTES


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _private_dir(path: str, root: str) -> str | None:
    """The `.git` or `.zsync` folder `path` lies in (below `root`), if any."""
    parts = Path(os.path.relpath(path, root)).parts
    return next((part for part in parts[:-1] if part in PRIVATE_DIRS), None)


def resolve_files(
    entries: list[Any],
    manifest_dir: Path,
    root: Path,
    report: Report,
    limits: Limits | None = None,
    tracked: Tracked | None = None,
) -> list[LocalFile]:
    limits = limits or Limits()
    real_root = os.path.realpath(root)
    base = os.path.abspath(manifest_dir)
    files: list[LocalFile] = []
    seen_real: set[str] = set()
    names: dict[str, str] = {}  # Zenodo name -> the entry that brought it
    for index, entry in enumerate(entries):
        if not isinstance(entry, str):
            continue  # a remote-only entry (remote_only_files), or a shape the schema reported
        pointer = f"/files/{index}"
        if os.path.isabs(entry) or entry.startswith("~"):
            report(
                pointer,
                "file-absolute",
                f"`{entry}` is an absolute path; write it relative to the manifest",
                ERROR,
            )
            continue
        joined = os.path.normpath(os.path.join(base, entry))
        if not _inside(joined, os.path.abspath(root)):
            report(pointer, "file-outside-project", f"`{entry}` points outside the project", ERROR)
            continue
        if GLOB_CHARS & set(entry):
            matches = sorted(match for match in glob.glob(joined, recursive=True) if os.path.isfile(match))
            if not matches:
                report(pointer, "file-missing", f"`{entry}` matches no file", ERROR)
                continue
        else:
            if not os.path.lexists(joined):
                report(pointer, "file-missing", f"`{entry}` does not exist", ERROR)
                continue
            if os.path.isdir(joined):
                report(
                    pointer,
                    "file-is-directory",
                    f"`{entry}` is a directory; Zenodo has no folders: list files or a glob such as "
                    f"`{entry.rstrip('/')}/*`",
                    ERROR,
                )
                continue
            matches = [joined]
        for match in matches:
            real = os.path.realpath(match)
            if not _inside(real, real_root):
                report(
                    pointer,
                    "file-outside-project",
                    f"`{os.path.relpath(match, base)}` is a link to {real}, outside the project",
                    ERROR,
                )
                continue
            if not os.path.isfile(real):
                report(pointer, "file-missing", f"`{os.path.relpath(match, base)}` is a broken link", ERROR)
                continue
            # Both the path as written and where a link leads: neither may be git's or zsync's.
            private = _private_dir(os.path.abspath(match), os.path.abspath(root)) or _private_dir(
                real, real_root
            )
            if private:
                report(
                    pointer,
                    "file-private",
                    f"`{os.path.relpath(match, base)}` is inside {private}/ (git's or zsync's own files, "
                    "which may hold credentials): zsync never publishes it",
                    ERROR,
                )
                continue
            if real in seen_real:
                continue
            seen_real.add(real)
            name = os.path.basename(match)
            if name in names:
                report(
                    pointer,
                    "file-duplicate-name",
                    f"two files are named {name} ({names[name]} and {os.path.relpath(match, base)}); "
                    "Zenodo keeps files by name only, without folders",
                    ERROR,
                )
                continue
            names[name] = os.path.relpath(match, base)
            size = os.path.getsize(real)
            if size == 0:
                # Zenodo refuses 0-byte uploads (§3.7), and only after the draft exists.
                report(pointer, "file-empty", f"{name} is empty; Zenodo accepts no empty files", ERROR)
                continue
            if size > limits.max_file_bytes:
                report(
                    pointer,
                    "file-too-large",
                    f"{name} is {human_size(size)}; Zenodo accepts at most "
                    f"{human_size(limits.max_file_bytes)} per file",
                    ERROR,
                )
            if tracked is not None and tracked(Path(match)) is False:
                report(
                    pointer,
                    "file-untracked",
                    f"`{os.path.relpath(match, base)}` is not tracked by git: a fresh clone or CI does not "
                    "have it; `git add` it, or make sure it is a file you mean to publish",
                    WARNING,
                )
            files.append(LocalFile(name=name, path=Path(match), size=size))
    _check_totals(files, [], report, limits)
    return files


def remote_only_files(
    entries: list[Any],
    local: list[LocalFile],
    manifest_dir: Path,
    report: Report,
    limits: Limits | None = None,
) -> list[RemoteOnlyFile]:
    """The `files:` entries written `{name, md5, size}`: files the server keeps and git does not.

    Their name may not be a local file's too: zsync would not know which one the record
    should hold. The schema has checked their shape; the md5 may carry Zenodo's `md5:` prefix.
    """
    limits = limits or Limits()
    local_names = {file.name: os.path.relpath(file.path, manifest_dir) for file in local}
    remote: list[RemoteOnlyFile] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        name, md5, size = entry.get("name"), entry.get("md5"), entry.get("size")
        if not isinstance(name, str) or not isinstance(md5, str) or not name:
            continue  # reported by the schema
        pointer = f"/files/{index}/name"
        if name in local_names:
            report(
                pointer,
                "file-remote-collision",
                f"{name} is both a file kept on the server (this entry) and a local file "
                f"(`{local_names[name]}`); list it once: as a path to upload it, or as name + md5 to "
                "keep the server's copy",
                ERROR,
            )
            continue
        if name in seen:
            report(
                pointer, "file-duplicate-name", f"{name} is listed twice as a file kept on the server", ERROR
            )
            continue
        seen.add(name)
        remote.append(
            RemoteOnlyFile(
                name=name,
                md5=md5.lower().removeprefix("md5:"),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            )
        )
    if remote:
        _check_totals(local, remote, report, limits)
    return remote


def _check_totals(
    files: list[LocalFile], remote: list[RemoteOnlyFile], report: Report, limits: Limits
) -> None:
    """Zenodo's per-record limits (§5) over the local files and the remote-only ones."""
    count = len(files) + len(remote)
    if count > limits.max_files:
        report(
            "/files",
            "too-many-files",
            f"{count} files; a Zenodo record holds at most {limits.max_files} (zip some together)",
            ERROR,
        )
    total = sum(item.size for item in files) + sum(item.size or 0 for item in remote)
    if total > limits.max_record_bytes:
        report(
            "/files",
            "record-too-large",
            f"files add up to {human_size(total)}; a Zenodo record holds at most "
            f"{human_size(limits.max_record_bytes)}",
            ERROR,
        )
