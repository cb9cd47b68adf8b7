"""The InvenioRDM REST API (`/api/records/...`) as a Backend: zenodo.org and any other instance.

The native flow (docs/zenodo-behaviour.md §7): a draft made with `POST /records`, files in
three steps (init, content, commit), `PUT .../draft` to replace the metadata, publish; an
edit is `POST /records/<id>/draft`; a new version is `POST /records/<id>/versions` followed
by `files-import`, so the files of the previous version are linked rather than uploaded
again; the DOI is reserved on the draft (`.../draft/pids/doi`), and communities are asked for
with inclusion requests once the record is published.

The engine sees the same RemoteRecords as from the deposit backend: metadata is read back
through the one mapping of zenodo/rdm_mapping.py, the deposit API's own reverse mapping, so
a plan is the same on either backend. The HTTP client, rate limiter, waits and upload checks
are the deposit backend's (this class extends it); every API call is overridden here.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from zenodo_sync.backends.base import ProgressCallback
from zenodo_sync.backends.deposit import (
    PAGE_SIZE,
    ZenodoDepositBackend,
    _FileStream,
    _json,
    parse_file,
    planned_size,
)
from zenodo_sync.backends.http import Body
from zenodo_sync.errors import NotFoundError, ServerError, ValidationRejected
from zenodo_sync.model import LocalFile, RemoteFile, RemoteRecord
from zenodo_sync.zenodo import rdm_mapping

log = logging.getLogger(__name__)

RECORDS = "records"
USER_RECORDS = "user/records"
# Zenodo answers /api/records in its own JSON unless asked for InvenioRDM's (§7.3); other
# instances answer InvenioRDM JSON either way.
RDM_JSON = "application/vnd.inveniordm.v1+json"
READ_HEADERS = {"Accept": RDM_JSON}
# Search results stop at 10 000 (page * size), as on the deposit API (§3.5).
MAX_PAGES = 10_000 // PAGE_SIZE
ALREADY_EXISTS = "already exists"
REMOVE_FILES_FIRST = "remove all files first"


def parse_rdm_record(data: Any) -> RemoteRecord:
    """A native record or draft (InvenioRDM JSON) -> the RemoteRecord the deposit API would give."""
    if not isinstance(data, dict) or "id" not in data:
        raise ServerError(
            "The server answered with something that is not an InvenioRDM record (no `id`).",
            hint="Check that the server address points at an InvenioRDM API (ending in /api).",
        )
    is_published = bool(data.get("is_published"))
    is_draft = bool(data.get("is_draft"))
    state = "done" if not is_draft else ("inprogress" if is_published else "unsubmitted")
    parent = data.get("parent") or {}
    entries = (data.get("files") or {}).get("entries") or {}
    files = list(entries.values()) if isinstance(entries, dict) else list(entries)
    metadata = rdm_mapping.from_rdm(data)
    owner = ((parent.get("access") or {}).get("owned_by") or {}).get("user")
    concept_doi = ((parent.get("pids") or {}).get("doi") or {}).get("identifier")
    links = {str(k): str(v) for k, v in (data.get("links") or {}).items() if isinstance(v, str)}
    if "self_html" in links:
        links["html"] = links["self_html"]  # what RemoteRecord.html_url reads
    record_id = str(data["id"])
    if not record_id.isdigit():
        raise ServerError(
            f"The server's record id {record_id!r} is not a number; zsync needs numeric record ids.",
            hint="zenodo.org and InvenioRDM instances that use numeric record PIDs are supported.",
        )
    return RemoteRecord(
        id=int(record_id),
        concept_id=str(parent["id"]) if parent.get("id") not in (None, "") else None,
        state=state,
        submitted=is_published,
        metadata=metadata,
        files=[parse_file(item) for item in files if isinstance(item, dict)],
        doi=metadata.get("doi") or None,
        concept_doi=concept_doi or None,
        links=links,
        modified=data.get("updated"),
        owner=int(str(owner)) if str(owner or "").isdigit() else None,
    )


def _today() -> str:
    """The date a missing publication_date defaults to, as the server's own default (§3.6)."""
    return datetime.now(timezone.utc).date().isoformat()


class InvenioRdmBackend(ZenodoDepositBackend):
    """Backend over the native InvenioRDM API; safe to share between worker threads."""

    drafts_hold_communities = False  # inclusion requests are for published records (§7.8)

    def __init__(self, server_url: str, token: str | None, **options: Any):
        super().__init__(server_url, token, **options)
        # Communities a draft's metadata asks for, by draft id: requested once it is published
        # (§7.8). update_metadata always comes before publish in one apply (engine/apply.py).
        self._communities: dict[int, list[str]] = {}
        self._communities_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"InvenioRdmBackend({self.server_url!r})"

    # -- requests --------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        record_id: int | None = None,
        expect: tuple[int, ...] = (200,),
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> requests.Response:
        return self.http.request(
            method,
            path,
            json=json,
            params=params,
            headers=READ_HEADERS,
            operation=operation,
            record_id=record_id,
            expect=expect,
        )

    def _record(self, response: requests.Response) -> RemoteRecord:
        return parse_rdm_record(_json(response))

    # -- reading ----------------------------------------------------------------------------------
    def list_own(self, query: str | None = None, all_versions: bool = False) -> Iterator[RemoteRecord]:
        # The owner's drafts and records (RDM search_drafts, §6.5): one hit per record id, its
        # draft where it has one. Search-backed like the deposit listing (§6.6).
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"page": page, "size": PAGE_SIZE, "sort": "newest"}
            if query:
                params["q"] = query
            if all_versions:
                params["allversions"] = "true"
            try:
                body = _json(self._call("GET", USER_RECORDS, params=params, operation="list records"))
            except (NotFoundError, ServerError) as exc:
                if page == 1 and (isinstance(exc, NotFoundError) or exc.status == 200):
                    found = "no such route" if exc.status == 404 else "a body that is not JSON"
                    raise self._not_rdm(f"answered {exc.status} with {found}") from None
                raise
            hits = (body.get("hits") or {}).get("hits") if isinstance(body, dict) else None
            if not isinstance(hits, list):
                raise self._not_rdm("answered with JSON that is not a search result")
            for item in hits:
                yield parse_rdm_record(item)
            if len(hits) < PAGE_SIZE or not (body.get("links") or {}).get("next"):
                return
        log.warning(
            "The server returns at most %d search results; records beyond that were not listed.",
            MAX_PAGES * PAGE_SIZE,
        )

    def _not_rdm(self, what: str) -> ServerError:
        return ServerError(
            f"{self.server_url} does not look like an InvenioRDM API: GET {self.server_url}/{USER_RECORDS} {what}.",
            hint="Check the server address (--server, ZSYNC_SERVER or `server:` in zsync.yaml): the "
            "API base URL of the instance, ending in /api, such as https://zenodo.org/api.",
        )

    def versions(self, concept_id: str | int) -> list[RemoteRecord]:
        records = self.list_own(query=f"parent.id:{concept_id}", all_versions=True)
        return sorted(records, key=lambda record: record.id, reverse=True)

    def get(self, record_id: int) -> RemoteRecord:
        # The open draft first (an edit draft shares its record's id), else the published record.
        try:
            response = self._call(
                "GET", f"{RECORDS}/{record_id}/draft", operation="read", record_id=record_id
            )
        except NotFoundError:
            response = self._call("GET", f"{RECORDS}/{record_id}", operation="read", record_id=record_id)
        return self._record(response)

    # -- drafts and metadata ----------------------------------------------------------------------
    def _draft(self, metadata: dict[str, Any]) -> rdm_mapping.RdmDraft:
        unsupported = rdm_mapping.no_rdm_equivalent(metadata)
        if unsupported:
            field, why = next(iter(unsupported.items()))
            raise ValidationRejected(
                f"`{field}` cannot be sent through the InvenioRDM API: {why}.",
                hint="Remove the field from the manifest, or set `backend: deposit` in zsync.yaml.",
                field_errors=[{"field": f"metadata.{field}", "messages": [why]}],
            )
        try:
            draft = rdm_mapping.to_rdm(metadata, today=_today())
        except rdm_mapping.LegacyInputError as exc:
            raise ValidationRejected(
                f"The metadata cannot be mapped to InvenioRDM's: {exc}.",
                hint="Run `zsync validate`: it names the field in the manifest.",
                status=400,
                field_errors=[{"field": e["field"], "messages": list(e["messages"])} for e in exc.errors],
            ) from None
        if not metadata.get("doi"):
            # Omitted pids are kept by a PUT (§7.4): the reserved DOI stays the draft's.
            draft.body.pop("pids", None)
        return draft

    def _remember_communities(self, record_id: int, communities: list[str]) -> None:
        with self._communities_lock:
            self._communities[record_id] = list(communities)

    def create(self, metadata: dict[str, Any]) -> RemoteRecord:
        # A POST: never retried once it may have reached the server (http.py).
        wanted = self._draft(metadata)
        draft = self._record(self._call("POST", RECORDS, json=wanted.body, operation="create", expect=(201,)))
        self._remember_communities(draft.id, wanted.communities)
        return self._reserve_doi(draft)

    def _reserve_doi(self, draft: RemoteRecord) -> RemoteRecord:
        """The DOI publish will mint, reserved on the draft (§7.7), as the deposit API shows it
        in `prereserve_doi`. An instance without DOI minting refuses: the draft stays as it is."""
        if draft.doi or draft.metadata.get("prereserve_doi"):
            return draft
        try:
            response = self._call(
                "POST",
                f"{RECORDS}/{draft.id}/draft/pids/doi",
                operation="reserve a DOI",
                record_id=draft.id,
                expect=(201, 200),
            )
        except ServerError as exc:
            log.info("No DOI reserved for draft %s: %s", draft.id, exc.message)
            return draft
        return self._record(response)

    def update_metadata(self, record_id: int, metadata: dict[str, Any]) -> RemoteRecord:
        # PUT replaces metadata and custom_fields (§7.4), as the deposit API's PUT does (§3.6).
        wanted = self._draft(metadata)
        self._remember_communities(record_id, wanted.communities)
        response = self._call(
            "PUT",
            f"{RECORDS}/{record_id}/draft",
            json=wanted.body,
            operation="update metadata",
            record_id=record_id,
        )
        data = _json(response)
        for error in (data.get("errors") or []) if isinstance(data, dict) else []:
            # RDM drops a field that fails validation and says so here (§7.1); the deposit
            # API drops it silently. Either way publish refuses an incomplete draft.
            log.warning(
                "Record %s: the server dropped %s: %s", record_id, error.get("field"), error.get("messages")
            )
        return parse_rdm_record(data)

    # -- files ------------------------------------------------------------------------------------
    def _files_path(self, record_id: int, key: str | None = None) -> str:
        base = f"{RECORDS}/{record_id}/draft/files"
        return base if key is None else f"{base}/{quote(key, safe='')}"

    def upload(
        self, draft: RemoteRecord, local: LocalFile, progress: ProgressCallback | None = None
    ) -> RemoteFile:
        operation = f"upload of {local.name}"
        size = planned_size(local, operation)
        self._init_file(draft.id, local.name)
        stream = _FileStream(Path(local.path), size, progress, hash_sent=not local.md5)
        body = Body(lambda: stream)
        if size == 0:
            stream.md5 = hashlib.md5(b"", usedforsecurity=False).hexdigest()
            stream.complete = True
            body = Body(lambda: b"")
        # Step 2: raw bytes, octet-stream only; the file stays pending until committed (§7.5).
        self.http.request(
            "PUT",
            self._files_path(draft.id, local.name) + "/content",
            body=body,
            headers={"Content-Type": "application/octet-stream"},
            operation=operation,
            record_id=draft.id,
            expect=(200, 201),
        )
        # Step 3: the commit answers the stored size and "md5:<hex>" checksum.
        committed = self._call(
            "POST",
            self._files_path(draft.id, local.name) + "/commit",
            operation=f"commit of {local.name}",
            record_id=draft.id,
            expect=(200, 201),
        )
        remote = parse_file(_json(committed))
        if not remote.name:
            remote = RemoteFile(id=remote.id, name=local.name, size=remote.size, md5=remote.md5)
        self._verify_upload(draft, local, stream, remote)
        return remote

    def _init_file(self, record_id: int, key: str) -> None:
        """Step 1. A key the draft holds already is deleted first: the native API does not
        replace on init, as the deposit API's bucket PUT does (§7.5)."""
        try:
            self._call(
                "POST",
                self._files_path(record_id),
                json=[{"key": key}],
                operation=f"start of the upload of {key}",
                record_id=record_id,
                expect=(201, 200),
            )
        except ValidationRejected as exc:
            if ALREADY_EXISTS not in exc.message.lower():
                raise
            self._delete_key(record_id, key)
            self._call(
                "POST",
                self._files_path(record_id),
                json=[{"key": key}],
                operation=f"start of the upload of {key}",
                record_id=record_id,
                expect=(201, 200),
            )

    def _delete_key(self, record_id: int, key: str) -> None:
        self._call(
            "DELETE",
            self._files_path(record_id, key),
            operation=f"deletion of file {key}",
            record_id=record_id,
            expect=(204, 200),
        )

    def delete_file(self, draft: RemoteRecord, remote: RemoteFile) -> None:
        try:
            self._delete_key(draft.id, remote.name)
        except NotFoundError:
            # A retried DELETE finds the file gone: done, once the draft indeed lacks it.
            if remote.name in {f.name for f in self.get(draft.id).files}:
                raise

    # -- actions (POSTs: never re-sent once they may have reached the server) -----------------
    def publish(self, record_id: int) -> RemoteRecord:
        response = self._call(
            "POST",
            f"{RECORDS}/{record_id}/draft/actions/publish",
            operation="publish",
            record_id=record_id,
            expect=(202, 200),
        )
        record = self._record(response)
        with self._communities_lock:
            requested = self._communities.pop(record_id, [])
        missing = [slug for slug in requested if slug not in _communities_of(record)]
        if missing:
            # A request still open is not sent again: the server refuses a second one (§7.8).
            waiting = set(self.pending_communities(record))
            missing = [slug for slug in missing if slug not in waiting]
        if missing and self._include(record_id, missing):
            record = self.get(record_id)
        return record

    def _include(self, record_id: int, slugs: list[str]) -> bool:
        """Inclusion requests for the published record (§7.8); True when any was accepted.

        A community that reviews submissions leaves its request open: the record joins it
        once a curator accepts, and until then the next plan still shows the community."""
        try:
            response = self.http.request(
                "POST",
                f"{RECORDS}/{record_id}/communities",
                json={"communities": [{"id": slug} for slug in slugs]},
                operation="community inclusion requests",
                record_id=record_id,
                expect=(200, 400),
            )
        except ServerError as exc:
            log.warning("Record %s: community inclusion requests failed: %s", record_id, exc.message)
            return False
        answer = _json(response) if response.content else {}
        accepted = False
        for item in answer.get("processed") or []:
            status = (item.get("request") or {}).get("status")
            if status == "accepted":
                accepted = True
            else:
                log.warning(
                    "Record %s: the inclusion request to community %s is %s, waiting for its curators.",
                    record_id,
                    item.get("community_id"),
                    status or "open",
                )
        for item in answer.get("errors") or []:
            log.warning(
                "Record %s: community %s: %s", record_id, item.get("community_id"), item.get("message")
            )
        return accepted

    def pending_communities(self, record: RemoteRecord) -> list[str]:
        # The record's requests (invenio-rdm-records RDMRecordRequestsResource), open inclusions only.
        response = self._call(
            "GET",
            f"{RECORDS}/{record.id}/requests",
            params={"expand": "true", "size": PAGE_SIZE},
            operation="read of community requests",
            record_id=record.id,
        )
        body = _json(response)
        hits = (body.get("hits") or {}).get("hits") if isinstance(body, dict) else None
        slugs = []
        for request in hits if isinstance(hits, list) else []:
            if not isinstance(request, dict) or request.get("type") != "community-inclusion":
                continue
            if not request.get("is_open", request.get("status") == "submitted"):
                continue
            expanded = ((request.get("expanded") or {}).get("receiver") or {}).get("slug")
            slug = expanded or (request.get("receiver") or {}).get("community")
            if slug:
                slugs.append(str(slug))
        return slugs

    def edit(self, record_id: int) -> RemoteRecord:
        response = self._call(
            "POST", f"{RECORDS}/{record_id}/draft", operation="edit", record_id=record_id, expect=(201, 200)
        )
        return self._record(response)

    def discard(self, record_id: int) -> None:
        self._call(
            "DELETE",
            f"{RECORDS}/{record_id}/draft",
            operation="discard",
            record_id=record_id,
            expect=(204, 200),
        )

    def new_version(self, record_id: int) -> RemoteRecord:
        # The concept's new-version draft; an existing one comes back as it is (§7.6).
        response = self._call(
            "POST",
            f"{RECORDS}/{record_id}/versions",
            operation="newversion",
            record_id=record_id,
            expect=(201, 200),
        )
        draft = self._record(response)
        if not draft.files:
            # Link the previous version's files instead of uploading them again (§7.6).
            try:
                self._call(
                    "POST",
                    f"{RECORDS}/{draft.id}/draft/actions/files-import",
                    operation="files-import",
                    record_id=draft.id,
                    expect=(201, 200),
                )
            except ValidationRejected as exc:
                if REMOVE_FILES_FIRST not in exc.message.lower() and not any(
                    REMOVE_FILES_FIRST in m.lower() for e in exc.field_errors for m in e.get("messages", [])
                ):
                    raise
        reserved = self._reserve_doi(self.get(draft.id))
        return reserved

    def find_pending_draft(self, record_id: int) -> RemoteRecord | None:
        record = self.get(record_id)
        if record.concept_id is None:
            return None
        candidates = [r for r in self.versions(record.concept_id) if r.state == "unsubmitted"]
        return self.get(candidates[0].id) if candidates else None


def _communities_of(record: RemoteRecord) -> list[str]:
    return [str(c.get("identifier")) for c in record.metadata.get("communities") or [] if isinstance(c, dict)]
