"""render/markdown.py: a PR comment: marker, summary first, DOI warning, folded diffs, size limit."""

from __future__ import annotations

import re

from zenodo_sync.model import Action, DatasetChange, FieldChange, Plan
from zenodo_sync.render import markdown


def test_marker_then_summary_first(mixed_plan):
    lines = markdown.render(mixed_plan).splitlines()
    assert lines[0] == "<!-- zsync:plan -->"
    first_text = next(line for line in lines[1:] if line and not line.startswith("#"))
    assert first_text == "**Plan: 1 to create, 1 to update, 1 new version, 1 unchanged.**"


def test_target_goes_into_the_marker(mixed_plan):
    assert markdown.render(mixed_plan, target="datasets/a").startswith(
        "<!-- zsync:plan target=datasets/a -->"
    )


def test_warning_banner_when_dois_are_minted(mixed_plan):
    output = markdown.render(mixed_plan)
    assert "> [!WARNING]" in output
    assert "publishes 2 new DOIs (`rose`, `cores`)" in output
    assert "cannot be undone" in output


def test_no_banner_for_updates_or_drafts(iodp_update):
    assert "[!WARNING]" not in markdown.render(Plan(changes=[iodp_update]))
    draft = DatasetChange("d", Action.CREATE, publish=False)
    assert "[!WARNING]" not in markdown.render(Plan(changes=[draft]))


def test_one_folded_block_per_changed_dataset(mixed_plan):
    output = markdown.render(mixed_plan)
    assert output.count("<details>") == output.count("</details>") == 3
    assert "<summary><code>+</code> rose will be created</summary>" in output
    assert (
        "<summary><code>~</code> iodp will be updated in-place (same DOI 10.5072/zenodo.12)</summary>"
        in output
    )
    assert "<summary><code>-/+</code> cores will get a new version" in output
    assert "logs" not in output


def test_diffs_have_markers_in_column_zero(mixed_plan):
    output = markdown.render(mixed_plan)
    assert (
        '- title: "IODP Expedition 374 Color reflectance"\n+ title: "IODP Expedition 374 Colour reflectance"'
        in output
    )
    assert "\n-Spectral counts are recorded in the range of 380 to 700 nm" in output
    assert "\n+ file rose.csv (123.5 kB)" in output
    assert "\n- file a.csv (md5 cccccccc)\n+ file a.csv (2.5 MB, md5 bbbbbbbb)" in output
    fences = re.findall(r"^```(diff)?$", output, re.MULTILINE)
    assert fences.count("diff") * 2 == len(fences)  # every fence opened is closed


def test_a_value_with_backticks_cannot_close_the_fence():
    change = DatasetChange(
        "x",
        Action.UPDATE,
        doi="10.5072/zenodo.1",
        field_changes=[FieldChange("notes", "a", "```\nnot code", "change")],
    )
    output = markdown.render(Plan(changes=[change]))
    assert "````diff" in output


def test_html_in_keys_is_escaped():
    output = markdown.render(Plan(changes=[DatasetChange("<b>x</b>", Action.CREATE)]))
    assert "&lt;b&gt;x&lt;/b&gt; will be created" in output


def test_drift_note(iodp_update):
    iodp_update.drift = True
    assert "Objects have changed outside of zsync:** `iodp`" in markdown.render(Plan(changes=[iodp_update]))


def test_no_changes():
    output = markdown.render(Plan(changes=[DatasetChange("a", Action.NO_OP)]))
    assert "**No changes. Zenodo matches the manifests.**" in output
    assert "<details>" not in output


def many_datasets(count: int, lines_each: int) -> Plan:
    changes = [
        DatasetChange(
            f"dataset-{index:04d}",
            Action.UPDATE,
            doi=f"10.5072/zenodo.{index}",
            field_changes=[
                FieldChange(f"keywords.{line}", None, f"keyword {line} " + "x" * 60, "add")
                for line in range(lines_each)
            ],
        )
        for index in range(count)
    ]
    return Plan(changes=changes)


def test_a_long_plan_is_cut_below_githubs_limit_with_a_note():
    plan = many_datasets(400, 30)
    full = markdown.render(plan, max_chars=10**9)
    assert len(full) > 65_536
    output = markdown.render(plan)
    assert len(output) <= markdown.DEFAULT_MAX_CHARS < markdown.GITHUB_COMMENT_LIMIT
    assert output.startswith("<!-- zsync:plan -->")
    assert "**Plan: 0 to create, 400 to update, 0 new versions, 0 unchanged.**" in output
    note = output.rstrip("\n").splitlines()[-1]
    cut = int(re.search(r"([\d,]+) characters left out", note).group(1).replace(",", ""))
    assert cut == len(full) - len(output.split("> [!CAUTION]")[0])
    assert "changed datasets shown in full" in note and "and " in note and " more" in note
    assert "job summary" in note
    assert output.count("<details>") == output.count("</details>")
    assert output.count("```diff") * 2 == len(re.findall(r"^```", output, re.MULTILINE))


def test_a_single_huge_dataset_is_cut_line_by_line():
    plan = many_datasets(1, 3000)
    output = markdown.render(plan, max_chars=20_000, full_plan_hint="See the step summary.")
    assert len(output) <= 20_000
    assert re.search(r"_\(\d+ more diff lines cut\.\)_", output)
    assert "`dataset-0000` cut short" in output
    assert output.rstrip().endswith("See the step summary.")
    assert output.count("<details>") == output.count("</details>") == 1


def test_a_plan_that_fits_is_not_cut(mixed_plan):
    output = markdown.render(mixed_plan)
    assert "[!CAUTION]" not in output
    assert output == markdown.render(mixed_plan, max_chars=len(output))
    assert "[!CAUTION]" in markdown.render(mixed_plan, max_chars=len(output) - 1)
