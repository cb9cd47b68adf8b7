"""Which emulator answers at a loopback URL: its instance id, stable across restarts.

A `zsync emulator` restarted on the same data directory holds the same records whatever
its port, and one started on fresh data reuses the same record ids for other records, so
zsync keys the state of a loopback server by this id rather than by its URL. The caller asks
only loopback URLs (Settings.is_local): real Zenodo has no such endpoint, and zsync sends it
nothing it does not need.
"""

from __future__ import annotations

import requests

INSTANCE_PATH = "/_emulator/instance"  # under the API base URL (emulator/middleware.py)
TIMEOUT_SECONDS = 5.0


def emulator_instance(api_url: str) -> str | None:
    """The instance id of the emulator at `api_url`, or None (not an emulator, no answer)."""
    try:
        response = requests.get(api_url.rstrip("/") + INSTANCE_PATH, timeout=TIMEOUT_SECONDS)
        found = response.json().get("instance_id") if response.status_code == 200 else None
    except (requests.RequestException, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) and found.isalnum() else None
