"""Helpers shared by the backend tests (imported by conftest and the test modules)."""

from __future__ import annotations

import time

import requests

from zenodo_sync.engine.files import hash_files
from zenodo_sync.model import LocalFile


def metadata(title="Soil moisture at site A", version="1.0.0", **extra):
    data = {
        "title": title,
        "upload_type": "dataset",
        "description": "<p>Hourly soil moisture.</p>",
        "creators": [{"name": "Doe, Jane", "affiliation": "Example University"}],
        "version": version,
    }
    data.update(extra)
    return data


def local_file(tmp_path, name, content: bytes) -> LocalFile:
    path = tmp_path / name
    path.write_bytes(content)
    return hash_files([LocalFile(name=name, path=path, size=len(content))], None)[0]


class RecordedSleep:
    """Stands in for time.sleep: remembers what was asked and waits only a token amount.

    `clock`/`wall_clock` run ahead by the time "slept", so a RateLimiter given them sees
    its waits pass as they would in real time.
    """

    def __init__(self):
        self.calls: list[float] = []
        self.offset = 0.0

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.offset += seconds
        time.sleep(min(seconds, 0.005))

    def clock(self) -> float:
        return time.monotonic() + self.offset

    def wall_clock(self) -> float:
        return time.time() + self.offset

    def limiter(self, **kwargs):
        from zenodo_sync.backends.ratelimit import RateLimiter

        return RateLimiter(sleep=self, clock=self.clock, wall_clock=self.wall_clock, **kwargs)


class Faults:
    """Switches the emulator's fault injection at runtime (H3's admin endpoint)."""

    def __init__(self, api_url: str):
        self.url = f"{api_url}/_emulator/faults"

    def set(self, spec: str) -> None:
        response = requests.post(self.url, json={"spec": spec}, timeout=5)
        assert response.status_code == 200, response.text

    def clear(self) -> None:
        requests.delete(self.url, timeout=5).raise_for_status()

    def fired(self) -> int:
        return sum(rule["fired"] for rule in requests.get(self.url, timeout=5).json()["rules"])
