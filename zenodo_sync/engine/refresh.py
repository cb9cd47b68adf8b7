"""Read what the server holds for every managed key, in as few requests as the API allows.

One paged listing of the owner's depositions, all versions and drafts included
(`GET /api/deposit/depositions?all_versions=true`, 100 per page: docs/zenodo-behaviour.md §3.5),
grouped by concept. A GET by id follows only where the listing is missing a record the
lock knows about or disagrees with what the lock recorded: the listing is search-backed
and lags behind writes (§6.6), while a GET by id always reads the database.

Bound keys: a manifest's `concept:` (or `zsync bind`, in the lock) names an existing concept,
often one zsync did not make and so without a marker; such a key is found by that concept
(binding.py) and never falls through to "nothing on the server". A key with nothing on the
server learns the account's unclaimed concepts of its title, for plan's same-title warning.

Identity without the lock: every record zsync creates carries the marker
`urn:zsync:[<namespace>:]<key>` (identity.py). A key with no lock entry is matched by that
marker; without a namespace such a match is flagged (FoundBy.MARKER_ONLY) unless the lock
says a create was in flight, because another repository on the same account may use the key. When
the lock says a create was in flight (its answer may have been lost, or the process was
killed after sending it), the listing is retried with backoff before concluding that
nothing was created, so the search lag cannot lead to a second concept.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from zenodo_sync.backends.base import Backend
from zenodo_sync.engine.binding import resolve_concept
from zenodo_sync.engine.identity import marker_for, markers_of
from zenodo_sync.engine.normalise import canonical_digest
from zenodo_sync.engine.state import LockEntry, LockFile
from zenodo_sync.errors import AuthError, BindingError, NotFoundError, StateError
from zenodo_sync.model import ActualDataset, FoundBy, RemoteRecord
from zenodo_sync.zenodo.concepts import parse_concept
from zenodo_sync.zenodo.sanitise import sanitise_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchPatience:
    """How long to wait for the search index to show a record whose create may have happened.

    Defaults wait 1+2+4+8 s; tests shrink them with ZSYNC_SEARCH_RETRIES / ZSYNC_SEARCH_DELAY.
    """

    retries: int = 4
    delay: float = 1.0

    @classmethod
    def from_env(cls) -> SearchPatience:
        try:
            return cls(
                retries=int(os.environ.get("ZSYNC_SEARCH_RETRIES", cls.retries)),
                delay=float(os.environ.get("ZSYNC_SEARCH_DELAY", cls.delay)),
            )
        except ValueError:
            return cls()

    def delays(self) -> list[float]:
        return [self.delay * 2**attempt for attempt in range(self.retries)]


class Listing:
    """The owner's depositions grouped by concept, with an index of zsync markers (as sent)."""

    def __init__(self, records: Iterable[RemoteRecord]):
        self.by_concept: dict[str, dict[int, RemoteRecord]] = {}
        self.by_marker: dict[str, set[str]] = {}
        for record in records:
            self.add(record)

    def add(self, record: RemoteRecord) -> None:
        concept = record.concept_id or str(record.id)
        self.by_concept.setdefault(concept, {})[record.id] = record
        for marker in markers_of(record.metadata):
            self.by_marker.setdefault(marker, set()).add(concept)

    def concepts_marked(self, marker: str) -> set[str]:
        return set(self.by_marker.get(marker, set()))


def list_everything(backend: Backend) -> Listing:
    return Listing(backend.list_own(all_versions=True))


def refresh(
    backend: Backend,
    keys: Iterable[str],
    lock: LockFile,
    *,
    namespace: str | None = None,
    bindings: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    patience: SearchPatience | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, ActualDataset]:
    """ActualDataset per key: its concept, latest published version and open draft.

    `bindings`: key -> the manifest's `concept:` (binding.py); such a key is found by that
    concept, never created. `titles`: key -> the manifest's title; a key with nothing on the
    server learns the account's unclaimed concepts of that title (ActualDataset.same_title).
    `on_wait` is told, in one line, when refresh waits for the search index.
    """
    bindings = bindings or {}
    patience = patience or SearchPatience.from_env()
    keys = list(keys)
    listing = list_everything(backend)
    # A create that may have reached the server but is not in the listing yet: wait for
    # the index rather than risk a second concept (duplicate records are the pain users of other Zenodo tools report most).
    waiting = [
        key for key in keys if _create_in_flight(lock.get(key)) and not _locate(listing, key, lock, namespace)
    ]
    if waiting and on_wait is not None:
        on_wait(
            f"Waiting up to {sum(patience.delays()):.3g}s for Zenodo's search index to show "
            f"{', '.join(waiting)}: zsync.lock says a create was sent, and its record may not be "
            "listed yet"
        )
    for delay in patience.delays() if waiting else []:
        log.info("Waiting %.1fs for the server's search index to show %s", delay, ", ".join(waiting))
        sleep(delay)
        listing = list_everything(backend)
        waiting = [key for key in waiting if not _locate(listing, key, lock, namespace)]
        if not waiting:
            break
    actuals = {
        key: actual_for(backend, listing, key, lock.get(key), namespace, binding=bindings.get(key))
        for key in keys
    }
    if titles:
        _find_same_titles(listing, actuals, titles, lock)
    return actuals


def _create_in_flight(entry: LockEntry | None) -> bool:
    return (
        entry is not None
        and entry.concept_id is None
        and entry.in_flight is not None
        and entry.in_flight.operation == "create"
        and entry.in_flight.draft_id is None
    )


def _locate(listing: Listing, key: str, lock: LockFile, namespace: str | None) -> bool:
    entry = lock.get(key)
    return bool(listing.concepts_marked(marker_for(key, namespace))) or bool(
        entry and entry.concept_id and entry.concept_id in listing.by_concept
    )


def actual_for(
    backend: Backend,
    listing: Listing,
    key: str,
    entry: LockEntry | None,
    namespace: str | None = None,
    *,
    binding: str | None = None,
) -> ActualDataset:
    marker = marker_for(key, namespace)
    concept: str | None
    if binding is not None:
        concept, found_by = _concept_from_binding(backend, listing, key, binding, entry)
    else:
        concept, found_by = _concept_from_lock(backend, listing, marker, entry)
    bound = binding is not None or (entry is not None and entry.bound and found_by == FoundBy.LOCK)
    if concept is None:
        marked = listing.concepts_marked(marker)
        if len(marked) > 1:
            raise StateError(
                f"{key}: the server holds {len(marked)} concepts marked {marker} "
                f"(concept ids {', '.join(sorted(marked))}); zsync cannot tell which one the manifest means.",
                hint="Record the right one in zsync.lock (concept_id), or remove the marker from the "
                "others on Zenodo, then plan again.",
            )
        if marked:
            expected = namespace or (
                entry is not None and entry.in_flight is not None and entry.in_flight.operation == "create"
            )
            concept, found_by = marked.pop(), (FoundBy.MARKER if expected else FoundBy.MARKER_ONLY)
    if concept is None:
        return ActualDataset(key=key, found_by=FoundBy.NONE)

    records = dict(listing.by_concept.get(concept, {}))
    # Ids the lock knows but the listing lacks, drafts (which may have been published or
    # discarded since the index was refreshed) and records where the listing disagrees
    # with the lock (lag after our own last write, or a change made outside zsync) are
    # read by id: the database decides, not the index.
    for record_id in _ids_to_read(records, entry):
        try:
            record = backend.get(record_id)
        except NotFoundError:
            records.pop(record_id, None)  # a draft discarded since, or a lock from another server
            continue
        except AuthError as exc:
            raise AuthError(
                f"{key}: zsync.lock points at record {record_id}, which the account of this "
                f"token may not read ({exc.message})",
                hint="Use the token of the account that owns the records in zsync.lock (on "
                "the same server). If the lock belongs to another project or account, "
                "restore this project's lock from git.",
                status=exc.status,
            ) from None
        if (record.concept_id or str(record.id)) == concept:
            records[record.id] = record
    latest, draft = _latest_and_draft(records.values())
    if bound and latest is None and draft is None:
        # A binding names a record that exists (or existed): never plan a second concept for it.
        raise BindingError(
            f"{key}: it is bound to concept {concept} "
            f"({'concept:' if binding is not None else 'zsync bind'}), but the server shows no "
            "record of that concept to this token's account; zsync creates nothing for a bound key.",
            hint="Check that the token is the record owner's and the server is the record's; a "
            "record made a minute ago may not be listed yet: plan again shortly.",
        )
    if found_by in (FoundBy.LOCK, FoundBy.CONCEPT):
        _check_marker_is_ours(key, concept, latest or draft, namespace, found_by)
    if (
        found_by == FoundBy.LOCK
        and entry is not None
        and entry.record_id is not None
        and latest is None
        and draft is None
    ):
        # Published records cannot be deleted on Zenodo (§3.9), so a published record the lock
        # names and the server does not know means a hand-edited lock or another server's lock.
        # Planning a create here would make a second concept beside the real one.
        raise StateError(
            f"{key}: zsync.lock says it was published as record {entry.record_id} (concept {concept}), "
            f"but the server has no such record.",
            hint=f"Restore zsync.lock from git, or remove the entry {key!r} from it: zsync then finds the "
            "record again by its marker, or creates it if it really does not exist.",
        )
    if found_by in (FoundBy.LOCK, FoundBy.CONCEPT) and (latest or draft):
        _refuse_a_second_concept(backend, listing, key, marker, concept)
    return ActualDataset(key=key, concept_id=concept, latest=latest, draft=draft, found_by=found_by)


def _check_marker_is_ours(
    key: str, concept: str, record: RemoteRecord | None, namespace: str | None, found_by: FoundBy
) -> None:
    """A lock entry or a binding must not tie a manifest to a record zsync marked for another key.

    A hand-edited or badly merged zsync.lock can point `rose` at the concept of `tulip`;
    planning on would rewrite tulip's record with rose's manifest. The old marker (before a
    namespace was set) is still this key's: records move to the new one at their next update.
    An unmarked record (made outside zsync) is anyone's to bind.
    """
    if record is None:
        return
    markers = markers_of(record.metadata)
    if markers and marker_for(key, namespace) not in markers and marker_for(key) not in markers:
        if found_by == FoundBy.CONCEPT:
            raise BindingError(
                f"{key}: the manifest's concept: names concept {concept}, but record {record.id} there "
                f"is marked {markers[0]}, not {marker_for(key, namespace)}: zsync manages it for "
                "another dataset.",
                hint="Bind each concept in one manifest only: fix `concept:` here, or remove the other "
                "dataset's manifest (and its zsync.lock entry) first.",
            )
        raise StateError(
            f"{key}: zsync.lock points at concept {concept}, but record {record.id} there is marked "
            f"{markers[0]}, not {marker_for(key, namespace)}: it belongs to another dataset.",
            hint=f"Restore zsync.lock from git, or remove the entry {key!r} from it so zsync finds the "
            "dataset's own record by its marker.",
        )


def _refuse_a_second_concept(backend: Backend, listing: Listing, key: str, marker: str, concept: str) -> None:
    """Stop when another published concept carries this key's marker, though the lock knows one.

    Two applies at once (before zsync guarded against it), or a record copied by hand, leave
    one dataset published twice; each clone's lock then points at its own concept, and every
    plan would say "No changes" while the other concept goes stale. The listing only hints
    (it lags and keeps discarded drafts a moment, §6.6): each suspect is read by id.
    """
    others = []
    for other in sorted(listing.concepts_marked(marker) - {concept}):
        for record_id in sorted(listing.by_concept.get(other, {})):
            try:
                record = backend.get(record_id)
            except NotFoundError:
                continue  # a draft discarded since (another apply gave way)
            if record.submitted and marker in markers_of(record.metadata):
                others.append((other, record))
                break
    if not others:
        return
    listed = ", ".join(
        f"concept {other} (record {record.id}{', DOI ' + record.doi if record.doi else ''})"
        for other, record in others
    )
    raise StateError(
        f"{key}: {len(others) + 1} published concepts carry the marker {marker}: concept {concept} (in "
        f"zsync.lock) and {listed}. The dataset was published more than once (two applies at the same "
        "time, or a record copied with its marker); zsync will not plan it until one is left.",
        hint=f"Keep concept {concept}: on Zenodo, edit the other record, remove the related identifier "
        f"{marker}, and publish it (ask Zenodo support to delete it if it should not exist). To keep "
        f"the other one instead, remove the entry {key!r} from zsync.lock and that marker from "
        f"concept {concept}. Then plan again.",
    )


def _concept_from_binding(
    backend: Backend, listing: Listing, key: str, binding: str, entry: LockEntry | None
) -> tuple[str, FoundBy]:
    """The concept the manifest's `concept:` names; the lock must agree when it names one."""
    ref = parse_concept(binding)  # validate accepted it
    bound = resolve_concept(backend, listing.by_concept, ref, who=f"{key}: concept: {binding}").concept_id
    if entry is None or entry.concept_id is None:
        return bound, FoundBy.CONCEPT
    if entry.concept_id != bound:
        raise BindingError(
            f"{key}: the manifest's concept: {binding} is concept {bound}, but zsync.lock ties this key "
            f"to concept {entry.concept_id}; zsync will not guess which record the manifest describes.",
            hint=f"If the manifest is right, bind the key again with `zsync bind {key} {binding} --force` "
            f"(it replaces the lock entry); otherwise set `concept:` to concept {entry.concept_id} or "
            "remove it.",
        )
    return bound, FoundBy.LOCK


def _concept_from_lock(
    backend: Backend, listing: Listing, marker: str, entry: LockEntry | None
) -> tuple[str | None, FoundBy]:
    if entry is None:
        return None, FoundBy.NONE
    if entry.concept_id:
        return entry.concept_id, FoundBy.LOCK
    # A create whose draft id reached the lock but whose concept did not (killed in between).
    draft_id = entry.in_flight.draft_id if entry.in_flight else None
    if draft_id is None:
        return None, FoundBy.NONE
    try:
        record = backend.get(draft_id)
    except NotFoundError:
        return None, FoundBy.NONE
    if markers_of(record.metadata) and marker not in markers_of(record.metadata):
        return None, FoundBy.NONE
    listing.add(record)
    return record.concept_id or str(record.id), FoundBy.LOCK


def _ids_to_read(records: dict[int, RemoteRecord], entry: LockEntry | None) -> list[int]:
    wanted: list[int] = []

    def want(record_id: int | None) -> None:
        if record_id is not None and record_id not in wanted:
            wanted.append(record_id)

    for record in records.values():
        if record.is_draft:
            want(record.id)
    if entry is None:
        return wanted
    for record_id in (entry.record_id, entry.draft_id, entry.in_flight.draft_id if entry.in_flight else None):
        if record_id is not None and record_id not in records:
            want(record_id)
    published = [r for r in records.values() if r.submitted]
    newest = max(published, key=lambda r: r.id) if published else None
    if entry.in_flight is not None:
        # After an interrupted apply, the newest version may be one the lock never saw.
        want(newest.id if newest else None)
    recorded = records.get(entry.record_id) if entry.record_id is not None else None
    if recorded is not None and recorded.id not in wanted and _disagrees_with_lock(recorded, entry):
        want(recorded.id)
    return wanted


def _disagrees_with_lock(record: RemoteRecord, entry: LockEntry) -> bool:
    if not record.submitted or record.modified is None:
        return True
    if {f.name: f.md5 for f in record.files} != entry.files:
        return True
    if entry.metadata_digest is None:
        return False
    return canonical_digest(record.metadata) != entry.metadata_digest


def _latest_and_draft(records: Iterable[RemoteRecord]) -> tuple[RemoteRecord | None, RemoteRecord | None]:
    """The latest published version and the open draft (new-version draft or edit draft).

    An edit draft of an older version (opened on the website) is not the manifest's: the
    manifest describes the latest version. Taking it for the concept's draft would try to
    put new files into its locked bucket (§3.9) and block every new version, so it is left alone.
    """
    records = list(records)
    published = [r for r in records if r.submitted]
    latest = max(published, key=lambda r: r.id) if published else None
    drafts = [
        r for r in records if r.is_draft and (r.state != "inprogress" or latest is None or r.id == latest.id)
    ]
    draft = max(drafts, key=lambda r: r.id) if drafts else None
    return latest, draft


def title_key(title: object) -> str:
    """A title as Zenodo stores it (§3.11), case and spacing aside: the same-title check's key."""
    return " ".join(sanitise_text(title).split()).casefold() if isinstance(title, str) else ""


def _find_same_titles(
    listing: Listing, actuals: dict[str, ActualDataset], titles: Mapping[str, str], lock: LockFile
) -> None:
    """For each key with nothing on the server: the account's concepts with its title.

    Only concepts nobody claims: not marked by zsync (another dataset's, or this key's under
    another namespace) and not in zsync.lock or another key's refresh. Each concept is shown
    by its newest record, whose title is the one a user sees.
    """
    claimed = {actual.concept_id for actual in actuals.values() if actual.concept_id}
    claimed |= {entry.concept_id for entry in lock.entries.values() if entry.concept_id}
    wanted = {
        key: title_key(titles[key])
        for key, actual in actuals.items()
        if actual.found_by == FoundBy.NONE and key in titles
    }
    if not wanted:
        return
    by_title: dict[str, list[RemoteRecord]] = {}
    for concept, records in listing.by_concept.items():
        if concept in claimed or any(markers_of(record.metadata) for record in records.values()):
            continue
        newest = max(records.values(), key=lambda record: record.id)
        by_title.setdefault(title_key(newest.metadata.get("title")), []).append(newest)
    for key, title in wanted.items():
        if title:
            actuals[key].same_title = sorted(by_title.get(title, []), key=lambda record: record.id)
