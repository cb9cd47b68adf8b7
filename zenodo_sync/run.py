"""One run of a zsync command, outside the CLI: settings in, a backend, a plan, an apply out."""

from __future__ import annotations

from typing import Any

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.backends.ratelimit import RateLimiter
from zenodo_sync.settings import Settings


def backend_from_settings(settings: Settings, **options: Any) -> ZenodoDepositBackend:
    """The backend for resolved Settings (token required), with its shared rate limiter.

    `options` go to ZenodoDepositBackend (user_agent, retries, timeout, ...).
    """
    limiter = RateLimiter(per_minute=settings.requests_per_minute)
    if settings.retries is not None:
        options.setdefault("retries", settings.retries)
    return ZenodoDepositBackend(settings.server, settings.require_token(), limiter=limiter, **options)
