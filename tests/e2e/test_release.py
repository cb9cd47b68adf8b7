"""`zsync release` end to end: a real git repository in a temp dir, real event payload files,
the emulator over HTTP. The archive uploaded is downloaded back and opened."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from pathlib import Path

import git
import requests
import yaml

from tests.e2e.conftest import name_server, run_in

CITATION = textwrap.dedent("""\
    # How to cite rose-tools
    cff-version: 1.2.0
    message: If you use this software, please cite it as below.
    title: Rose tools
    abstract: Tools that measure the scent of roses, from GC-MS runs to tables.
    authors:
      - family-names: Doe
        given-names: Jane
        affiliation: University of Somewhere
    keywords: [roses, GC-MS]
    license: MIT
    version: 0.0.1
    """)

MANIFEST = textwrap.dedent("""\
    metadata:
      title: Rose scent GC-MS data
      upload_type: dataset
      description: Measurements of rose petal volatiles in six cultivars.
      creators:
        - name: Doe, Jane
      license: cc-by-4.0
      keywords: [roses]
      version: "{release.version}"
    files: [data.csv]
    """)


def commit_all(repository: git.Repo, message: str) -> None:
    repository.git.add(A=True)
    repository.index.commit(message)


def make_repository(root: Path, files: dict[str, str]) -> git.Repo:
    root.mkdir(parents=True, exist_ok=True)
    repository = git.Repo.init(root)
    with repository.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.org")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    commit_all(repository, "first")
    return repository


def release_event(path: Path, tag: str, body: str = "", assets: list[dict] | None = None) -> Path:
    """A `release: published` payload, shaped as GitHub sends it (the keys zsync reads and a few more)."""
    payload = {
        "action": "published",
        "release": {
            "tag_name": tag,
            "name": f"Release {tag}",
            "body": body,
            "draft": False,
            "prerelease": False,
            "published_at": "2026-05-04T10:00:00Z",
            "assets": assets or [],
        },
        "repository": {"full_name": "rose-lab/rose-tools", "name": "rose-tools"},
    }
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def read_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


def downloaded_zip(emulator, record_id: int) -> zipfile.ZipFile:
    """The one file of the published record, downloaded back from the emulator, opened as a zip."""
    headers = {"Authorization": f"Bearer {emulator.token}"}
    record = requests.get(
        f"{emulator.url}/deposit/depositions/{record_id}", headers=headers, timeout=30
    ).json()
    (entry,) = record["files"]
    # The records API serves a published record's files (the deposit API's link is the draft's).
    url = f"{emulator.url}/records/{record_id}/files/{entry['filename']}/content"
    content = requests.get(url, headers=headers, timeout=30)
    assert content.status_code == 200, content.text
    return zipfile.ZipFile(io.BytesIO(content.content))


def test_a_release_is_a_new_version_whose_archive_cites_its_own_doi(
    tmp_path, emulator, github_env, capsys, monkeypatch
):
    root = tmp_path / "rose-tools"
    repository = make_repository(
        root, {"CITATION.cff": CITATION, "src/rose.py": "print('rose')\n", "README.md": "# rose-tools\n"}
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v1.0.0")

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
