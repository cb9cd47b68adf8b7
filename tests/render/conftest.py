"""Plans to render: built from real fixture metadata through normalise + diff, as the engine does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zenodo_sync.engine.diff import diff_metadata
from zenodo_sync.engine.normalise import canonical_actual, canonical_desired
from zenodo_sync.model import Action, DatasetChange, FileChange, Plan

FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture_metadata(name: str) -> dict:
    data = json.loads((FIXTURES / name).read_text())
    return data["metadata"]


@pytest.fixture
def rose_create() -> DatasetChange:
    rose = fixture_metadata("rose-deposition-metadata.json")
    return DatasetChange(
        "rose",
        Action.CREATE,
        manifest_path="datasets/rose.yaml",
        field_changes=diff_metadata({}, canonical_desired(rose)),
        file_changes=[FileChange("rose.csv", "add", 123_456, "a" * 32, None)],
    )


@pytest.fixture
def iodp_update() -> DatasetChange:
    record = fixture_metadata("zenodo-record-6515860.json")
    wanted = dict(record)
    wanted["title"] = "IODP Expedition 374 Colour reflectance"
    wanted["description"] = record["description"].replace("380 to 700 nm", "380 to 720 nm")
    wanted["creators"] = [record["creators"][1], record["creators"][0], *record["creators"][3:]]
    before = canonical_actual(record)
    after = canonical_actual(wanted)  # both sides in the records API's shape
    return DatasetChange(
        "iodp",
        Action.UPDATE,
        manifest_path="datasets/iodp.yaml",
        record_id=12,
        concept_id="11",
        doi="10.5072/zenodo.12",
        concept_doi="10.5072/zenodo.11",
        field_changes=diff_metadata(before, after),
    )


@pytest.fixture
def cores_new_version() -> DatasetChange:
    return DatasetChange(
        "cores",
        Action.NEW_VERSION,
        reason="files changed",
        record_id=14,
        concept_id="11",
        doi="10.5072/zenodo.14",
        concept_doi="10.5072/zenodo.11",
        file_changes=[
            FileChange("a.csv", "replace", 2_500_000, "b" * 32, "c" * 32),
            FileChange("b.csv", "keep", 10, "d" * 32, "d" * 32),
            FileChange("old.csv", "remove", 999, None, "e" * 32),
        ],
        basis={"record_modified": "2026-11-22T08:00:00+00:00", "files": {"a.csv": "b" * 32}},
    )


@pytest.fixture
def unchanged() -> DatasetChange:
    return DatasetChange("logs", Action.NO_OP, record_id=20, doi="10.5072/zenodo.20")


@pytest.fixture
def mixed_plan(rose_create, iodp_update, cores_new_version, unchanged) -> Plan:
    return Plan(
        changes=[rose_create, iodp_update, cores_new_version, unchanged], server="http://127.0.0.1:5000/api"
    )
