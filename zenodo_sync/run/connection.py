"""The backend and the lock for the server a run's settings name (plan and bind alike)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenodo_sync.manifest import Project
from zenodo_sync.run.options import Kind, Report, ignore
from zenodo_sync.settings import Settings, resolve_server

if TYPE_CHECKING:
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.engine.state import LockFile


def backend_from_settings(settings: Settings, **options: Any) -> ZenodoDepositBackend:
    """The backend for resolved Settings (token required), with its shared rate limiter:
    the deposit API's, or the InvenioRDM API's for `backend: rdm`.

    `options` go to the backend (user_agent, retries, timeout, ...).
    """
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.backends.rdm import InvenioRdmBackend

    kind = InvenioRdmBackend if settings.backend == "rdm" else ZenodoDepositBackend
    return kind(settings.server, settings.require_token(), **_shared(settings, options))


def reading_backend(settings: Settings) -> ZenodoDepositBackend:
    """A backend that reads published records (import, download): the token when there is one
    (the owner's restricted files), none needed for public records. The records API is the same
    on every InvenioRDM server, so the deposit backend's reader serves both backends."""
    from zenodo_sync.backends.deposit import ZenodoDepositBackend

    return ZenodoDepositBackend(settings.server, settings.token, **_shared(settings, {}))


def _shared(settings: Settings, options: dict[str, Any]) -> dict[str, Any]:
    """The options every backend of a run gets: one rate limiter, the configured retries."""
    from zenodo_sync.backends.ratelimit import RateLimiter

    if settings.retries is not None:
        options.setdefault("retries", settings.retries)
    return {"limiter": RateLimiter(per_minute=settings.requests_per_minute), **options}


def server_lock(root: Path, project: Project, settings: Settings, report: Report = ignore) -> LockFile:
    """The lock of the server the settings name: zsync.lock for zsync.yaml's server, else one
    under .zsync/locks/ (engine/state.py), said in a status line."""
    from zenodo_sync.backends.instance import emulator_instance
    from zenodo_sync.engine.state import lock_for_server

    home = resolve_server(None, project.config, env={})  # zsync.yaml's server: zsync.lock is its
    instance = emulator_instance(settings.server) if settings.is_local else None
    lock, note = lock_for_server(root, settings.server, home=home, instance=instance)
    if note:
        report(Kind.STATUS, note)
    replayed = lock.replay_note(root)
    if replayed:
        report(Kind.WARNING, replayed)
    return lock
