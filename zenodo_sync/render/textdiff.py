"""Long texts in a plan, for the renderers: which changes read as a diff of lines, and that diff."""

from __future__ import annotations

import difflib
import re

from zenodo_sync.model import FieldChange

LONG_TEXT_FIELDS = frozenset({"description", "notes", "method"})
LONG_TEXT_CHARS = 80  # a string longer than this (or with a newline) is shown as a text diff


def is_long_text(change: FieldChange) -> bool:
    """Shown as a unified diff of lines rather than `old -> new`."""
    values = [value for value in (change.before, change.after) if value is not None]
    if change.kind == "move" or not values or not all(isinstance(value, str) for value in values):
        return False
    if change.path in LONG_TEXT_FIELDS or any("\n" in value for value in values):
        return True
    # A long one-line value (a title) reads best as `old -> new` unless both sides exist and are long.
    return change.kind == "change" and all(len(value) > LONG_TEXT_CHARS for value in values)


# Break HTML after block-level closing tags and <br>, and long lines after sentence ends, so a
# one-line description still diffs sentence by sentence.
_BLOCK_END = re.compile(r"(</(?:p|div|li|ul|ol|h[1-6]|blockquote|pre|table|tr)>|<br\s*/?>)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def text_lines(text: str | None) -> list[str]:
    if not text:
        return []
    lines = []
    for raw_line in _BLOCK_END.sub(r"\1\n", text).splitlines():
        if len(raw_line) > LONG_TEXT_CHARS:
            lines.extend(_SENTENCE_END.split(raw_line))
        else:
            lines.append(raw_line)
    return [line for line in lines if line.strip()]


def unified_text_diff(before: str | None, after: str | None, context: int = 1) -> list[str]:
    """Hunks of a unified diff (`@@ ... @@`, ` `, `-`, `+` lines), without the file header."""
    diff = difflib.unified_diff(text_lines(before), text_lines(after), lineterm="", n=context)
    return [line for line in diff if not line.startswith(("---", "+++"))]


def summarise_text_change(before: str | None, after: str | None) -> str:
    """E.g. "2 lines added, 1 removed": for one-line views of a long text change."""
    lines = unified_text_diff(before, after, context=0)
    added = sum(1 for line in lines if line.startswith("+"))
    removed = sum(1 for line in lines if line.startswith("-"))
    return f"{added} line{'s' if added != 1 else ''} added, {removed} removed"
