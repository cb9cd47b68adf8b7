"""The release being made: from `--tag`, or from the GitHub event that started the job.

A `release` event (GITHUB_EVENT_PATH) gives the tag, the release's name, notes, publication
time and assets; a tag `push` event, or GITHUB_REF_NAME alone, gives the tag only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zenodo_sync.ci.environment import read_event_payload
from zenodo_sync.errors import ConfigError


@dataclass(frozen=True)
class Asset:
    name: str
    url: str  # the GitHub API address of the asset (downloaded with Accept: application/octet-stream)


@dataclass(frozen=True)
class ReleaseEvent:
    tag: str
    notes: str = ""  # the release's body (Markdown)
    published_at: str | None = None  # ISO timestamp
    assets: list[Asset] = field(default_factory=list)
    source: str = "--tag"  # where the tag came from, for messages


def read_event(tag: str | None, env: Mapping[str, str]) -> ReleaseEvent:
    """The release `--tag` names, else the one GitHub's event describes."""
    payload = _payload(env)
    release = payload.get("release") if isinstance(payload.get("release"), dict) else None
    if tag is not None:
        if release is not None and release.get("tag_name") == tag:
            return _from_release(release, "--tag")
        return ReleaseEvent(tag=tag)
    if release is not None and isinstance(release.get("tag_name"), str):
        return _from_release(release, "the release event")
    ref = payload.get("ref")
    if isinstance(ref, str) and ref.startswith("refs/tags/"):
        return ReleaseEvent(tag=ref[len("refs/tags/") :], source="the tag push event")
    ref_name = env.get("GITHUB_REF_NAME")
    if ref_name and env.get("GITHUB_REF_TYPE", "tag") == "tag":
        return ReleaseEvent(tag=ref_name, source="GITHUB_REF_NAME")
    raise ConfigError(
        "No release to make: no --tag, and no release or tag event in the environment.",
        hint="Run `zsync release --tag v1.2.0` for an existing tag, or from a GitHub Actions job "
        "started by `release: [published]` or a tag push.",
    )


def _payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        return read_event_payload(Path(path))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"GITHUB_EVENT_PATH {path}: cannot read the event ({exc}).",
            hint="Unset GITHUB_EVENT_PATH outside GitHub Actions, or pass --tag.",
        ) from None


def _from_release(release: dict[str, Any], source: str) -> ReleaseEvent:
    assets = [
        Asset(name=str(item["name"]), url=str(item["url"]))
        for item in release.get("assets") or []
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("url"), str)
    ]
    return ReleaseEvent(
        tag=str(release["tag_name"]),
        notes=str(release.get("body") or ""),
        published_at=release.get("published_at") if isinstance(release.get("published_at"), str) else None,
        assets=assets,
        source=source,
    )
