"""render/text.py: Terraform-shaped terminal output drawn from a Plan."""

from __future__ import annotations

import re

from zenodo_sync.model import Action, DatasetChange, FieldChange, Plan
from zenodo_sync.render import text

SUMMARY = re.compile(
    r"^Plan: (\d+) to create, (\d+) to update, (\d+) new versions?, (\d+) unchanged"
    r"(, (\d+) to resume)?(, (\d+) to forget)?(, (\d+) to adopt)?\.$",
    re.MULTILINE,
)


def test_summary_line_is_exact_and_last(mixed_plan):
    output = text.render(mixed_plan)
    assert (
        output.rstrip("\n").splitlines()[-1] == "Plan: 1 to create, 1 to update, 1 new version, 1 unchanged."
    )
    assert SUMMARY.search(output)


def test_no_changes_message():
    plan = Plan(changes=[DatasetChange("logs", Action.NO_OP, record_id=20)])
    assert text.render(plan) == "No changes. Zenodo matches the manifests.\n"
    assert text.render(Plan(changes=[])) == "No changes. Zenodo matches the manifests.\n"


def test_resume_and_forget_counts_appear_only_when_present():
    plan = Plan(
        changes=[
            DatasetChange("a", Action.RESUME_NEW_VERSION, draft_id=7),
            DatasetChange("b", Action.FORGET, record_id=8),
            DatasetChange("c", Action.NO_OP),
        ]
    )
    assert text.render(plan).splitlines()[-1] == (
        "Plan: 0 to create, 0 to update, 0 new versions, 1 unchanged, 1 to resume, 1 to forget."
    )


def test_legend_lists_only_the_symbols_used(mixed_plan):
    output = text.render(mixed_plan)
    legend = output.split("zsync will perform the following actions:")[0]
    assert "  + create" in legend
    assert "  ~ update in-place" in legend
    assert "-/+ new version (new DOI, same concept)" in legend
    assert "resume" not in legend and "forget" not in legend
    only_create = Plan(changes=[mixed_plan.changes[0]])
    legend = text.render(only_create).split("zsync will perform the following actions:")[0]
    assert "update in-place" not in legend and "new version" not in legend


def test_headers_per_dataset(mixed_plan):
    output = text.render(mixed_plan)
    assert "  # rose will be created" in output
    assert "  # iodp will be updated in-place (same DOI 10.5072/zenodo.12)" in output
    assert "  # cores will get a new version (new DOI under concept 10.5072/zenodo.11)" in output
    assert "  # (files changed)" in output
    assert "logs" not in output  # unchanged datasets are only counted


def test_resume_and_forget_headers():
    plan = Plan(
        changes=[
            DatasetChange("a", Action.RESUME_NEW_VERSION, draft_id=7),
            DatasetChange("b", Action.FORGET, record_id=8),
        ]
    )
    output = text.render(plan)
    assert "# a will be resumed: new-version draft 7 is finished" in output
    assert "# b will be forgotten (record 8 stays on Zenodo; zsync stops managing it)" in output
    assert "  > resume" in output and "  . forget" in output


def test_field_lines(mixed_plan):
    output = text.render(mixed_plan)
    assert (
        '~ title: "IODP Expedition 374 Color reflectance" -> "IODP Expedition 374 Colour reflectance"'
        in output
    )
    assert '+ license: "cc-by-4.0"' in output  # a create lists what it will send
    assert re.search(r'~ creators\.0: \{"name": "De Santis, Laura".*\} \(moved from creators\.1\)', output)
    assert re.search(r'- creators\.2: \{"name": "Kulhanek, Denise K\."', output)


def test_long_text_is_a_unified_diff(mixed_plan):
    output = text.render(mixed_plan)
    block = output.split("~ description: (1 line added, 1 removed)")[1].split("}")[0]
    assert "@@ " in block
    assert "-Spectral counts are recorded in the range of 380 to 700 nm" in block
    assert "+Spectral counts are recorded in the range of 380 to 720 nm" in block


def test_file_lines_with_sizes(mixed_plan):
    output = text.render(mixed_plan)
    assert "+ file rose.csv (123.5 kB)" in output
    assert "~ file a.csv (2.5 MB, md5 cccccccc -> bbbbbbbb)" in output
    assert "- file old.csv (999 B)" in output
    assert "(1 unchanged file hidden)" in output
    assert "b.csv" not in output


def test_drift_section_comes_first():
    plan = Plan(
        changes=[
            DatasetChange(
                "iodp",
                Action.UPDATE,
                record_id=12,
                doi="10.5072/zenodo.12",
                drift=True,
                field_changes=[FieldChange("title", "Edited on the website", "T", "change")],
            )
        ]
    )
    output = text.render(plan)
    assert output.startswith("Note: Objects have changed outside of zsync")
    assert "# iodp has changed on Zenodo (record 12)" in output
    assert output.index("Objects have changed") < output.index("zsync will perform the following actions")


def test_no_drift_section_without_drift(mixed_plan):
    assert "outside of zsync" not in text.render(mixed_plan)


def test_publish_false_is_said():
    plan = Plan(changes=[DatasetChange("draft", Action.CREATE, publish=False)])
    assert "publish: false" in text.render(plan)


def test_colour_only_when_asked(mixed_plan):
    assert "\x1b[" not in text.render(mixed_plan)
    coloured = text.render(mixed_plan, color=True)
    assert "\x1b[32m+\x1b[0m" in coloured  # a green create symbol
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == text.render(mixed_plan)
