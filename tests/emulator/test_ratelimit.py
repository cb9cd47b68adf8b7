"""Zenodo's rate limits in the emulator (docs/zenodo-behaviour.md §5), over real HTTP on 127.0.0.1.

The middleware is tested around a tiny WSGI app of its own (so these tests do not depend
on the emulator core) with an injected clock, so windows are walked through without sleeping.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from werkzeug.serving import make_server

from zenodo_sync.emulator.middleware import wrap_app
from zenodo_sync.emulator.ratelimit import HOUR, MINUTE, Limit, MovingWindowLimiter, RateLimitPolicy

TOKEN = "secret-token-1"
OTHER_TOKEN = "secret-token-2"


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def echo_app(environ, start_response):
    body = json.dumps({"path": environ["PATH_INFO"]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture
def limited(clock) -> Iterator[str]:
    config = SimpleNamespace(
        rate_limits=True,
        per_minute=5,
        per_hour=8,
        search_per_minute=3,
        guest_per_minute=4,
        guest_per_hour=100,
        tokens={TOKEN: 1, OTHER_TOKEN: 2},
        faults=None,
        fault_seed=None,
    )
    url, server = serve(wrap_app(echo_app, config, clock=clock))
    yield url
    server.shutdown()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- the moving window itself -------------------------------------------------------------


def test_moving_window_frees_a_slot_exactly_one_period_after_the_hit(clock):
    limiter = MovingWindowLimiter(clock=clock)
    limits = [Limit(2, MINUTE)]
    assert limiter.hit("b", "k", limits).allowed
    clock.advance(30)
    assert limiter.hit("b", "k", limits).allowed
    refused = limiter.hit("b", "k", limits)
    assert not refused.allowed
    assert refused.reset == pytest.approx(clock.now - 30 + 60)  # first hit + 60 s
    assert refused.retry_after == 30
    clock.advance(30)  # the first hit leaves the window; the second stays
    verdict = limiter.hit("b", "k", limits)
    assert verdict.allowed and verdict.remaining == 0
    assert not limiter.hit("b", "k", limits).allowed


def test_refused_requests_do_not_take_slots(clock):
    limiter = MovingWindowLimiter(clock=clock)
    limits = [Limit(1, MINUTE)]
    assert limiter.hit("b", "k", limits).allowed
    for _ in range(10):
        clock.advance(1)
        assert not limiter.hit("b", "k", limits).allowed
    clock.advance(50)  # 61 s after the only hit: free again despite the ten refusals
    assert limiter.hit("b", "k", limits).allowed


def test_hour_limit_binds_after_minutes_pass_and_reports_the_hour(clock):
    limiter = MovingWindowLimiter(clock=clock)
    limits = [Limit(2, MINUTE), Limit(3, HOUR)]
    for _ in range(3):
        assert limiter.hit("b", "k", limits).allowed
        clock.advance(61)
    refused = limiter.hit("b", "k", limits)
    assert not refused.allowed
    assert refused.limit == Limit(3, HOUR)
    assert refused.retry_after == 3600 - 3 * 61


def test_limiter_is_thread_safe(clock):
    limiter = MovingWindowLimiter(clock=clock)
    limits = [Limit(100, MINUTE)]
    with ThreadPoolExecutor(8) as pool:
        verdicts = list(pool.map(lambda _: limiter.hit("b", "k", limits).allowed, range(400)))
    assert verdicts.count(True) == 100


def test_policy_defaults_are_zenodos_numbers():
    policy = RateLimitPolicy.from_config(SimpleNamespace(per_minute=None, per_hour=None))
    assert policy.limits_for("POST", "/api/deposit/depositions", True) == (
        "global",
        [Limit(100, MINUTE), Limit(5000, HOUR)],
    )
    assert policy.limits_for("GET", "/api/deposit/depositions", False) == (
        "global",
        [Limit(133, MINUTE), Limit(8000, HOUR)],
    )
    for authenticated in (True, False):
        assert policy.limits_for("GET", "/api/records", authenticated) == (
            "records-search",
            [Limit(30, MINUTE)],
        )
    # A single record is not the search endpoint.
    assert policy.limits_for("GET", "/api/records/123", True)[0] == "global"


# --- over HTTP ---------------------------------------------------------------------------------


def test_headers_on_every_response_and_429_past_the_minute_limit(limited, clock):
    for expected_remaining in (4, 3, 2, 1, 0):
        response = requests.get(limited + "/api/deposit/depositions", headers=bearer(TOKEN))
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "5"
        assert response.headers["X-RateLimit-Remaining"] == str(expected_remaining)
        assert int(response.headers["X-RateLimit-Reset"]) == int(clock.now + 60)
        assert response.headers["Retry-After"] == "60"
    clock.advance(20)
    refused = requests.get(limited + "/api/deposit/depositions", headers=bearer(TOKEN))
    assert refused.status_code == 429
    assert refused.json() == {"status": 429, "message": "5 per 1 minute"}
    assert refused.headers["Retry-After"] == "40"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    clock.advance(40)
    assert requests.get(limited + "/api/deposit/depositions", headers=bearer(TOKEN)).status_code == 200


def test_one_machine_and_user_agent_share_one_budget_whatever_the_token(limited):
    # invenio-app keys every client by User-Agent + IP, token or not (ratelimit.py docstring).
    for _ in range(3):
        assert requests.get(limited + "/api/x", headers=bearer(TOKEN)).ok
    for _ in range(2):
        assert requests.get(limited + "/api/x", params={"access_token": TOKEN}).ok
    assert requests.get(limited + "/api/x", params={"access_token": TOKEN}).status_code == 429
    assert requests.get(limited + "/api/x", headers=bearer(OTHER_TOKEN)).status_code == 429
    elsewhere = requests.get(
        limited + "/api/x", headers={**bearer(OTHER_TOKEN), "User-Agent": "other-tool/1.0"}
    )
    assert elsewhere.ok and elsewhere.headers["X-RateLimit-Remaining"] == "4"


def test_key_by_user_gives_each_user_a_budget_across_user_agents(clock):
    config = SimpleNamespace(
        rate_limits=True,
        per_minute=2,
        rate_limit_key="user",
        tokens={TOKEN: 1, OTHER_TOKEN: 2},
        faults=None,
        fault_seed=None,
    )
    url, server = serve(wrap_app(echo_app, config, clock=clock))
    try:
        for agent in ("tool-a", "tool-b"):
            assert requests.get(url + "/api/x", headers={**bearer(TOKEN), "User-Agent": agent}).ok
        assert (
            requests.get(url + "/api/x", headers={**bearer(TOKEN), "User-Agent": "tool-c"}).status_code == 429
        )
        assert requests.get(url + "/api/x", headers={**bearer(OTHER_TOKEN), "User-Agent": "tool-a"}).ok
    finally:
        server.shutdown()


def test_hourly_limit_over_http(limited, clock):
    for _ in range(8):
        assert requests.post(limited + "/api/x", headers=bearer(TOKEN)).ok
        clock.advance(61)
    refused = requests.post(limited + "/api/x", headers=bearer(TOKEN))
    assert refused.status_code == 429
    assert refused.json()["message"] == "8 per 1 hour"
    assert refused.headers["X-RateLimit-Limit"] == "8"


def test_guests_are_keyed_by_user_agent_and_get_guest_limits(limited):
    first = {"User-Agent": "guest-a"}
    for _ in range(4):
        response = requests.get(limited + "/api/x", headers=first)
        assert response.ok and response.headers["X-RateLimit-Limit"] == "4"
    assert requests.get(limited + "/api/x", headers=first).status_code == 429
    assert requests.get(limited + "/api/x", headers={"User-Agent": "guest-b"}).ok
    # An unknown token runs as a guest (docs/zenodo-behaviour.md §2), so it shares guest-a's counter.
    assert requests.get(limited + "/api/x", headers={**first, **bearer("nonsense")}).status_code == 429
    # A valid token from the same key is limited by another limit, counted apart (as Flask-Limiter).
    authenticated = requests.get(limited + "/api/x", headers={**first, **bearer(TOKEN)})
    assert authenticated.ok and authenticated.headers["X-RateLimit-Limit"] == "5"


def test_records_search_has_its_own_30_per_minute_style_bucket(limited):
    for _ in range(3):
        response = requests.get(limited + "/api/records", params={"q": "owners:1"}, headers=bearer(TOKEN))
        assert response.ok and response.headers["X-RateLimit-Limit"] == "3"
    assert requests.get(limited + "/api/records", headers=bearer(TOKEN)).status_code == 429
    # The per-endpoint limit replaced the global one: the user's global budget is untouched.
    other = requests.get(limited + "/api/records/7", headers=bearer(TOKEN))
    assert other.ok and other.headers["X-RateLimit-Remaining"] == "4"


def test_admin_endpoint_is_not_limited_and_resets_counters(limited):
    for _ in range(5):
        requests.get(limited + "/api/x", headers=bearer(TOKEN))
    assert requests.get(limited + "/api/x", headers=bearer(TOKEN)).status_code == 429
    admin = requests.get(limited + "/api/_emulator/faults", headers=bearer(TOKEN))
    assert admin.ok and "X-RateLimit-Limit" not in admin.headers
    assert requests.delete(limited + "/api/_emulator/ratelimits").json() == {"enabled": True}
    assert requests.get(limited + "/api/x", headers=bearer(TOKEN)).ok


def test_fast_profile_sends_no_limits(clock):
    config = SimpleNamespace(rate_limits=False, per_minute=1, tokens={TOKEN: 1}, faults=None, fault_seed=None)
    url, server = serve(wrap_app(echo_app, config, clock=clock))
    try:
        for _ in range(5):
            response = requests.get(url + "/api/x", headers=bearer(TOKEN))
            assert response.ok and "X-RateLimit-Limit" not in response.headers
    finally:
        server.shutdown()
