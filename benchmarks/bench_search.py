"""Emulator search and record reads with many records stored, against a trivial server.

    .venv/bin/python benchmarks/bench_search.py [--records 100 10000] [--requests 200]

For each store size it fills a fresh emulator data directory with that many published
records (through the emulator's own service layer, not over HTTP: seeding is not measured),
starts `zsync emulator` on it in its own process, and times --requests keep-alive GETs of
each kind below, one after the other. It then serves the very bytes the emulator answered
from a trivial werkzeug server (same server class and handler, a dict lookup per request)
and times the same requests. A row per request kind and store size: requests per second of
both and their ratio (target: at least 0.3 with 10,000 records stored). `rows()` returns the
figures for benchmarks/run_all.py.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from measure import start_emulator

TOKEN = "bench-search-token"
HERE = Path(__file__).resolve().parent

# label -> path under /api, with the user's token; `{record}` is one stored record id
REQUESTS = {
    "deposit listing page (100)": "/deposit/depositions?page=1&size=100&all_versions=true",
    "records search page (25, facets)": "/records?size=25",
    "records search, q=title:7 (1 hit)": "/records?q=title:7&size=25",
    "record read by id": "/records/{record}",
}


def seed(data_dir: Path, count: int) -> int:
    """`count` published records with one small file each; returns one record id."""
    from zenodo_sync.emulator import service
    from zenodo_sync.emulator.config import EmulatorConfig
    from zenodo_sync.emulator.store import Store

    config = EmulatorConfig(data_dir=data_dir)
    store = Store(data_dir)
    record_id = 0
    try:
        for start in range(0, count, 250):
            with store.transaction(write=True) as tx:
                for index in range(start, min(count, start + 250)):
                    metadata = {
                        "title": f"Benchmark dataset {index}",
                        "upload_type": "dataset",
                        "description": f"<p>Sea surface temperature at buoy {index}.</p>",
                        "creators": [{"name": "Bench, Mark"}],
                        "keywords": ["ocean", f"buoy {index % 50}"],
                        "license": "cc-by-4.0",
                        "publication_date": f"20{10 + index % 15}-01-01",
                    }
                    draft = service.create_deposit(tx, 1, {"metadata": metadata})
                    upload = store.receive_file(io.BytesIO(f"index,value\n{index},1\n".encode()))
                    service.add_deposit_file(tx, 1, draft["id"], "data.csv", upload, config)
                    record_id = service.publish(tx, 1, draft["id"], config)["id"]
    finally:
        store.close()
    return record_id


def _start(command: list[str]) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "ZSYNC_EMULATOR_TOKEN": TOKEN}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    return process, process.stdout.readline().strip()  # type: ignore[union-attr]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def _get_all(base_url: str, paths: list[str], repeat: int) -> tuple[float, list[tuple[str, bytes]]]:
    """GET each path `repeat` times over one keep-alive connection; requests per second and the
    (content type, body) of each path's last answer."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    answers = []
    started = time.perf_counter()
    for path in paths:
        body, content_type = b"", ""
        for _ in range(repeat):
            connection.request("GET", parts.path + path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            content_type = response.getheader("Content-Type", "")
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        answers.append((content_type, body))
    elapsed = time.perf_counter() - started
    connection.close()
    return len(paths) * repeat / elapsed, answers


def measure(base_url: str, path: str, repeat: int) -> tuple[float, tuple[str, bytes]]:
    _get_all(base_url, [path], max(2, repeat // 10))  # warm-up: caches, connection pool
    rate, (answer,) = _get_all(base_url, [path], repeat)
    return rate, answer


def rows(sizes: tuple[int, ...] = (100, 10_000), repeat: int = 200) -> list[dict[str, Any]]:
    result = []
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            started = time.perf_counter()
            record_id = seed(root / "emu", count)
            seeded_s = time.perf_counter() - started
            paths = {label: path.format(record=record_id) for label, path in REQUESTS.items()}
            emulator, url = start_emulator(root / "emu", TOKEN, profile="fast", quiet=True)
            try:
                measured = {label: measure(url, path, repeat) for label, path in paths.items()}
            finally:
                _stop(emulator)
            answers = root / "answers.json"
            answers.write_text(
                json.dumps(
                    {
                        urlsplit(url).path + path: [ctype, body.decode("utf-8")]
                        for (label, path), (_rate, (ctype, body)) in zip(
                            paths.items(), measured.values(), strict=False
                        )
                    }
                )
            )
            trivial, trivial_url = _start([sys.executable, str(HERE / "trivial_server.py"), str(answers)])
            try:
                for label, path in paths.items():
                    rate, (_ctype, body) = measured[label]
                    base_rate, (_c, base_body) = measure(trivial_url, path, repeat)
                    assert base_body == body, "the trivial server must answer the same bytes"
                    result.append(
                        {
                            "request": label,
                            "records": count,
                            "per_second": rate,
                            "trivial_per_second": base_rate,
                            "ratio": rate / base_rate,
                            "bytes": len(body),
                            "seed_s": seeded_s,
                        }
                    )
            finally:
                _stop(trivial)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    args = parser.parse_args()
    print(f"{'request':<34} {'records':>7} {'req/s':>8} {'trivial':>8} {'ratio':>6} {'bytes':>8}")
    for row in rows(tuple(args.records), args.requests):
        print(
            f"{row['request']:<34} {row['records']:>7} {row['per_second']:>8.0f} "
            f"{row['trivial_per_second']:>8.0f} {row['ratio']:>6.2f} {row['bytes']:>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
