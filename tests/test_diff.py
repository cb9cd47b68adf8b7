"""diff.py: field-level changes between canonical metadata, file changes, long-text hunks."""

from __future__ import annotations

from pathlib import Path

from zenodo_sync.engine.diff import diff_files, diff_metadata, one_way_removals
from zenodo_sync.engine.normalise import canonical_actual, canonical_desired
from zenodo_sync.model import FieldChange, LocalFile, RemoteFile
from zenodo_sync.render.textdiff import is_long_text, summarise_text_change, unified_text_diff

DOE = {"name": "Doe, John", "orcid": "0000-0002-1825-0097"}
ROE = {"name": "Roe, Ann"}
POE = {"name": "Poe, Ed", "affiliation": "Uni"}


def by_path(changes):
    return {change.path: change for change in changes}


def test_equal_metadata_has_no_changes():
    data = {"title": "T", "creators": [DOE, ROE], "custom": {"a": [1]}}
    assert diff_metadata(data, dict(data)) == []


def test_scalar_change_add_and_remove():
    changes = diff_metadata({"title": "Old", "version": "1"}, {"title": "New", "language": "eng"})
    assert changes == [
        FieldChange("title", "Old", "New", "change"),
        FieldChange("version", "1", None, "remove"),
        FieldChange("language", None, "eng", "add"),
    ]


def test_fields_come_in_display_order():
    changes = diff_metadata({}, {"zzz_custom_key": 1, "keywords": ["a"], "title": "T", "creators": [DOE]})
    assert [change.path for change in changes] == ["title", "creators", "keywords", "zzz_custom_key"]


def test_a_changed_orcid_digit_is_one_nested_change():
    after = {"creators": [{**DOE, "orcid": "0000-0002-1825-0098"}, ROE]}
    changes = diff_metadata({"creators": [DOE, ROE]}, after)
    assert changes == [FieldChange("creators.0.orcid", DOE["orcid"], "0000-0002-1825-0098", "change")]


def test_a_renamed_creator_without_orcid_is_edited_in_place():
    changes = diff_metadata({"creators": [DOE, ROE]}, {"creators": [DOE, {"name": "Roe, Anne"}]})
    assert changes == [FieldChange("creators.1.name", "Roe, Ann", "Roe, Anne", "change")]


def test_a_removed_creator_is_one_removal_not_a_shifted_list():
    changes = diff_metadata({"creators": [DOE, ROE, POE]}, {"creators": [DOE, POE]})
    assert changes == [FieldChange("creators.1", ROE, None, "remove")]


def test_an_added_creator():
    changes = diff_metadata({"creators": [DOE]}, {"creators": [DOE, ROE]})
    assert changes == [FieldChange("creators.1", None, ROE, "add")]


def test_moved_creators_are_reported_as_moves():
    changes = diff_metadata({"creators": [DOE, ROE, POE]}, {"creators": [POE, DOE, ROE]})
    assert changes == [FieldChange("creators.0", "creators.2", POE, "move")]


def test_a_moved_and_edited_creator_shows_both():
    edited = {**POE, "affiliation": "Other Uni"}
    changes = by_path(diff_metadata({"creators": [DOE, POE]}, {"creators": [edited, DOE]}))
    assert changes["creators.0"].kind == "move"
    assert changes["creators.0.affiliation"] == FieldChange(
        "creators.0.affiliation", "Uni", "Other Uni", "change"
    )


def test_a_different_person_in_the_same_place_is_removed_and_added():
    other = {"name": "Moe, Jo", "orcid": "0000-0001-5109-3700"}
    changes = diff_metadata({"creators": [DOE]}, {"creators": [other]})
    assert [change.kind for change in changes] == ["remove", "add"]


def test_keywords_changed_in_place_are_removed_and_added():
    changes = diff_metadata({"keywords": ["a", "b", "c"]}, {"keywords": ["a", "x", "c"]})
    assert changes == [
        FieldChange("keywords.1", "b", None, "remove"),
        FieldChange("keywords.1", None, "x", "add"),
    ]


def test_server_filled_fields_missing_from_the_manifest_are_not_changes():
    before = {"title": "T", "publication_date": "2026-11-22", "doi": "10.5072/zenodo.12"}
    assert diff_metadata(before, {"title": "T"}) == []
    assert diff_metadata(before, {"title": "T", "publication_date": "2019-01-01"}) == [
        FieldChange("publication_date", "2026-11-22", "2019-01-01", "change")
    ]


def test_nested_dicts_are_compared_leaf_by_leaf():
    changes = diff_metadata(
        {"custom": {"dwc:family": ["Rosaceae"], "x": 1}}, {"custom": {"dwc:family": ["Rosaceae", "Poaceae"]}}
    )
    assert by_path(changes) == {
        "custom.dwc:family.1": FieldChange("custom.dwc:family.1", None, "Poaceae", "add"),
        "custom.x": FieldChange("custom.x", 1, None, "remove"),
    }


def test_after_an_apply_there_is_nothing_to_diff():
    sent = {"upload_type": "dataset", "title": "T", "creators": [{"name": "Doe,John"}], "license": "CC0-1.0"}
    back = {
        **sent,
        "creators": [{"name": "Doe, John", "affiliation": None}],
        "license": "cc-zero",
        "access_right": "open",
        "imprint_publisher": "Zenodo",
        "publication_date": "2026-11-22",
        "prereserve_doi": {"doi": "10.5281/zenodo.5", "recid": 5},
    }
    assert diff_metadata(canonical_actual(back), canonical_desired(sent)) == []


# --- files -----------------------------------------------------------------------------------


def local(name, md5, size=10):
    return LocalFile(name=name, path=Path("/data") / name, size=size, md5=md5)


def remote(name, md5, size=10):
    return RemoteFile(id=f"id-{name}", name=name, size=size, md5=md5)


def test_files_are_matched_by_name_and_md5():
    changes = diff_files(
        [local("a.csv", "1" * 32), local("b.csv", "2" * 32), local("new.csv", "3" * 32)],
        [remote("a.csv", "1" * 32), remote("b.csv", "9" * 32), remote("gone.csv", "4" * 32)],
    )
    assert [(change.name, change.kind) for change in changes] == [
        ("a.csv", "keep"),
        ("b.csv", "replace"),
        ("new.csv", "add"),
        ("gone.csv", "remove"),
    ]
    replaced = changes[1]
    assert (replaced.local_md5, replaced.remote_md5) == ("2" * 32, "9" * 32)


def test_an_unhashed_file_is_never_assumed_unchanged():
    assert diff_files([local("a.csv", None)], [remote("a.csv", "1" * 32)])[0].kind == "replace"


def test_md5_case_does_not_matter():
    assert (
        diff_files([local("a.csv", "ABCDEF" + "0" * 26)], [remote("a.csv", "abcdef" + "0" * 26)])[0].kind
        == "keep"
    )


# --- long text -------------------------------------------------------------------------------


def test_descriptions_are_long_text_titles_are_not():
    assert is_long_text(FieldChange("description", "<p>a</p>", "<p>b</p>", "change"))
    assert not is_long_text(FieldChange("title", "Old", "New", "change"))
    assert not is_long_text(FieldChange("title", None, "x" * 200, "add"))
    assert is_long_text(FieldChange("title", "x" * 90, "y" * 90, "change"))
    assert not is_long_text(FieldChange("creators.0", "creators.1", {"name": "x"}, "move"))


def test_one_line_html_diffs_sentence_by_sentence():
    before = (
        "<p>First sentence here. The range is 380 to 700 nm, covering the visible spectrum. Last one.</p>"
    )
    after = before.replace("700", "720")
    hunks = unified_text_diff(before, after)
    assert hunks[0].startswith("@@")
    assert "-The range is 380 to 700 nm, covering the visible spectrum." in hunks
    assert "+The range is 380 to 720 nm, covering the visible spectrum." in hunks
    assert not any(line.startswith(("-<p>First", "+<p>First")) for line in hunks)


def test_html_blocks_diff_paragraph_by_paragraph():
    hunks = unified_text_diff("<p>One</p><p>Two</p><p>Three</p>", "<p>One</p><p>2</p><p>Three</p>", context=0)
    assert hunks[1:] == ["-<p>Two</p>", "+<p>2</p>"]


def test_text_change_summary():
    assert summarise_text_change("a\nb\nc", "a\nB\nc\nd") == "2 lines added, 1 removed"


def test_leaving_a_community_is_not_a_change_apply_could_make():
    before = {"communities": ["iodp", "zenodo"]}
    assert diff_metadata(before, {"communities": ["iodp"]}) == []
    assert diff_metadata(before, {}) == []
    assert one_way_removals(before, {"communities": ["iodp"]}) == [
        FieldChange("communities.1", "zenodo", None, "remove")
    ]
    assert one_way_removals(before, {}) == [FieldChange("communities", ["iodp", "zenodo"], None, "remove")]
    assert diff_metadata(before, {"communities": ["iodp", "new", "zenodo"]}) == [
        FieldChange("communities.1", None, "new", "add")
    ]
