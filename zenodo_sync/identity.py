"""The marker that ties a Zenodo record to a manifest key without the lock file.

Every record zsync creates carries one related identifier

    {"identifier": "urn:zsync:<key>", "relation": "isAlternateIdentifier", "scheme": "urn"}

It survives Zenodo's legacy round trip (a URN is a scheme Zenodo detects and keeps), is
copied into every new version (Zenodo copies the latest version's metadata, zenodo-api.md
§3.9), and zsync re-sends it on every PUT, since PUT replaces the whole metadata (§3.6).
When `zsync.lock` is lost, or a create's response never arrived, refresh looks for this
marker among the owner's depositions and adopts the record instead of creating a second
concept. The normaliser must not count it as a difference; plan strips it before diffing.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote, unquote

MARKER_PREFIX = "urn:zsync:"
MARKER_RELATION = "isAlternateIdentifier"


def marker_for(key: str) -> str:
    # Percent-encoded so that any key stays one valid URN: a "/" would make Zenodo's idutils
    # detect a handle first, and a space is not allowed in a URN (RFC 8141).
    return MARKER_PREFIX + quote(key, safe="-._~:")


def marker_identifier(key: str) -> dict[str, str]:
    return {"identifier": marker_for(key), "relation": MARKER_RELATION, "scheme": "urn"}


def _is_marker(item: Any) -> bool:
    return isinstance(item, dict) and str(item.get("identifier", "")).startswith(MARKER_PREFIX)


def keys_marked(metadata: dict[str, Any]) -> list[str]:
    """The manifest keys whose marker a record's metadata carries (normally one)."""
    return [unquote(str(item["identifier"])[len(MARKER_PREFIX):])
            for item in metadata.get("related_identifiers") or [] if _is_marker(item)]


def with_marker(metadata: dict[str, Any], key: str) -> dict[str, Any]:
    """A copy of `metadata` to send to the server: any stale marker replaced by this key's."""
    sent = copy.deepcopy(metadata)
    related = [item for item in sent.get("related_identifiers") or [] if not _is_marker(item)]
    related.append(marker_identifier(key))
    sent["related_identifiers"] = related
    return sent


def without_marker(metadata: dict[str, Any]) -> dict[str, Any]:
    """A copy of server metadata without zsync's marker, for comparing with a manifest."""
    clean = copy.deepcopy(metadata)
    related = [item for item in clean.get("related_identifiers") or [] if not _is_marker(item)]
    if related:
        clean["related_identifiers"] = related
    else:
        clean.pop("related_identifiers", None)
    return clean
