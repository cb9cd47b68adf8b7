"""Large files against the system's tools: md5 hashing against `md5sum`, upload against `curl -T`.

    .venv/bin/python benchmarks/bench_files.py [--size-mb 1024] [--runs 3]

Hashing: one generated file, read once first so that both sides read it from a warm page
cache; zsync's hashing (engine.files.hash_files, no cache file) runs in a fresh process in
turn with `md5sum` (benchmarks/abtime.py). Upload: the same file PUT into one emulator draft's
bucket by zsync's backend (in its own process, so its peak RSS is the client's alone) and by
`curl -T`, in turn, to a `zsync emulator` in a third process. Throughputs are MB/s (MiB); the
ratio is zsync's throughput over the tool's (target: at least 0.9). `rows()` returns them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from abtime import paired
from measure import start_emulator, write_random_file

TOKEN = "bench-files-token"
HERE = Path(__file__).resolve().parent

# The children print the seconds of the work itself: the interpreter's start and zsync's imports
# are start-up, measured on their own (bench_commands.py), not part of a file's throughput.
HASH_CHILD = """
import sys, time
from pathlib import Path
from zenodo_sync.engine.files import hash_files
from zenodo_sync.model import LocalFile
path = Path(sys.argv[1])
started = time.perf_counter()
hash_files([LocalFile(name=path.name, path=path, size=path.stat().st_size)], None)
print(time.perf_counter() - started)
"""

UPLOAD_CHILD = """
import json, os, sys, time
from pathlib import Path
from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.model import LocalFile
url, path, draft_id, md5 = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
backend = ZenodoDepositBackend(url, os.environ["ZENODO_TOKEN"])
local = LocalFile(name=path.name, path=path, size=path.stat().st_size, md5=md5)  # hashed at plan time
draft = backend.get(draft_id)
started = time.perf_counter()
remote = backend.upload(draft, local)
print(time.perf_counter() - started)
assert remote.md5 == local.md5, "md5 mismatch"
"""


def hash_rows(path: Path, size_mb: int, runs: int) -> list[dict[str, Any]]:
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    figures = paired(
        [sys.executable, "-c", HASH_CHILD, str(path)], ["md5sum", str(path)], runs=runs, a_self_timed=True
    )
    return [
        {
            "what": "md5 hashing",
            "size_mb": size_mb,
            "mb_per_s": size_mb / figures.a_wall,
            "reference_mb_per_s": size_mb / figures.b_wall,
            "ratio": 1 / figures.ratio,
            "peak_rss_mb": figures.a_peak_rss_mb,
            "spread": figures.spread,
        }
    ]


def _api(url: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def upload_rows(path: Path, size_mb: int, runs: int, workdir: Path) -> list[dict[str, Any]]:
    emulator, url = start_emulator(workdir / "emu", TOKEN, profile="fast", quiet=True)
    try:
        metadata = {
            "title": "Upload benchmark",
            "upload_type": "dataset",
            "creators": [{"name": "Bench, Mark"}],
        }
        ours = _api(url, "POST", "/deposit/depositions", {"metadata": metadata})
        theirs = _api(url, "POST", "/deposit/depositions", {"metadata": metadata})
        header = workdir / "auth-header"  # curl reads the token from a file, not its command line
        header.write_text(f"Authorization: Bearer {TOKEN}\n")
        header.chmod(0o600)
        curl = [
            "curl",
            "-sS",
            "-f",
            "-o",
            "/dev/null",
            "-H",
            f"@{header}",
            "-T",
            str(path),
            f"{theirs['links']['bucket']}/{path.name}",
        ]
        client_env = {**os.environ, "ZENODO_TOKEN": TOKEN}
        with open(path, "rb") as handle:
            md5 = hashlib.file_digest(handle, "md5").hexdigest()
        child = [sys.executable, "-c", UPLOAD_CHILD, url, str(path), str(ours["id"]), md5]
        figures = paired(child, curl, runs=runs, warmup=0, env=client_env, a_self_timed=True)
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    return [
        {
            "what": "upload",
            "size_mb": size_mb,
            "mb_per_s": size_mb / figures.a_wall,
            "reference_mb_per_s": size_mb / figures.b_wall,
            "ratio": 1 / figures.ratio,
            "peak_rss_mb": figures.a_peak_rss_mb,
            "spread": figures.spread,
        }
    ]


def rows(size_mb: int = 1024, runs: int = 3) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_random_file(root / "big.bin", size_mb)
        return hash_rows(path, size_mb, runs) + upload_rows(path, size_mb, runs, root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for row in rows(args.size_mb, args.runs):
        print(
            f"{row['what']:<12} {row['size_mb']} MB: zsync {row['mb_per_s']:.0f} MB/s, "
            f"reference {row['reference_mb_per_s']:.0f} MB/s, ratio {row['ratio']:.2f}, "
            f"zsync peak RSS {row['peak_rss_mb']:.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
