"""WSGI middleware around the emulator core: fault injection and Zenodo's rate limits.

Layering (outermost first), chosen to mirror where each behaviour lives in front of Zenodo:

1. admin endpoints under ``/api/_emulator/`` (never limited, never faulted), so tests and
   demos can switch faults at runtime: ``GET|POST|DELETE /api/_emulator/faults`` and
   ``GET /api/_emulator/ratelimits`` (on? how many requests got a 429) and
   ``DELETE /api/_emulator/ratelimits`` (forget all counters); ``GET /api/_emulator/instance``
   names the data directory's instance (instance.py), so zsync knows a restarted emulator.
   Faults and rate-limit counters answer callers on the emulator's own host; from elsewhere
   they need user 1's token (an emulator bound to 0.0.0.0 must not be steerable by anyone);
2. faults (faults.py): what the network and nginx do to a request - latency, slow body
   reads, 5xx/429 answers, connections dropped before or after the app committed;
3. rate limits (ratelimit.py): Flask-Limiter inside the Zenodo app, so its
   ``X-RateLimit-*``/``Retry-After`` headers are on every app response (docs/zenodo-behaviour.md §5)
   but not on an nginx error page.

Outermost of all, bodies.BodyLimits caps and guards request bodies (413, 400).

Faults come from ``config.faults``, or when that is unset from the environment variable
``ZSYNC_EMULATOR_FAULTS``; probabilities are seeded by ``config.fault_seed``.
Rate limits are on when ``config.rate_limits`` is true (the "zenodo" profile).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from werkzeug.exceptions import HTTPException

from zenodo_sync.emulator.bodies import MAX_CONTENT_LENGTH, BodyLimits, declared_length, parse_json
from zenodo_sync.emulator.faults import FaultSet, FaultSpecError
from zenodo_sync.emulator.instance import instance_id
from zenodo_sync.emulator.ratelimit import MovingWindowLimiter, RateLimitPolicy

FAULTS_ENV = "ZSYNC_EMULATOR_FAULTS"
ADMIN_PREFIX = "/api/_emulator/"
ADMIN_REFUSED = "The emulator's admin endpoints need its owner token from a host other than its own."

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]

# Messages in flask-resources' error shape (docs/zenodo-behaviour.md §4); the 500 text is the one seen in
# zenodo-rdm#1440, the others are werkzeug's standard descriptions.
_MESSAGES = {
    400: "A validation error occurred.",
    429: "Too many requests. Please wait and retry.",
    500: (
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
    502: "The proxy server received an invalid response from an upstream server.",
    503: (
        "The server is temporarily unable to service your request due to maintenance downtime "
        "or capacity problems. Please try again later."
    ),
    504: "The connection to an upstream server timed out.",
}


def wrap_app(
    app: WSGIApp,
    config: Any,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> WSGIApp:
    """Wrap the core emulator app with faults and (when enabled) rate limits."""
    spec = getattr(config, "faults", None)
    seed = getattr(config, "fault_seed", None)
    if spec is not None:
        faults = FaultSet(spec, seed=seed)
    else:
        try:
            faults = FaultSet(os.environ.get(FAULTS_ENV) or None, seed=seed)
        except FaultSpecError as exc:
            # Say where the bad spec came from: the user may not remember setting the variable.
            raise FaultSpecError(f"{FAULTS_ENV}: {exc}") from None
    limiter = None
    if getattr(config, "rate_limits", False):
        limiter = RateLimited(app, config, clock=clock)
        app = limiter
    data_dir = getattr(config, "data_dir", None)
    instance = instance_id(data_dir) if data_dir is not None else None
    admin_tokens = {token for token, user in (getattr(config, "tokens", None) or {}).items() if user == 1}
    middleware = EmulatorMiddleware(
        FaultInjector(app, faults, sleep=sleep), faults, limiter, instance, admin_tokens=admin_tokens
    )
    return BodyLimits(middleware, getattr(config, "max_body_size", MAX_CONTENT_LENGTH))


class EmulatorMiddleware:
    """Routes ``/api/_emulator/*`` to the admin handlers, everything else inward."""

    def __init__(
        self,
        app: WSGIApp,
        faults: FaultSet,
        limiter: RateLimited | None,
        instance: str | None = None,
        *,
        admin_tokens: set[str] | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.limiter = limiter
        self.instance = instance
        self.admin_tokens = admin_tokens or set()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            return self._admin(environ, start_response, path[len(ADMIN_PREFIX) :].strip("/"))
        return self.app(environ, start_response)

    def _admin(self, environ: dict, start_response: StartResponse, what: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if what in ("faults", "ratelimits") and not self._admin_allowed(environ):
            _drain(environ)
            return _json(start_response, 403, {"status": 403, "message": ADMIN_REFUSED})
        if what == "faults":
            if method == "GET":
                return _json(start_response, 200, self.faults.describe())
            if method == "DELETE":
                self.faults.clear()
                return _json(start_response, 200, self.faults.describe())
            if method in ("POST", "PUT"):
                try:
                    body = parse_json(_read_body(environ) or b"{}")
                    spec = body["spec"] if isinstance(body, dict) else None
                    if not isinstance(spec, str):
                        raise KeyError("spec")
                except HTTPException as exc:  # a broken or too large body (bodies.py)
                    code = exc.code or 400
                    return _json(start_response, code, {"status": code, "message": exc.description})
                except (ValueError, KeyError):
                    return _json(
                        start_response,
                        400,
                        {
                            "status": 400,
                            "message": 'Expected a JSON body {"spec": "<fault spec>", "append": false}.',
                        },
                    )
                try:
                    if body.get("append"):
                        self.faults.add(spec)
                    else:
                        self.faults.replace(spec)
                except FaultSpecError as exc:
                    return _json(
                        start_response,
                        400,
                        {
                            "status": 400,
                            "message": "Invalid fault spec.",
                            "errors": [{"field": "spec", "messages": [str(exc)]}],
                        },
                    )
                return _json(start_response, 200, self.faults.describe())
        elif what == "instance" and self.instance is not None:
            if method == "GET":
                return _json(start_response, 200, {"instance_id": self.instance})
        elif what == "ratelimits":
            if method == "GET":
                return _json(start_response, 200, self._ratelimit_state())
            if method == "DELETE":
                if self.limiter is not None:
                    self.limiter.limiter.reset()
                    self.limiter.refused = 0
                return _json(start_response, 200, {"enabled": self.limiter is not None})
        else:
            return _json(start_response, 404, {"status": 404, "message": "Not found."})
        return _json(
            start_response,
            405,
            {
                "status": 405,
                "message": "The method is not allowed for the requested URL.",
            },
        )

    def _admin_allowed(self, environ: dict) -> bool:
        """Faults and rate-limit counters: from the emulator's own host, or with user 1's token
        (the `--token` of `zsync emulator`) from elsewhere (README, "The emulator")."""
        if _is_loopback(environ.get("REMOTE_ADDR", "")):
            return True
        auth = environ.get("HTTP_AUTHORIZATION", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        return any(secrets.compare_digest(token, known) for known in self.admin_tokens)

    def _ratelimit_state(self) -> dict:
        refused = self.limiter.refused if self.limiter is not None else 0
        return {"enabled": self.limiter is not None, "refused": refused}


class RateLimited:
    """Zenodo's limits (docs/zenodo-behaviour.md §5) with headers on every response and 429 past them."""

    def __init__(self, app: WSGIApp, config: Any, *, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.policy = RateLimitPolicy.from_config(config)
        self.limiter = MovingWindowLimiter(clock=clock)
        self.tokens: dict[str, Any] = dict(getattr(config, "tokens", None) or {})
        self.refused = 0  # requests answered 429 since start (or the last reset): for tests
        self._refused_lock = threading.Lock()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        user = self.user_of(environ)
        key = self.policy.key_for(user, environ.get("HTTP_USER_AGENT", ""), environ.get("REMOTE_ADDR", ""))
        method = environ.get("REQUEST_METHOD", "GET").upper()
        bucket, limits = self.policy.limits_for(method, environ.get("PATH_INFO", ""), user is not None)
        verdict = self.limiter.hit(bucket, key, limits)
        headers = verdict.headers()
        if not verdict.allowed:
            with self._refused_lock:
                self.refused += 1
            _drain(environ)
            return _json(start_response, 429, {"status": 429, "message": verdict.limit.describe()}, headers)

        def start_with_headers(status: str, response_headers: list, exc_info: Any = None) -> Any:
            names = {name.lower() for name, _ in headers}
            kept = [(n, v) for n, v in response_headers if n.lower() not in names]
            if exc_info is not None:
                return start_response(status, kept + headers, exc_info)
            return start_response(status, kept + headers)

        return self.app(environ, start_with_headers)

    def user_of(self, environ: dict) -> Any:
        """The user a token belongs to; an unknown token runs as a guest (docs/zenodo-behaviour.md §2)."""
        token = None
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth[:7].lower() == "bearer ":
            token = auth[7:].strip()
        if not token:
            values = parse_qs(environ.get("QUERY_STRING", "")).get("access_token")
            token = values[0] if values else None
        if not token:
            return None
        return self.tokens.get(token)


class FaultInjector:
    """Applies the faults a FaultSet decides for each request."""

    def __init__(
        self, app: WSGIApp, faults: FaultSet, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.app = app
        self.faults = faults
        self.sleep = sleep

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        decision = self.faults.decide(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""))
        if decision.latency:
            self.sleep(decision.latency)
        if decision.bytes_per_second:
            environ["wsgi.input"] = ThrottledInput(
                environ["wsgi.input"], decision.bytes_per_second, self.sleep
            )
        rule = decision.terminal
        if rule is None:
            return self.app(environ, start_response)
        if rule.kind == "drop-before":
            _close_connection(environ)
            return _dropped(start_response)
        if rule.kind == "cut":
            return _cut_off(self.app(environ, start_response), rule.cut_after or 0, environ)
        if rule.kind == "drop-after-commit" or rule.after_commit:
            _run_to_completion(self.app, environ)
            if rule.kind == "drop-after-commit":
                _close_connection(environ)
                return _dropped(start_response)
        else:
            # The app never saw this request; read the body so the client is not cut mid-upload.
            _drain(environ)
        return _error_response(
            start_response, rule.status or 500, html=rule.html, retry_after=rule.retry_after
        )


class ThrottledInput:
    """A wsgi.input that delivers at most `rate` bytes per second (a slow server-side read)."""

    CHUNK = 8192

    def __init__(self, stream: Any, rate: float, sleep: Callable[[float], None]) -> None:
        self._stream = stream
        self._rate = rate
        self._sleep = sleep
        self._started = time.monotonic()
        self._delivered = 0

    def read(self, size: int = -1) -> bytes:
        # Loop to the full size like a blocking file: callers may not expect short reads.
        unlimited = size is None or size < 0
        parts: list[bytes] = []
        wanted = 0 if unlimited else size
        while unlimited or wanted > 0:
            chunk = self._read_some(self.CHUNK if unlimited else wanted)
            if not chunk:
                break
            parts.append(chunk)
            wanted -= len(chunk)
        return b"".join(parts)

    def readline(self, size: int = -1) -> bytes:
        line = self._stream.readline(size if size is not None and size >= 0 else -1)
        self._account(len(line))
        return line

    def __iter__(self):
        return iter(self.readline, b"")

    def _read_some(self, size: int) -> bytes:
        data = self._stream.read(min(size, max(1, int(self._rate)), self.CHUNK))
        self._account(len(data))
        return data

    def _account(self, count: int) -> None:
        self._delivered += count
        due = self._started + self._delivered / self._rate
        wait = due - time.monotonic()
        if wait > 0:
            self._sleep(wait)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _run_to_completion(app: WSGIApp, environ: dict) -> None:
    """Run the app and consume its whole response, so whatever it commits is committed."""
    result = app(environ, lambda status, headers, exc_info=None: lambda data: None)
    try:
        for _ in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def _close_connection(environ: dict) -> None:
    """Cut the client's TCP connection with no HTTP response at all.

    werkzeug's server puts the connection socket in ``environ["werkzeug.socket"]``. shutdown()
    (not close(): the server still owns the descriptor) sends FIN at once; the client's read
    then ends with no status line, which `requests` reports as ConnectionError. The server's
    own later write fails with BrokenPipe, which werkzeug treats as a dropped connection.
    """
    sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            # Unread request bytes left in the kernel buffer would turn FIN into RST on close;
            # either way the client sees the connection die without a response.
            sock.shutdown(socket.SHUT_RDWR)
        return
    raise RuntimeError("cannot drop the connection: the WSGI server does not expose its socket")


def _cut_off(result: Iterable[bytes], limit: int, environ: dict) -> Iterator[bytes]:
    """The app's answer up to `limit` body bytes, then the connection closed: the client has
    the status, the headers (with the full Content-Length) and part of the body."""
    sent = 0
    try:
        for data in result:
            if sent + len(data) >= limit:
                yield data[: limit - sent]
                _close_connection(environ)
                return
            sent += len(data)
            yield data
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def _dropped(start_response: StartResponse) -> Iterable[bytes]:
    # WSGI still wants a status; writing it to the shut socket fails, and the server gives up.
    start_response("500 INTERNAL SERVER ERROR", [("Content-Length", "0"), ("Connection", "close")])
    return []


def _error_response(
    start_response: StartResponse, status: int, *, html: bool, retry_after: float | None = None
) -> Iterable[bytes]:
    if html:
        # nginx's own error page: what sits in front of zenodo.org when the app is down or slow.
        reason = {502: "Bad Gateway", 504: "Gateway Time-out"}[status]
        body = (
            f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        ).encode()
        start_response(
            f"{status} {reason}",
            [
                ("Content-Type", "text/html"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]
    payload: dict[str, Any] = {"status": status, "message": _MESSAGES[status]}
    headers = []
    if status == 500:
        payload["error_id"] = secrets.token_hex(16)
    if status in (429, 503):
        headers.append(("Retry-After", f"{retry_after:g}" if retry_after is not None else "1"))
    return _json(start_response, status, payload, headers)


def _json(
    start_response: StartResponse, status: int, payload: Any, headers: list | None = None
) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase.upper()}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *(headers or []),
        ],
    )
    return [body]


def _read_body(environ: dict) -> bytes:
    if environ.get("wsgi.input_terminated"):  # chunked: read to its end (bodies.py caps it)
        return environ["wsgi.input"].read()
    length = declared_length(environ) or 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _drain(environ: dict) -> None:
    """Consume an unread request body (keeps the connection usable for the next request)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    length = declared_length(environ) or 0
    while length > 0:
        try:
            chunk = stream.read(min(length, 65536))
        except (OSError, HTTPException):
            return  # a broken body: nothing more to read
        if not chunk:
            break
        length -= len(chunk)
