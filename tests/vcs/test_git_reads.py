"""vcs/ reads git for the offline plan and for releases alike: a file at a commit, a tag's date,
its archive. A real repository in a temp dir, with the project in a subfolder of it."""

from __future__ import annotations

import datetime
import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from zenodo_sync.errors import ConfigError
from zenodo_sync.vcs.changes import file_at, open_repository, text_at
from zenodo_sync.vcs.tags import archive_tag, file_at_tag, tag_date

LATIN_1 = "café\n".encode("latin-1")  # not UTF-8: git keeps bytes, and so must we


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env)
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """`top/data` is the project; `top` the repository, tagged v1.0 at a commit of 2024-05-06."""
    top, root = tmp_path / "top", tmp_path / "top" / "data"
    (root / "sub").mkdir(parents=True)
    (root / "CITATION.cff").write_text("cff-version: 1.2.0\n", encoding="utf-8")
    (root / "sub" / "latin.txt").write_bytes(LATIN_1)
    (top / "outside.txt").write_text("not the project's\n", encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    stamp = "2024-05-06T23:30:00+00:00"
    env = {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(tmp_path),
    }
    git(top, "commit", "-q", "-m", "first", env=env)
    git(top, "tag", "v1.0")
    (root / "CITATION.cff").write_text("changed after the tag\n", encoding="utf-8")
    return root


def test_a_file_at_a_commit_is_its_bytes_and_text_keeps_what_is_not_utf8(project: Path) -> None:
    with open_repository(project, "--offline") as repo:
        assert file_at(repo, "v1.0", project / "sub" / "latin.txt") == LATIN_1
        text = text_at(repo, "v1.0", project / "sub" / "latin.txt")
        assert text is not None and text.encode("utf-8", "surrogateescape") == LATIN_1
        assert file_at(repo, "v1.0", project / "missing.txt") is None
        assert file_at(repo, "v1.0", project / "sub") is None  # a folder is no file


def test_a_tag_gives_its_date_and_its_files_as_tagged(project: Path) -> None:
    assert tag_date(project, "v1.0") == datetime.date(2024, 5, 6)
    assert file_at_tag(project, "v1.0", "CITATION.cff") == b"cff-version: 1.2.0\n"
    assert file_at_tag(project, "v1.0", "nothing.cff") is None


def test_the_archive_is_the_tagged_tree_with_the_replaced_files(project: Path, tmp_path: Path) -> None:
    made = archive_tag(
        project, "v1.0", tmp_path / "out" / "a.zip", "data-v1.0", {"CITATION.cff": b"doi: x\n"}
    )
    again = archive_tag(
        project, "v1.0", tmp_path / "out" / "b.zip", "data-v1.0", {"CITATION.cff": b"doi: x\n"}
    )
    assert made.read_bytes() == again.read_bytes()  # the same tag, the same bytes
    with zipfile.ZipFile(io.BytesIO(made.read_bytes())) as archive:
        names = set(archive.namelist())
        # The whole repository's tree (as `git archive` makes it), paths from its top.
        assert {"data-v1.0/outside.txt", "data-v1.0/data/sub/latin.txt"} <= names
        assert archive.read("data-v1.0/data/CITATION.cff") == b"doi: x\n"
        assert archive.read("data-v1.0/data/sub/latin.txt") == LATIN_1


def test_outside_git_or_without_the_tag_a_release_says_what_to_do(project: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ConfigError, match="is not in a git repository") as outside:
        tag_date(plain, "v1.0")
    assert "--asset" in (outside.value.hint or "")
    with pytest.raises(ConfigError, match="Tag 'v9' is not in the git repository") as untagged:
        file_at_tag(project, "v9", "CITATION.cff")
    assert "fetch-depth: 0" in (untagged.value.hint or "")
