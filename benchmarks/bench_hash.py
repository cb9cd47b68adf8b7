"""Hashing speed and memory: prints MB/s and peak memory for one large generated file.

    .venv/bin/python benchmarks/bench_hash.py [--size-mb 512]

Peak memory is the process's maximum resident set size; it should stay near the
interpreter's baseline whatever --size-mb is (reads are 1 MiB chunks).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from measure import peak_rss_mb, write_random_file

from zenodo_sync.engine.files import default_cache_path, hash_files
from zenodo_sync.model import LocalFile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=512)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "big.bin"
        write_random_file(path, args.size_mb)
        baseline = peak_rss_mb()
        local = LocalFile(name="big.bin", path=path, size=path.stat().st_size)
        cache = default_cache_path(root)
        started = time.perf_counter()
        hash_files([local], cache)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        hash_files([local], cache)
        warm = time.perf_counter() - started
        print(f"file size:          {args.size_mb} MB")
        print(f"cold hash:          {cold:.2f} s ({args.size_mb / cold:.0f} MB/s)")
        print(f"cached (2nd run):   {warm * 1000:.2f} ms")
        print(f"peak RSS:           {peak_rss_mb():.1f} MB (baseline before hashing {baseline:.1f} MB)")


if __name__ == "__main__":
    main()
