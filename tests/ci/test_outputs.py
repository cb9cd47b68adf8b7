"""ci.outputs is the one writer of GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (plan, apply, release):
every value reads back as written, and a file it cannot write is one message."""

from __future__ import annotations

import pytest

from zenodo_sync.ci.environment import GitHub, api_url_in, token_in
from zenodo_sync.ci.outputs import add_summary, set_outputs
from zenodo_sync.errors import ZsyncError


def read_back(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT read as the runner reads it: name=value, or name<<DELIMITER ... DELIMITER."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            values[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_values_with_any_line_break_or_a_lookalike_delimiter_read_back_as_written(tmp_path):
    out = tmp_path / "out"
    github = GitHub.from_environ({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out)})
    values = {
        "doi": "10.5281/zenodo.2",
        "notes": "line one\r\nline two",
        "trap": "ZSYNC_0123456789abcdef\nEOF\nnext=1",
        "empty": "",
    }
    set_outputs(github, values)
    assert read_back(out.read_bytes().decode("utf-8")) == values  # "next" stays inside trap


def test_the_summary_is_appended_after_what_earlier_steps_wrote(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# an earlier step\n", encoding="utf-8")
    github = GitHub.from_environ({"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    add_summary(github, "### zsync: rose released")
    assert summary.read_text(encoding="utf-8") == "# an earlier step\n### zsync: rose released\n"


def test_an_output_file_that_cannot_be_written_is_one_message(tmp_path):
    github = GitHub.from_environ({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(tmp_path / "no" / "out")})
    with pytest.raises(ZsyncError, match=r"Cannot write GITHUB_OUTPUT \(.*out\)"):
        set_outputs(github, {"doi": "10.5281/zenodo.2"})


def test_a_broken_event_payload_is_no_event_for_a_plan(tmp_path):
    event = tmp_path / "event.json"
    event.write_text("{not json", encoding="utf-8")
    github = GitHub.from_environ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(event)})
    assert github.event() == {} and github.pull_request() is None


def test_the_api_address_and_token_are_read_one_way_for_the_comment_and_release_assets():
    assert api_url_in({}) == "https://api.github.com"
    assert (
        api_url_in({"GITHUB_API_URL": "https://ghe.example.org/api/v3/"}) == "https://ghe.example.org/api/v3"
    )
    assert token_in({"GH_TOKEN": "b"}) == "b" and token_in({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}) == "a"
    assert token_in({"GITHUB_TOKEN": ""}) is None
