"""The native InvenioRDM API's writes (docs/zenodo-behaviour.md §7): drafts, the three-step
upload, publish, edit, new versions with files-import, reserved DOIs, community inclusion.

HTTP only, as app.py: the state changes are service.py's (over the same store as the deposit
API), the JSON is records.py's InvenioRDM serialisation, so every answer has the shape of a
read of the same record.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from zenodo_sync.emulator import service
from zenodo_sync.emulator.config import EmulatorConfig
from zenodo_sync.emulator.errors import ApiError, permission_denied
from zenodo_sync.emulator.records import RDM_JSON, RecordsApi
from zenodo_sync.emulator.store import Store
from zenodo_sync.emulator.views import KEY_SAFE, Urls

JSON = "application/json"
OCTET_STREAM = "application/octet-stream"


def _json(body: Any, status: int = 200) -> Response:
    # RDM answers its native routes in its own media type (IRR resources/config.py).
    return Response(json.dumps(body), status=status, mimetype=JSON)


class NativeApi:
    def __init__(self, config: EmulatorConfig, store: Store, records: RecordsApi) -> None:
        self.config = config
        self.store = store
        self.records = records

    # -- bodies ---------------------------------------------------------------------------------
    @staticmethod
    def body(request: Request) -> Any:
        if request.mimetype not in ("", JSON, RDM_JSON):
            raise ApiError(415, f"Invalid 'Content-Type' header. Expected one of: {JSON}, {RDM_JSON}")
        data = request.get_data()
        if not data.strip():
            return {}
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Unable to decode JSON data in request body.") from None

    def draft_response(self, request: Request, view: dict, status: int = 200) -> Response:
        """The draft (or, once published, the record) of `view` as InvenioRDM JSON."""
        with self.store.transaction(write=False) as tx:
            view = self.records._with_versions(tx, view)
        current = view["draft"] or view["record"]
        return _json(self.records.rdm_record(view, current, Urls(request.host_url)), status)

    # -- drafts -----------------------------------------------------------------------------------
    def create(self, request: Request, user: int | None) -> Response:
        body = self.body(request)
        with self.store.transaction(write=True) as tx:
            view = service.create_native_draft(tx, user, body)
        return self.draft_response(request, view, 201)

    def update(self, request: Request, user: int | None, record_id: int) -> Response:
        body = self.body(request)
        with self.store.transaction(write=True) as tx:
            view = service.update_native_draft(tx, user, record_id, body)
        return self.draft_response(request, view)

    def discard(self, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            service.delete_deposit(tx, user, record_id)
        return Response(status=204)

    def edit(self, request: Request, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            view = service.edit(tx, user, record_id)
        return self.draft_response(request, view, 201)

    def publish(self, request: Request, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            view = service.publish(tx, user, record_id, self.config)
        return self.draft_response(request, view, 202)

    def new_version(self, request: Request, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            view = service.native_new_version(tx, user, record_id)
        return self.draft_response(request, view, 201)

    def reserve_doi(self, request: Request, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            view = service.reserve_doi(tx, user, record_id, self.config)
        return self.draft_response(request, view, 201)

    def include(self, request: Request, user: int | None, record_id: int) -> Response:
        body = self.body(request)
        with self.store.transaction(write=True) as tx:
            processed, errors = service.include_in_communities(tx, user, record_id, body, self.config)
        answer: dict = {}
        if processed:
            answer["processed"] = processed
        if errors:
            answer["errors"] = errors
        # 200 when at least one request was made, else 400 (IRR RDMRecordCommunitiesResource.add).
        return _json(answer, 200 if processed else 400)

    def requests(self, request: Request, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=False) as tx:
            found = service.record_requests(tx, user, record_id)
        return _json({"hits": {"hits": found, "total": len(found)}, "links": {"self": request.base_url}})

    def accept(self, user: int | None, request_id: str) -> Response:
        with self.store.transaction(write=True) as tx:
            return _json(service.accept_inclusion(tx, user, request_id))

    # -- files ------------------------------------------------------------------------------------
    def files_listing(self, request: Request, record_id: int, view: dict, status: int) -> Response:
        draft = view["draft"]
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            pending = tx.pending_keys(draft["bucket_id"])
            entries = [self.entry(tx, urls, record_id, obj, draft) for obj in draft["files"]]
        stored_keys = {obj["key"] for obj in draft["files"]}
        entries += [self.initialised_entry(urls, record_id, key) for key in pending if key not in stored_keys]
        body = {
            "enabled": True,
            "default_preview": None,
            "order": [],
            "entries": entries,
            "links": {"self": f"{urls.record(record_id)}/draft/files"},
        }
        return _json(body, status)

    def entry(self, tx: Any, urls: Urls, record_id: int, obj: dict, draft: dict) -> dict:
        entry = self.records._file_entry(urls, record_id, obj, draft, draft=True)
        entry["status"] = tx.file_status(draft["bucket_id"], obj["key"]) or "completed"
        entry["links"]["commit"] = entry["links"]["self"] + "/commit"
        return entry

    @staticmethod
    def initialised_entry(urls: Urls, record_id: int, key: str) -> dict:
        """A key initialised but without content yet: no size or checksum (IRR file schema)."""
        self_url = f"{urls.record(record_id)}/draft/files/{quote(key, safe=KEY_SAFE)}"
        return {
            "key": key,
            "metadata": None,
            "access": {"hidden": False},
            "status": "pending",
            "transfer": {"type": "L"},
            "links": {"self": self_url, "content": self_url + "/content", "commit": self_url + "/commit"},
        }

    def init_files(self, request: Request, user: int | None, record_id: int) -> Response:
        body = self.body(request)
        with self.store.transaction(write=True) as tx:
            view = service.init_files(tx, user, record_id, body, self.config)
        return self.files_listing(request, record_id, view, 201)

    def import_files(self, request: Request, user: int | None, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            view = service.import_files(tx, user, record_id)
        return self.files_listing(request, record_id, view, 201)

    def file_write(self, request: Request, user: int | None, record_id: int, key: str) -> Response:
        """PUT <key>/content (step 2) and POST <key>/commit (step 3)."""
        urls = Urls(request.host_url)
        if request.method == "PUT" and key.endswith("/content"):
            if request.mimetype not in ("", OCTET_STREAM):
                raise ApiError(415, f"Invalid 'Content-Type' header. Expected one of: {OCTET_STREAM}")
            if user is None:
                raise permission_denied()
            key = key[: -len("/content")]
            upload = self.store.receive_file(request.stream, limit=self.config.max_file_size)
            try:
                with self.store.transaction(write=True) as tx:
                    obj = service.put_file_content(tx, user, record_id, key, upload, self.config)
                    draft = service.load_view(tx, record_id)["draft"]
                    entry = self.entry(tx, urls, record_id, obj, draft)
            finally:
                upload.discard()
            return _json(entry)
        if request.method == "POST" and key.endswith("/commit"):
            key = key[: -len("/commit")]
            with self.store.transaction(write=True) as tx:
                obj = service.commit_file(tx, user, record_id, key)
                draft = service.load_view(tx, record_id)["draft"]
                entry = self.entry(tx, urls, record_id, obj, draft)
            return _json(entry)
        raise ApiError(405, "The method is not allowed for the requested URL.")

    def delete_file(self, user: int | None, record_id: int, key: str) -> Response:
        with self.store.transaction(write=True) as tx:
            service.delete_native_file(tx, user, record_id, key)
        return Response(status=204)
