"""One sticky pull-request comment per project folder, through GitHub's REST API.

The comment is found again by a hidden marker (`<!-- zsync-plan:<folder> -->`) among all the
pull request's comments (every page of them), updated on every push, never posted twice, and
deleted once the plan is empty, so a merged pull request does not keep a stale plan. A token
without the right to comment fails with one line; the token is never part of a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from zenodo_sync import __version__
from zenodo_sync.ci.environment import GitHub
from zenodo_sync.errors import ZsyncError

TIMEOUT = 30
PER_PAGE = 100  # GitHub's most per page


def marker_for(folder: str) -> str:
    """The hidden first line of the comment of the project in `folder` (relative to the repository)."""
    return f"<!-- zsync-plan:{folder or '.'} -->"


@dataclass(frozen=True)
class CommentResult:
    action: str  # "created" | "updated" | "deleted" | "unchanged" | "none"
    url: str | None = None


class PullRequestComments:
    """The comments of one pull request (GitHub treats them as issue comments)."""

    def __init__(self, github: GitHub, number: int, *, session: requests.Session | None = None) -> None:
        if not github.token:
            raise ZsyncError(
                "--comment needs a GitHub token to post the plan, and GITHUB_TOKEN is not set.",
                hint="Pass `github-token: ${{ github.token }}` to the action (it is the default), "
                "or set GITHUB_TOKEN for the step.",
            )
        if not github.repository:
            raise ZsyncError("--comment: GITHUB_REPOSITORY is not set, so the pull request is unknown.")
        self.github, self.number = github, number
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {github.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"zsync/{__version__}",
            }
        )
        self.base = f"{github.api_url}/repos/{github.repository}/issues"

    def sync(self, marker: str, body: str | None) -> CommentResult:
        """Make the pull request hold exactly one comment with `marker` saying `body`; none if None."""
        mine = [c for c in self._all_comments() if str(c.get("body") or "").startswith(marker)]
        for extra in mine[1:]:  # a duplicate left by an earlier race: one comment is the rule
            self._request("DELETE", f"{self.base}/comments/{extra['id']}")
        if body is None:
            if not mine:
                return CommentResult("none")
            self._request("DELETE", f"{self.base}/comments/{mine[0]['id']}")
            return CommentResult("deleted")
        if mine:
            if mine[0].get("body") == body:
                return CommentResult("unchanged", mine[0].get("html_url"))
            answer = self._request("PATCH", f"{self.base}/comments/{mine[0]['id']}", {"body": body})
            return CommentResult("updated", answer.get("html_url"))
        answer = self._request("POST", f"{self.base}/{self.number}/comments", {"body": body})
        return CommentResult("created", answer.get("html_url"))

    def _all_comments(self) -> list[dict[str, Any]]:
        comments: list[dict[str, Any]] = []
        url: str | None = f"{self.base}/{self.number}/comments?per_page={PER_PAGE}"
        while url:
            response = self._send("GET", url)
            page = response.json()
            if not isinstance(page, list):
                raise ZsyncError("GitHub answered the comment listing with something other than a list.")
            comments.extend(item for item in page if isinstance(item, dict))
            url = response.links.get("next", {}).get("url")
        return comments

    def _request(self, method: str, url: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._send(method, url, payload)
        if response.status_code == 204 or not response.content:
            return {}
        data = response.json()
        return data if isinstance(data, dict) else {}

    def _send(self, method: str, url: str, payload: dict[str, Any] | None = None) -> requests.Response:
        try:
            response = self.session.request(method, url, json=payload, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise ZsyncError(
                f"Could not reach GitHub's API at {self.github.api_url} to post the plan comment "
                f"({type(exc).__name__})."
            ) from None
        if response.status_code < 400:
            return response
        raise ZsyncError(self._refusal(response), hint=_REFUSAL_HINT)

    def _refusal(self, response: requests.Response) -> str:
        try:
            said = str(response.json().get("message") or "")
        except ValueError:
            said = ""
        said = f": {said}" if said else ""
        status = response.status_code
        where = f"pull request #{self.number} of {self.github.repository}"
        if status == 401:
            return f"GitHub refused the token (401{said}); the plan comment on {where} was not posted."
        if status == 403 and response.headers.get("X-RateLimit-Remaining") == "0":
            return (
                f"GitHub's API rate limit is spent (403{said}); the plan comment on {where} was not posted."
            )
        if status in (403, 404):
            return f"The GitHub token may not comment on {where} ({status}{said}); the plan comment was not posted."
        return f"GitHub answered {status}{said} to the plan comment on {where}."


_REFUSAL_HINT = (
    "Give the job `permissions: pull-requests: write` and pass `github-token: ${{ github.token }}`. "
    "Pull requests from forks get a read-only token: their plan is in the job summary."
)
