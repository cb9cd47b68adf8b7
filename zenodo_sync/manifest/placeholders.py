"""Release placeholders in manifests: `version: "{release.version}"`, filled in by `zsync release`.

A manifest (or zsync.yaml `defaults`) may write `{release.version}`, `{release.tag}` or
`{release.date}` in any text of its metadata. `zsync release` loads the manifests with the
release's values and they are substituted before any check. Every other command loads them
without values: each placeholder is then an error at its line, so a record is never
published with the braces in it. A stand-in value takes its place for the other checks, so
that a placeholder is reported once, not again as a malformed version or date.

A shell variable in `version` (`${GITHUB_REF_NAME}`) is refused too: zsync does not expand
the environment, and Zenodo would publish it literally.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zenodo_sync.manifest.findings import ERROR
from zenodo_sync.manifest.yamlsource import pointer_join

Report = Callable[[str, str, str, str], None]  # (pointer, rule, message, severity)

PLACEHOLDER_RE = re.compile(r"\{release\.([A-Za-z_]*)\}")
SHELL_VARIABLE_RE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
NAMES = ("version", "tag", "date")


@dataclass(frozen=True)
class ReleaseValues:
    """What a release fills in: the version (the tag without its prefix), the tag, the day."""

    version: str
    tag: str
    date: str  # YYYY-MM-DD

    def value(self, name: str) -> str:
        return {"version": self.version, "tag": self.tag, "date": self.date}[name]


def _stand_in(today: datetime.date) -> ReleaseValues:
    """Values that pass every other check, used where a placeholder is left unresolved."""
    return ReleaseValues(version="0.0.0", tag="v0.0.0", date=today.isoformat())


def has_placeholders(metadata: Any) -> bool:
    """Whether any text of `metadata` holds a `{release.*}` placeholder."""
    if isinstance(metadata, str):
        return bool(PLACEHOLDER_RE.search(metadata))
    if isinstance(metadata, dict):
        return any(has_placeholders(value) for value in metadata.values())
    if isinstance(metadata, list):
        return any(has_placeholders(value) for value in metadata)
    return False


def resolve_placeholders(
    data: dict[str, Any], release: ReleaseValues | None, report: Report, today: datetime.date
) -> dict[str, Any]:
    """`data` (a whole manifest) with its metadata's placeholders filled in; problems reported.

    `release` None: no release is being made, so every placeholder is an error.
    """
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return data
    version = metadata.get("version")
    if isinstance(version, str) and SHELL_VARIABLE_RE.search(version):
        report(
            "/metadata/version",
            "placeholder-shell",
            f"`{version}` would be published literally: zsync does not expand environment variables; "
            'write `version: "{release.version}"` and publish with `zsync release`',
            ERROR,
        )
    values = release or _stand_in(today)

    def fill(value: Any, pointer: str) -> Any:
        if isinstance(value, dict):
            return {key: fill(item, pointer_join(pointer, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item, pointer_join(pointer, index)) for index, item in enumerate(value)]
        if not isinstance(value, str) or "{release." not in value:
            return value
        return PLACEHOLDER_RE.sub(lambda match: _filled(match, pointer, release, values, report), value)

    resolved = dict(data)
    resolved["metadata"] = fill(copy.deepcopy(metadata), "/metadata")
    return resolved


def _filled(
    match: re.Match[str], pointer: str, release: ReleaseValues | None, values: ReleaseValues, report: Report
) -> str:
    name = match.group(1)
    if name not in NAMES:
        close = difflib.get_close_matches(name, NAMES, n=1)
        report(
            pointer,
            "placeholder-unknown",
            f"unknown placeholder `{match.group(0)}`: "
            + (f"did you mean `{{release.{close[0]}}}`? " if close else "")
            + "zsync knows "
            + ", ".join(f"`{{release.{known}}}`" for known in NAMES),
            ERROR,
        )
        return match.group(0)
    if release is None:
        report(
            pointer,
            "placeholder-unresolved",
            f"`{match.group(0)}` is filled in only by `zsync release` (from the release tag); "
            "validate, plan and apply never publish it",
            ERROR,
        )
    return values.value(name)
