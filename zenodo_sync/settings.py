"""Which server zsync talks to, and with which token.

Server precedence: `--server` > `ZSYNC_SERVER` > zsync.yaml `server` > DEFAULT_SERVER.
Shortcuts: `zenodo` (https://zenodo.org/api) and `sandbox` (https://sandbox.zenodo.org/api).
The token comes from the environment only (`ZENODO_TOKEN`, or a file named by
`ZENODO_TOKEN_FILE`, e.g. a mounted CI secret): never from zsync.yaml, which is
committed to git.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from zenodo_sync.errors import ConfigError
from zenodo_sync.zenodo import rdm_mapping
from zenodo_sync.zenodo.tokens import EMULATOR_DEFAULT_TOKEN, SEPARATE_ACCOUNTS, where_to_create

SHORTCUTS = {
    "zenodo": "https://zenodo.org/api",
    "sandbox": "https://sandbox.zenodo.org/api",
}
DEFAULT_SERVER = "zenodo"
SERVER_ENV = "ZSYNC_SERVER"
TOKEN_ENV = "ZENODO_TOKEN"
TOKEN_FILE_ENV = "ZENODO_TOKEN_FILE"
# Optional client-side cap, below the server's own limit: for shared CI runners whose
# other jobs use the same Zenodo account (its budget is per user, docs/zenodo-behaviour.md §5).
RATE_ENV = "ZSYNC_REQUESTS_PER_MINUTE"
# How often an idempotent request is retried on 429/5xx/dropped connections (default in
# http.py): 0 fails fast, e.g. in a CI check or a test against a server that is down.
RETRIES_ENV = "ZSYNC_RETRIES"
# Which API zsync speaks to the server: Zenodo's deposit API (the default), or the native
# InvenioRDM API that zenodo.org and every other InvenioRDM instance serve (backends/rdm.py).
BACKENDS = rdm_mapping.BACKENDS
DEFAULT_BACKEND = "deposit"


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. The repr never shows the token."""

    server: str
    server_source: str  # "--server", "ZSYNC_SERVER", "zsync.yaml", "default": said in errors
    token: str | None = field(default=None, repr=False)
    requests_per_minute: float | None = None  # client-side cap; None: follow the server's headers only
    retries: int | None = None  # None: http.py's default
    backend: str = DEFAULT_BACKEND  # one of BACKENDS: `--backend` > zsync.yaml `backend` > deposit

    def __repr__(self) -> str:
        token = "<hidden>" if self.token else None
        return (
            f"Settings(server={self.server!r}, server_source={self.server_source!r}, token={token!r}, "
            f"requests_per_minute={self.requests_per_minute!r}, retries={self.retries!r}, "
            f"backend={self.backend!r})"
        )

    @property
    def is_local(self) -> bool:
        return is_loopback(self.server)

    def require_token(self) -> str:
        """The token, or a ConfigError that says how to get one."""
        if self.token:
            return self.token
        if self.is_local:
            raise ConfigError(
                f"No token for the local server {self.server} (from {self.server_source}).",
                hint=f"Set {TOKEN_ENV} to the token the emulator was started with: `zsync emulator` "
                f"accepts {EMULATOR_DEFAULT_TOKEN} unless given --token.",
            )
        raise ConfigError(
            f"No Zenodo token: {TOKEN_ENV} is not set, and {self.server} "
            f"(from {self.server_source}) needs one.",
            hint=f"Create {where_to_create(self.server)}, and export it as {TOKEN_ENV} "
            f"(in CI: a repository or environment secret). {SEPARATE_ACCOUNTS}",
        )


def normalise_server(value: str, source: str = "--server") -> str:
    """A shortcut or URL -> the API base URL without a trailing slash.

    `https://zenodo.org` gains `/api`; plain http is refused except on loopback,
    because the token would cross the network in clear text.
    """
    text = str(value).strip()
    if not text:
        raise ConfigError(f"The server given by {source} is empty.", hint=_server_hint())
    shortcut = SHORTCUTS.get(text.lower())
    if shortcut:
        return shortcut
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"The server given by {source} is neither a shortcut nor an http(s) URL: {text!r}.",
            hint=_server_hint(),
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"The server URL given by {source} must not carry a query, fragment or "
            "credentials (the token belongs in ZENODO_TOKEN).",
            hint=_server_hint(),
        )
    if parts.scheme == "http" and not is_loopback(text):
        raise ConfigError(
            f"Refusing plain http for {parts.hostname} (from {source}): the token would be sent unencrypted.",
            hint="Use an https:// URL; plain http is only allowed for "
            "a local emulator on 127.0.0.1 or localhost.",
        )
    path = parts.path.rstrip("/") or "/api"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def resolve_server(
    cli_value: str | None, project_config: Any = None, env: Mapping[str, str] | None = None
) -> str:
    """`--server` > ZSYNC_SERVER > zsync.yaml `server` > default, normalised."""
    return _resolve_server_with_source(cli_value, project_config, env)[0]


def _resolve_server_with_source(
    cli_value: str | None, project_config: Any, env: Mapping[str, str] | None
) -> tuple[str, str]:
    env = os.environ if env is None else env
    for value, source in (
        (cli_value, "--server"),
        (env.get(SERVER_ENV), SERVER_ENV),
        (_config_server(project_config), "zsync.yaml `server`"),
    ):
        if value is not None and str(value).strip():
            return normalise_server(value, source), source
    return normalise_server(DEFAULT_SERVER, "default"), "default"


def token_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """ZENODO_TOKEN, else the content of the file ZENODO_TOKEN_FILE names, else None."""
    env = os.environ if env is None else env
    token = (env.get(TOKEN_ENV) or "").strip()
    if token:
        return _checked_token(token, TOKEN_ENV)
    path = (env.get(TOKEN_FILE_ENV) or "").strip()
    if not path:
        return None
    try:
        token = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a text file"
        raise ConfigError(
            f"Cannot read the token file named by {TOKEN_FILE_ENV} ({path}): {reason}.",
            hint=f"Point {TOKEN_FILE_ENV} at a readable file holding only the token, "
            f"or set {TOKEN_ENV} instead.",
        ) from None
    return _checked_token(token, f"the file named by {TOKEN_FILE_ENV}") if token else None


# Zenodo's personal access tokens are printable ASCII without spaces; anything else cannot be
# sent in an HTTP header, and the error that would raise quotes the header, token and all.
_TOKEN_RE = re.compile(r"[\x21-\x7e]+")


def _checked_token(token: str, source: str) -> str:
    if _TOKEN_RE.fullmatch(token):
        return token
    if token.lower().startswith("bearer "):
        why = "starts with `Bearer `"
    elif any(ch.isspace() for ch in token):
        why = "contains a space or line break (a copy-paste accident?)"
    else:
        why = "contains characters other than printable ASCII"
    raise ConfigError(
        f"The token in {source} {why}; it is not shown here.",
        hint=f"Set {TOKEN_ENV} to the token alone, exactly as Zenodo showed it when it was "
        "created (zsync adds the `Bearer ` prefix itself).",
    )


def load_settings(
    cli_server: str | None = None,
    project_config: Any = None,
    env: Mapping[str, str] | None = None,
    *,
    cli_backend: str | None = None,
) -> Settings:
    server, source = _resolve_server_with_source(cli_server, project_config, env)
    return Settings(
        server=server,
        server_source=source,
        token=token_from_env(env),
        requests_per_minute=rate_from_env(env),
        retries=retries_from_env(env),
        backend=resolve_backend(cli_backend, project_config),
    )


def resolve_backend(cli_value: str | None, project_config: Any = None) -> str:
    """`--backend` > zsync.yaml `backend` > deposit; anything else is a ConfigError."""
    for value, source in (
        (cli_value, "--backend"),
        (_config_value(project_config, "backend"), "zsync.yaml `backend`"),
    ):
        if value is None or not str(value).strip():
            continue
        name = str(value).strip().lower()
        if name not in BACKENDS:
            raise ConfigError(
                f"The backend given by {source} is {value!r}; it must be one of {', '.join(BACKENDS)}.",
                hint="`deposit` speaks Zenodo's deposit API; `rdm` the InvenioRDM API of zenodo.org "
                "or of any other InvenioRDM instance.",
            )
        return name
    return DEFAULT_BACKEND


def retries_from_env(env: Mapping[str, str] | None = None) -> int | None:
    """ZSYNC_RETRIES as a whole number >= 0, or None when unset."""
    env = os.environ if env is None else env
    text = (env.get(RETRIES_ENV) or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 20:
        raise ConfigError(
            f"{RETRIES_ENV} must be a whole number from 0 to 20, not {text!r}.",
            hint="It is how often zsync retries a read or an upload after a 429, a 5xx or a "
            "dropped connection; unset it for the default (5).",
        )
    return int(text)


def rate_from_env(env: Mapping[str, str] | None = None) -> float | None:
    """ZSYNC_REQUESTS_PER_MINUTE as a positive number, or None when unset."""
    env = os.environ if env is None else env
    text = (env.get(RATE_ENV) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise ConfigError(
            f"{RATE_ENV} must be a positive number of requests per minute, not {text!r}.",
            hint="Zenodo allows about 100 a minute per user; e.g. 60 leaves room for "
            "other jobs on the same account. Unset it to follow the server's headers.",
        )
    return value


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _config_server(project_config: Any) -> str | None:
    return _config_value(project_config, "server")


def _config_value(project_config: Any, name: str) -> Any:
    if project_config is None:
        return None
    if isinstance(project_config, Mapping):
        return project_config.get(name)
    return getattr(project_config, name, None)


def _server_hint() -> str:
    return (
        "Use `zenodo`, `sandbox`, or the API base URL such as https://zenodo.org/api "
        f"(in zsync.yaml `server:`, the {SERVER_ENV} variable, or --server)."
    )
