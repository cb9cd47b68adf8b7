"""cli/progress.py: progress bars on a terminal, timed lines in a log, whole lines always."""

from __future__ import annotations

import io
import threading

from zenodo_sync.cli.progress import BAR_WIDTH, Console
from zenodo_sync.engine.progress import HASH, UPLOAD, byte_counter
from zenodo_sync.run.options import Kind


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def log_console(lines: list[tuple[Kind, str]], clock: Clock, interval: float = 5.0) -> Console:
    return Console(
        emit=lambda kind, text: lines.append((kind, text)), terminal=False, interval=interval, clock=clock
    )


def test_a_log_gets_a_line_every_interval_and_a_last_one():
    lines: list[tuple[Kind, str]] = []
    clock = Clock()
    console = log_console(lines, clock)
    advance = byte_counter(console.progress, UPLOAD, "rose", "big.bin", 100_000_000)
    for _ in range(10):  # 10 MB a second for 10 s
        clock.now += 1
        advance(10_000_000)
    texts = [text for _, text in lines]
    assert texts == [
        "rose:   big.bin: 50% of 100.0 MB, 10.0 MB/s, 5 s left",
        "rose:   big.bin: 100% of 100.0 MB in 10 s, 10.0 MB/s",
    ]
    assert {kind for kind, _ in lines} == {Kind.PROGRESS}


def test_a_file_done_within_one_interval_gets_no_line():
    lines: list[tuple[Kind, str]] = []
    clock = Clock()
    advance = byte_counter(log_console(lines, clock).progress, UPLOAD, "rose", "small.csv", 1000)
    clock.now += 1
    advance(1000)
    assert lines == []


def test_hashing_lines_are_status_and_say_hashing():
    lines: list[tuple[Kind, str]] = []
    clock = Clock()
    advance = byte_counter(log_console(lines, clock, interval=1).progress, HASH, "rose", "big.bin", 4_000_000)
    clock.now += 1.5
    advance(1_000_000)
    assert lines == [(Kind.STATUS, "rose:   hashing big.bin: 25% of 4.0 MB, 666.7 kB/s, 5 s left")]


def test_a_retry_starts_the_count_over():
    lines: list[tuple[Kind, str]] = []
    clock = Clock()
    advance = byte_counter(log_console(lines, clock, interval=1).progress, UPLOAD, "rose", "b.bin", 1000)
    advance(600)
    advance(-600)
    clock.now += 2
    advance(100)
    assert lines[-1][1].startswith("rose:   b.bin: 10% of 1.0 kB")


def test_on_a_terminal_the_bar_is_redrawn_in_place_and_left_at_100_percent():
    screen = io.StringIO()
    lines: list[str] = []
    clock = Clock()
    console = Console(
        emit=lambda kind, text: lines.append(text), bar_stream=screen, terminal=True, clock=clock
    )
    advance = byte_counter(console.progress, UPLOAD, "rose", "big.bin", 1_000_000)
    clock.now += 0.2
    advance(100_000)
    assert screen.getvalue() == ""  # not yet: most files are done before a bar would help
    clock.now += 0.8
    advance(400_000)
    assert (
        screen.getvalue()
        == "rose:   big.bin [" + "#" * 12 + "-" * 12 + "] 50% of 1.0 MB, 500.0 kB/s, 1 s left\n"
    )
    console.report(Kind.PROGRESS, "tulip: draft 3 created")  # another dataset's line: above the bar
    assert lines == ["tulip: draft 3 created"]
    assert screen.getvalue().count("\x1b[1F\x1b[J") == 1
    clock.now += 1
    advance(500_000)
    final = screen.getvalue().rsplit("\x1b[1F\x1b[J", 1)[1]
    assert final == "rose:   big.bin [" + "#" * BAR_WIDTH + "] 100% of 1.0 MB in 2 s, 500.0 kB/s\n"


def test_lines_from_parallel_datasets_come_out_whole():
    written: list[str] = []
    console = Console(emit=lambda kind, text: written.append(text), terminal=False, interval=0.0)

    def dataset(key: str) -> None:
        advance = byte_counter(console.progress, UPLOAD, key, "data.bin", 1000)
        for _ in range(100):
            console.report(Kind.PROGRESS, f"{key}: a step")
            advance(10)

    threads = [threading.Thread(target=dataset, args=(f"set{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(written) > 400
    assert all(line.startswith(("set0: ", "set1: ", "set2: ", "set3: ")) for line in written)
    assert sum("100% of 1.0 kB" in line for line in written) == 4
