"""Backend tests run against the emulator over real HTTP; waits are recorded, not slept."""

from __future__ import annotations

import time

import pytest
import requests

from zenodo_sync.backends.zenodo import ZenodoDepositBackend


class RecordedSleep:
    """Stands in for time.sleep: remembers what was asked and waits only a token amount."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(min(seconds, 0.005))


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


@pytest.fixture
def sleep():
    return RecordedSleep()


@pytest.fixture
def backend(emulator, sleep):
    return ZenodoDepositBackend(emulator.url, emulator.token, sleep=sleep, backoff=0.01, retries=3,
                                timeout=(5, 30))


@pytest.fixture
def faults(emulator):
    helper = Faults(emulator.url)
    yield helper
    helper.clear()
