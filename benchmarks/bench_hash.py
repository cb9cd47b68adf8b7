"""Hashing speed and memory, side by side with `md5sum`, from a warm page cache.

    .venv/bin/python benchmarks/bench_hash.py [--size-mb 512] [--repeat 3]

Hashes one large generated file with zsync's md5_of and with `md5sum` (the reference),
both after a first read that puts the file in the page cache; prints the medians, their
ratio (target: zsync at least 0.9 of md5sum's throughput), the cached second plan (the md5
cache: no read at all) and the peak RSS, which stays near the interpreter's baseline whatever
--size-mb is. `rows()` returns the same figures for a later entry point.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from measure import peak_rss_mb, write_random_file

from zenodo_sync.engine.files import default_cache_path, hash_files, md5_of
from zenodo_sync.model import LocalFile


def rows(size_mb: int = 512, repeat: int = 3) -> list[dict[str, Any]]:
    if shutil.which("md5sum") is None:
        raise RuntimeError("md5sum is needed as the reference")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_random_file(root / "big.bin", size_mb)
        baseline = peak_rss_mb()
        expected = md5_of(path)  # also warms the page cache
        zsync_times, md5sum_times = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            assert md5_of(path) == expected
            zsync_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            done = subprocess.run(["md5sum", str(path)], capture_output=True, text=True, check=True)
            md5sum_times.append(time.perf_counter() - started)
            assert done.stdout.split()[0] == expected
        local = LocalFile(name="big.bin", path=path, size=path.stat().st_size)
        cache = default_cache_path(root)
        hash_files([local], cache)
        started = time.perf_counter()
        hash_files([local], cache)
        cached = time.perf_counter() - started
    zsync_s, md5sum_s = statistics.median(zsync_times), statistics.median(md5sum_times)
    return [
        {
            "size_mb": size_mb,
            "zsync_s": zsync_s,
            "zsync_mb_s": size_mb / zsync_s,
            "md5sum_s": md5sum_s,
            "md5sum_mb_s": size_mb / md5sum_s,
            "ratio": md5sum_s / zsync_s,
            "cached_ms": cached * 1000,
            "peak_rss_mb": peak_rss_mb(),
            "rss_before_mb": baseline,
            "target_ratio": 0.9,
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for row in rows(args.size_mb, args.repeat):
        print(f"file size:          {row['size_mb']} MB (warm page cache)")
        print(f"zsync md5:          {row['zsync_s']:.2f} s ({row['zsync_mb_s']:.0f} MB/s)")
        print(f"md5sum:             {row['md5sum_s']:.2f} s ({row['md5sum_mb_s']:.0f} MB/s)")
        print(f"zsync / md5sum:     {row['ratio']:.2f} of md5sum's throughput (target >= 0.9)")
        print(f"cached (2nd plan):  {row['cached_ms']:.2f} ms")
        print(
            f"peak RSS:           {row['peak_rss_mb']:.1f} MB (baseline before hashing {row['rss_before_mb']:.1f} MB)"
        )


if __name__ == "__main__":
    main()
