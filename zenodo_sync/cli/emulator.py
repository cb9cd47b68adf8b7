"""`zsync emulator`: run the local Zenodo until interrupted."""

from __future__ import annotations

import errno
import shutil
import signal
import sqlite3
import tempfile
import threading
from pathlib import Path

import click

from zenodo_sync.emulator.config import DEFAULT_PORT, DEFAULT_TOKEN, PROFILES, EmulatorConfig
from zenodo_sync.emulator.faults import FaultSpecError
from zenodo_sync.errors import ConfigError
from zenodo_sync.wording import plural


@click.command(name="emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the database and files live; reuse it to keep state across restarts. "
                   "Default: a temporary directory, removed on exit.")
@click.option("--token", "tokens", multiple=True, metavar="TOKEN",
              help=f"Accept this access token (repeatable; the first is user 1, the next user 2, ...). "
                   f"Default: {DEFAULT_TOKEN!r} for user 1.")
@click.option("--profile", type=click.Choice(PROFILES), default="zenodo", show_default=True,
              help="zenodo: Zenodo's rate limits on; fast: no rate limits.")
@click.option("--search-lag", type=click.FloatRange(min=0), default=None,
              help="Seconds before a write shows in listings and search (default 0).")
@click.option("--doi-prefix", default="10.5072", show_default=True, help="Prefix of minted DOIs.")
@click.option("--faults", default=None, metavar="SPEC",
              help="Fault injection rules, e.g. '*=503@0.1' (see zenodo_sync/emulator/faults.py).")
@click.option("--fault-seed", type=int, default=None, help="Seed for probabilistic faults.")
def command(host: str, port: int, data_dir: Path | None, tokens: tuple[str, ...], profile: str,
            search_lag: float | None, doi_prefix: str, faults: str | None, fault_seed: int | None) -> None:
    """Run a local Zenodo (deposit, files and records APIs) until Ctrl-C.

    The first line on stdout is the API base URL, printed once the server accepts connections.
    """
    temporary = data_dir is None
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="zsync-emulator-"))
        click.echo(f"Data directory: {data_dir} (temporary, removed on exit; pass --data-dir to keep state)",
                   err=True)
    token_users = {token: user for user, token in enumerate(dict.fromkeys(tokens or (DEFAULT_TOKEN,)), 1)}
    config = EmulatorConfig.for_profile(profile, host=host, port=port, data_dir=data_dir, tokens=token_users,
                                        search_lag=search_lag, doi_prefix=doi_prefix, faults=faults,
                                        fault_seed=fault_seed)
    try:
        _serve(config, profile, tokens_given=bool(tokens))
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def _serve(config: EmulatorConfig, profile: str, *, tokens_given: bool) -> None:
    from zenodo_sync.emulator.server import EmulatorServer

    try:
        server = EmulatorServer(config)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"--data-dir {config.data_dir}: its emulator.sqlite3 is unusable ({exc}).",
                          hint="Point --data-dir at an emulator's data directory or at a new one.") from None
    except FaultSpecError as exc:
        raise ConfigError(f"--faults: {exc}", hint="See the fault spec syntax in `zsync emulator --help`.") from None
    except OSError as exc:
        where = f"{config.host}:{config.port}"
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"Port {config.port} on {config.host} is already in use.",
                              hint="Another `zsync emulator` or program listens there: stop it, or choose "
                                   "another --port (--port 0: any free one) and point "
                                   "ZSYNC_SERVER at the URL the emulator prints. Restarting on the same "
                                   "--data-dir keeps its records, whatever the port.") from None
        raise ConfigError(f"Cannot listen on {where} or use --data-dir {config.data_dir}: {exc.strerror}.") from None

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="zsync-emulator", daemon=True)
    thread.start()
    # The socket is bound and listening since EmulatorServer(); the URL line is the ready signal.
    click.echo(server.url)
    click.get_text_stream("stdout").flush()
    if tokens_given:
        click.echo(f"Accepting {plural(len(config.tokens), 'token')} given with --token "
                   "(the first is user 1).", err=True)
    else:
        click.echo(f"Token: {DEFAULT_TOKEN} (user 1). Send it as 'Authorization: Bearer {DEFAULT_TOKEN}'.",
                   err=True)
    click.echo(f"Profile: {profile}; data: {config.data_dir}. Ctrl-C to stop.", err=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join(timeout=10)
    click.echo("Emulator stopped.", err=True)
