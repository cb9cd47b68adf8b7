"""Every execution path the plan decides is shown as itself in text, Markdown and JSON."""

from __future__ import annotations

import json

import pytest

from zenodo_sync.errors import StateError
from zenodo_sync.model import Action, Adoption, DatasetChange, Plan
from zenodo_sync.render import common, markdown, text
from zenodo_sync.render import json as plan_json
from zenodo_sync.wording import plural

PATHS = {
    Action.RESUME_CREATE: "a will be resumed: its never-published draft 7 is finished",
    Action.RESUME_UPDATE: "a will be resumed: the open edit draft of record 7 is finished (same DOI)",
    Action.RESUME_NEW_VERSION: "a will be resumed: new-version draft 7 is finished",
    Action.DISCARD_DRAFT: "a will be resumed: draft 7 is discarded (record 5 matches)",
    Action.DISCARD_DRAFT_THEN_UPDATE: (
        "a will be resumed: draft 7 is discarded, then record 5 is updated in-place"
    ),
}


@pytest.mark.parametrize("action", list(PATHS))
def test_each_resume_path_has_its_own_header_legend_and_json_operation(action):
    plan = Plan(changes=[DatasetChange("a", action, record_id=5, draft_id=7)])
    output = text.render(plan)
    assert f"  # {PATHS[action]}" in output
    legend = output.split("zsync will perform the following actions:")[0]
    assert legend.count("  > ") == 1 and f"  > {common.LEGEND[action]}" in legend
    assert PATHS[action] in markdown.render(plan)
    change = json.loads(plan_json.render(plan))["changes"][0]
    assert (change["action"], change["operation"]) == ("resume", action.value)
    assert output.splitlines()[-1].endswith(", 1 to resume.")


def test_resumes_that_publish_a_new_doi_get_the_minting_banner():
    plan = Plan(
        changes=[
            DatasetChange("a", Action.RESUME_NEW_VERSION, draft_id=7),
            DatasetChange("b", Action.RESUME_UPDATE, draft_id=8),
        ]
    )
    assert "publishes 1 new DOI (`a`)" in markdown.render(plan)


def test_record_lock_is_said_but_is_not_a_change():
    plan = Plan(changes=[DatasetChange("logs", Action.RECORD_LOCK, record_id=20)])
    assert not plan.has_changes and plan.summary()["no-op"] == 1
    output = text.render(plan)
    assert output.endswith("No changes. Zenodo matches the manifests.\n")
    assert "zsync.lock will record what the server holds for: logs (nothing changes on Zenodo)" in output
    assert "zsync.lock will record what the server holds for: logs" in markdown.render(plan)
    change = json.loads(plan_json.render(plan))["changes"][0]
    assert (change["action"], change["operation"]) == ("no-op", "record-lock")


def test_adoption_and_warnings_round_trip_and_are_shown():
    change = DatasetChange(
        "a",
        Action.UPDATE,
        record_id=5,
        adopt=Adoption("urn:zsync:a", "4"),
        warnings=["communities: leaving `iodp` is not done by apply"],
    )
    plan = Plan(changes=[change, DatasetChange("b", Action.NO_OP, warnings=["x: dropped"])])
    data = json.loads(plan_json.render(plan))
    assert data["changes"][0]["adopt"] == {"marker": "urn:zsync:a", "concept_id": "4", "consent": "--adopt a"}
    assert data["summary"]["adopt"] == 1 and data["summary"]["update"] == 1
    assert data["changes"][1]["adopt"] is None and data["changes"][1]["warnings"] == ["x: dropped"]
    assert plan_json.plan_from_dict(data) == plan
    output = text.render(plan)
    assert "Warning: a: communities: leaving `iodp` is not done by apply" in output
    assert "Warning: b: x: dropped" in output  # shown although b itself is unchanged
    assert "> - b: x: dropped" in markdown.render(plan)


def test_a_format_1_resume_without_its_operation_is_refused():
    data = json.loads(plan_json.render(Plan(changes=[DatasetChange("a", Action.RESUME_CREATE, draft_id=7)])))
    del data["changes"][0]["operation"]
    with pytest.raises(StateError, match="without the `operation`"):
        plan_json.plan_from_dict(data)
    data["changes"][0]["operation"] = "update"
    with pytest.raises(StateError, match="is not a kind of 'resume'"):
        plan_json.plan_from_dict(data)


def test_a_format_1_plan_without_the_new_keys_still_reads():
    data = json.loads(plan_json.render(Plan(changes=[DatasetChange("a", Action.UPDATE, record_id=5)])))
    for key in ("operation", "adopt", "warnings"):
        del data["changes"][0][key]
    assert plan_json.plan_from_dict(data).changes[0].action == Action.UPDATE


def test_every_summary_counts_in_agreement_with_its_noun():
    one_each = Plan(
        changes=[DatasetChange("a", Action.NEW_VERSION, record_id=1), DatasetChange("b", Action.FORGET)]
    )
    assert common.summary_line(one_each) == (
        "Plan: 0 to create, 0 to update, 1 new version, 0 unchanged, 1 to forget."
    )
    assert "b will be forgotten (its records stay on Zenodo" in common.header(one_each.changes[1])
    assert [plural(n, "dataset") for n in (0, 1, 2)] == ["0 datasets", "1 dataset", "2 datasets"]


@pytest.mark.parametrize(
    "server",
    ["https://zenodo.org/api", "https://sandbox.zenodo.org/api", "http://127.0.0.1:5000/api", ""],
)
def test_zenodo_its_sandbox_and_the_emulator_are_called_zenodo(server):
    plan = Plan(changes=[DatasetChange("logs", Action.RECORD_LOCK, record_id=20)], server=server)
    assert common.server_name(plan) == "Zenodo"
    output = text.render(plan)
    assert output.endswith("No changes. Zenodo matches the manifests.\n")
    assert "(nothing changes on Zenodo)" in output


def test_another_invenio_rdm_instance_is_called_by_its_host():
    server = "https://researchdata.tuwien.ac.at/api"
    unchanged = Plan(changes=[DatasetChange("logs", Action.RECORD_LOCK, record_id=20)], server=server)
    output = text.render(unchanged)
    assert output.endswith("No changes. researchdata.tuwien.ac.at matches the manifests.\n")
    assert "(nothing changes on researchdata.tuwien.ac.at)" in output
    assert "Zenodo" not in output
    changes = [
        DatasetChange("gone", Action.FORGET, record_id=3),
        DatasetChange("drifted", Action.UPDATE, record_id=4, drift=True),
        DatasetChange("new", Action.CREATE),
    ]
    changed = Plan(changes=changes, server=server)
    output = text.render(changed)
    assert "zsync compared the manifests with researchdata.tuwien.ac.at." in output
    assert "gone will be forgotten (record 3 stays on researchdata.tuwien.ac.at;" in output
    assert "drifted has changed on researchdata.tuwien.ac.at (record 4)" in output
    assert "Zenodo" not in output
    assert "its DOI stay on researchdata.tuwien.ac.at." in markdown.render(changed)
