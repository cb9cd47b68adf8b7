"""The git side of a release, through GitPython: the tag, its date, and `git archive` of its tree.

The archive is what Zenodo's GitHub integration archives too: the tagged tree, under one
folder named for the repository and the tag. zsync can replace files inside it (the
CITATION.cff that carries the new version's DOI) before it is uploaded.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from zenodo_sync.errors import ConfigError


def _repository(root: Path):  # type: ignore[no-untyped-def]
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ConfigError(
            f"{root} is not in a git repository: a release archives the tagged tree with `git archive`.",
            hint="Run zsync release in a clone of the repository, or attach files with --asset.",
        ) from None


def _commit(root: Path, tag: str):  # type: ignore[no-untyped-def]
    import git

    repository = _repository(root)
    try:
        return repository, repository.commit(tag)
    except (git.BadName, ValueError):
        raise ConfigError(
            f"Tag {tag!r} is not in the git repository at {repository.working_tree_dir}.",
            hint="Fetch the tags (`actions/checkout` with `fetch-depth: 0`, or `git fetch --tags`), "
            "or name an existing tag with --tag.",
        ) from None


def tag_date(root: Path, tag: str) -> datetime.date:
    """The day the tagged commit was made (the release date when no event gives one)."""
    _, commit = _commit(root, tag)
    return datetime.datetime.fromtimestamp(commit.committed_date, datetime.timezone.utc).date()


def _from_top(repository, root: Path, path: str) -> str:  # type: ignore[no-untyped-def]
    """`path` (relative to the project root) as git names it: relative to the repository's top."""
    top = Path(repository.working_tree_dir).resolve()
    return (Path(root).resolve() / path).relative_to(top).as_posix()


def file_at_tag(root: Path, tag: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to the project root) in the tagged tree, or None."""
    import git

    repository, commit = _commit(root, tag)
    try:
        blob = commit.tree / _from_top(repository, root, path)
    except KeyError:
        return None
    return bytes(blob.data_stream.read()) if isinstance(blob, git.Blob) else None


def archive_tag(
    root: Path, tag: str, destination: Path, folder: str, replace: dict[str, bytes] | None = None
) -> Path:
    """`git archive --format=zip --prefix=<folder>/ <tag>` written to `destination`.

    `replace`: paths (relative to the project root) whose bytes in the archive are these
    instead; every other entry, and every entry's date, is git's, so the archive of a tag is
    the same bytes each time.
    """
    repository, commit = _commit(root, tag)
    buffer = io.BytesIO()
    repository.archive(buffer, treeish=commit.hexsha, prefix=f"{folder}/", format="zip")
    destination.parent.mkdir(parents=True, exist_ok=True)
    replaced = {
        f"{folder}/{_from_top(repository, root, path)}": data for path, data in (replace or {}).items()
    }
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(destination, "w") as target,
    ):
        target.comment = source.comment
        for entry in source.infolist():
            data = replaced.get(entry.filename)
            target.writestr(entry, source.read(entry) if data is None else data)
    return destination
