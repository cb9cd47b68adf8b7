"""Views of one Plan value: `text` (terminal), `markdown` (PR comment), `json` (machines).

Every view is drawn from the same `model.Plan`; none decides anything (docs/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import IO

from zenodo_sync.model import Plan

FORMATS = ("text", "markdown", "json")


def renderer(fmt: str) -> Callable[..., str]:
    """The `render(plan, **opts)` function of a format."""
    if fmt == "text":
        from zenodo_sync.render.text import render
    elif fmt == "markdown":
        from zenodo_sync.render.markdown import render
    elif fmt == "json":
        from zenodo_sync.render.json import render
    else:
        raise ValueError(f"unknown plan format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return render


def render(plan: Plan, fmt: str = "text", **opts: object) -> str:
    return renderer(fmt)(plan, **opts)


def use_colour(stream: IO[str], *, no_color: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, never with `--no-color`, `NO_COLOR` (any value, no-color.org) or TERM=dumb."""
    env = os.environ if environ is None else environ
    if no_color or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
