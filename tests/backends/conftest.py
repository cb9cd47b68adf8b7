"""Backend tests run against the emulator over real HTTP; waits are recorded, not slept."""

from __future__ import annotations

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend

from .helpers import Faults, RecordedSleep


@pytest.fixture
def sleep():
    return RecordedSleep()


@pytest.fixture
def backend(emulator, sleep):
    return ZenodoDepositBackend(
        emulator.url,
        emulator.token,
        sleep=sleep,
        limiter=sleep.limiter(),
        backoff=0.01,
        retries=3,
        timeout=(5, 30),
    )


@pytest.fixture
def faults(emulator):
    helper = Faults(emulator.url)
    yield helper
    helper.clear()
