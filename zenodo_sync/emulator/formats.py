"""The legacy API's extra formats (docs/zenodo-behaviour.md §3.14): alternative renderings of a
record, one file per media type, under ``/api/deposit/depositions/<id>/formats`` (OPTIONS, GET,
PUT, DELETE) and ``/api/records/<id>/formats`` (OPTIONS, GET).

zenodo-rdm keeps them as the record's media files, the media type as the file key
(legacy/resources.py, DraftExtraFormatsResource). The emulator keeps them in a table of its
own, by record id: an edit draft shares the record's id, so a format put through the deposit
URL of a published record is on the record at once, as on zenodo.org.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from zenodo_sync.emulator import service
from zenodo_sync.emulator.errors import ApiError, permission_denied
from zenodo_sync.emulator.store import Store, Tx, UploadedFile, new_uuid
from zenodo_sync.emulator.views import Urls

SCHEMA = """
CREATE TABLE IF NOT EXISTS extra_formats (
    record_id INTEGER NOT NULL, key TEXT NOT NULL, file_id TEXT NOT NULL, size INTEGER NOT NULL,
    md5 TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (record_id, key));
"""
NO_MIMETYPE = "Invalid extra format MIMEType."


def ensure_schema(store: Store) -> None:
    with store.transaction(write=True) as tx:
        tx.conn.execute(SCHEMA)


def requested_mimetype(request: Request, *, query: bool, content_type: bool, accept: bool) -> str:
    """parse_extra_formats_mimetype: ?mimetype=, then Content-Type, then the first Accept value."""
    mimetype = request.args.get("mimetype") if query else None
    if not mimetype and content_type:
        mimetype = request.headers.get("Content-Type")
    if not mimetype and accept and request.headers.get("Accept"):
        mimetype = next((value for value, _quality in request.accept_mimetypes), None)
    if not mimetype:
        raise ApiError(400, NO_MIMETYPE)
    return mimetype


def _rows(tx: Tx, record_id: int) -> list[dict]:
    cursor = tx.conn.execute("SELECT * FROM extra_formats WHERE record_id = ? ORDER BY key", (record_id,))
    return [dict(row) for row in cursor]


def _row(tx: Tx, record_id: int, key: str) -> dict | None:
    row = tx.conn.execute(
        "SELECT * FROM extra_formats WHERE record_id = ? AND key = ?", (record_id, key)
    ).fetchone()
    return dict(row) if row else None


def _entry(urls: Urls, record_id: int, row: dict, *, draft: bool) -> dict:
    """A media-file entry as the OPTIONS listing shows it (zenodo-rdm test_extra_formats.py)."""
    base = f"{urls.record(record_id)}{'/draft' if draft else ''}/media-files/{quote(row['key'], safe='')}"
    return {
        "key": row["key"],
        "id": row["file_id"],
        "file_id": row["file_id"],
        "created": row["created"],
        "updated": row["updated"],
        "size": row["size"],
        "checksum": f"md5:{row['md5']}",
        # The key has no extension to guess from.
        "mimetype": "application/octet-stream",
        "metadata": None,
        "status": "completed",
        "storage_class": "L",
        "links": {"self": base, "content": f"{base}/content", "commit": f"{base}/commit"},
    }


class ExtraFormats:
    def __init__(self, store: Store) -> None:
        self.store = store
        ensure_schema(store)

    # which record: the deposit URL takes a draft or a published record; the records URL only
    # a published one (a draft's id there is the records API's 404, §6.1)
    def _deposit_view(self, tx: Tx, user: int | None, record_id: int, *, write: bool) -> dict:
        view = service.owned_view(tx, user, record_id) if write else service.load_view(tx, record_id)
        if view is None:
            raise ApiError(404, "The persistent identifier does not exist.")
        if not write and view["draft"] is not None and view["owner"] != user:
            raise permission_denied()  # a draft is its owner's only
        return view

    def _record_view(self, tx: Tx, record_id: int) -> dict:
        view = service.load_view(tx, record_id)
        if view is None:
            raise ApiError(404, "The persistent identifier does not exist.")
        if view["record"] is None:
            raise ApiError(404, "The persistent identifier is not registered.")
        return view

    def list(self, request: Request, user: int | None, record_id: int, *, deposit: bool) -> Response:
        with self.store.transaction(write=False) as tx:
            view = (
                self._deposit_view(tx, user, record_id, write=False)
                if deposit
                else self._record_view(tx, record_id)
            )
            rows = _rows(tx, record_id)
        urls = Urls(request.host_url)
        draft = deposit and view["draft"] is not None
        return _json([_entry(urls, record_id, row, draft=draft) for row in rows])

    def get(self, request: Request, user: int | None, record_id: int, *, deposit: bool) -> Response:
        mimetype = requested_mimetype(request, query=True, content_type=False, accept=True)
        with self.store.transaction(write=False) as tx:
            if deposit:
                self._deposit_view(tx, user, record_id, write=False)
            else:
                self._record_view(tx, record_id)
            row = _row(tx, record_id, mimetype)
        if row is None:
            raise _no_file(record_id, mimetype)
        path = self.store.content_path(row["file_id"])
        response = Response(open(path, "rb"), mimetype="application/octet-stream", direct_passthrough=True)  # noqa: SIM115
        response.content_length = row["size"]
        response.headers["Content-Disposition"] = f"attachment; filename={quote(mimetype, safe='')}"
        return response

    def put(self, request: Request, user: int | None, record_id: int) -> Response:
        mimetype = requested_mimetype(request, query=False, content_type=True, accept=False)
        if user is None:
            raise permission_denied()
        upload = self.store.receive_file(request.stream)
        try:
            if upload.size == 0:
                raise ApiError(400, "Empty files are not accepted.")  # RECORDS_RESOURCES_ALLOW_EMPTY_FILES
            with self.store.transaction(write=True) as tx:
                self._deposit_view(tx, user, record_id, write=True)
                self._store(tx, record_id, mimetype, upload)
        finally:
            upload.discard()
        return _json({"message": f'Extra format "{mimetype}" updated.'})

    def delete(self, request: Request, user: int | None, record_id: int) -> Response:
        mimetype = requested_mimetype(request, query=False, content_type=True, accept=False)
        with self.store.transaction(write=True) as tx:
            self._deposit_view(tx, user, record_id, write=True)
            if _row(tx, record_id, mimetype) is None:
                raise _no_file(record_id, mimetype)
            tx.conn.execute(
                "DELETE FROM extra_formats WHERE record_id = ? AND key = ?", (record_id, mimetype)
            )
        return _json({"message": f'Extra format "{mimetype}" deleted.'})

    # -- the same files as the records API's media files (links.media_files, links.archive_media)
    def _media_view(self, tx: Tx, user: int | None, record_id: int, *, draft: bool) -> dict:
        if draft:
            view = service.owned_view(tx, user, record_id)
            if view["draft"] is None:
                raise ApiError(404, "The persistent identifier does not exist.")
            return view
        return self._record_view(tx, record_id)

    def media_files(self, request: Request, user: int | None, record_id: int, *, draft: bool) -> Response:
        with self.store.transaction(write=False) as tx:
            self._media_view(tx, user, record_id, draft=draft)
            rows = _rows(tx, record_id)
        urls = Urls(request.host_url)
        base = f"{urls.record(record_id)}{'/draft' if draft else ''}/media-files"
        return _json(
            {
                "enabled": bool(rows),
                "default_preview": None,
                "order": [],
                "entries": [_entry(urls, record_id, row, draft=draft) for row in rows],
                "links": {"self": base},
            }
        )

    def media_file_content(self, user: int | None, record_id: int, key: str, *, draft: bool) -> Response:
        with self.store.transaction(write=False) as tx:
            self._media_view(tx, user, record_id, draft=draft)
            row = _row(tx, record_id, key)
        if row is None:
            raise _no_file(record_id, key)
        path = self.store.content_path(row["file_id"])
        response = Response(open(path, "rb"), mimetype="application/octet-stream", direct_passthrough=True)  # noqa: SIM115
        response.content_length = row["size"]
        return response

    def media_entries(self, user: int | None, record_id: int, *, draft: bool) -> list[tuple[str, Path, int]]:
        """(key, content path, size) of each media file, for the media-files archive."""
        with self.store.transaction(write=False) as tx:
            self._media_view(tx, user, record_id, draft=draft)
            rows = _rows(tx, record_id)
        return [(row["key"], self.store.content_path(row["file_id"]), row["size"]) for row in rows]

    def _store(self, tx: Tx, record_id: int, key: str, upload: UploadedFile) -> None:
        file_id = new_uuid()
        final = self.store.content_path(file_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(upload.tmp_path, final)
        # Removed again if the transaction rolls back, as Tx.add_object's contents are.
        tx._pending_files.append(UploadedFile(file_id, final, upload.size, upload.md5, False))
        now = tx.now
        previous = _row(tx, record_id, key)
        tx.conn.execute(
            "INSERT OR REPLACE INTO extra_formats (record_id, key, file_id, size, md5, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record_id, key, file_id, upload.size, upload.md5, previous["created"] if previous else now, now),
        )


def _no_file(record_id: int, key: str) -> ApiError:
    return ApiError(404, f"Record '{record_id}' has no file '{key}'.")


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
