"""Download throughput and client memory: `zsync download` of one large file from an emulator.

    .venv/bin/python benchmarks/bench_download.py [--size-mb 256] [--parallel 4]

The emulator and `zsync download` each run in their own process, so the peak RSS printed is
the downloading client's alone; it should stay near a small baseline whatever --size-mb is,
because files stream to disk in 64 KiB chunks, hashed as they arrive. A second run into the
same folder shows what a re-run costs: the file is hashed on disk and skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import start_emulator, write_random_file

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.model import LocalFile

TOKEN = "bench-token"


def publish_one_file(url: str, path: Path) -> int:
    backend = ZenodoDepositBackend(url, TOKEN)
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    draft = backend.create(
        {
            "title": "Download benchmark",
            "upload_type": "dataset",
            "description": "One large file.",
            "creators": [{"name": "Bench, Mark"}],
        }
    )
    backend.upload(draft, LocalFile(path.name, path, path.stat().st_size, digest.hexdigest()))
    return backend.publish(draft.id).id


def timed_download(url: str, record_id: int, dest: Path, parallel: int) -> tuple[float, float]:
    """Seconds and the child's peak RSS (MB) of one `zsync download` run, in a fresh process."""
    env = {**os.environ, "ZSYNC_SERVER": url}
    env.pop("ZENODO_TOKEN", None)  # a public record: no token needed
    command = [sys.executable, "-m", "zenodo_sync", "download", str(record_id), "--dest", str(dest)]
    started = time.perf_counter()
    child = subprocess.Popen([*command, "--parallel", str(parallel)], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"zsync download failed (wait status {status})")
    peak = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = write_random_file(root / "big.bin", args.size_mb)
        server, url = start_emulator(root / "emu", TOKEN)
        try:
            record_id = publish_one_file(url, source)
            dest = root / "downloaded"
            seconds, peak = timed_download(url, record_id, dest, args.parallel)
            assert (dest / "big.bin").stat().st_size == source.stat().st_size
            print(f"file size:        {args.size_mb} MiB")
            print(f"download:         {seconds:.2f} s ({args.size_mb / seconds:.0f} MiB/s, md5 verified)")
            print(f"client peak RSS:  {peak:.1f} MB")
            again, again_peak = timed_download(url, record_id, dest, args.parallel)
            print(f"re-run (skipped): {again:.2f} s (hashes the file on disk), peak RSS {again_peak:.1f} MB")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
