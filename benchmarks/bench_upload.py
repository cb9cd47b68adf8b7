"""Upload throughput and client memory, side by side with `curl -T` to the same emulator.

    .venv/bin/python benchmarks/bench_upload.py [--size-mb 256] [--repeat 3]

The emulator runs in a separate process (`zsync emulator`, fast profile), so the peak RSS
printed is the client's alone; it stays near the baseline whatever --size-mb is, because
uploads stream the file in chunks. Each round uploads the same file into a fresh draft's
bucket with zsync's backend and with `curl -T` (the reference, same server, same page-cached
file); the medians and their ratio are printed (target: zsync at least 0.9 of curl, client
RSS under 100 MB). `rows()` returns the same figures for a later entry point.
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

from measure import peak_rss_mb, start_emulator, write_random_file

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.engine.files import hash_files
from zenodo_sync.model import LocalFile

TOKEN = "bench-token"
METADATA = {"title": "Upload benchmark", "upload_type": "dataset", "creators": [{"name": "Bench, Mark"}]}


def curl_upload(bucket: str, path: Path, header_file: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-T", str(path), "-H", f"@{header_file}", f"{bucket}/{path.name}"],
        check=True,
    )
    return time.perf_counter() - started


def rows(size_mb: int = 256, repeat: int = 3) -> list[dict[str, Any]]:
    if shutil.which("curl") is None:
        raise RuntimeError("curl is needed as the reference")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_random_file(root / "big.bin", size_mb)
        headers = root / "headers"  # the token stays out of curl's command line
        headers.write_text(f"Authorization: Bearer {TOKEN}\nContent-Type: application/octet-stream\n")
        server, url = start_emulator(root / "emu", TOKEN, profile="fast")
        try:
            backend = ZenodoDepositBackend(url, TOKEN)
            local = hash_files([LocalFile(name="big.bin", path=path, size=path.stat().st_size)], None)[0]
            baseline = peak_rss_mb()
            zsync_times, curl_times = [], []
            for _ in range(repeat):
                draft = backend.get(backend.create(METADATA).id)
                started = time.perf_counter()
                remote = backend.upload(draft, local)
                zsync_times.append(time.perf_counter() - started)
                assert remote.md5 == local.md5
                other = backend.get(backend.create(METADATA).id)
                curl_times.append(curl_upload(other.links["bucket"], path, headers))
        finally:
            server.terminate()
            server.wait(timeout=10)
    zsync_s, curl_s = statistics.median(zsync_times), statistics.median(curl_times)
    return [
        {
            "size_mb": size_mb,
            "zsync_s": zsync_s,
            "zsync_mb_s": size_mb / zsync_s,
            "curl_s": curl_s,
            "curl_mb_s": size_mb / curl_s,
            "ratio": curl_s / zsync_s,
            "client_peak_rss_mb": peak_rss_mb(),
            "rss_before_upload_mb": baseline,
            "target_ratio": 0.9,
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for row in rows(args.size_mb, args.repeat):
        print(f"file size:        {row['size_mb']} MB")
        print(f"zsync upload:     {row['zsync_s']:.2f} s ({row['zsync_mb_s']:.0f} MB/s, md5 verified)")
        print(f"curl -T:          {row['curl_s']:.2f} s ({row['curl_mb_s']:.0f} MB/s)")
        print(f"zsync / curl:     {row['ratio']:.2f} of curl's throughput (target >= 0.9)")
        print(
            f"client peak RSS:  {row['client_peak_rss_mb']:.1f} MB "
            f"(before uploading {row['rss_before_upload_mb']:.1f} MB; target < 100 MB)"
        )


if __name__ == "__main__":
    main()
