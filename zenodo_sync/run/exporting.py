"""`zsync export`: one manifest written as `.zenodo.json` or CITATION.cff text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zenodo_sync.errors import ConfigError
from zenodo_sync.manifest import load_project
from zenodo_sync.run.manifests import EXPORT_FILES, project_root, report_findings, target_hint
from zenodo_sync.run.options import Report, RunOptions, ignore


@dataclass(frozen=True)
class Exported:
    key: str
    text: str
    file_name: str  # where Zenodo's GitHub integration looks for it, at the repository's top
    left_out: list[str]  # metadata fields the format cannot carry


def export_manifest(options: RunOptions, key: str | None, fmt: str, report: Report = ignore) -> Exported:
    """The manifest `key` (the only one when None) as `.zenodo.json` or CITATION.cff text."""
    from zenodo_sync.manifest.export import cff_export, zenodo_json_export
    from zenodo_sync.manifest.placeholders import ReleaseValues

    root = project_root(options)
    # Placeholders stay as written (the release fills them in) and are left out of the file.
    keep = ReleaseValues(version="{release.version}", tag="{release.tag}", date="{release.date}")
    project = load_project(root, [Path(p) for p in options.paths] or None, options.config, release=keep)
    keys = [manifest.key for manifest in project.manifests if manifest.display not in EXPORT_FILES.values()]
    if key is None:
        if len(keys) != 1:
            raise ConfigError(
                f"zsync export writes one dataset; there are {len(keys)}"
                + (f": {', '.join(sorted(keys)[:5])}" if keys else " (no manifest found)")
                + ".",
                hint="Name it: `zsync export KEY --format cff`.",
            )
        key = keys[0]
    manifest = project.manifest(key)
    if manifest is None or key not in keys:
        raise ConfigError(f"{key}: no manifest has this key.", hint=target_hint(key, set(keys)))
    report_findings([f for f in project.findings if f.file == manifest.display], report)
    desired = next(d for d in project.datasets if d.key == key)
    if fmt == "zenodo-json":
        return Exported(key, zenodo_json_export(desired.metadata), EXPORT_FILES[fmt], [])
    written = (manifest.effective or {}).get("metadata", {}).get("license")
    text, left_out = cff_export(desired.metadata, written if isinstance(written, str) else None)
    return Exported(key, text, EXPORT_FILES[fmt], left_out)
