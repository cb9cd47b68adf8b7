"""What every command prints the same way: plans, colour, and the lines a run reports."""

from __future__ import annotations

import sys

import click

from zenodo_sync.model import Plan
from zenodo_sync.run.options import Kind

# Apply's steps and outcome are the command's output; the rest is commentary, on stderr,
# so that `zsync plan --format json > plan.json` stays one JSON document.
STDOUT_KINDS = frozenset({Kind.PROGRESS, Kind.RESULT})


def to_terminal(kind: Kind, text: str) -> None:
    """The Report of an interactive run: everything shown, each kind on its stream."""
    click.echo(text, err=kind not in STDOUT_KINDS)


def use_colour(no_color: bool) -> bool:
    """Colour only on a terminal, never with --no-color or NO_COLOR (render.use_colour)."""
    from zenodo_sync.render import use_colour as stream_colour

    return stream_colour(sys.stdout, no_color=no_color)


def render_plan(plan: Plan, fmt: str, colour: bool) -> str:
    from zenodo_sync.render import render

    return render(plan, fmt, color=colour)
