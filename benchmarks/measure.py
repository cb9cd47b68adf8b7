"""What the file benchmarks share: a large input file and the process's peak memory."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def write_random_file(path: Path, size_mb: int) -> Path:
    """`size_mb` MiB of incompressible bytes, written one block at a time."""
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size_mb):
            handle.write(block)
    return path
