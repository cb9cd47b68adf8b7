"""What the release tests share: a real git repository with a CITATION.cff and a manifest,
a release event payload, the step outputs, and the published archive read back."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from pathlib import Path

import git
import requests

from tests.e2e.conftest import name_server

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
    (entry,) = record_of(emulator, record_id)["files"]
    # The records API serves a published record's files (the deposit API's link is the draft's).
    url = f"{emulator.url}/records/{record_id}/files/{entry['filename']}/content"
    content = requests.get(url, headers={"Authorization": f"Bearer {emulator.token}"}, timeout=30)
    assert content.status_code == 200, content.text
    return zipfile.ZipFile(io.BytesIO(content.content))


def record_of(emulator, record_id: str | int) -> dict:
    """The deposition `record_id` as the deposit API reads it to its owner."""
    answer = requests.get(
        f"{emulator.url}/deposit/depositions/{record_id}",
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=30,
    )
    return answer.json()


def served_repository(root: Path, server_url: str, files: dict[str, str], tag: str | None = None) -> git.Repo:
    """make_repository, then a zsync.yaml naming `server_url` committed on top, tagged `tag`."""
    repository = make_repository(root, files)
    name_server(root, server_url)
    commit_all(repository, "zsync.yaml")
    if tag:
        repository.create_tag(tag)
    return repository
