"""`zsync plan`: manifests + the server's state -> a plan, printed or saved."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from zenodo_sync.ci.environment import GitHub
from zenodo_sync.cli import ci
from zenodo_sync.cli.options import backend_option, no_color_option, server_option
from zenodo_sync.cli.output import render_plan, use_colour
from zenodo_sync.cli.progress import Console
from zenodo_sync.errors import ConfigError, ZsyncError
from zenodo_sync.run import (
    DEFAULT_PARALLELISM,
    Kind,
    RunOptions,
    plan_offline,
    plan_project,
    project_root,
    save_plan,
    touched_since,
)

ZENODO_COMPARED = "zsync compared the manifests with Zenodo."


@click.command(name="plan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--target", "targets", multiple=True, metavar="KEY", help="Plan only this dataset key (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (same as --format json).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-out",
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Save the plan so `zsync apply FILE` carries out exactly it.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing would change, 2 when something would, 1 on error.",
)
@no_color_option
@server_option
@backend_option
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Files hashed at once.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) when the plan has warnings, e.g. new files under an unchanged version label.",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Plan only the datasets changed since the merge base of REF and HEAD (their manifest, "
    "their files, or zsync.yaml defaults they inherit), e.g. origin/main.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="No server, no token: the manifests at the merge base (--changed-since REF, or the pull "
    "request's base under GitHub Actions) against the head, as a plan.",
)
@click.option(
    "--comment",
    is_flag=True,
    help="Under GitHub Actions on a pull request: post the plan as one comment, updated on every "
    "push and deleted when the plan is empty (needs GITHUB_TOKEN).",
)
def command(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    as_json: bool,
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    no_color: bool,
    server: str | None,
    backend: str | None,
    parallelism: int,
    strict: bool,
    changed_since: str | None,
    offline: bool,
    comment: bool,
) -> int:
    """Show what apply would change on Zenodo to match the manifests."""
    fmt = "json" if as_json else fmt
    options = RunOptions(
        paths=paths,
        targets=targets,
        server=server,
        parallelism=parallelism,
        changed_since=changed_since,
        backend=backend,
    )
    console = Console()  # hashing progress on stderr: stdout stays the plan alone
    if offline:
        return _offline(options, fmt, no_color, out, detailed_exitcode, comment, console)
    planned = plan_project(options, console.report, progress=console.progress)
    plan = planned.plan
    click.echo(render_plan(plan, fmt, use_colour(no_color)), nl=False)
    touched = planned.touched.keys if planned.touched else _touched_by_pull_request(options, console)
    ci.after_plan(plan, planned.root, touched=touched, comment=comment)
    if out:
        save_plan(plan, Path(out))
        click.echo(
            f"\nSaved the plan to: {out}\n\nTo perform exactly these actions, run:\n    zsync apply {out}",
            err=fmt == "json",
        )
    elif fmt == "text" and plan.has_changes and not os.environ.get("ZSYNC_IN_AUTOMATION"):
        click.echo(
            "\nNote: You didn't use the -out option to save this plan, so zsync can't guarantee to "
            'take exactly these actions if you run "zsync apply" now.'
        )
    if plan.targeted and fmt == "text":
        click.echo(
            "\nWarning: planned for a subset of datasets (paths, --target or --changed-since); lock entries of "
            "other datasets are not considered.",
            err=True,
        )
    warned = [change.key for change in plan.changes if change.warnings]
    if strict and warned:
        raise ZsyncError(
            f"--strict: the plan has warnings for {', '.join(warned)}; failing as asked.",
            hint="Read the Warning: lines above, change the manifests, and plan again.",
        )
    return 2 if detailed_exitcode and plan.has_changes else 0


def _offline(
    options: RunOptions,
    fmt: str,
    no_color: bool,
    out: str | None,
    detailed: bool,
    comment: bool,
    console: Console,
) -> int:
    if out:
        raise ConfigError(
            "-out cannot be combined with --offline: an offline plan was not made against a server, "
            "so apply could not carry it out exactly.",
            hint="Save a plan made with the token (`zsync plan -out FILE`).",
        )
    base = options.changed_since or ci.pull_request_base(GitHub.from_environ())
    if not base:
        raise ConfigError(
            "--offline needs a base to compare with: --changed-since REF (e.g. origin/main).",
            hint="Under GitHub Actions on a pull request, the pull request's base is used by default.",
        )
    result = plan_offline(
        dataclasses.replace(options, changed_since=None), base, console.report, progress=console.progress
    )
    plan = result.plan
    shown = render_plan(plan, fmt, use_colour(no_color))
    if fmt == "text":  # the text view's first line speaks of Zenodo, which was not asked
        shown = shown.replace(
            ZENODO_COMPARED,
            f"zsync compared the manifests with those at {base} (merge base {result.touched.base[:12]}), not with Zenodo.",
            1,
        )
    click.echo(shown, nl=False)
    ci.after_plan(
        plan,
        project_root(options),
        touched=result.touched.keys,
        offline_base=result.touched.base,
        comment=comment,
    )
    return 2 if detailed and plan.has_changes else 0


def _touched_by_pull_request(options: RunOptions, console: Console) -> frozenset[str]:
    """Under a pull request, the datasets it touched, to show first; none if git cannot tell."""
    base = ci.pull_request_base(GitHub.from_environ())
    if not base:
        return frozenset()
    try:
        return touched_since(options, base).keys
    except ZsyncError as exc:
        console.report(Kind.STATUS, f"Not ordering by what the pull request touched: {exc.message}")
        return frozenset()
