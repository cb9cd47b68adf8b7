"""The release unit's pure parts: tags, the CITATION.cff and badge rewrites, event reading."""

from __future__ import annotations

import json

import pytest
import yaml

from zenodo_sync.errors import ConfigError
from zenodo_sync.release.citation import cite_version, update_badges
from zenodo_sync.release.event import read_event
from zenodo_sync.release.tags import TagReading, read_tag


@pytest.mark.parametrize(
    ("tag", "keys", "prefix", "expected"),
    [
        ("v1.2.0", ["rose"], "v", TagReading(None, "1.2.0")),
        ("1.2.0", ["rose"], "v", TagReading(None, "1.2.0")),
        ("rose-v1.2", ["rose", "tulip"], "v", TagReading("rose", "1.2")),
        ("rose/v1.2", ["rose"], "v", TagReading("rose", "1.2")),
        ("rose-red-v3", ["rose", "rose-red"], "v", TagReading("rose-red", "3")),
        ("release-2026.05", ["rose"], "release-", TagReading(None, "2026.05")),
        ("v1.0", ["rose"], "", TagReading(None, "v1.0")),
        ("version-2", ["rose"], "v", TagReading(None, "version-2")),
        ("rose-", ["rose"], "v", TagReading(None, "rose-")),
    ],
)
def test_read_tag(tag, keys, prefix, expected):
    assert read_tag(tag, keys, prefix) == expected


CFF = "# cite me\ncff-version: 1.2.0\ntitle: Rose tools\nversion: 0.1  # old\nauthors:\n  - name: Lab\n    version: keep\n"


def test_cite_version_changes_three_top_level_lines_and_keeps_the_rest():
    text = cite_version(CFF, doi="10.5281/zenodo.12", version="1.0", date="2026-05-04")
    assert text.startswith('# cite me\ncff-version: 1.2.0\ntitle: Rose tools\nversion: "1.0"\n')
    assert "    version: keep\n" in text  # a nested key of the same name is not touched
    data = yaml.safe_load(text)
    assert (data["doi"], data["version"], data["date-released"]) == ("10.5281/zenodo.12", "1.0", "2026-05-04")
    assert cite_version(text, doi="10.5281/zenodo.12", version="1.0", date="2026-05-04") == text


def test_cite_version_quotes_what_yaml_would_read_otherwise():
    text = cite_version("title: x", doi="10.5281/zenodo.1", version="1.10", date="2026-05-04")
    assert yaml.safe_load(text)["version"] == "1.10"
    weird = cite_version("title: x\n", doi="10.5281/zenodo.1", version='a"b\\c', date="2026-05-04")
    assert yaml.safe_load(weird)["version"] == 'a"b\\c'


def test_update_badges_swaps_the_old_version_doi_and_keeps_the_concept_badge():
    readme = (
        "[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.11.svg)](https://doi.org/10.5281/zenodo.11)\n"
        "[![all versions](https://zenodo.org/badge/DOI/10.5281/zenodo.10.svg)](https://doi.org/10.5281/zenodo.10)\n"
        "See 10.5281/zenodo.11 in prose.\n"
    )
    text, count = update_badges(readme, {"10.5281/zenodo.11"}, "10.5281/zenodo.13")
    assert count == 2
    assert text.splitlines()[0] == (
        "[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.13.svg)](https://doi.org/10.5281/zenodo.13)"
    )
    assert "zenodo.10.svg)](https://doi.org/10.5281/zenodo.10)" in text
    assert "See 10.5281/zenodo.11 in prose." in text  # only badges and doi.org links


def test_read_event_from_a_release_a_tag_push_and_the_ref_name(tmp_path):
    release = tmp_path / "release.json"
    release.write_text(
        json.dumps(
            {
                "release": {
                    "tag_name": "v2",
                    "body": "Notes",
                    "published_at": "2026-01-02T03:04:05Z",
                    "assets": [
                        {"name": "a.zip", "url": "https://api.github.com/repos/o/r/releases/assets/1"}
                    ],
                }
            }
        ),
        encoding="utf-8",
    )
    event = read_event(None, {"GITHUB_EVENT_PATH": str(release)})
    assert (event.tag, event.notes, event.published_at, event.source) == (
        "v2",
        "Notes",
        "2026-01-02T03:04:05Z",
        "the release event",
    )
    assert [asset.name for asset in event.assets] == ["a.zip"]
    assert (
        read_event("v1", {"GITHUB_EVENT_PATH": str(release)}).notes == ""
    )  # another tag: its notes are not known

    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/tags/rose-v3"}), encoding="utf-8")
    assert read_event(None, {"GITHUB_EVENT_PATH": str(push)}).tag == "rose-v3"
    assert read_event(None, {"GITHUB_REF_NAME": "v4", "GITHUB_REF_TYPE": "tag"}).tag == "v4"
    with pytest.raises(ConfigError, match="No release to make"):
        read_event(None, {"GITHUB_REF_NAME": "main", "GITHUB_REF_TYPE": "branch"})


def test_an_unreadable_event_file_is_one_clear_error(tmp_path):
    broken = tmp_path / "event.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"GITHUB_EVENT_PATH .*cannot read the event"):
        read_event(None, {"GITHUB_EVENT_PATH": str(broken)})
