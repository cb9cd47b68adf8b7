"""Carry out a Plan: ordered, idempotent steps per dataset, journaled in zsync.lock.

Per dataset the steps are (publishing, which mints a DOI and cannot be undone, is last):

    create              lock intent -> POST (metadata + marker) -> lock draft id -> files
                        -> (second phase) rival check -> publish -> lock
    update              lock intent -> edit -> lock -> PUT -> publish -> lock        (same DOI)
    new-version         lock intent -> newversion -> lock draft id -> files -> PUT -> publish -> lock
    resume-create,      read the draft -> lock intent -> files -> PUT -> publish -> lock
    resume-new-version
    resume-update       read the edit draft -> lock intent -> PUT -> publish -> lock (same DOI)
    discard-draft       read the draft -> lock intent -> discard it -> lock the published version
    discard-draft-      read the draft -> lock intent -> discard it -> then as update
      then-update
    record-lock         read the record -> lock        (nothing on the server changes)
    forget              drop the key from the lock     (nothing on the server changes)

Which path runs is the plan's decision (plan.py); apply does not re-derive it.

Requests are the real ceiling on zenodo.org (100 a minute), so none is spent on what an
answer already said: the create's answer (a draft with its bucket link, §3.3.1) is used
as it is, and the metadata it was created with (§3.6.8) is not sent again; an edit's or
newversion's answer likewise. The first versions of new concepts are published in a
second phase, once every other dataset's steps are done: one listing of the account
then serves the rival check (below) of all of them, instead of one listing each.

Every step reads the server before acting (files already on the draft with the right md5
are not sent again; a draft found already published is recorded, not published twice).
A create or publish whose answer is lost (TransportError) is never re-sent blindly: the
server is read again first (docs/zenodo-behaviour.md §3.13). A create the
server refused (a 4xx: nothing was made) clears its intent from the lock.

Before the first publish of a new concept, apply checks that no other apply (another clone
of the repository, a re-run CI job) is creating the same dataset at the same time; if one
came first, this one discards its draft and adopts the other's record (rivals.py). A
listing that shows a draft serves its check whoever fetched it, so the drafts of one apply
share the listings fetched for them.

Datasets run in parallel (bounded); they share one backend and so one rate limiter.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import FrameType

from zenodo_sync.backends.base import Backend, Sleep
from zenodo_sync.engine.diff import desired_md5s, files_differ, remote_md5s
from zenodo_sync.engine.identity import marker_for, with_marker
from zenodo_sync.engine.normalise import canonical_digest
from zenodo_sync.engine.progress import UPLOAD, ProgressSink, byte_counter
from zenodo_sync.engine.refresh import Listing, SearchPatience, list_everything
from zenodo_sync.engine.rivals import concept_of, lists_record, rivals_of, winner
from zenodo_sync.engine.state import COMPACT_MIN_LINES, LockEntry, LockFile
from zenodo_sync.errors import (
    ApplyInterrupted,
    NotFoundError,
    PendingDraftExists,
    ServerError,
    StateError,
    TransportError,
    ZsyncError,
)
from zenodo_sync.model import Action, Adoption, DatasetChange, DesiredDataset, LocalFile, Plan, RemoteRecord
from zenodo_sync.sizes import human_size
from zenodo_sync.wording import plural

DEFAULT_PARALLELISM = 4
# Test hook for the crash tests: SIGKILL this process at the Nth checkpoint (after each
# request that changed the server, after each journalled step, and inside each compaction of
# the journal, between the lock's write and the journal's removal). Never set in normal use.
KILL_AT_ENV = "ZSYNC_TEST_KILL_AT"
# Test hook for the crash tests: compact the lock journal every N steps (state.py), so that
# kill points fall inside compactions in the middle of an apply too. Never set in normal use.
COMPACT_EVERY_ENV = "ZSYNC_TEST_COMPACT_EVERY"
# Before publishing a new concept: how long to wait for the search index to list our own
# draft (§6.6), and, when another apply's draft came first, for that apply to publish it.
INDEX_WAIT_SECONDS = 60.0
WINNER_WAIT_SECONDS = 120.0


class StopRequested(ApplyInterrupted):
    """Ctrl-C during apply: the step in flight finished, nothing new was started (exit 130).

    Like Terraform, a first interrupt stops gracefully: a request already sent is answered
    and journaled in zsync.lock, but no further request goes out, above all no publish,
    which mints a DOI and cannot be undone (docs/zenodo-behaviour.md §3.13). An upload is the one
    request cut off: it can take minutes, and a CI runner kills a cancelled job within
    seconds. Its draft stays, without the file, for the next apply to finish.
    """

    exit_code = 130


class AdoptionRefused(StateError):
    """apply would take over records found by their marker alone, and nobody said it may."""


def adoption_of(change: DatasetChange) -> Adoption | None:
    """The unexpected adoption a plan recorded for this change (plan.py), or None."""
    return change.adopt


@dataclass
class DatasetOutcome:
    key: str
    action: Action
    record: RemoteRecord | None = None  # the published version, or the draft left for review
    error: ZsyncError | None = None
    discarded_draft: bool = False
    gave_way: bool = False  # another apply created this dataset first; its record was adopted
    # A new concept's first version, ready: published in apply's second phase (its rival check).
    awaiting_publish: RemoteRecord | None = None


@dataclass
class ApplyReport:
    outcomes: list[DatasetOutcome] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.action == action and o.error is None and not o.gave_way)

    def count_family(self, family: str) -> int:
        return sum(
            1 for o in self.outcomes if o.action.family == family and o.error is None and not o.gave_way
        )

    @property
    def errors(self) -> list[DatasetOutcome]:
        return [o for o in self.outcomes if o.error is not None]

    def summary_line(self) -> str:
        line = (
            f"Apply complete! Datasets: {self.count(Action.CREATE)} created, "
            f"{self.count(Action.UPDATE)} updated, "
            f"{plural(self.count(Action.NEW_VERSION), 'new version')}"
        )
        extras = [
            (self.count_family("resume"), "resumed"),
            (self.count(Action.FORGET), "forgotten"),
            (
                sum(1 for o in self.outcomes if o.gave_way and o.error is None),
                "adopted from another apply running at the same time",
            ),
        ]
        line += "".join(f", {n} {word}" for n, word in extras if n)
        return line + "."


class _Checkpoints:
    """Passed after every request that changed the server and every journalled step: the only
    places where stopping leaves the lock (with its journal) consistent with the server."""

    def __init__(self) -> None:
        self.count = 0
        self.kill_at = int(os.environ.get(KILL_AT_ENV) or 0)
        self.mutex = threading.Lock()
        self.stop = threading.Event()

    def __call__(self) -> None:
        if self.stop.is_set():
            raise StopRequested("Interrupted: stopped after the step in flight.")
        self.kill_point()

    def kill_point(self) -> None:
        """Counted like a checkpoint, never a place to stop: inside a lock compaction."""
        if not self.kill_at:
            return
        with self.mutex:
            self.count += 1
            if self.count >= self.kill_at:
                os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, `docker stop`) stops apply gracefully, as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Applier:
    def __init__(
        self,
        backend: Backend,
        lock: LockFile,
        desired: dict[str, DesiredDataset],
        *,
        echo: Callable[[str], None] = print,
        parallelism: int = DEFAULT_PARALLELISM,
        patience: SearchPatience | None = None,
        sleep: Callable[[float], None] = time.sleep,
        namespace: str | None = None,
        adopt: Collection[str] = (),
        progress: ProgressSink | None = None,
    ):
        self.backend = backend
        self.namespace = namespace
        self.adopt = frozenset(adopt)  # keys the user agreed may adopt a record found by marker alone
        self.lock = lock
        self.desired = desired
        self.parallelism = max(1, parallelism)
        self.patience = patience or SearchPatience.from_env()
        self.sleep = self._stoppable(sleep)
        self._echo = echo
        self._echo_mutex = threading.Lock()
        self._progress_sink = progress
        self._checkpoint = _Checkpoints()
        # The last listing fetched for a rival check: it serves every draft it shows.
        self._rival_listing: Listing | None = None
        self._rival_listing_mutex = threading.Lock()

    def echo(self, key: str, text: str) -> None:
        with self._echo_mutex:
            self._echo(f"{key}: {text}")

    # --- the walk ----------------------------------------------------------------------------

    def apply(self, plan: Plan) -> ApplyReport:
        changes = [c for c in plan.changes if c.action != Action.NO_OP]
        self._refuse_unconsented_adoptions(changes)
        report = ApplyReport()
        # The backend's retry and rate-limit waits (minutes, at worst) end with a stop too.
        # Each step is one journal line; zsync.lock is written when the journal is compacted.
        compact_every = int(os.environ.get(COMPACT_EVERY_ENV) or 0) or COMPACT_MIN_LINES
        with (
            self.lock.journalled(after_lock_write=self._checkpoint.kill_point, compact_every=compact_every),
            self.backend.waits_through(self._stoppable),
        ):
            pool = ThreadPoolExecutor(max_workers=self.parallelism, thread_name_prefix="zsync-apply")
            futures = [pool.submit(self._apply_one, change) for change in changes]
            try:
                with _sigterm_as_interrupt():
                    self._wait(futures)
                    # Second phase: the new concepts' first versions, each once its rival check passed.
                    futures += [
                        pool.submit(self._publish_first_version, outcome)
                        for outcome in (future.result() for future in list(futures))
                        if outcome.awaiting_publish is not None and outcome.error is None
                    ]
                    self._wait(futures)
            except KeyboardInterrupt:
                # First Ctrl-C: workers stop at their next checkpoint (the lock then matches the
                # server); a second one leaves at once, and the lock still holds every step done.
                self._checkpoint.stop.set()
                self._echo(
                    "\nInterrupt received: stopping uploads, finishing the other requests in flight, "
                    "starting no new ones (press Ctrl-C again to quit at once)..."
                )
                try:
                    self._wait(futures)
                except KeyboardInterrupt:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
            pool.shutdown(wait=True)
        # A second-phase future returns the outcome its first phase made: one outcome per change.
        report.outcomes = list({id(o): o for o in (future.result() for future in futures)}.values())
        for outcome in report.outcomes:
            if outcome.awaiting_publish is not None and outcome.error is None:
                outcome.error = StopRequested("Interrupted before it was published.")
                self.echo(
                    outcome.key, "stopped (interrupted) before publishing; zsync.lock records what was done"
                )
        return report

    def _stoppable(self, sleep: Sleep) -> Sleep:
        """`sleep`, ended by a stop: a wait on the real clock returns as soon as apply is
        stopped, and the waiter raises StopRequested instead of sending its next request."""

        def wait(seconds: float) -> None:
            if sleep is time.sleep:
                self._checkpoint.stop.wait(seconds)
            else:
                sleep(seconds)  # a test's clock: it does not block
            self._stop_if_asked()

        return wait

    def _refuse_unconsented_adoptions(self, changes: list[DatasetChange]) -> None:
        """Stop before any request when a change would take over a record found by marker alone.

        Without a namespace, `urn:zsync:rose` is also what another repository on the same
        Zenodo account writes for its own `rose`: adopting it would bind this manifest to that
        record and rewrite it. Like Terraform's import, taking over an existing record is an
        explicit act (`--adopt KEY`, or answering yes to the plan that said so).
        """
        adopting = sorted(c.key for c in changes if adoption_of(c))
        pending = [key for key in adopting if key not in self.adopt]
        if pending:
            one = len(pending) == 1
            # A clone applying at the same time may still be creating this plan's new datasets:
            # by the next run they are adoptions too, so the command given names them as well,
            # and following it once is enough (otherwise each run asks for the next few keys).
            creating = sorted(c.key for c in changes if c.action == Action.CREATE and c.key not in adopting)
            raise AdoptionRefused(
                f"Refusing to adopt {'a record' if one else 'records'} found only by {'its' if one else 'their'} "
                f"zsync marker: {', '.join(pending)} "
                "(no zsync.lock entry, no namespace). They may belong to another repository that uses "
                "this Zenodo account with the same dataset key; nothing was sent.",
                # Every adoption of this plan, so that the command given is complete on its own.
                hint="If they are this project's records (a lost zsync.lock, or another clone of this "
                "repository applied at the same time"
                + (f", which may be creating {', '.join(creating)} now too" if creating else "")
                + "), run again with "
                + " ".join(f"--adopt {key}" for key in [*adopting, *creating])
                + ". If not, set a `namespace:` in zsync.yaml so this project's markers are its own.",
            )

    @staticmethod
    def _wait(futures: list[Future[DatasetOutcome]]) -> None:
        for future in futures:
            future.exception()  # blocks until done; Ctrl-C reaches the main thread here

    @property
    def interrupted(self) -> bool:
        return self._checkpoint.stop.is_set()

    def _publish_first_version(self, outcome: DatasetOutcome) -> DatasetOutcome:
        """Second phase of a create (or resume-create): the rival check, then the publish."""
        draft = outcome.awaiting_publish
        assert draft is not None
        started = time.monotonic()
        try:
            if self.interrupted:
                raise StopRequested("Interrupted before it was published.")
            desired = self.desired[outcome.key]
            outcome.record = self._publish_checked(desired, draft, outcome)
            outcome.awaiting_publish = None
        except StopRequested as exc:
            outcome.error = exc
            self.echo(outcome.key, "stopped (interrupted); zsync.lock records what was done")
        except ZsyncError as exc:
            outcome.error = exc
            self.echo(outcome.key, f"failed after {time.monotonic() - started:.0f}s: {exc.message}")
        return outcome

    def _apply_one(self, change: DatasetChange) -> DatasetOutcome:
        outcome = DatasetOutcome(key=change.key, action=change.action)
        started = time.monotonic()
        try:
            if self.interrupted:
                raise StopRequested("Interrupted before it started.")
            handler = {
                Action.CREATE: self._create,
                Action.UPDATE: self._update,
                Action.NEW_VERSION: self._new_version,
                Action.RESUME_CREATE: self._resume,
                Action.RESUME_UPDATE: self._resume,
                Action.RESUME_NEW_VERSION: self._resume,
                Action.DISCARD_DRAFT: self._discard_draft,
                Action.DISCARD_DRAFT_THEN_UPDATE: self._discard_draft,
                Action.FORGET: self._forget,
                Action.RECORD_LOCK: self._record_lock,
            }[change.action]
            handler(change, outcome)
        except StopRequested as exc:
            outcome.error = exc
            self.echo(change.key, "stopped (interrupted); zsync.lock records what was done")
        except ZsyncError as exc:
            outcome.error = exc
            self.echo(change.key, f"failed after {time.monotonic() - started:.0f}s: {exc.message}")
        return outcome

    def _desired(self, change: DatasetChange) -> DesiredDataset:
        try:
            return self.desired[change.key]
        except KeyError:
            raise StateError(
                f"{change.key}: the plan changes this dataset but no manifest defines it.",
                hint="Run `zsync plan` again.",
            ) from None

    # --- actions -----------------------------------------------------------------------------

    def _create(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        desired = self._desired(change)
        # The intent is on disk before the POST: if the answer is lost or we are killed,
        # the next refresh knows a record may exist and searches for its marker.
        self.lock.start(desired.key, "create", "intent")
        self._checkpoint()
        self.echo(desired.key, "Creating...")
        draft: RemoteRecord | None  # None: the lost create left no record to find (yet)
        lost_answer = False
        try:
            draft = self.backend.create(with_marker(desired.metadata, desired.key, self.namespace))
        except TransportError as exc:
            lost_answer = True
            self.echo(
                desired.key,
                "no answer to create; looking for the record on the server before doing anything else",
            )
            draft = self._find_created(desired.key)
            if draft is None:
                raise TransportError(
                    f"{desired.key}: Zenodo did not answer the create request, and no record with the "
                    f"zsync marker has appeared yet ({exc.message}).",
                    hint="Run `zsync apply` again: it looks for the record (waiting for Zenodo's search "
                    "index) before it creates anything.",
                ) from None
        except ServerError as exc:
            if not _refused(exc):
                raise
            # A 4xx answer proves nothing was created: no later plan needs to look for it.
            self.lock.abandon(desired.key)
            raise
        self._checkpoint()
        self.lock.step(desired.key, "draft", draft_id=draft.id)
        self._checkpoint()
        self.echo(desired.key, f"draft {draft.id} created")
        # The create's answer holds the metadata it was sent, as a PUT would store it (§3.6.8);
        # a draft found after a lost answer gets its metadata sent again.
        outcome.record = self._finish_draft(
            desired, draft.id, new_concept=outcome, answer=draft, metadata_sent=not lost_answer
        )

    def _poll_listing(self, pick: Callable[[Listing], RemoteRecord | None]) -> RemoteRecord | None:
        """What `pick` finds in the account's listing, waiting for the search index (§6.6)."""
        for delay in [0.0, *self.patience.delays()]:
            if delay:
                self.sleep(delay)
            found = pick(list_everything(self.backend))
            if found is not None:
                return found
        return None

    def _find_created(self, key: str) -> RemoteRecord | None:
        def newest_marked_draft(listing: Listing) -> RemoteRecord | None:
            drafts = [
                r
                for concept in listing.concepts_marked(marker_for(key, self.namespace))
                for r in listing.by_concept[concept].values()
                if r.is_draft
            ]
            return max(drafts, key=lambda r: r.id) if drafts else None

        return self._poll_listing(newest_marked_draft)

    def _update(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        desired = self._desired(change)
        record_id = self._require(change.record_id, change, "record id")
        self.lock.start(desired.key, "update", "intent", draft_id=record_id)
        self._checkpoint()
        self.echo(desired.key, f"Modifying record {record_id} (same DOI)...")
        try:
            answer = self.backend.edit(record_id)
        except TransportError:
            # edit is idempotent on Zenodo (it returns the open edit draft, docs/zenodo-behaviour.md §3.9).
            answer = self.backend.edit(record_id)
        self._checkpoint()
        outcome.record = self._finish_draft(desired, record_id, edit=True, answer=answer)

    def _new_version(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        desired = self._desired(change)
        record_id = self._require(change.record_id, change, "record id")
        self.lock.start(desired.key, "new-version", "intent")
        self._checkpoint()
        current = self.backend.get(record_id)
        if current.state == "inprogress":
            # Files are locked in an edit draft (§3.9): the open edit gives way to a new version.
            self.echo(desired.key, f"discarding the open edit draft of record {record_id}")
            self.backend.discard(record_id)
            self._checkpoint()
        self.echo(desired.key, f"Creating a new version of record {record_id}...")
        draft: RemoteRecord | None  # None: the pending draft is not in the listing (yet)
        try:
            draft = self.backend.new_version(record_id)
        except TransportError:
            # Zenodo keeps one pending new-version draft per concept (§3.9.2), so a
            # second draft cannot appear; the one the lost answer made is looked for first.
            self.echo(desired.key, "no answer to newversion; looking for its draft on the server")
            draft = self._find_pending_new_version(current) or self._ask_again_for_new_version(current)
        except PendingDraftExists:
            # A pending draft with files exists but the search-backed listing does not show it
            # yet (§3.9.3, §6.6): wait for the index.
            draft = self._find_pending_new_version(current)
            if draft is None:
                raise
        else:
            draft = self._confirmed_new_version_draft(current, draft)
        self._checkpoint()
        self.lock.step(desired.key, "draft", draft_id=draft.id)
        self._checkpoint()
        self.echo(desired.key, f"new-version draft {draft.id} ready")
        outcome.record = self._finish_draft(desired, draft.id, answer=draft)

    def _find_pending_new_version(self, published: RemoteRecord) -> RemoteRecord | None:
        """The concept's one new-version draft, read in full (with its bucket link).

        The listing lags (§6.6): a record it shows as a draft may be published or discarded
        by now. Right after a publish, the published record's own snapshot from before it
        still reads "unsubmitted"; taking that for the new draft would record the published
        version as the new one and leave the real draft open. So each candidate is read by
        id (the database, not the index) and only a new-version draft is taken.
        """
        concept = concept_of(published)

        def confirmed_new_version_draft(listing: Listing) -> RemoteRecord | None:
            candidates = [
                r
                for r in listing.by_concept.get(concept, {}).values()
                if r.state == "unsubmitted" and r.id != published.id
            ]
            for candidate in sorted(candidates, key=lambda r: r.id, reverse=True):
                try:
                    fresh = self.backend.get(candidate.id)
                except NotFoundError:
                    continue  # discarded since the index saw it
                if _is_new_version_draft(fresh, published):
                    return fresh
            return None

        return self._poll_listing(confirmed_new_version_draft)

    def _confirmed_new_version_draft(self, published: RemoteRecord, answer: RemoteRecord) -> RemoteRecord:
        """`answer` when it is the concept's new-version draft, else that draft once the listing
        shows it. A draft handed back from a search (a reused pending draft, §3.9.3) can
        be the stale snapshot of a published record, and an old server's answer is the
        published record itself (§3.1): neither may be finished as the new version."""
        if _is_new_version_draft(answer, published):
            return answer
        found = self._find_pending_new_version(published)
        if found is None:
            raise self._draft_not_listed_yet(published, lost_answer=False)
        return found

    def _ask_again_for_new_version(self, published: RemoteRecord) -> RemoteRecord:
        """newversion once more, after the listing was waited for in vain: Zenodo hands back
        the pending draft if it has no files, else refuses (§3.9.2, §3.9.3); either way no
        second draft is made. A reused draft found through the lagging search is checked
        like any listing entry, but not waited for again."""
        try:
            answer = self.backend.new_version(published.id)
        except PendingDraftExists:
            raise self._draft_not_listed_yet(published, lost_answer=True) from None
        if not _is_new_version_draft(answer, published):
            raise self._draft_not_listed_yet(published, lost_answer=True)
        return answer

    @staticmethod
    def _draft_not_listed_yet(published: RemoteRecord, *, lost_answer: bool) -> TransportError:
        what = (
            "Zenodo did not answer the newversion request for record {id}, and the draft it made"
            if lost_answer
            else "Zenodo says record {id} already has a pending new-version draft, but it"
        )
        return TransportError(
            what.format(id=published.id) + " has not appeared in the account's depositions yet.",
            hint="Run `zsync apply` again in a minute: it finishes that draft instead of making another.",
        )

    def _resume(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        """resume-create / -update / -new-version: finish the open draft the plan names."""
        desired = self._desired(change)
        draft_id = self._require(change.draft_id, change, "draft id")
        draft = self.backend.get(draft_id)
        if not draft.is_draft:
            outcome.record = self._record_already_published(desired, draft)
            return
        self.lock.start(desired.key, "resume", "draft", draft_id=draft.id)
        self._checkpoint()
        self.echo(desired.key, f"Resuming draft {draft.id}...")
        first_version = change.action == Action.RESUME_CREATE
        outcome.record = self._finish_draft(
            desired,
            draft.id,
            edit=change.action == Action.RESUME_UPDATE,
            new_concept=outcome if first_version else None,
        )

    def _discard_draft(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        """discard-draft(-then-update): the plan found a new-version draft with the files and
        version already published; publishing it would add a version nobody asked for."""
        desired = self._desired(change)
        record_id = self._require(change.record_id, change, "record id")
        draft = self.backend.get(self._require(change.draft_id, change, "draft id"))
        if not draft.is_draft:
            outcome.record = self._record_already_published(desired, draft)
            return
        self.lock.start(desired.key, "resume", "discard", draft_id=draft.id)
        self._checkpoint()
        updating = change.action == Action.DISCARD_DRAFT_THEN_UPDATE
        why = (
            "has the manifest's files and version; its metadata is updated instead"
            if updating
            else "already matches the manifest"
        )
        self.echo(desired.key, f"discarding draft {draft.id}: record {record_id} {why}")
        self.backend.discard(draft.id)
        self._checkpoint()
        outcome.discarded_draft = True
        if updating:
            self._update(change, outcome)
        else:
            outcome.record = self._record_published(desired, self.backend.get(record_id))

    def _forget(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        self.lock.drop(change.key)
        self._checkpoint()
        self.echo(change.key, "forgotten: dropped from zsync.lock; the published record stays on Zenodo")

    def _record_lock(self, change: DatasetChange, outcome: DatasetOutcome) -> None:
        """record-lock: the server already matches; zsync.lock learns what it holds."""
        desired = self._desired(change)
        if change.draft_id is not None and not change.publish:
            draft = self.backend.get(change.draft_id)
            outcome.record = self._record_draft(desired, draft, change.record_id)
            return
        record = self.backend.get(self._require(change.record_id, change, "record id"))
        outcome.record = self._record_published(desired, record)

    # --- shared steps --------------------------------------------------------------------------

    def _finish_draft(
        self,
        desired: DesiredDataset,
        draft_id: int,
        *,
        edit: bool = False,
        new_concept: DatasetOutcome | None = None,
        answer: RemoteRecord | None = None,
        metadata_sent: bool = False,
    ) -> RemoteRecord:
        """Bring a draft to the manifest (files, then metadata) and publish it, unless told not to.

        `new_concept`: the draft is a new concept's first version (create, resume-create): it
        is left in `new_concept.awaiting_publish` for apply's second phase (rival check, then
        publish). `answer`: the draft as the request that made or opened it returned it, used
        instead of reading it again when it is that draft with its bucket link (§3.3.1).
        `metadata_sent`: that request already stored the manifest's metadata (a create).
        """
        if answer is not None and answer.id == draft_id and answer.is_draft and answer.links.get("bucket"):
            draft = answer
        else:
            draft = self.backend.get(draft_id)  # fresh, with its bucket link (not in listings, §3.3)
        if not draft.is_draft:
            # Published already: an earlier run was killed between publish and the lock write.
            return self._record_already_published(desired, draft)
        if edit:
            if files_differ(desired, draft):
                raise StateError(
                    f"{desired.key}: the files of record {draft.id} differ from the manifest, "
                    "but an edit cannot change files.",
                    hint="Run `zsync plan` again: it plans a new version for file changes.",
                )
        else:
            self._sync_files(desired, draft)
        self.lock.step(desired.key, "files", draft_id=draft.id)
        self._checkpoint()
        if not metadata_sent:
            self.backend.update_metadata(draft.id, with_marker(desired.metadata, desired.key, self.namespace))
            self._checkpoint()
        self.lock.step(desired.key, "metadata", draft_id=draft.id)
        self._checkpoint()
        if not desired.publish:
            fresh = self.backend.get(draft.id)
            self._record_draft(desired, fresh, None)
            reserved = _reserved_doi(fresh)
            self.echo(
                desired.key,
                f"left as a draft for review (publish: false): "
                f"{fresh.html_url or fresh.id}"
                + (f"; reserved DOI {reserved} (minted when published)" if reserved else ""),
            )
            return fresh
        if new_concept is not None:
            new_concept.awaiting_publish = draft
            return draft
        return self._publish_and_record(desired, draft)

    def _publish_checked(
        self, desired: DesiredDataset, draft: RemoteRecord, outcome: DatasetOutcome
    ) -> RemoteRecord:
        """A new concept's first version: published unless another apply's deposition came first."""
        first = self._first_of_its_marker(desired.key, draft)
        if first.id != draft.id:
            outcome.gave_way = True
            return self._give_way(desired, draft.id, first)
        return self._publish_and_record(desired, draft)

    def _publish_and_record(self, desired: DesiredDataset, draft: RemoteRecord) -> RemoteRecord:
        published = self._publish(desired.key, draft.id)
        self._checkpoint()
        record = self._record_published(desired, published)
        self.echo(
            desired.key,
            f"published {record.doi or record.id}"
            + (f" (concept DOI {record.concept_doi})" if record.concept_doi else ""),
        )
        return record

    def _first_of_its_marker(self, key: str, draft: RemoteRecord) -> RemoteRecord:
        """The deposition that becomes this dataset's concept: our draft, or one another apply
        made first (rivals.py). Only reads: a second concept is refused before it exists.
        The rule needs only our draft's id and concept, so it is not read again."""
        listing = self._listing_that_shows(key, draft.id)
        return winner(draft, rivals_of(draft, marker_for(key, self.namespace), listing, self.backend.get))

    def _listing_that_shows(self, key: str, draft_id: int) -> Listing:
        """The account's listing once it lists our draft, and so every draft created before it.

        Any listing that shows the draft will do, whoever fetched it: in the second phase all
        drafts exist, so the first listing fetched usually serves every one of them.
        """
        with self._rival_listing_mutex:
            shared = self._rival_listing
            if shared is not None and lists_record(shared, draft_id):
                return shared
            listing = self._poll_for_listing_that_shows(key, draft_id)
            self._rival_listing = listing
            return listing

    def _poll_for_listing_that_shows(self, key: str, draft_id: int) -> Listing:
        for attempt, delay in enumerate(_backoff(INDEX_WAIT_SECONDS)):
            if attempt == 1:
                self.echo(
                    key,
                    f"waiting for Zenodo's search index to list draft {draft_id}, to check that "
                    "no other apply is creating this dataset too",
                )
            self._stop_if_asked()
            self.sleep(delay)
            listing = list_everything(self.backend)
            if lists_record(listing, draft_id):
                return listing
        raise ServerError(
            f"{key}: Zenodo's search index has not listed draft {draft_id} after {INDEX_WAIT_SECONDS:.0f}s, "
            "so zsync cannot check that no other apply is creating this dataset; the draft was not "
            "published.",
            hint="Run `zsync apply` again later: it finishes this draft instead of creating another.",
        )

    def _give_way(self, desired: DesiredDataset, draft_id: int, first: RemoteRecord) -> RemoteRecord:
        """Another apply's deposition came first: discard our draft and adopt its record."""
        key, concept = desired.key, concept_of(first)
        self.echo(
            key,
            f"another zsync apply is creating this dataset too, and its deposition {first.id} "
            f"(concept {concept}) came first: discarding draft {draft_id} and adopting it",
        )
        with contextlib.suppress(NotFoundError):  # gone already: a rerun after a kill right after it
            self.backend.discard(draft_id)
        self._checkpoint()
        try:
            published = self._published_by_the_other_apply(first)
        except NotFoundError:
            # Discarded: it gave way in turn to a third. Nothing of ours is left on the
            # server, so the lock keeps no intent; the next plan finds the winner by marker.
            self.lock.abandon(key)
            self._checkpoint()
            raise StateError(
                f"{key}: another apply's deposition {first.id} came first, then was discarded; "
                f"this apply discarded its own draft {draft_id}.",
                hint="Run `zsync plan` again: it finds the record that was published.",
            ) from None
        if published is None:
            self.lock.put(key, LockEntry(concept_id=concept))
            self._checkpoint()
            raise StateError(
                f"{key}: another apply's deposition {first.id} (concept {concept}) came first, and it is "
                f"not published after {WINNER_WAIT_SECONDS:.0f}s; this apply discarded its own draft "
                f"{draft_id}, and zsync.lock now points at concept {concept}.",
                hint="Run `zsync plan` once the other apply has finished: it shows that record, or resumes "
                "its draft if that apply stopped.",
            )
        record = self._record_published(desired, published)
        self.echo(key, f"adopted {record.doi or record.id}, published by the other apply")
        return record

    def _published_by_the_other_apply(self, first: RemoteRecord) -> RemoteRecord | None:
        """`first` once published (read by id: current, unlike listings), or None after the wait.

        NotFoundError: it was discarded.
        """
        for delay in _backoff(WINNER_WAIT_SECONDS):
            self._stop_if_asked()
            self.sleep(delay)
            record = self.backend.get(first.id)
            if not record.is_draft:
                return record
        return None

    def _stop_if_asked(self) -> None:
        """Ctrl-C while waiting for the server: stop now (only reads were in flight)."""
        if self.interrupted:
            raise StopRequested("Interrupted while waiting for the server; nothing was published.")

    def _sync_files(self, desired: DesiredDataset, draft: RemoteRecord) -> None:
        """Make the draft's files the manifest's: remove those it no longer lists, upload only what differs."""
        wanted = desired_md5s(desired)
        remote = {f.name: f for f in draft.files}
        for name, remote_file in sorted(remote.items()):
            # A changed file is not deleted first: its upload replaces it (§3.8.2), one request less.
            if name not in wanted:
                self.echo(desired.key, f"removing {name} from draft {draft.id}")
                self.backend.delete_file(draft, remote_file)
                self._checkpoint()
        for local in sorted(desired.files, key=lambda f: f.name):
            existing = remote.get(local.name)
            if existing is not None and existing.md5.lower() == wanted[local.name]:
                continue  # already on the draft (a new version's import, or an earlier run)
            self.echo(desired.key, f"uploading {local.name} ({human_size(local.size)})")
            self.backend.upload(draft, local, progress=self._progress(desired.key, local))
            self._checkpoint()

    def _progress(self, key: str, local: LocalFile) -> Callable[[int], None]:
        """The upload's byte callback: told to the progress sink, and where an interrupt cuts it off.

        Raising StopRequested between chunks ends the upload within one chunk's time, not at the
        end of the file; the lock still names the draft, and the next apply uploads the file again.
        """
        told = (
            byte_counter(self._progress_sink, UPLOAD, key, local.name, local.size)
            if self._progress_sink is not None
            else None
        )

        def advance(count: int) -> None:
            if self.interrupted:
                raise StopRequested(f"Interrupted: the upload of {local.name} was stopped.")
            if told is not None:
                told(count)

        return advance

    def _publish(self, key: str, draft_id: int) -> RemoteRecord:
        self.echo(key, f"publishing draft {draft_id}...")
        try:
            return self.backend.publish(draft_id)
        except (TransportError, NotFoundError) as exc:
            # Did it happen? Publishing twice is impossible to undo, so read, never re-send.
            record = self.backend.get(draft_id)
            if not record.is_draft:
                return record
            raise TransportError(
                f"{key}: publishing draft {draft_id} got no usable answer and the draft "
                f"is still unpublished ({exc.message}).",
                hint="Run `zsync apply` again: it finds the draft and publishes it.",
            ) from None

    def _record_already_published(self, desired: DesiredDataset, record: RemoteRecord) -> RemoteRecord:
        """The draft the plan named was published meanwhile (by an earlier run): record, never republish."""
        self.echo(desired.key, f"record {record.id} is already published; recording it")
        return self._record_published(desired, record)

    def _record_published(self, desired: DesiredDataset, record: RemoteRecord) -> RemoteRecord:
        if not record.files or not record.metadata:
            record = self.backend.get(record.id)
        self.lock.put(
            desired.key,
            LockEntry(
                concept_id=record.concept_id,
                concept_doi=record.concept_doi,
                record_id=record.id,
                doi=record.doi,
                version=record.metadata.get("version"),
                files=remote_md5s(record),
                metadata_digest=canonical_digest(record.metadata),
            ),
        )
        self._checkpoint()
        return record

    def _record_draft(
        self, desired: DesiredDataset, draft: RemoteRecord, record_id: int | None
    ) -> RemoteRecord:
        previous = self.lock.get(desired.key) or LockEntry()
        entry = LockEntry(
            concept_id=draft.concept_id,
            concept_doi=previous.concept_doi,
            record_id=previous.record_id if record_id is None else record_id,
            doi=previous.doi,
            version=previous.version,
            files=previous.files,
            metadata_digest=previous.metadata_digest,
            draft_id=draft.id,
            draft_doi=_reserved_doi(draft),
        )
        self.lock.put(desired.key, entry)
        self._checkpoint()
        return draft

    @staticmethod
    def _require(value: int | None, change: DatasetChange, what: str) -> int:
        if value is None:
            raise StateError(
                f"{change.key}: the plan for this {change.action.value} has no {what}.",
                hint="Run `zsync plan` again.",
            )
        return value


def _refused(exc: ServerError) -> bool:
    """A definite refusal: the server answered 4xx, so the request changed nothing.

    Create is a POST that is never retried once it may have reached the server (http.py),
    so a 4xx is the answer to the one request sent. A 408 says nothing was read.
    """
    return (
        not isinstance(exc, TransportError)
        and exc.status is not None
        and 400 <= exc.status < 500
        and exc.status != 408
    )


def _backoff(total: float) -> Iterator[float]:
    """Sleeps of a poll: none first, then 0.1 s doubling up to 3 s, for about `total` seconds."""
    yield 0.0
    waited, delay = 0.0, 0.1
    while waited < total:
        yield delay
        waited += delay
        delay = min(delay * 2, 3.0)


def _reserved_doi(draft: RemoteRecord) -> str | None:
    """The DOI a draft gets when published: its own (an edit draft), else the reserved one."""
    if draft.doi:
        return draft.doi
    reserved = draft.metadata.get("prereserve_doi")
    doi = (reserved.get("doi") or None) if isinstance(reserved, dict) else None
    if doi and "/" in doi and draft.concept_doi and "/" in draft.concept_doi:
        # The sandbox prints the production prefix here (§3.2.3); a concept DOI has the real one.
        doi = f"{draft.concept_doi.split('/', 1)[0]}/{doi.split('/', 1)[1]}"
    return doi


def _is_new_version_draft(record: RemoteRecord, published: RemoteRecord) -> bool:
    """A never-published draft of the published record's concept (not an edit draft, not a version)."""
    return (
        record.id != published.id
        and record.state == "unsubmitted"
        and not record.submitted
        and concept_of(record) == concept_of(published)
    )
