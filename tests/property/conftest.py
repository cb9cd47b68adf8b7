"""One emulator for the whole property-test session: each example is a fresh project (own
directory, own marker namespace) on it, so examples never see each other's records."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zenodo_sync.emulator import EmulatorHandle, running_emulator


@pytest.fixture(scope="session")
def session_emulator(tmp_path_factory) -> Iterator[EmulatorHandle]:
    with running_emulator(data_dir=tmp_path_factory.mktemp("property-emulator"), profile="fast") as emu:
        yield emu
