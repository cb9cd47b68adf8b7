"""The marker that ties a Zenodo record to a manifest key without the lock file.

Every record zsync creates carries one related identifier

    {"identifier": "urn:zsync:<key>", "relation": "isAlternateIdentifier", "scheme": "urn"}

It survives Zenodo's legacy round trip (a URN is a scheme Zenodo detects and keeps), is
copied into every new version (Zenodo copies the latest version's metadata, docs/zenodo-behaviour.md
§3.9), and zsync re-sends it on every PUT, since PUT replaces the whole metadata (§3.6).
When `zsync.lock` is lost, or a create's response never arrived, refresh looks for this
marker among the owner's depositions and adopts the record instead of creating a second
concept. The normaliser must not count it as a difference; plan strips it before diffing.

Namespaces: one Zenodo account may serve several repositories, and two of them may both
have a dataset `rose`. With `namespace: <ns>` in zsync.yaml the marker is
`urn:zsync:<ns>:<key>`, so each repository only ever finds its own records. Without a
namespace the marker stays `urn:zsync:<key>` (records made before namespaces existed keep
working), and refresh treats a match found without any lock entry as an adoption that
needs the user's consent (`zsync apply --adopt KEY`).
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote, unquote

from zenodo_sync.manifest.schema_source import MARKER_PREFIX  # validate refuses it in manifests

MARKER_RELATION = "isAlternateIdentifier"


def marker_for(key: str, namespace: str | None = None) -> str:
    # Percent-encoded so that any key stays one valid URN: a "/" would make Zenodo's idutils
    # detect a handle first, and a space is not allowed in a URN (RFC 8141). Under a
    # namespace ":" is encoded too, so `<ns>:<key>` splits one way only.
    if namespace:
        return f"{MARKER_PREFIX}{namespace}:{quote(key, safe='-._~')}"
    return MARKER_PREFIX + quote(key, safe="-._~:")


def marker_identifier(key: str, namespace: str | None = None) -> dict[str, str]:
    return {"identifier": marker_for(key, namespace), "relation": MARKER_RELATION, "scheme": "urn"}


def markers_of(metadata: dict[str, Any]) -> list[str]:
    """Every zsync marker a record's metadata carries, as sent (compare with marker_for)."""
    return [str(item["identifier"]) for item in metadata.get("related_identifiers") or [] if _is_marker(item)]


def _is_marker(item: Any) -> bool:
    return isinstance(item, dict) and str(item.get("identifier", "")).startswith(MARKER_PREFIX)


def keys_marked(metadata: dict[str, Any]) -> list[str]:
    """The manifest keys whose marker a record's metadata carries (normally one)."""
    return [
        unquote(str(item["identifier"])[len(MARKER_PREFIX) :])
        for item in metadata.get("related_identifiers") or []
        if _is_marker(item)
    ]


def with_marker(metadata: dict[str, Any], key: str, namespace: str | None = None) -> dict[str, Any]:
    """A copy of `metadata` to send to the server: any stale marker replaced by this key's
    (so a project that adds a namespace moves each record to the new marker at its next update)."""
    sent = copy.deepcopy(metadata)
    related = [item for item in sent.get("related_identifiers") or [] if not _is_marker(item)]
    related.append(marker_identifier(key, namespace))
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
