"""Which files git tracks: a manifest that publishes a file git does not know gets a warning.

A file outside git is published from one machine only (a fresh clone or CI does not have
it), and is often a local file nobody meant to publish. No git repository: no opinion.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path


class TrackedFiles:
    """`tracked(path)`: True, False, or None when `start` is not in a git work tree.

    Asks git once (`git ls-files`, the index: staged files count as tracked) and only when
    first called, so validating manifests without files never starts git.
    """

    def __init__(self, start: Path) -> None:
        self.start = Path(start)

    @functools.cached_property
    def _listing(self) -> tuple[str, frozenset[str]] | None:
        try:
            import git  # GitPython raises ImportError when no git executable is installed
        except ImportError:
            return None
        try:
            repo = git.Repo(self.start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None
        try:
            if repo.bare or repo.working_tree_dir is None:
                return None
            top = os.path.realpath(repo.working_tree_dir)
            listed = repo.git.ls_files("-z", "--recurse-submodules")
        except git.GitError:
            return None
        finally:
            repo.close()
        return top, frozenset(os.path.join(top, *name.split("/")) for name in listed.split("\0") if name)

    def tracked(self, path: Path) -> bool | None:
        listing = self._listing
        if listing is None:
            return None
        top, tracked = listing
        # The link itself is what git tracks, so resolve the folders but not the file name.
        folder, name = os.path.split(os.path.abspath(path))
        absolute = os.path.join(os.path.realpath(folder), name)
        if not absolute.startswith(top.rstrip(os.sep) + os.sep):
            return None  # another repository's business (the project root is above this one)
        return absolute in tracked
