"""Counted nouns in what zsync prints: "1 new version", "2 new versions", never "version(s)"."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count and the noun that agrees with it: plural(1, "dataset") == "1 dataset"."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
