"""`zsync plan --offline`: the manifests at a base commit against the head, no server asked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.manifest import Project, ProjectConfig, load_project
from zenodo_sync.run.changed_since import TouchedDatasets, real_path, touched_since
from zenodo_sync.run.manifests import load_manifests, only_targets, project_root, report_findings
from zenodo_sync.run.options import Kind, Report, RunOptions, ignore
from zenodo_sync.run.planning import hash_datasets

if TYPE_CHECKING:
    from zenodo_sync.engine.progress import ProgressSink
    from zenodo_sync.model import Plan


@dataclass(frozen=True)
class OfflinePlan:
    """A plan computed from git alone (engine/offline.py): no server, no token."""

    plan: Plan
    touched: TouchedDatasets


def plan_offline(
    options: RunOptions, base_ref: str, report: Report = ignore, *, progress: ProgressSink | None = None
) -> OfflinePlan:
    """The manifests at the merge base of `base_ref` against the head, as a plan, without Zenodo.

    The lock at the head names the records; hashing uses the project's md5 cache for the head
    and a temporary one for the base tree.
    """
    import tempfile

    from zenodo_sync.engine.files import default_cache_path
    from zenodo_sync.engine.offline import offline_plan
    from zenodo_sync.engine.state import LockFile
    from zenodo_sync.vcs.changes import export_tree, open_repository, top_of

    root = project_root(options)
    project = load_manifests(options)
    report_findings(project.findings, report)
    touched = touched_since(options, base_ref, project)
    report(
        Kind.STATUS,
        f"Planning offline: the manifests at {base_ref} (merge base {touched.base[:12]}) against the head; "
        "Zenodo is not asked.",
    )
    head = hash_datasets(
        only_targets(list(project.datasets), options.targets),
        default_cache_path(root),
        options.parallelism,
        progress,
    )
    with tempfile.TemporaryDirectory(prefix="zsync-base-") as folder:
        with open_repository(root, "--offline") as repo:
            relative = Path(real_path(root)).relative_to(top_of(repo))
            export_tree(repo, touched.base, Path(folder) / "tree")
        base_root = Path(folder) / "tree" / relative
        config = None
        if project.config.path is not None:
            config = base_root / Path(real_path(project.config.path)).relative_to(real_path(root))
            config = config if config.is_file() else None
        before = _base_project(base_root, config, project.root, options)
        base_datasets = [d for d in before.datasets if d.key in head] if options.targets else before.datasets
        base = hash_datasets(base_datasets, Path(folder) / "md5-cache.json", options.parallelism)
    lock = LockFile.load(root)
    label = f"git {touched.base[:12]} (offline)"
    return OfflinePlan(plan=offline_plan(base, head, lock.entries, label=label), touched=touched)


def _base_project(base_root: Path, config: Path | None, root: Path, options: RunOptions) -> Project:
    """The project as it was in the base tree; the same paths, where they existed then."""
    if not base_root.is_dir():
        return Project(root=base_root, config=ProjectConfig())  # the project did not exist yet
    if not options.paths:
        return load_project(base_root, None, config)
    paths = [base_root / Path(real_path(path)).relative_to(real_path(root)) for path in options.paths]
    existing = [path for path in paths if path.exists()]
    return load_project(base_root, existing, config) if existing else Project(base_root, ProjectConfig())
