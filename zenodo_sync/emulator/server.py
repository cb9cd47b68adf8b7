"""Serving the emulator: a threaded HTTP server on loopback, in the foreground or in a thread."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from zenodo_sync.emulator.app import build_app
from zenodo_sync.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from zenodo_sync.emulator.store import Store

OTHER_TOKEN = "other-user-token"  # user 2 in tests: no rights on user 1's records


class QuietHandler(WSGIRequestHandler):
    """No per-request log lines: stdout carries only the base URL (`zsync emulator`)."""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK
        # add tens of milliseconds to every keep-alive request.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, *args, **kwargs) -> None:
        pass

    def log(self, type: str, message: str, *args) -> None:
        if type == "error":
            super().log(type, message, *args)


class EmulatorServer:
    """A bound (already listening) emulator server."""

    def __init__(self, config: EmulatorConfig) -> None:
        if config.data_dir is None:
            raise ValueError("EmulatorConfig.data_dir is required")
        Path(config.data_dir).mkdir(parents=True, exist_ok=True)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.store = Store(config.data_dir, search_lag=config.search_lag, today=config.today)
        try:
            app = build_app(config, self.store)
            # Bind ourselves: werkzeug prints and exits on a busy port, the CLI wants an OSError.
            with _listening_socket(config.host, config.port) as sock:
                self.server = make_server(
                    config.host,
                    config.port,
                    app,
                    threaded=True,
                    request_handler=QuietHandler,
                    fd=sock.fileno(),
                )
        except BaseException:
            self.store.close()
            raise
        self.server.daemon_threads = True
        self.config = replace(config, port=self.server.server_address[1])

    @property
    def url(self) -> str:
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.config.port}/api"

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.store.close()


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # quick restarts on the same port
        sock.bind((host, port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass
class EmulatorHandle:
    url: str  # "http://127.0.0.1:<port>/api"
    token: str  # user 1, the owner in tests
    other_token: str  # user 2
    config: EmulatorConfig


@contextlib.contextmanager
def running_emulator(
    data_dir: Path | str | None = None,
    token: str = "test-token",
    profile: str = "fast",
    search_lag: float | None = None,
    faults: str | None = None,
    fault_seed: int | None = None,
    doi_prefix: str = "10.5072",
    **overrides,
) -> Iterator[EmulatorHandle]:
    """Start an emulator in a background thread for the duration of the block.

    Without `data_dir` a temporary directory is used and removed afterwards.
    """
    temp_dir = None
    if data_dir is None:
        temp_dir = tempfile.mkdtemp(prefix="zsync-emulator-")
        data_dir = temp_dir
    other = OTHER_TOKEN if token != OTHER_TOKEN else OTHER_TOKEN + "-2"
    config = EmulatorConfig.for_profile(
        profile,
        host="127.0.0.1",
        data_dir=Path(data_dir),
        tokens={token: 1, other: 2},
        search_lag=search_lag,
        faults=faults,
        fault_seed=fault_seed,
        doi_prefix=doi_prefix,
        **overrides,
    )
    server = EmulatorServer(config)
    thread = threading.Thread(target=server.serve_forever, name="zsync-emulator", daemon=True)
    thread.start()
    try:
        yield EmulatorHandle(url=server.url, token=token, other_token=other, config=server.config)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


__all__ = ["DEFAULT_TOKEN", "OTHER_TOKEN", "EmulatorHandle", "EmulatorServer", "running_emulator"]
