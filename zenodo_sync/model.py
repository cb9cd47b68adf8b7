"""The plain data types at each border of the pipeline (docs/architecture.md).

manifests --load--> DesiredDataset      server --refresh--> ActualDataset
                          |                                 |
                          +----------- plan.diff -----------+
                                           |
                                          Plan  (list of DatasetChange, JSON-serialisable)

Nothing here does I/O. Metadata dicts use the field names of Zenodo's deposit API
("legacy" JSON: title, upload_type, creators[name, affiliation, orcid], ...).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLAN_FORMAT_VERSION = "1"


# --- desired side (from manifests) -------------------------------------------------


@dataclass(frozen=True)
class LocalFile:
    """A file a manifest asks for. `name` is the key it gets on Zenodo (no directories)."""

    name: str
    path: Path  # absolute
    size: int
    md5: str | None = None  # filled by zenodo_sync.engine.files.hash_files (cached), not by the loader


@dataclass(frozen=True)
class RemoteOnlyFile:
    """A file the manifest keeps as the server has it, without a local copy (`files:` entry
    `{name, md5, size}`): never uploaded, never deleted, carried into each new version."""

    name: str  # the file's name on the server, exactly
    md5: str  # bare lower-case hex: the server's file must have it
    size: int | None = None  # bytes, when the manifest says


@dataclass
class DesiredDataset:
    """One manifest after defaults, shorthands and validation: what Zenodo should hold."""

    key: str  # stable identity: explicit `id`, else manifest path without extension
    manifest_path: str  # relative to the project root, posix separators
    metadata: dict[str, Any]  # deposit-API metadata, in the form zsync sends it
    files: list[LocalFile] = field(default_factory=list)
    publish: bool = True  # False: stop at a reviewed draft on the server
    remote_files: list[RemoteOnlyFile] = field(default_factory=list)
    # The manifest's `concept:` in its canonical form (zenodo.concepts.parse_concept): the
    # existing concept this manifest describes. None: found by zsync.lock or marker, or created.
    concept: str | None = None


# --- actual side (from the server) -------------------------------------------------


@dataclass(frozen=True)
class RemoteFile:
    id: str
    name: str
    size: int
    md5: str  # bare hex, without Zenodo's "md5:" prefix


@dataclass
class RemoteRecord:
    """A deposition as the deposit API reads it back (a draft or a published version)."""

    id: int
    concept_id: str | None
    state: str  # "unsubmitted" (never published) | "inprogress" (edit draft) | "done"
    submitted: bool  # has been published at least once
    metadata: dict[str, Any]
    files: list[RemoteFile] = field(default_factory=list)
    doi: str | None = None
    concept_doi: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    modified: str | None = None  # server timestamp: detects change since a saved plan
    owner: int | None = None

    @property
    def is_draft(self) -> bool:
        return self.state != "done"

    @property
    def html_url(self) -> str | None:
        return self.links.get("html")


class FoundBy(str, enum.Enum):
    """How refresh tied a key to a concept on the server (render.common says it in words)."""

    LOCK = "lock"  # zsync.lock names the concept
    MARKER = "marker"  # the record's zsync marker, where one was expected (namespace, create in flight)
    # The marker alone, no lock entry and no namespace: it may be another repository's record
    # on the same account (identity.py), so apply asks before adopting it.
    MARKER_ONLY = "marker-only"
    CONCEPT = "concept"  # the manifest's `concept:` names it (a record zsync did not make, say)
    NONE = "none"  # nothing on the server

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclass
class ActualDataset:
    """What the server holds for one key (refresh's answer)."""

    key: str
    concept_id: str | None = None
    latest: RemoteRecord | None = None  # latest *published* version
    draft: RemoteRecord | None = None  # an open draft of this concept, if any
    found_by: FoundBy = FoundBy.LOCK
    # Nothing found for this key, and the account holds concepts whose title is the manifest's:
    # probably the record the manifest describes, made before zsync (plan warns; refresh fills it).
    same_title: list[RemoteRecord] = field(default_factory=list)
    # Communities the manifest lists that the server has been asked for and does not show yet:
    # an open inclusion request of the latest record, or (on a backend whose drafts cannot hold
    # a community) the draft's, asked for when it is published. The plan counts them as joined
    # and says so (run.py fills it; docs/zenodo-behaviour.md §7.8).
    awaited_communities: list[str] = field(default_factory=list)


# --- plan -------------------------------------------------------------------------


class Action(str, enum.Enum):
    """One action per execution path: apply carries out the plan's action, it never re-decides."""

    CREATE = "create"  # new concept: new record, new DOI, new concept DOI
    UPDATE = "update"  # metadata only: edit -> update -> publish, same DOI
    NEW_VERSION = "new-version"  # files or version changed: new DOI, same concept
    # An open draft (an interrupted apply, or opened on Zenodo) is finished, never doubled:
    RESUME_CREATE = "resume-create"  # the draft of a record never published: files, metadata, publish
    RESUME_UPDATE = "resume-update"  # an edit draft of the latest version: metadata, publish (same DOI)
    RESUME_NEW_VERSION = "resume-new-version"  # a new-version draft: files, metadata, publish (new DOI)
    # A new-version draft the manifest does not need (files and version as published):
    DISCARD_DRAFT = "discard-draft"  # discarded; the published version already matches
    DISCARD_DRAFT_THEN_UPDATE = "discard-draft-then-update"  # discarded, then the published record updated
    RECORD_LOCK = "record-lock"  # the server already matches; only zsync.lock learns what it holds
    NO_OP = "no-op"
    FORGET = "forget"  # manifest removed: stop managing (published records stay)

    @property
    def family(self) -> str:
        """The coarse action of plan JSON format "1" (`action`, `summary`): one of ACTION_FAMILIES."""
        return _FAMILY.get(self, self.value)

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


# Plan JSON format "1" named six actions; the finer ones above are each one of them.
ACTION_FAMILIES = ("create", "update", "new-version", "resume", "no-op", "forget")
_FAMILY = {
    Action.RESUME_CREATE: "resume",
    Action.RESUME_UPDATE: "resume",
    Action.RESUME_NEW_VERSION: "resume",
    Action.DISCARD_DRAFT: "resume",
    Action.DISCARD_DRAFT_THEN_UPDATE: "resume",
    Action.RECORD_LOCK: "no-op",
}


@dataclass
class FieldChange:
    path: str  # dotted path into metadata, e.g. "creators.0.orcid"
    before: Any
    after: Any
    kind: str  # "add" | "remove" | "change" | "move" (then `before` is the old path, `after` the entry)


@dataclass
class FileChange:
    name: str
    kind: str  # "add" | "remove" | "replace" | "keep" | "missing" (a remote-only file the server lacks)
    size: int | None = None
    local_md5: str | None = None
    remote_md5: str | None = None


@dataclass
class DatasetChange:
    key: str
    action: Action
    reason: str = ""  # for display only; apply never reads it
    manifest_path: str | None = None
    record_id: int | None = None  # the record the action starts from
    concept_id: str | None = None
    draft_id: int | None = None  # an open draft the action will reuse
    doi: str | None = None
    concept_doi: str | None = None
    field_changes: list[FieldChange] = field(default_factory=list)
    file_changes: list[FileChange] = field(default_factory=list)
    drift: bool = False  # the server changed outside zsync since the last apply
    publish: bool = True
    # What the plan was computed against, so apply can refuse a stale saved plan.
    basis: dict[str, Any] = field(default_factory=dict)
    # Set when the change takes over a record found by its marker alone: apply wants consent.
    adopt: Adoption | None = None
    # What the manifest asks for that zsync cannot do and so leaves out of the change.
    warnings: list[str] = field(default_factory=list)
    # The open draft is the one `publish: false` left for review (zsync.lock names it), not
    # the remains of an interrupted apply: a resume then publishes (or updates) that draft.
    draft_for_review: bool = False


@dataclass(frozen=True)
class Adoption:
    """A record found only by its zsync marker (no lock entry, no namespace): it may be
    another repository's record on the same account, so adopting it needs consent."""

    marker: str
    concept_id: str | None


@dataclass
class Plan:
    changes: list[DatasetChange]
    server: str = ""
    format_version: str = PLAN_FORMAT_VERSION
    targeted: bool = False  # planned for a subset (--target / paths)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def has_changes(self) -> bool:
        """Anything to do on the server, or a record to adopt (it needs consent: --adopt KEY).

        Writing zsync.lock alone is not a change; taking over a record that may be another
        repository's is one, even when nothing on the server changes.
        """
        return any(change.action.family != "no-op" or change.adopt is not None for change in self.changes)

    def adoptions(self) -> list[DatasetChange]:
        """Changes that take over a record found by its zsync marker alone."""
        return [change for change in self.changes if change.adopt is not None]

    def summary(self) -> dict[str, int]:
        """Counts per action family, the keys of plan JSON format "1"."""
        return {
            family: sum(1 for change in self.changes if change.action.family == family)
            for family in ACTION_FAMILIES
        }
