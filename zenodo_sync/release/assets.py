"""The release's own files instead of the archive: local paths or globs, or the assets the
release event lists, downloaded through the GitHub API.

The token (GITHUB_TOKEN) goes only to the GitHub API's own origin (GITHUB_API_URL), never to
an address an event payload could point elsewhere.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from zenodo_sync.ci.environment import api_url_in, token_in
from zenodo_sync.errors import ConfigError, ServerError
from zenodo_sync.release.event import Asset

CHUNK = 1 << 20


def local_assets(patterns: list[str], root: Path) -> list[Path]:
    """The files the patterns (relative to `root`) match, each pattern matching at least one."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        matches = sorted(Path(path) for path in glob.glob(os.path.join(root, pattern), recursive=True))
        files = [path for path in matches if path.is_file()]
        if not files:
            raise ConfigError(
                f"--asset {pattern}: no file matches it under {root}.",
                hint="Give paths relative to the project root.",
            )
        found.update(dict.fromkeys(files))
    return list(found)


def download_assets(assets: list[Asset], folder: Path, env: Mapping[str, str]) -> list[Path]:
    """Each asset saved under `folder` by its name."""
    import requests

    if not assets:
        raise ConfigError(
            "--download-assets: the release event lists no assets.",
            hint="Attach files to the GitHub release first, or leave the option out to upload the git archive.",
        )
    api, token = api_url_in(env), token_in(env)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for asset in assets:
        headers = {"Accept": "application/octet-stream", "User-Agent": "zsync-release"}
        if token and _origin(asset.url) == _origin(api):
            headers["Authorization"] = f"Bearer {token}"
        target = folder / Path(asset.name).name
        try:
            with requests.get(asset.url, headers=headers, stream=True, timeout=60) as answer:
                if answer.status_code != 200:
                    raise ServerError(
                        f"Downloading the release asset {asset.name} failed: HTTP {answer.status_code}.",
                        hint="For a private repository, give the job's GITHUB_TOKEN in the environment.",
                        status=answer.status_code,
                    )
                with target.open("wb") as handle:
                    for chunk in answer.iter_content(CHUNK):
                        handle.write(chunk)
        except requests.RequestException as exc:
            raise ServerError(
                f"Downloading the release asset {asset.name} failed: {type(exc).__name__}."
            ) from None
        paths.append(target)
    return paths


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
