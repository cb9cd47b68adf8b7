"""The emulator's WSGI app: Zenodo's deposit, bucket and records routes (docs/zenodo-behaviour.md §3, §6), and
the pages, exports and other surfaces their links point at (surfaces.py, §6.7-§6.11).

Parsing and answering HTTP only: who is asking (token), what they sent (JSON, multipart, raw
bytes), which status and body come back. The state machine is service.py, the JSON shapes are
views.py and records.py, the metadata is translate.py.
"""

from __future__ import annotations

import json
import secrets
import sys
import traceback
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, IntegerConverter, Map, RequestRedirect, Rule
from werkzeug.utils import redirect, secure_filename
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from zenodo_sync.emulator import bodies, formats, native, records, search, service, surfaces, views
from zenodo_sync.emulator.config import EmulatorConfig
from zenodo_sync.emulator.errors import ApiError, permission_denied
from zenodo_sync.emulator.store import Store, UploadedFile

JSON = "application/json"


class RecordIdConverter(IntegerConverter):
    """Record ids in paths: ASCII digits only (werkzeug's `\\d` takes any unicode digit), and an
    id past SQLite's integers is one that exists nowhere, as on zenodo.org (a string lookup)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        if len(value) > 18:
            return NO_SUCH_ID
        return int(value)


NO_SUCH_ID = -1  # ids count up from 1 (store.FIRST_ID)


class DoiPrefixConverter(BaseConverter):
    """A DOI prefix (`10.5281`), for the emulator's stand-in for https://doi.org/<doi>."""

    regex = r"10\.[0-9]{4,9}"


URL_MAP = Map(
    [
        Rule("/api/deposit/depositions", methods=["GET"], endpoint="list_deposits"),
        Rule("/api/deposit/depositions", methods=["POST"], endpoint="create_deposit"),
        Rule("/api/deposit/depositions/<int:record_id>", methods=["GET"], endpoint="get_deposit"),
        Rule("/api/deposit/depositions/<int:record_id>", methods=["PUT"], endpoint="update_deposit"),
        Rule("/api/deposit/depositions/<int:record_id>", methods=["DELETE"], endpoint="delete_deposit"),
        # No PUT on files (sort) or on a file (rename): 405 (docs/zenodo-behaviour.md §3.1).
        Rule(
            "/api/deposit/depositions/<int:record_id>/files", methods=["GET"], endpoint="list_deposit_files"
        ),
        Rule("/api/deposit/depositions/<int:record_id>/files", methods=["POST"], endpoint="add_deposit_file"),
        Rule(
            "/api/deposit/depositions/<int:record_id>/files/<file_id>",
            methods=["GET"],
            endpoint="get_deposit_file",
        ),
        Rule(
            "/api/deposit/depositions/<int:record_id>/files/<file_id>",
            methods=["DELETE"],
            endpoint="delete_deposit_file",
        ),
        Rule(
            "/api/deposit/depositions/<int:record_id>/actions/<action>", methods=["POST"], endpoint="action"
        ),
        Rule("/api/files/<bucket_id>", methods=["GET"], endpoint="list_bucket"),
        # `<key>` without slashes, as ZR-L LegacyFilesRESTResourceConfig routes it.
        Rule("/api/files/<bucket_id>/<key>", methods=["GET"], endpoint="get_object"),
        Rule("/api/files/<bucket_id>/<key>", methods=["PUT"], endpoint="put_object"),
        Rule("/api/files/<bucket_id>/<key>", methods=["DELETE"], endpoint="delete_object"),
        Rule("/api/records", methods=["GET"], endpoint="search_records"),
        # zenodo-rdm's API_REDIRECTOR_RULES: /api/records/ redirects to /api/records (§6.1).
        Rule("/api/records/", methods=["GET"], endpoint="search_records_slash"),
        Rule("/api/user/records", methods=["GET"], endpoint="user_records"),
        Rule("/api/records/<int:record_id>", methods=["GET"], endpoint="get_record"),
        Rule("/api/records/<int:record_id>/versions", methods=["GET"], endpoint="record_versions"),
        Rule("/api/records/<int:record_id>/versions/latest", methods=["GET"], endpoint="latest_version"),
        Rule("/api/records/<int:record_id>/files", methods=["GET"], endpoint="record_files"),
        Rule("/api/records/<int:record_id>/files/<path:key>", methods=["GET"], endpoint="record_file"),
        Rule("/api/records/<int:record_id>/draft", methods=["GET"], endpoint="get_draft"),
        Rule("/api/records/<int:record_id>/draft/files", methods=["GET"], endpoint="draft_files"),
        Rule("/api/records/<int:record_id>/draft/files/<path:key>", methods=["GET"], endpoint="draft_file"),
        # -- zenodo.org's other surfaces: pages, DOIs, exports, archives, communities (surfaces.py) --
        Rule("/records/<int:record_id>", methods=["GET"], endpoint="record_page"),
        Rule("/record/<int:record_id>", methods=["GET"], endpoint="old_record_page"),
        Rule("/records/<int:record_id>/latest", methods=["GET"], endpoint="record_latest_page"),
        Rule("/records/<int:record_id>/files/<path:key>", methods=["GET"], endpoint="record_page_file"),
        Rule("/records/<int:record_id>/export/<name>", methods=["GET"], endpoint="record_export"),
        Rule("/doi/<path:doi>", methods=["GET"], endpoint="resolve_doi"),
        Rule("/<doiprefix:prefix>/<path:suffix>", methods=["GET"], endpoint="doi_resolver"),
        Rule("/badge/doi/<path:doi>", methods=["GET"], endpoint="doi_badge"),
        Rule("/api/records/<int:record_id>/files-archive", methods=["GET"], endpoint="record_archive"),
        Rule("/api/records/<int:record_id>/draft/files-archive", methods=["GET"], endpoint="draft_archive"),
        Rule("/api/communities", methods=["GET"], endpoint="communities"),
        Rule("/api/communities/<id_or_slug>", methods=["GET"], endpoint="community"),
        Rule("/api/communities/<id_or_slug>/records", methods=["GET"], endpoint="community_records"),
        # The legacy API's extra formats (formats.py): a draft's or record's alternative renderings.
        Rule(
            "/api/deposit/depositions/<int:record_id>/formats",
            methods=["GET", "PUT", "DELETE", "OPTIONS"],
            endpoint="deposit_formats",
        ),
        Rule("/api/records/<int:record_id>/formats", methods=["GET", "OPTIONS"], endpoint="record_formats"),
        # The same files as the records API's media files.
        Rule("/api/records/<int:record_id>/media-files", methods=["GET"], endpoint="media_files"),
        Rule("/api/records/<int:record_id>/draft/media-files", methods=["GET"], endpoint="draft_media_files"),
        Rule(
            "/api/records/<int:record_id>/media-files/<path:key>/content",
            methods=["GET"],
            endpoint="media_file_content",
        ),
        Rule(
            "/api/records/<int:record_id>/draft/media-files/<path:key>/content",
            methods=["GET"],
            endpoint="draft_media_file_content",
        ),
        Rule("/api/records/<int:record_id>/media-files-archive", methods=["GET"], endpoint="media_archive"),
        Rule(
            "/api/records/<int:record_id>/draft/media-files-archive",
            methods=["GET"],
            endpoint="draft_media_archive",
        ),
        Rule("/api/records/<int:record_id>/communities", methods=["GET"], endpoint="record_communities"),
        Rule("/api/records/<int:record_id>/access/links", methods=["GET"], endpoint="access_links"),
        Rule("/api/records/<int:record_id>/access/users", methods=["GET"], endpoint="access_users"),
        # The native API's writes (docs/zenodo-behaviour.md §7), handled by native.py.
        Rule("/api/records", methods=["POST"], endpoint="native_create"),
        Rule("/api/records/<int:record_id>/draft", methods=["PUT"], endpoint="native_update"),
        Rule("/api/records/<int:record_id>/draft", methods=["DELETE"], endpoint="native_discard"),
        Rule("/api/records/<int:record_id>/draft", methods=["POST"], endpoint="native_edit"),
        Rule(
            "/api/records/<int:record_id>/draft/actions/publish", methods=["POST"], endpoint="native_publish"
        ),
        Rule(
            "/api/records/<int:record_id>/draft/actions/files-import",
            methods=["POST"],
            endpoint="native_import_files",
        ),
        Rule("/api/records/<int:record_id>/draft/pids/doi", methods=["POST"], endpoint="native_reserve_doi"),
        Rule("/api/records/<int:record_id>/versions", methods=["POST"], endpoint="native_new_version"),
        Rule("/api/records/<int:record_id>/communities", methods=["POST"], endpoint="native_include"),
        Rule("/api/records/<int:record_id>/requests", methods=["GET"], endpoint="native_requests"),
        Rule("/api/requests/<request_id>/actions/accept", methods=["POST"], endpoint="native_accept"),
        Rule("/api/records/<int:record_id>/draft/files", methods=["POST"], endpoint="native_init_files"),
        Rule(
            "/api/records/<int:record_id>/draft/files/<path:key>",
            methods=["PUT", "POST"],
            endpoint="native_file_write",
        ),
        Rule(
            "/api/records/<int:record_id>/draft/files/<path:key>",
            methods=["DELETE"],
            endpoint="native_delete_file",
        ),
    ],
    strict_slashes=False,
    merge_slashes=False,
    converters={"int": RecordIdConverter, "doiprefix": DoiPrefixConverter},
)

ACTIONS = ("publish", "edit", "discard", "newversion")
# Zenodo's legacy routes, absent from other InvenioRDM instances (the invenio-rdm profile).
LEGACY_ONLY_PATHS = ("/api/deposit/", "/api/files/")


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype=JSON, headers=headers)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status)


class EmulatorApp:
    """The core app (without faults and rate limits: middleware.wrap_app adds those)."""

    def __init__(self, config: EmulatorConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.records = records.RecordsApi(config, store)
        self.surfaces = surfaces.Surfaces(self.records, store)
        self.formats = formats.ExtraFormats(store)
        self.native = native.NativeApi(config, store, self.records)

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = URL_MAP.bind_to_environ(request.environ)
        try:
            if not self.config.deposit_api and request.path.startswith(LEGACY_ONLY_PATHS):
                raise NotFound()  # a plain InvenioRDM instance has no deposit API (§7.9)
            endpoint, args = adapter.match()
            return getattr(self, "on_" + endpoint)(request, **args)
        except ApiError as exc:
            return error_response(exc)
        except RequestRedirect as exc:
            return exc.get_response(request.environ)
        except MethodNotAllowed:
            return error_response(ApiError(405, "The method is not allowed for the requested URL."))
        except NotFound:
            return error_response(
                ApiError(
                    404,
                    "The requested URL was not found on the server. If you entered "
                    "the URL manually please check your spelling and try again.",
                )
            )
        except HTTPException as exc:
            return error_response(ApiError(exc.code or 500, exc.description or exc.name))
        except Exception:
            error_id = secrets.token_hex(16)
            print(f"emulator error {error_id} on {request.method} {request.path}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return json_response(
                {
                    "status": 500,
                    "message": "The server encountered an internal error and was unable to complete your request. "
                    "Either the server is overloaded or there is an error in the application.",
                    "error_id": error_id,
                },
                500,
            )

    # -- request helpers ----------------------------------------------------------------------------
    def user(self, request: Request) -> int | None:
        """Bearer header or ?access_token= (docs/zenodo-behaviour.md §2); an unknown token is anonymous."""
        header = request.headers.get("Authorization", "")
        token = None
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
        if not token:
            token = request.args.get("access_token")
        return self.config.user_for_token(token)

    def urls(self, request: Request) -> views.Urls:
        return views.Urls(request.host_url, bucket_origin=self.config.bucket_origin)

    def json_body(self, request: Request) -> Any:
        return bodies.json_body(request, (JSON,))

    def deposition(self, request: Request, view: dict, status: int = 200) -> Response:
        # ZR-L answers with etag_headers: the revision of the draft (or record) read.
        revision = (view["draft"] or view["record"])["revision"]
        return json_response(
            views.deposition(view, self.urls(request), self.config.doi_prefix),
            status,
            headers={"ETag": f'"{revision}"'},
        )

    # -- deposit API (docs/zenodo-behaviour.md §3.1) ------------------------------------------------------------
    def on_list_deposits(self, request: Request) -> Response:
        user = self.user(request)
        if user is None:
            raise permission_denied()
        params = search.parse_params(request.args, authenticated=True)
        with self.store.transaction(write=False) as tx:
            hits = self.records.deposit_listing(tx, user, params, self.urls(request))
        # The listing unwraps hits.hits: a bare JSON array (docs/zenodo-behaviour.md §3.1).
        return json_response(hits)

    def on_create_deposit(self, request: Request) -> Response:
        user = self.user(request)
        if user is None:
            raise permission_denied()
        body = self.json_body(request)
        with self.store.transaction(write=True) as tx:
            view = service.create_deposit(tx, user, body)
        return self.deposition(request, view, 201)

    def on_get_deposit(self, request: Request, record_id: int) -> Response:
        with self.store.transaction(write=False) as tx:
            view = service.owned_view(tx, self.user(request), record_id)
        return self.deposition(request, view)

    def on_update_deposit(self, request: Request, record_id: int) -> Response:
        user = self.user(request)
        if user is None:
            raise permission_denied()
        body = self.json_body(request)
        with self.store.transaction(write=True) as tx:
            view = service.update_deposit(tx, user, record_id, body)
        return self.deposition(request, view)

    def on_delete_deposit(self, request: Request, record_id: int) -> Response:
        with self.store.transaction(write=True) as tx:
            service.delete_deposit(tx, self.user(request), record_id)
        return Response(status=204)

    def on_action(self, request: Request, record_id: int, action: str) -> Response:
        if action not in ACTIONS:
            raise ApiError(
                404,
                "The requested URL was not found on the server. If you entered the URL "
                "manually please check your spelling and try again.",
            )
        user = self.user(request)
        with self.store.transaction(write=True) as tx:
            if action == "publish":
                view = service.publish(tx, user, record_id, self.config)
            elif action == "edit":
                view = service.edit(tx, user, record_id)
            elif action == "newversion":
                view = service.new_version(tx, user, record_id)
            else:
                # discard maps to delete-draft: 204 with no body (docs/zenodo-behaviour.md §3.1)
                service.delete_deposit(tx, user, record_id)
                return Response(status=204)
        status = {"publish": 202, "edit": 201, "newversion": 201}[action]
        return self.deposition(request, view, status)

    # -- deposit files (docs/zenodo-behaviour.md §3.7) ----------------------------------------------------------
    def on_list_deposit_files(self, request: Request, record_id: int) -> Response:
        with self.store.transaction(write=False) as tx:
            view, files = service.deposit_files(tx, self.user(request), record_id)
        published = view["draft"] is None
        urls = self.urls(request)
        return json_response(
            [views.deposit_file(record_id, obj, urls, published=published, float_size=True) for obj in files]
        )

    def on_get_deposit_file(self, request: Request, record_id: int, file_id: str) -> Response:
        with self.store.transaction(write=False) as tx:
            view, obj = service.deposit_file(tx, self.user(request), record_id, file_id)
        return json_response(
            views.deposit_file(
                record_id, obj, self.urls(request), published=view["draft"] is None, float_size=True
            )
        )

    def on_add_deposit_file(self, request: Request, record_id: int) -> Response:
        user = self.user(request)
        if user is None:
            raise permission_denied()
        uploaded = request.files.get("file")
        if uploaded is None:
            raise ApiError(
                400,
                "A validation error occurred.",
                [{"field": "file", "messages": ["Missing data for required field."]}],
            )
        # key = secure_filename(name or filename), as ZR-L LegacyDraftFilesResource does (§3.7)
        key = secure_filename(request.form.get("name") or uploaded.filename or "")
        upload = self.store.receive_file(uploaded.stream, limit=self.config.max_file_size)
        try:
            with self.store.transaction(write=True) as tx:
                _view, obj = service.add_deposit_file(tx, user, record_id, key, upload, self.config)
        finally:
            upload.discard()
        return json_response(
            views.deposit_file(record_id, obj, self.urls(request), published=False, float_size=True), 201
        )

    def on_delete_deposit_file(self, request: Request, record_id: int, file_id: str) -> Response:
        with self.store.transaction(write=True) as tx:
            service.delete_deposit_file(tx, self.user(request), record_id, file_id)
        return Response(status=204)

    # -- bucket API (docs/zenodo-behaviour.md §3.8) -------------------------------------------------------------
    def on_put_object(self, request: Request, bucket_id: str, key: str) -> Response:
        if request.mimetype not in ("", "application/octet-stream"):
            raise ApiError(415, "Invalid 'Content-Type' header. Expected one of: application/octet-stream")
        user = self.user(request)
        if user is None:
            raise permission_denied()
        upload: UploadedFile = self.store.receive_file(request.stream, limit=self.config.max_file_size)
        try:
            with self.store.transaction(write=True) as tx:
                obj = service.bucket_put(tx, user, bucket_id, key, upload, self.config)
        finally:
            upload.discard()
        return json_response(views.bucket_object(bucket_id, obj, self.urls(request)), 201)

    def on_get_object(self, request: Request, bucket_id: str, key: str) -> Response:
        with self.store.transaction(write=False) as tx:
            obj = service.bucket_get(tx, self.user(request), bucket_id, key)
        return self.file_content(request, obj)

    def on_delete_object(self, request: Request, bucket_id: str, key: str) -> Response:
        with self.store.transaction(write=True) as tx:
            service.bucket_delete(tx, self.user(request), bucket_id, key)
        return Response(status=204)

    def on_list_bucket(self, request: Request, bucket_id: str) -> Response:
        # Broken on zenodo.org (zenodo/zenodo#2506); here a Files-REST style listing.
        with self.store.transaction(write=False) as tx:
            bucket, objects = service.bucket_list(tx, self.user(request), bucket_id)
        urls = self.urls(request)
        return json_response(
            {
                "id": bucket_id,
                "locked": bool(bucket["locked"]),
                "created": bucket["created"],
                "size": sum(obj["size"] for obj in objects),
                "contents": [views.bucket_object(bucket_id, obj, urls) for obj in objects],
                "links": {"self": urls.bucket(bucket_id)},
            }
        )

    def file_content(self, request: Request, obj: dict) -> Response:
        path = self.store.content_path(obj["file_id"])
        handle = open(path, "rb")  # noqa: SIM115 - closed by the response (wrap_file)
        response = Response(
            wrap_file(request.environ, handle), mimetype=obj["mimetype"], direct_passthrough=True
        )
        response.content_length = obj["size"]
        response.headers["ETag"] = f'"md5:{obj["md5"]}"'  # docs/zenodo-behaviour.md §6.1
        response.headers["Content-MD5"] = records.content_md5(obj["md5"])
        response.headers["Content-Disposition"] = (
            f"attachment; filename={secure_filename(obj['key']) or 'file'}"
        )
        return self.ranged(request, response, obj["size"])

    def ranged(self, request: Request, response: Response, size: int) -> Response:
        """The part a `Range: bytes=N-` asks for (206 + Content-Range), when this instance
        serves ranges (docs/zenodo-behaviour.md §6.7); otherwise the whole file, 200."""
        if not self.config.range_requests:
            return response
        return response.make_conditional(request.environ, accept_ranges=True, complete_length=size)

    # -- records API (docs/zenodo-behaviour.md §6, §7) -----------------------------------------------------------
    def on_search_records(self, request: Request) -> Response:
        return self.records.search(request, self.user(request))

    def on_search_records_slash(self, request: Request) -> Response:
        # invenio-app-rdm's RedirectorResource: 301 to url_for("records.search", **request.args),
        # a path without host; `**args` keeps the first value of a repeated parameter.
        query = urlencode({name: request.args[name] for name in request.args})
        return redirect(f"{request.script_root}/api/records" + (f"?{query}" if query else ""), code=301)

    def on_user_records(self, request: Request) -> Response:
        return self.records.user_records(request, self.user(request))

    def on_get_record(self, request: Request, record_id: int) -> Response:
        return self.records.get(request, self.user(request), record_id)

    def on_record_versions(self, request: Request, record_id: int) -> Response:
        return self.records.versions(request, self.user(request), record_id)

    def on_latest_version(self, request: Request, record_id: int) -> Response:
        return self.records.latest(request, record_id)

    def on_record_files(self, request: Request, record_id: int) -> Response:
        return self.records.files(request, self.user(request), record_id, draft=False)

    def on_draft_files(self, request: Request, record_id: int) -> Response:
        return self.records.files(request, self.user(request), record_id, draft=True)

    def on_record_file(self, request: Request, record_id: int, key: str) -> Response:
        return self.record_file(request, record_id, key, draft=False)

    def on_draft_file(self, request: Request, record_id: int, key: str) -> Response:
        return self.record_file(request, record_id, key, draft=True)

    def record_file(self, request: Request, record_id: int, key: str, *, draft: bool) -> Response:
        content = key.endswith("/content")
        if content:
            key = key[: -len("/content")]
        obj, current = self.records.file_object(self.user(request), record_id, key, draft=draft)
        if content:
            return self.file_content(request, obj)
        return json_response(self.records.file_entry(request, record_id, obj, current, draft=draft))

    def on_get_draft(self, request: Request, record_id: int) -> Response:
        return self.records.get_draft(request, self.user(request), record_id)

    # -- zenodo.org's other surfaces (surfaces.py; docs/zenodo-behaviour.md §6.7-§6.10) --------------
    def on_record_page(self, request: Request, record_id: int) -> Response:
        return self.surfaces.record_page(request, record_id)

    def on_old_record_page(self, request: Request, record_id: int) -> Response:
        # links.record_html says /record/<id>; zenodo.org sends it on to /records/<id>.
        return redirect(f"{request.script_root}/records/{record_id}", code=301)

    def on_record_latest_page(self, request: Request, record_id: int) -> Response:
        return self.surfaces.record_latest_page(request, record_id)

    def on_record_page_file(self, request: Request, record_id: int, key: str) -> Response:
        response = self.file_content(request, self.surfaces.file_object(self.user(request), record_id, key))
        if request.args.get("download") != "1":  # without ?download=1 the browser shows it
            response.headers["Content-Disposition"] = "inline"
        return response

    def on_record_export(self, request: Request, record_id: int, name: str) -> Response:
        return self.surfaces.export_by_name(request, record_id, name)

    def on_resolve_doi(self, request: Request, doi: str) -> Response:
        return self.surfaces.resolve_doi(request, doi)

    def on_doi_resolver(self, request: Request, prefix: str, suffix: str) -> Response:
        return self.surfaces.resolve_doi(request, f"{prefix}/{suffix}")

    def on_doi_badge(self, request: Request, doi: str) -> Response:
        return Response(surfaces.badge_svg(doi.removesuffix(".svg")), mimetype="image/svg+xml")

    def on_record_archive(self, request: Request, record_id: int) -> Response:
        return self.surfaces.archive(request, self.user(request), record_id, draft=False)

    def on_draft_archive(self, request: Request, record_id: int) -> Response:
        return self.surfaces.archive(request, self.user(request), record_id, draft=True)

    def on_communities(self, request: Request) -> Response:
        return self.surfaces.communities_search(request)

    def on_community(self, request: Request, id_or_slug: str) -> Response:
        return self.surfaces.community(request, id_or_slug)

    def on_community_records(self, request: Request, id_or_slug: str) -> Response:
        return self.surfaces.community_records(request, self.user(request), id_or_slug)

    def on_deposit_formats(self, request: Request, record_id: int) -> Response:
        user = self.user(request)
        if request.method == "OPTIONS":
            return self.formats.list(request, user, record_id, deposit=True)
        if request.method == "GET":
            return self.formats.get(request, user, record_id, deposit=True)
        if request.method == "PUT":
            return self.formats.put(request, user, record_id)
        return self.formats.delete(request, user, record_id)

    def on_record_formats(self, request: Request, record_id: int) -> Response:
        if request.method == "OPTIONS":
            return self.formats.list(request, self.user(request), record_id, deposit=False)
        return self.formats.get(request, self.user(request), record_id, deposit=False)

    def on_media_files(self, request: Request, record_id: int) -> Response:
        return self.formats.media_files(request, self.user(request), record_id, draft=False)

    def on_draft_media_files(self, request: Request, record_id: int) -> Response:
        return self.formats.media_files(request, self.user(request), record_id, draft=True)

    def on_media_file_content(self, request: Request, record_id: int, key: str) -> Response:
        return self.formats.media_file_content(self.user(request), record_id, key, draft=False)

    def on_draft_media_file_content(self, request: Request, record_id: int, key: str) -> Response:
        return self.formats.media_file_content(self.user(request), record_id, key, draft=True)

    def on_media_archive(self, request: Request, record_id: int) -> Response:
        return self.media_archive(request, record_id, draft=False)

    def on_draft_media_archive(self, request: Request, record_id: int) -> Response:
        return self.media_archive(request, record_id, draft=True)

    def media_archive(self, request: Request, record_id: int, *, draft: bool) -> Response:
        entries = self.formats.media_entries(self.user(request), record_id, draft=draft)
        return self.surfaces.zip_response(record_id, entries)

    def on_record_communities(self, request: Request, record_id: int) -> Response:
        return self.surfaces.record_communities(request, record_id)

    def on_access_links(self, request: Request, record_id: int) -> Response:
        return self.surfaces.access_grants(request, self.user(request), record_id)

    def on_access_users(self, request: Request, record_id: int) -> Response:
        return self.surfaces.access_grants(request, self.user(request), record_id)

    # -- native InvenioRDM writes (docs/zenodo-behaviour.md §7) ----------------------------------------
    def on_native_create(self, request: Request) -> Response:
        return self.native.create(request, self.user(request))

    def on_native_update(self, request: Request, record_id: int) -> Response:
        return self.native.update(request, self.user(request), record_id)

    def on_native_discard(self, request: Request, record_id: int) -> Response:
        return self.native.discard(self.user(request), record_id)

    def on_native_edit(self, request: Request, record_id: int) -> Response:
        return self.native.edit(request, self.user(request), record_id)

    def on_native_publish(self, request: Request, record_id: int) -> Response:
        return self.native.publish(request, self.user(request), record_id)

    def on_native_import_files(self, request: Request, record_id: int) -> Response:
        return self.native.import_files(request, self.user(request), record_id)

    def on_native_reserve_doi(self, request: Request, record_id: int) -> Response:
        return self.native.reserve_doi(request, self.user(request), record_id)

    def on_native_new_version(self, request: Request, record_id: int) -> Response:
        return self.native.new_version(request, self.user(request), record_id)

    def on_native_include(self, request: Request, record_id: int) -> Response:
        return self.native.include(request, self.user(request), record_id)

    def on_native_requests(self, request: Request, record_id: int) -> Response:
        return self.native.requests(request, self.user(request), record_id)

    def on_native_accept(self, request: Request, request_id: str) -> Response:
        return self.native.accept(self.user(request), request_id)

    def on_native_init_files(self, request: Request, record_id: int) -> Response:
        return self.native.init_files(request, self.user(request), record_id)

    def on_native_file_write(self, request: Request, record_id: int, key: str) -> Response:
        return self.native.file_write(request, self.user(request), record_id, key)

    def on_native_delete_file(self, request: Request, record_id: int, key: str) -> Response:
        return self.native.delete_file(self.user(request), record_id, key)


def build_app(config: EmulatorConfig, store: Store | None = None) -> Callable:
    """The full WSGI app: core routes wrapped in faults and rate limits (middleware.py)."""
    from zenodo_sync.emulator.middleware import wrap_app

    if store is None:
        if config.data_dir is None:
            raise ValueError("EmulatorConfig.data_dir is required")
        store = Store(config.data_dir, search_lag=config.search_lag, today=config.today)
    return wrap_app(EmulatorApp(config, store), config)
