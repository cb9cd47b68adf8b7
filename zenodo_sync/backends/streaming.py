"""Streamed GETs of file content: Range requests, and network failures mapped as http.py maps them.

Zenodo answers a file's `.../content` with its bytes, `Content-Length` and `ETag: "md5:<hex>"`
(docs/zenodo-behaviour.md §6.1.4). Whether a Range request is honoured depends on how the file
is served (§6.12): a 206 with a `Content-Range` that starts where we asked continues a partial
download; a 200 is the whole file again, and anything else about a 206 is not trusted.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import requests
from urllib3.exceptions import HTTPError as Urllib3Error

from zenodo_sync.backends.base import FileContent
from zenodo_sync.backends.http import HttpClient
from zenodo_sync.errors import TransportError

# Small enough that a stop between chunks comes quickly on a slow link, large enough that
# the per-chunk cost does not show in throughput (as for uploads).
DOWNLOAD_CHUNK = 64 * 1024
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


@contextlib.contextmanager
def stream_content(
    http: HttpClient, url: str, *, offset: int, operation: str, record_id: int
) -> Iterator[FileContent]:
    """GET `url` streamed through `http` (token, rate limiter, retries of the request itself),
    from byte `offset` when the server agrees; the response is closed on leaving."""
    headers = {"Accept": "*/*", "Accept-Encoding": "identity"}  # the bytes as stored, md5 and all
    if offset > 0:
        headers["Range"] = f"bytes={offset}-"
    expect = (200, 206, 416) if offset > 0 else (200,)
    response = http.request(
        "GET", url, operation=operation, record_id=record_id, headers=headers, expect=expect, stream=True
    )
    if response.status_code == 416:  # the part on disk is not a prefix the server knows: start over
        response.close()
        headers.pop("Range")
        response = http.request(
            "GET", url, operation=operation, record_id=record_id, headers=headers, stream=True
        )
    try:
        start = _start_of(response, offset)
        if start is None:  # a 206 we cannot trust to continue the part: ask for the whole file
            response.close()
            headers.pop("Range", None)
            response = http.request(
                "GET", url, operation=operation, record_id=record_id, headers=headers, stream=True
            )
            start = 0
        yield FileContent(
            offset=start,
            length=_length(response.headers.get("Content-Length")),
            chunks=_chunks(http, response, operation, record_id),
        )
    finally:
        response.close()


def _start_of(response: requests.Response, asked: int) -> int | None:
    """Where the body starts: 0 for a 200, `asked` for a 206 that says so, else None."""
    if response.status_code == 200:
        return 0
    found = _CONTENT_RANGE.match((response.headers.get("Content-Range") or "").strip())
    if found is None or int(found.group(1)) != asked:
        return None
    return asked


def _length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _chunks(http: HttpClient, response: requests.Response, operation: str, record_id: int) -> Iterator[bytes]:
    """The body in DOWNLOAD_CHUNK pieces; a connection lost mid-body is a TransportError."""
    raw: Any = response.raw
    try:
        while True:
            chunk = raw.read(DOWNLOAD_CHUNK, decode_content=True)
            if not chunk:
                return
            yield chunk
    except (requests.RequestException, Urllib3Error, OSError) as exc:
        reason = http.redact(f"{type(exc).__name__}: {exc}")
        raise TransportError(
            f"The connection broke during {operation} of record {record_id}: {reason}.",
            hint="Run the same command again: what arrived is kept as a .part file and the "
            "download continues from there when the server allows it.",
        ) from None
