"""Manifests: load YAML with positions, merge zsync.yaml defaults, check shape and meaning.

project = load_project(root)        # Project(root, config, datasets, findings, manifests)
project.datasets                    # DesiredDataset per manifest without errors
project.findings                    # Finding(file, line, column, severity, message, pointer, rule)
"""

from zenodo_sync.manifest.findings import ERROR, WARNING, Finding
from zenodo_sync.manifest.project import (
    LoadedManifest,
    Project,
    ProjectConfig,
    find_project_root,
    load_project,
)

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "LoadedManifest",
    "Project",
    "ProjectConfig",
    "find_project_root",
    "load_project",
]
