"""A long wait for Zenodo's budget is said once on stderr, so it is not mistaken for a hang."""

from __future__ import annotations

import logging

from zenodo_sync.backends.ratelimit import RateLimiter


def test_a_long_wait_is_announced_once_and_short_ones_quietly(caplog):
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(per_minute=2, clock=lambda: now[0], sleep=sleep)
    with caplog.at_level(logging.INFO, logger="zenodo_sync.backends.ratelimit"):
        for _ in range(3):  # the third request waits for the minute's budget
            limiter.acquire()
    announced = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(announced) == 1 and "rate limit: waiting" in announced[0].getMessage()
    assert limiter.waited >= 2
