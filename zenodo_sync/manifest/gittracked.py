"""Which files git tracks: a manifest that publishes a file git does not know gets a warning.

A file outside git is published from one machine only (a fresh clone or CI does not have
it), and is often a local file nobody meant to publish. No git repository: no opinion.
"""

from __future__ import annotations

import functools
import os
import subprocess
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
        # git itself, not GitPython: importing GitPython cost `zsync validate` a tenth of a
        # second of start-up, to run these same two git commands.
        top = _git(["rev-parse", "--show-toplevel"], self.start)
        if not top:
            return None  # no git, not inside a work tree (a bare repository, a .git folder)
        toplevel = os.path.realpath(os.fsdecode(top).rstrip("\n"))
        listed = _git(["ls-files", "-z", "--recurse-submodules"], Path(toplevel))
        if listed is None:
            return None
        names = os.fsdecode(listed).split("\0")
        return toplevel, frozenset(os.path.join(toplevel, *name.split("/")) for name in names if name)

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


def _git(args: list[str], cwd: Path) -> bytes | None:
    """What `git ARGS` prints in `cwd`, or None when git is missing or fails there."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, check=False
        )
    except OSError:  # no git executable, or `cwd` is gone
        return None
    return done.stdout if done.returncode == 0 else None
