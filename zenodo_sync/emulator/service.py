"""InvenioRDM's draft/record state machine as the legacy deposit API drives it.

docs/zenodo-behaviour.md §3.4 (states), §3.9 (actions), §3.1 (status codes): each function runs inside
one store transaction, checks who may act, changes the store, re-indexes what it touched and
returns a *view* of the record id (its parent, draft and/or published record, with files).
Metadata is the translation layer's business (translate.py, including what publish and
newversion do to it): this module moves its "stored" dicts around and only writes the part the
PID services own, the DOI minted at publish.
"""

from __future__ import annotations

import copy
import mimetypes

from zenodo_sync.emulator import indexing, translate
from zenodo_sync.emulator.config import EmulatorConfig
from zenodo_sync.emulator.errors import (
    ApiError,
    bucket_locked,
    field_error,
    permission_denied,
    pid_does_not_exist,
    pid_not_registered,
    validation_error,
)
from zenodo_sync.emulator.store import Store, Tx, UploadedFile

LEGACY_TOP_LEVEL_KEYS = (
    "metadata",
    "files",
)  # docs/zenodo-behaviour.md §3.6: anything else is "Unknown field."


# -- views ------------------------------------------------------------------------------------
def load_view(tx: Tx, record_id: int) -> dict | None:
    """Everything the serializers need about one record id, JSON-serialisable (it is also the
    search index snapshot)."""
    draft = tx.draft(record_id)
    record = tx.record(record_id)
    if draft is None and record is None:
        return None
    parent_id = (draft or record)["parent_id"]
    if draft is not None:
        draft["files"] = tx.objects(draft["bucket_id"])
        draft["bucket_locked"] = bool(tx.bucket(draft["bucket_id"])["locked"])
    if record is not None:
        record["files"] = tx.objects(record["bucket_id"])
    return lift_expired_embargo(
        {
            "id": record_id,
            "owner": (draft or record)["owner"],
            "parent": tx.parent(parent_id),
            "draft": draft,
            "record": record,
        },
        today=tx.today,
    )


def lift_expired_embargo(view: dict, *, today: str) -> dict:
    """What Zenodo's daily embargo task would have done by `today` (docs/zenodo-behaviour.md §3.10;
    invenio-rdm-records RDMRecordService.lift_embargo): a published record whose embargo date
    has passed is open, and so is its edit draft when the draft's access is the record's. A
    draft never published keeps its embargo (publish then rejects a date in the past).
    Done on every read, views and search snapshots alike, so no task has to run."""
    record = view["record"]
    if record is None or not _embargo_expired(record["stored"], today):
        return view  # the common case, checked without copying (searches call this per hit)
    draft = view["draft"]
    if draft is not None and draft["stored"].get("access") == record["stored"].get("access"):
        draft["stored"] = translate.lift_embargo(draft["stored"], today=today)
    record["stored"] = translate.lift_embargo(record["stored"], today=today)
    return view


def _embargo_expired(stored: dict, today: str) -> bool:
    embargo = (stored.get("access") or {}).get("embargo") or {}
    return bool(embargo.get("active") and embargo.get("until")) and embargo["until"][:10] <= today


def indexed_views(tx: Tx, *, owner: int | None = None) -> list[dict]:
    """The search index's snapshots (store.indexed_docs), embargoes lifted as of today."""
    return [lift_expired_embargo(view, today=tx.today) for view in tx.indexed_docs(owner=owner)]


def reindex(tx: Tx, record_id: int) -> dict | None:
    view = load_view(tx, record_id)
    if view is not None:
        tx.index(record_id, view["owner"], view, entries=indexing.entries(view))
    return view


def index_unindexed(store: Store) -> None:
    """Give a data directory written before the index kept entries its entries: each record id
    is snapshotted again as it stands (visible at once, as its old snapshots were)."""
    with store.transaction(write=False) as tx:
        if not tx.unindexed_record_ids():
            return  # the common case: no write lock taken at start
    with store.transaction(write=True) as tx:
        for record_id in tx.unindexed_record_ids():
            view = load_view(tx, record_id)
            if view is None:
                tx.index(record_id, 0, None, immediate=True)
            else:
                tx.index(record_id, view["owner"], view, immediate=True, entries=indexing.entries(view))


def owned_view(tx: Tx, user: int | None, record_id: int) -> dict:
    if user is None:
        raise permission_denied()
    view = load_view(tx, record_id)
    if view is None:
        raise pid_does_not_exist()
    if view["owner"] != user:
        raise permission_denied()
    return view


def _editable_draft(tx: Tx, user: int | None, record_id: int) -> dict:
    """The draft of `record_id`: a published record without an edit draft is 404 (§3.1)."""
    view = owned_view(tx, user, record_id)
    if view["draft"] is None:
        raise pid_does_not_exist()
    return view


# -- deposit metadata ---------------------------------------------------------------------------
def _legacy_body(body: object) -> dict:
    """Zenodo's strict top level (docs/zenodo-behaviour.md §3.6)."""
    if not isinstance(body, dict):
        raise field_error("_schema", "Invalid input type.")
    unknown = [key for key in body if key not in LEGACY_TOP_LEVEL_KEYS]
    if unknown:
        raise validation_error([{"field": key, "messages": ["Unknown field."]} for key in unknown])
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise field_error("metadata", "Not a valid mapping type.")
    return body


def _to_stored(metadata: dict | None, tx: Tx, previous: dict | None) -> dict:
    try:
        return translate.deposit_input_to_stored(metadata, today=tx.today, previous=previous)
    except translate.LegacyInputError as exc:
        # Schema errors answer "A validation error occurred."; an unknown vocabulary id answers
        # RDM's "Invalid value <id>." (docs/zenodo-behaviour.md §3.6): the exception carries which one.
        raise ApiError(400, exc.message, list(exc.errors)) from None


def create_deposit(tx: Tx, user: int | None, body: object) -> dict:
    if user is None:
        raise permission_denied()
    body = _legacy_body(body)
    stored = _to_stored(body.get("metadata"), tx, None)
    parent_id = tx.create_parent(user)  # parent first: conceptrecid == id - 1 (docs/zenodo-behaviour.md §1)
    record_id = tx.next_id()
    tx.create_draft(
        record_id=record_id,
        parent_id=parent_id,
        owner=user,
        stored=stored,
        bucket_id=tx.create_bucket(),
        version_index=1,
    )
    return reindex(tx, record_id)


def update_deposit(tx: Tx, user: int | None, record_id: int, body: object) -> dict:
    """PUT replaces the whole metadata (docs/zenodo-behaviour.md §3.6)."""
    view = _editable_draft(tx, user, record_id)
    body = _legacy_body(body)
    stored = _to_stored(body.get("metadata"), tx, view["draft"]["stored"])
    tx.update_draft(record_id, stored)
    return reindex(tx, record_id)


def delete_deposit(tx: Tx, user: int | None, record_id: int) -> None:
    """DELETE and the discard action: drop the draft (docs/zenodo-behaviour.md §3.1)."""
    view = _editable_draft(tx, user, record_id)
    draft = view["draft"]
    tx.delete_draft(record_id)
    if view["record"] is not None:
        reindex(tx, record_id)  # an edit draft: the published record is unchanged
        return
    # Deleted drafts leave the index at once (IDR delete_draft uses index_refresh=True, §3.5).
    tx.index(record_id, draft["owner"], None, immediate=True)
    parent_id = draft["parent_id"]
    if not tx.records_of_parent(parent_id) and not tx.drafts_of_parent(parent_id):
        tx.delete_parent(parent_id)


# -- actions --------------------------------------------------------------------------------------
def publish(tx: Tx, user: int | None, record_id: int, config: EmulatorConfig) -> dict:
    view = _editable_draft(tx, user, record_id)  # repeat publish: no draft any more -> 404 (§3.1)
    draft = view["draft"]
    errors = translate.publish_errors(draft["stored"], len(draft["files"]), today=tx.today)
    if errors:
        raise validation_error(errors)
    stored = copy.deepcopy(draft["stored"])
    pids = stored.setdefault("pids", {})
    doi_pid = pids.get("doi") or {}
    external = doi_pid.get("provider") == "external"
    if external:
        doi = doi_pid["identifier"]
    else:
        doi = f"{config.doi_prefix}/zenodo.{record_id}"
        pids["doi"] = {"identifier": doi, "provider": "datacite", "client": "datacite"}
    parent = view["parent"]
    if not external and not parent["doi"]:
        # The concept DOI is minted on the first publish with a Zenodo DOI (docs/zenodo-behaviour.md §8).
        tx.set_parent_doi(parent["id"], f"{config.doi_prefix}/zenodo.{parent['id']}")
    stored = _include_communities(tx, parent, stored)
    existing = view["record"]
    if existing is None:
        bucket_id = draft["bucket_id"]
        tx.lock_bucket(bucket_id)  # published files are locked (docs/zenodo-behaviour.md §3.9)
    else:
        bucket_id = existing["bucket_id"]  # an edit draft's files are locked copies: unchanged
    tx.put_record(
        record_id=record_id,
        parent_id=draft["parent_id"],
        owner=draft["owner"],
        stored=stored,
        bucket_id=bucket_id,
        version_index=draft["version_index"],
        doi=doi,
    )
    tx.delete_draft(record_id)
    return reindex(tx, record_id)


def _include_communities(tx: Tx, parent: dict, stored: dict) -> dict:
    """At publish the requested communities become inclusion requests (docs/zenodo-behaviour.md §3.10).
    The emulator has no community curators: every requested slug is accepted at once."""
    requested = translate.requested_communities(stored)
    merged = list(parent["communities"])
    merged += [slug for slug in requested if slug not in merged]
    if merged != parent["communities"]:
        tx.set_parent_communities(parent["id"], merged)
    return translate.published(stored, accepted_communities=merged)


def edit(tx: Tx, user: int | None, record_id: int) -> dict:
    """Idempotent; the edit draft gets a new, locked bucket with the same files (§3.9)."""
    view = owned_view(tx, user, record_id)
    if view["draft"] is not None:
        return view  # already in edit, or never published: the draft itself (IDR edit)
    record = view["record"]
    bucket_id = tx.create_bucket(locked=True)
    tx.copy_objects(record["bucket_id"], bucket_id)
    tx.create_draft(
        record_id=record_id,
        parent_id=record["parent_id"],
        owner=record["owner"],
        stored=copy.deepcopy(record["stored"]),
        bucket_id=bucket_id,
        version_index=record["version_index"],
        revision=record["revision"],
    )
    return reindex(tx, record_id)


def new_version(tx: Tx, user: int | None, record_id: int) -> dict:
    """docs/zenodo-behaviour.md §3.9 newversion: returns the new draft, files of the latest version imported."""
    view = owned_view(tx, user, record_id)
    if view["record"] is None:
        raise pid_not_registered()
    parent = view["parent"]
    records = tx.records_of_parent(parent["id"])
    latest = records[-1]
    if (latest["stored"].get("pids", {}).get("doi") or {}).get("provider") == "external":
        raise permission_denied()  # external-DOI records cannot be versioned (§3.9, §8)
    pending = [draft for draft in tx.drafts_of_parent(parent["id"]) if tx.record(draft["id"]) is None]
    if pending:
        draft = pending[0]  # only one new-version draft per concept: reuse it
        if tx.objects(draft["bucket_id"]):
            # The whole call is rolled back (IDR import_files).
            raise field_error("files.enabled", "Please remove all files first.")
        tx.copy_objects(latest["bucket_id"], draft["bucket_id"])
        tx.touch_draft(draft["id"])
        return reindex(tx, draft["id"])
    # Metadata of the latest version minus `version`, publication_date today, no DOI (§3.9).
    # From the latest version as the embargo task leaves it (an expired embargo is lifted).
    stored = translate.new_version_draft(
        translate.lift_embargo(latest["stored"], today=tx.today), today=tx.today
    )
    new_id = tx.next_id()
    bucket_id = tx.create_bucket()
    tx.copy_objects(latest["bucket_id"], bucket_id)
    tx.create_draft(
        record_id=new_id,
        parent_id=parent["id"],
        owner=latest["owner"],
        stored=stored,
        bucket_id=bucket_id,
        version_index=max(r["version_index"] for r in records) + 1,
    )
    return reindex(tx, new_id)


# -- files ------------------------------------------------------------------------------------------
def guess_mimetype(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def _check_upload(
    tx: Tx, bucket_id: str, key: str, upload: UploadedFile, config: EmulatorConfig, *, replacing: bool
) -> None:
    if upload.too_large:
        raise ApiError(400, "File size limit exceeded.")
    if upload.size == 0:
        raise ApiError(400, "Empty files are not accepted.")  # RECORDS_RESOURCES_ALLOW_EMPTY_FILES=False
    count = len(tx.objects(bucket_id))
    if not replacing and count >= config.max_files_per_record:
        raise ApiError(400, "Uploading selected files will result in exceeding the max amount per record.")


def add_deposit_file(
    tx: Tx, user: int | None, record_id: int, key: str, upload: UploadedFile, config: EmulatorConfig
) -> tuple[dict, dict]:
    """Multipart POST: a new key only (docs/zenodo-behaviour.md §3.7)."""
    view = _editable_draft(tx, user, record_id)
    draft = view["draft"]
    if draft["bucket_locked"]:
        raise bucket_locked()
    if not key:
        raise field_error("file", "A file name is required.")
    if tx.object(draft["bucket_id"], key) is not None:
        raise ApiError(400, f"File with key {key} already exists.")
    _check_upload(tx, draft["bucket_id"], key, upload, config, replacing=False)
    obj = tx.add_object(draft["bucket_id"], key, upload, guess_mimetype(key))
    tx.touch_draft(record_id)
    return reindex(tx, record_id), obj


def deposit_files(tx: Tx, user: int | None, record_id: int) -> tuple[dict, list[dict]]:
    view = owned_view(tx, user, record_id)
    current = view["draft"] or view["record"]
    return view, current["files"]


def deposit_file(tx: Tx, user: int | None, record_id: int, file_id: str) -> tuple[dict, dict]:
    view, files = deposit_files(tx, user, record_id)
    for obj in files:
        if obj["file_id"] == file_id:
            return view, obj
    raise ApiError(404, "File not found.")


def delete_deposit_file(tx: Tx, user: int | None, record_id: int, file_id: str) -> None:
    view = owned_view(tx, user, record_id)
    draft = view["draft"]
    if draft is None or draft["bucket_locked"]:
        raise bucket_locked()  # published record: 403 (ZR-T simpleflow, docs/zenodo-behaviour.md §3.1)
    obj = tx.object_by_file_id(draft["bucket_id"], file_id)
    if obj is None:
        raise ApiError(404, "File not found.")
    tx.delete_object(draft["bucket_id"], obj["key"])
    tx.touch_draft(record_id)
    reindex(tx, record_id)


# -- bucket API (docs/zenodo-behaviour.md §3.8) ---------------------------------------------------------------
def _bucket_owner_view(tx: Tx, user: int | None, bucket_id: str) -> tuple[dict, dict]:
    bucket = tx.bucket(bucket_id)
    if bucket is None:
        raise ApiError(404, "Bucket does not exist.")
    row = tx.conn.execute(
        "SELECT id FROM drafts WHERE bucket_id = ? UNION SELECT id FROM records WHERE bucket_id = ?",
        (bucket_id, bucket_id),
    ).fetchone()
    if row is None:
        raise ApiError(404, "Bucket does not exist.")  # a discarded draft's bucket
    if user is None:
        raise permission_denied()
    view = load_view(tx, row["id"])
    if view["owner"] != user:
        raise permission_denied()
    return bucket, view


def bucket_put(
    tx: Tx, user: int | None, bucket_id: str, key: str, upload: UploadedFile, config: EmulatorConfig
) -> dict:
    bucket, view = _bucket_owner_view(tx, user, bucket_id)
    if bucket["locked"]:
        raise bucket_locked()
    replacing = tx.object(bucket_id, key) is not None  # same key: replaced (ZR-L _create_or_update_file)
    _check_upload(tx, bucket_id, key, upload, config, replacing=replacing)
    obj = tx.add_object(bucket_id, key, upload, guess_mimetype(key))
    if view["draft"] is not None:
        tx.touch_draft(view["id"])
    reindex(tx, view["id"])
    return obj


def bucket_get(tx: Tx, user: int | None, bucket_id: str, key: str) -> dict:
    _bucket, _view = _bucket_owner_view(tx, user, bucket_id)
    obj = tx.object(bucket_id, key)
    if obj is None:
        raise ApiError(404, "Object does not exist.")
    return obj


def bucket_list(tx: Tx, user: int | None, bucket_id: str) -> tuple[dict, list[dict]]:
    bucket, _view = _bucket_owner_view(tx, user, bucket_id)
    return bucket, tx.objects(bucket_id)


def bucket_delete(tx: Tx, user: int | None, bucket_id: str, key: str) -> None:
    bucket, view = _bucket_owner_view(tx, user, bucket_id)
    if bucket["locked"]:
        raise bucket_locked()
    if tx.object(bucket_id, key) is None:
        raise ApiError(404, "Object does not exist.")
    tx.delete_object(bucket_id, key)
    if view["draft"] is not None:
        tx.touch_draft(view["id"])
    reindex(tx, view["id"])
