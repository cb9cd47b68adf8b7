"""What a command prints while it works: its lines, and the progress of uploads and hashing.

Everything goes through one `Console` and one lock, so the lines of datasets applied in
parallel come out whole, each prefixed by its dataset key, never as interleaved fragments.

On a terminal, a transfer that lasts more than a moment gets a bar on stderr (bytes, rate,
time left), redrawn in place below the other lines and left as a final 100 % line. Elsewhere
(a CI log) it gets one line every few seconds (ZSYNC_PROGRESS_INTERVAL, default 5) and a
last line when done, since carriage returns and escape codes only garble a log file.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from zenodo_sync.cli.output import to_terminal
from zenodo_sync.engine.progress import HASH, Progress
from zenodo_sync.run import Kind
from zenodo_sync.sizes import human_size

INTERVAL_ENV = "ZSYNC_PROGRESS_INTERVAL"
DEFAULT_INTERVAL = 5.0  # seconds between progress lines in a log
SHOW_AFTER = 0.5  # seconds: a file done sooner gets no bar (most files are small)
REDRAW_EVERY = 0.1  # seconds between redraws of the bars
RATE_WINDOW = 5.0  # seconds of recent progress the rate is measured over
BAR_WIDTH = 24


@dataclass
class _Transfer:
    """One file's upload or hashing as the console follows it."""

    event: Progress
    started: float
    last_line: float  # when its last progress line was written (line mode)
    shown: bool = False  # a bar or a line has been printed for it
    initial: int = 0  # bytes already there when it started (a download continued from a .part)
    samples: deque[tuple[float, int]] = field(default_factory=deque)  # (time, done), oldest first

    def observe(self, event: Progress, now: float) -> None:
        self.event = event
        self.samples.append((now, event.done))
        while len(self.samples) > 2 and self.samples[1][0] <= now - RATE_WINDOW:
            self.samples.popleft()

    @property
    def label(self) -> str:
        verb = "hashing " if self.event.task == HASH else ""
        return f"{self.event.key}:   {verb}{self.event.name}"

    def rate(self, now: float) -> float:
        """Bytes a second: over the last few seconds while running (the first burst fills socket
        buffers, a link slows down), over the whole transfer once it is done."""
        since, done_then = (self.started, self.initial)
        if not self.event.finished and self.samples:
            since, done_then = self.samples[0]
        elapsed = now - since
        return (self.event.done - done_then) / elapsed if elapsed > 0 else 0.0

    def percent(self) -> int:
        event = self.event
        return 100 if event.total <= 0 else min(100, event.done * 100 // event.total)

    def figures(self, now: float) -> str:
        """`45% of 300.0 MB, 12.3 MB/s, 13 s left`, or `100% of 300.0 MB in 6 s, 49.2 MB/s`."""
        event, rate = self.event, self.rate(now)
        speed = f"{human_size(int(rate))}/s"
        if event.finished:
            return f"100% of {human_size(event.total)} in {_duration(now - self.started)}, {speed}"
        left = f", {_duration(math.ceil((event.total - event.done) / rate))} left" if rate > 0 else ""
        return f"{self.percent()}% of {human_size(event.total)}, {speed}{left}"


class Console:
    """A `Report` (`console.report`) and a `ProgressSink` (`console.progress`) sharing one lock.

    `emit(kind, text)` writes one whole line (to_terminal by default); `bar_stream` is where
    bars are drawn, used only when it is a terminal.
    """

    def __init__(
        self,
        *,
        emit: Callable[[Kind, str], None] = to_terminal,
        bar_stream: TextIO | None = None,
        terminal: bool | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._bar_stream = bar_stream or sys.stderr
        self.terminal = _is_terminal(self._bar_stream) if terminal is None else terminal
        self.interval = interval if interval is not None else _interval_from_env()
        self._clock = clock
        self._mutex = threading.Lock()
        self._transfers: dict[tuple[str, str, str], _Transfer] = {}
        self._drawn = 0  # bar lines on the screen below the last ordinary line
        self._last_draw = 0.0

    # -- the Report ---------------------------------------------------------------------------

    def report(self, kind: Kind, text: str) -> None:
        with self._mutex:
            self._erase_bars()
            self._emit(kind, text)
            self._draw_bars()

    # -- the ProgressSink -----------------------------------------------------------------------

    def progress(self, event: Progress) -> None:
        now = self._clock()
        ident = (event.task, event.key, event.name)
        with self._mutex:
            transfer = self._transfers.get(ident)
            if transfer is None or event.done == 0:
                transfer = self._transfers[ident] = _Transfer(
                    event, started=now, last_line=now, initial=event.done
                )
            transfer.observe(event, now)
            if self.terminal:
                self._on_terminal(ident, transfer, now)
            else:
                self._in_a_log(ident, transfer, now)

    def _in_a_log(self, ident: tuple[str, str, str], transfer: _Transfer, now: float) -> None:
        kind = Kind.STATUS if transfer.event.task == HASH else Kind.PROGRESS
        if transfer.event.finished:
            del self._transfers[ident]
            if transfer.shown:  # a file done within one interval needs no progress line at all
                self._emit(kind, f"{transfer.label}: {transfer.figures(now)}")
        elif now - transfer.last_line >= self.interval:
            transfer.last_line, transfer.shown = now, True
            self._emit(kind, f"{transfer.label}: {transfer.figures(now)}")

    def _on_terminal(self, ident: tuple[str, str, str], transfer: _Transfer, now: float) -> None:
        if transfer.event.finished:
            del self._transfers[ident]
            if transfer.shown:
                self._erase_bars()
                self._write(self._bar_line(transfer, now) + "\n")  # stays: the 100 % line
                self._draw_bars()
            return
        if not transfer.shown and now - transfer.started < SHOW_AFTER:
            return
        transfer.shown = True
        if now - self._last_draw >= REDRAW_EVERY:
            self._erase_bars()
            self._draw_bars()

    # -- drawing -------------------------------------------------------------------------------

    def _bar_line(self, transfer: _Transfer, now: float) -> str:
        filled = BAR_WIDTH * transfer.percent() // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"{transfer.label} [{bar}] {transfer.figures(now)}"
        width = shutil.get_terminal_size((100, 24)).columns - 1
        return line if len(line) <= width else line[: max(1, width - 3)] + "..."  # never wraps

    def _draw_bars(self) -> None:
        if not self.terminal:
            return
        now = self._clock()
        shown = [t for t in self._transfers.values() if t.shown]
        if shown:
            self._write("".join(self._bar_line(t, now) + "\n" for t in shown))
        self._drawn = len(shown)
        self._last_draw = now

    def _erase_bars(self) -> None:
        if self._drawn:
            # Up to the first bar's line, then clear to the end of the screen.
            self._write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _write(self, text: str) -> None:
        self._bar_stream.write(text)
        self._bar_stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _interval_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get(INTERVAL_ENV) or DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
