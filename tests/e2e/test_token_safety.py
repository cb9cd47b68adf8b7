"""The token stays with its owner: masked in every message, sent to no other server.

Issue #8 ("Trust in the first hour"): a short token was printed in full, and the token
travelled to whatever host a server response named as the file bucket.
"""

from __future__ import annotations

import http.server
import re
import threading
from typing import ClassVar

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV

SHORT_TOKEN = "k3y9"


@pytest.fixture
def short_token_env(tmp_path, monkeypatch):
    with running_emulator(data_dir=tmp_path / "emu", token=SHORT_TOKEN) as emu:
        env = {"ZENODO_TOKEN": SHORT_TOKEN, "ZSYNC_SERVER": emu.url, **FAST_ENV}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield emu


def test_a_short_token_is_masked_in_a_bug_report_and_its_crash_log(short_token_env, zsync, monkeypatch):
    def buggy_listing(self, query=None, all_versions=False):
        raise RuntimeError(f"header Authorization: Bearer {SHORT_TOKEN} could not be sent")

    monkeypatch.setattr(ZenodoDepositBackend, "list_own", buggy_listing)
    result = zsync("-v", "plan")

    assert result.code == 3, result.err
    assert "Bearer <hidden> could not be sent" in result.err
    assert SHORT_TOKEN not in result.out + result.err
    log_path = re.search(r"crash log was written to (\S+);", result.err).group(1)
    with open(log_path, encoding="utf-8") as log:
        assert SHORT_TOKEN not in log.read()


class _Listener(http.server.BaseHTTPRequestHandler):
    """Another host: records what reaches it (above all an Authorization header)."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def _any(self) -> None:
        self.seen.append((self.command, self.headers.get("Authorization")))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"key": "x", "size": 0, "checksum": "md5:"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = _any

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_host():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    _Listener.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # "localhost", not the emulator's 127.0.0.1: another host name, another port, plain http.
        yield f"http://localhost:{server.server_address[1]}", _Listener.seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_bucket_link_to_another_host_gets_no_request_and_one_clear_error(
    project, zsync, tmp_path, monkeypatch, other_host
):
    origin, seen = other_host
    with running_emulator(data_dir=tmp_path / "emu", bucket_origin=origin) as emu:
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        result = zsync("apply", "--auto-approve", "--parallelism", "1")

    assert seen == [], "zsync sent a request (and its token) to a host the server named"
    assert result.code == 1, result.out + result.err
    own = emu.url.removesuffix("/api")
    assert (
        f"at {origin}, which is not the configured server ({own}); zsync sends requests and its token "
        "only to that server, so it stopped."
    ) in result.out + result.err
    assert emu.token not in result.out + result.err
