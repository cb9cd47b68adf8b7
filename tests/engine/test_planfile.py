"""Saved plans: exact round trip, and refusal naming the dataset and what moved."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from zenodo_sync.engine.plan import make_plan
from zenodo_sync.engine.planfile import already_applied, check_not_stale, read_plan, write_plan
from zenodo_sync.errors import StalePlanError, StateError
from zenodo_sync.model import Action, Adoption

from .test_plan import MD5_B, META, actual, desired, entry_for, record

SERVER = "http://127.0.0.1:5000/api"


def a_plan(title="Changed title", files=None, modified="t1"):
    latest = record(modified=modified)
    return make_plan(
        [desired({**META, "title": title}, files=files), desired(key="zeta")],
        {"rose": actual(latest)},
        {"rose": entry_for(latest)},
        server=SERVER,
    )


def test_round_trip_keeps_every_field_apply_reads(tmp_path):
    plan = a_plan()
    write_plan(tmp_path / "p.zplan", plan)
    loaded, targets = read_plan(tmp_path / "p.zplan")
    assert targets == []
    assert loaded.server == SERVER
    assert [(c.key, c.action, c.record_id, c.draft_id, c.publish, c.basis) for c in loaded.changes] == [
        (c.key, c.action, c.record_id, c.draft_id, c.publish, c.basis) for c in plan.changes
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["p.zplan"]


def test_unchanged_world_is_not_stale():
    check_not_stale(a_plan(), a_plan())


@pytest.mark.parametrize(
    "fresh, words",
    [
        (lambda: a_plan(title="Yet another title"), "rose: its manifest changed"),
        (lambda: a_plan(files={"data.csv": MD5_B}), "rose: files changed since the plan was made: data.csv"),
        (lambda: a_plan(modified="t2"), "rose: the record on the server changed"),
    ],
)
def test_moved_world_is_refused_naming_dataset_and_cause(fresh, words):
    with pytest.raises(StalePlanError, match=words):
        check_not_stale(a_plan(), fresh())


def test_other_server_and_new_changes_are_refused():
    other = a_plan()
    other.server = "https://zenodo.org/api"
    with pytest.raises(StalePlanError, match="made for"):
        check_not_stale(a_plan(), other)
    saved = a_plan()
    saved.changes = [c for c in saved.changes if c.key != "zeta"]
    with pytest.raises(StalePlanError, match="zeta"):
        check_not_stale(saved, a_plan())


def test_action_change_alone_is_refused():
    saved = a_plan()
    fresh = copy.deepcopy(saved)
    fresh.changes[0].action = Action.NEW_VERSION
    with pytest.raises(StalePlanError, match="new-version"):
        check_not_stale(saved, fresh)


@pytest.mark.parametrize(
    "text, words",
    [
        ("nonsense", "cannot read"),
        ('{"kind": "other"}', "not a zsync plan"),
        ('{"kind": "zsync-plan", "format_version": "7"}', "format_version"),
    ],
)
def test_unreadable_plan_files(tmp_path, text, words):
    path = tmp_path / "p.zplan"
    path.write_text(text)
    with pytest.raises(StateError, match=words):
        read_plan(path)
    with pytest.raises(StateError, match="no such plan file"):
        read_plan(tmp_path / "missing.zplan")


def test_a_plan_file_holds_each_basis_once_inside_its_change(tmp_path):
    plan = a_plan()
    write_plan(tmp_path / "p.zplan", plan)
    data = json.loads((tmp_path / "p.zplan").read_text())
    assert "basis" not in data
    assert [c["basis"] for c in data["plan"]["changes"]] == [c.basis for c in plan.changes]
    assert [c["operation"] for c in data["plan"]["changes"]] == [c.action.value for c in plan.changes]


def carried_out(plan, keep=()):
    """`plan` as a fresh plan sees it once applied: no-ops, the server's records moved on."""

    def done(change):
        remote = {**change.basis["remote"], "latest_id": 999, "latest_modified": "t9"}
        return dataclasses.replace(change, action=Action.NO_OP, basis={**change.basis, "remote": remote})

    return dataclasses.replace(plan, changes=[c if c.key in keep else done(c) for c in plan.changes])


def test_a_plan_whose_every_change_is_done_was_already_applied():
    saved = a_plan()
    assert saved.has_changes
    assert already_applied(saved, carried_out(saved))
    assert not already_applied(saved, a_plan())  # nothing done yet: an ordinary saved plan
    assert not already_applied(saved, carried_out(saved, keep=("zeta",)))  # half done
    assert not already_applied(saved, carried_out(a_plan(title="Yet another title")))  # other manifest
    assert not already_applied(saved, carried_out(a_plan(files={"data.csv": MD5_B})))  # other files
    assert not already_applied(carried_out(saved), carried_out(saved))  # a plan of no-ops is not "applied"


def test_an_adoption_not_yet_carried_out_is_not_already_applied():
    adopting = carried_out(a_plan())
    adopting.changes = [
        dataclasses.replace(c, adopt=Adoption(marker=f"urn:zsync:{c.key}", concept_id="7"))
        for c in adopting.changes
    ]
    assert adopting.has_changes
    assert not already_applied(adopting, adopting)  # still to adopt: applied exactly, not skipped
    assert already_applied(adopting, carried_out(a_plan()))  # adopted: the lock names the records now
