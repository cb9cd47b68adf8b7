"""The interface every backend implements (deposit API today, InvenioRDM API next).

All methods raise zenodo_sync.errors.ServerError subclasses, never requests' own
exceptions, and never put the token into a message. Record ids are ints, concept ids
strings, as Zenodo serialises them.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from zenodo_sync.model import LocalFile, RemoteFile, RemoteRecord

# Called with the number of bytes about to be sent (negative: a retry starts over). It may
# raise to abort the transfer: the exception leaves upload() as it is, the connection closed.
ProgressCallback = Callable[[int], None]
Sleep = Callable[[float], None]


class Backend(ABC):
    server_url: str  # base API URL, e.g. https://zenodo.org/api

    @contextlib.contextmanager
    def waits_through(self, wrap: Callable[[Sleep], Sleep]) -> Iterator[None]:
        """While open, the backend's own waits (retry backoff, Retry-After, rate limit) go
        through `wrap(its sleep)`: apply's stop ends them at once. A backend that never waits
        has nothing to wrap."""
        yield

    # False where a draft cannot hold a community and publish asks for it (the native API, §7.8).
    drafts_hold_communities = True

    def pending_communities(self, record: RemoteRecord) -> list[str]:
        """Communities the published `record` has asked to join and waits for (open inclusion
        requests), by slug. A backend that cannot see requests (the deposit API) sees none."""
        return []

    @abstractmethod
    def list_own(self, query: str | None = None, all_versions: bool = False) -> Iterator[RemoteRecord]:
        """Every deposition of the token's owner (drafts and published), paged.

        Search-backed on Zenodo: a record created seconds ago may be missing.
        """

    @abstractmethod
    def get(self, record_id: int) -> RemoteRecord:
        """One deposition by id: the open draft if there is one, else the published record."""

    @abstractmethod
    def create(self, metadata: dict[str, Any]) -> RemoteRecord:
        """A new concept's first draft, created with metadata in one request."""

    @abstractmethod
    def update_metadata(self, record_id: int, metadata: dict[str, Any]) -> RemoteRecord:
        """Replace the draft's whole metadata (Zenodo's PUT replaces, it does not merge)."""

    @abstractmethod
    def upload(
        self, draft: RemoteRecord, local: LocalFile, progress: ProgressCallback | None = None
    ) -> RemoteFile:
        """Stream one file into the draft's bucket (replacing a file of the same name)."""

    @abstractmethod
    def delete_file(self, draft: RemoteRecord, remote: RemoteFile) -> None:
        """Remove one file from a draft."""

    @abstractmethod
    def publish(self, record_id: int) -> RemoteRecord:
        """Publish a draft: mints a DOI and cannot be undone."""

    @abstractmethod
    def edit(self, record_id: int) -> RemoteRecord:
        """Open (or return the open) edit draft of a published record."""

    @abstractmethod
    def discard(self, record_id: int) -> None:
        """Drop an edit draft, or delete a never-published draft entirely."""

    @abstractmethod
    def new_version(self, record_id: int) -> RemoteRecord:
        """The new-version draft of the concept of a published record (files carried over)."""


@dataclass
class FileContent:
    """A file's bytes as they arrive: `chunks` from byte `offset` on (0 when the server sent the
    whole file, having ignored a Range request), `length` bytes in all if the server said."""

    offset: int
    length: int | None
    chunks: Iterator[bytes]


class PublishedReads(Backend):
    """A Backend that also reads published records and their files as anyone may (the records
    API): what `zsync download` and `zsync import --with-files` need. A token, if the backend
    has one, also opens the owner's restricted files."""

    @abstractmethod
    def read_published(self, record_id: int) -> RemoteRecord:
        """One published record by its id; a concept id gives the concept's latest version."""

    @abstractmethod
    def published_versions(self, record_id: int) -> list[RemoteRecord]:
        """Every published version of the concept of `record_id`, oldest first."""

    @abstractmethod
    def open_file(
        self, record: RemoteRecord, remote: RemoteFile, *, offset: int = 0
    ) -> contextlib.AbstractContextManager[FileContent]:
        """Stream one file of `record`, from `offset` if the server honours a Range request
        (else from 0: FileContent.offset says which). Closing the context ends the transfer."""
