"""Stopping a long upload, and its progress, as a user meets them: the real `zsync apply` process.

The emulator's `slow:<bytes/s>` fault reads upload bodies slowly, so an upload lasts long
enough to be interrupted or to be watched.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import requests

from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV, ServerView, name_server, run_subprocess

# Far more than the kernel's socket buffers take in at once (a few MB), so that the upload is
# still being sent, not just awaiting its answer, when it is stopped: ten seconds at this rate.
BIG = 20_000_000
SLOW_UPLOADS = "PUT /api/files/*=slow:2000000"
MEDIUM = 6_000_000


def env_for(emu, **extra: str) -> dict[str, str]:
    return {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV, **extra}


def add_big_file(project, key: str, title: str, size: int = BIG) -> None:
    project.write_manifest(key, title, {"big.bin": "x" * size, "readme.txt": "hello\n"})


def start_apply(root, env: dict[str, str], **streams) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "zenodo_sync", "apply", "--auto-approve", "--target", "alpha"],
        cwd=root,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        **streams,
    )


def test_sigterm_mid_upload_exits_130_within_seconds_and_a_rerun_finishes(project):
    add_big_file(project, "alpha", "Rose scent GC-MS data")
    with running_emulator(data_dir=project.root.parent / "emu", faults=SLOW_UPLOADS) as emu:
        name_server(project.root, emu.url)  # so zsync.lock holds this emulator\'s state
        env = env_for(emu, ZSYNC_PROGRESS_INTERVAL="0.3")
        process = start_apply(project.root, env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seen = ""
        while "big.bin: " not in seen:  # a progress line: the upload is under way
            line = process.stdout.readline()
            assert line, f"apply ended before uploading big.bin:\n{seen}"
            seen += line
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
        took = time.monotonic() - signalled
        output = seen + rest
        assert process.returncode == 130, output
        assert took < 10, f"apply took {took:.1f} s to stop after SIGTERM:\n{output}"
        assert "Traceback" not in output
        assert "run `zsync apply` again" in output

        server = ServerView(emu)
        (draft,) = server.records()
        assert draft.is_draft, "published after SIGTERM"
        assert "big.bin" not in {f.name for f in draft.files}, "a cut-off upload left a file"
        assert project.lock["datasets"]["alpha"]["in_flight"]["draft_id"] == draft.id

        requests.delete(f"{emu.url}/_emulator/faults", timeout=10).raise_for_status()
        rerun = run_subprocess(["apply", "--auto-approve", "--target", "alpha"], project.root, env_for(emu))
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        server.assert_exactly({"alpha": 1})
        (record,) = server.records()
        assert {f.name: f.size for f in record.files} == {"big.bin": BIG, "readme.txt": 6}


PROGRESS_LINE = re.compile(
    r"^(alpha|beta):   big\.bin: (\d+)% of 6\.0 MB(, [\d.]+ [kMG]?B/s(, .+ left)?| in .+)$"
)


def test_progress_in_a_log_is_whole_lines_named_by_dataset(project):
    add_big_file(project, "alpha", "Rose scent GC-MS data", MEDIUM)
    add_big_file(project, "beta", "Colour reflectance of IODP 374 cores", MEDIUM)
    with running_emulator(
        data_dir=project.root.parent / "emu", faults="PUT /api/files/*=slow:3000000"
    ) as emu:
        name_server(project.root, emu.url)  # so zsync.lock holds this emulator\'s state
        result = run_subprocess(
            ["apply", "--auto-approve", "--parallelism", "2"],
            project.root,
            env_for(emu, ZSYNC_PROGRESS_INTERVAL="0.5"),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        ServerView(emu).assert_exactly({"alpha": 1, "beta": 1})
    assert "\r" not in result.stdout and "\x1b" not in result.stdout
    lines = [line for line in result.stdout.splitlines() if "big.bin: " in line]
    for key in ("alpha", "beta"):
        mine = [PROGRESS_LINE.match(line) for line in lines if line.startswith(f"{key}:")]
        assert all(mine), f"not a whole progress line of {key}:\n" + "\n".join(lines)
        percents = [int(match.group(2)) for match in mine]
        assert len(percents) >= 2 and percents[-1] == 100, lines
        assert percents == sorted(percents) and percents[0] < 100
        assert " in " in mine[-1].group(0)  # the last line says how long it took
    assert all(PROGRESS_LINE.match(line) for line in lines), "\n".join(lines)


def test_progress_on_a_terminal_is_a_bar_that_reaches_100_percent(project):
    # Large enough to outlast what the kernel's socket buffers take in at once (a few MB).
    project.write_manifest("alpha", "Rose scent GC-MS data", {"big.bin": "x" * 12_000_000})
    with running_emulator(
        data_dir=project.root.parent / "emu", faults="PUT /api/files/*=slow:3000000"
    ) as emu:
        name_server(project.root, emu.url)  # so zsync.lock holds this emulator\'s state
        leader, follower = pty.openpty()
        process = start_apply(
            project.root,
            {**env_for(emu), "TERM": "xterm", "COLUMNS": "120"},
            stdout=follower,
            stderr=follower,
        )
        os.close(follower)
        screen = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            elif process.poll() is not None:
                break
        os.close(leader)
        assert process.wait(timeout=30) == 0, screen.decode(errors="replace")
    text = screen.decode()
    bars = re.findall(r"alpha:   big\.bin \[([#-]{24})\] (\d+)% of 12\.0 MB", text)
    assert bars, text
    assert bars[-1] == ("#" * 24, "100")
    assert any(int(percent) < 100 for _, percent in bars), "no bar before the end"
    assert re.search(r"\[#{24}\] 100% of 12\.0 MB in \d+ s, [\d.]+ [kM]B/s\r?\n", text), text


def test_sigterm_during_a_retry_after_wait_exits_130_within_seconds_and_a_rerun_finishes(project):
    project.write_manifest("alpha", "Rose scent GC-MS data", {"readme.txt": "hello\n"})
    # Uploading into the new draft's bucket answers 503 "come back in a minute": apply waits in the
    # HTTP client. The second rule only counts requests (its `fired`), to show none goes out after
    # the stop.
    fault = "PUT /api/files/*=retry-after:60:1; *=latency:0.001"
    with running_emulator(data_dir=project.root.parent / "emu", faults=fault) as emu:
        name_server(project.root, emu.url)  # so zsync.lock holds this emulator's state
        process = start_apply(
            project.root, env_for(emu), text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while not _fault_fired(emu):
            assert process.poll() is None and time.monotonic() < deadline, (
                f"apply never met the 503 (exit {process.poll()})"
            )
            time.sleep(0.1)
        time.sleep(0.5)  # well inside the 60 s it was asked to wait
        requests_before = _request_count(emu)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        took = time.monotonic() - signalled
        assert process.returncode == 130, output
        assert took < 10, f"apply took {took:.1f} s to stop after SIGTERM:\n{output}"
        assert "Traceback" not in output
        assert "run `zsync apply` again" in output
        assert _request_count(emu) == requests_before, "a request was sent after the stop"

        server = ServerView(emu)
        (draft,) = server.records()
        assert draft.is_draft, "published after SIGTERM"
        assert project.lock["datasets"]["alpha"]["in_flight"]["draft_id"] == draft.id

        rerun = run_subprocess(["apply", "--auto-approve", "--target", "alpha"], project.root, env_for(emu))
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        server.assert_exactly({"alpha": 1})


def _fault_rules(emu) -> list[dict]:
    return requests.get(f"{emu.url}/_emulator/faults", timeout=10).json()["rules"]


def _fault_fired(emu) -> bool:
    return _fault_rules(emu)[0]["fired"] > 0


def _request_count(emu) -> int:
    return _fault_rules(emu)[1]["fired"]
