"""The negative cases validate refuses for Zenodo's sake really fail there: the emulator (which
models Zenodo) refuses them at create or publish, drops what they say, or, for zsync's own
marker, the plan could never settle. A refusal without such a reason would only get in the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from zenodo_sync.emulator import translate
from zenodo_sync.engine.identity import with_marker, without_marker
from zenodo_sync.manifest.expand import to_deposit_metadata

NEGATIVE = Path(__file__).resolve().parents[1] / "example-files" / "negative"
TODAY = "2026-01-01"
EXPECT = re.compile(r"^# expect: \d+:\d+ ([a-z0-9-]+)")
ZENODO_RULES = {"orcid-unissued", "name-blank", "text-blank", "identifier-scheme-unknown"}


def _cases(rules: set[str]) -> list[Path]:
    found = []
    for path in sorted(NEGATIVE.glob("*.yaml")):
        match = EXPECT.match(path.read_text(encoding="utf-8", errors="replace"))
        if match and match[1] in rules:
            found.append(path)
    return found


def _sent(path: Path) -> dict:
    return to_deposit_metadata(yaml.safe_load(path.read_text())["metadata"])


@pytest.mark.parametrize("path", _cases(ZENODO_RULES), ids=lambda path: path.stem)
def test_zenodo_refuses_or_drops_it(path: Path):
    sent = _sent(path)
    try:
        stored = translate.deposit_input_to_stored(sent, today=TODAY, previous=None)
    except translate.LegacyInputError:
        return  # refused at create
    people = stored["metadata"].get("creators", []) + stored["metadata"].get("contributors", [])
    dropped_orcid = any(
        person.get("orcid") and "identifiers" not in stored_person["person_or_org"]
        for person, stored_person in zip(sent.get("creators", []), people, strict=False)
    )
    assert dropped_orcid or translate.publish_errors(stored, 1, today=TODAY), path.name


@pytest.mark.parametrize("path", _cases({"identifier-reserved"}), ids=lambda path: path.stem)
def test_a_hand_written_marker_never_settles(path: Path):
    sent = _sent(path)
    # What zsync sends replaces the user's marker, and what it reads back hides every marker:
    # the plan would show the user's entry as missing after every apply.
    assert (
        without_marker(with_marker(sent, "buoys")).get("related_identifiers") != sent["related_identifiers"]
    )


def test_every_zenodo_rule_has_a_case():
    assert {EXPECT.match(path.read_text())[1] for path in _cases(ZENODO_RULES)} == ZENODO_RULES
