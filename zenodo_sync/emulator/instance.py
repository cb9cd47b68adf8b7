"""The emulator's instance id: one per data directory, so a client can tell a restarted
emulator (same data, any port) from a new one (fresh data, new record ids).

Kept in a small file beside the database, made once; `GET /api/_emulator/instance` reports it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from zenodo_sync.atomicfile import write_atomic

INSTANCE_FILE = "instance-id"


def instance_id(data_dir: Path) -> str:
    """The id stored in `data_dir`, made on first use."""
    path = Path(data_dir) / INSTANCE_FILE
    try:
        stored = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        stored = ""
    if stored.isalnum():
        return stored
    made = secrets.token_hex(8)
    write_atomic(path, made + "\n")
    return made
