"""JSON shapes of the deposit API (docs/zenodo-behaviour.md §3.2, §3.3, §3.7, §3.8).

Input is a *view* from service.load_view (or a search-index snapshot of one). Metadata comes
from the translation layer; everything around it (ids, state, links, files) is built here.
"""

from __future__ import annotations

from urllib.parse import quote

from zenodo_sync.emulator import translate

KEY_SAFE = "/!$&'()*+,;=:@"  # what ZR-L leaves unquoted in file keys of links


class Urls:
    """Links use the emulator's own base URL (``http://127.0.0.1:<port>``).

    DOI links: the deposit API always points at doi.org (zenodo-rdm's legacy links_item
    hard-codes it), the records API follows DataCite's test mode (`doi_resolver`)."""

    def __init__(self, base: str, *, bucket_origin: str | None = None) -> None:
        self.ui = base.rstrip("/")
        self.api = self.ui + "/api"
        self.bucket_api = (bucket_origin.rstrip("/") + "/api") if bucket_origin else self.api

    def deposit(self, record_id: int) -> str:
        return f"{self.api}/deposit/depositions/{record_id}"

    def record(self, record_id: int) -> str:
        return f"{self.api}/records/{record_id}"

    def bucket(self, bucket_id: str) -> str:
        return f"{self.bucket_api}/files/{bucket_id}"

    def bucket_object(self, bucket_id: str, key: str) -> str:
        return f"{self.api}/files/{bucket_id}/{quote(key)}"

    def record_file_content(self, record_id: int, key: str, *, draft: bool) -> str:
        middle = "/draft" if draft else ""
        return f"{self.record(record_id)}{middle}/files/{quote(key, safe=KEY_SAFE)}/content"

    def doi(self, doi: str) -> str:
        return f"https://doi.org/{doi}"

    def doi_resolver(self, doi: str, *, datacite_test_mode: bool) -> str:
        """The records API's DOI link (invenio-rdm-records `record_doi_link`): DataCite's test
        handle server in test mode, as on sandbox.zenodo.org (docs/zenodo-behaviour.md §6.3, §9)."""
        if datacite_test_mode:
            return f"https://handle.test.datacite.org/{doi}"
        return self.doi(doi)

    def badge(self, doi: str | None) -> str:
        return f"{self.ui}/badge/doi/{doi or ''}.svg"


def stored_doi(stored: dict) -> str | None:
    return ((stored.get("pids") or {}).get("doi") or {}).get("identifier")


def deposition_state(view: dict) -> str:
    """docs/zenodo-behaviour.md §3.2 `state`: unsubmitted (never published), inprogress (in edit), done."""
    if view["draft"] is None:
        return "done"
    return "inprogress" if view["record"] is not None else "unsubmitted"


def deposition(view: dict, urls: Urls, doi_prefix: str, *, in_list: bool = False) -> dict:
    """The legacy deposition object (docs/zenodo-behaviour.md §3.2)."""
    record_id = view["id"]
    state = deposition_state(view)
    current = view["draft"] or view["record"]
    stored = current["stored"]
    metadata = translate.stored_to_deposit_metadata(stored, record_id=record_id, doi_prefix=doi_prefix)
    doi = stored_doi(stored)
    concept_doi = view["parent"]["doi"]
    links = deposition_links(view, urls, state, doi, concept_doi, in_list=in_list)
    body: dict = {
        "created": current["created"],
        "modified": current["updated"],
        "id": record_id,
        "conceptrecid": str(view["parent"]["id"]),
    }
    if doi:
        body["doi"] = doi
        body["doi_url"] = urls.doi(doi)
    if concept_doi:
        body["conceptdoi"] = concept_doi
    body.update(
        {
            "metadata": metadata,
            "title": metadata.get("title", ""),
            "links": links,
            "record_id": record_id,
            "owner": view["owner"],
            "files": [deposition_file(record_id, obj, urls, links["files"]) for obj in current["files"]],
            "state": state,
            "submitted": view["record"] is not None,
        }
    )
    return body


def deposition_links(
    view: dict, urls: Urls, state: str, doi: str | None, concept_doi: str | None, *, in_list: bool
) -> dict:
    """docs/zenodo-behaviour.md §3.3: published records point at the records API, drafts at the deposit API."""
    record_id = view["id"]
    deposit_url = urls.deposit(record_id)
    published = state == "done"
    current = view["draft"] or view["record"]
    links = {
        "self": urls.record(record_id) if published else deposit_url,
        "html": f"{urls.ui}/records/{record_id}" if published else f"{urls.ui}/deposit/{record_id}",
    }
    if doi:
        links["doi"] = urls.doi(doi)
    links["badge"] = urls.badge(doi)
    if published and concept_doi:
        links["conceptbadge"] = urls.badge(concept_doi)
    links["files"] = f"{urls.record(record_id)}/files" if published else f"{deposit_url}/files"
    if not in_list:
        # Bucket ids are not indexed, so listings have no `bucket` link (docs/zenodo-behaviour.md §3.3).
        links["bucket"] = urls.bucket(current["bucket_id"])
    # `latest_draft` points at the same id, never at a newer draft (zenodo-rdm#858).
    links["latest_draft"] = deposit_url
    links["latest_draft_html"] = f"{urls.ui}/deposit/{record_id}"
    for action in ("publish", "edit", "discard", "newversion"):
        links[action] = f"{deposit_url}/actions/{action}"
    if view["record"] is not None:
        links["record"] = urls.record(record_id)
        links["record_html"] = f"{urls.ui}/record/{record_id}"
        links["latest"] = f"{urls.record(record_id)}/versions/latest"
        links["latest_html"] = f"{urls.ui}/records/{record_id}/latest"
    if published and concept_doi:
        links["parent_doi"] = urls.doi(concept_doi)
    return links


def deposition_file(record_id: int, obj: dict, urls: Urls, files_url: str) -> dict:
    """A file inside the deposition (ZR-L legacyjson.py dump_files): `self` hangs off
    `links.files` and `download` is always the draft content URL, even once published."""
    return {
        "id": obj["file_id"],
        "filename": obj["key"],
        "filesize": int(obj["size"]),
        "checksum": obj["md5"],
        "links": {
            "self": f"{files_url}/{obj['file_id']}",
            "download": urls.record_file_content(record_id, obj["key"], draft=True),
        },
    }


def deposit_file(record_id: int, obj: dict, urls: Urls, *, published: bool, float_size: bool) -> dict:
    """A legacy file object (docs/zenodo-behaviour.md §3.7). `filesize` is a float on the files endpoints
    (marshmallow fields.Number) and an int inside the deposition."""
    return {
        "id": obj["file_id"],
        "filename": obj["key"],
        "filesize": float(obj["size"]) if float_size else int(obj["size"]),
        "checksum": obj["md5"],
        "links": {
            "self": f"{urls.deposit(record_id)}/files/{obj['file_id']}",
            "download": urls.record_file_content(record_id, obj["key"], draft=not published),
        },
    }


def bucket_object(bucket_id: str, obj: dict, urls: Urls) -> dict:
    """Files-REST object (docs/zenodo-behaviour.md §3.8); `is_head`/`delete_marker` are constants."""
    self_url = urls.bucket_object(bucket_id, obj["key"])
    return {
        "key": obj["key"],
        "mimetype": obj["mimetype"],
        "checksum": f"md5:{obj['md5']}",
        "version_id": obj["version_id"],
        "size": obj["size"],
        "created": obj["created"],
        "updated": obj["updated"],
        "is_head": True,
        "delete_marker": False,
        "links": {
            "self": self_url,
            "version": f"{self_url}?version_id={obj['version_id']}",
            "uploads": f"{self_url}?uploads=1",
        },
    }
