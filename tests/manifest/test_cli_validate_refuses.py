"""Manifests that once passed `zsync validate` and then failed on Zenodo, or never converged:
each is now refused through the real CLI, located at file:line:col with its rule (issue #8)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import git
import pytest

from zenodo_sync.emulator import translate

from . import test_cli_validate

GOOD = test_cli_validate.GOOD
run_zsync = test_cli_validate.run_zsync  # the fixture: zsync's real entry point in this process

TODAY = "2026-01-01"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A project without a git repository: no file-untracked warnings."""
    (tmp_path / "zsync.yaml").write_text("datasets: datasets/**\n")
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.csv").write_text("x\n")
    return tmp_path


def _validate(run_zsync, folder: Path, manifest: str) -> list[dict]:
    """Write datasets/m.yaml, validate it, and return its errors as JSON (exit 1, no traceback)."""
    (folder / "datasets" / "m.yaml").write_text(manifest)
    result = run_zsync("validate", "--format", "json", cwd=folder)
    assert "Traceback" not in result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    errors = [item for item in findings if item["severity"] == "error"]
    assert result.returncode == (1 if errors else 0)
    return errors


def _where(error: dict) -> tuple[int, int, str, str]:
    return error["line"], error["column"], error["pointer"], error["rule"]


# --- 1. ORCIDs Zenodo drops


def test_orcid_outside_the_issued_ranges_is_refused(folder: Path, run_zsync):
    errors = _validate(run_zsync, folder, GOOD.replace("0000-0002-1825-0097", "0000-0004-1234-5671"))
    assert [_where(e) for e in errors] == [(9, 14, "/metadata/creators/0/orcid", "orcid-unissued")]
    assert "outside the ranges ORCID issues" in errors[0]["message"]


def test_the_emulator_drops_the_orcid_the_validator_refuses():
    stored = translate.deposit_input_to_stored(
        {"title": "Buoys", "creators": [{"name": "Doe", "orcid": "0000-0004-1234-5671"}]},
        today=TODAY,
        previous=None,
    )
    assert "identifiers" not in stored["metadata"]["creators"][0]["person_or_org"]


# --- 2. related identifiers without a scheme Zenodo recognises; 4. zsync's own marker

RELATED = "  related_identifiers:\n    - identifier: {}\n      relation: isSupplementTo\n"


def _with_related(identifier: str) -> str:
    return GOOD.replace("files:", RELATED.format(identifier) + "files:")


def test_identifier_without_a_recognised_scheme_is_refused(folder: Path, run_zsync):
    errors = _validate(run_zsync, folder, _with_related("see our website"))
    assert [_where(e) for e in errors] == [
        (11, 19, "/metadata/related_identifiers/0/identifier", "identifier-scheme-unknown")
    ]
    with pytest.raises(translate.LegacyInputError, match="No valid scheme recognized"):
        translate.deposit_input_to_stored(
            {"related_identifiers": [{"identifier": "see our website", "relation": "cites"}]},
            today=TODAY,
            previous=None,
        )


@pytest.mark.parametrize("identifier", ["urn:zsync:rose", "URN:zsync:other", "'  urn:zsync:ns:rose'"])
def test_zsync_marker_written_by_hand_is_refused(folder: Path, run_zsync, identifier: str):
    errors = _validate(run_zsync, folder, _with_related(identifier))
    assert [_where(e) for e in errors] == [
        (11, 19, "/metadata/related_identifiers/0/identifier", "identifier-reserved")
    ]


def test_ordinary_identifiers_still_pass(folder: Path, run_zsync):
    for identifier in ("https://example.org/buoys", "10.5281/zenodo.123", "arXiv:1310.2590", "urn:nbn:de:1"):
        assert _validate(run_zsync, folder, _with_related(identifier)) == [], identifier


# --- 3. blank names, titles and publisher


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("name: Doe, Jane", "name: '   '"), (8, 13, "/metadata/creators/0/name", "name-blank")),
        (("name: Doe, Jane", "name: ' , Jane'"), (8, 13, "/metadata/creators/0/name", "name-blank")),
        (("title: Buoy temperatures", "title: '     '"), (2, 10, "/metadata/title", "text-blank")),
        (("title: Buoy temperatures", "title: '  ab  '"), (2, 10, "/metadata/title", "text-blank")),
        (
            ("files:", "  imprint_publisher: '   '\nfiles:"),
            (10, 22, "/metadata/imprint_publisher", "text-blank"),
        ),
        (
            ("files:", "  contributors:\n    - name: '  '\n      type: Other\nfiles:"),
            (11, 13, "/metadata/contributors/0/name", "name-blank"),
        ),
    ],
)
def test_blank_text_is_refused_before_any_draft(folder: Path, run_zsync, edit, where):
    errors = _validate(run_zsync, folder, GOOD.replace(*edit))
    assert [_where(e) for e in errors] == [where]


# --- 5. indentation and misplaced keys


def test_indentation_slip_is_named(folder: Path, run_zsync):
    errors = _validate(run_zsync, folder, GOOD.replace("  upload_type: dataset", "   upload_type: dataset"))
    assert [(e["line"], e["rule"]) for e in errors] == [(3, "yaml-syntax")]
    assert errors[0]["message"].startswith(
        "YAML indentation: line 3 is indented by 3 spaces, but the lines it can belong to by 2 or 0"
    )


def test_list_entry_indentation_slip_is_named(folder: Path, run_zsync):
    errors = _validate(run_zsync, folder, GOOD.replace("      orcid:", "     orcid:"))
    assert [(e["line"], e["rule"]) for e in errors] == [(9, "yaml-syntax")]
    expected = "line 9 is indented by 5 spaces, but the lines it can belong to by 6, 4, 2 or 0"
    assert expected in errors[0]["message"]


def test_files_under_metadata_is_misplaced(folder: Path, run_zsync):
    errors = _validate(run_zsync, folder, GOOD.replace("files: [data.csv]", "  files: [data.csv]"))
    assert [_where(e) for e in errors] == [(10, 3, "/metadata/files", "schema-misplaced-key")]
    assert errors[0]["message"] == (
        "`files` is misplaced: it belongs at the top level, not under `metadata`; check its indentation"
    )


@pytest.mark.parametrize("key", ["version: '1.0'", "title: Another title"])
def test_metadata_key_at_the_top_level_is_misplaced(folder: Path, run_zsync, key: str):
    errors = _validate(run_zsync, folder, GOOD + key + "\n")
    name = key.split(":")[0]
    assert [_where(e) for e in errors] == [(11, 1, f"/{name}", "schema-misplaced-key")]
    assert errors[0]["message"] == (
        f"`{name}` is misplaced: it belongs under `metadata`, not at the top level; check its indentation"
    )


def test_misspelt_key_still_gets_a_spelling_suggestion(folder: Path, run_zsync):
    errors = _validate(run_zsync, folder, GOOD.replace("keywords:", "keyword:"))
    assert [e["rule"] for e in errors] == ["schema-unknown-key"]
    assert "did you mean `keywords`?" in errors[0]["message"]


# --- 6. files git and zsync keep to themselves; files git does not track


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real git repository with one dataset folder, everything tracked."""
    git.Repo.init(tmp_path).close()
    (tmp_path / ".zsync").mkdir()
    (tmp_path / ".zsync" / "md5-cache.json").write_text("{}\n")
    rose = tmp_path / "datasets" / "rose"
    rose.mkdir(parents=True)
    (rose / "data.csv").write_text("x\n")
    (rose / "zenodo.yaml").write_text(GOOD)
    _track(tmp_path, "datasets/rose/data.csv", "datasets/rose/zenodo.yaml")
    return tmp_path


def _track(root: Path, *paths: str) -> None:
    with git.Repo(root) as handle:
        handle.index.add(list(paths))
        handle.index.write()


def _rose(repo: Path, files: str, *args: str, run_zsync) -> tuple[int, list[dict]]:
    (repo / "datasets" / "rose" / "zenodo.yaml").write_text(GOOD.replace("files: [data.csv]", files))
    result = run_zsync("validate", "--format", "json", *args, cwd=repo)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)["findings"]


def test_tracked_project_is_valid(repo: Path, run_zsync):
    assert run_zsync("validate", "--strict", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    "entry", ["../../.git/config", "../../.zsync/md5-cache.json", "../../.git/*", "../../.*/*.json"]
)
def test_git_and_zsync_files_are_never_published(repo: Path, run_zsync, entry: str):
    code, findings = _rose(repo, f"files: [data.csv, '{entry}']", run_zsync=run_zsync)
    errors = [_where(f) for f in findings if f["severity"] == "error"]
    assert code == 1
    assert errors and set(errors) == {(10, 19, "/files/1", "file-private")}, findings


def test_a_link_into_git_is_never_published(repo: Path, run_zsync):
    os.symlink("../../.git/config", repo / "datasets" / "rose" / "settings.txt")
    _track(repo, "datasets/rose/settings.txt")
    code, findings = _rose(repo, "files: [data.csv, settings.txt]", run_zsync=run_zsync)
    assert code == 1
    assert [_where(f) for f in findings if f["severity"] == "error"] == [(10, 19, "/files/1", "file-private")]
    assert "inside .git/" in findings[0]["message"]


def test_untracked_file_warns_and_strict_fails(repo: Path, run_zsync):
    (repo / "datasets" / "rose" / "local.csv").write_text("secret\n")
    code, findings = _rose(repo, "files: [data.csv, local.csv]", run_zsync=run_zsync)
    assert code == 0
    untracked = [f for f in findings if f["rule"] == "file-untracked"]
    assert [(f["severity"], f["pointer"]) for f in untracked] == [("warning", "/files/1")]
    assert "`local.csv` is not tracked by git" in untracked[0]["message"]

    strict = run_zsync("validate", "--strict", cwd=repo)
    assert strict.returncode == 1
    assert "datasets/rose/zenodo.yaml:10:19: error: `local.csv` is not tracked by git" in strict.stdout
    assert strict.stdout.splitlines()[-1] == "1 error, 0 warnings in 1 manifest."

    _track(repo, "datasets/rose/local.csv")  # staged counts as tracked
    assert run_zsync("validate", "--strict", cwd=repo).returncode == 0


def test_no_git_repository_no_untracked_warning(folder: Path, run_zsync):
    (folder / "datasets" / "m.yaml").write_text(GOOD)
    result = run_zsync("validate", "--strict", cwd=folder)
    assert (result.returncode, result.stdout) == (0, "1 manifest valid.\n")


def test_strict_turns_findability_warnings_into_errors(folder: Path, run_zsync):
    (folder / "datasets" / "m.yaml").write_text(GOOD.replace("  keywords: [ocean]\n", ""))
    assert run_zsync("validate", cwd=folder).returncode == 0
    strict = run_zsync("validate", "--strict", "--format", "json", cwd=folder)
    body = json.loads(strict.stdout)
    assert strict.returncode == 1 and body["valid"] is False
    assert [(f["severity"], f["rule"]) for f in body["findings"]] == [("error", "findability-keywords")]
