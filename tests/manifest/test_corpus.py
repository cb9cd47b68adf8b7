"""Every manifest in tests/example-files/negative is rejected at its `# expect: LINE:COL RULE`, with that
rule and no other error; every one in positive/ is valid."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from zenodo_sync.manifest import load_project

CORPUS = Path(__file__).resolve().parents[1] / "example-files"
EXPECT = re.compile(rb"^# expect: (\d+):(\d+) ([a-z0-9-]+)\s*$")
TODAY = datetime.date(2026, 1, 1)

NEGATIVE = sorted((CORPUS / "negative").glob("*.yaml"))
POSITIVE = sorted((CORPUS / "positive").glob("*.yaml"))


def test_corpus_is_big_enough():
    assert len(NEGATIVE) >= 60
    assert len(POSITIVE) >= 5


@pytest.mark.parametrize("path", NEGATIVE, ids=lambda path: path.stem)
def test_negative_case_rejected_at_expected_place(path: Path):
    match = EXPECT.match(path.read_bytes().splitlines()[0])
    assert match, f"{path.name}: first line must be '# expect: LINE:COL RULE'"
    line, column, rule = int(match[1]), int(match[2]), match[3].decode()

    project = load_project(CORPUS, [path], today=TODAY)

    errors = [(f.line, f.column, f.rule) for f in project.errors]
    assert errors == [(line, column, rule)], [str(f) for f in project.errors]
    assert project.datasets == []
    assert all(f.file == f"negative/{path.name}" for f in project.errors)


@pytest.mark.parametrize("path", POSITIVE, ids=lambda path: path.stem)
def test_positive_case_is_valid(path: Path):
    project = load_project(CORPUS, [path], today=TODAY)

    assert project.errors == []
    assert len(project.datasets) == 1
