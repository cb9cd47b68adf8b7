"""What every run takes and gives: its options, and the report callback its lines go to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

DEFAULT_PARALLELISM = 4  # datasets applied, or files hashed, at once


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for, parsed: one value per run, never changed by it."""

    paths: tuple[str, ...] = ()  # manifests or folders to load; () = the `datasets` glob of zsync.yaml
    targets: tuple[str, ...] = ()  # dataset keys to plan and apply; () = all
    server: str | None = None  # --server; else ZSYNC_SERVER, zsync.yaml `server`, the default
    root: Path | None = None  # the project root; None = found from the working directory
    config: Path | None = None  # a zsync.yaml other than the root's
    parallelism: int = DEFAULT_PARALLELISM
    adopt: tuple[str, ...] = ()  # keys allowed to take over a record found by its marker alone
    take_drafts: tuple[str, ...] = ()  # keys whose draft opened outside zsync it may reuse (--take-draft)
    changed_since: str | None = None  # --changed-since REF: only datasets changed since the merge base
    backend: str | None = None  # --backend; else zsync.yaml `backend`, else deposit


class Kind(Enum):
    """What a reported line is, so the CLI can choose where it goes."""

    STATUS = "status"  # what the run is doing now
    WARNING = "warning"  # something to read before applying
    FINDING = "finding"  # a manifest problem, as file:line:column: severity: message
    PROGRESS = "progress"  # a step of apply
    RESULT = "result"  # the outcome of apply


Report = Callable[[Kind, str], None]


def ignore(kind: Kind, text: str) -> None:
    """A Report that drops everything."""
