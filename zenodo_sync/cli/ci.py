"""What plan and apply add under GitHub Actions: job summary, step outputs, the sticky
pull-request comment. Outside GitHub Actions (a shell, GitLab CI) all of it stays off."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import click

from zenodo_sync.ci.comment import PullRequestComments, marker_for
from zenodo_sync.ci.environment import GitHub
from zenodo_sync.ci.report import plan_markdown, report_apply, report_plan, summary_markdown
from zenodo_sync.errors import ZsyncError
from zenodo_sync.model import Plan

PLAN_JSON = Path(".zsync") / "plan.json"  # under the project root; .zsync/ stays out of git


def project_folder(root: Path, github: GitHub) -> str:
    """The project's folder relative to the repository's top: it tells comments of two projects apart."""
    folder = github.relative_to_workspace(root) if github.workspace else "."
    return "." if folder in ("", ".") or os.path.isabs(folder) else folder


def pull_request_base(github: GitHub) -> str | None:
    """The base commit of the pull request this run is for, if any."""
    pull = github.pull_request() if github.active else None
    return pull.base_sha if pull else None


def after_plan(
    plan: Plan, root: Path, *, touched: Collection[str] = (), offline_base: str | None = None, comment: bool
) -> None:
    github = GitHub.from_environ()
    folder = project_folder(root, github)
    if github.active:
        summary = summary_markdown(plan, folder=folder, touched=touched, offline_base=offline_base)
        report_plan(github, plan, root / PLAN_JSON, summary)
    if comment:
        body = plan_markdown(plan, folder=folder, touched=touched, offline_base=offline_base)
        post_comment(github, plan, folder, body)


def post_comment(github: GitHub, plan: Plan, folder: str, body: str) -> None:
    pull = github.pull_request() if github.active else None
    if pull is None:
        where = "a pull request event" if github.active else "GitHub Actions (GITHUB_ACTIONS is not true)"
        click.echo(f"--comment: not in {where}; no comment posted.", err=True)
        return
    comments = PullRequestComments(github, pull.number)
    try:
        result = comments.sync(marker_for(folder), body if plan.has_changes else None)
    except ZsyncError as exc:
        if not pull.is_fork:
            raise
        # GitHub gives a fork's workflow a read-only token: expected, not a failure of the review.
        click.echo(
            f"Warning: {exc.message} (a pull request from a fork: the plan is in the job summary)", err=True
        )
        return
    said = {
        "created": "Posted the plan comment",
        "updated": "Updated the plan comment",
        "unchanged": "The plan comment is up to date",
        "deleted": "The plan is empty: deleted the plan comment",
        "none": "The plan is empty: no comment to post",
    }[result.action]
    click.echo(
        f"{said} on pull request #{pull.number}" + (f": {result.url}" if result.url else "."), err=True
    )


def after_apply(plan: Plan, records: dict[str, tuple[str | None, str | None]]) -> None:
    report_apply(GitHub.from_environ(), plan, records)
