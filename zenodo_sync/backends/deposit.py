"""Zenodo's deposit API (`/api/deposit/depositions` + bucket API) as a Backend.

Follows the client recipes of docs/zenodo-behaviour.md §3.13 for the server as it behaves
today (InvenioRDM underneath), not as the old developer docs describe it: publish
answers 202, discard 204, newversion returns the *new* draft, list results carry
no bucket link, files read back with or without an `md5:` prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import quote

import requests

from zenodo_sync.backends.base import FileContent, ProgressCallback, PublishedReads, Sleep
from zenodo_sync.backends.http import DEFAULT_RETRIES, DEFAULT_TIMEOUT, Body, HttpClient
from zenodo_sync.backends.ratelimit import RateLimiter
from zenodo_sync.backends.streaming import stream_content
from zenodo_sync.errors import (
    AuthError,
    NotFoundError,
    PendingDraftExists,
    ServerError,
    TransportError,
    ValidationRejected,
)
from zenodo_sync.model import LocalFile, RemoteFile, RemoteRecord

log = logging.getLogger(__name__)

DEPOSITIONS = "deposit/depositions"
# The largest page an authenticated client may ask for; larger is a 400 (docs/zenodo-behaviour.md §3.5).
PAGE_SIZE = 100
# Guests get at most 25 search results a page (§6.4).
GUEST_PAGE_SIZE = 25
# Search results stop at 10 000 (page * size); past that Zenodo answers 400.
MAX_PAGES = 10_000 // PAGE_SIZE
# Small enough that a stop between chunks comes quickly even on a slow link (256 KiB take
# 0.25 s at 1 MB/s), large enough that the per-chunk cost does not show in throughput.
UPLOAD_CHUNK = 256 * 1024
# What Zenodo answers to newversion when a pending new-version draft already holds
# files (docs/zenodo-behaviour.md §3.9.3; bio-guoda/preston#368, google/langextract#461).
PENDING_DRAFT_MESSAGE = "please remove all files first"


# --- parsing the server's JSON -------------------------------------------------------------


def parse_size(value: Any) -> int:
    """Zenodo sends file sizes as int, float (`7.0`, multipart endpoints) or str (old docs)."""
    if value is None or value == "":
        return 0
    return int(float(value))


def parse_md5(value: Any) -> str:
    """Bare lower-case hex md5 from `md5:<hex>` (bucket, records API) or `<hex>` (deposit files)."""
    text = str(value or "").strip()
    if ":" in text:
        algorithm, _, text = text.partition(":")
        if algorithm.lower() != "md5":
            return ""
    return text.lower()


def parse_file(data: dict[str, Any]) -> RemoteFile:
    """A file of a deposition (`filename`/`filesize`) or of a bucket/record (`key`/`size`)."""
    name = data.get("filename") or data.get("key") or ""
    size = data.get("filesize", data.get("size"))
    file_id = data.get("id") or data.get("file_id") or data.get("version_id") or ""
    return RemoteFile(
        id=str(file_id), name=str(name), size=parse_size(size), md5=parse_md5(data.get("checksum"))
    )


def parse_record(data: dict[str, Any]) -> RemoteRecord:
    """A deposition as the deposit API returns it (docs/zenodo-behaviour.md §3.2) -> RemoteRecord."""
    if not isinstance(data, dict) or "id" not in data:
        raise ServerError(
            "Zenodo answered with something that is not a deposition (no `id`).",
            hint="Check that the server address points at a Zenodo API (ending in /api).",
        )
    concept = data.get("conceptrecid")
    state = data.get("state") or ("done" if data.get("submitted") else "unsubmitted")
    owner = data.get("owner")
    if owner is None and data.get("owners"):  # records-API shape: [{"id": "42"}]
        first = data["owners"][0]
        owner = first.get("id") if isinstance(first, dict) else first
    files = data.get("files") or []
    if isinstance(files, dict):  # RDM shape {"entries": ...}; not expected on the deposit API
        entries = files.get("entries") or []
        files = list(entries.values()) if isinstance(entries, dict) else entries
    metadata = data.get("metadata") or {}
    return RemoteRecord(
        id=int(data["id"]),
        concept_id=str(concept) if concept not in (None, "") else None,
        state=str(state),
        submitted=bool(data.get("submitted", state != "unsubmitted")),
        metadata=metadata,
        files=[parse_file(item) for item in files if isinstance(item, dict)],
        doi=data.get("doi") or metadata.get("doi") or None,
        concept_doi=data.get("conceptdoi") or None,
        links=dict(data.get("links") or {}),
        modified=data.get("modified") or data.get("updated"),
        owner=int(owner) if owner not in (None, "") else None,
    )


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ServerError(
            f"Zenodo answered {response.status_code} with a body that is not JSON.",
            hint="Check that the server address points at a Zenodo API (ending in /api).",
            status=response.status_code,
        ) from None


# --- streaming a file ----------------------------------------------------------------------


def planned_size(local: LocalFile, operation: str) -> int:
    """The size of the file about to be uploaded, refusing one that changed since it was planned
    (its md5 would no longer be the plan's)."""
    try:
        size = os.stat(local.path).st_size
    except OSError as exc:
        raise ServerError(
            f"Cannot read {local.path} for {operation}: {exc.strerror}.",
            hint="The file listed in the manifest must exist and be readable.",
        ) from None
    if size != local.size:
        raise TransportError(
            f"{local.path} changed size since it was planned ({local.size} -> {size} "
            f"bytes); not uploading {local.name}.",
            hint="Run `zsync plan` again so the plan matches the files.",
        )
    return size


class _FileStream:
    """Iterates a file in UPLOAD_CHUNK pieces with a known length: constant memory, Content-Length set.

    requests sends an object with `__len__` and `__iter__` (and no `read`) chunk by chunk
    with a Content-Length header, so the server sees an ordinary (not chunked) upload.
    Each iteration re-opens the file, so a retried PUT sends it again from the start.
    `progress` is told every chunk before it goes out; whatever it raises (apply's stop on
    Ctrl-C or SIGTERM) ends the upload there: urllib3 closes the connection mid-body, so
    Zenodo discards the partial file, and the exception leaves `upload()` unchanged.

    With `hash_sent`, the md5 of the bytes sent is computed on the way; without it (the file's
    md5 is known from planning, and Zenodo's answer carries the md5 of what it stored) the
    file is not hashed a second time, which would compete with the upload for the CPU.
    """

    def __init__(self, path: Path, size: int, progress: ProgressCallback | None, *, hash_sent: bool):
        self.path = path
        self.size = size
        self.progress = progress
        self.hash_sent = hash_sent
        self.md5: str | None = None  # of the bytes actually sent by the last complete pass (hash_sent)
        self.complete = False  # the last pass sent the whole file
        self.sent = 0

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        digest = hashlib.md5(usedforsecurity=False) if self.hash_sent else None
        if self.sent and self.progress is not None:
            self.progress(-self.sent)  # a retry: the count starts over with the file
        self.sent = 0
        self.md5 = None
        self.complete = False
        with open(self.path, "rb") as handle:
            while self.sent < self.size:
                chunk = handle.read(min(UPLOAD_CHUNK, self.size - self.sent))
                if not chunk:
                    break  # shrank since hashing; the size check after the upload says so
                if digest is not None:
                    digest.update(chunk)
                self.sent += len(chunk)
                if self.progress is not None:
                    self.progress(len(chunk))
                yield chunk
        self.complete = True
        if digest is not None:
            self.md5 = digest.hexdigest()


def _md5_on_disk(path: Path) -> str:
    """md5 of the file as it is now: only for telling a changed file from a damaged upload."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(UPLOAD_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- the backend ---------------------------------------------------------------------------


class _SleepOption(TypedDict, total=False):
    """`sleep=` for the limiter and the HTTP client, passed only when set (else they keep their own)."""

    sleep: Callable[[float], None]


class ZenodoDepositBackend(PublishedReads):
    """Backend over Zenodo's legacy deposit API; safe to share between worker threads."""

    def __init__(
        self,
        server_url: str,
        token: str | None,
        *,
        user_agent: str | None = None,
        limiter: RateLimiter | None = None,
        retries: int = DEFAULT_RETRIES,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        backoff: float = 0.5,
        sleep: Callable[[float], None] | None = None,
    ):
        self.server_url = server_url.rstrip("/")
        extra: _SleepOption = {"sleep": sleep} if sleep is not None else {}
        if limiter is None:
            # One backend is shared by the apply's workers, so its own limiter is shared too:
            # it follows the server's X-RateLimit-* headers (docs/zenodo-behaviour.md §5).
            limiter = RateLimiter(**extra)
        self.limiter = limiter
        self.http = HttpClient(
            self.server_url,
            token,
            user_agent=user_agent,
            limiter=limiter,
            retries=retries,
            timeout=timeout,
            backoff=backoff,
            **extra,
        )

    def __repr__(self) -> str:
        return f"ZenodoDepositBackend({self.server_url!r})"

    @contextlib.contextmanager
    def waits_through(self, wrap: Callable[[Sleep], Sleep]) -> Iterator[None]:
        http_sleep, limiter_sleep = self.http.sleep, self.limiter.sleep
        self.http.sleep, self.limiter.sleep = wrap(http_sleep), wrap(limiter_sleep)
        try:
            yield
        finally:
            self.http.sleep, self.limiter.sleep = http_sleep, limiter_sleep

    # -- reading ------------------------------------------------------------------------------

    def list_own(self, query: str | None = None, all_versions: bool = False) -> Iterator[RemoteRecord]:
        # No pagination envelope or Link header on this endpoint (docs/zenodo-behaviour.md §3.1):
        # page until a page comes back short. Results lack links.bucket (§3.3).
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"page": page, "size": PAGE_SIZE}
            if query:
                params["q"] = query
            if all_versions:
                params["all_versions"] = "true"
            try:
                response = self.http.request("GET", DEPOSITIONS, params=params, operation="list depositions")
                items = _json(response)
            except (NotFoundError, ServerError) as exc:
                # The listing is the first request of every plan: a 404 or a body that is not
                # JSON there means the address is not a Zenodo API, not that a record is missing.
                if page == 1 and (isinstance(exc, NotFoundError) or exc.status == 200):
                    found = "no such route" if exc.status == 404 else "a body that is not JSON"
                    raise self._not_an_api(f"answered {exc.status} with {found}") from None
                raise
            if not isinstance(items, list):
                raise self._not_an_api("answered with JSON that is not a list of depositions")
            for item in items:
                yield parse_record(item)
            if len(items) < PAGE_SIZE:
                return
        log.warning(
            "Zenodo returns at most %d search results; depositions beyond that were not listed (query %r).",
            MAX_PAGES * PAGE_SIZE,
            query,
        )

    def _not_an_api(self, what: str) -> ServerError:
        return ServerError(
            f"{self.server_url} does not look like a Zenodo API: GET {self.server_url}/{DEPOSITIONS} {what}.",
            hint="Check the server address (--server, ZSYNC_SERVER or `server:` in "
            "zsync.yaml): `zenodo`, `sandbox`, or an API base URL ending in /api, "
            "such as https://zenodo.org/api or http://127.0.0.1:5000/api.",
        )

    def versions(self, concept_id: str | int) -> list[RemoteRecord]:
        """Every version and draft of one concept the token's owner can see, newest id first.

        Search-backed (docs/zenodo-behaviour.md §6.6): a version published seconds ago may be missing.
        """
        records = self.list_own(query=f"conceptrecid:{concept_id}", all_versions=True)
        return sorted(records, key=lambda record: record.id, reverse=True)

    def get(self, record_id: int) -> RemoteRecord:
        response = self.http.request(
            "GET", f"{DEPOSITIONS}/{record_id}", operation="read", record_id=record_id
        )
        return parse_record(_json(response))

    # -- drafts and metadata ------------------------------------------------------------------

    def create(self, metadata: dict[str, Any]) -> RemoteRecord:
        # A POST: never retried after it may have reached the server (http.py); a lost
        # answer surfaces as TransportError and the engine searches before creating again.
        response = self.http.request(
            "POST", DEPOSITIONS, json={"metadata": metadata}, operation="create", expect=(201,)
        )
        return parse_record(_json(response))

    def update_metadata(self, record_id: int, metadata: dict[str, Any]) -> RemoteRecord:
        # PUT replaces the whole metadata (docs/zenodo-behaviour.md §3.6) and only `metadata` may be
        # sent at the top level: anything else is a 400 "Unknown field.".
        response = self.http.request(
            "PUT",
            f"{DEPOSITIONS}/{record_id}",
            json={"metadata": metadata},
            operation="update metadata",
            record_id=record_id,
        )
        return parse_record(_json(response))

    # -- files ----------------------------------------------------------------------------------

    def _bucket_url(self, draft: RemoteRecord) -> str:
        bucket = draft.links.get("bucket")
        if bucket:
            return bucket.rstrip("/")
        # List results omit the bucket (docs/zenodo-behaviour.md §3.3): the item read has it.
        fresh = self.get(draft.id)
        bucket = fresh.links.get("bucket")
        if not bucket:
            raise ServerError(
                f"Zenodo gave no file bucket for record {draft.id}.",
                hint="Files can only change on a draft; published records need an edit "
                "or a new version first.",
            )
        draft.links["bucket"] = bucket
        return bucket.rstrip("/")

    def upload(
        self, draft: RemoteRecord, local: LocalFile, progress: ProgressCallback | None = None
    ) -> RemoteFile:
        operation = f"upload of {local.name}"
        size = planned_size(local, operation)
        url = f"{self._bucket_url(draft)}/{quote(local.name, safe='')}"
        stream = _FileStream(Path(local.path), size, progress, hash_sent=not local.md5)
        body = Body(lambda: stream)
        if size == 0:
            # requests would send an empty iterable chunked; an empty body says Content-Length: 0.
            # Zenodo refuses empty files (docs/zenodo-behaviour.md §3.7) and its 400 says so.
            stream.md5 = hashlib.md5(b"", usedforsecurity=False).hexdigest()
            stream.complete = True
            body = Body(lambda: b"")
        # Bucket PUT: raw bytes, octet-stream only (anything else is 415), replaces a file
        # of the same name, answers 201 with "md5:<hex>" (docs/zenodo-behaviour.md §3.8).
        response = self.http.request(
            "PUT",
            url,
            body=body,
            headers={"Content-Type": "application/octet-stream"},
            operation=operation,
            record_id=draft.id,
            expect=(200, 201),
        )
        remote = parse_file(_json(response))
        if not remote.name:
            remote = RemoteFile(id=remote.id, name=local.name, size=remote.size, md5=remote.md5)
        self._verify_upload(draft, local, stream, remote)
        return remote

    def _verify_upload(
        self, draft: RemoteRecord, local: LocalFile, stream: _FileStream, remote: RemoteFile
    ) -> None:
        hint = "Run the same zsync command again: the file is uploaded again and replaces this copy."
        if not stream.complete or stream.sent != local.size:
            raise TransportError(
                f"{local.path} changed while it was uploaded to record {draft.id}.", hint=hint
            )
        # What Zenodo stored must be what was planned: its md5 (§3.8.3) against the planned one,
        # or against the md5 of the bytes sent when none was planned.
        expected = local.md5.lower() if local.md5 else stream.md5
        if remote.md5 and remote.md5 != expected:
            sent = stream.md5 or _md5_on_disk(Path(local.path))  # the file again, only on this rare path
            if local.md5 and sent != local.md5.lower():
                raise TransportError(
                    f"{local.path} changed since it was hashed (md5 {local.md5} planned, "
                    f"{sent} sent) while uploading to record {draft.id}.",
                    hint="Run `zsync plan` again so the plan matches the files.",
                )
            raise TransportError(
                f"Upload of {local.name} to record {draft.id} arrived damaged: Zenodo "
                f"computed md5 {remote.md5}, zsync sent {sent}.",
                hint=hint,
            )
        # No md5 in the answer to check against: hash what is on disk now (the bytes sent).
        if not remote.md5 and local.md5 and _md5_on_disk(Path(local.path)) != local.md5.lower():
            raise TransportError(
                f"{local.path} changed since it was hashed (md5 {local.md5} planned) while "
                f"uploading to record {draft.id}.",
                hint="Run `zsync plan` again so the plan matches the files.",
            )
        if remote.size and remote.size != stream.sent:
            raise TransportError(
                f"Upload of {local.name} to record {draft.id} arrived incomplete: Zenodo "
                f"stored {remote.size} bytes of {stream.sent}.",
                hint=hint,
            )

    def delete_file(self, draft: RemoteRecord, remote: RemoteFile) -> None:
        # By key in the draft's bucket: works for files uploaded through the bucket (whose
        # answer carries no deposit file id) and for files imported into a new version.
        bucket = self._bucket_url(draft)
        try:
            self.http.request(
                "DELETE",
                f"{bucket}/{quote(remote.name, safe='')}",
                operation=f"deletion of file {remote.name}",
                record_id=draft.id,
                expect=(200, 204),
            )
        except NotFoundError:
            # A DELETE whose answer was lost is retried (it is idempotent) and the retry finds the
            # file gone: that is the goal, once the draft itself is read and lacks the file.
            if remote.name in {f.name for f in self.get(draft.id).files}:
                raise

    # -- actions (all POSTs: never re-sent once they may have reached the server) ------------

    def _action(self, record_id: int, action: str, expect: tuple[int, ...]) -> requests.Response:
        return self.http.request(
            "POST",
            f"{DEPOSITIONS}/{record_id}/actions/{action}",
            operation=action,
            record_id=record_id,
            expect=expect,
        )

    def publish(self, record_id: int) -> RemoteRecord:
        # 202 with the published record; its links.self points to /api/records/<id>, so
        # later reads go by id, never by that link (docs/zenodo-behaviour.md §3.3).
        return parse_record(_json(self._action(record_id, "publish", (202, 200))))

    def edit(self, record_id: int) -> RemoteRecord:
        return parse_record(_json(self._action(record_id, "edit", (201, 200))))

    def discard(self, record_id: int) -> None:
        # 204 today; the old docs' 201 + body still counts as done.
        self._action(record_id, "discard", (204, 201, 200))

    def new_version(self, record_id: int) -> RemoteRecord:
        try:
            response = self._action(record_id, "newversion", (201, 200))
        except ValidationRejected as exc:
            if not _is_pending_draft_error(exc):
                raise
            # A new-version draft with files already exists (an earlier run stopped
            # after newversion); Zenodo allows one per concept: reuse it (§3.9.3).
            pending = self.find_pending_draft(record_id)
            if pending is None:
                raise PendingDraftExists(
                    f"Zenodo refused a new version of record {record_id}: a new-version draft already "
                    "exists, but zsync could not find it in the account's depositions.",
                    hint="Open the record on Zenodo, publish or discard the pending new version, then "
                    "run the command again.",
                    status=exc.status,
                    field_errors=exc.field_errors,
                ) from None
            log.info("Reusing pending new-version draft %s of record %s", pending.id, record_id)
            return pending
        draft = parse_record(_json(response))
        if draft.id == record_id and not draft.is_draft:
            # Pre-2023 servers answered with the original record and linked the draft.
            latest = draft.links.get("latest_draft", "")
            tail = latest.rstrip("/").rsplit("/", 1)[-1]
            if tail.isdigit() and int(tail) != record_id:
                return self.get(int(tail))
        return draft

    def find_pending_draft(self, record_id: int) -> RemoteRecord | None:
        """The open new-version draft of the concept of `record_id`, read in full (with bucket)."""
        record = self.get(record_id)
        if record.concept_id is None:
            return None
        candidates = [r for r in self.versions(record.concept_id) if r.state == "unsubmitted"]
        if not candidates:
            return None
        return self.get(candidates[0].id)

    # -- published records and their files, as anyone reads them (records API, §6) -----------

    def read_published(self, record_id: int) -> RemoteRecord:
        # A concept id answers 302 to its latest version (§6.1.1); requests follows it on
        # this origin only (http.py).
        try:
            response = self.http.request("GET", f"records/{record_id}", operation="read", record_id=record_id)
        except NotFoundError as exc:
            raise NotFoundError(
                f"Zenodo has no published record {record_id} ({exc.status}).",
                hint="Check the id, DOI or link, and the server (--server): a record on the sandbox is "
                "not on zenodo.org. A draft that was never published cannot be downloaded by others.",
                status=exc.status,
            ) from None
        record = parse_record(_json(response))
        if not record.files:
            # Files a reader may not open can be left out of the record (§6.12); their listing
            # says 403 then, which is worth saying rather than downloading nothing.
            record.files = self._published_files(record)
        return record

    def _published_files(self, record: RemoteRecord) -> list[RemoteFile]:
        try:
            response = self.http.request(
                "GET", f"records/{record.id}/files", operation="list files", record_id=record.id
            )
        except AuthError as exc:
            raise self._files_refused(record, "listing of its files", exc) from None
        entries = _json(response).get("entries") or []
        if isinstance(entries, dict):
            entries = list(entries.values())
        return [parse_file(entry) for entry in entries if isinstance(entry, dict)]

    def _files_refused(self, record: RemoteRecord, operation: str, exc: AuthError) -> AuthError:
        return AuthError(
            f"Zenodo refused the {operation} from record {record.id} ({exc.status}): its files are "
            + ("not open to this token." if self.http.has_token else "restricted to its owner."),
            hint="Set ZENODO_TOKEN to the token of the record's owner: restricted and embargoed "
            "files are for the owner only (and for whom they share them with on the website).",
            status=exc.status,
        )

    def published_versions(self, record_id: int) -> list[RemoteRecord]:
        # Paged like every search: 25 a page without a token, 100 with one (§6.4).
        size = PAGE_SIZE if self.http.has_token else GUEST_PAGE_SIZE
        found: dict[int, RemoteRecord] = {}
        for page in range(1, MAX_PAGES + 1):
            response = self.http.request(
                "GET",
                f"records/{record_id}/versions",
                params={"page": page, "size": size},
                operation="list versions",
                record_id=record_id,
            )
            hits = (_json(response).get("hits") or {}).get("hits") or []
            for hit in hits:
                record = parse_record(hit)
                found[record.id] = record
            if len(hits) < size:
                break
        return sorted(found.values(), key=version_order)

    @contextlib.contextmanager
    def open_file(
        self, record: RemoteRecord, remote: RemoteFile, *, offset: int = 0
    ) -> Iterator[FileContent]:
        # Draft files have their own route; a published version's are under the record (§6.1).
        draft = "/draft" if record.is_draft else ""
        url = f"records/{record.id}{draft}/files/{quote(remote.name, safe='')}/content"
        operation = f"download of {remote.name}"
        try:
            with stream_content(
                self.http, url, offset=offset, operation=operation, record_id=record.id
            ) as content:
                yield content
        except AuthError as exc:
            raise self._files_refused(record, operation, exc) from None


def _is_pending_draft_error(exc: ValidationRejected) -> bool:
    texts = [exc.message] + [m for e in exc.field_errors for m in e.get("messages", [])]
    return any(PENDING_DRAFT_MESSAGE in text.lower() for text in texts)


# --- the records API: reading any public record, and searching (zsync import) ------------------

RECORDS = "records"
# Hits past this many (page * size) are a 400; a larger result is fetched in date slices (§6.14).
RESULT_WINDOW = 10_000
# The publication dates a date slice may span; Zenodo holds records from before 1900 too.
EARLIEST_DATE = "0001-01-01"
LATEST_DATE = "9999-12-31"
# Records search has its own limit (30 a minute for everyone), which replaces the global one
# (docs/zenodo-behaviour.md §5): its own limiter follows that endpoint's headers.
SEARCH_REQUESTS_PER_MINUTE = 30
# InvenioRDM's own record JSON, asked for by Accept header (docs/zenodo-behaviour.md §1.2).
NATIVE_JSON = "application/vnd.inveniordm.v1+json"


class RecordsReader:
    """Public records by id and the records search, beside a deposit backend (same server, token).

    Reads the records API (`/api/records`), which shows anybody's published records; the
    token, when there is one, adds the owner's restricted records and the larger page size.
    """

    def __init__(
        self,
        backend: ZenodoDepositBackend,
        *,
        token: str | None,
        result_window: int = RESULT_WINDOW,
        searches_per_minute: int = SEARCH_REQUESTS_PER_MINUTE,
    ):
        self.backend = backend
        self.authenticated = bool(token)
        self.result_window = result_window
        http = backend.http
        self.search_http = HttpClient(
            backend.server_url,
            token,
            user_agent=http.user_agent,
            limiter=RateLimiter(per_minute=searches_per_minute, sleep=backend.limiter.sleep),
            retries=http.retries,
            timeout=http.timeout,
            backoff=http.backoff,
            sleep=http.sleep,
        )

    @property
    def page_size(self) -> int:
        # Records search pages: at most 25 hits without a token, 100 with one (§6.4).
        return PAGE_SIZE if self.authenticated else GUEST_PAGE_SIZE

    def record(self, record_id: int) -> dict[str, Any]:
        """One published record as the records API shows it; a concept id answers its latest version
        (the server redirects there, docs/zenodo-behaviour.md §6.1)."""
        response = self.backend.http.request(
            "GET", f"{RECORDS}/{record_id}", operation="read record", record_id=record_id
        )
        data = _json(response)
        if not isinstance(data, dict) or "id" not in data:
            raise self.backend._not_an_api(
                f"answered GET {RECORDS}/{record_id} with JSON that is not a record"
            )
        return data

    def native(self, record_id: int) -> dict[str, Any]:
        """One published record as InvenioRDM's own JSON, which keeps what the legacy view hides
        (single dates, newer relations, the publisher: docs/zenodo-behaviour.md §6.13)."""
        response = self.backend.http.request(
            "GET",
            f"{RECORDS}/{record_id}",
            headers={"Accept": NATIVE_JSON},
            operation="read record",
            record_id=record_id,
        )
        data = _json(response)
        return data if isinstance(data, dict) else {}

    def search(self, query: str = "", communities: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
        """Every hit of a records search (latest version per concept), paged.

        Past the result window the query is split by publication date, halving the range
        until each slice fits, so that nothing past hit 10 000 is lost.
        """
        yield from self._search_slice(query, communities, EARLIEST_DATE, LATEST_DATE, whole=True)

    def _search_slice(
        self, query: str, communities: tuple[str, ...], start: str, end: str, *, whole: bool = False
    ) -> Iterator[dict[str, Any]]:
        sliced = query if whole else _with_date_range(query, start, end)
        first, total = self._page(sliced, communities, 1)
        if total > self.result_window and start < end:
            middle = _middle_date(start, end)
            if middle is not None:
                yield from self._search_slice(query, communities, start, middle)
                yield from self._search_slice(query, communities, _next_day(middle), end)
                return
        if total > self.result_window:
            log.warning(
                "%d records were published on %s for query %r; Zenodo lists at most %d of them.",
                total,
                start,
                query,
                self.result_window,
            )
        yield from first
        pages = min(-(-total // self.page_size), self.result_window // self.page_size)
        for page in range(2, pages + 1):
            hits, _total = self._page(sliced, communities, page)
            if not hits:
                return
            yield from hits

    def _page(self, query: str, communities: tuple[str, ...], page: int) -> tuple[list[dict[str, Any]], int]:
        params: dict[str, Any] = {"page": page, "size": self.page_size, "sort": "mostrecent"}
        if query:
            params["q"] = query
        if communities:
            params["communities"] = list(communities)
        response = self.search_http.request("GET", RECORDS, params=params, operation="search records")
        body = _json(response)
        hits = body.get("hits") if isinstance(body, dict) else None
        if not isinstance(hits, dict) or not isinstance(hits.get("hits"), list):
            raise self.backend._not_an_api(
                "answered the records search with JSON that is not a search result"
            )
        total = hits.get("total")
        if isinstance(total, dict):  # OpenSearch's {"value": n, "relation": "eq"}
            total = total.get("value")
        return [hit for hit in hits["hits"] if isinstance(hit, dict)], int(total or 0)


def _with_date_range(query: str, start: str, end: str) -> str:
    dates = f"publication_date:[{start} TO {end}]"
    return f"({query}) AND {dates}" if query else dates


def _middle_date(start: str, end: str) -> str | None:
    """The day halfway between two ISO dates (None when they are the same day)."""
    import datetime

    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    if first >= last:
        return None
    return (first + (last - first) // 2).isoformat()


def _next_day(day: str) -> str:
    import datetime

    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()


def version_order(record: RemoteRecord) -> tuple[int, int]:
    """Sort key of a concept's versions, oldest first: the version index the records API gives
    (`relations.version[0].index`, §8.4), else the id (ids only grow)."""
    relations = record.metadata.get("relations") or {}
    versions = relations.get("version") if isinstance(relations, dict) else None
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        index = versions[0].get("index")
        if isinstance(index, int):
            return index, record.id
    return record.id, record.id
