"""`--changed-since REF`: the datasets a branch changed since its merge base with REF, read from git."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from zenodo_sync.manifest import Project, load_project
from zenodo_sync.run.manifests import load_manifests, project_root
from zenodo_sync.run.options import RunOptions


@dataclass(frozen=True)
class TouchedDatasets:
    """The datasets a branch changed since its merge base with a ref (a pull request's base)."""

    ref: str
    base: str  # the merge base's commit id
    keys: frozenset[str]

    def describe(self) -> str:
        return f"Changed since {self.ref} (merge base {self.base[:12]}): " + (
            ", ".join(sorted(self.keys)) if self.keys else "no dataset"
        )


def touched_since(options: RunOptions, ref: str, project: Project | None = None) -> TouchedDatasets:
    """Datasets whose manifest or files changed since the merge base of `ref` and HEAD, or that
    inherit a zsync.yaml default which changed (work-tree changes and new files count too).

    A dataset folder (one with zenodo.yaml) counts as changed when anything under it changed,
    so a file deleted from a glob's match counts too. A change to zsync.yaml beyond `defaults`
    (the server, the namespace, the datasets glob) touches every dataset.
    """
    from zenodo_sync.vcs.changes import changed_paths, merge_base, open_repository, text_at

    why = "--changed-since"
    project = project or load_manifests(options)
    root = project_root(options)
    config_path = project.config.path or root / "zsync.yaml"
    with open_repository(root, why) as repo:
        base = merge_base(repo, ref, why)
        changed = {real_path(path) for path in changed_paths(repo, base)}
        config_before = (
            text_at(repo, base, Path(real_path(config_path))) if real_path(config_path) in changed else None
        )
    keys = set()
    for manifest in project.manifests:
        manifest_path = real_path(manifest.path)
        folder = os.path.dirname(manifest_path) + os.sep
        own_folder = manifest.path.name.startswith("zenodo.")
        if manifest_path in changed or (own_folder and any(path.startswith(folder) for path in changed)):
            keys.add(manifest.key)
    for dataset in project.datasets:
        if any(real_path(local.path) in changed for local in dataset.files):
            keys.add(dataset.key)
    if real_path(config_path) in changed:
        keys |= _inheriting_changed_defaults(options, project, config_before or "")
    return TouchedDatasets(ref=ref, base=base, keys=frozenset(keys))


def _inheriting_changed_defaults(options: RunOptions, project: Project, config_before: str) -> set[str]:
    """Keys whose effective manifest differs under zsync.yaml as it was at the merge base."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zsync-config-") as folder:
        old_config = Path(folder) / "zsync.yaml"
        old_config.write_text(config_before, encoding="utf-8")
        paths = [Path(p) for p in options.paths] or None
        old = load_project(project.root, paths, old_config)
    before, now = old.config, project.config
    if (before.server, before.datasets, before.namespace) != (now.server, now.datasets, now.namespace):
        return {manifest.key for manifest in project.manifests}  # what every dataset stands on
    effective_before = {manifest.display: manifest.effective for manifest in old.manifests}
    return {
        manifest.key
        for manifest in project.manifests
        if effective_before.get(manifest.display) != manifest.effective
    }


def real_path(path: Path | str) -> str:
    return os.path.realpath(path)
