"""The records API (docs/zenodo-behaviour.md §6, §7): published records, their versions and files, search.

Zenodo answers ``/api/records/**`` with its legacy-style record JSON by default and with
InvenioRDM JSON for ``Accept: application/vnd.inveniordm.v1+json`` (§1, §6.3, §7.3). Searches
read the lagging search index (service.indexed_views) and carry Zenodo's facets (facets.py);
reads by id read the tables.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Request, Response

from zenodo_sync.emulator import exports, facets, indexing, search, service, translate
from zenodo_sync.emulator.config import EmulatorConfig
from zenodo_sync.emulator.errors import ApiError, permission_denied, pid_does_not_exist, pid_not_registered
from zenodo_sync.emulator.indexing import searchable
from zenodo_sync.emulator.store import SearchScope, Store, Tx
from zenodo_sync.emulator.views import KEY_SAFE, Urls, deposition, deposition_state, stored_doi

ZENODO_JSON = "application/json"
RDM_JSON = "application/vnd.inveniordm.v1+json"
# Accept values that mean Zenodo's default JSON (zenodo-rdm resources.py overrides both).
_ZENODO_TYPES = ("application/json", "application/vnd.zenodo.v1+json")
_OFFERED = (*_ZENODO_TYPES, RDM_JSON)

EMPTY_STATS = {
    "downloads": 0,
    "unique_downloads": 0,
    "views": 0,
    "unique_views": 0,
    "version_downloads": 0,
    "version_unique_downloads": 0,
    "version_unique_views": 0,
    "version_views": 0,
}


def content_md5(md5_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(md5_hex)).decode("ascii")


def hide_unreadable_files(body: dict, view: dict, user: int | None) -> dict:
    """A record as a reader who may not open its files sees it: the record without its file
    entries (IRR FilesSchema dumps `entries`, `order`, `count`... under `read_files`; §6.12)."""
    current = view["record"]
    restricted = (current["stored"].get("access") or {}).get("files") == "restricted"
    if not restricted or user == view["owner"]:
        return body
    files = body.get("files")
    if isinstance(files, list):  # Zenodo's JSON: a plain list
        body["files"] = []
    elif isinstance(files, dict):  # the native JSON
        for name in ("entries", "order", "count", "total_bytes", "default_preview"):
            files.pop(name, None)
    return body


def _json(
    body: Any, status: int = 200, *, mimetype: str = ZENODO_JSON, headers: dict | None = None
) -> Response:
    return Response(json.dumps(body), status=status, mimetype=mimetype, headers=headers)


def negotiate(request: Request) -> str:
    """`ZENODO_JSON` or `RDM_JSON`; anything else asked for is 406 (docs/zenodo-behaviour.md §6.2)."""
    accept = request.accept_mimetypes
    if not request.headers.get("Accept") or accept.best == "*/*":
        return ZENODO_JSON
    best = accept.best_match(_OFFERED)
    if best is None:
        raise ApiError(406, "Invalid 'Accept' header. Expected one of: " + ", ".join(_OFFERED))
    return RDM_JSON if best == RDM_JSON else ZENODO_JSON


# -- searches ------------------------------------------------------------------------------------------
# The search index (store.Tx.search_rows) filters by scope, keeps the latest version of each
# concept, sorts and pages in SQL; a query (`q`) or a filter of the records search is checked
# here, on the fields the index keeps per entry. Whole records are decoded for the page only.
@dataclass
class SearchResult:
    page: list[tuple[int, int, int]]  # (snapshot, entry kind, concept) of each hit on the page, in order
    total: int
    facet_counts: Counter  # how many hits count each facets.hit_terms pair, when asked for


class RenderedHits:
    """Hits as a page shows them, by snapshot: a snapshot never changes once written, so its
    rendering is the same for the same key (format, base URL, version facts, day). The oldest
    are dropped first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._hits: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()

    def page(
        self, tx: Tx, entries: list[tuple[int, int, int]], key: Callable[[int], tuple], render: Callable
    ) -> list[dict]:
        """The rendered hits of `entries`: `key(concept)` completes each one's cache key,
        `render(view, current)` renders one; only the snapshots not remembered are decoded."""
        keys = [(seq, kind, *key(parent_id)) for seq, kind, parent_id in entries]
        with self._lock:
            found = {k: self._hits[k] for k in keys if k in self._hits}
        missing = [k for k in keys if k not in found]
        docs = tx.snapshot_docs([k[0] for k in missing])
        for k in missing:
            view = service.lift_expired_embargo(docs[k[0]], today=tx.today)
            found[k] = render(view, _current(view, k[1]))
        with self._lock:
            for k in missing:
                self._hits[k] = found[k]
                self._hits.move_to_end(k)
            while len(self._hits) > self.size:
                self._hits.popitem(last=False)
        return [found[k] for k in keys]


def entry_values(row, today: str) -> tuple[dict, list]:
    """The searchable fields and facet terms of an index entry as of `today`: as indexed,
    unless the embargo it was indexed under has ended since (then derived afresh)."""
    if row["embargo_until"] is None or row["embargo_until"] > today:
        return json.loads(row["fields"]), [tuple(term) for term in json.loads(row["facets"])]
    view = service.lift_expired_embargo(json.loads(row["doc"]), today=today)
    current = _current(view, row["kind"])
    return searchable(view, current), facets.hit_terms(current)


def _current(view: dict, kind: int) -> dict:
    return view["record"] if kind == indexing.PUBLISHED else view["draft"]


_ENTRY = "e.seq, e.kind, e.parent_id, e.embargo_until"
_ENTRY_VALUES = (
    _ENTRY + ", e.fields, e.facets, CASE WHEN e.embargo_until IS NULL THEN NULL"
    " ELSE (SELECT doc FROM search_index s WHERE s.seq = e.seq) END AS doc"
)


def run_search(
    tx: Tx,
    scope: SearchScope,
    params: search.SearchParams,
    extra: Any = None,
    *,
    with_facets: bool = False,
    extra_key: Any = None,
) -> SearchResult:
    """Filter (scope, q, extra predicate on the fields), sort and page the index entries.
    `extra_key` names what `extra` filters on: a search with a filter is remembered only then."""
    predicate = search.compile_query(params.q)
    field, descending = search.sort_key(params.sort)
    start = (params.page - 1) * params.size
    if params.q or extra is not None:

        def match() -> tuple[list[tuple[int, int, int]], Counter]:
            matched, counts = [], Counter()
            for row in tx.search_rows(scope, columns=_ENTRY_VALUES, order=field, descending=descending):
                fields, terms = entry_values(row, tx.today)
                if predicate(fields) and (extra is None or extra(fields)):
                    matched.append((row["seq"], row["kind"], row["parent_id"]))
                    counts.update(terms)
            return matched, counts

        if extra is not None and extra_key is None:
            matched, counts = match()
        else:
            key = ("query", scope, params.q, params.sort, extra_key, tx.today)
            matched, counts = tx.memo(key, match)
        total = len(matched)
        entries = matched[start : start + params.size]
    else:
        total, counts = tx.memo(
            ("totals", scope, with_facets, tx.today), lambda: _totals(tx, scope, with_facets)
        )
        entries = [
            (row["seq"], row["kind"], row["parent_id"])
            for row in tx.search_rows(
                scope, columns=_ENTRY, order=field, descending=descending, limit=params.size, offset=start
            )
        ]
    return SearchResult(entries, total, counts if with_facets else Counter())


def _totals(tx: Tx, scope: SearchScope, with_facets: bool) -> tuple[int, Counter]:
    """How many entries `scope` lists, and with `with_facets` how many count each facet term."""
    counts: Counter = Counter()
    if with_facets:
        counts.update(tx.count_terms(scope, lifted_by=tx.today))
        # Entries whose embargo has ended since they were indexed count as they are today.
        for row in tx.search_rows(scope.but(embargo_ended_by=tx.today), columns=_ENTRY_VALUES):
            counts.update(entry_values(row, tx.today)[1])
    return tx.count_rows(scope), counts


# -- the API ------------------------------------------------------------------------------------------
class RecordsApi:
    def __init__(self, config: EmulatorConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.rendered = RenderedHits()
        service.index_unindexed(store)

    def deposit_listing(self, tx: Tx, user: int, params: search.SearchParams, urls: Urls) -> list[dict]:
        """The user's drafts and records; by default only the newest version (draft or published)
        per concept, `versions.is_latest_draft` (docs/zenodo-behaviour.md §3.5)."""
        scope = SearchScope(published=False, owner=user, latest_only=not params.all_versions)
        result = run_search(tx, scope, params)
        return self.rendered.page(
            tx,
            result.page,
            lambda _parent: ("deposition", urls.ui, urls.bucket_api, tx.today),
            lambda view, _current: deposition(view, urls, self.config.doi_prefix, in_list=True),
        )

    # reads by id (never lagged)
    def _resolve(self, tx, record_id: int) -> dict:
        """The published record `record_id` as a view, with version facts; 404s as Zenodo."""
        view = service.load_view(tx, record_id)
        if view is None:
            if tx.parent(record_id) is not None:
                raise _ConceptId(record_id)
            raise pid_does_not_exist()
        if view["record"] is None:
            raise pid_not_registered()  # a draft never published
        return self._with_versions(tx, view)

    def _with_versions(self, tx, view: dict) -> dict:
        parent_id = view["parent"]["id"]
        records = tx.records_of_parent(parent_id)
        drafts = tx.drafts_of_parent(parent_id)
        view["latest_index"] = max(r["version_index"] for r in records) if records else 0
        view["latest_draft_index"] = max([r["version_index"] for r in records + drafts] or [0])
        return view

    def _latest_record_id(self, tx, parent_id: int) -> int | None:
        records = tx.records_of_parent(parent_id)
        return records[-1]["id"] if records else None

    def get(self, request: Request, user: int | None, record_id: int) -> Response:
        export = exports.for_accept(request.accept_mimetypes)  # BibTeX, DataCite, ... (§6.7)
        mimetype = RDM_JSON if export else negotiate(request)
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            try:
                view = self._resolve(tx, record_id)
            except _ConceptId:
                latest = self._latest_record_id(tx, record_id)
                if latest is None:
                    raise pid_not_registered() from None
                # A concept id redirects to its latest version (IRR read, since v4.40; §6.1).
                location = urls.record(latest)
                return _json(
                    {"status": 302, "message": "Redirecting...", "location": location},
                    302,
                    headers={"Location": location},
                )
        if export:
            body = export.render(self.rdm_record(view, view["record"], urls))
            return Response(
                body, mimetype=export.mimetype, headers={"ETag": f'"{view["record"]["revision"]}"'}
            )
        body = self.render(view, view["record"], urls, mimetype)
        return _json(hide_unreadable_files(body, view, user), mimetype=mimetype)

    def get_draft(self, request: Request, user: int | None, record_id: int) -> Response:
        mimetype = negotiate(request)
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            view = service.owned_view(tx, user, record_id)
            if view["draft"] is None:
                raise pid_does_not_exist()
            view = self._with_versions(tx, view)
        return _json(self.render(view, view["draft"], urls, mimetype), mimetype=mimetype)

    def latest(self, request: Request, record_id: int) -> Response:
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            view = service.load_view(tx, record_id)
            parent_id = view["parent"]["id"] if view else (record_id if tx.parent(record_id) else None)
            if parent_id is None:
                raise pid_does_not_exist()
            latest = self._latest_record_id(tx, parent_id)
        if latest is None:
            raise pid_not_registered()
        # 301 with a JSON body (IDR resources/records/errors.py; docs/zenodo-behaviour.md §6.1).
        location = urls.record(latest)
        return _json(
            {"status": 301, "message": "Redirecting...", "location": location},
            301,
            headers={"Location": location},
        )

    # files
    def _files_view(self, tx, user: int | None, record_id: int, *, draft: bool) -> tuple[dict, dict]:
        if draft:
            view = service.owned_view(tx, user, record_id)
            if view["draft"] is None:
                raise pid_does_not_exist()
            return view, view["draft"]
        try:
            view = self._resolve(tx, record_id)
        except _ConceptId:
            raise pid_does_not_exist() from None
        current = view["record"]
        # Restricted/embargoed files: only the owner gets them (metadata stays public, §3.10).
        if (current["stored"].get("access") or {}).get("files") == "restricted" and user != view["owner"]:
            raise permission_denied()
        return view, current

    def files(self, request: Request, user: int | None, record_id: int, *, draft: bool) -> Response:
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            _view, current = self._files_view(tx, user, record_id, draft=draft)
        entries = [self._file_entry(urls, record_id, obj, current, draft=draft) for obj in current["files"]]
        base = f"{urls.record(record_id)}{'/draft' if draft else ''}/files"
        return _json(
            {
                "enabled": True,
                "default_preview": None,
                "order": [],
                "entries": entries,
                "links": {"self": base},
            }
        )

    def file_object(self, user: int | None, record_id: int, key: str, *, draft: bool) -> tuple[dict, dict]:
        """The file `key` of a record (or of its draft) and the record (or draft) it is in."""
        with self.store.transaction(write=False) as tx:
            _view, current = self._files_view(tx, user, record_id, draft=draft)
        for obj in current["files"]:
            if obj["key"] == key:
                return obj, current
        raise ApiError(404, "File not found.")

    def file_entry(self, request: Request, record_id: int, obj: dict, current: dict, *, draft: bool) -> dict:
        return self._file_entry(Urls(request.host_url), record_id, obj, current, draft=draft)

    def _file_entry(self, urls: Urls, record_id: int, obj: dict, current: dict, *, draft: bool) -> dict:
        """An RDM file entry (docs/zenodo-behaviour.md §7.1 commit response, SBX-LOG)."""
        base = f"{urls.record(record_id)}{'/draft' if draft else ''}/files/"
        self_url = base + quote(obj["key"], safe=KEY_SAFE)
        key = obj["key"]
        return {
            "created": obj["created"],
            "updated": obj["updated"],
            "id": obj["file_id"],
            "key": key,
            "size": obj["size"],
            "checksum": f"md5:{obj['md5']}",
            "mimetype": obj["mimetype"],
            "ext": key.rsplit(".", 1)[-1].lower() if "." in key else None,
            "metadata": {},
            "access": {"hidden": False},
            "status": "completed",
            "storage_class": "L",
            "transfer": {"type": "L"},
            "file_id": obj["file_id"],
            "version_id": obj["version_id"],
            "bucket_id": current["bucket_id"],
            "links": {"self": self_url, "content": self_url + "/content"},
        }

    # searches (lagged)
    def search(self, request: Request, user: int | None, *, only_community: str | None = None) -> Response:
        """`only_community`: a community's records (/api/communities/<id>/records, §6.9)."""
        mimetype = negotiate(request)
        params = search.parse_params(request.args, authenticated=user is not None)
        communities = [c for c in request.args.getlist("communities") if c]
        types = [t for t in request.args.getlist("type") if t]
        subtypes = [t for t in request.args.getlist("subtype") if t]

        def extra(fields: dict) -> bool:
            if only_community is not None and only_community not in fields["communities"]:
                return False
            if communities and not set(communities) & set(fields["communities"]):
                return False
            if types and not set(types) & set(fields["type"]):
                return False
            return not (subtypes and not set(subtypes) & set(fields["subtype"]))

        with self.store.transaction(write=False) as tx:
            # Slugs that resolve to no community are dropped, and with none left there is no
            # filter at all (ZR params.py LegacyCommunitiesParam).
            if communities:
                known = tx.indexed_communities()
                communities[:] = [slug for slug in communities if slug in known]
            filters = extra if (communities or types or subtypes or only_community) else None
            scope = SearchScope(published=True, latest_only=not params.all_versions)
            # The filters are the request's: its path and arguments name them for the memo.
            filters_key = (request.path, tuple(request.args.items(multi=True)))
            return self._search_response(
                tx, request, scope, params, mimetype, filters, with_facets=True, extra_key=filters_key
            )

    def user_records(self, request: Request, user: int | None) -> Response:
        """The caller's drafts and records (RDM search_drafts; docs/zenodo-behaviour.md §6.1, §6.5)."""
        if user is None:
            raise permission_denied()
        mimetype = negotiate(request)
        params = search.parse_params(request.args, authenticated=True)
        scope = SearchScope(published=False, owner=user, latest_only=not params.all_versions)
        with self.store.transaction(write=False) as tx:
            # zenodo-rdm's RDM_SEARCH_DRAFTS copies RDM_SEARCH, facets included.
            return self._search_response(tx, request, scope, params, mimetype, None, with_facets=True)

    def versions(self, request: Request, user: int | None, record_id: int) -> Response:
        mimetype = negotiate(request)
        params = search.parse_params(request.args, authenticated=user is not None)
        if "sort" not in request.args:
            params = search.SearchParams(params.q, params.page, params.size, "version", True)
        with self.store.transaction(write=False) as tx:
            view = service.load_view(tx, record_id)
            parent_id = view["parent"]["id"] if view else (record_id if tx.parent(record_id) else None)
            if parent_id is None:
                raise pid_does_not_exist()
            if view is not None and view["record"] is None:
                raise pid_not_registered()
            scope = SearchScope(published=True, parent_id=parent_id)
            return self._search_response(tx, request, scope, params, mimetype, None, with_facets=False)

    def _search_response(
        self,
        tx: Tx,
        request: Request,
        scope: SearchScope,
        params: search.SearchParams,
        mimetype: str,
        extra,
        *,
        with_facets: bool,
        extra_key: Any = None,
    ) -> Response:
        """`with_facets`: compute Zenodo's aggregations as of the transaction's day; without, no
        facets (the versions search, RDM_SEARCH_VERSIONING)."""
        urls = Urls(request.host_url)
        result = run_search(tx, scope, params, extra, with_facets=with_facets, extra_key=extra_key)
        # Version facts as the index sees them (a new version is "latest" once it is visible).
        parents = {parent_id for _seq, _kind, parent_id in result.page}
        all_versions = scope.but(latest_only=False)
        latest_index = tx.latest_version_indexes(all_versions.but(published=True), parents)
        latest_draft_index = tx.latest_version_indexes(all_versions, parents)

        def facts(parent_id: int) -> tuple:
            return (
                mimetype,
                urls.ui,
                latest_index.get(parent_id, 0),
                latest_draft_index[parent_id],
                tx.today,
            )

        def render(view: dict, current: dict) -> dict:
            parent_id = view["parent"]["id"]
            view = {
                **view,
                "latest_index": latest_index.get(parent_id, 0),
                "latest_draft_index": latest_draft_index[parent_id],
            }
            return self.render(view, current, urls, mimetype)

        hits = self.rendered.page(tx, result.page, facts, render)
        aggregations = {}
        if with_facets:
            aggregations = facets.aggregate(result.facet_counts, today=tx.today)
        body: dict = {
            "hits": {"hits": hits, "total": result.total},
            "aggregations": aggregations,
            "links": self._page_links(request, params, result.total),
        }
        if mimetype == RDM_JSON:
            body["sortBy"] = params.sort
        return _json(body, mimetype=mimetype)

    def _page_links(self, request: Request, params: search.SearchParams, total: int) -> dict:
        base = request.base_url

        def link(page: int) -> str:
            query = {"page": page, "size": params.size, "sort": params.sort}
            if params.q:
                query["q"] = params.q
            if params.all_versions:
                query["allversions"] = "true"
            return f"{base}?{urlencode(query)}"

        links = {"self": link(params.page)}
        if params.page > 1:
            links["prev"] = link(params.page - 1)
        if params.page * params.size < total:
            links["next"] = link(params.page + 1)
        return links

    # rendering
    def render(self, view: dict, current: dict, urls: Urls, mimetype: str) -> dict:
        if mimetype == RDM_JSON:
            return self.rdm_record(view, current, urls)
        return self.zenodo_record(view, current, urls)

    def _links(self, view: dict, current: dict, urls: Urls, *, is_draft: bool) -> dict:
        record_id = view["id"]
        api = urls.record(record_id)
        parent = view["parent"]
        doi = stored_doi(current["stored"])
        links = {
            "self": api + ("/draft" if is_draft else ""),
            "self_html": f"{urls.ui}/{'uploads' if is_draft else 'records'}/{record_id}",
        }
        if doi:
            links["self_doi"] = f"{urls.ui}/doi/{doi}"
            links["doi"] = urls.doi_resolver(doi, datacite_test_mode=self.config.datacite_test_mode)
        links["parent"] = urls.record(parent["id"])
        links["parent_html"] = f"{urls.ui}/records/{parent['id']}"
        if parent["doi"]:
            links["parent_doi"] = f"{urls.ui}/doi/{parent['doi']}"
        draft_part = "/draft" if is_draft else ""
        links.update(
            {
                "self_iiif_manifest": f"{urls.api}/iiif/{'draft' if is_draft else 'record'}:{record_id}/manifest",
                "self_iiif_sequence": f"{urls.api}/iiif/{'draft' if is_draft else 'record'}:{record_id}/sequence/default",
                "files": f"{api}{draft_part}/files",
                "media_files": f"{api}{draft_part}/media-files",
                "archive": f"{api}{draft_part}/files-archive",
                "archive_media": f"{api}{draft_part}/media-files-archive",
                "latest": f"{api}/versions/latest",
                "latest_html": f"{urls.ui}/records/{record_id}/latest",
                "draft": f"{api}/draft",
                "versions": f"{api}/versions",
                "access_links": f"{api}/access/links",
                "access_users": f"{api}/access/users",
                "access_request": f"{api}/access/request",
                "access": f"{api}/access",
                "reserve_doi": f"{api}/draft/pids/doi",
                "communities": f"{api}/communities",
                "communities-suggestions": f"{api}/communities-suggestions",
                "requests": f"{api}/requests",
            }
        )
        if is_draft:
            links["publish"] = f"{api}/draft/actions/publish"
        return links

    def zenodo_record(self, view: dict, current: dict, urls: Urls) -> dict:
        """Zenodo's default record JSON (ZR-L zenodojson.py; docs/zenodo-behaviour.md §6.3; the fixture
        zenodo-record-6515860.json)."""
        record_id = view["id"]
        parent = view["parent"]
        is_draft = current is view["draft"]
        doi = stored_doi(current["stored"])
        metadata = translate.stored_to_zenodo_record_metadata(
            current["stored"],
            record_id=record_id,
            concept_id=parent["id"],
            doi=doi,
            version_index=current["version_index"],
            is_last=current["version_index"] == view.get("latest_index"),
            doi_prefix=self.config.doi_prefix,
        )
        links = self._links(view, current, urls, is_draft=is_draft)
        body: dict = {
            "created": current["created"],
            "modified": current["updated"],
            "id": record_id,
            "conceptrecid": str(parent["id"]),
        }
        if doi:
            body["doi"] = doi
        if parent["doi"]:
            body["conceptdoi"] = parent["doi"]
        if doi:
            body["doi_url"] = links["doi"]  # zenodojson.py dumps links.doi (docs/zenodo-behaviour.md §6.3)
        draft_files = is_draft
        body.update(
            {
                "metadata": metadata,
                "title": metadata.get("title", ""),
                "links": links,
                "updated": current["updated"],
                "recid": str(record_id),
                "revision": current["revision"],
                "files": [
                    {
                        "id": obj["file_id"],
                        "key": obj["key"],
                        "size": obj["size"],
                        "checksum": f"md5:{obj['md5']}",
                        "links": {"self": urls.record_file_content(record_id, obj["key"], draft=draft_files)},
                    }
                    for obj in current["files"]
                ],
                "owners": [{"id": view["owner"]}],
                "status": "draft" if is_draft else "published",
                "stats": dict(EMPTY_STATS),
                "state": deposition_state(view) if is_draft else "done",
                "submitted": view["record"] is not None,
            }
        )
        return body

    def rdm_record(self, view: dict, current: dict, urls: Urls) -> dict:
        """InvenioRDM JSON (docs/zenodo-behaviour.md §7.3)."""
        record_id = view["id"]
        parent = view["parent"]
        is_draft = current is view["draft"]
        parts = translate.stored_to_rdm_metadata(current["stored"])
        parent_pids = {}
        if parent["doi"]:
            parent_pids["doi"] = {"identifier": parent["doi"], "provider": "datacite", "client": "datacite"}
        pids = dict(parts.get("pids") or {})
        if not is_draft:
            pids["oai"] = {"identifier": f"oai:emulator:{record_id}", "provider": "oai"}
        entries = {
            obj["key"]: {
                "id": obj["file_id"],
                "key": obj["key"],
                "size": obj["size"],
                "checksum": f"md5:{obj['md5']}",
                "mimetype": obj["mimetype"],
                "ext": obj["key"].rsplit(".", 1)[-1].lower() if "." in obj["key"] else None,
                "metadata": {},
                "access": {"hidden": False},
                "links": {
                    "self": urls.record_file_content(record_id, obj["key"], draft=is_draft)[
                        : -len("/content")
                    ],
                    "content": urls.record_file_content(record_id, obj["key"], draft=is_draft),
                },
            }
            for obj in current["files"]
        }
        # IRR's status field: an edit draft of a published record is "published" (is_published
        # is true for it), a first draft "draft", a later version's draft "new_version_draft".
        is_published = view["record"] is not None
        if is_published:
            status = "published"
        else:
            status = "draft" if current["version_index"] == 1 else "new_version_draft"
        return {
            "id": str(record_id),
            "created": current["created"],
            "updated": current["updated"],
            "links": self._links(view, current, urls, is_draft=is_draft),
            "revision_id": current["revision"],
            "parent": {
                "id": str(parent["id"]),
                "access": {
                    "owned_by": {"user": str(view["owner"])},
                    "settings": {},
                    "grants": [],
                    "links": [],
                },
                "communities": {"ids": list(parent["communities"]), "default": None, "entries": []},
                "pids": parent_pids,
            },
            "versions": {
                "index": current["version_index"],
                "is_latest": not is_draft and current["version_index"] == view.get("latest_index"),
                "is_latest_draft": current["version_index"] == view.get("latest_draft_index"),
            },
            "is_published": is_published,
            "is_draft": is_draft,
            "status": status,
            "pids": pids,
            "metadata": parts["metadata"],
            "custom_fields": parts["custom_fields"],
            "access": parts["access"],
            "files": {
                "enabled": True,
                "order": [],
                "count": len(entries),
                "total_bytes": sum(obj["size"] for obj in current["files"]),
                "entries": entries,
            },
            "stats": {
                "this_version": {
                    "views": 0,
                    "unique_views": 0,
                    "downloads": 0,
                    "unique_downloads": 0,
                    "data_volume": 0,
                },
                "all_versions": {
                    "views": 0,
                    "unique_views": 0,
                    "downloads": 0,
                    "unique_downloads": 0,
                    "data_volume": 0,
                },
            },
            "ui": {},
        }


class _ConceptId(Exception):
    """The id asked for is a concept (parent) id, not a record id."""

    def __init__(self, parent_id: int) -> None:
        super().__init__(parent_id)
        self.parent_id = parent_id
