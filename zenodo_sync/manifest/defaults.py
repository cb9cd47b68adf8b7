"""zsync.yaml `defaults` under a manifest's metadata: mappings merged deeply, lists replaced.

Lists are replaced, not concatenated, because a manifest that lists its own creators
means exactly those creators; appending the project's would make them impossible to remove.
"""

from __future__ import annotations

import copy
from typing import Any

from zenodo_sync.manifest.yamlsource import pointer_join


def merge(defaults: Any, own: Any, pointer: str = "", from_defaults: set[str] | None = None) -> Any:
    """`own` over `defaults`. Pointers of values taken from `defaults` are added to `from_defaults`."""
    if isinstance(defaults, dict) and isinstance(own, dict):
        merged: dict[str, Any] = {}
        for key, value in defaults.items():
            child = pointer_join(pointer, key)
            if key in own:
                merged[key] = merge(value, own[key], child, from_defaults)
            else:
                merged[key] = copy.deepcopy(value)
                if from_defaults is not None:
                    from_defaults.add(child)
        for key, value in own.items():
            if key not in merged:
                merged[key] = value
        return merged
    return own
