"""A thin HTTP client for Zenodo: auth header, retries, rate limits, error mapping.

Everything a backend needs from the network and nothing about records:
- the token travels only in `Authorization: Bearer` (never `?access_token=`, which
  ends up in proxy and server logs), and is scrubbed from every message we build;
- a descriptive User-Agent, which Zenodo asks programmatic clients to send
  (docs/zenodo-behaviour.md §2; its rate-limit key is User-Agent + IP);
- retries with exponential backoff and jitter, honouring Retry-After, for requests
  that are safe to repeat. A POST that may have reached the server (create, publish,
  edit, newversion, discard) is never re-sent: a timeout on publish does not say
  whether the DOI was minted (the duplicate-DOI trap other Zenodo clients fall into), so we raise TransportError
  and let the engine re-read the server before deciding;
- every failure mapped to the ZsyncError family with the operation, the record id,
  the server's `message` and its per-field `errors` (docs/zenodo-behaviour.md §4).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import requests.auth
from urllib3.exceptions import NewConnectionError, ProtocolError

from zenodo_sync import __version__
from zenodo_sync.backends.ratelimit import RateLimiter, parse_retry_after
from zenodo_sync.errors import (
    AuthError,
    FieldError,
    NotFoundError,
    RateLimited,
    ServerError,
    TransportError,
    ValidationRejected,
)
from zenodo_sync.zenodo.tokens import SEPARATE_ACCOUNTS, where_to_create

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/zsync-zenodo/zsync"
DEFAULT_USER_AGENT = f"zsync/{__version__} (+{PROJECT_URL})"
# (connect, read) seconds. urllib3 also applies the first to each write of an upload's
# body, so it is generous for slow links (zenodo-rdm#1286). Reads are long because
# Zenodo's publish can take tens of seconds behind its proxy (zenodo/zenodo#2442) and
# large uploads wait for the server's md5.
DEFAULT_TIMEOUT = (30.0, 300.0)
DEFAULT_RETRIES = 5
# Statuses that mean "not done, try again later": the request was not processed.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
REDACTED = "<hidden>"
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Body:
    """A request body that can be produced again for a retry (e.g. a file re-opened)."""

    factory: Callable[[], Any]  # returns bytes, a file object or an iterable with __len__


class _BearerAuth(requests.auth.AuthBase):
    """Adds `Authorization: Bearer` (docs/zenodo-behaviour.md §2); its repr never shows the token."""

    def __init__(self, token: str):
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return f"_BearerAuth({REDACTED})"


class _ForeignRedirect(Exception):
    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class _OwnOriginSession(requests.Session):
    """Follows redirects only within the configured server's origin.

    requests drops the Authorization header on a redirect to another host, but would still
    re-send the body (a file, with 307/308) there; a redirect is a link like any other.
    """

    def __init__(self, is_own_origin: Callable[[str], bool]):
        super().__init__()
        self._is_own_origin = is_own_origin

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target is not None:
            absolute = urljoin(resp.url, target)
            if not self._is_own_origin(absolute):
                resp.close()
                raise _ForeignRedirect(absolute)
        return target


class HttpClient:
    """Sends requests to one Zenodo API base URL on behalf of one token.

    Thread-safe: each thread gets its own requests.Session (sessions are not
    documented as thread-safe); the rate limiter is shared.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        user_agent: str | None = None,
        limiter: RateLimiter | None = None,
        retries: int = DEFAULT_RETRIES,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self._token = token or None
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self.limiter = limiter
        self.retries = max(0, retries)
        self.timeout = timeout
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep  # every wait between attempts; apply swaps in one its stop cuts short
        self._local = threading.local()
        # Passing auth= also stops requests from reading ~/.netrc over our header.
        self._auth = _BearerAuth(self._token) if self._token else None

    def __repr__(self) -> str:
        token = REDACTED if self._token else None
        return f"HttpClient(base_url={self.base_url!r}, token={token!r}, user_agent={self.user_agent!r})"

    # -- helpers -------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    @property
    def has_token(self) -> bool:
        """Whether requests carry a token (say so when a restricted file is refused without one)."""
        return self._token is not None

    def is_own_origin(self, url: str) -> bool:
        """Whether `url` is on the configured server (same scheme, host and port)."""
        return _origin(url) == _origin(self.base_url)

    def redact(self, text: str) -> str:
        """The text with the token (if it somehow got in) replaced by <hidden>."""
        if self._token and self._token in text:
            text = text.replace(self._token, REDACTED)
        return text

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = _OwnOriginSession(self.is_own_origin)
            self._local.session = session
        return session

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if extra:
            headers.update(extra)
        return headers

    # -- the one entry point ---------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        operation: str,
        record_id: int | str | None = None,
        json: Any = None,
        body: Body | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        expect: Iterable[int] = (200,),
        timeout: float | tuple[float, float] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send one request; return the response if its status is in `expect`.

        `operation` ("publish", "upload data.csv", ...) and `record_id` only make
        messages actionable. Raises a ServerError subclass for every failure.
        `stream`: the body is not read yet (a download); the caller closes the response.
        """
        method = method.upper()
        url = self.url(path_or_url)
        if not self.is_own_origin(url):
            # A link from a response (links.bucket, ...) may name any host: the token goes
            # only to the server the user chose, so such a link is refused, not followed.
            raise self._foreign_link_error(url, operation, record_id)
        expected = frozenset(expect)
        repeatable = method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            started = time.monotonic()
            try:
                response = self._session().request(
                    method,
                    url,
                    json=json,
                    data=body.factory() if body else None,
                    params=params,
                    headers=self._headers(headers),
                    auth=self._auth,
                    timeout=timeout or self.timeout,
                    allow_redirects=True,
                    stream=stream,
                )
            except _ForeignRedirect as redirect:
                if self.limiter is not None:
                    self.limiter.failed()
                raise self._foreign_link_error(redirect.url, operation, record_id) from None
            except requests.RequestException as exc:
                if self.limiter is not None:
                    self.limiter.failed()
                sent = not _never_sent(exc)
                hopeless = isinstance(
                    exc,
                    (
                        requests.exceptions.InvalidURL,
                        requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema,
                        requests.exceptions.SSLError,
                    ),
                )
                if attempt < self.retries and (repeatable or not sent) and not hopeless:
                    attempt += 1
                    delay = self._backoff_delay(attempt)
                    log.warning(
                        "%s %s failed (%s); retry %d/%d in %.1f s",
                        method,
                        url,
                        self.redact(_short_exception(exc)),
                        attempt,
                        self.retries,
                        delay,
                    )
                    self.sleep(delay)
                    continue
                raise self._transport_error(exc, method, operation, record_id, sent) from None
            elapsed = time.monotonic() - started
            if self.limiter is not None:
                self.limiter.observe(response.status_code, response.headers)
            log.debug("%s %s -> %d (%.2f s)", method, url, response.status_code, elapsed)
            if response.status_code in expected:
                return response
            status = response.status_code
            # 429 is refused before the view runs, so even a POST was not processed.
            retryable = status in RETRY_STATUSES and (repeatable or status == 429)
            if retryable and attempt < self.retries:
                wait = self._retry_delay(attempt + 1, response)
                if wait is not None:
                    attempt += 1
                    when = f"in {wait:.1f} s" if wait else "when the rate limiter allows"
                    # A 429 under the limiter: the limiter says once that zsync is waiting,
                    # so each request need not say it again with its URL.
                    level = logging.INFO if status == 429 and self.limiter is not None else logging.WARNING
                    log.log(
                        level,
                        "%s %s answered %d; retry %d/%d %s",
                        method,
                        url,
                        status,
                        attempt,
                        self.retries,
                        when,
                    )
                    response.close()
                    self.sleep(wait)
                    continue
            raise self.error_for(response, operation=operation, record_id=record_id, method=method)

    def _backoff_delay(self, attempt: int) -> float:
        # Jitter (a random half of the window): workers that failed together do not come back together.
        ceiling = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def _retry_delay(self, attempt: int, response: requests.Response) -> float | None:
        """Seconds to wait before retrying, or None when the server asks for too long a wait."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            return self._backoff_delay(attempt)
        if retry_after > self.max_retry_after:
            return None  # e.g. the hourly budget is spent: better to stop and say so
        # The limiter (if any) already blocks until then; sleeping here too would double it.
        if self.limiter is not None and response.status_code == 429:
            return 0.0
        return retry_after

    # -- error mapping -----------------------------------------------------------------------

    def _foreign_link_error(self, url: str, operation: str, record_id: int | str | None) -> ServerError:
        scheme, host, port = _origin(url)
        own_scheme, own_host, own_port = _origin(self.base_url)
        return ServerError(
            f"Zenodo's answer pointed {_describe(operation, record_id)} at {scheme}://{host}:{port}, "
            f"which is not the configured server ({own_scheme}://{own_host}:{own_port}); zsync sends "
            "requests and its token only to that server, so it stopped.",
            hint="Check the server address (--server, ZSYNC_SERVER or `server:` in zsync.yaml). If it is "
            "right, something between zsync and the server rewrites its links: tell the server's "
            "operators, and do not work around it.",
        )

    def _transport_error(
        self,
        exc: requests.RequestException,
        method: str,
        operation: str,
        record_id: int | str | None,
        sent: bool,
    ) -> TransportError:
        what = _describe(operation, record_id)
        reason = self.redact(_short_exception(exc))
        if method not in IDEMPOTENT_METHODS and sent:
            hint = (
                "The request may have reached Zenodo before the connection failed, so zsync did not "
                "repeat it. Run the same zsync command again: it re-reads the server first and "
                "continues from what was actually done."
            )
        else:
            hint = (
                f"Check the network and the server address ({self.base_url}); Zenodo may also be down "
                "for maintenance. Running the command again is safe."
            )
        return TransportError(f"No answer from Zenodo for {what}: {reason}.", hint=hint, status=None)

    def error_for(
        self, response: requests.Response, *, operation: str, record_id: int | str | None, method: str = "GET"
    ) -> ServerError:
        """The ZsyncError that says what a failed response means for the user."""
        status = response.status_code
        message, field_errors = _server_message(response)
        message = self.redact(message)
        field_errors = [
            {
                "field": self.redact(str(e.get("field", ""))),
                "messages": [self.redact(m) for m in e.get("messages", [])],
            }
            for e in field_errors
        ]
        what = _describe(operation, record_id)
        detail = f" {message}" if message else ""
        if field_errors:
            detail += " " + "; ".join(
                f"{e['field'] or '(record)'}: {' '.join(e['messages'])}" for e in field_errors
            )
        if status in (401, 403):
            return AuthError(
                f"Zenodo refused {what}:{detail}",
                status=status,
                hint=_token_hint(self.base_url),
                field_errors=field_errors,
            )
        if status in (404, 410):
            hint = (
                "The record or file does not exist on this server (or no longer: a published record "
                "without an open edit draft also answers 404 to draft operations). Check the server "
                "address and the record id in zsync.lock; `zsync plan` re-reads the server."
            )
            return NotFoundError(
                f"Zenodo has no {_target(operation, record_id)} ({status}):{detail}",
                hint=hint,
                status=status,
                field_errors=field_errors,
            )
        if status == 400 or status == 422:
            if operation.startswith("upload") or any(e["field"].startswith("files") for e in field_errors):
                hint = (
                    "Check the manifest's `files`: Zenodo publishes only records with at least one "
                    "file, accepts no empty files and at most 100 files per record."
                )
            else:
                hint = (
                    "Fix the fields named above in the manifest, then run `zsync validate` and "
                    "`zsync plan` again."
                )
            return ValidationRejected(
                f"Zenodo rejected {what}:{detail}", hint=hint, status=status, field_errors=field_errors
            )
        if status == 413:
            return ValidationRejected(
                f"Zenodo refused {what} as too large (413):{detail}",
                hint="Zenodo accepts at most 50 GB per record and per file, and 100 files per record.",
                status=status,
                field_errors=field_errors,
            )
        if status == 429:
            return RateLimited(
                f"Zenodo is rate-limiting zsync; gave up on {what} after {self.retries} retries:{detail}",
                hint="Wait a few minutes and run the command again, or lower "
                "--parallelism. Zenodo allows about 100 requests a minute and 5000 "
                "an hour per user.",
                status=status,
            )
        if status >= 500:
            if method not in IDEMPOTENT_METHODS:
                hint = (
                    "Zenodo may have carried out the request even though it answered with an error "
                    "(a gateway timeout does not undo a publish), so zsync did not repeat it. Run "
                    "the same zsync command again: it re-reads the server first."
                )
            else:
                hint = "Zenodo had a server-side problem; try again later (the command is safe to re-run)."
            return TransportError(
                f"Zenodo failed on {what} ({status}):{detail}",
                hint=hint,
                status=status,
                field_errors=field_errors,
            )
        return ServerError(
            f"Zenodo answered {status} to {what}:{detail}",
            status=status,
            field_errors=field_errors,
            hint="This looks like a zsync bug or a change in Zenodo's API; please report "
            f"it at {PROJECT_URL}/issues with the command you ran.",
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in: what "the same server" means."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number: never the configured server
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def _token_hint(base_url: str) -> str:
    return (
        f"Check that ZENODO_TOKEN belongs to the account that owns this record, and that it is "
        f"{where_to_create(base_url)}. {SEPARATE_ACCOUNTS}"
    )


def _describe(operation: str, record_id: int | str | None) -> str:
    return f"{operation} on record {record_id}" if record_id is not None else operation


def _target(operation: str, record_id: int | str | None) -> str:
    if record_id is None:
        return f"such resource (for {operation})"
    return f"record {record_id} (for {operation})"


_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


def _server_message(response: requests.Response) -> tuple[str, list[FieldError]]:
    """The server's `message` and `errors` list; a short text for non-JSON bodies.

    Zenodo's JSON errors are `{"status", "message", "errors": [{"field", "messages": [...]}]}`
    (older servers: `"message"` per field). Gateways answer 502/504 with an HTML page
    (eblondel/zen4R#100), which must not turn into a JSON decoding crash.
    """
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = str(data.get("message") or "").strip()
        errors: list[FieldError] = []
        for item in data.get("errors") or []:
            if not isinstance(item, dict):
                errors.append({"field": "", "messages": [str(item)]})
                continue
            messages = item.get("messages")
            if messages is None:
                messages = item.get("message", "")
            if not isinstance(messages, list):
                messages = [messages]
            errors.append({"field": str(item.get("field") or ""), "messages": [str(m) for m in messages]})
        return message, errors
    text = response.text or ""
    reason = response.reason or ""
    head = text[:500].lower()
    if "<html" in head or "<!doctype" in head:
        title = _TITLE.search(text)
        page = _SPACE.sub(" ", title.group(1)).strip() if title else ""
        return f"an HTML error page from a proxy in front of Zenodo ({page or reason})", []
    text = _SPACE.sub(" ", _TAG.sub(" ", text)).strip()
    if len(text) > 200:
        text = text[:197] + "..."
    return (text or reason), []


def _short_exception(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, requests.ConnectionError):
        root = exc.args[0] if exc.args else exc
        reason = getattr(root, "reason", None) or root
        if isinstance(reason, ProtocolError) and len(reason.args) > 1:
            # ("Connection aborted.", RemoteDisconnected("Remote end closed ...")): say the second.
            reason = reason.args[1]
        text = str(reason)
        # urllib3 messages repeat the pool and URL; keep the part that says why.
        if ": " in text and "Failed to establish" in text:
            text = text.split(": ", 1)[1]
        return f"connection failed ({text})"
    return f"{type(exc).__name__}: {exc}"


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (so even a POST may be retried)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        root = exc.args[0] if exc.args else None
        reason = getattr(root, "reason", None)
        return isinstance(reason, NewConnectionError) or isinstance(root, NewConnectionError)
    return False
