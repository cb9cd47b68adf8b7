"""`zsync plan -out FILE` and `zsync apply FILE`: a plan saved, and applied later only if nothing moved."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ConfigError, StalePlanError
from zenodo_sync.run.options import Report, RunOptions, ignore
from zenodo_sync.run.planning import PlannedRun, plan_project
from zenodo_sync.settings import Settings

if TYPE_CHECKING:
    from zenodo_sync.engine.progress import ProgressSink
    from zenodo_sync.model import Plan


def plan_saved(
    path: Path, options: RunOptions, report: Report = ignore, *, progress: ProgressSink | None = None
) -> PlannedRun:
    """A saved plan, ready to apply exactly, once a fresh plan shows nothing moved since it was made.

    If the saved plan was carried out already, the fresh plan is returned, `already_applied` set.
    The fresh plan covers the saved plan's own targets; `options.targets` must be empty.
    """
    from zenodo_sync.engine.planfile import already_applied, check_not_stale, read_plan
    from zenodo_sync.engine.state import same_server

    if options.targets:
        raise ConfigError(
            "--target cannot be combined with a saved plan: it applies exactly what it holds.",
            hint="Make a targeted plan with `zsync plan --target KEY -out FILE`.",
        )
    saved, saved_targets = read_plan(path)

    def made_for_this_server(settings: Settings) -> None:
        # The server comes from the user's settings, never from the plan file: a plan file
        # (a CI artifact, a file from a pull request) must not be able to send the token elsewhere.
        if not same_server(saved.server, settings.server):
            raise StalePlanError(
                f"{path} was made for {saved.server}, but this apply would talk to {settings.server} "
                f"(from {settings.server_source}); nothing was sent.",
                hint=f"Apply it against the server it was made for (`--server {saved.server}` if you trust "
                "that address), or make a new plan for this server.",
            )

    fresh = plan_project(
        dataclasses.replace(options, targets=tuple(saved_targets)),
        report,
        check_settings=made_for_this_server,
        progress=progress,
    )
    if already_applied(saved, fresh.plan):
        # Applying a plan twice (a re-run CI job, a second terminal) is not a stale plan:
        # the server is where the plan was taking it. Only zsync.lock may have to catch up.
        return dataclasses.replace(fresh, already_applied=True)
    check_not_stale(saved, fresh.plan)
    # Exactly the saved changes, against the manifests and server state just shown equal.
    return dataclasses.replace(fresh, plan=dataclasses.replace(saved, server=fresh.server))


def save_plan(plan: Plan, path: Path) -> None:
    """Write `plan` for `zsync apply FILE` to carry out exactly."""
    from zenodo_sync.engine.planfile import write_plan

    # A plan for a subset is saved with its keys, so apply re-plans the same subset.
    write_plan(path, plan, targets=[c.key for c in plan.changes] if plan.targeted else [])
