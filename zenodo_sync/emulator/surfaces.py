"""What zenodo.org serves besides the deposit and records APIs, that the emulator's own links
point at (docs/zenodo-behaviour.md §6.7-§6.11): the record pages and file downloads outside
``/api``, DOI resolution, export formats, ``files-archive`` and the communities API.

The record "page" is a small HTML document (no UI here) that names the record, its DOI and its
files; download tools follow the DOI, read the record id from the URL and use the API.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from zenodo_sync.emulator import archive, communities, exports, service
from zenodo_sync.emulator.errors import ApiError, pid_does_not_exist, pid_not_registered
from zenodo_sync.emulator.records import RecordsApi, _ConceptId
from zenodo_sync.emulator.store import Store
from zenodo_sync.emulator.views import KEY_SAFE, Urls, stored_doi

_ZENODO_SUFFIX = re.compile(r"zenodo\.([0-9]{1,18})$", re.IGNORECASE)


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _unindexed(slug: str, view: dict) -> dict:
    # Just published: the search index has not caught up; the record's own dates stand in.
    created = view["record"]["created"]
    return {"slug": slug, "created": created, "updated": created}


def badge_svg(doi: str) -> str:
    """The DOI badge links.badge points at (Zenodo's shields-style image), sized to the text."""
    text = html.escape(doi)
    width = 34 + 7 * len(doi)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20">'
        f'<rect width="34" height="20" fill="#555"/><rect x="34" width="{width - 34}" height="20" fill="#007ec6"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">'
        f'<text x="6" y="14">DOI</text><text x="40" y="14">{text}</text></g></svg>'
    )


class Surfaces:
    def __init__(self, records: RecordsApi, store: Store) -> None:
        self.records = records
        self.store = store

    # -- exports ----------------------------------------------------------------------------------
    def rdm_json(self, request: Request, record_id: int) -> dict:
        """The published record as InvenioRDM JSON, the input of every export."""
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            try:
                view = self.records._resolve(tx, record_id)
            except _ConceptId:
                raise pid_does_not_exist() from None
        return self.records.rdm_record(view, view["record"], urls)

    def export(self, request: Request, record_id: int, export: exports.Export, *, download: bool) -> Response:
        body = export.render(self.rdm_json(request, record_id))
        response = Response(body, mimetype=export.mimetype)
        if download:  # invenio-app-rdm record_export: an attachment named <id>.<ext>
            response.headers["Content-Disposition"] = f"attachment; filename={record_id}.{export.extension}"
        return response

    def export_by_name(self, request: Request, record_id: int, name: str) -> Response:
        export = exports.BY_NAME.get(name)
        if export is None:
            raise ApiError(404, "Not found.")
        return self.export(request, record_id, export, download=True)

    # -- record pages outside /api ----------------------------------------------------------------
    def record_page(self, request: Request, record_id: int) -> Response:
        with self.store.transaction(write=False) as tx:
            concept = service.load_view(tx, record_id) is None and tx.parent(record_id) is not None
        if concept:  # a concept id's page is its latest version's, as in the API (§6.1.1)
            return self.record_latest_page(request, record_id)
        record = self.rdm_json(request, record_id)
        urls = Urls(request.host_url)
        doi = stored_doi({"pids": record["pids"]})
        files = "".join(
            f'<li><a href="{html.escape(self.file_url(urls, record_id, key))}?download=1">{html.escape(key)}</a></li>'
            for key in record["files"]["entries"]
        )
        page = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(record['metadata'].get('title', ''))}</title>"
            f'<link rel="alternate" type="application/json" href="{html.escape(urls.record(record_id))}">'
            "</head><body>"
            f"<h1>{html.escape(record['metadata'].get('title', ''))}</h1>"
            + (
                f'<p>DOI: <a href="https://doi.org/{html.escape(doi)}">{html.escape(doi)}</a></p>'
                if doi
                else ""
            )
            + f"<ul>{files}</ul></body></html>\n"
        )
        response = Response(page, mimetype="text/html")
        # FAIR signposting (zenodo-rdm enables level 1): where the metadata and the DOI are.
        links = [f'<{urls.record(record_id)}> ; rel="describedby" ; type="application/json"']
        if doi:
            links.insert(0, f'<https://doi.org/{doi}> ; rel="cite-as"')
        response.headers["Link"] = " , ".join(links)
        return response

    @staticmethod
    def file_url(urls: Urls, record_id: int, key: str) -> str:
        return f"{urls.ui}/records/{record_id}/files/{quote(key, safe=KEY_SAFE)}"

    def record_latest_page(self, request: Request, record_id: int) -> Response:
        """/records/<id>/latest: 302 to the latest version's page (invenio-app-rdm record_latest)."""
        latest = self._latest_of(record_id)
        return Response(status=302, headers={"Location": f"{Urls(request.host_url).ui}/records/{latest}"})

    def _latest_of(self, record_id: int) -> int:
        with self.store.transaction(write=False) as tx:
            view = service.load_view(tx, record_id)
            parent_id = view["parent"]["id"] if view else (record_id if tx.parent(record_id) else None)
            if parent_id is None:
                raise pid_does_not_exist()
            latest = self.records._latest_record_id(tx, parent_id)
        if latest is None:
            raise pid_not_registered()
        return latest

    # -- DOI resolution ---------------------------------------------------------------------------
    def resolve_doi(self, request: Request, doi: str) -> Response:
        """/doi/<doi> (zenodo.org's record_from_pid) and the emulator's stand-in for doi.org,
        /<prefix>/<suffix>: 302 to the record page; a concept DOI leads to the latest version."""
        record_id = self._record_for_doi(doi.strip())
        return Response(status=302, headers={"Location": f"{Urls(request.host_url).ui}/records/{record_id}"})

    def _record_for_doi(self, doi: str) -> int:
        wanted = doi.lower()
        with self.store.transaction(write=False) as tx:
            match = _ZENODO_SUFFIX.search(wanted)
            if match:  # Zenodo's own DOIs name their record (or concept) id
                number = int(match.group(1))
                view = service.load_view(tx, number)
                if view and view["record"] and (stored_doi(view["record"]["stored"]) or "").lower() == wanted:
                    return number
                parent = tx.parent(number)
                if parent and (parent["doi"] or "").lower() == wanted:
                    latest = self.records._latest_record_id(tx, number)
                    if latest is not None:
                        return latest
            for view in service.indexed_views(tx):  # external DOIs: search the records
                if view["record"] and (stored_doi(view["record"]["stored"]) or "").lower() == wanted:
                    return int(view["id"])
        raise pid_does_not_exist()

    # -- file downloads ---------------------------------------------------------------------------
    def file_object(self, user: int | None, record_id: int, key: str) -> dict:
        obj, _current = self.records.file_object(user, record_id, key, draft=False)
        return obj

    def archive(self, request: Request, user: int | None, record_id: int, *, draft: bool) -> Response:
        with self.store.transaction(write=False) as tx:
            _view, current = self.records._files_view(tx, user, record_id, draft=draft)
        files = sorted(current["files"], key=lambda obj: obj["key"])
        entries = [(obj["key"], self.store.content_path(obj["file_id"]), obj["size"]) for obj in files]
        return self.zip_response(record_id, entries)

    @staticmethod
    def zip_response(record_id: int, entries: list[tuple[str, Path, int]]) -> Response:
        archive.check_size([size for _key, _path, size in entries])
        zipped = archive.stream_zip([(key, path) for key, path, _size in entries])
        response = Response(zipped, mimetype="application/zip", direct_passthrough=True)
        response.headers["Content-Disposition"] = f"attachment; filename={record_id}.zip"
        return response

    # -- the record's communities and access grants -----------------------------------------------
    def record_communities(self, request: Request, record_id: int) -> Response:
        """GET /api/records/<id>/communities: the communities that include the record."""
        urls = Urls(request.host_url)
        with self.store.transaction(write=False) as tx:
            try:
                view = self.records._resolve(tx, record_id)
            except _ConceptId:
                raise pid_does_not_exist() from None
            known = communities.known(service.indexed_views(tx))
        hits = [
            communities.render(known.get(slug) or _unindexed(slug, view), urls)
            for slug in view["parent"]["communities"]
        ]
        return _json({"hits": {"hits": hits, "total": len(hits)}, "aggregations": {}, "links": {}})

    def access_grants(self, request: Request, user: int | None, record_id: int) -> Response:
        """Access links and user grants: the owner's to see; the emulator never makes any."""
        with self.store.transaction(write=False) as tx:
            service.owned_view(tx, user, record_id)
        return _json({"hits": {"hits": [], "total": 0}})

    # -- communities ------------------------------------------------------------------------------
    def _communities(self) -> dict[str, dict]:
        with self.store.transaction(write=False) as tx:
            return communities.known(service.indexed_views(tx))

    def communities_search(self, request: Request) -> Response:
        found = self._communities()
        return _json(
            communities.search_communities(found, request.args, Urls(request.host_url), request.base_url)
        )

    def community(self, request: Request, id_or_slug: str) -> Response:
        entry = communities.resolve(self._communities(), id_or_slug)
        return _json(communities.render(entry, Urls(request.host_url)))

    def community_records(self, request: Request, user: int | None, id_or_slug: str) -> Response:
        entry = communities.resolve(self._communities(), id_or_slug)
        slug = entry["slug"]
        return self.records.search(request, user, only_community=slug)
