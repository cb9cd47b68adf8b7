"""`zsync apply`: carry out a plan (a fresh one after confirmation, or a saved one exactly)."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from zenodo_sync.cli import ci
from zenodo_sync.cli.options import backend_option, no_color_option, server_option
from zenodo_sync.cli.output import render_plan, use_colour
from zenodo_sync.cli.progress import Console
from zenodo_sync.errors import ZsyncError
from zenodo_sync.model import Action
from zenodo_sync.run import (
    DEFAULT_PARALLELISM,
    PlannedRun,
    RunOptions,
    apply_plan,
    needs_adoption,
    plan_project,
    plan_saved,
)
from zenodo_sync.wording import plural

CONFIRM_PROMPT = (
    "Do you want to apply?\n"
    "  zsync will perform the actions described above.\n"
    "  Only 'yes' will be accepted to approve.\n\n"
    "  Enter a value"
)


MANIFEST_SUFFIXES = (".yaml", ".yml")


@click.command(name="apply")
@click.argument("arguments", nargs=-1, metavar="[PLANFILE | PATH...]", type=click.Path(path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Apply without asking (for CI).")
@click.option("--target", "targets", multiple=True, metavar="KEY", help="Apply only this dataset key.")
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Datasets applied at once (one shared rate limiter).",
)
@no_color_option
@server_option
@backend_option
@click.option(
    "--adopt",
    "adopt",
    multiple=True,
    metavar="KEY",
    help="Let KEY take over the record found by its zsync marker alone (no zsync.lock entry, "
    "no namespace): after a lost lock, like Terraform's import. Repeatable.",
)
@click.option(
    "--commit-lock",
    is_flag=True,
    help="Afterwards commit zsync.lock and push it to the branch (also when apply stopped midway: "
    "the lock as far as it got). A push that fails fails the command.",
)
def command(
    arguments: tuple[Path, ...],
    auto_approve: bool,
    targets: tuple[str, ...],
    parallelism: int,
    no_color: bool,
    server: str | None,
    backend: str | None,
    adopt: tuple[str, ...],
    commit_lock: bool,
) -> int:
    """Make Zenodo match the manifests: a fresh plan after confirmation, or a saved PLANFILE exactly.

    PATH is a manifest or a folder of manifests, as for `zsync plan PATH...`: only those are
    planned and applied. Any other file is read as a saved plan (`zsync plan -out FILE`).
    """
    planfile = _saved_plan_among(arguments)
    paths = () if planfile else tuple(str(path) for path in arguments)
    options = RunOptions(
        paths=paths, targets=targets, server=server, parallelism=parallelism, adopt=adopt, backend=backend
    )
    console = Console()  # every line and progress bar of this run, through one lock
    planned: list[PlannedRun] = []  # filled once planning succeeded: its lock is what --commit-lock pushes
    try:
        _apply(planfile, options, auto_approve, no_color, console, planned)
    except ZsyncError as failure:
        if commit_lock and planned:
            _commit_lock(planned[0], failure)
        raise
    if commit_lock and planned:
        _commit_lock(planned[0], None)
    return 0


def _apply(
    planfile: Path | None,
    options: RunOptions,
    auto_approve: bool,
    no_color: bool,
    console: Console,
    planned_runs: list[PlannedRun],
) -> None:
    adopt = options.adopt
    if planfile:
        planned = plan_saved(planfile, options, console.report, progress=console.progress)
        planned_runs.append(planned)
        if planned.already_applied:
            click.echo(
                f"The saved plan {planfile} was already applied: Zenodo is in the state it leads to. "
                "Nothing to do."
            )
            if any(change.action == Action.RECORD_LOCK for change in planned.plan.changes):
                # only zsync.lock catches up; nothing is sent
                apply_plan(planned, options, console.report, progress=console.progress)
            ci.after_apply(planned.plan, {})
            return
        changes = sum(c.action.family != "no-op" for c in planned.plan.changes)
        click.echo(f"Applying the saved plan {planfile} ({plural(changes, 'change')}).")
        _carry_out(planned, options, console)
        return
    planned = plan_project(options, console.report, progress=console.progress)
    planned_runs.append(planned)
    click.echo(render_plan(planned.plan, "text", use_colour(no_color)), nl=False)
    adopting = needs_adoption(planned.plan)
    unconsented = adopting - set(adopt)
    if not planned.plan.has_changes and not unconsented:
        # Nothing changes on the server; records found by their marker are written to the lock.
        _carry_out(planned, options, console)
        return
    if not auto_approve and (sys.stdin.isatty() or not unconsented):
        _confirm()
        # A yes to the plan, which said ADOPTS, is consent to adopt, as --adopt is.
        options = dataclasses.replace(options, adopt=tuple(adopting | set(adopt)))
    # Otherwise (--auto-approve, or no terminal to ask) the Applier refuses unconsented adoptions.
    click.echo("")
    _carry_out(planned, options, console)


def _carry_out(planned: PlannedRun, options: RunOptions, console: Console) -> None:
    """Apply, then tell GitHub (outside it, nothing more) what was published."""
    outcome = apply_plan(planned, options, console.report, progress=console.progress)
    records = {
        dataset.key: (dataset.record.doi, dataset.record.concept_doi)
        for dataset in outcome.outcomes
        if dataset.record is not None and dataset.error is None
    }
    ci.after_apply(planned.plan, records)


def _commit_lock(planned: PlannedRun, failure: ZsyncError | None) -> None:
    """zsync.lock committed and pushed: after a failed apply, as far as it got, and its error kept first."""
    from zenodo_sync.ci.environment import GitHub
    from zenodo_sync.engine.state import LOCK_NAME
    from zenodo_sync.vcs.lockpush import commit_and_push

    branch = os.environ.get("ZSYNC_LOCK_BRANCH") or GitHub.from_environ().branch()
    try:
        if planned.lock.path != planned.root / LOCK_NAME:
            raise ZsyncError(
                f"--commit-lock: this apply's state is kept in {planned.lock.path.relative_to(planned.root)} "
                f"(for {planned.server}), not in {LOCK_NAME}, so there is nothing to commit.",
                hint=f"{LOCK_NAME} holds the state of the server zsync.yaml names: name this server there.",
            )
        pushed = commit_and_push(planned.lock.path, branch=branch)
    except ZsyncError as problem:
        if failure is None:
            raise
        click.echo(f"Error: {problem.message}", err=True)  # the apply's own error follows
        return
    if pushed.commit is None:
        click.echo("zsync.lock is unchanged: nothing to commit.", err=True)
    else:
        click.echo(
            f"Committed zsync.lock ({pushed.commit[:12]}) and pushed it to {pushed.remote} {pushed.branch}.",
            err=True,
        )


def _saved_plan_among(arguments: tuple[Path, ...]) -> Path | None:
    """The saved plan the arguments name, if any: a file that is neither a folder nor a manifest."""
    plans = [path for path in arguments if not path.is_dir() and path.suffix.lower() not in MANIFEST_SUFFIXES]
    if not plans:
        return None
    if len(arguments) > 1:
        raise ZsyncError(
            f"{plans[0]} looks like a saved plan, which is applied alone: it holds exactly what "
            "to do, so it cannot be combined with other paths.",
            hint="Apply the saved plan by itself (`zsync apply FILE`), or give only manifests "
            "or folders of manifests (`.yaml`/`.yml`).",
        )
    return plans[0]


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise ZsyncError(
            "Refusing to apply: there is no terminal to ask for confirmation, and "
            "--auto-approve was not given.",
            hint="In CI run `zsync apply --auto-approve` after reviewing the plan, or save it "
            "with `zsync plan -out plan.zplan` and run `zsync apply plan.zplan`.",
        )
    answer = click.prompt(CONFIRM_PROMPT, default="", show_default=False, prompt_suffix=": ")
    if answer.strip() != "yes":
        raise ZsyncError("Apply cancelled.", hint="Nothing was changed on the server.")
