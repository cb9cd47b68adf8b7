"""The comment body: its marker first, touched datasets first, and under GitHub's limit."""

from __future__ import annotations

from zenodo_sync.ci.report import plan_markdown, summary_markdown
from zenodo_sync.model import Action, DatasetChange, FieldChange, Plan

GITHUB_COMMENT_LIMIT = 65_536


def big_plan(datasets: int = 60) -> Plan:
    changes = [
        DatasetChange(
            key=f"set-{number:03d}",
            action=Action.UPDATE,
            field_changes=[
                FieldChange(f"keywords.{i}", None, f"keyword {i} " * 15, "add") for i in range(20)
            ],
        )
        for number in range(datasets)
    ]
    return Plan(changes=changes, server="https://zenodo.org/api")


def test_a_big_plan_is_cut_under_the_comment_limit_and_points_at_the_job_summary():
    body = plan_markdown(big_plan(), folder="data/zenodo", touched={"set-059"})
    assert len(body) <= GITHUB_COMMENT_LIMIT
    assert body.startswith("<!-- zsync-plan:data/zenodo -->\nProject: `data/zenodo`")
    assert "This plan was cut to stay under GitHub's 65,536-character comment limit" in body
    assert "job summary" in body
    # The dataset the pull request touched is shown first, before the cut.
    assert body.index("set-059") < body.index("set-000")

    summary = summary_markdown(big_plan(), folder="data/zenodo", touched={"set-059"})
    assert "was cut" not in summary and "set-000" in summary and len(summary) > GITHUB_COMMENT_LIMIT
