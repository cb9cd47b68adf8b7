"""render/json.py: versioned, stable, exact round trip; bad files refused with a clear message."""

from __future__ import annotations

import json

import pytest

from zenodo_sync.errors import StateError
from zenodo_sync.model import Action, DatasetChange, Plan
from zenodo_sync.render import json as plan_json
from zenodo_sync.render import render

CHANGE_KEYS = [
    "key",
    "action",
    "manifest_path",
    "record_id",
    "concept_id",
    "draft_id",
    "doi",
    "concept_doi",
    "field_changes",
    "file_changes",
    "drift",
    "publish",
    "reason",
    "basis",
    "operation",
    "adopt",
    "warnings",
    "draft_for_review",
]  # format 1.x: keys added at the end only


def test_shape_and_key_order(mixed_plan):
    data = json.loads(plan_json.render(mixed_plan))
    assert list(data) == ["format_version", "server", "targeted", "changes", "summary"]
    assert data["format_version"] == "1"
    assert data["server"] == "http://127.0.0.1:5000/api"
    assert [list(change) for change in data["changes"]] == [CHANGE_KEYS] * 4
    assert data["summary"] == {
        "create": 1,
        "update": 1,
        "new-version": 1,
        "resume": 0,
        "no-op": 1,
        "forget": 0,
        "adopt": 0,
    }
    iodp = data["changes"][1]
    assert iodp["action"] == "update" and iodp["record_id"] == 12 and iodp["concept_id"] == "11"
    assert {
        "path": "title",
        "kind": "change",
        "before": "IODP Expedition 374 Color reflectance",
        "after": "IODP Expedition 374 Colour reflectance",
    } in iodp["field_changes"]
    cores = data["changes"][2]
    assert cores["file_changes"][0] == {
        "name": "a.csv",
        "kind": "replace",
        "size": 2_500_000,
        "local_md5": "b" * 32,
        "remote_md5": "c" * 32,
    }


def test_round_trip_is_exact(mixed_plan):
    mixed_plan.targeted = True
    text = plan_json.render(mixed_plan)
    again = plan_json.plan_from_dict(json.loads(text))
    assert again == mixed_plan
    assert plan_json.render(again) == text


def test_output_is_stable_whatever_the_basis_order(cores_new_version):
    reordered = DatasetChange(
        **{**cores_new_version.__dict__, "basis": dict(reversed(list(cores_new_version.basis.items())))}
    )
    assert plan_json.render(Plan(changes=[reordered])) == plan_json.render(Plan(changes=[cores_new_version]))


def test_the_registry_renders_every_format(mixed_plan):
    assert render(mixed_plan, "json") == plan_json.render(mixed_plan)
    assert render(mixed_plan, "text").rstrip().endswith("unchanged.")
    assert render(mixed_plan, "markdown").startswith("<!-- zsync:plan -->")
    with pytest.raises(ValueError):
        render(mixed_plan, "yaml")


def test_a_minor_version_with_unknown_keys_is_read():
    data = plan_json.plan_to_dict(Plan(changes=[DatasetChange("a", Action.NO_OP)]))
    data["format_version"] = "1.3"
    data["new_top_level_key"] = 1
    data["changes"][0]["new_change_key"] = 2
    assert plan_json.plan_from_dict(data).changes[0].key == "a"


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format_version="2"), "format version 2"),
        (lambda d: d.pop("format_version"), "format_version is missing"),
        (lambda d: d.update(changes={}), "changes must be a list"),
        (lambda d: d["changes"][0].update(action="delete"), "changes[0].action 'delete' is not one of"),
        (lambda d: d["changes"][0].update(record_id="12"), "changes[0].record_id has the wrong type"),
        (lambda d: d["changes"][0].update(record_id=True), "changes[0].record_id has the wrong type"),
        (lambda d: d["changes"][0].pop("key"), "changes[0].key is missing"),
        (
            lambda d: d["changes"][0]["field_changes"].append({"path": "x"}),
            "field_changes[0].kind is missing",
        ),
    ],
)
def test_unreadable_plans_are_refused_with_the_place(mutate, message):
    data = plan_json.plan_to_dict(Plan(changes=[DatasetChange("a", Action.UPDATE, record_id=1)]))
    mutate(data)
    with pytest.raises(StateError) as error:
        plan_json.plan_from_dict(data)
    assert message in error.value.message


def test_not_an_object_is_refused():
    with pytest.raises(StateError):
        plan_json.plan_from_dict([1, 2])
