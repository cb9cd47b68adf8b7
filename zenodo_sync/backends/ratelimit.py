"""One client-side rate limiter shared by every worker thread talking to one server.

Zenodo limits authenticated clients to about 100 requests a minute and 5000 an hour,
answers 429 beyond that, and tells the client where it stands on every response:
`X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix epoch seconds) and `Retry-After`
(seconds) (docs/zenodo-behaviour.md §5). Rather than spending requests on 429s (users of other
Zenodo tools report CI runs timing out after hours of 429s), the limiter reserves budget *before*
sending, across all threads, and optionally also enforces a client-side cap (requests
per minute) for servers that do not send the headers.
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
# Longest wait for a probe's answer before another request may try: a lost answer must not
# stall every worker.
PROBE_WAIT = 30.0


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
    """Reserves one unit of the server's (or our own) budget per request, before sending.

    Thread-safe: one instance is meant to be shared by all workers of an apply, since
    Zenodo counts requests per user (or User-Agent + IP), not per connection.

    The budget is what the server last reported (`X-RateLimit-Remaining`) minus every request
    sent since and not yet answered: an answer cannot have counted requests still on their
    way, so they are assumed to take a slot each. Answers arrive out of order, so a report
    only ever lowers the budget. It grows back one way only: once the server's reset time has
    passed, a single request goes out as a probe and the others wait for its answer. Zenodo's
    windows move (§5): its reset is when the *oldest* slot frees, not when the whole budget
    returns, so a burst after the reset would meet 429s.
    """

    def __init__(
        self,
        per_minute: float | None = None,
        *,
        max_wait: float = DEFAULT_MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_minute is not None and per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self.max_wait = max_wait
        self._clock = clock
        self._wall_clock = wall_clock
        self.sleep = sleep  # apply swaps in one its stop cuts short
        self._announced = False
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)  # notified on every answer
        self._sent: collections.deque[float] = collections.deque()  # monotonic send times, last minute
        self._remaining: int | None = None  # budget left to reserve; None: unknown
        self._reset_at: float | None = None  # monotonic time the server's oldest slot frees
        self._blocked_until = 0.0  # monotonic; from Retry-After on a 429
        self._unanswered = 0  # requests sent (budget reserved) and not answered yet
        self._limited = False  # the server has announced a budget: growth goes through a probe
        self._probe_since: float | None = None  # monotonic send time of the probe in flight
        self.waited = 0.0  # total seconds spent blocking: for reports and tests

    # -- before a request --------------------------------------------------------------

    def acquire(self) -> None:
        """Wait until one more request may be sent, then count it as sent."""
        while True:
            with self._lock:
                delay = self._delay_locked()
                if delay is None:
                    # A probe is out: its answer says how much budget came back.
                    self._answered.wait(timeout=PROBE_WAIT)
                    continue
                if delay <= 0:
                    self._note_sent_locked()
                    return
                self.waited += delay
                # The first noticeable wait is said once (not once per worker or request), so
                # a pause for Zenodo's budget (§5) is not mistaken for a hang.
                announce = delay >= ANNOUNCE_WAIT and not self._announced
                if announce:
                    self._announced = True
            if announce:
                log.warning(
                    "Zenodo's rate limit: waiting %.0f s before the next request (and again "
                    "whenever the budget is spent)",
                    delay,
                )
            else:
                log.info("Rate limit: waiting %.1f s before the next request", delay)
            self.sleep(delay)

    def _delay_locked(self) -> float | None:
        """Seconds to wait before sending; 0 to send now; None to wait for the probe's answer."""
        now = self._clock()
        delay = self._blocked_until - now
        if self._remaining is not None and self._remaining <= 0:
            if self._reset_at is not None and self._reset_at > now:
                delay = max(delay, self._reset_at - now)
            elif delay <= 0:
                # The oldest slot has freed: how many came back is unknown until the next answer.
                self._remaining = None
                self._reset_at = None
        if delay <= 0 and self._remaining is None and self._limited:
            probe_lost = self._probe_since is not None and now - self._probe_since > PROBE_WAIT
            if self._probe_since is not None and not probe_lost:
                return None
        if self.per_minute is not None:
            while self._sent and self._sent[0] <= now - 60.0:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                delay = max(delay, self._sent[0] + 60.0 - now)
        return min(delay, self.max_wait)

    def _note_sent_locked(self) -> None:
        now = self._clock()
        if self.per_minute is not None:
            self._sent.append(now)
        if self._remaining is not None:
            self._remaining -= 1
        elif self._limited:
            self._probe_since = now
        self._unanswered += 1

    # -- after a request ---------------------------------------------------------------

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn the server's budget from one response's headers (any status)."""
        remaining = _header(headers, "X-RateLimit-Remaining")
        reset = _header(headers, "X-RateLimit-Reset")
        retry_after = parse_retry_after(_header(headers, "Retry-After"), now=self._wall_clock())
        reported = _as_int(remaining)
        with self._lock:
            self._answer_locked()
            now = self._clock()
            new_reset = None
            if reset is not None:
                seconds = self._seconds_until(reset)
                if seconds is not None:
                    new_reset = now + seconds
            if reported is not None:
                self._limited = True
                # Requests still unanswered may not have been counted in this report yet.
                budget = reported - self._unanswered
                self._remaining = budget if self._remaining is None else min(self._remaining, budget)
            if new_reset is not None:
                # The latest reset is the oldest slot as the server last saw it.
                self._reset_at = new_reset if self._reset_at is None else max(self._reset_at, new_reset)
            if status == 429:
                wait = retry_after
                if wait is None and self._reset_at is not None:
                    wait = max(0.0, self._reset_at - now)
                if wait is None:
                    wait = 1.0
                self._blocked_until = max(self._blocked_until, now + min(wait, self.max_wait))
                self._remaining = 0 if self._remaining is None else min(self._remaining, 0)

    def failed(self) -> None:
        """A request got no answer (connection error): it no longer holds back the budget."""
        with self._lock:
            self._answer_locked()

    def _answer_locked(self) -> None:
        self._unanswered = max(0, self._unanswered - 1)
        self._probe_since = None
        self._answered.notify_all()

    def _seconds_until(self, reset: str) -> float | None:
        try:
            value = float(reset)
        except ValueError:
            return None
        if value >= _EPOCH_THRESHOLD:
            value = value - self._wall_clock()
        return max(0.0, min(value, self.max_wait))

    def __repr__(self) -> str:
        return (
            f"RateLimiter(per_minute={self.per_minute}, remaining={self._remaining}, "
            f"waited={self.waited:.1f}s)"
        )
