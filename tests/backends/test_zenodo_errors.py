"""Failures: mapped to the right ZsyncError with an actionable message; retried only when safe."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.backends.ratelimit import RateLimiter
from zenodo_sync.errors import (
    AuthError,
    NotFoundError,
    RateLimited,
    TransportError,
    ValidationRejected,
)
from zenodo_sync.model import LocalFile

from .helpers import Faults, local_file, metadata


def published_record(backend, tmp_path):
    draft = backend.create(metadata())
    backend.upload(draft, local_file(tmp_path, "a.csv", b"a\n1\n"))
    return backend.publish(draft.id)


# --- mapping -------------------------------------------------------------------------------


def test_other_users_token_is_refused_with_a_scope_hint(emulator, backend, sleep):
    record = backend.create(metadata())
    intruder = ZenodoDepositBackend(emulator.url, emulator.other_token, sleep=sleep)
    with pytest.raises(AuthError) as info:
        intruder.update_metadata(record.id, metadata(title="Not mine"))
    assert info.value.status == 403
    assert info.value.message == f"Zenodo refused update metadata on record {record.id}: Permission denied."
    assert "deposit:write" in info.value.hint and "deposit:actions" in info.value.hint
    assert sleep.calls == []  # a 403 is not retried


def test_no_token_is_refused(emulator, sleep):
    anonymous = ZenodoDepositBackend(emulator.url, None, sleep=sleep)
    with pytest.raises(AuthError, match=r"Zenodo refused create: Permission denied\."):
        anonymous.create(metadata())


def test_unknown_record_is_not_found(backend):
    with pytest.raises(NotFoundError) as info:
        backend.get(987654321)
    assert info.value.status == 404
    assert "987654321" in info.value.message and info.value.hint


def test_update_of_published_record_without_edit_is_404(backend, tmp_path):
    # Zenodo answers 404, not 403, when no edit draft is open (docs/zenodo-behaviour.md §3.1).
    record = published_record(backend, tmp_path)
    with pytest.raises(NotFoundError) as info:
        backend.update_metadata(record.id, metadata(title="Changed"))
    assert f"record {record.id}" in info.value.message


def test_bad_metadata_lists_field_messages(backend):
    with pytest.raises(ValidationRejected) as info:
        backend.create(metadata(license="no-such-license"))
    error = info.value
    assert error.status == 400
    assert any(e["field"] == "metadata.license" for e in error.field_errors)
    assert "metadata.license" in error.message and "no-such-license" in error.message
    assert error.message.startswith("Zenodo rejected create:")


# --- retries ---------------------------------------------------------------------------------


def test_get_is_retried_on_503_honouring_retry_after(backend, faults, sleep):
    record = backend.create(metadata())
    faults.set(f"GET /api/deposit/depositions/{record.id}=503:2")
    assert backend.get(record.id).id == record.id
    assert faults.fired() == 2
    assert sleep.calls == [1.0, 1.0]  # the emulator's Retry-After: 1


def test_get_is_retried_on_html_502_and_504(backend, faults):
    record = backend.create(metadata())
    faults.set(
        f"GET /api/deposit/depositions/{record.id}=502-html:1;"
        f"GET /api/deposit/depositions/{record.id}=504-html:1"
    )
    assert backend.get(record.id).id == record.id
    assert faults.fired() == 2


def test_put_is_retried_after_a_dropped_connection(backend, faults):
    record = backend.create(metadata())
    faults.set(f"PUT /api/deposit/depositions/{record.id}=drop-before:1")
    updated = backend.update_metadata(record.id, metadata(title="After a drop"))
    assert updated.metadata["title"] == "After a drop"


def test_upload_is_retried_from_the_start(backend, faults, tmp_path):
    draft = backend.create(metadata())
    content = b"0123456789" * 300_000
    faults.set("PUT /api/files/*=503:1")
    progress: list[int] = []
    remote = backend.upload(draft, local_file(tmp_path, "r.bin", content), progress=progress.append)
    assert remote.size == len(content)
    assert faults.fired() == 1
    assert backend.get(draft.id).files[0].size == len(content)
    assert sum(progress) == len(content)  # the retry's count started over, as its bytes did


def test_upload_is_retried_after_the_connection_drops(backend, faults, tmp_path):
    draft = backend.create(metadata())
    content = b"abcdefgh" * 200_000
    faults.set("PUT /api/files/*=drop-before:1")
    assert backend.upload(draft, local_file(tmp_path, "s.bin", content)).size == len(content)
    assert faults.fired() == 1


def test_exhausted_retries_on_html_504_give_a_transport_error(backend, faults):
    record = backend.create(metadata())
    faults.set(f"GET /api/deposit/depositions/{record.id}=504-html")
    with pytest.raises(TransportError) as info:
        backend.get(record.id)
    assert info.value.status == 504
    assert f"read on record {record.id}" in info.value.message
    assert info.value.message == (
        f"Zenodo failed on read on record {record.id} (504): an HTML error page "
        "from a proxy in front of Zenodo (504 Gateway Time-out)"
    )
    assert faults.fired() == 4  # one try + 3 retries


def test_429_is_retried_even_for_a_post(backend, faults, sleep):
    # A 429 is refused before the app runs, so even create can be sent again.
    faults.set("POST /api/deposit/depositions=429:1")
    created = backend.create(metadata())
    assert faults.fired() == 1
    assert sum(sleep.calls) == pytest.approx(1.0, abs=0.05)  # the emulator's Retry-After: 1, waited once
    assert [r.id for r in backend.list_own()] == [created.id]


def test_429_exhausted_is_rate_limited(backend, faults):
    faults.set("GET /api/deposit/depositions=429")
    with pytest.raises(RateLimited) as info:
        list(backend.list_own())
    assert "rate-limiting" in info.value.message and "parallelism" in info.value.hint


def test_shared_limiter_waits_out_429_instead_of_sleeping_twice(emulator, faults, sleep):
    limiter = sleep.limiter()
    backend = ZenodoDepositBackend(emulator.url, emulator.token, limiter=limiter, sleep=sleep, retries=3)
    faults.set("GET /api/deposit/depositions=429:1")
    assert list(backend.list_own()) == []
    assert limiter.waited == pytest.approx(1.0, abs=0.05)  # the emulator's Retry-After: 1
    assert sum(sleep.calls) == pytest.approx(1.0, abs=0.05)  # not once more by the retry loop


@pytest.mark.parametrize("action", ["publish", "newversion", "edit"])
def test_post_actions_are_never_retried_on_5xx(backend, faults, tmp_path, action):
    record = published_record(backend, tmp_path) if action != "publish" else backend.create(metadata())
    if action == "publish":
        backend.upload(record, local_file(tmp_path, "p.csv", b"p\n1\n"))
    faults.set(f"POST /api/deposit/depositions/{record.id}/actions/{action}=503")
    call = {"publish": backend.publish, "newversion": backend.new_version, "edit": backend.edit}[action]
    with pytest.raises(TransportError) as info:
        call(record.id)
    assert faults.fired() == 1
    assert "did not repeat it" in info.value.hint


def test_lost_answer_to_create_is_a_transport_error_not_a_duplicate(backend, faults):
    faults.set("POST /api/deposit/depositions=drop-after-commit:1")
    with pytest.raises(TransportError) as info:
        backend.create(metadata(title="Created once"))
    assert info.value.status is None
    assert info.value.message == (
        "No answer from Zenodo for create: connection failed (Remote end closed connection without response)."
    )
    assert "may have reached Zenodo" in info.value.hint
    # The server did create it, exactly once: the engine finds it by re-reading.
    titles = [r.metadata.get("title") for r in backend.list_own()]
    assert titles == ["Created once"]


def test_lost_answer_to_publish_leaves_it_published(backend, faults, tmp_path):
    draft = backend.create(metadata())
    backend.upload(draft, local_file(tmp_path, "q.csv", b"q\n1\n"))
    faults.set(f"POST /api/deposit/depositions/{draft.id}/actions/publish=504-after-commit:1")
    with pytest.raises(TransportError):
        backend.publish(draft.id)
    assert backend.get(draft.id).state == "done"


class Stopped(Exception):
    """What apply's stop raises out of a wait (StopRequested), for these tests."""


def stop_after(seconds: float) -> Callable[[Callable[[float], None]], Callable[[float], None]]:
    """A `waits_through` wrapper whose waits end, raising Stopped, `seconds` from now."""
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()

    def stoppable(sleep: Callable[[float], None]) -> Callable[[float], None]:
        def wait(delay: float) -> None:
            if stop.wait(delay):
                raise Stopped

        return wait

    return stoppable


def test_a_retry_after_wait_ends_when_apply_stops(emulator, faults):
    backend = ZenodoDepositBackend(emulator.url, emulator.token, timeout=(5, 30))
    draft = backend.create(metadata())
    faults.set(f"GET /api/deposit/depositions/{draft.id}=retry-after:60")
    started = time.monotonic()
    with backend.waits_through(stop_after(0.3)), pytest.raises(Stopped):
        backend.get(draft.id)
    assert time.monotonic() - started < 2
    assert faults.fired() == 1  # no retry went out after the stop
    faults.clear()
    assert backend.get(draft.id).id == draft.id  # unwrapped again: its waits are its own


def test_a_rate_limit_wait_ends_when_apply_stops(emulator):
    backend = ZenodoDepositBackend(emulator.url, emulator.token, limiter=RateLimiter(per_minute=1))
    assert list(backend.list_own()) == []
    started = time.monotonic()
    with backend.waits_through(stop_after(0.3)), pytest.raises(Stopped):
        list(backend.list_own())  # the client-side cap: the next request is a minute away
    assert time.monotonic() - started < 2


def test_connection_refused_is_retried_then_a_transport_error(sleep):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = ZenodoDepositBackend(
        f"http://127.0.0.1:{port}/api", "tok", sleep=sleep, retries=2, backoff=0.01
    )
    with pytest.raises(TransportError) as info:
        backend.create(metadata())  # never sent, so even a POST may be retried
    assert len(sleep.calls) == 2
    assert "No answer from Zenodo for create" in info.value.message
    assert "safe" in info.value.hint


# --- the token never leaks -------------------------------------------------------------------

SECRET = "zsync-SECRET-token-0123456789abcdef"


@pytest.fixture
def secret_emulator():
    from zenodo_sync.emulator import running_emulator

    with running_emulator(token=SECRET) as emu:
        yield emu


def test_token_never_appears_in_errors_or_logs(secret_emulator, tmp_path, caplog, sleep):
    caplog.set_level(logging.DEBUG)
    backend = ZenodoDepositBackend(secret_emulator.url, SECRET, sleep=sleep, retries=1, backoff=0.01)
    faults = Faults(secret_emulator.url)
    assert SECRET not in repr(backend) and SECRET not in repr(backend.http)
    errors = []
    draft = backend.create(metadata())
    for trigger in (
        lambda: backend.get(987654321),
        lambda: backend.create(metadata(license="no-such-license")),
        lambda: ZenodoDepositBackend(secret_emulator.url, SECRET + "-wrong", sleep=sleep).get(draft.id),
        lambda: (faults.set("GET *=504-html"), backend.get(draft.id)),
        lambda: (faults.set("POST *=drop-after-commit:1"), backend.create(metadata())),
        lambda: backend.upload(draft, LocalFile(name="missing", path=tmp_path / "missing", size=1)),
    ):
        with pytest.raises(Exception) as info:
            trigger()
        faults.clear()
        errors.append(info.value)
    assert [type(e).__name__ for e in errors] == [
        "NotFoundError",
        "ValidationRejected",
        "AuthError",
        "TransportError",
        "TransportError",
        "ServerError",
    ]
    for error in errors:
        for text in (
            str(error),
            repr(error),
            getattr(error, "hint", "") or "",
            repr(error.__cause__),
            repr(error.__context__),
        ):
            assert SECRET not in text
    assert caplog.records  # the client did log requests and retries
    assert SECRET not in caplog.text


# --- rate limits from the server's headers -----------------------------------------------------


def test_limiter_waits_for_the_servers_reset_instead_of_collecting_429s(sleep):
    from zenodo_sync.emulator import running_emulator

    with running_emulator(profile="zenodo", per_minute=3) as emu:
        limiter = sleep.limiter()
        backend = ZenodoDepositBackend(emu.url, emu.token, limiter=limiter, sleep=sleep, retries=0)
        for _ in range(3):
            assert list(backend.list_own()) == []
        assert limiter.waited == 0
        # The last answer said X-RateLimit-Remaining: 0: the next request waits for the
        # window's reset (about a minute, from X-RateLimit-Reset) before it is sent.
        limiter.acquire()
        assert 55 <= limiter.waited <= 61


def test_one_backend_shared_by_worker_threads(backend, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    def work(index):
        draft = backend.create(metadata(title=f"Parallel dataset {index}"))
        content = f"worker {index}\n".encode() * 1000
        remote = backend.upload(draft, local_file(tmp_path, f"w{index}.txt", content))
        return draft.id, remote.md5

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))
    assert len({record_id for record_id, _ in results}) == 8
    for record_id, md5 in results:
        assert [f.md5 for f in backend.get(record_id).files] == [md5]


def test_a_retry_after_longer_than_allowed_stops_at_once(backend, faults, sleep):
    # Waiting out an hourly budget inside one request would look like a hang: stop and say so.
    backend.http.max_retry_after = 0.5
    faults.set("GET /api/deposit/depositions=503")
    with pytest.raises(TransportError) as info:
        list(backend.list_own())
    assert info.value.status == 503 and faults.fired() == 1 and sleep.calls == []
    assert "maintenance downtime" in info.value.message  # the server's own message


def test_a_redirect_to_another_origin_is_refused_before_anything_is_sent_there():
    """A 307 would make requests re-send the body (a file) to the other host; nothing goes."""
    import http.server
    import threading

    from zenodo_sync.backends.http import HttpClient
    from zenodo_sync.errors import ServerError

    received: list[str] = []

    class Other(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):
            received.append(self.path)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)

    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{other.server_address[1]}/api/files/b/x")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    own = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    servers = [own, other]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = HttpClient(f"http://127.0.0.1:{own.server_address[1]}/api", "tok-secret", retries=0)
        with pytest.raises(ServerError) as caught:
            client.request("PUT", "files/b/x", body=None, operation="upload of x", record_id=3, expect=(201,))
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert received == []
    foreign = f"http://localhost:{other.server_address[1]}"
    assert f"at {foreign}, which is not the configured server" in caught.value.message
