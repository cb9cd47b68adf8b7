"""`zsync apply PATH...` like `zsync plan PATH...`, and `--target` answering a typo with the nearest key."""

from __future__ import annotations

import pytest

from .conftest import BOTH_BACKENDS
from .test_lifecycle import actions, assert_plan_empty

pytestmark = BOTH_BACKENDS  # plan and apply on both backends (conftest.py)


def test_apply_for_paths_applies_only_those_manifests(project, zenv, zsync, server):
    result = zsync("apply", "--auto-approve", "datasets/alpha")
    assert result.code == 0, result.err + result.out
    server.assert_exactly({"alpha": 1})
    assert list(project.lock["datasets"]) == ["alpha"]
    assert actions(zsync) == {"alpha": "no-op", "beta": "create"}
    both = zsync("apply", "--auto-approve", "datasets/alpha/zenodo.yaml", "datasets/beta")
    assert both.code == 0, both.err + both.out
    server.assert_exactly({"alpha": 1, "beta": 1})
    assert_plan_empty(zsync)


def test_a_saved_plan_cannot_be_combined_with_paths(project, zenv, zsync, server):
    assert zsync("plan", "-out", "plan.zplan").code == 0
    result = zsync("apply", "plan.zplan", "datasets/alpha")
    assert result.code == 1 and "plan.zplan" in result.err and "saved plan" in result.err
    assert server.records() == []


@pytest.mark.parametrize("command", [("plan",), ("apply", "--auto-approve")])
def test_a_mistyped_target_is_answered_with_the_nearest_key(project, zenv, zsync, server, command):
    result = zsync(*command, "--target", "alpah")
    assert result.code == 1
    assert "--target alpah: no manifest has this key" in result.err
    assert "Did you mean `--target alpha`?" in result.err
    assert server.records() == []
