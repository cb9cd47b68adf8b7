"""Download a record's files into a folder: streamed, in parallel, verified, resumable, stoppable.

Each file arrives in `<name>.part`, hashed while it streams, and is renamed to its name only
once its md5 is the one the record lists, so a file under its final name is always whole and
right. What an interrupted run leaves is `.part` files: the next run continues them with a
Range request where the server honours one (docs/zenodo-behaviour.md §6.7) and starts them
again where not, and skips files already present with the right md5 without a request.

File names come from the server and are not trusted: a name that would land outside the
destination (`../`, an absolute path, a drive letter, a backslash) stops the download before
any byte is fetched. Names with `/` keep their subfolders.

Requests go through the backend, so through its token (sent to the configured server only),
rate limiter and retries; the workers share them.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath

from zenodo_sync.backends.base import PublishedReads, Sleep
from zenodo_sync.engine.apply import _sigterm_as_interrupt as sigterm_as_interrupt
from zenodo_sync.engine.files import md5_of
from zenodo_sync.engine.progress import DOWNLOAD, HASH, ProgressSink, byte_counter
from zenodo_sync.errors import DownloadError, DownloadInterrupted, TransportError, ZsyncError
from zenodo_sync.model import RemoteFile, RemoteRecord
from zenodo_sync.sizes import human_size
from zenodo_sync.wording import plural

DEFAULT_PARALLEL = 4  # files fetched at once
PART_SUFFIX = ".part"
# A connection lost mid-file is continued from what arrived (the request itself is retried by
# the HTTP client); only attempts that brought new bytes count as progress worth repeating.
RESUME_ATTEMPTS = 3
_READ_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class FileStatus(str, Enum):
    DOWNLOADED = "downloaded"  # fetched from the start
    RESUMED = "resumed"  # continued from a .part left by an earlier run
    SKIPPED = "skipped"  # already present with the right md5: no request


@dataclass(frozen=True)
class FileOutcome:
    name: str  # the file's key on the server
    path: Path  # where it is now
    size: int
    status: FileStatus
    received: int  # bytes fetched by this run


@dataclass
class DownloadReport:
    record: RemoteRecord
    dest: Path
    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def received(self) -> int:
        return sum(f.received for f in self.files)

    @property
    def skipped(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == FileStatus.SKIPPED]

    def summary(self) -> str:
        """`2 files (3.5 MB) in data: 1 downloaded, 1 skipped (already complete); 1.2 MB in 0.4 s (3.0 MB/s).`"""
        counts = {status: sum(1 for f in self.files if f.status == status) for status in FileStatus}
        parts = [f"{counts[FileStatus.DOWNLOADED]} downloaded"]
        if counts[FileStatus.RESUMED]:
            parts.append(f"{counts[FileStatus.RESUMED]} resumed")
        parts.append(f"{counts[FileStatus.SKIPPED]} skipped (already complete)")
        rate = (
            f" ({human_size(int(self.received / self.seconds))}/s)"
            if self.seconds > 0 and self.received
            else ""
        )
        total = sum(f.size for f in self.files)
        return (
            f"{plural(len(self.files), 'file')} ({human_size(total)}) in {self.dest}: {', '.join(parts)}; "
            f"{human_size(self.received)} received in {self.seconds:.1f} s{rate}."
        )


class _Stopped(Exception):
    """Raised in a worker between two chunks once a stop was asked for."""


def safe_relative_path(name: str) -> PurePosixPath:
    """The path below the destination folder for a file named `name` by the server.

    Raises ValueError saying why, for a name that could land elsewhere or nowhere.
    """
    if not name:
        raise ValueError("the name is empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValueError("it contains control characters")
    if "\\" in name:
        raise ValueError("it contains a backslash, a folder separator on Windows")
    if name.startswith("/"):
        raise ValueError("it is an absolute path")
    if _DRIVE.match(name):
        raise ValueError("it starts with a drive letter")
    parts = name.split("/")
    if ".." in parts:
        raise ValueError("it climbs out of the folder with `..`")
    if any(part in ("", ".") for part in parts):
        raise ValueError("it has an empty or `.` folder in its path")
    return PurePosixPath(*parts)


def download_files(
    reads: PublishedReads,
    record: RemoteRecord,
    dest: Path,
    *,
    parallel: int = DEFAULT_PARALLEL,
    progress: ProgressSink | None = None,
    label: str | None = None,
) -> DownloadReport:
    """Download every file of `record` (as `reads` read it: published or the owner's draft)
    into `dest`, keeping safe subfolders; return what was fetched and what was skipped.

    `parallel` files at once through `reads`' shared rate limiter; `progress` gets DOWNLOAD
    events per file (bytes; the CLI's bar adds rate and time left) and HASH events while
    files already present are checked; `label` names the record in them (default its id).

    Raises DownloadError for an unsafe file name (before anything is fetched) and for a file
    whose bytes do not match the record's md5 (nothing is left under its name; the other
    files are finished first), DownloadInterrupted on Ctrl-C or SIGTERM (only `.part` files
    stay, for the next run to continue), and the backend's ServerError family otherwise
    (AuthError for restricted files without the owner's token).
    """
    started = time.monotonic()
    dest = Path(dest)
    targets = _targets(record, dest)
    dest.mkdir(parents=True, exist_ok=True)
    fetcher = _Fetcher(reads, record, dest, progress, label or str(record.id))
    report = DownloadReport(record=record, dest=dest)
    with reads.waits_through(fetcher.stoppable):
        pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="zsync-download")
        futures = [pool.submit(fetcher.fetch, remote, target) for remote, target in targets]
        try:
            with sigterm_as_interrupt():
                _wait(futures)
        except KeyboardInterrupt:
            # First interrupt: workers stop at their next chunk and keep their .part files;
            # a second one leaves at once (the .part files stay all the same).
            fetcher.stop.set()
            try:
                _wait(futures)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        pool.shutdown(wait=True)
    report.seconds = time.monotonic() - started
    errors: list[BaseException] = []
    for future in futures:
        error = future.exception()
        if error is None:
            report.files.append(future.result())
        elif not isinstance(error, _Stopped):
            errors.append(error)
    if fetcher.stop.is_set():
        raise DownloadInterrupted(
            f"Interrupted: {plural(len(report.files), 'file')} of {len(targets)} complete in {dest}.",
            hint="What arrived is kept as .part files: run the same command again to continue.",
        )
    _raise_first(errors)
    return report


def _targets(record: RemoteRecord, dest: Path) -> list[tuple[RemoteFile, Path]]:
    """(file, final path) for every file, or one DownloadError naming every unsafe name (or
    every name whose .part would be another file of the record)."""
    unsafe: list[str] = []
    targets: list[tuple[RemoteFile, Path]] = []
    for remote in record.files:
        try:
            relative = safe_relative_path(remote.name)
        except ValueError as exc:
            unsafe.append(f"{remote.name!r} ({exc})")
            continue
        targets.append((remote, dest.joinpath(*relative.parts)))
    if unsafe:
        raise DownloadError(
            f"Record {record.id} has {plural(len(unsafe), 'file name')} that would be written outside "
            f"{dest}: {'; '.join(unsafe)}. Nothing was downloaded.",
            hint="Such names come from the server, not from you; download the other files from the "
            "record's page, or ask the record's owner to rename the file.",
        )
    finals = {target for _, target in targets}
    clashes = sorted(str(t.relative_to(dest)) for _, t in targets if _part_of(t) in finals)
    if clashes:
        # X.part would be both a file of the record and where X waits for its md5 check.
        raise DownloadError(
            f"Record {record.id} holds both {'; '.join(f'{c} and {c}{PART_SUFFIX}' for c in clashes)}: "
            f"zsync keeps a file it is still checking as <name>{PART_SUFFIX}, so it cannot download "
            "them side by side. Nothing was downloaded.",
            hint="Download that record from its page on Zenodo (or as the files-archive zip).",
        )
    return targets


def _part_of(target: Path) -> Path:
    return target.with_name(target.name + PART_SUFFIX)


def _wait(futures: list[Future[FileOutcome]]) -> None:
    for future in futures:
        future.exception()  # blocks until done; Ctrl-C reaches the main thread here


def _raise_first(errors: list[BaseException]) -> None:
    """The first error, with how many others there were; zsync's own errors before bugs."""
    if not errors:
        return
    ours = [e for e in errors if isinstance(e, ZsyncError)]
    if len(ours) < len(errors):
        raise next(e for e in errors if not isinstance(e, ZsyncError))
    # One refusal said once: a restricted record answers 403 for every one of its files.
    seen: set[tuple[type, int | None]] = set()
    distinct: list[ZsyncError] = []
    for error in ours:
        kind = (type(error), getattr(error, "status", None))
        if isinstance(error, DownloadError) or kind not in seen:
            distinct.append(error)
        seen.add(kind)
    ours = distinct
    first = ours[0]
    if len(ours) > 1:
        others = "; ".join(e.message for e in ours[1:])
        first.message = f"{first.message} (and {plural(len(ours) - 1, 'other file')}: {others})"
        first.args = (first.message,)
    raise first


class _Fetcher:
    """Fetches one file at a time per worker; shared by the workers of one download."""

    def __init__(
        self,
        reads: PublishedReads,
        record: RemoteRecord,
        dest: Path,
        progress: ProgressSink | None,
        label: str,
    ) -> None:
        self.reads = reads
        self.record = record
        self.root = dest.resolve()
        self.progress = progress
        self.label = label
        self.stop = threading.Event()

    def stoppable(self, sleep: Sleep) -> Sleep:
        """`sleep` (a retry or rate-limit wait) cut short by a stop, which then ends the worker."""

        def wait(seconds: float) -> None:
            if sleep is time.sleep:
                self.stop.wait(seconds)
            else:
                sleep(seconds)
            self._check_stop()

        return wait

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise _Stopped

    def fetch(self, remote: RemoteFile, target: Path) -> FileOutcome:
        self._check_stop()
        self._inside_root(target)
        if self._already_there(remote, target):
            return FileOutcome(remote.name, target, remote.size, FileStatus.SKIPPED, 0)
        part = _Part(_part_of(target), remote.size)
        resumed_from = part.offset
        self._fill(remote, part)
        self._verify(remote, part)
        os.replace(part.path, target)  # atomic: the final name only ever holds a verified file
        status = FileStatus.RESUMED if resumed_from and part.restarts == 0 else FileStatus.DOWNLOADED
        return FileOutcome(remote.name, target, remote.size, status, part.received)

    def _inside_root(self, target: Path) -> None:
        """Refuse a subfolder that is a link out of the destination (the name itself was checked)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(self.root):
            raise DownloadError(
                f"{target.parent} leads outside {self.root} (a symbolic link); not writing "
                f"{target.name} there.",
                hint="Download into an empty folder, or remove the link.",
            )

    def _already_there(self, remote: RemoteFile, target: Path) -> bool:
        if not target.is_file() or target.stat().st_size != remote.size or not remote.md5:
            return False
        return md5_of(target, self._counter(HASH, remote.name, remote.size)) == remote.md5.lower()

    def _counter(self, task: str, name: str, total: int, done: int = 0) -> Callable[[int], None] | None:
        if self.progress is None:
            return None
        return byte_counter(self.progress, task, self.label, name, total, done)

    def _fill(self, remote: RemoteFile, part: _Part) -> None:
        """Bring the .part to the file's full size from the server."""
        if part.complete:
            return  # a whole .part left by a run stopped before its rename: verified as it is
        told = self._counter(DOWNLOAD, remote.name, remote.size, part.offset)
        failures = 0
        while True:
            before = part.offset
            try:
                self._stream(remote, part, told)
                return
            except TransportError:
                # A connection lost mid-file: continue from what arrived, while attempts bring bytes.
                failures += 1
                if part.offset <= before or failures > RESUME_ATTEMPTS:
                    raise

    def _stream(self, remote: RemoteFile, part: _Part, told: Callable[[int], None] | None) -> None:
        with self.reads.open_file(self.record, remote, offset=part.offset) as content:
            if content.offset != part.offset:  # the whole file came (no Range support): start over
                if told is not None and part.offset:
                    told(-part.offset)
                part.restart()
            with open(part.path, "r+b" if part.path.exists() else "wb") as out:
                out.seek(part.offset)
                out.truncate()
                for chunk in content.chunks:
                    self._check_stop()
                    if part.offset + len(chunk) > remote.size:
                        part.discard()
                        raise self._damaged(remote, f"more than the {remote.size} bytes the record lists")
                    out.write(chunk)
                    part.add(chunk)
                    if told is not None:
                        told(len(chunk))
                out.flush()
                os.fsync(out.fileno())
        if not part.complete:
            raise TransportError(
                f"The download of {remote.name} from record {self.record.id} ended early: "
                f"{part.offset} of {remote.size} bytes arrived.",
                hint="Run the same command again: it continues from the .part file.",
            )

    def _verify(self, remote: RemoteFile, part: _Part) -> None:
        got = part.digest.hexdigest()
        if remote.md5 and got != remote.md5.lower():
            part.discard()  # a damaged part would fail the same way when continued
            raise self._damaged(remote, f"bytes whose md5 is {got}, while the record lists {remote.md5}")

    def _damaged(self, remote: RemoteFile, what: str) -> DownloadError:
        return DownloadError(
            f"{remote.name} from record {self.record.id} arrived damaged: the server sent {what}. "
            f"Nothing was kept under {remote.name}.",
            hint="Run the same command again to fetch it anew; if it fails the same way, the copy "
            "on the server may be damaged: tell Zenodo's support (https://zenodo.org/support).",
        )


class _Part:
    """A `.part` file being filled: how far it goes, the md5 of what it holds, what this run added."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size
        self.received = 0  # bytes this run wrote
        self.restarts = 0  # times the server sent the whole file instead of the rest
        self.digest = hashlib.md5(usedforsecurity=False)
        self.offset = 0
        length = _size(path)
        if 0 < length <= size:  # longer than the file: not a prefix of it, start over
            with open(path, "rb") as handle:
                while chunk := handle.read(_READ_CHUNK):
                    self.digest.update(chunk)
            self.offset = length

    @property
    def complete(self) -> bool:
        return self.offset == self.size

    def add(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.offset += len(chunk)
        self.received += len(chunk)

    def restart(self) -> None:
        self.digest = hashlib.md5(usedforsecurity=False)
        self.offset = 0
        self.restarts += 1

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
