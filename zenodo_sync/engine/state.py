"""`zsync.lock`: what zsync last did on the server, per dataset key.

The lock is small, sorted JSON so it reads well in a pull-request diff and is byte-for-byte
stable across runs that change nothing. During `apply` each step is journalled instead: one
line appended to `zsync.lock.journal` beside the lock and fsynced before the next request, so
a crash loses at most the step in flight and a step costs the same with 10 or 10,000 datasets
(rewriting the whole lock per step made apply quadratic). The journal is compacted into the
lock (written atomically, then the journal removed) at the end of the apply and whenever it
holds more lines than the lock has entries. Every reader of the lock replays a journal it
finds, so a journal an apply killed mid-way left behind is never lost; the next apply writes
it into the lock. It is not git-ignored: after a crash `git status` shows it.

    zsync.lock:

    {"format_version": "1", "server": "https://zenodo.org/api",
     "datasets": {"rose-scent": {"concept_id": "11", "concept_doi": "10.5281/zenodo.11",
                                 "record_id": 12, "doi": "10.5281/zenodo.12", "version": "1.0",
                                 "files": {"data.csv": "<md5>"}, "metadata_digest": "<sha256>",
                                 "in_flight": null}}}
    zsync.lock.journal (one JSON object a line, the first naming the format):
    {"server": "https://zenodo.org/api", "zsync_journal": "1"}
    {"entry": {"concept_id": null, ..., "in_flight": {"operation": "create", ...}}, "key": "rose-scent"}
    {"entry": null, "key": "old-dataset"}            (the key was dropped)

A line holds the key's whole entry, not a change to it, so replaying a journal over a lock
that already holds it (a crash after compaction wrote the lock, before it removed the
journal) changes nothing. A last line without its newline was being written when the process
died: its step never completed (the checkpoint after it was not reached), so it is skipped.

`in_flight` records an operation that was started and not finished (create, update,
new-version) with the draft id once the server gave one and the last step reached. It is
written BEFORE the request that may create something, so a rerun knows to look for it.

The lock is an accelerator and an audit trail, not the source of truth: if it is lost,
refresh finds each dataset again by the marker zsync writes into the record
(see refresh.py), so a missing lock never leads to a second concept.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zenodo_sync.atomicfile import write_atomic
from zenodo_sync.errors import StateError
from zenodo_sync.wording import plural

LOCK_NAME = "zsync.lock"
LOCK_FORMAT_VERSION = "1"
JOURNAL_SUFFIX = ".journal"
JOURNAL_FORMAT_VERSION = "1"
# Compact once the journal holds more lines than this or than the lock has entries, whichever
# is more: a compaction costs one write of the lock, paid for by as many steps (so a step
# costs O(1) on average, and a journal stays short).
COMPACT_MIN_LINES = 256


@dataclass
class InFlight:
    """An operation apply started on the server and has not finished yet."""

    operation: str  # "create" | "update" | "new-version" | "resume"
    step: str  # the last step that completed, e.g. "intent", "draft", "files", "metadata"
    draft_id: int | None = None


@dataclass
class LockEntry:
    concept_id: str | None = None
    concept_doi: str | None = None
    record_id: int | None = None  # latest published version
    doi: str | None = None
    version: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # name -> md5 last published
    # sha256 of the canonical metadata the server read back after our last publish:
    # a different digest later means someone edited the record outside zsync (drift).
    metadata_digest: str | None = None
    draft_id: int | None = None  # a draft left open on purpose (`publish: false`)
    # The DOI that draft gets when published (Zenodo reserves it, §3.2): citable before publishing.
    draft_doi: str | None = None
    in_flight: InFlight | None = None
    # Written by `zsync bind`: the user named this concept for the key, so the concept must be
    # found on the server (never planned as a create) until zsync has published to it.
    bound: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = dict(sorted(self.files.items()))
        if data["draft_doi"] is None:
            del data["draft_doi"]  # only drafts have one: published entries stay as they were
        if not data["bound"]:
            del data["bound"]  # only bindings say it
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LockEntry:
        in_flight = data.get("in_flight")
        return cls(
            concept_id=_opt_str(data.get("concept_id")),
            concept_doi=data.get("concept_doi"),
            record_id=_opt_int(data.get("record_id")),
            doi=data.get("doi"),
            version=data.get("version"),
            files={str(k): str(v) for k, v in (data.get("files") or {}).items()},
            metadata_digest=data.get("metadata_digest"),
            draft_id=_opt_int(data.get("draft_id")),
            draft_doi=data.get("draft_doi"),
            in_flight=InFlight(
                operation=in_flight["operation"],
                step=in_flight["step"],
                draft_id=_opt_int(in_flight.get("draft_id")),
            )
            if in_flight
            else None,
            bound=data.get("bound") is True,
        )


LOCK_REPAIR_HINT = (
    "Restore it from git (`git checkout zsync.lock`), or delete it: zsync finds its records "
    "on the server again by their zsync marker (without a `namespace`, apply then asks "
    "you to confirm with --adopt KEY)."
)


def _shape_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with the structure of a lock file (hand edits, merge accidents), or None."""
    if not isinstance(data.get("server", ""), (str, type(None))):
        return "`server` must be the server's URL as a string."
    datasets = data.get("datasets") or {}
    if not isinstance(datasets, dict):
        return "`datasets` must be an object of dataset key -> entry."
    for key, entry in datasets.items():
        where = f"datasets.{key}"
        if not isinstance(entry, dict):
            return f"`{where}` must be an object (concept_id, record_id, files, ...)."
        files = entry.get("files") or {}
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            return f"`{where}.files` must be an object of file name -> md5."
        in_flight = entry.get("in_flight")
        if in_flight is not None and not (
            isinstance(in_flight, dict)
            and isinstance(in_flight.get("operation"), str)
            and isinstance(in_flight.get("step"), str)
        ):
            return f"`{where}.in_flight` must be null or an object with `operation` and `step`."
        for name in ("record_id", "draft_id"):
            value = entry.get(name)
            if value is not None and not (
                (isinstance(value, int) and not isinstance(value, bool))
                or (isinstance(value, str) and value.isdigit())
            ):
                return f"`{where}.{name}` must be a record id (a number), not {value!r}."
    return None


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def journal_path(lock_path: Path) -> Path:
    """Where the journal of the lock at `lock_path` lives: beside it, `zsync.lock.journal`."""
    return lock_path.with_name(lock_path.name + JOURNAL_SUFFIX)


class LockFile:
    """The lock of one project, safe to update from apply's worker threads.

    Outside `journalled()` every change rewrites the lock at once; inside it, a change is one
    fsynced journal line (see the module's docstring).
    """

    def __init__(self, path: Path, entries: dict[str, LockEntry] | None = None, server: str = ""):
        self.path = path
        self.server = server
        self.entries: dict[str, LockEntry] = dict(entries or {})
        self._mutex = threading.RLock()
        # Steps read back from a journal an interrupted apply left (None: there was none).
        self.replayed_steps: int | None = None
        self._journal: _Journal | None = None
        self._after_lock_write: Callable[[], None] | None = None
        self._compact_every = COMPACT_MIN_LINES

    @property
    def journal_path(self) -> Path:
        return journal_path(self.path)

    # --- reading ---------------------------------------------------------------

    @classmethod
    def load(cls, root: Path) -> LockFile:
        return cls.load_path(root / LOCK_NAME)

    @classmethod
    def load_path(cls, path: Path) -> LockFile:
        lock = cls._load_lock_only(path)
        replayed = _read_journal(journal_path(path))
        if replayed is not None:
            server, steps = replayed
            lock.server = lock.server or server
            for key, entry in steps:
                if entry is None:
                    lock.entries.pop(key, None)
                else:
                    lock.entries[key] = entry
            lock.replayed_steps = len(steps)
        return lock

    def replay_note(self, root: Path) -> str | None:
        """What to tell the user about a journal read back, or None when there was none."""
        if self.replayed_steps is None:
            return None
        where = (
            self.journal_path.relative_to(root)
            if self.journal_path.is_relative_to(root)
            else self.journal_path
        )
        return (
            f"{where} holds {plural(self.replayed_steps, 'step')} of an apply that stopped before it finished; "
            f"they are read as part of {self.path.name}, and the next apply writes them into it"
        )

    @classmethod
    def _load_lock_only(cls, path: Path) -> LockFile:
        if not path.exists():
            return cls(path)
        try:
            text = path.read_text(encoding="utf-8")
            if "\n<<<<<<< " in f"\n{text}" and "\n>>>>>>> " in text:
                raise StateError(
                    f"{path}: has unresolved git merge conflict markers (<<<<<<< ... >>>>>>>).",
                    hint="Keep, per dataset, the entry with the higher record_id (the later "
                    "apply) and remove the markers; or delete the lock and let zsync find "
                    "its records again by their marker.",
                )
            data = json.loads(text)
        except (OSError, ValueError) as exc:
            raise StateError(f"{path}: cannot read the lock file: {exc}", hint=LOCK_REPAIR_HINT) from None
        if not isinstance(data, dict) or str(data.get("format_version")) != LOCK_FORMAT_VERSION:
            raise StateError(
                f"{path}: unsupported lock format_version {data.get('format_version')!r}"
                if isinstance(data, dict)
                else f"{path}: not a zsync lock file",
                hint=f"This zsync reads lock format {LOCK_FORMAT_VERSION}: upgrade zsync, or delete the "
                "lock: zsync finds its records on the server again by their zsync marker.",
            )
        problem = _shape_problem(data)
        if problem:
            raise StateError(f"{path}: {problem}", hint=LOCK_REPAIR_HINT)
        entries: dict[str, LockEntry] = {}
        for key, value in (data.get("datasets") or {}).items():
            try:
                entries[str(key)] = LockEntry.from_dict(value)
            except (KeyError, TypeError, ValueError) as exc:
                raise StateError(
                    f"{path}: the entry of dataset {key!r} is malformed ({exc}).", hint=LOCK_REPAIR_HINT
                ) from None
        return cls(path, entries, server=str(data.get("server") or ""))

    def get(self, key: str) -> LockEntry | None:
        with self._mutex:
            return self.entries.get(key)

    # --- writing ---------------------------------------------------------------

    def to_text(self) -> str:
        with self._mutex:
            data = {
                "format_version": LOCK_FORMAT_VERSION,
                "server": self.server,
                "datasets": {key: self.entries[key].to_dict() for key in sorted(self.entries)},
            }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        with self._mutex:
            write_state_file(self.path, self.to_text())

    @contextlib.contextmanager
    def journalled(
        self, *, after_lock_write: Callable[[], None] | None = None, compact_every: int = COMPACT_MIN_LINES
    ) -> Iterator[None]:
        """Journal every change made inside the block; compact into the lock at its end.

        A journal left by an earlier apply is compacted first, so this one starts afresh.
        `after_lock_write` runs between a compaction's lock write and the journal's removal
        (the crash tests kill the process there).
        """
        with self._mutex:
            self._after_lock_write = after_lock_write
            self._compact_every = compact_every
            if self.replayed_steps is not None or self.journal_path.exists():
                self.compact()
            self._journal = _Journal(self.journal_path, self.server)
        try:
            yield
        finally:
            with self._mutex:
                journal, self._journal = self._journal, None
                journal.close()
                if journal.lines:
                    self.compact()

    def compact(self) -> None:
        """Write the lock as it stands now, then remove the journal its steps came from."""
        with self._mutex:
            self.save()
            if self._after_lock_write is not None:
                self._after_lock_write()
            if self._journal is not None:
                self._journal.restart()
            else:
                try:
                    self.journal_path.unlink(missing_ok=True)
                except OSError as exc:
                    raise _write_error(self.journal_path, exc) from None
            self.replayed_steps = None

    def _changed(self, key: str) -> None:
        """Make the change of `key` durable: one journal line, or the whole lock outside apply."""
        if self._journal is None:
            self.save()
            return
        entry = self.entries.get(key)
        self._journal.append(key, entry.to_dict() if entry is not None else None)
        if self._journal.lines >= max(self._compact_every, len(self.entries)):
            self.compact()

    def put(self, key: str, entry: LockEntry) -> None:
        with self._mutex:
            self.entries[key] = entry
            self._changed(key)

    def drop(self, key: str) -> None:
        with self._mutex:
            if self.entries.pop(key, None) is not None:
                self._changed(key)

    def start(self, key: str, operation: str, step: str, draft_id: int | None = None) -> None:
        """Record an operation in flight before the request that may change the server."""
        with self._mutex:
            entry = self.entries.setdefault(key, LockEntry())
            entry.in_flight = InFlight(operation=operation, step=step, draft_id=draft_id)
            self._changed(key)

    def step(self, key: str, step: str, draft_id: int | None = None) -> None:
        with self._mutex:
            entry = self.entries.setdefault(key, LockEntry())
            previous = entry.in_flight
            entry.in_flight = InFlight(
                operation=previous.operation if previous else "resume",
                step=step,
                draft_id=draft_id if draft_id is not None else (previous.draft_id if previous else None),
            )
            self._changed(key)

    def abandon(self, key: str) -> None:
        """Forget the operation in flight: the server refused it, so nothing is left to look for.

        An entry that held nothing but that intent (a create) goes with it.
        """
        with self._mutex:
            entry = self.entries.get(key)
            if entry is None:
                return
            entry.in_flight = None
            if entry == LockEntry():
                del self.entries[key]
            self._changed(key)


class _Journal:
    """The append-only journal file of one apply: one fsynced line per step."""

    def __init__(self, path: Path, server: str):
        self.path = path
        self.server = server
        self.lines = 0
        self._handle: Any = None

    def append(self, key: str, entry: dict[str, Any] | None) -> None:
        try:
            if self._handle is None:
                self._open()
            self._write(json.dumps({"key": key, "entry": entry}, sort_keys=True, ensure_ascii=False))
        except OSError as exc:
            raise _write_error(self.path, exc) from None
        self.lines += 1

    def restart(self) -> None:
        """After a compaction: the lock holds every step, so the journal starts empty (removed)."""
        self.close()
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise _write_error(self.path, exc) from None
        self.lines = 0

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh file each time (the previous one was compacted and removed); its name must be
        # durable too, hence the folder's fsync.
        self._handle = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - kept open
        self._write(
            json.dumps({"zsync_journal": JOURNAL_FORMAT_VERSION, "server": self.server}, sort_keys=True)
        )
        with contextlib.suppress(OSError):  # not every file system lets a folder be opened
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def _write(self, line: str) -> None:
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())


def _read_journal(path: Path) -> tuple[str, list[tuple[str, LockEntry | None]]] | None:
    """(server, the steps in order) of the journal at `path`, or None when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StateError(f"{path}: cannot read the journal: {exc}", hint=JOURNAL_REPAIR_HINT) from None
    lines = text.split("\n")
    if lines[-1]:
        lines = lines[:-1]  # written when the process died: its step never completed
    lines = lines[:-1] if lines and lines[-1] == "" else lines
    if not lines:
        return "", []  # killed while the header was written: no step yet
    server = ""
    steps: list[tuple[str, LockEntry | None]] = []
    for number, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
            if number == 1:
                if not isinstance(data, dict) or str(data.get("zsync_journal")) != JOURNAL_FORMAT_VERSION:
                    raise ValueError(f"not a zsync journal of format {JOURNAL_FORMAT_VERSION}")
                server = str(data.get("server") or "")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("key"), str):
                raise ValueError("each line must be an object with a `key`")
            value = data.get("entry")
            if value is not None:
                problem = _shape_problem({"datasets": {data["key"]: value}})
                if problem:
                    raise ValueError(problem)
            steps.append((data["key"], LockEntry.from_dict(value) if value is not None else None))
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(
                f"{path}:{number}: cannot read this journal line ({exc}).", hint=JOURNAL_REPAIR_HINT
            ) from None
    return server, steps


JOURNAL_REPAIR_HINT = (
    "The journal holds the steps of an apply that stopped before it finished. Delete it: zsync "
    "finds its records on the server again by their zsync marker (zsync.lock then misses those "
    "steps until the next apply records them)."
)


def lock_for_server(
    root: Path, server: str, *, home: str, instance: str | None = None
) -> tuple[LockFile, str | None]:
    """The lock holding `server`'s state, and a note for the user when it is not zsync.lock.

    zsync.lock, the file users commit, holds the state of `home` (the server zsync.yaml names,
    default zenodo) and nothing else: trying manifests on an emulator or the sandbox must never
    overwrite it, and record ids are per server (an emulator counts from 1 like Zenodo), so
    another server's ids must never be read from it. Every other server's state lives under
    `.zsync/locks/` (git-ignored, like the md5 cache), keyed by the emulator's `instance` id when
    it has one, so an emulator restarted on its data directory is the same server on any port.
    """
    committed = LockFile.load(root)
    if same_server(server, home):
        if committed.server and not same_server(committed.server, home):
            # Written by an earlier zsync while trying another server: kept aside, not trusted.
            aside = side_lock_path(root, committed.server)
            if not aside.exists():
                write_state_file(aside, committed.to_text())
            return LockFile(committed.path, server=server), (
                f"zsync.lock held the state of {committed.server}, not of {home} that zsync.yaml names; "
                f"that state is now in {aside.relative_to(root)}, and zsync.lock will hold {home}'s"
            )
        committed.server = server
        return committed, None
    side = side_lock_path(root, server, instance)
    if side.exists() or journal_path(side).exists():
        lock = LockFile.load_path(side)
    elif committed.server and same_server(committed.server, server) and instance is None:
        lock = LockFile(side, committed.entries)  # this server's state, from zsync.lock of an earlier zsync
    else:
        lock = LockFile(side)
    lock.server = server
    which = f"emulator {instance} at {server}" if instance else server
    return lock, (
        f"zsync.lock holds the state of {home} (zsync.yaml's `server`, default zenodo) only; "
        f"for {which} zsync keeps its state in {side.relative_to(root)}"
    )


def same_server(first: str, second: str) -> bool:
    """Whether two API base URLs name one server: a lock, a saved plan and the settings must agree."""
    return first.rstrip("/") == second.rstrip("/")


def side_lock_path(root: Path, server: str, instance: str | None = None) -> Path:
    """Where the state of a server other than zsync.yaml's is kept: by emulator instance, else by URL."""
    if instance:
        return root / ".zsync" / "locks" / f"emulator-{instance}.lock"
    parts = urlsplit(server)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{parts.hostname or 'server'}_{parts.port or ''}{parts.path}")
    return root / ".zsync" / "locks" / f"{slug.strip('_')}.lock"


def write_state_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (atomicfile), a failure as a StateError naming the file.

    A failure (read-only checkout, full disk) leaves the old file untouched, and apply writes
    its intent before each server change, so nothing was done on the server that the lock
    cannot find again.
    """
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> StateError:
    return StateError(
        f"{path}: cannot write it: {exc.strerror or exc}.",
        hint="Make the directory writable (and check the free disk space), then run the "
        "command again; the file's previous content is unchanged.",
    )
