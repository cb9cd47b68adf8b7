"""How far an upload, a download or a hash has come, told to whoever draws it (the CLI), never printed here.

The engine stays free of printing: it turns the byte counts a backend or the hasher reports
into `Progress` events and hands them to a `ProgressSink`. The CLI decides whether they
become a bar on a terminal or a line every few seconds in a CI log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

UPLOAD = "upload"
HASH = "hash"
DOWNLOAD = "download"


@dataclass(frozen=True)
class Progress:
    """One file's transfer: `done` of `total` bytes; `done == total` means finished."""

    task: str  # UPLOAD, HASH or DOWNLOAD
    key: str  # the dataset key, so lines of datasets applied in parallel can be told apart
    name: str  # the file's name in the dataset
    done: int
    total: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total


ProgressSink = Callable[[Progress], None]


def byte_counter(
    sink: ProgressSink, task: str, key: str, name: str, total: int, done: int = 0
) -> Callable[[int], None]:
    """A callback for `count` bytes at a time (backends' ProgressCallback) that tells `sink` the total.

    A negative count starts over (a retried upload sends the file again from the start).
    `done`: bytes there before the first count (a download continued from a .part).
    """
    mutex = threading.Lock()

    def advance(count: int) -> None:
        nonlocal done
        with mutex:
            done = max(0, min(total, done + count))
            now = done
        sink(Progress(task, key, name, now, total))

    sink(Progress(task, key, name, done, total))
    return advance
