"""GitHub Actions step outputs and the job summary, written where the runner says.

Outside GitHub Actions (no GITHUB_OUTPUT / GITHUB_STEP_SUMMARY), nothing is written: the same
command runs in any CI or shell and prints what it did.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path


def write_outputs(values: Mapping[str, str], env: Mapping[str, str]) -> bool:
    """Append `name=value` lines to $GITHUB_OUTPUT; False when there is none."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return False
    lines = []
    for name, value in values.items():
        if "\n" in value:
            delimiter = f"zsync_{uuid.uuid4().hex}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write("".join(lines))
    return True


def append_summary(markdown: str, env: Mapping[str, str]) -> bool:
    """Append `markdown` to $GITHUB_STEP_SUMMARY; False when there is none."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True
