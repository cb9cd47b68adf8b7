"""Request bodies as Zenodo's front end takes them: a size cap, broken chunked encoding, JSON depth.

zenodo.org answers all three with a 4xx, never a 500 (docs/zenodo-behaviour.md §5.2.4, §4.4):

* bodies the app reads whole (JSON, multipart forms) stop at Flask's ``MAX_CONTENT_LENGTH``,
  100 MiB, with 413; streamed file uploads (the bucket PUT, a native file's ``/content``) are
  exempt, they are written to disk as they arrive;
* a body whose chunked transfer encoding is malformed is a 400;
* JSON nested deeper than any real metadata is a 400, as undecodable JSON is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

MAX_CONTENT_LENGTH = 100 * 1024 * 1024  # invenio-app-rdm config.py MAX_CONTENT_LENGTH (§5.2.4)
# Beyond this a declared-too-large body is not read to its end: the connection is closed instead.
MAX_DRAINED = 1024 * 1024 * 1024
MAX_JSON_DEPTH = 64  # real metadata nests 5 deep; Python's own decoder fails near 1000
BROKEN_CHUNKS = "Invalid chunked transfer encoding in the request body."
# Routes whose body is a file streamed to disk (bucket PUT; native and extra-format content).
_STREAMED = re.compile(r"^/api/files/[^/]+/.+$|^/api/records/[^/]+/draft/files/.+/content$")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


def parse_json(data: bytes | str) -> Any:
    """JSON from a request body; ValueError for anything undecodable or nested too deep."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise ValueError("JSON nested too deeply")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    # Iterative, so that checking a deep value cannot itself overflow the stack.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def is_streamed_upload(method: str, path: str) -> bool:
    return method.upper() == "PUT" and bool(_STREAMED.match(path))


class GuardedInput:
    """wsgi.input that turns a broken chunked body into a 400 and a body past `limit` into a 413."""

    def __init__(self, stream: Any, limit: int | None) -> None:
        self._stream = stream
        self._limit = limit
        self._read = 0

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self._call(self._stream.read, -1 if size is None else size))

    def readline(self, size: int | None = -1) -> bytes:
        return self._count(self._call(self._stream.readline, -1 if size is None else size))

    def __iter__(self):
        return iter(self.readline, b"")

    def _call(self, method: Callable[[int], bytes], size: int) -> bytes:
        try:
            return method(size)
        except (OSError, ValueError):
            # werkzeug's DechunkedInput raises OSError("Invalid chunk header") and the like.
            raise BadRequest(BROKEN_CHUNKS) from None

    def _count(self, data: bytes) -> bytes:
        self._read += len(data)
        if self._limit is not None and self._read > self._limit:
            raise RequestEntityTooLarge()
        return data


class BodyLimits:
    """Refuses declared-too-large bodies up front and guards every body as it is read."""

    def __init__(self, app: WSGIApp, limit: int = MAX_CONTENT_LENGTH) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        streamed = is_streamed_upload(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        limit = None if streamed else self.limit
        declared = declared_length(environ)
        if limit is not None and declared is not None and declared > limit:
            return self._too_large(environ, start_response, declared)
        if "wsgi.input" in environ:
            environ["wsgi.input"] = GuardedInput(environ["wsgi.input"], limit)
        return self.app(environ, start_response)

    def _too_large(self, environ: dict, start_response: StartResponse, declared: int) -> Iterable[bytes]:
        headers = [("Content-Type", "application/json")]
        if declared <= MAX_DRAINED:
            _discard(environ["wsgi.input"], declared)  # the client can read the answer
        else:
            headers.append(("Connection", "close"))
        error = RequestEntityTooLarge()
        body = json.dumps({"status": 413, "message": error.description}).encode()
        headers.append(("Content-Length", str(len(body))))
        start_response("413 REQUEST ENTITY TOO LARGE", headers)
        return [body]


def declared_length(environ: dict) -> int | None:
    raw = environ.get("CONTENT_LENGTH") or ""
    if not raw.isascii() or not raw.isdigit():
        return None
    return int(raw) if len(raw) < 20 else MAX_DRAINED + 1


def _discard(stream: Any, length: int) -> None:
    while length > 0:
        try:
            chunk = stream.read(min(length, 1024 * 1024))
        except OSError:
            return
        if not chunk:
            return
        length -= len(chunk)
