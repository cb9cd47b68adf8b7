"""`zsync emulator`: run the local Zenodo until interrupted."""

from __future__ import annotations

import errno
import os
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

TOKEN_ENV = "ZSYNC_EMULATOR_TOKEN"  # tokens separated by spaces; not visible in `ps` like --token


@click.command(name="emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the database and files live; reuse it to keep state across restarts. "
    "Default: a temporary directory, removed on exit.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accept the access tokens in this file, one a line (the first is user 1, the next "
    f"user 2, ...). Default: ${TOKEN_ENV} (tokens separated by spaces), else "
    f"{DEFAULT_TOKEN!r} for user 1.",
)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="TOKEN",
    help="Accept this access token (repeatable). Every local user sees it in `ps`: prefer "
    f"--token-file or ${TOKEN_ENV}.",
)
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default="zenodo",
    show_default=True,
    help="zenodo: Zenodo's rate limits on; fast: no rate limits; invenio-rdm: no rate limits and "
    "no deposit API, as another InvenioRDM instance (for `backend: rdm`).",
)
@click.option(
    "--rate-window-scale",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Multiply the rate-limit windows by this (0.05: Zenodo's 100 a minute becomes 100 "
    "per 3 s), to meet the limits quickly in tests; the headers say so too.",
)
@click.option(
    "--search-lag",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds before a write shows in listings and search (default 0).",
)
@click.option("--doi-prefix", default="10.5072", show_default=True, help="Prefix of minted DOIs.")
@click.option(
    "--faults",
    default=None,
    metavar="SPEC",
    help="Fault injection rules, e.g. '*=503@0.1' (see zenodo_sync/emulator/faults.py).",
)
@click.option("--fault-seed", type=int, default=None, help="Seed for probabilistic faults.")
def command(
    host: str,
    port: int,
    data_dir: Path | None,
    token_file: Path | None,
    tokens: tuple[str, ...],
    profile: str,
    rate_window_scale: float | None,
    search_lag: float | None,
    doi_prefix: str,
    faults: str | None,
    fault_seed: int | None,
) -> None:
    """Run a local Zenodo (deposit, files and records APIs) until Ctrl-C.

    The first line on stdout is the API base URL, printed once the server accepts connections.
    """
    tokens, source = _tokens(token_file, tokens)
    temporary = data_dir is None
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="zsync-emulator-"))
        click.echo(
            f"Data directory: {data_dir} (temporary, removed on exit; pass --data-dir to keep state)",
            err=True,
        )
    token_users = {token: user for user, token in enumerate(dict.fromkeys(tokens or (DEFAULT_TOKEN,)), 1)}
    config = EmulatorConfig.for_profile(
        profile,
        host=host,
        port=port,
        data_dir=data_dir,
        tokens=token_users,
        search_lag=search_lag,
        doi_prefix=doi_prefix,
        faults=faults,
        fault_seed=fault_seed,
        rate_window_scale=rate_window_scale,
    )
    try:
        _serve(config, profile, token_source=source)
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def _tokens(token_file: Path | None, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """The tokens to accept and where they came from (None: the documented default)."""
    if token_file is not None and tokens:
        raise click.UsageError("Give the tokens with --token-file or with --token, not both.")
    if token_file is not None:
        try:
            text = token_file.expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ConfigError(
                f"--token-file {token_file}: cannot read it ({reason}).",
                hint="Point --token-file at a readable file with one token a line.",
            ) from None
        found = tuple(line.strip() for line in text.splitlines() if line.strip())
        if not found:
            raise ConfigError(
                f"--token-file {token_file} holds no token.", hint="Write one token a line into the file."
            )
        return found, "--token-file"
    if tokens:
        # Command-line arguments are world-readable (ps, /proc/<pid>/cmdline).
        click.echo(
            f"Warning: a token given with --token is visible to every local user in `ps`; "
            f"use --token-file or ${TOKEN_ENV} instead.",
            err=True,
        )
        return tokens, "--token"
    from_env = tuple(os.environ.get(TOKEN_ENV, "").split())
    if from_env:
        return from_env, f"${TOKEN_ENV}"
    return (), None


def _serve(config: EmulatorConfig, profile: str, *, token_source: str | None) -> None:
    from zenodo_sync.emulator.server import EmulatorServer

    try:
        server = EmulatorServer(config)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(
            f"--data-dir {config.data_dir}: its emulator.sqlite3 is unusable ({exc}).",
            hint="Point --data-dir at an emulator's data directory or at a new one.",
        ) from None
    except FaultSpecError as exc:
        raise ConfigError(
            f"--faults: {exc}", hint="See the fault spec syntax in `zsync emulator --help`."
        ) from None
    except OSError as exc:
        where = f"{config.host}:{config.port}"
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"Port {config.port} on {config.host} is already in use.",
                hint="Another `zsync emulator` or program listens there: stop it, or choose "
                "another --port (--port 0: any free one) and point "
                "ZSYNC_SERVER at the URL the emulator prints. Restarting on the same "
                "--data-dir keeps its records, whatever the port.",
            ) from None
        raise ConfigError(
            f"Cannot listen on {where} or use --data-dir {config.data_dir}: {exc.strerror}."
        ) from None

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="zsync-emulator", daemon=True)
    thread.start()
    # The socket is bound and listening since EmulatorServer(); the URL line is the ready signal.
    click.echo(server.url)
    click.get_text_stream("stdout").flush()
    if token_source:
        click.echo(
            f"Accepting {plural(len(config.tokens), 'token')} given with {token_source} "
            "(the first is user 1).",
            err=True,
        )
    else:
        click.echo(
            f"Token: {DEFAULT_TOKEN} (user 1). Send it as 'Authorization: Bearer {DEFAULT_TOKEN}'.", err=True
        )
    click.echo(f"Profile: {profile}; data: {config.data_dir}. Ctrl-C to stop.", err=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join(timeout=10)
    click.echo("Emulator stopped.", err=True)
