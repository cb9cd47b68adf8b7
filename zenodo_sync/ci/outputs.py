"""The step's outputs and job summary: two files GitHub names in GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY, appended to (other steps of the job write there too)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from zenodo_sync.ci.environment import GitHub
from zenodo_sync.errors import ZsyncError

# GitHub shows at most 1 MiB of summary per step, and refuses the step's whole summary beyond it.
SUMMARY_LIMIT = 1024 * 1024


def set_outputs(github: GitHub, values: Mapping[str, str]) -> None:
    """`name=value` lines; a value with a line break in the heredoc form, with a delimiter it cannot hold.

    The one writer of GITHUB_OUTPUT: plan, apply and release all set their outputs here.
    """
    if not github.active or github.output_path is None:
        return
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = _delimiter_not_in(value)
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{name}={value}")
    _append(github.output_path, "\n".join(lines) + "\n", "GITHUB_OUTPUT")


def _delimiter_not_in(value: str) -> str:
    """A random delimiter: a value cannot end its own heredoc early, whatever it holds."""
    while True:
        delimiter = f"ZSYNC_{secrets.token_hex(8)}"
        if delimiter not in value:
            return delimiter


def add_summary(github: GitHub, markdown: str) -> None:
    if not github.active or github.summary_path is None:
        return
    if len(markdown.encode("utf-8")) > SUMMARY_LIMIT - 1024:
        markdown = markdown.encode("utf-8")[: SUMMARY_LIMIT - 1024].decode("utf-8", "ignore")
        markdown += "\n\n_(cut at GitHub's 1 MiB job-summary limit; the plan JSON output has it all.)_\n"
    _append(
        github.summary_path, markdown if markdown.endswith("\n") else markdown + "\n", "GITHUB_STEP_SUMMARY"
    )


def _append(path: Path, text: str, name: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        raise ZsyncError(f"Cannot write {name} ({path}): {exc.strerror}.") from None
