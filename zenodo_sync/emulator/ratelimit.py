"""Server-side rate limits as zenodo.org applies them (docs/zenodo-behaviour.md §5).

Zenodo runs Flask-Limiter with the *moving window* strategy and headers enabled:

* the key is User-Agent + remote IP for *every* client, token or not: invenio-app sets the
  limits as ``RATELIMIT_APPLICATION = set_rate_limit`` and its default key function is
  ``str(request.user_agent) + request.remote_addr``; Zenodo's invenio.cfg overrides neither
  (invenio-app ``config.py``/``limiter.py``, docs/zenodo-behaviour.md §2, §5). So two tokens used from
  one machine with one User-Agent share a budget. ``key_by="user"`` keys authenticated
  requests by user instead, for deployments that configure it;
* the *amount* depends on the caller: guests 133/minute and 8000/hour, authenticated users
  100/minute and 5000/hour. Flask-Limiter's counter key includes the limit itself, so guest
  and authenticated traffic from one key are counted apart;
* a per-endpoint limit *replaces* the global one: records search (`GET /api/records`) is
  30/minute for everyone, counted in its own bucket;
* every response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
  (Unix epoch seconds) and `Retry-After`; past the limit the answer is 429.

A moving window counts the hits of the last `period` seconds, so a slot frees exactly
`period` seconds after the hit that took it (no fixed minute boundaries to game). A rejected
request takes no slot, as in Flask-Limiter (a client hammering through 429s is not punished
further). The clock is injectable so tests can walk through windows without sleeping.

`period_scale` shrinks every window by one factor (0.05: "100 per minute" becomes 100 per
3 seconds) so that end-to-end tests meet the limits in seconds; the headers and the 429
message then announce the scaled windows, so a client sees one consistent server.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MINUTE = 60.0
HOUR = 3600.0

# docs/zenodo-behaviour.md §5: ZR invenio.cfg RATELIMIT_GUEST_USER / invenio-app default for users /
# RATELIMIT_PER_ENDPOINT for records search.
GUEST_PER_MINUTE = 133
GUEST_PER_HOUR = 8000
USER_PER_MINUTE = 100
USER_PER_HOUR = 5000
SEARCH_PER_MINUTE = 30


@dataclass(frozen=True)
class Limit:
    amount: int
    period: float  # seconds

    def describe(self) -> str:
        # Flask-Limiter's wording, which Zenodo puts in the 429 message ("100 per 1 minute").
        if self.period == MINUTE:
            unit = "1 minute"
        elif self.period == HOUR:
            unit = "1 hour"
        else:
            unit = f"{self.period:g} seconds"
        return f"{self.amount} per {unit}"


@dataclass(frozen=True)
class Verdict:
    """What the limiter decided for one request, with the numbers for the headers."""

    allowed: bool
    limit: Limit  # the limit reported in the headers: the breached one, else the shortest window
    remaining: int
    reset: float  # epoch seconds when the next slot of `limit` frees up
    now: float

    @property
    def retry_after(self) -> int:
        seconds = max(0, math.ceil(self.reset - self.now))
        # A 429 must never tell the client to retry "now".
        return max(1, seconds) if not self.allowed else seconds

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("X-RateLimit-Limit", str(self.limit.amount)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", str(math.ceil(self.reset))),
            ("Retry-After", str(self.retry_after)),
        ]


class MovingWindowLimiter:
    """Thread-safe moving-window counters, one deque of hit times per (bucket, key, limit)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str, Limit], collections.deque[float]] = {}

    def hit(self, bucket: str, key: str, limits: Iterable[Limit]) -> Verdict:
        limits = sorted(limits, key=lambda lim: lim.period)
        if not limits:
            raise ValueError("at least one limit is needed")
        with self._lock:
            now = self._clock()
            windows = [self._window(bucket, key, lim, now) for lim in limits]
            breached = [(lim, w) for lim, w in zip(limits, windows, strict=False) if len(w) >= lim.amount]
            if breached:
                # Check every limit before taking any slot, so a request refused by the hourly
                # limit does not also eat a slot of the minute limit.
                # Report the breached limit that frees up last: its reset is the honest wait.
                lim, window = max(breached, key=lambda pair: pair[1][0] + pair[0].period)
                return Verdict(False, lim, 0, window[0] + lim.period, now)
            for window in windows:
                window.append(now)
            lim, window = limits[0], windows[0]
            return Verdict(True, lim, lim.amount - len(window), window[0] + lim.period, now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def _window(self, bucket: str, key: str, lim: Limit, now: float) -> collections.deque[float]:
        window = self._hits.setdefault((bucket, key, lim), collections.deque())
        while window and window[0] <= now - lim.period:
            window.popleft()
        return window


@dataclass(frozen=True)
class RateLimitPolicy:
    """Which limits apply to a request, as numbers taken from the emulator config."""

    user_per_minute: int = USER_PER_MINUTE
    user_per_hour: int = USER_PER_HOUR
    guest_per_minute: int = GUEST_PER_MINUTE
    guest_per_hour: int = GUEST_PER_HOUR
    search_per_minute: int = SEARCH_PER_MINUTE
    key_by: str = "ua-ip"  # "ua-ip" (Zenodo's default key) or "user" (authenticated users by user id)
    period_scale: float = 1.0  # every window's length times this (module docstring)

    @classmethod
    def from_config(cls, config: object) -> RateLimitPolicy:
        def number(name: str, default: int) -> int:
            value = getattr(config, name, None)
            return default if value is None else int(value)

        return cls(
            user_per_minute=number("per_minute", USER_PER_MINUTE),
            user_per_hour=number("per_hour", USER_PER_HOUR),
            guest_per_minute=number("guest_per_minute", GUEST_PER_MINUTE),
            guest_per_hour=number("guest_per_hour", GUEST_PER_HOUR),
            search_per_minute=number("search_per_minute", SEARCH_PER_MINUTE),
            key_by=getattr(config, "rate_limit_key", None) or "ua-ip",
            period_scale=float(getattr(config, "rate_window_scale", None) or 1.0),
        )

    def key_for(self, user: object | None, user_agent: str, remote_addr: str) -> str:
        """The counter key of one request (see the module docstring)."""
        if user is not None and self.key_by == "user":
            return f"user:{user}"
        return f"ua-ip:{user_agent}|{remote_addr}"

    def limits_for(self, method: str, path: str, authenticated: bool) -> tuple[str, list[Limit]]:
        """The bucket name and limits of one request (per-endpoint limits replace the global)."""
        minute, hour = MINUTE * self.period_scale, HOUR * self.period_scale
        if method in ("GET", "HEAD") and path.rstrip("/") == "/api/records":
            return "records-search", [Limit(self.search_per_minute, minute)]
        if authenticated:
            return "global", [Limit(self.user_per_minute, minute), Limit(self.user_per_hour, hour)]
        return "global", [Limit(self.guest_per_minute, minute), Limit(self.guest_per_hour, hour)]
