"""Upload throughput and client memory: streams one large file into an emulator draft.

    .venv/bin/python benchmarks/bench_upload.py [--size-mb 256]

The emulator runs in a separate process (`zsync emulator`), so the peak RSS printed
is the client's alone; it should stay near the baseline whatever --size-mb is,
because uploads stream the file in 1 MiB chunks and verify the md5 on the fly.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from measure import peak_rss_mb, start_emulator, write_random_file

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.engine.files import hash_files
from zenodo_sync.model import LocalFile

TOKEN = "bench-token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "big.bin"
        write_random_file(path, args.size_mb)
        server, url = start_emulator(root / "emu", TOKEN)
        try:
            backend = ZenodoDepositBackend(url, TOKEN)
            local = hash_files([LocalFile(name="big.bin", path=path, size=path.stat().st_size)], None)[0]
            baseline = peak_rss_mb()
            draft = backend.create(
                {"title": "Upload benchmark", "upload_type": "dataset", "creators": [{"name": "Bench, Mark"}]}
            )
            started = time.perf_counter()
            remote = backend.upload(draft, local)
            elapsed = time.perf_counter() - started
            assert remote.md5 == local.md5
            print(f"file size:   {args.size_mb} MB")
            print(f"upload:      {elapsed:.2f} s ({args.size_mb / elapsed:.0f} MB/s, md5 verified)")
            print(f"client peak RSS: {peak_rss_mb():.1f} MB (before uploading {baseline:.1f} MB)")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
