"""Which CI this is, read from the environment GitHub Actions sets for every step.

Nothing here switches on unless GITHUB_ACTIONS is "true": a shell, GitLab CI or a test
that sets none of these variables sees `active` False and every extra does nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class PullRequest:
    number: int
    base_sha: str | None
    base_ref: str | None
    is_fork: bool  # GitHub gives a fork's workflow a read-only token and no secrets


@dataclass(frozen=True)
class GitHub:
    """GitHub Actions' view of this step; every path None outside it."""

    active: bool = False
    summary_path: Path | None = None  # GITHUB_STEP_SUMMARY: markdown shown on the run's page
    output_path: Path | None = None  # GITHUB_OUTPUT: the step's outputs
    event_path: Path | None = None  # GITHUB_EVENT_PATH: the webhook payload that started the run
    api_url: str = DEFAULT_API_URL  # GITHUB_API_URL: differs on GitHub Enterprise Server
    repository: str | None = None  # GITHUB_REPOSITORY: owner/name
    workspace: Path | None = None  # GITHUB_WORKSPACE: where actions/checkout put the repository
    ref: str | None = None  # GITHUB_REF: refs/heads/main on a push
    token: str | None = field(default=None, repr=False)  # GITHUB_TOKEN, for the comment; never shown

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> GitHub:
        env = os.environ if environ is None else environ
        if env.get("GITHUB_ACTIONS") != "true":
            return cls()

        def path(name: str) -> Path | None:
            value = env.get(name)
            return Path(value) if value else None

        return cls(
            active=True,
            summary_path=path("GITHUB_STEP_SUMMARY"),
            output_path=path("GITHUB_OUTPUT"),
            event_path=path("GITHUB_EVENT_PATH"),
            api_url=api_url_in(env),
            repository=env.get("GITHUB_REPOSITORY") or None,
            workspace=path("GITHUB_WORKSPACE"),
            ref=env.get("GITHUB_REF") or None,
            token=token_in(env),
        )

    def event(self) -> dict[str, Any]:
        """The event payload; {} when there is none or it cannot be read."""
        if self.event_path is None:
            return {}
        try:
            return read_event_payload(self.event_path)
        except (OSError, ValueError):
            return {}

    def pull_request(self) -> PullRequest | None:
        """The pull request this run is for (pull_request and pull_request_target events)."""
        pull = self.event().get("pull_request")
        if not isinstance(pull, dict) or not isinstance(pull.get("number"), int):
            return None
        base, head = _mapping(pull.get("base")), _mapping(pull.get("head"))
        head_repo = _mapping(head.get("repo")).get("full_name")
        base_repo = _mapping(base.get("repo")).get("full_name")
        return PullRequest(
            number=pull["number"],
            base_sha=base.get("sha"),
            base_ref=base.get("ref"),
            # A head repository deleted since is null in the payload: only a fork goes that way.
            is_fork=bool(head_repo and base_repo and head_repo != base_repo)
            or ("repo" in head and head["repo"] is None),
        )

    def branch(self) -> str | None:
        """The branch a push event ran on (GITHUB_REF refs/heads/NAME)."""
        prefix = "refs/heads/"
        return self.ref[len(prefix) :] if self.ref and self.ref.startswith(prefix) else None

    def relative_to_workspace(self, path: Path) -> str:
        """A path as GitHub's annotations want it: relative to the repository's top."""
        if self.workspace is not None:
            try:
                return Path(os.path.realpath(path)).relative_to(os.path.realpath(self.workspace)).as_posix()
            except ValueError:
                pass
        return path.as_posix()


def api_url_in(env: Mapping[str, str]) -> str:
    """Where GitHub's REST API is: GITHUB_API_URL (GitHub Enterprise Server sets its own), else github.com's."""
    return (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


def token_in(env: Mapping[str, str]) -> str | None:
    """The GitHub token the job gives: GITHUB_TOKEN, or GH_TOKEN as the gh CLI names it."""
    return env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None


def read_event_payload(path: Path) -> dict[str, Any]:
    """The webhook payload GitHub wrote to GITHUB_EVENT_PATH ({} if it is not a JSON object).

    OSError or ValueError when it cannot be read: a plan goes on without it, a release stops.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
