"""What InvenioRDM stores, in SQLite, plus file contents on disk.

Tables mirror Zenodo's model (docs/zenodo-behaviour.md §1, §3.4, §8): a *parent* per concept, a *draft*
and/or a published *record* per record id (an id with both is a published record being
edited), file *buckets* of *objects* (key -> file instance), and *file instances* whose bytes
live under ``<data_dir>/files``. A new version's imported files point at the same instances, so
they keep their ids (docs/zenodo-behaviour.md §3.7). The metadata of drafts and records is the translation
layer's "stored" dict, kept as opaque JSON.

Every HTTP request runs in one transaction (``Store.transaction``). Writers take SQLite's
write lock up front (``BEGIN IMMEDIATE``) so two concurrent read-modify-write requests are
serialised instead of one silently overwriting the other. WAL mode lets readers run meanwhile.

The search index (``search_index``) holds a snapshot per record id taken at each write and
visible only ``search_lag`` seconds later: listings and search read snapshots, GET by id reads
the tables (docs/zenodo-behaviour.md §6.6, Zenodo indexes without a forced refresh).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS parents (
    id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, doi TEXT,
    communities TEXT NOT NULL DEFAULT '[]', created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, owner INTEGER NOT NULL, stored TEXT NOT NULL,
    bucket_id TEXT NOT NULL, version_index INTEGER NOT NULL, revision INTEGER NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, owner INTEGER NOT NULL, stored TEXT NOT NULL,
    bucket_id TEXT NOT NULL, version_index INTEGER NOT NULL, revision INTEGER NOT NULL, doi TEXT,
    created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS buckets (id TEXT PRIMARY KEY, locked INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS file_instances (
    id TEXT PRIMARY KEY, size INTEGER NOT NULL, md5 TEXT NOT NULL, path TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    bucket_id TEXT NOT NULL, key TEXT NOT NULL, file_id TEXT NOT NULL, version_id TEXT NOT NULL,
    mimetype TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (bucket_id, key));
CREATE TABLE IF NOT EXISTS search_index (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id INTEGER NOT NULL, owner INTEGER NOT NULL,
    visible_at REAL NOT NULL, doc TEXT);
CREATE TABLE IF NOT EXISTS initialised_files (
    bucket_id TEXT NOT NULL, key TEXT NOT NULL, committed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket_id, key));
CREATE TABLE IF NOT EXISTS inclusion_requests (
    id TEXT PRIMARY KEY, record_id INTEGER NOT NULL, parent_id INTEGER NOT NULL, community TEXT NOT NULL,
    status TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS search_index_by_record ON search_index (record_id, seq);
CREATE TABLE IF NOT EXISTS search_entries (
    seq INTEGER NOT NULL, kind INTEGER NOT NULL, record_id INTEGER NOT NULL, owner INTEGER NOT NULL,
    parent_id INTEGER NOT NULL, deposit INTEGER NOT NULL, visible_at REAL NOT NULL, hidden_at REAL,
    version_index INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    publication_date TEXT NOT NULL, title TEXT NOT NULL, embargo_until TEXT,
    communities TEXT NOT NULL, fields TEXT NOT NULL, facets TEXT NOT NULL,
    PRIMARY KEY (seq, kind));
CREATE TABLE IF NOT EXISTS search_terms (seq INTEGER NOT NULL, kind INTEGER NOT NULL, facet TEXT NOT NULL,
    key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS search_terms_by_entry ON search_terms (seq, kind, facet, key);
CREATE INDEX IF NOT EXISTS search_entries_by_record ON search_entries (record_id, seq);
CREATE INDEX IF NOT EXISTS search_entries_published ON search_entries (kind, parent_id, version_index);
CREATE INDEX IF NOT EXISTS search_entries_deposits ON search_entries (deposit, owner, parent_id, version_index);
CREATE INDEX IF NOT EXISTS search_entries_published_by_created ON search_entries (kind, created, record_id);
CREATE INDEX IF NOT EXISTS search_entries_deposits_by_created ON search_entries (deposit, owner, created, record_id);
CREATE INDEX IF NOT EXISTS search_entries_by_visible_at ON search_entries (visible_at);
CREATE INDEX IF NOT EXISTS search_entries_by_hidden_at ON search_entries (hidden_at);
CREATE INDEX IF NOT EXISTS search_entries_by_embargo ON search_entries (embargo_until);
CREATE INDEX IF NOT EXISTS drafts_by_parent ON drafts (parent_id);
CREATE INDEX IF NOT EXISTS records_by_parent ON records (parent_id);
"""

FIRST_ID = 1  # ids count up from here; parent first, so a new deposit has conceptrecid == id - 1


def utc_now_iso() -> str:
    """Zenodo's timestamp format: ISO 8601, microseconds, ``+00:00`` (docs/zenodo-behaviour.md §3.2)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def utc_today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def new_uuid() -> str:
    return str(uuid.uuid4())


class Store:
    """The emulator's persistent state under one data directory."""

    def __init__(
        self, data_dir: Path, *, search_lag: float = 0.0, clock=time.time, today: str | None = None
    ) -> None:
        self.data_dir = Path(data_dir)
        # A pinned calendar date (EmulatorConfig.today), checked here so a typo fails at start.
        self.fixed_today = date.fromisoformat(today).isoformat() if today else None
        self.files_dir = self.data_dir / "files"
        self.tmp_dir = self.data_dir / "tmp"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        remove_abandoned_uploads(self.tmp_dir)
        self.db_path = self.data_dir / "emulator.sqlite3"
        self.search_lag = search_lag
        self.clock = clock
        # Connections are reused: opening one per request is cheap, but closing the last one
        # checkpoints the WAL, which costs milliseconds on every request.
        self._pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # Search totals and facet counts (Tx.memo): key -> (index state they hold for, value)
        self._memo: dict[Any, tuple[tuple, Any]] = {}
        self._memo_lock = threading.Lock()
        conn = self._connect()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        conn.execute("INSERT OR IGNORE INTO counters (name, value) VALUES ('recid', ?)", (FIRST_ID,))
        self._pool.put(conn)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so the lock mode is ours to choose.
        conn = sqlite3.connect(self.db_path, timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=NORMAL")  # survives a killed process (not a power cut)
        conn.execute("PRAGMA busy_timeout=60000")
        return conn

    @contextlib.contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        # One connection per transaction, from the pool (a request runs in its own thread).
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            tx = Tx(self, conn)
            try:
                yield tx
            except BaseException:
                conn.execute("ROLLBACK")
                tx.discard_pending_files()
                raise
            conn.execute("COMMIT")
        finally:
            self._pool.put(conn)

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

    # -- file contents (written before the transaction that references them) --
    def receive_file(self, stream: BinaryIO, *, limit: int | None = None) -> UploadedFile:
        """Stream a request body to a temp file, hashing as we go."""
        file_id = new_uuid()
        # The writer's pid in the name: a later start removes what a killed process left.
        tmp_path = self.tmp_dir / f"{file_id}.{os.getpid()}{PARTIAL_SUFFIX}"
        md5 = hashlib.md5()
        size = 0
        try:
            with open(tmp_path, "wb") as out:
                while True:
                    chunk = stream.read(1024 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if limit is not None and size > limit:
                        break
                    md5.update(chunk)
                    out.write(chunk)
        except BaseException:
            # e.g. the client went away mid-upload (werkzeug's ClientDisconnected)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
            raise
        return UploadedFile(file_id, tmp_path, size, md5.hexdigest(), limit is not None and size > limit)

    def content_path(self, file_id: str) -> Path:
        return self.files_dir / file_id[:2] / file_id


PARTIAL_SUFFIX = ".part"


def remove_abandoned_uploads(tmp_dir: Path) -> list[str]:
    """Delete partial uploads whose writing process is gone (killed mid-upload); returns their
    names. Uploads of a live process (another emulator on the same data dir) are left alone."""
    removed = []
    for path in tmp_dir.iterdir():
        if path.is_file() and not _writer_alive(path.name):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            removed.append(path.name)
    return removed


def _writer_alive(name: str) -> bool:
    stem = name[: -len(PARTIAL_SUFFIX)] if name.endswith(PARTIAL_SUFFIX) else ""
    pid = stem.rsplit(".", 1)[-1] if "." in stem else ""
    if not (pid.isascii() and pid.isdigit()):
        return False  # not ours, or from before pids were recorded: abandoned
    if int(pid) == os.getpid():
        return True  # this process: another store on the same data dir may be writing it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True


class UploadedFile:
    def __init__(self, file_id: str, tmp_path: Path, size: int, md5: str, too_large: bool) -> None:
        self.id = file_id
        self.tmp_path = tmp_path
        self.size = size
        self.md5 = md5
        self.too_large = too_large

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp_path)


def _row(row: sqlite3.Row | None, *json_columns: str) -> dict | None:
    if row is None:
        return None
    data = dict(row)
    for column in json_columns:
        data[column] = json.loads(data[column])
    return data


class Tx:
    """Operations inside one transaction. Rows come back as plain dicts."""

    def __init__(self, store: Store, conn: sqlite3.Connection) -> None:
        self.store = store
        self.conn = conn
        self._pending_files: list[UploadedFile] = []
        self.now = utc_now_iso()
        self.today = store.fixed_today or utc_today()
        self._search_time: float | None = None

    def search_time(self) -> float:
        """The index's "now" for every search query of this transaction, read once so that a
        page, its total and its facets see the same snapshots."""
        if self._search_time is None:
            self._search_time = self.store.clock()
        return self._search_time

    def _one(self, sql: str, args: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, args).fetchone()

    # -- ids --
    def next_id(self) -> int:
        value = self._one("SELECT value FROM counters WHERE name = 'recid'")["value"]
        self.conn.execute("UPDATE counters SET value = ? WHERE name = 'recid'", (value + 1,))
        return value

    # -- parents --
    def create_parent(self, owner: int) -> int:
        parent_id = self.next_id()
        self.conn.execute(
            "INSERT INTO parents (id, owner, created, updated) VALUES (?, ?, ?, ?)",
            (parent_id, owner, self.now, self.now),
        )
        return parent_id

    def parent(self, parent_id: int) -> dict | None:
        return _row(self._one("SELECT * FROM parents WHERE id = ?", (parent_id,)), "communities")

    def set_parent_doi(self, parent_id: int, doi: str) -> None:
        self.conn.execute("UPDATE parents SET doi = ?, updated = ? WHERE id = ?", (doi, self.now, parent_id))

    def set_parent_communities(self, parent_id: int, communities: list) -> None:
        self.conn.execute(
            "UPDATE parents SET communities = ?, updated = ? WHERE id = ?",
            (json.dumps(communities), self.now, parent_id),
        )

    def delete_parent(self, parent_id: int) -> None:
        self.conn.execute("DELETE FROM parents WHERE id = ?", (parent_id,))

    # -- drafts --
    def create_draft(
        self,
        *,
        record_id: int,
        parent_id: int,
        owner: int,
        stored: dict,
        bucket_id: str,
        version_index: int,
        revision: int = 1,
        created: str | None = None,
    ) -> dict:
        self.conn.execute(
            "INSERT INTO drafts (id, parent_id, owner, stored, bucket_id, version_index, revision, created,"
            " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                parent_id,
                owner,
                json.dumps(stored),
                bucket_id,
                version_index,
                revision,
                created or self.now,
                self.now,
            ),
        )
        return self.draft(record_id)

    def draft(self, record_id: int) -> dict | None:
        return _row(self._one("SELECT * FROM drafts WHERE id = ?", (record_id,)), "stored")

    def update_draft(self, record_id: int, stored: dict) -> dict:
        self.conn.execute(
            "UPDATE drafts SET stored = ?, revision = revision + 1, updated = ? WHERE id = ?",
            (json.dumps(stored), self.now, record_id),
        )
        return self.draft(record_id)

    def touch_draft(self, record_id: int) -> None:
        self.conn.execute(
            "UPDATE drafts SET revision = revision + 1, updated = ? WHERE id = ?", (self.now, record_id)
        )

    def delete_draft(self, record_id: int) -> None:
        self.conn.execute("DELETE FROM drafts WHERE id = ?", (record_id,))

    def drafts_of_parent(self, parent_id: int) -> list[dict]:
        rows = self.conn.execute(
            "SELECT * FROM drafts WHERE parent_id = ? ORDER BY version_index", (parent_id,)
        ).fetchall()
        return [_row(row, "stored") for row in rows]

    # -- published records --
    def record(self, record_id: int) -> dict | None:
        return _row(self._one("SELECT * FROM records WHERE id = ?", (record_id,)), "stored")

    def put_record(
        self,
        *,
        record_id: int,
        parent_id: int,
        owner: int,
        stored: dict,
        bucket_id: str,
        version_index: int,
        doi: str | None,
    ) -> dict:
        existing = self.record(record_id)
        if existing is None:
            # A record's `created` is its publication time (docs/zenodo-behaviour.md §6.3).
            self.conn.execute(
                "INSERT INTO records (id, parent_id, owner, stored, bucket_id, version_index, revision, doi,"
                " created, updated) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
                (
                    record_id,
                    parent_id,
                    owner,
                    json.dumps(stored),
                    bucket_id,
                    version_index,
                    doi,
                    self.now,
                    self.now,
                ),
            )
        else:
            self.conn.execute(
                "UPDATE records SET stored = ?, bucket_id = ?, doi = ?, revision = revision + 1, updated = ?"
                " WHERE id = ?",
                (json.dumps(stored), bucket_id, doi, self.now, record_id),
            )
        return self.record(record_id)

    def records_of_parent(self, parent_id: int) -> list[dict]:
        rows = self.conn.execute(
            "SELECT * FROM records WHERE parent_id = ? ORDER BY version_index", (parent_id,)
        ).fetchall()
        return [_row(row, "stored") for row in rows]

    # -- buckets and objects --
    def create_bucket(self, *, locked: bool = False) -> str:
        bucket_id = new_uuid()
        self.conn.execute(
            "INSERT INTO buckets (id, locked, created) VALUES (?, ?, ?)", (bucket_id, int(locked), self.now)
        )
        return bucket_id

    def bucket(self, bucket_id: str) -> dict | None:
        return _row(self._one("SELECT * FROM buckets WHERE id = ?", (bucket_id,)))

    def lock_bucket(self, bucket_id: str, locked: bool = True) -> None:
        self.conn.execute("UPDATE buckets SET locked = ? WHERE id = ?", (int(locked), bucket_id))

    def objects(self, bucket_id: str) -> list[dict]:
        rows = self.conn.execute(
            "SELECT o.*, f.size, f.md5 FROM objects o JOIN file_instances f ON f.id = o.file_id"
            " WHERE o.bucket_id = ? ORDER BY o.created, o.key",
            (bucket_id,),
        ).fetchall()
        return [dict(row) for row in rows]

    def object(self, bucket_id: str, key: str) -> dict | None:
        row = self._one(
            "SELECT o.*, f.size, f.md5 FROM objects o JOIN file_instances f ON f.id = o.file_id"
            " WHERE o.bucket_id = ? AND o.key = ?",
            (bucket_id, key),
        )
        return dict(row) if row else None

    def object_by_file_id(self, bucket_id: str, file_id: str) -> dict | None:
        row = self._one(
            "SELECT o.*, f.size, f.md5 FROM objects o JOIN file_instances f ON f.id = o.file_id"
            " WHERE o.bucket_id = ? AND o.file_id = ?",
            (bucket_id, file_id),
        )
        return dict(row) if row else None

    def add_object(self, bucket_id: str, key: str, upload: UploadedFile, mimetype: str) -> dict:
        """Store an uploaded file under `key`, replacing what was there (docs/zenodo-behaviour.md §3.8)."""
        final = self.store.content_path(upload.id)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(upload.tmp_path, final)
        self._pending_files.append(UploadedFile(upload.id, final, upload.size, upload.md5, False))
        self.conn.execute(
            "INSERT INTO file_instances (id, size, md5, path, created) VALUES (?, ?, ?, ?, ?)",
            (upload.id, upload.size, upload.md5, str(final.relative_to(self.store.data_dir)), self.now),
        )
        self.conn.execute("DELETE FROM objects WHERE bucket_id = ? AND key = ?", (bucket_id, key))
        self.conn.execute(
            "INSERT INTO objects (bucket_id, key, file_id, version_id, mimetype, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (bucket_id, key, upload.id, new_uuid(), mimetype, self.now, self.now),
        )
        return self.object(bucket_id, key)

    def delete_object(self, bucket_id: str, key: str) -> None:
        self.conn.execute("DELETE FROM objects WHERE bucket_id = ? AND key = ?", (bucket_id, key))

    def copy_objects(self, source_bucket: str, target_bucket: str) -> None:
        """Link the same file instances into another bucket (new version, edit draft)."""
        self.conn.execute(
            "INSERT INTO objects (bucket_id, key, file_id, version_id, mimetype, created, updated)"
            " SELECT ?, key, file_id, version_id, mimetype, created, updated FROM objects WHERE bucket_id = ?",
            (target_bucket, source_bucket),
        )

    # -- the native API's three-step uploads (docs/zenodo-behaviour.md §7.5) --
    def init_file(self, bucket_id: str, key: str) -> None:
        """A key initialised (step 1): its content may come, then the commit."""
        self.conn.execute(
            "INSERT OR REPLACE INTO initialised_files (bucket_id, key, committed) VALUES (?, ?, 0)",
            (bucket_id, key),
        )

    def file_status(self, bucket_id: str, key: str) -> str | None:
        """ "pending" between init and commit, "completed" after, None for a key never initialised
        through the native API (every deposit-API file is complete)."""
        row = self._one(
            "SELECT committed FROM initialised_files WHERE bucket_id = ? AND key = ?", (bucket_id, key)
        )
        if row is None:
            return None
        return "completed" if row["committed"] else "pending"

    def commit_file(self, bucket_id: str, key: str) -> None:
        self.conn.execute(
            "UPDATE initialised_files SET committed = 1 WHERE bucket_id = ? AND key = ?", (bucket_id, key)
        )

    def forget_file(self, bucket_id: str, key: str) -> None:
        self.conn.execute("DELETE FROM initialised_files WHERE bucket_id = ? AND key = ?", (bucket_id, key))

    def pending_keys(self, bucket_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT key FROM initialised_files WHERE bucket_id = ? AND committed = 0 ORDER BY key",
            (bucket_id,),
        ).fetchall()
        return [row["key"] for row in rows]

    def add_inclusion_request(self, record_id: int, parent_id: int, community: str, status: str) -> dict:
        request_id = new_uuid()
        self.conn.execute(
            "INSERT INTO inclusion_requests (id, record_id, parent_id, community, status, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (request_id, record_id, parent_id, community, status, self.now, self.now),
        )
        return self.inclusion_request(request_id)

    def inclusion_request(self, request_id: str) -> dict | None:
        return _row(self._one("SELECT * FROM inclusion_requests WHERE id = ?", (request_id,)))

    def inclusion_requests(self, parent_id: int) -> list[dict]:
        rows = self.conn.execute(
            "SELECT * FROM inclusion_requests WHERE parent_id = ? ORDER BY created, id", (parent_id,)
        ).fetchall()
        return [_row(row) for row in rows]

    def set_inclusion_status(self, request_id: str, status: str) -> None:
        self.conn.execute(
            "UPDATE inclusion_requests SET status = ?, updated = ? WHERE id = ?",
            (status, self.now, request_id),
        )

    def update_record_stored(self, record_id: int, stored: dict) -> None:
        """A published record's stored dict changed outside publish (a community inclusion)."""
        self.conn.execute(
            "UPDATE records SET stored = ?, revision = revision + 1, updated = ? WHERE id = ?",
            (json.dumps(stored), self.now, record_id),
        )

    def discard_pending_files(self) -> None:
        # The transaction that would have referenced these contents was rolled back.
        for upload in self._pending_files:
            upload.discard()
        self._pending_files.clear()

    # -- search index (eventually consistent, docs/zenodo-behaviour.md §6.6) --
    # A snapshot per record id and write, listed from `visible_at` (the write plus the search
    # lag) until `hidden_at`, when a newer snapshot of the same id becomes visible: so "the
    # newest snapshot whose time has come" is a test on each row, which an index can serve.
    # `search_entries` holds what searches filter, sort and count on (indexing.entries).
    def index(
        self,
        record_id: int,
        owner: int,
        doc: dict | None,
        *,
        immediate: bool = False,
        entries: list[dict] = (),
    ) -> None:
        """Snapshot a record id for listings; ``doc=None`` removes it. Visible after the search lag."""
        now = self.store.clock()
        visible_at = now if immediate else now + self.store.search_lag
        seq = self.conn.execute(
            "INSERT INTO search_index (record_id, owner, visible_at, doc) VALUES (?, ?, ?, ?)",
            (record_id, owner, visible_at, None if doc is None else json.dumps(doc)),
        ).lastrowid
        # Older snapshots are listed until this one shows (a removal can show before them).
        self.conn.execute(
            "UPDATE search_entries SET hidden_at = min(coalesce(hidden_at, :v), :v)"
            " WHERE record_id = :r AND seq < :seq",
            {"v": visible_at, "r": record_id, "seq": seq},
        )
        self.conn.executemany(
            "INSERT INTO search_entries (seq, kind, record_id, owner, parent_id, deposit, visible_at,"
            " version_index, created, updated, publication_date, title, embargo_until, communities, fields,"
            " facets) VALUES (:seq, :kind, :record_id, :owner, :parent_id, :deposit, :visible_at,"
            " :version_index, :created, :updated, :publication_date, :title, :embargo_until, :communities,"
            " :fields, :facets)",
            [
                {
                    **entry,
                    "seq": seq,
                    "record_id": record_id,
                    "owner": owner,
                    "visible_at": visible_at,
                    "facets": json.dumps(entry["terms"], separators=(",", ":")),
                }
                for entry in entries
            ],
        )
        self.conn.executemany(
            "INSERT INTO search_terms (seq, kind, facet, key) VALUES (?, ?, ?, ?)",
            [(seq, entry["kind"], facet, key) for entry in entries for facet, key in entry["terms"]],
        )
        # Forget snapshots superseded by a newer one that is already visible.
        self.conn.execute(
            "DELETE FROM search_index WHERE record_id = ? AND seq < ("
            " SELECT max(seq) FROM search_index WHERE record_id = ? AND visible_at <= ?)",
            (record_id, record_id, now),
        )
        self.conn.execute(
            "DELETE FROM search_terms WHERE seq IN ("
            " SELECT seq FROM search_entries WHERE record_id = ? AND hidden_at <= ?)",
            (record_id, now),
        )
        self.conn.execute(
            "DELETE FROM search_entries WHERE record_id = ? AND hidden_at <= ?", (record_id, now)
        )

    def indexed_docs(self, *, owner: int | None = None) -> list[dict]:
        """The snapshots visible now: per record id, the newest one whose time has come."""
        now = self.store.clock()
        sql = (
            "SELECT s.doc FROM search_index s WHERE s.visible_at <= ? AND s.seq = ("
            " SELECT max(seq) FROM search_index t WHERE t.record_id = s.record_id AND t.visible_at <= ?)"
        )
        args: tuple[Any, ...] = (now, now)
        if owner is not None:
            sql += " AND s.owner = ?"
            args += (owner,)
        return [json.loads(row["doc"]) for row in self.conn.execute(sql, args) if row["doc"] is not None]

    def unindexed_record_ids(self) -> list[int]:
        """Record ids with snapshots but no entries: a data directory from before the entries."""
        rows = self.conn.execute(
            "SELECT DISTINCT record_id FROM search_index s WHERE doc IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM search_entries e WHERE e.record_id = s.record_id)"
        )
        return [row["record_id"] for row in rows]

    def search_rows(
        self,
        scope: SearchScope,
        *,
        columns: str,
        order: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[sqlite3.Row]:
        """The entries a search reads, visible now, `columns` of each (SQL over `e`): filtered
        by `scope`, sorted on `order` (ties: the newest record id first), a page when `limit`."""
        where, args = scope.where("e", now=self.search_time())
        sql = f"SELECT {columns} FROM search_entries e WHERE {where}"
        if order is not None:
            if order not in SORT_COLUMNS:
                raise ValueError(f"no index entry column to sort on: {order}")
            sql += f" ORDER BY e.{order} {'DESC' if descending else 'ASC'}, e.record_id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += (limit, offset)
        return self.conn.execute(sql, args).fetchall()

    def count_rows(self, scope: SearchScope) -> int:
        where, args = scope.where("e", now=self.search_time())
        return self.conn.execute(f"SELECT count(*) FROM search_entries e WHERE {where}", args).fetchone()[0]

    def count_terms(self, scope: SearchScope, *, lifted_by: str) -> dict[tuple[str, str], int]:
        """How many entries of `scope` count each (facet, key), leaving out those whose embargo
        has ended by `lifted_by` (their terms changed with the lift: see `search_rows`)."""
        where, args = scope.where("e", now=self.search_time())
        rows = self.conn.execute(
            f"SELECT t.facet, t.key, count(*) FROM search_entries e JOIN search_terms t"
            f" ON t.seq = e.seq AND t.kind = e.kind WHERE {where}"
            f" AND (e.embargo_until IS NULL OR e.embargo_until > ?) GROUP BY t.facet, t.key",
            (*args, lifted_by),
        )
        return {(row[0], row[1]): row[2] for row in rows}

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, or its value from an earlier search while the index lists the same
        entries: no snapshot written since (the AUTOINCREMENT counter of `search_index`) and no
        entry's `visible_at` or `hidden_at` passed in between. What a search counts over every
        hit (its total, its facets) then costs nothing on the next page or the next client."""
        now = self.search_time()
        written = self._one("SELECT seq FROM sqlite_sequence WHERE name = 'search_index'")
        state = (written[0] if written else 0, *self._visibility_bounds(now))
        with self.store._memo_lock:
            known = self.store._memo.get(key)
        if known is not None and known[0] == state:
            return known[1]
        value = compute()
        with self.store._memo_lock:
            if len(self.store._memo) >= MEMO_SIZE:
                self.store._memo.pop(next(iter(self.store._memo)))
            self.store._memo[key] = (state, value)
        return value

    def _visibility_bounds(self, now: float) -> tuple[float | None, float | None, float | None, float | None]:
        """The last listing change at or before `now` and the next one after it."""
        row = self._one(
            "SELECT (SELECT max(visible_at) FROM search_entries WHERE visible_at <= :now),"
            " (SELECT max(hidden_at) FROM search_entries WHERE hidden_at <= :now),"
            " (SELECT min(visible_at) FROM search_entries WHERE visible_at > :now),"
            " (SELECT min(hidden_at) FROM search_entries WHERE hidden_at > :now)",
            {"now": now},
        )
        return row[0], row[1], row[2], row[3]

    def snapshot_docs(self, seqs: list[int]) -> dict[int, dict]:
        """The snapshots `seqs` (a page of entries), decoded."""
        if not seqs:
            return {}
        marks = ",".join("?" * len(seqs))
        rows = self.conn.execute(f"SELECT seq, doc FROM search_index WHERE seq IN ({marks})", seqs)
        return {row["seq"]: json.loads(row["doc"]) for row in rows}

    def latest_version_indexes(self, scope: SearchScope, parent_ids: set[int]) -> dict[int, int]:
        """Per concept in `parent_ids`, the highest version index among the entries of `scope`."""
        if not parent_ids:
            return {}
        where, args = scope.but(latest_only=False).where("e", now=self.search_time())
        marks = ",".join("?" * len(parent_ids))
        rows = self.conn.execute(
            f"SELECT e.parent_id, max(e.version_index) FROM search_entries e WHERE {where}"
            f" AND e.parent_id IN ({marks}) GROUP BY e.parent_id",
            args + tuple(parent_ids),
        )
        return {row[0]: row[1] for row in rows}

    def indexed_communities(self) -> set[str]:
        """The community slugs of every concept the index lists now."""
        scope = SearchScope(published=False)

        def compute() -> set[str]:
            found: set[str] = set()
            for row in self.search_rows(scope, columns="DISTINCT e.communities"):
                found.update(json.loads(row[0]))
            return found

        return set(self.memo("communities", compute))


MEMO_SIZE = 256  # searches remembered (scopes x days); the oldest is dropped first
SORT_COLUMNS = ("created", "updated", "version_index", "publication_date", "title")


@dataclass(frozen=True)
class SearchScope:
    """Which index entries a search reads: published records (`published`) or the deposit API's
    entry per record id (its draft, else its record); of one owner, of one concept; with
    `latest_only`, the highest version index of each concept among them."""

    published: bool
    owner: int | None = None
    parent_id: int | None = None
    latest_only: bool = False
    embargo_ended_by: str | None = None  # only entries whose embargo ended by this day

    def but(self, **changes: Any) -> SearchScope:
        return replace(self, **changes)

    def where(self, alias: str, *, now: float) -> tuple[str, tuple]:
        clauses, args = self._clauses(alias, now)
        if self.latest_only:
            other, other_args = self._clauses("o", now)
            clauses.append(
                f"NOT EXISTS (SELECT 1 FROM search_entries o WHERE {' AND '.join(other)}"
                f" AND o.parent_id = {alias}.parent_id AND o.version_index > {alias}.version_index)"
            )
            args += other_args
        if self.embargo_ended_by is not None:
            clauses.append(f"{alias}.embargo_until <= ?")
            args += (self.embargo_ended_by,)
        return " AND ".join(clauses), args

    def _clauses(self, alias: str, now: float) -> tuple[list[str], tuple]:
        clauses = [
            f"{alias}.kind = 1" if self.published else f"{alias}.deposit = 1",
            f"{alias}.visible_at <= ?",
            f"({alias}.hidden_at IS NULL OR {alias}.hidden_at > ?)",
        ]
        args: tuple = (now, now)
        if self.owner is not None:
            clauses.append(f"{alias}.owner = ?")
            args += (self.owner,)
        if self.parent_id is not None:
            clauses.append(f"{alias}.parent_id = ?")
            args += (self.parent_id,)
        return clauses, args
