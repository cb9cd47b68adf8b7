"""Which dataset a tag releases, and with which version.

`v1.2.0` releases the only dataset (or the one named) as version 1.2.0; in a repository of
several, `rose-v1.2.0` releases the dataset `rose`. The prefix (`v` by default) is zsync.yaml's
`release: {tag_prefix: ...}`; it is taken off before a digit only, and a tag without it is
the version as written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from zenodo_sync.errors import ConfigError

DEFAULT_TAG_PREFIX = "v"


@dataclass(frozen=True)
class TagReading:
    key: str | None  # the dataset the tag names; None: the tag names none
    version: str


def read_tag(tag: str, keys: Collection[str], prefix: str = DEFAULT_TAG_PREFIX) -> TagReading:
    """The dataset key a tag starts with (`<key>-`, the longest that fits) and the version after it."""
    for key in sorted(keys, key=len, reverse=True):
        for separator in ("-", "/", "@"):
            head = f"{key}{separator}"
            if tag.startswith(head) and len(tag) > len(head):
                return TagReading(key, _version(tag[len(head) :], prefix, tag))
    return TagReading(None, _version(tag, prefix, tag))


def _version(rest: str, prefix: str, tag: str) -> str:
    # The prefix is taken off only before a digit: `version-2` is not `ersion-2`.
    stripped = rest[len(prefix) :] if prefix and rest.startswith(prefix) else rest
    version = stripped if stripped[:1].isdigit() else rest
    if not version.strip():
        raise ConfigError(
            f"Tag {tag!r} holds no version.", hint="Tag releases like v1.2.0 (or <dataset>-v1.2.0)."
        )
    return version
