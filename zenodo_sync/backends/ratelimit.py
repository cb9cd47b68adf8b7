"""One client-side rate limiter shared by every worker thread talking to one server.

Zenodo limits authenticated clients to about 100 requests a minute and 5000 an hour,
answers 429 beyond that, and tells the client where it stands on every response:
`X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix epoch seconds) and `Retry-After`
(seconds) (zenodo-api.md §5). Rather than spending requests on 429s (peers.md pain
point 14: CI runs timing out after hours of 429s), the limiter blocks *before*
sending once the server said the budget is spent, and optionally also enforces a
client-side cap (requests per minute) for servers that do not send the headers.
"""

from __future__ import annotations

import collections
import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

# A reset header this far in the future is not trusted (clock skew or a broken proxy);
# longer waits are capped so that one bad header cannot stall an apply for hours.
DEFAULT_MAX_WAIT = 300.0
# Reset values below this are "seconds from now", above it Unix epoch seconds: both
# conventions exist among Flask-Limiter deployments.
_EPOCH_THRESHOLD = 1_000_000_000


ANNOUNCE_WAIT = 2.0  # seconds: shorter waits are not worth a line on stderr


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _as_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # requests' CaseInsensitiveDict and plain dicts (tests) both work.
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


class RateLimiter:
    """Blocks callers of `acquire()` while the server's (or our own) budget is spent.

    Thread-safe: one instance is meant to be shared by all workers of an apply, since
    Zenodo counts requests per user (or User-Agent + IP), not per connection.
    """

    def __init__(self, per_minute: float | None = None, *, max_wait: float = DEFAULT_MAX_WAIT,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep):
        if per_minute is not None and per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self.max_wait = max_wait
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._announced_until = 0.0
        self._lock = threading.Lock()
        self._sent: collections.deque[float] = collections.deque()  # monotonic send times, last minute
        self._remaining: int | None = None  # server's budget as last reported, minus what we sent since
        self._reset_at: float | None = None  # monotonic time the server's window resets
        self._blocked_until = 0.0  # monotonic; from Retry-After on a 429
        self.waited = 0.0  # total seconds spent blocking: for reports and tests

    # -- before a request --------------------------------------------------------------

    def acquire(self) -> None:
        """Wait until one more request may be sent, then count it as sent."""
        while True:
            with self._lock:
                delay = self._delay_locked()
                if delay <= 0:
                    self._note_sent_locked()
                    return
                self.waited += delay
                # A wait a user would notice is said once (not once per worker), so a pause
                # for Zenodo's budget (§5) is not mistaken for a hang.
                now = self._clock()
                announce = delay >= ANNOUNCE_WAIT and now >= self._announced_until
                if announce:
                    self._announced_until = now + delay
            if announce:
                log.warning("Zenodo's rate limit: waiting %.0f s before the next request", delay)
            else:
                log.info("Rate limit: waiting %.1f s before the next request", delay)
            self._sleep(delay)

    def _delay_locked(self) -> float:
        now = self._clock()
        delay = self._blocked_until - now
        if self._remaining is not None and self._remaining <= 0 and self._reset_at is not None:
            if self._reset_at > now:
                delay = max(delay, self._reset_at - now)
            else:  # the window has reset: the server's budget is unknown until the next answer
                self._remaining = None
                self._reset_at = None
        if self.per_minute is not None:
            while self._sent and self._sent[0] <= now - 60.0:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                delay = max(delay, self._sent[0] + 60.0 - now)
        return min(delay, self.max_wait)

    def _note_sent_locked(self) -> None:
        if self.per_minute is not None:
            self._sent.append(self._clock())
        if self._remaining is not None:
            self._remaining -= 1

    # -- after a response --------------------------------------------------------------

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn the server's budget from one response's headers (any status)."""
        remaining = _header(headers, "X-RateLimit-Remaining")
        reset = _header(headers, "X-RateLimit-Reset")
        retry_after = parse_retry_after(_header(headers, "Retry-After"), now=self._wall_clock())
        reported = _as_int(remaining)
        with self._lock:
            now = self._clock()
            new_reset = None
            if reset is not None:
                seconds = self._seconds_until(reset)
                if seconds is not None:
                    new_reset = now + seconds
            new_window = (new_reset is not None
                          and (self._reset_at is None or new_reset > self._reset_at + 1.0))
            if reported is not None:
                if new_window or self._remaining is None:
                    self._remaining = reported
                else:
                    # Answers to concurrent requests arrive out of order; an older, higher
                    # count must not undo what newer requests already spent in this window.
                    self._remaining = min(self._remaining, reported)
            if new_reset is not None:
                self._reset_at = new_reset
            if status == 429:
                wait = retry_after
                if wait is None and self._reset_at is not None:
                    wait = max(0.0, self._reset_at - now)
                if wait is None:
                    wait = 1.0
                self._blocked_until = max(self._blocked_until, now + min(wait, self.max_wait))
                self._remaining = 0 if self._remaining is None else min(self._remaining, 0)

    def _seconds_until(self, reset: str) -> float | None:
        try:
            value = float(reset)
        except ValueError:
            return None
        if value >= _EPOCH_THRESHOLD:
            value = value - self._wall_clock()
        return max(0.0, min(value, self.max_wait))

    def __repr__(self) -> str:
        return (f"RateLimiter(per_minute={self.per_minute}, remaining={self._remaining}, "
                f"waited={self.waited:.1f}s)")
