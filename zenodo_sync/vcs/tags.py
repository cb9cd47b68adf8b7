"""A tag's tree, through GitPython: the day its commit was made, one file in it, and its
`git archive` as a zip.

The archive is what Zenodo's GitHub integration archives too: the tagged tree, under one
folder named for the repository and the tag. The caller can replace files inside it (the
CITATION.cff that carries the new version's DOI) before it is uploaded.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ConfigError
from zenodo_sync.vcs.changes import file_at, in_repository, open_repository

if TYPE_CHECKING:
    import git

# What needs git, and what to do without it, for open_repository's messages.
WHY = "A release (the `git archive` of its tag)"
HINT = "Run zsync release in a clone of the repository, or attach files with --asset."


def tagged_commit(repo: git.Repo, tag: str) -> git.Commit:
    """The commit `tag` names, or one clear error saying how to fetch the tags."""
    import git

    try:
        return repo.commit(tag)
    except (git.BadName, ValueError):
        raise ConfigError(
            f"Tag {tag!r} is not in the git repository at {repo.working_tree_dir}.",
            hint="Fetch the tags (`actions/checkout` with `fetch-depth: 0`, or `git fetch --tags`), "
            "or name an existing tag with --tag.",
        ) from None


def tag_date(root: Path, tag: str) -> datetime.date:
    """The day the tagged commit was made (the release date when no event gives one)."""
    with open_repository(root, WHY, HINT) as repo:
        committed = tagged_commit(repo, tag).committed_date
    return datetime.datetime.fromtimestamp(committed, datetime.timezone.utc).date()


def file_at_tag(root: Path, tag: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to the project root) in the tagged tree, or None."""
    with open_repository(root, WHY, HINT) as repo:
        return file_at(repo, tagged_commit(repo, tag).hexsha, root / path)


def archive_tag(
    root: Path, tag: str, destination: Path, folder: str, replace: dict[str, bytes] | None = None
) -> Path:
    """`git archive --format=zip --prefix=<folder>/ <tag>` written to `destination`.

    `replace`: paths (relative to the project root) whose bytes in the archive are these
    instead; every other entry, and every entry's date, is git's, so the archive of a tag is
    the same bytes each time.
    """
    buffer = io.BytesIO()
    with open_repository(root, WHY, HINT) as repo:
        commit = tagged_commit(repo, tag)
        repo.archive(buffer, treeish=commit.hexsha, prefix=f"{folder}/", format="zip")
        replaced = {
            f"{folder}/{in_repository(repo, root / path)}": data for path, data in (replace or {}).items()
        }
    destination.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(destination, "w") as target,
    ):
        target.comment = source.comment
        for entry in source.infolist():
            data = replaced.get(entry.filename)
            target.writestr(entry, source.read(entry) if data is None else data)
    return destination
