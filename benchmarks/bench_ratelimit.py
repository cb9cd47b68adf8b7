"""An apply under Zenodo's rate limits against the time those limits allow at best.

    .venv/bin/python benchmarks/bench_ratelimit.py [--datasets 200] [--window-scale 0.05]

A `zsync emulator --profile zenodo` enforces zenodo.org's limits (100 requests a minute and
5,000 an hour per user, a moving window); --window-scale shrinks the windows (0.05: 100
requests per 3 s) so that the run takes seconds, not minutes, with the same shape. N datasets
(one small file each) are created and published through the engine as `zsync apply` does,
with parallelism 4. The limit-bound minimum for the R requests the server accepted is
(ceil(R / 100) - 1) windows: the first 100 go at once, each later hundred waits for a window
to pass. Printed: the apply's time, that minimum, their ratio (target: at most 1.1) and the
429 answers the client met (target: 0). `rows()` returns the same figures.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests.adapters
from bench_apply import make_datasets

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.engine.apply import Applier
from zenodo_sync.engine.plan import make_plan
from zenodo_sync.engine.refresh import refresh
from zenodo_sync.engine.state import LockFile

TOKEN = "bench-ratelimit-token"
PER_MINUTE = 100  # zenodo.org, authenticated (emulator/ratelimit.py USER_PER_MINUTE)


class StatusCounter:
    """Counts this process's HTTP answers by status while installed."""

    def __init__(self) -> None:
        self.statuses: Counter = Counter()
        self._mutex = threading.Lock()
        self._original = requests.adapters.HTTPAdapter.send

    def __enter__(self) -> StatusCounter:
        original, counter = self._original, self

        def send(adapter: Any, *args: Any, **kwargs: Any) -> Any:
            response = original(adapter, *args, **kwargs)
            with counter._mutex:
                counter.statuses[response.status_code] += 1
            return response

        requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        requests.adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]


def rows(count: int = 200, window_scale: float = 0.05, parallelism: int = 4) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        desired = make_datasets(root, count)
        command = [sys.executable, "-m", "zenodo_sync", "emulator", "--port", "0", "--profile", "zenodo"]
        command += ["--rate-window-scale", str(window_scale), "--data-dir", str(root / "emu")]
        env = {**os.environ, "ZSYNC_EMULATOR_TOKEN": TOKEN}
        server = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        try:
            backend = ZenodoDepositBackend(url, TOKEN)
            lock = LockFile(root / "zsync.lock", server=url)
            plan = make_plan(desired.values(), refresh(backend, list(desired), lock), lock.entries)
            # The refresh above took part of the first window: start the clock on a fresh one.
            time.sleep(60 * window_scale)
            applier = Applier(backend, lock, desired, echo=lambda _t: None, parallelism=parallelism)
            with StatusCounter() as counter:
                started = time.perf_counter()
                report = applier.apply(plan)
                elapsed = time.perf_counter() - started
            assert not report.errors, [o.error for o in report.errors]
        finally:
            server.terminate()
            server.wait(timeout=10)
    accepted = sum(n for status, n in counter.statuses.items() if status != 429)
    window = 60 * window_scale
    minimum = max(0, math.ceil(accepted / PER_MINUTE) - 1) * window
    return [
        {
            "datasets": count,
            "window_s": window,
            "requests": accepted,
            "apply_s": elapsed,
            "minimum_s": minimum,
            "ratio": elapsed / minimum if minimum else float("nan"),
            "throttled": counter.statuses[429],
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--window-scale", type=float, default=0.05)
    args = parser.parse_args()
    for row in rows(args.datasets, args.window_scale):
        print(
            f"{row['datasets']} datasets, {row['requests']} requests, 100 per {row['window_s']:.0f} s: "
            f"apply {row['apply_s']:.1f} s, limit-bound minimum {row['minimum_s']:.1f} s, "
            f"ratio {row['ratio']:.2f}, {row['throttled']} x 429",
            flush=True,
        )


if __name__ == "__main__":
    main()
