"""What `zsync validate` accepts, the emulator's Zenodo translation layer accepts and would publish.

Guards against a validator that is looser than Zenodo (a valid manifest that fails at apply).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from zenodo_sync.emulator import translate
from zenodo_sync.manifest import load_project

REPO = Path(__file__).resolve().parents[2]
POSITIVE = sorted((REPO / "tests" / "example-files" / "positive").glob("*.yaml"))
TODAY = datetime.date(2026, 1, 1)


def _datasets():
    corpus = load_project(REPO / "tests" / "example-files", POSITIVE, today=TODAY).datasets
    return [*corpus, *load_project(REPO, today=TODAY).datasets]


@pytest.mark.parametrize("dataset", _datasets(), ids=lambda dataset: dataset.key)
def test_sent_metadata_is_stored_and_publishable(dataset):
    stored = translate.deposit_input_to_stored(dataset.metadata, today=TODAY.isoformat(), previous=None)
    assert translate.publish_errors(stored, max(1, len(dataset.files)), today=TODAY.isoformat()) == []
