"""What a branch changed: the merge base with a ref, the paths changed since, a past tree.

Paths are absolute, so the caller can compare them with manifest and file paths whatever
folder of the repository the project lives in.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ConfigError

if TYPE_CHECKING:
    import git

FETCH_HINT = (
    "In GitHub Actions, check out with `fetch-depth: 0` (actions/checkout) so the base branch "
    "and its history are there; elsewhere `git fetch origin` first."
)


@contextmanager
def open_repository(
    start: Path, why: str, hint: str = "Run it in a clone of your repository."
) -> Iterator[git.Repo]:
    """The work tree holding `start`; `why` names what needs git and `hint` what to do, for the messages."""
    try:
        import git  # GitPython raises ImportError when no git executable is installed
    except ImportError as exc:
        raise ConfigError(f"{why} needs git, and no git executable was found.") from exc
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ConfigError(f"{why} needs git, and {start} is not in a git repository.", hint=hint) from None
    try:
        if repo.bare or repo.working_tree_dir is None:
            raise ConfigError(f"{why} needs a work tree; {start} is in a bare repository.")
        yield repo
    finally:
        repo.close()


def top_of(repo: git.Repo) -> Path:
    return Path(os.path.realpath(str(repo.working_tree_dir)))


def merge_base(repo: git.Repo, ref: str, why: str) -> str:
    """The commit HEAD and `ref` last shared: what a pull request is compared against."""
    import git

    try:
        target = repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except git.GitCommandError:
        raise ConfigError(f"{why} {ref}: git knows no commit by this name.", hint=FETCH_HINT) from None
    try:
        bases = repo.merge_base(target, "HEAD")
    except git.GitCommandError:
        bases = []
    if not bases:
        raise ConfigError(
            f"{why} {ref}: it shares no history with HEAD (a shallow clone, or an unrelated branch).",
            hint=FETCH_HINT,
        )
    return str(bases[0].hexsha)


def changed_paths(repo: git.Repo, base: str) -> set[Path]:
    """Files that differ between `base` and the work tree (committed or not), and files git
    does not track yet; both sides of a rename, so a moved manifest counts where it was and is."""
    top = top_of(repo)
    listed = repo.git.diff("--name-only", "--no-renames", "-z", base)
    untracked = repo.git.ls_files("--others", "--exclude-standard", "-z")
    names = [name for name in (listed + "\0" + untracked).split("\0") if name]
    return {top.joinpath(*name.split("/")) for name in names}


def in_repository(repo: git.Repo, path: Path) -> str:
    """`path` as git names it: relative to the top of the work tree, with forward slashes."""
    return Path(os.path.realpath(path)).relative_to(top_of(repo)).as_posix()


def file_at(repo: git.Repo, commit: str, path: Path) -> bytes | None:
    """The bytes of `path` (inside the work tree) at `commit`; None if no file was there."""
    import git

    try:
        blob = repo.commit(commit).tree / in_repository(repo, path)
    except KeyError:
        return None
    return bytes(blob.data_stream.read()) if isinstance(blob, git.Blob) else None


def text_at(repo: git.Repo, commit: str, path: Path) -> str | None:
    """`file_at` as text, decoded as git's own output is (UTF-8, odd bytes kept as escapes)."""
    data = file_at(repo, commit, path)
    return None if data is None else data.decode("utf-8", "surrogateescape")


def export_tree(repo: git.Repo, commit: str, destination: Path) -> Path:
    """Write the tree of `commit` into `destination` (as `git archive` makes it); return its top."""
    buffer = io.BytesIO()
    repo.archive(buffer, treeish=commit, format="tar")
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.12+ (and security releases of 3.10/3.11)
            archive.extractall(destination, filter="data")
        else:  # pragma: no cover - older Pythons: git archive writes no links out of the tree
            archive.extractall(destination)
    return destination
