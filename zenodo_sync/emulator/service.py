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
    return _first_draft(tx, user, stored)


def _first_draft(tx: Tx, user: int, stored: dict) -> dict:
    """A new concept and its first draft holding `stored`, for both APIs' create."""
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
    parent_id, records, pending = _versioning(tx, user, record_id)
    latest = records[-1]
    if pending is not None:
        draft = pending  # only one new-version draft per concept: reuse it
        if tx.objects(draft["bucket_id"]):
            # The whole call is rolled back (IDR import_files).
            raise field_error("files.enabled", "Please remove all files first.")
        tx.copy_objects(latest["bucket_id"], draft["bucket_id"])
        tx.touch_draft(draft["id"])
        return reindex(tx, draft["id"])
    return _next_version_draft(tx, parent_id, records, with_files=True)


def _versioning(tx: Tx, user: int | None, record_id: int) -> tuple[int, list[dict], dict | None]:
    """The concept of `record_id`, its published versions and its new-version draft if one is
    open, once both APIs' checks pass: the user owns a published record without an external DOI."""
    view = owned_view(tx, user, record_id)
    if view["record"] is None:
        raise pid_not_registered()
    parent = view["parent"]
    records = tx.records_of_parent(parent["id"])
    if (records[-1]["stored"].get("pids", {}).get("doi") or {}).get("provider") == "external":
        raise permission_denied()  # external-DOI records cannot be versioned (§3.9, §8)
    pending = [draft for draft in tx.drafts_of_parent(parent["id"]) if tx.record(draft["id"]) is None]
    return parent["id"], records, pending[0] if pending else None


def _next_version_draft(tx: Tx, parent_id: int, records: list[dict], *, with_files: bool) -> dict:
    """The concept's next version as a draft; the deposit API copies the latest files into it."""
    latest = records[-1]
    # Metadata of the latest version minus `version`, publication_date today, no DOI (§3.9).
    # From the latest version as the embargo task leaves it (an expired embargo is lifted).
    stored = translate.new_version_draft(
        translate.lift_embargo(latest["stored"], today=tx.today), today=tx.today
    )
    new_id = tx.next_id()
    bucket_id = tx.create_bucket()
    if with_files:
        tx.copy_objects(latest["bucket_id"], bucket_id)
    tx.create_draft(
        record_id=new_id,
        parent_id=parent_id,
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


# -- the native InvenioRDM API (docs/zenodo-behaviour.md §7) ----------------------------------------
# The same drafts, records and buckets as the deposit API: a record made through one API is
# read and changed through the other, as on zenodo.org. Native bodies are stored as sent
# (they are already RDM-shaped); publish checks them with the same rules (translate_publish).
NATIVE_PARTS = ("metadata", "custom_fields", "access", "pids")


def _native_parts(body: object) -> dict:
    """The parts of a native draft body the store keeps; each must be an object if given."""
    if not isinstance(body, dict):
        raise field_error("_schema", "Invalid input type.")
    for part in NATIVE_PARTS:
        if part in body and body[part] is not None and not isinstance(body[part], dict):
            raise field_error(part, "Invalid input type.")
    files = body.get("files")
    if files is not None and (not isinstance(files, dict) or files.get("enabled") is False):
        # Zenodo refuses metadata-only records from users (docs/zenodo-behaviour.md §7.1).
        raise field_error("files.enabled", "You don't have permissions to manage files options.")
    return body


def _native_stored(body: dict, previous: dict | None) -> dict:
    """What the store keeps for a native create (previous None) or PUT: `metadata` and
    `custom_fields` replaced, `access` and `pids` kept when omitted (§7.4)."""
    previous = previous or {}
    stored = copy.deepcopy(previous)
    stored["metadata"] = _with_person_names(copy.deepcopy(body.get("metadata") or {}))
    stored["custom_fields"] = copy.deepcopy(body.get("custom_fields") or {})
    # A native draft asks for communities with requests, never in the draft (§7.8).
    stored["custom_fields"].pop("legacy:communities", None)
    for part in ("access", "pids"):
        if body.get(part) is not None:
            stored[part] = copy.deepcopy(body[part])
    stored.setdefault("access", {"record": "public", "files": "public", "embargo": {"active": False}})
    stored.setdefault("pids", {})
    return stored


def _with_person_names(metadata: dict) -> dict:
    """RDM computes a personal creator's `name` as "Family, Given" on load (§7.4)."""
    for key in ("creators", "contributors"):
        for entry in metadata.get(key) or []:
            person = entry.get("person_or_org") if isinstance(entry, dict) else None
            if isinstance(person, dict) and person.get("type") == "personal" and person.get("family_name"):
                given = person.get("given_name")
                person["name"] = f"{person['family_name']}, {given}" if given else person["family_name"]
    return metadata


def create_native_draft(tx: Tx, user: int | None, body: object) -> dict:
    """POST /api/records: a new concept's first draft (§7.1)."""
    if user is None:
        raise permission_denied()
    stored = _native_stored(_native_parts(body), None)
    return _first_draft(tx, user, stored)


def update_native_draft(tx: Tx, user: int | None, record_id: int, body: object) -> dict:
    """PUT /api/records/<id>/draft (§7.4)."""
    view = _editable_draft(tx, user, record_id)
    stored = _native_stored(_native_parts(body), view["draft"]["stored"])
    tx.update_draft(record_id, stored)
    return reindex(tx, record_id)


def reserve_doi(tx: Tx, user: int | None, record_id: int, config: EmulatorConfig) -> dict:
    """POST /api/records/<id>/draft/pids/doi: the DOI publish will mint, reserved now (§7.7)."""
    view = _editable_draft(tx, user, record_id)
    stored = copy.deepcopy(view["draft"]["stored"])
    if (stored.get("pids") or {}).get("doi"):
        raise ApiError(400, "A PID already exists for type doi")
    doi = f"{config.doi_prefix}/zenodo.{record_id}"
    stored.setdefault("pids", {})["doi"] = {"identifier": doi, "provider": "datacite", "client": "datacite"}
    tx.update_draft(record_id, stored)
    return reindex(tx, record_id)


def native_new_version(tx: Tx, user: int | None, record_id: int) -> dict:
    """POST /api/records/<id>/versions: the concept's new-version draft, without files; an
    existing one is returned as it is (§7.6)."""
    parent_id, records, pending = _versioning(tx, user, record_id)
    if pending is not None:
        return load_view(tx, pending["id"])
    return _next_version_draft(tx, parent_id, records, with_files=False)


def import_files(tx: Tx, user: int | None, record_id: int) -> dict:
    """POST .../draft/actions/files-import: link the latest published version's files (§7.6)."""
    view = _editable_draft(tx, user, record_id)
    draft = view["draft"]
    if view["record"] is not None:
        raise permission_denied()  # an edit draft has its record's files already
    if draft["files"] or tx.pending_keys(draft["bucket_id"]):
        raise field_error("files.enabled", "Please remove all files first.")
    records = tx.records_of_parent(view["parent"]["id"])
    if not records:
        raise pid_not_registered()
    tx.copy_objects(records[-1]["bucket_id"], draft["bucket_id"])
    tx.touch_draft(record_id)
    return reindex(tx, record_id)


def init_files(tx: Tx, user: int | None, record_id: int, body: object, config: EmulatorConfig) -> dict:
    """POST .../draft/files with `[{"key": ...}, ...]`: step 1 of an upload (§7.5)."""
    view = _editable_draft(tx, user, record_id)
    draft = view["draft"]
    if draft["bucket_locked"]:
        raise bucket_locked()
    if not isinstance(body, list) or not all(isinstance(e, dict) for e in body):
        raise field_error("_schema", "Invalid input type.")
    keys = []
    for index, entry in enumerate(body):
        key = entry.get("key")
        if not isinstance(key, str) or not key.strip():
            raise field_error(f"{index}.key", "Missing data for required field.")
        if tx.object(draft["bucket_id"], key) is not None or key in tx.pending_keys(draft["bucket_id"]):
            raise ApiError(400, f"File with key {key} already exists.")
        keys.append(key)
    existing = len(draft["files"]) + len(tx.pending_keys(draft["bucket_id"]))
    if existing + len(keys) > config.max_files_per_record:
        raise ApiError(400, "Uploading selected files will result in exceeding the max amount per record.")
    for key in keys:
        tx.init_file(draft["bucket_id"], key)
    tx.touch_draft(record_id)
    return reindex(tx, record_id)


def _initialised(tx: Tx, user: int | None, record_id: int, key: str) -> dict:
    view = _editable_draft(tx, user, record_id)
    draft = view["draft"]
    if tx.file_status(draft["bucket_id"], key) is None and tx.object(draft["bucket_id"], key) is None:
        raise ApiError(404, "File not found.")
    return view


def put_file_content(
    tx: Tx, user: int | None, record_id: int, key: str, upload: UploadedFile, config: EmulatorConfig
) -> dict:
    """PUT .../draft/files/<key>/content: step 2; the file stays pending until committed."""
    view = _initialised(tx, user, record_id, key)
    draft = view["draft"]
    if draft["bucket_locked"]:
        raise bucket_locked()
    if upload.too_large:
        raise ApiError(400, "File size limit exceeded.")
    obj = tx.add_object(draft["bucket_id"], key, upload, guess_mimetype(key))
    tx.init_file(draft["bucket_id"], key)
    tx.touch_draft(record_id)
    reindex(tx, record_id)
    return obj


def commit_file(tx: Tx, user: int | None, record_id: int, key: str) -> dict:
    """POST .../draft/files/<key>/commit: step 3; an empty or missing content is refused (§7.5)."""
    view = _initialised(tx, user, record_id, key)
    bucket_id = view["draft"]["bucket_id"]
    obj = tx.object(bucket_id, key)
    if obj is None:
        raise ApiError(400, f"File {key} has no content to commit.")
    if obj["size"] == 0:
        raise ApiError(400, "Empty files are not accepted.")
    tx.commit_file(bucket_id, key)
    tx.touch_draft(record_id)
    reindex(tx, record_id)
    return obj


def delete_native_file(tx: Tx, user: int | None, record_id: int, key: str) -> None:
    """DELETE .../draft/files/<key>."""
    view = _initialised(tx, user, record_id, key)
    draft = view["draft"]
    if draft["bucket_locked"]:
        raise bucket_locked()
    tx.delete_object(draft["bucket_id"], key)
    tx.forget_file(draft["bucket_id"], key)
    tx.touch_draft(record_id)
    reindex(tx, record_id)


def include_in_communities(
    tx: Tx, user: int | None, record_id: int, body: object, config: EmulatorConfig
) -> tuple[list, list]:
    """POST /api/records/<id>/communities: one inclusion request per community (§7.8).

    The emulator has no curators: a request is accepted at once, as at a deposit publish,
    unless the community is one of `config.reviewed_communities`, where it stays open until
    accepted (`accept_inclusion`). Errors are per entry, as in RDM."""
    view = owned_view(tx, user, record_id)
    if view["record"] is None:
        raise pid_not_registered()
    entries = body.get("communities") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise field_error("communities", "Missing data for required field.")
    parent = view["parent"]
    included = list(parent["communities"])
    open_requests = {
        r["community"] for r in tx.inclusion_requests(parent["id"]) if r["status"] == "submitted"
    }
    processed, errors = [], []
    for entry in entries:
        slug = str(entry.get("id") or "")
        if not slug:
            errors.append({"community_id": slug, "message": "Community not found."})
        elif slug in included:
            errors.append(
                {"community_id": slug, "message": "The record is already included in this community."}
            )
        elif slug in open_requests:
            errors.append({"community_id": slug, "message": "There is already an open inclusion request."})
        else:
            reviewed = slug in config.reviewed_communities
            request = tx.add_inclusion_request(
                record_id, parent["id"], slug, "submitted" if reviewed else "accepted"
            )
            if not reviewed:
                included.append(slug)
            processed.append(
                {"community_id": slug, "request_id": request["id"], "request": inclusion_view(request)}
            )
    if included != parent["communities"]:
        _set_communities(tx, parent["id"], included)
    return processed, errors


def inclusion_view(request: dict) -> dict:
    """An inclusion request as invenio-requests serialises it (the fields a client reads)."""
    status = request["status"]
    return {
        "id": request["id"],
        "type": "community-inclusion",
        "status": status,
        "is_open": status == "submitted",
        "is_closed": status != "submitted",
        "receiver": {"community": request["community"]},
        "topic": {"record": str(request["record_id"])},
        "created": request["created"],
        "updated": request["updated"],
    }


def _set_communities(tx: Tx, parent_id: int, included: list[str]) -> None:
    """The parent's communities, also in every version's and draft's stored dict (the deposit
    view reads them there, as `published` leaves them)."""
    tx.set_parent_communities(parent_id, included)
    for record in tx.records_of_parent(parent_id):
        tx.update_record_stored(record["id"], {**record["stored"], "parent_communities": included})
        reindex(tx, record["id"])
    for draft in tx.drafts_of_parent(parent_id):
        tx.update_draft(draft["id"], {**draft["stored"], "parent_communities": included})
        reindex(tx, draft["id"])


def record_requests(tx: Tx, user: int | None, record_id: int) -> list[dict]:
    """GET /api/records/<id>/requests: the requests whose topic is the record's concept."""
    view = owned_view(tx, user, record_id)
    return [inclusion_view(r) for r in tx.inclusion_requests(view["parent"]["id"])]


def accept_inclusion(tx: Tx, user: int | None, request_id: str) -> dict:
    """POST /api/requests/<id>/actions/accept: a curator accepts (the emulator lets any
    signed-in user play the curator)."""
    if user is None:
        raise permission_denied()
    request = tx.inclusion_request(request_id)
    if request is None:
        raise ApiError(404, "The persistent identifier does not exist.")
    if request["status"] != "submitted":
        raise ApiError(400, "Invalid action for the request's current status.")
    tx.set_inclusion_status(request_id, "accepted")
    parent = tx.parent(request["parent_id"])
    if parent is not None and request["community"] not in parent["communities"]:
        _set_communities(tx, parent["id"], [*parent["communities"], request["community"]])
    return inclusion_view(tx.inclusion_request(request_id))
