"""The client-side limiter on a fake clock: it blocks before sending, never after."""

from __future__ import annotations

import threading

from zenodo_sync.backends.ratelimit import RateLimiter, parse_retry_after


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.wall = 1_800_000_000.0
        self.slept: list[float] = []

    def clock(self):
        return self.now

    def wall_clock(self):
        return self.wall

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds
        self.wall += seconds


def limiter(fake, **kwargs):
    return RateLimiter(clock=fake.clock, wall_clock=fake.wall_clock, sleep=fake.sleep, **kwargs)


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0


def test_no_headers_no_cap_never_waits():
    fake = FakeTime()
    lim = limiter(fake)
    for _ in range(500):
        lim.acquire()
    assert fake.slept == []


def test_spent_budget_blocks_until_the_server_reset():
    fake = FakeTime()
    lim = limiter(fake)
    lim.acquire()
    lim.observe(200, {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": str(int(fake.wall + 20))})
    lim.acquire()  # the last request of the window
    assert fake.slept == []
    lim.acquire()  # budget spent: wait for the reset instead of collecting a 429
    assert fake.slept == [20.0]
    # That request probed the new window; its answer says how much budget came back.
    lim.observe(200, {"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": str(int(fake.wall + 20))})
    lim.acquire()  # new window: no wait
    assert fake.slept == [20.0]


def test_after_the_reset_one_probe_goes_out_and_the_others_wait_for_its_answer():
    # A moving window frees one slot at the reset, not the whole budget (zenodo-api.md §5).
    fake = FakeTime()
    lim = limiter(fake)
    lim.observe(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(fake.wall + 5))})
    lim.acquire()  # waits for the reset, then goes out as the probe
    assert fake.slept == [5.0]
    second = threading.Thread(target=lim.acquire)
    second.start()
    second.join(timeout=0.3)
    assert second.is_alive(), "a second request went out before the probe was answered"
    lim.observe(200, {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": str(int(fake.wall + 5))})
    second.join(timeout=5)
    assert not second.is_alive()


def test_unanswered_requests_hold_their_slots():
    fake = FakeTime()
    lim = limiter(fake)
    lim.acquire()
    lim.observe(200, {"X-RateLimit-Remaining": "4", "X-RateLimit-Reset": str(int(fake.wall + 9))})
    for _ in range(4):  # four requests in flight at once, parallel workers
        lim.acquire()
    # The first answer was counted before the other three reached the server: it says 3 left,
    # but the three unanswered requests take those, so the next request waits.
    lim.observe(200, {"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": str(int(fake.wall + 9))})
    lim.acquire()
    assert fake.slept == [9.0]


def test_relative_reset_seconds_are_understood():
    fake = FakeTime()
    lim = limiter(fake)
    lim.observe(200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"})
    lim.acquire()
    assert fake.slept == [7.0]


def test_429_blocks_for_retry_after():
    fake = FakeTime()
    lim = limiter(fake)
    lim.observe(429, {"Retry-After": "4"})
    lim.acquire()
    assert fake.slept == [4.0]


def test_retry_after_on_a_200_is_not_a_block():
    # Zenodo sends Retry-After on ordinary answers too (zenodo-api.md §5).
    fake = FakeTime()
    lim = limiter(fake)
    lim.observe(200, {"Retry-After": "60", "X-RateLimit-Remaining": "99"})
    lim.acquire()
    assert fake.slept == []


def test_out_of_order_answers_do_not_raise_the_budget():
    fake = FakeTime()
    lim = limiter(fake)
    reset = str(int(fake.wall + 30))
    lim.observe(200, {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": reset})
    lim.observe(200, {"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": reset})  # an older answer
    lim.acquire()
    lim.acquire()
    assert fake.slept == [30.0]


def test_client_side_cap_per_minute():
    fake = FakeTime()
    lim = limiter(fake, per_minute=3)
    for _ in range(3):
        lim.acquire()
        fake.now += 1
    lim.acquire()
    assert fake.slept == [57.0]


def test_waits_are_capped():
    fake = FakeTime()
    lim = limiter(fake, max_wait=10)
    lim.observe(429, {"Retry-After": "3600"})
    lim.acquire()
    assert fake.slept == [10.0]


def test_shared_by_threads_without_exceeding_the_cap():
    lim = RateLimiter(per_minute=50)
    count = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            lim.acquire()
            with lock:
                count.append(1)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len(count) == 50 and lim.waited == 0
