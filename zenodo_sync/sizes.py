"""Byte counts for people, the same way in plans, apply's progress and validation messages."""

from __future__ import annotations


def human_size(size: int | None) -> str:
    """Decimal units, as Zenodo states its limits (50 GB = 50 * 10**9 bytes, §5)."""
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover - unreachable
