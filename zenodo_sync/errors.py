"""One error family for everything a user can cause or meet at runtime.

The CLI turns a ZsyncError into one line (message), an optional hint, and an exit
code; it never shows a traceback for these. Anything else escaping is a bug (exit 3).
Messages must never contain a token: build them from server bodies and ids only.
"""

from __future__ import annotations

from typing import TypedDict


class ZsyncError(Exception):
    """Base of every expected failure. `hint` says what the user can do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(ZsyncError):
    """zsync.yaml, command-line options or environment are wrong."""


class ManifestError(ZsyncError):
    """Manifests could not be loaded or are invalid (details are in the findings)."""


class StateError(ZsyncError):
    """zsync.lock or a saved plan is unreadable, stale or inconsistent."""


class StalePlanError(StateError):
    """A saved plan no longer matches the manifests, files or server."""


class FieldError(TypedDict):
    """One entry of the server's per-field `errors` list, as the HTTP client reads it."""

    field: str  # dotted, e.g. "metadata.license"; "" when the server names no field
    messages: list[str]


class ServerError(ZsyncError):
    """The server answered with an error. `status` is the HTTP code (None: no answer)."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        status: int | None = None,
        field_errors: list[FieldError] | None = None,
    ):
        super().__init__(message, hint)
        self.status = status
        self.field_errors = field_errors or []


class AuthError(ServerError):
    """No token, a wrong token, or a token without rights to this record (403)."""


class NotFoundError(ServerError):
    """The server does not know the record, file or route (404/410)."""


class ValidationRejected(ServerError):
    """The server refused the metadata or files (400 with per-field errors)."""


class PendingDraftExists(ValidationRejected):
    """newversion refused: the concept already has a new-version draft holding files, and the
    account's (search-backed) listing does not show it yet (docs/zenodo-behaviour.md §3.9.3, §6.6)."""


class RateLimited(ServerError):
    """429 after all retries were spent."""


class TransportError(ServerError):
    """No usable answer: connection refused or dropped, timeout, 5xx after retries."""


class ApplyInterrupted(ZsyncError):
    """Apply stopped part-way; the lock file records what was done, a rerun resumes."""


class BindingError(ZsyncError):
    """A manifest's `concept:` or a `zsync bind` names no concept this account can manage."""


class RemoteFileMismatch(ZsyncError):
    """A file a manifest keeps on the server only is missing there or has another md5."""


class DownloadError(ZsyncError):
    """A record's files could not be downloaded as they are on the server: a name that would
    leave the destination folder, or bytes that do not match the record's md5."""


class DownloadInterrupted(ZsyncError):
    """Ctrl-C or SIGTERM during a download: only `.part` files were left, to resume (exit 130)."""

    exit_code = 130
