"""zsync.lock committed and pushed back after an apply, so the repository names its records.

A push that fails is one clear error: the commit stays in the clone (and the workflow keeps
the lock as an artifact), so nothing apply learned is lost. A push refused because the
branch moved on meanwhile (another merge) is retried once on top of it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ZsyncError
from zenodo_sync.vcs.changes import in_repository, open_repository

if TYPE_CHECKING:
    import git

# Who commits when the clone names nobody (a fresh CI runner): GitHub's own Actions bot.
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
DEFAULT_MESSAGE = "zsync.lock: the records after zsync apply"
_CREDENTIALS_IN_URL = re.compile(r"(\w+://)[^/@\s]+@")


@dataclass(frozen=True)
class PushedLock:
    commit: str | None  # None: the lock had not changed, nothing was committed
    branch: str
    remote: str


def commit_and_push(
    lock_path: Path, *, branch: str | None = None, remote: str = "origin", message: str = DEFAULT_MESSAGE
) -> PushedLock:
    """Commit `lock_path` alone (other staged changes stay staged) and push it to `branch`."""
    why = "--commit-lock"
    with open_repository(lock_path.parent, why) as repo:
        relative = in_repository(repo, lock_path)
        if repo.ignored(relative):
            raise ZsyncError(
                f"--commit-lock: {relative} is ignored by git, so it is not committed.",
                hint="zsync.lock holds the state of the server zsync.yaml names; a lock kept "
                "for another server (.zsync/locks/) stays out of git. Name the server in zsync.yaml.",
            )
        target = branch or _current_branch(repo)
        repo.git.add("--", relative)
        if not repo.git.diff("--cached", "--name-only", "--", relative).strip():
            return PushedLock(None, target, remote)
        with repo.git.custom_environment(**_identity(repo)):
            repo.git.commit("-m", message, "--", relative)
        commit = str(repo.head.commit.hexsha)
        _push(repo, remote, target, commit)
        return PushedLock(commit, target, remote)


def _current_branch(repo: git.Repo) -> str:
    if repo.head.is_detached:
        raise ZsyncError(
            "--commit-lock: HEAD is detached, so there is no branch to push zsync.lock to.",
            hint="Check out the branch (actions/checkout does on a push event), or name it "
            "with ZSYNC_LOCK_BRANCH.",
        )
    return str(repo.active_branch.name)


def _identity(repo: git.Repo) -> dict[str, str]:
    """The bot as author and committer, unless the clone or the environment names someone."""
    import git

    try:  # git's own answer, from every level of its configuration and the environment
        if repo.git.config("--get", "user.name") and repo.git.config("--get", "user.email"):
            return {}
    except git.GitCommandError:
        pass  # not set
    env = {}
    for role in ("AUTHOR", "COMMITTER"):
        if f"GIT_{role}_NAME" not in os.environ:
            env[f"GIT_{role}_NAME"] = BOT_NAME
        if f"GIT_{role}_EMAIL" not in os.environ:
            env[f"GIT_{role}_EMAIL"] = BOT_EMAIL
    return env


def _push(repo: git.Repo, remote: str, branch: str, commit: str) -> None:
    import git

    refspec = f"HEAD:refs/heads/{branch}"
    try:
        repo.git.push(remote, refspec)
        return
    except git.GitCommandError as first:
        problem = first
    try:  # the branch moved on since checkout (another merge): replay the lock commit on top once
        repo.git.pull("--rebase", remote, branch)
        repo.git.push(remote, refspec)
        return
    except git.GitCommandError as second:
        problem = second
        if any(os.path.isdir(os.path.join(repo.git_dir, name)) for name in ("rebase-merge", "rebase-apply")):
            repo.git.rebase("--abort")  # leave the clone as it was: the lock commit on the old tip
    raise ZsyncError(
        f"Could not push zsync.lock to {remote} {branch}: {_reason(problem)}. The lock is committed "
        f"in this clone ({commit[:12]}); nothing apply did is lost.",
        hint="Let the job push to the branch (`permissions: contents: write`, and a branch "
        "protection rule that allows it), or commit the uploaded zsync.lock artifact by hand.",
    )


def _reason(error: git.GitCommandError) -> str:
    """git's own words for the refusal, one line, with any credentials in a URL hidden."""
    lines = [line.strip() for line in str(error.stderr or "").splitlines() if line.strip()]
    lines = [line.removeprefix("stderr:").strip(" '") for line in lines]
    telling = [line for line in lines if "rejected" in line or line.startswith(("error:", "fatal:"))]
    reason = (telling or lines or [f"git exited with {error.status}"])[0]
    return _CREDENTIALS_IN_URL.sub(r"\1***@", reason)
