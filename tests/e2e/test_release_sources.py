"""Release placeholders, monorepo tags, .zenodo.json / CITATION.cff as sources, and export,
with real git repositories and the emulator."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import requests

from tests.e2e.conftest import name_server, run_in
from tests.e2e.test_release import (
    CITATION,
    MANIFEST,
    commit_all,
    downloaded_zip,
    make_repository,
    read_outputs,
)
from zenodo_sync.manifest import load_project
from zenodo_sync.manifest.expand import to_deposit_metadata
from zenodo_sync.manifest.repository_source import load_source_file


def record_of(emulator, record_id: str | int) -> dict:
    answer = requests.get(
        f"{emulator.url}/deposit/depositions/{record_id}",
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=30,
    )
    return answer.json()


def test_an_unresolved_placeholder_is_an_error_at_its_line_in_validate_plan_and_apply(
    tmp_path, emulator, github_env, capsys
):
    root = tmp_path / "roses"
    make_repository(root, {"datasets/rose/zenodo.yaml": MANIFEST, "datasets/rose/data.csv": "a,b\n1,2\n"})
    name_server(root, emulator.url)
    # Under GitHub Actions validate would answer in annotations; the text form is asked for here.
    for command in (["validate", "--format", "text"], ["plan"], ["apply", "--auto-approve"]):
        result = run_in(root, capsys, *command)
        assert result.code == 1, command
        assert (
            "datasets/rose/zenodo.yaml:9:12: error: `{release.version}` is filled in only by `zsync release`"
            in (result.out + result.err)
        ), command
    assert record_of_count(emulator) == 0

    (root / "datasets/rose/zenodo.yaml").write_text(
        MANIFEST.replace('"{release.version}"', '"${GITHUB_REF_NAME}"'), encoding="utf-8"
    )
    result = run_in(root, capsys, "validate", "--format", "text")
    assert result.code == 1
    assert "zenodo.yaml:9:12: error: `${GITHUB_REF_NAME}` would be published literally" in result.out

    (root / "datasets/rose/zenodo.yaml").write_text(
        MANIFEST.replace("{release.version}", "{release.verison}"), encoding="utf-8"
    )
    result = run_in(root, capsys, "validate", "--format", "text")
    assert "did you mean `{release.version}`?" in result.out and result.code == 1


def record_of_count(emulator) -> int:
    answer = requests.get(
        f"{emulator.url}/deposit/depositions",
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=30,
    )
    return len(answer.json())


def test_a_monorepo_tag_releases_its_dataset_and_only_that_one(
    tmp_path, emulator, github_env, capsys, monkeypatch
):
    root = tmp_path / "lab"
    other = MANIFEST.replace("Rose scent GC-MS data", "Tulip colour data")
    repository = make_repository(
        root,
        {
            "datasets/rose/zenodo.yaml": MANIFEST,
            "datasets/rose/data.csv": "a,b\n1,2\n",
            "datasets/tulip/zenodo.yaml": other,
            "datasets/tulip/data.csv": "c\n3\n",
        },
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("tulip-v2.0")
    monkeypatch.setenv("GITHUB_REF_NAME", "tulip-v2.0")
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    result = run_in(root, capsys, "release")
    assert result.code == 0, result.err + result.out
    outputs = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    record = record_of(emulator, outputs["record-id"])
    assert record["metadata"]["title"] == "Tulip colour data"
    assert record["metadata"]["version"] == "2.0"
    assert record_of_count(emulator) == 1  # the rose was not released

    # A tag that names no dataset, in a repository of two, is refused with what to do.
    repository.create_tag("v3.0")
    refused = run_in(root, capsys, "release", "--tag", "v3.0")
    assert refused.code == 1
    assert "Tag v3.0 does not say which dataset it releases, and there are 2: rose, tulip." in refused.err
    assert "zsync release rose" in refused.err
    # A literal version that is not the tag's is refused, not published beside the wrong tag.
    (root / "datasets/rose/zenodo.yaml").write_text(
        MANIFEST.replace('"{release.version}"', '"1.0"'), encoding="utf-8"
    )
    commit_all(repository, "literal")
    repository.create_tag("rose-v1.1")
    mismatch = run_in(root, capsys, "release", "--tag", "rose-v1.1")
    assert mismatch.code == 1
    assert "version is '1.0', but tag rose-v1.1 releases version '1.1'" in mismatch.err


def test_a_custom_tag_prefix_from_zsync_yaml(tmp_path, emulator, github_env, capsys):
    root = tmp_path / "roses"
    repository = make_repository(
        root, {"datasets/rose/zenodo.yaml": MANIFEST, "datasets/rose/data.csv": "a\n"}
    )
    (root / "zsync.yaml").write_text(
        f"server: {emulator.url}\nrelease:\n  tag_prefix: release-\n", encoding="utf-8"
    )
    commit_all(repository, "zsync.yaml")
    repository.create_tag("release-2026.05")
    result = run_in(root, capsys, "release", "rose", "--tag", "release-2026.05")
    assert result.code == 0, result.err
    assert read_outputs(Path(github_env["GITHUB_OUTPUT"]))["version"] == "2026.05"


ZENODO_JSON = {
    "title": "Rose tools (from .zenodo.json)",
    "upload_type": "software",
    "description": "Tools that measure the scent of roses, from GC-MS runs to tables.",
    "creators": [{"name": "Doe, Jane", "affiliation": "University of Somewhere"}],
    "license": "mit",
    "keywords": ["roses"],
}


def test_zenodo_json_wins_over_citation_cff_and_the_release_uses_it(tmp_path, emulator, github_env, capsys):
    root = tmp_path / "rose-tools"
    repository = make_repository(
        root,
        {"CITATION.cff": CITATION, ".zenodo.json": json.dumps(ZENODO_JSON, indent=2), "tool.py": "x = 1\n"},
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v0.9.0")
    validated = run_in(root, capsys, "validate", "--format", "text")
    assert validated.code == 0 and "0 errors" in validated.out, validated.out
    result = run_in(root, capsys, "release", "--tag", "v0.9.0")
    assert result.code == 0, result.err + result.out
    outputs = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    record = record_of(emulator, outputs["record-id"])
    assert record["metadata"]["title"] == "Rose tools (from .zenodo.json)"
    assert record["metadata"]["version"] == "0.9.0"
    # the archive still carries the CITATION.cff, citing this version
    archive = downloaded_zip(emulator, int(outputs["record-id"]))
    assert f'doi: "{outputs["doi"]}"' in archive.read("rose-tools-v0.9.0/CITATION.cff").decode()


def test_citation_cff_alone_describes_the_release(tmp_path, emulator, github_env, capsys):
    root = tmp_path / "rose-tools"
    repository = make_repository(
        root, {"CITATION.cff": CITATION, "README.md": "# rose-tools\n", "tool.py": "x = 1\n"}
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v1.0.0")
    first = run_in(root, capsys, "release", "--tag", "v1.0.0")
    assert first.code == 0, first.err
    one = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    (root / "README.md").write_text(
        f"# rose-tools\n[![DOI](https://zenodo.org/badge/DOI/{one['doi']}.svg)](https://doi.org/{one['doi']})\n",
        encoding="utf-8",
    )
    commit_all(repository, "badge")
    repository.create_tag("v1.0.1")
    Path(github_env["GITHUB_OUTPUT"]).unlink()
    second = run_in(root, capsys, "release", "--tag", "v1.0.1", "--update-citation")
    assert second.code == 0, second.err
    two = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    record = record_of(emulator, two["record-id"])
    metadata = record["metadata"]
    assert metadata["title"] == "Rose tools" and metadata["upload_type"] == "software"
    assert metadata["creators"][0]["name"] == "Doe, Jane"
    assert metadata["notes"] == "If you use this software, please cite it as below."  # CFF message, as Zenodo
    assert metadata["version"] == "1.0.1"  # the tag's, never the CITATION.cff's 0.0.1
    # --update-citation: the working tree now names the new version (committing is the user's)
    citation = (root / "CITATION.cff").read_text(encoding="utf-8")
    assert f'doi: "{two["doi"]}"' in citation and 'version: "1.0.1"' in citation
    assert citation.startswith("# How to cite rose-tools\n")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.count(two["doi"]) == 2 and one["doi"] not in readme
    assert "Updated CITATION.cff, README.md with the new DOI: commit them." in second.out
    assert "date-released:" in citation
    # plan and apply leave the released repository alone: nothing to do, its lock entry kept
    plan = run_in(root, capsys, "plan", "--detailed-exitcode")
    assert plan.code == 0 and "No changes" in plan.out, plan.out + plan.err
    applied = run_in(root, capsys, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    again = run_in(root, capsys, "release", "--tag", "v1.0.1")
    assert again.code == 0 and "released already" in again.out


def test_source_files_report_errors_at_their_lines(tmp_path, capsys):
    root = tmp_path / "bad"
    root.mkdir()
    (root / ".zenodo.json").write_text(
        '{\n  "title": "Rose tools",\n  "upload_type": "softwear",\n  "creators": [{"name": "Doe, Jane"}],\n'
        '  "license": "mit",\n  "licence": "mit"\n}\n',
        encoding="utf-8",
    )
    (root / "CITATION.cff").write_text(
        "cff-version: 1.2.0\nmessage: Cite it.\ntitle: Rose tools\nauthors:\n  - affiliation: Somewhere\n"
        "license:\n  - MIT\n  - Apache-2.0\ndate-released: 2021-13-01\n",
        encoding="utf-8",
    )
    result = run_in(root, capsys, "validate", "--format", "text")
    assert result.code == 1
    assert (
        ".zenodo.json:3:18: error: `softwear` is not a known upload_type; did you mean `software`"
        in result.out
    )
    assert ".zenodo.json:6:3: error: unknown key in metadata `licence`; did you mean `license`?" in result.out
    assert "CITATION.cff:5:5: error: this author has no `family-names`, `given-names` or `name`" in result.out
    assert "CITATION.cff:7:3: error: Zenodo reads one license id here; a list makes it reject" in result.out
    # The Citation File Format's own schema (vendored): a warning, Zenodo would still read the file.
    assert (
        "CITATION.cff:9:16: warning: not valid Citation File Format 1.2.0: '2021-13-01' does not match"
        in result.out
    )
    (root / ".zenodo.json").write_text('{"title": "Rose tools",\n  "creators": [}', encoding="utf-8")
    broken = run_in(root, capsys, "validate", "--format", "text", ".zenodo.json")
    assert broken.code == 1
    assert ".zenodo.json:2:16: error: JSON syntax: Expecting value" in broken.out


def test_export_round_trip_gives_the_same_metadata(tmp_path, capsys):
    root = tmp_path / "roses"
    manifest = textwrap.dedent("""\
        metadata:
          title: Rose scent GC-MS data
          upload_type: software
          description: Measurements of rose petal volatiles in six cultivars.
          creators:
            - name: Doe, Jane
              orcid: 0000-0002-1825-0097
              affiliation: University of Somewhere
            - name: Rose Lab
          license: MIT
          keywords: [roses, GC-MS]
          notes: Cite the paper too.
          version: "{release.version}"
          related_identifiers:
            - identifier: 10.1234/rose.5
              relation: isCitedBy
        files: [data.csv]
        """)
    make_repository(root, {"datasets/rose/zenodo.yaml": manifest, "datasets/rose/data.csv": "a\n"})
    (desired,) = load_project(root, release=_values()).datasets
    wanted = {key: value for key, value in desired.metadata.items() if key != "version"}
    today = datetime.date.today()

    exported = run_in(root, capsys, "export", "--format", "zenodo-json")
    assert exported.code == 0, exported.err
    assert run_in(root, capsys, "validate", "--format", "text", ".zenodo.json").code == 0
    source = load_source_file(root / ".zenodo.json", ".zenodo.json", today)
    assert source.dataset is not None and source.dataset.metadata == wanted
    again = run_in(root, capsys, "export", "--format", "zenodo-json")
    assert again.code == 1 and ".zenodo.json exists; nothing was written" in again.err
    assert run_in(root, capsys, "export", "--format", "zenodo-json", "--force").code == 0

    exported = run_in(root, capsys, "export", "rose", "--format", "cff")
    assert exported.code == 0, exported.err
    assert "left out: related_identifiers" in exported.err
    assert run_in(root, capsys, "validate", "--format", "text", "CITATION.cff").code == 0
    source = load_source_file(root / "CITATION.cff", "CITATION.cff", today)
    carried = {key: value for key, value in wanted.items() if key != "related_identifiers"}
    assert source.dataset is not None and source.dataset.metadata == to_deposit_metadata(carried)


def _values():
    from zenodo_sync.manifest.placeholders import ReleaseValues

    return ReleaseValues(version="1.0", tag="v1.0", date="2026-01-01")


def test_publish_false_stops_the_release_at_a_draft_with_its_reserved_doi(
    tmp_path, emulator, github_env, capsys
):
    root = tmp_path / "rose-tools"
    manifest = "publish: false\n" + MANIFEST
    repository = make_repository(
        root,
        {"CITATION.cff": CITATION, "datasets/rose/zenodo.yaml": manifest, "datasets/rose/data.csv": "a\n"},
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v2.0")
    result = run_in(root, capsys, "release", "--tag", "v2.0")
    assert result.code == 0, result.err + result.out
    outputs = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    assert outputs["draft"] == "true" and outputs["record-url"].endswith(f"/uploads/{outputs['record-id']}")
    assert "is a draft for review (publish: false)" in result.out
    draft = record_of(emulator, outputs["record-id"])
    assert draft["state"] == "unsubmitted" and draft["metadata"]["version"] == "2.0"
    assert draft["metadata"]["prereserve_doi"]["doi"].split("/")[1] == outputs["doi"].split("/")[1]
