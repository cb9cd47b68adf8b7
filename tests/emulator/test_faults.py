"""Fault injection (faults.py + middleware.py): the spec language and each fault over real HTTP.

The middleware is served around a tiny counting WSGI app here, so "the server committed"
is observable as a counter; test_faults_emulator.py does the same against the real emulator.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from werkzeug.serving import make_server

from zenodo_sync.emulator.faults import FaultSet, FaultSpecError, parse_spec
from zenodo_sync.emulator.middleware import FAULTS_ENV, wrap_app


class CountingApp:
    """Counts committed writes; echoes the body length it read (to see slow reads complete)."""

    def __init__(self) -> None:
        self.commits = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if environ["REQUEST_METHOD"] != "GET":
            with self.lock:
                self.commits += 1
        payload = json.dumps({"commits": self.commits, "received": len(body)}).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        )
        return [payload]


class Served:
    def __init__(self, faults: str | None = None, seed: int | None = None, sleep=time.sleep) -> None:
        self.app = CountingApp()
        config = SimpleNamespace(faults=faults, fault_seed=seed, rate_limits=False, tokens={})
        self.server = make_server("127.0.0.1", 0, wrap_app(self.app, config, sleep=sleep), threaded=True)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def set_faults(self, spec: str, append: bool = False) -> requests.Response:
        return requests.post(self.url + "/api/_emulator/faults", json={"spec": spec, "append": append})


@pytest.fixture
def served():
    made: list[Served] = []

    def make(*args, **kwargs) -> Served:
        made.append(Served(*args, **kwargs))
        return made[-1]

    yield make
    for instance in made:
        instance.server.shutdown()


# --- the spec language ----------------------------------------------------------------------


def test_parse_examples_from_the_docstring():
    rules = parse_spec(
        "POST /api/deposit/depositions/*/actions/publish=drop-after-commit:1; *=503@0.2\n"
        "PUT /api/files/*=slow:65536;GET *=latency:0.5:3;/api/records=504-html:2;POST *=500-after-commit"
    )
    publish, any503, slow, latency, html, after = rules
    assert (publish.method, publish.kind, publish.remaining) == ("POST", "drop-after-commit", 1)
    assert publish.matches("POST", "/api/deposit/depositions/12/actions/publish")
    assert not publish.matches("POST", "/api/deposit/depositions/12/actions/edit")
    assert not publish.matches("GET", "/api/deposit/depositions/12/actions/publish")
    assert (any503.kind, any503.status, any503.probability, any503.remaining) == ("status", 503, 0.2, None)
    assert any503.matches("DELETE", "/anything")
    assert slow.bytes_per_second == 65536 and slow.matches("PUT", "/api/files/bucket-id/data.csv")
    assert (latency.seconds, latency.remaining) == (0.5, 3)
    assert (html.status, html.html, html.method, html.remaining) == (504, True, "*", 2)
    assert (after.status, after.after_commit) == (500, True)


@pytest.mark.parametrize(
    "spec, complaint",
    [
        ("POST /x", "expected MATCH=KIND"),
        ("*=418", "unknown fault '418'"),
        ("*=teapot", "unknown fault"),
        ("*=latency", "latency needs a value"),
        ("*=retry-after", "retry-after needs a value"),
        ("*=retry-after:-1", "must not be negative"),
        ("*=slow:fast", "'fast' is not a number"),
        ("*=503:0", "count '0' must be a positive integer"),
        ("*=503@1.5", "probability must be between 0 and 1"),
        ("*=500-html", "only 502 and 504"),
        ("POST api/x=503", "must start with '/' or '*'"),
        ("=503", "nothing to match"),
        ("*=503:1:2", "too many ':' parts"),
    ],
)
def test_bad_specs_name_the_rule_and_the_problem(spec, complaint):
    with pytest.raises(FaultSpecError) as caught:
        parse_spec("GET /fine=503;" + spec)
    assert complaint in str(caught.value)
    assert repr(spec.strip()) in str(caught.value)


def test_count_spends_the_rule():
    faults = FaultSet("POST /x=503:2")
    fired = [faults.decide("POST", "/x").terminal is not None for _ in range(4)]
    assert fired == [True, True, False, False]
    assert faults.describe()["rules"][0]["remaining"] == 0


def test_probability_is_reproducible_with_a_seed_and_roughly_right():
    def pattern(seed):
        faults = FaultSet("*=503@0.3;GET /y=500@0.5", seed=seed)
        return [faults.decide("GET", "/x").terminal is not None for _ in range(400)]

    first, again, other = pattern(7), pattern(7), pattern(8)
    assert first == again
    assert first != other
    assert 80 < sum(first) < 160  # 0.3 * 400 = 120


def test_latency_and_slow_combine_with_a_terminal_fault():
    faults = FaultSet("*=latency:0.25;POST *=latency:0.5;*=slow:1000;*=slow:500;POST *=502;*=503")
    decision = faults.decide("POST", "/x")
    assert decision.latency == 0.75
    assert decision.bytes_per_second == 500
    assert decision.terminal.status == 502  # the first terminal rule wins


# --- over HTTP --------------------------------------------------------------------------------


def test_drop_after_commit_loses_the_response_but_the_write_happened(served):
    server = served("POST /api/deposit/depositions/*/actions/publish=drop-after-commit:1")
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/api/deposit/depositions/5/actions/publish", timeout=10)
    assert server.app.commits == 1
    # Spent after one: the next attempt goes through and sees the earlier commit.
    assert requests.post(server.url + "/api/deposit/depositions/5/actions/publish").json()["commits"] == 2


def test_drop_before_loses_the_request_entirely(served):
    server = served("POST *=drop-before:1")
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/api/deposit/depositions", data=b"x" * 200_000, timeout=10)
    assert server.app.commits == 0


def test_drop_after_commit_on_a_kept_alive_session(served):
    server = served("PUT *=drop-after-commit:1")
    with requests.Session() as session:
        assert session.get(server.url + "/warm").ok
        with pytest.raises(requests.ConnectionError):
            session.put(server.url + "/api/files/b/k", data=b"abc", timeout=10)
        assert session.get(server.url + "/again").json()["commits"] == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_status_faults_answer_zenodo_style_json_without_running_the_app(served, status):
    server = served(f"POST *={status}:1")
    response = requests.post(server.url + "/api/deposit/depositions", json={"metadata": {}})
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status and isinstance(body["message"], str) and body["message"]
    if status == 500:
        assert len(body["error_id"]) == 32
    if status in (429, 503):
        assert response.headers["Retry-After"] == "1"
    assert server.app.commits == 0


def test_retry_after_answers_503_with_the_wait_asked_for(served):
    server = served("GET /api/deposit/depositions/*=retry-after:60:1")
    response = requests.get(server.url + "/api/deposit/depositions/7")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.json()["status"] == 503
    assert server.app.commits == 0
    assert requests.get(server.url + "/api/deposit/depositions/7").status_code != 503  # spent


def test_nginx_html_gateway_pages(served):
    server = served("GET /api/records=502-html:1;GET /api/records=504-html:1")
    for status, title in ((502, "502 Bad Gateway"), (504, "504 Gateway Time-out")):
        response = requests.get(server.url + "/api/records")
        assert response.status_code == status
        assert response.headers["Content-Type"].startswith("text/html")
        assert f"<title>{title}</title>" in response.text and "nginx" in response.text
        with pytest.raises(ValueError):
            response.json()
    assert requests.get(server.url + "/api/records").ok


def test_status_after_commit_runs_the_app_then_fails(served):
    server = served("POST *=504-html-after-commit:1")
    response = requests.post(server.url + "/api/deposit/depositions/1/actions/newversion")
    assert response.status_code == 504
    assert server.app.commits == 1


def test_latency_delays_the_answer(served):
    server = served("GET /slow=latency:0.3")
    started = time.monotonic()
    assert requests.get(server.url + "/slow").ok
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert requests.get(server.url + "/fast").ok
    assert time.monotonic() - started < 0.3


def test_slow_upload_reads_the_body_at_the_given_rate(served):
    server = served("PUT /api/files/*=slow:100000")
    payload = b"z" * 50_000
    started = time.monotonic()
    response = requests.put(server.url + "/api/files/bucket/data.bin", data=payload)
    elapsed = time.monotonic() - started
    assert response.json()["received"] == len(payload)  # slow, but complete
    assert elapsed >= 0.45  # 50 kB at 100 kB/s
    started = time.monotonic()
    requests.put(server.url + "/api/other", data=payload)
    assert time.monotonic() - started < 0.3


def test_admin_endpoint_sets_appends_shows_and_clears(served):
    server = served()
    assert requests.post(server.url + "/api/deposit/depositions").ok
    assert server.set_faults("POST /api/deposit/depositions=503").ok
    assert requests.post(server.url + "/api/deposit/depositions").status_code == 503
    shown = server.set_faults("GET /x=500:1", append=True).json()
    assert [rule["rule"] for rule in shown["rules"]] == ["POST /api/deposit/depositions=503", "GET /x=500:1"]
    assert requests.get(server.url + "/x").status_code == 500
    described = requests.get(server.url + "/api/_emulator/faults").json()
    assert described["rules"][1]["fired"] == 1 and described["rules"][1]["remaining"] == 0
    cleared = requests.delete(server.url + "/api/_emulator/faults")
    assert cleared.json() == {"spec": "", "rules": []}
    assert requests.post(server.url + "/api/deposit/depositions").ok


def test_admin_endpoint_rejects_a_bad_spec_and_keeps_the_old_one(served):
    server = served("GET /x=503")
    response = server.set_faults("GET /x=teapot")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "spec"
    assert "unknown fault 'teapot'" in response.json()["errors"][0]["messages"][0]
    assert requests.post(server.url + "/api/_emulator/faults", data=b"not json").status_code == 400
    assert requests.get(server.url + "/x").status_code == 503


def test_faults_from_the_environment_when_config_has_none(served, monkeypatch):
    monkeypatch.setenv(FAULTS_ENV, "GET /env=502:1")
    server = served(None)
    assert requests.get(server.url + "/env").status_code == 502
    # config.faults wins over the environment when set.
    server = served("GET /cfg=503:1")
    assert requests.get(server.url + "/env").ok
    assert requests.get(server.url + "/cfg").status_code == 503


def test_random_faults_with_seed_over_http_are_reproducible(served):
    def statuses(seed):
        server = served("GET *=503@0.5", seed=seed)
        return [requests.get(server.url + "/x").status_code for _ in range(20)]

    first = statuses(3)
    assert first == statuses(3)
    assert set(first) == {200, 503}


def test_a_bad_spec_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv(FAULTS_ENV, "GET /x=teapot")
    with pytest.raises(FaultSpecError, match=f"^{FAULTS_ENV}: fault rule 'GET /x=teapot': unknown fault"):
        wrap_app(CountingApp(), SimpleNamespace(faults=None, fault_seed=None, rate_limits=False))


def test_counts_hold_under_concurrent_requests(served):
    server = served("POST /api/x=503:5")
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: requests.post(server.url + "/api/x").status_code, range(40)))
    assert statuses.count(503) == 5 and statuses.count(200) == 35
    assert server.app.commits == 35
