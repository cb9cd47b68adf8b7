"""Zenodo's error answers: flask-resources' JSON body (docs/zenodo-behaviour.md §4)."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error answered as ``{"status", "message", "errors"?}``."""

    def __init__(self, status: int, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def body(self) -> dict:
        body: dict = {"status": self.status, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


VALIDATION_MESSAGE = "A validation error occurred."


def validation_error(errors: list[dict]) -> ApiError:
    return ApiError(400, VALIDATION_MESSAGE, errors)


def field_error(field: str, message: str) -> ApiError:
    return validation_error([{"field": field, "messages": [message]}])


def permission_denied() -> ApiError:
    # Anonymous and other users' requests alike: 403, not 401 (docs/zenodo-behaviour.md §2).
    return ApiError(403, "Permission denied.")


def pid_does_not_exist() -> ApiError:
    return ApiError(404, "The persistent identifier does not exist.")


def pid_not_registered() -> ApiError:
    # A reserved id (a draft never published) used where a published record is needed (§3.9, §4).
    return ApiError(404, "The persistent identifier is not registered.")


def not_found() -> ApiError:
    return ApiError(404, "Not found.")


def bucket_locked() -> ApiError:
    # docs/zenodo-behaviour.md §3.8: files of a published record (and of its edit draft) are locked; the
    # exact text is unverified, the status is what ZR-T simpleflow asserts for file deletes.
    return ApiError(403, "Bucket is locked for modifications.")
