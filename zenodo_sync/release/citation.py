"""CITATION.cff and the README DOI badge, rewritten for a new version.

Only the lines of `doi`, `version` and `date-released` change (added at the end when
missing), so comments, order and the rest of the file are kept as written.
"""

from __future__ import annotations

import re

_TOP_LEVEL = "^{key}:.*$"
BADGE_RE = re.compile(
    r"(zenodo\.org/badge/DOI/|doi\.org/)(10\.\d{4,9}/[^\s)\]\"'<>]+?)(\.svg)?(?=[\s)\]\"'<>])"
)


def cite_version(text: str, *, doi: str, version: str, date: str) -> str:
    """`text` (a CITATION.cff) saying this version's DOI, version and release date."""
    for key, value in (("doi", doi), ("version", version), ("date-released", date)):
        line = f"{key}: {_quoted(value)}"
        pattern = re.compile(_TOP_LEVEL.format(key=re.escape(key)), re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(line.replace("\\", "\\\\"), text, count=1)
        else:
            text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    return text


def _quoted(value: str) -> str:
    """A YAML scalar that reads back as this exact string (never a number or a date)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def update_badges(text: str, old_dois: set[str], new_doi: str) -> tuple[str, int]:
    """README `text` with every DOI badge or DOI link naming one of `old_dois` naming `new_doi`."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(2) not in old_dois:
            return match.group(0)
        count += 1
        return match.group(1) + new_doi + (match.group(3) or "")

    return BADGE_RE.sub(swap, text), count
