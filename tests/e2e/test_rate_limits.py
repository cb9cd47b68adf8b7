"""Against a server that announces its limits, zsync waits for budget and never meets a 429.

Issue #8: 25 new datasets against `zsync emulator --profile zenodo` received 11 429s (one
create reached retry 4 of 5). The emulator runs Zenodo's limits (100 a minute, 5000 an
hour, moving windows, X-RateLimit-* headers) with every window scaled down twentyfold, so
the same logic is met in seconds rather than minutes; the 429s are counted at the emulator.
"""

from __future__ import annotations

import logging
import time

import requests

from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV, ServerView

DATASETS = 50
WINDOW_SCALE = 0.05  # Zenodo's "100 per minute" becomes 100 per 3 seconds


def test_fifty_datasets_at_parallelism_eight_meet_no_429(project, zsync, tmp_path, monkeypatch, caplog):
    for number in range(DATASETS - 2):  # alpha and beta are already there
        key = f"set-{number:02d}"
        project.write_manifest(key, f"Rose scent series {number:02d}", {"data.csv": f"n\n{number}\n"})
    with running_emulator(data_dir=tmp_path / "emu", profile="zenodo", rate_window_scale=WINDOW_SCALE) as emu:
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)
        started = time.monotonic()
        with caplog.at_level(logging.WARNING):
            result = zsync("apply", "--auto-approve", "--parallelism", "8")
        elapsed = time.monotonic() - started
        refused = requests.get(f"{emu.url}/_emulator/ratelimits", timeout=10).json()["refused"]
        assert result.code == 0, result.out[-3000:] + result.err[-3000:]
        assert refused == 0, f"the emulator answered {refused} requests with 429"
        published = [r for r in ServerView(emu).records() if not r.is_draft]
    assert len(published) == DATASETS
    # The wait is said once, not once per request with its URL.
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len([m for m in said if "rate limit" in m]) <= 1, said
    assert not [m for m in said if "/api/" in m or "429" in m], said
    assert elapsed < 60
