"""`zsync release` end to end: a real git repository in a temp dir, real event payload files,
the emulator over HTTP. The archive uploaded is downloaded back and opened."""

from __future__ import annotations

from pathlib import Path

import requests
import yaml

from tests.e2e.conftest import run_in
from tests.e2e.release_repo import (
    CITATION,
    commit_all,
    downloaded_zip,
    read_outputs,
    release_event,
    served_repository,
)


def test_a_release_is_a_new_version_whose_archive_cites_its_own_doi(
    tmp_path, emulator, github_env, capsys, monkeypatch
):
    root = tmp_path / "rose-tools"
    repository = served_repository(
        root,
        emulator.url,
        {"CITATION.cff": CITATION, "src/rose.py": "print('rose')\n", "README.md": "# rose-tools\n"},
        tag="v1.0.0",
    )

    monkeypatch.setenv(
        "GITHUB_EVENT_PATH", str(release_event(tmp_path / "event1.json", "v1.0.0", "First release."))
    )
    first = run_in(root, capsys, "release", "--notes-from-release")
    assert first.code == 0, first.err + first.out
    one = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    assert one["version"] == "1.0.0" and one["doi"] and one["concept-doi"]
    assert f"DOI: {one['doi']}" in first.out
    notes = requests.get(
        f"{emulator.url}/deposit/depositions/{one['record-id']}",
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=30,
    ).json()["metadata"]["notes"]
    assert notes == "<p>First release.</p>"  # --notes-from-release: the release body, Markdown made HTML

    (root / "src" / "rose.py").write_text("print('roses')\n", encoding="utf-8")
    commit_all(repository, "more roses")
    repository.create_tag("v1.1.0")
    Path(github_env["GITHUB_OUTPUT"]).unlink()
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(release_event(tmp_path / "event2.json", "v1.1.0", "Second.")))
    second = run_in(root, capsys, "release")
    assert second.code == 0, second.err + second.out
    two = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    assert two["version"] == "1.1.0"
    assert two["concept-doi"] == one["concept-doi"] and two["doi"] != one["doi"]

    record = requests.get(
        f"{emulator.url}/deposit/depositions/{two['record-id']}",
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=30,
    ).json()
    assert record["metadata"]["version"] == "1.1.0"
    assert record["metadata"]["title"] == "Rose tools"
    assert record["doi"] == two["doi"]
    archive = downloaded_zip(emulator, int(two["record-id"]))
    assert archive.namelist()[0].startswith("rose-tools-v1.1.0/")
    assert archive.read("rose-tools-v1.1.0/src/rose.py") == b"print('roses')\n"
    cited = archive.read("rose-tools-v1.1.0/CITATION.cff").decode()
    assert cited.startswith("# How to cite rose-tools\n")  # the rest of the file as written
    cff = yaml.safe_load(cited)
    assert (cff["doi"], cff["version"], cff["date-released"]) == (two["doi"], "1.1.0", "2026-05-04")
    summary = Path(github_env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert two["doi"] in summary and one["concept-doi"] in summary

    # The same job run again: nothing new on the server, the same outputs.
    Path(github_env["GITHUB_OUTPUT"]).unlink()
    again = run_in(root, capsys, "release")
    assert again.code == 0, again.err
    assert "released already" in again.out
    assert read_outputs(Path(github_env["GITHUB_OUTPUT"]))["doi"] == two["doi"]
