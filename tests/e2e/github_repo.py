"""Helpers for the GitHub flow tests: a real git repository of the test project with a bare
"origin", event payload files, and the environment GitHub Actions gives a step."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = "rose-lab/data"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def init_repository(root: Path, origin: Path) -> None:
    """`root` becomes a clone-like work tree on main, everything committed and pushed to `origin`."""
    git(origin.parent, "init", "-q", "--bare", "-b", "main", str(origin))
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test Author")
    git(root, "config", "user.email", "author@example.org")
    (root / ".gitignore").write_text(".zsync/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "datasets")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@dataclass
class Step:
    """The files GitHub Actions hands one step: event payload, summary, outputs."""

    folder: Path

    @property
    def summary(self) -> str:
        path = self.folder / "summary.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    @property
    def outputs(self) -> dict[str, str]:
        path = self.folder / "output.txt"
        values: dict[str, str] = {}
        if not path.exists():
            return values
        lines = iter(path.read_text(encoding="utf-8").splitlines())
        for line in lines:
            if "<<" in line:
                name, delimiter = line.split("<<", 1)
                values[name] = "\n".join(iter(lambda: next(lines), delimiter))
            else:
                name, value = line.split("=", 1)
                values[name] = value
        return values

    def reset(self) -> None:
        for name in ("summary.md", "output.txt"):
            (self.folder / name).unlink(missing_ok=True)


def github_step(
    monkeypatch,
    folder: Path,
    workspace: Path,
    event: dict,
    *,
    api_url: str = "",
    token: str = "",
    ref: str = "",
) -> Step:
    """Set the environment of a GitHub Actions step whose event payload is `event`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_PATH": str(folder / "event.json"),
        "GITHUB_STEP_SUMMARY": str(folder / "summary.md"),
        "GITHUB_OUTPUT": str(folder / "output.txt"),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_API_URL": api_url or "http://127.0.0.1:9",
        "GITHUB_REF": ref,
        "GITHUB_TOKEN": token,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Step(folder)


def pull_request_event(number: int, base_sha: str, *, fork: bool = False) -> dict:
    head_repo = "a-contributor/data" if fork else REPOSITORY
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "base": {"ref": "main", "sha": base_sha, "repo": {"full_name": REPOSITORY}},
            "head": {"ref": "feature", "repo": {"full_name": head_repo}},
        },
    }
