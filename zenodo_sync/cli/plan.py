"""`zsync plan`: manifests + the server's state -> a plan, printed or saved."""

from __future__ import annotations

import os
from pathlib import Path

import click

from zenodo_sync.cli.output import render_plan, use_colour
from zenodo_sync.cli.progress import Console
from zenodo_sync.run import DEFAULT_PARALLELISM, RunOptions, plan_project, save_plan
from zenodo_sync.settings import BACKENDS


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
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set or not on a terminal).")
@click.option(
    "--server",
    metavar="URL",
    help="Server: zenodo, sandbox or an API URL (default from ZSYNC_SERVER or zsync.yaml).",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="API to speak: deposit (Zenodo's deposit API) or rdm (the InvenioRDM API of zenodo.org or "
    "any InvenioRDM instance). Default from zsync.yaml `backend`, else deposit.",
)
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Files hashed at once.",
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
) -> int:
    """Show what apply would change on Zenodo to match the manifests."""
    fmt = "json" if as_json else fmt
    options = RunOptions(
        paths=paths, targets=targets, server=server, parallelism=parallelism, backend=backend
    )
    console = Console()  # hashing progress on stderr: stdout stays the plan alone
    plan = plan_project(options, console.report, progress=console.progress).plan
    click.echo(render_plan(plan, fmt, use_colour(no_color)), nl=False)
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
            "\nWarning: planned for a subset of datasets (paths or --target); lock entries of "
            "other datasets are not considered.",
            err=True,
        )
    return 2 if detailed_exitcode and plan.has_changes else 0
