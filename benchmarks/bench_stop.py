"""How long `zsync apply` takes to exit after SIGTERM in the middle of a large upload.

    .venv/bin/python benchmarks/bench_stop.py [--size-mb 300] [--rate-mb 5] [--after 3]

A real `zsync apply --auto-approve` uploads one --size-mb file to an emulator (its own
process) that reads uploads at --rate-mb MB/s, so the upload would take size/rate
seconds; --after seconds into the upload it gets SIGTERM, as a cancelled CI job does.
Printed: the time from the signal to the exit (the goal is under 2 s), the exit code
(130), and what the next apply then does (resumes the draft: one concept, no partial file).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests
from measure import start_emulator, write_random_file

TOKEN = "bench-token"
MANIFEST = textwrap.dedent("""\
    id: big
    metadata:
      title: Stop benchmark data set
      upload_type: dataset
      description: One large file, interrupted while it uploads.
      creators: [{name: "Bench, Mark"}]
      license: cc-by-4.0
    files: [big.bin]
    """)


def apply(root: Path, url: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "ZENODO_TOKEN": TOKEN, "ZSYNC_SERVER": url, "ZSYNC_PROGRESS_INTERVAL": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "zenodo_sync", "apply", "--auto-approve"],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        text=True,
        **popen,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=300)
    parser.add_argument("--rate-mb", type=float, default=5.0, help="MB/s the emulator reads uploads at")
    parser.add_argument("--after", type=float, default=3.0, help="seconds into the upload to send SIGTERM")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        (root / "datasets").mkdir(parents=True)
        write_random_file(root / "datasets" / "big.bin", args.size_mb)
        (root / "datasets" / "big.yaml").write_text(MANIFEST, encoding="utf-8")
        server, url = start_emulator(
            Path(tmp) / "emu", TOKEN, f"PUT /api/files/*=slow:{int(args.rate_mb * 1e6)}"
        )
        try:
            process = apply(root, url, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            output = ""
            while "uploading big.bin" not in output:
                line = process.stdout.readline()
                if not line:
                    sys.exit(f"apply ended before the upload:\n{output}")
                output += line
            time.sleep(args.after)
            signalled = time.perf_counter()
            process.send_signal(signal.SIGTERM)
            rest, _ = process.communicate(timeout=600)
            stopped = time.perf_counter() - signalled
            output += rest
            print(
                f"file: {args.size_mb} MiB, read by the server at {args.rate_mb:g} MB/s "
                f"(the whole upload would take {args.size_mb * 1.048576 / args.rate_mb:.0f} s)"
            )
            print(
                f"SIGTERM {args.after:g} s into the upload -> exit {process.returncode} after {stopped:.2f} s"
            )
            progress = [line for line in output.splitlines() if "big.bin: " in line]
            if progress:
                print(f"last progress line before the stop: {progress[-1].strip()}")
            # The next apply, at full speed, finishes the draft the stopped one left.
            requests.delete(f"{url}/_emulator/faults", timeout=10).raise_for_status()
            started = time.perf_counter()
            rerun = apply(root, url, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            rerun_output, _ = rerun.communicate(timeout=600)
            resumed = next(
                (line.strip() for line in rerun_output.splitlines() if "resume" in line.lower()), ""
            )
            print(
                f"next apply: exit {rerun.returncode} after {time.perf_counter() - started:.1f} s"
                + (f" ({resumed})" if resumed else "")
            )
            if rerun.returncode != 0:
                print(rerun_output)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
