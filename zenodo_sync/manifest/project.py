"""A project: its root, zsync.yaml, and every manifest loaded, merged, checked and expanded."""

from __future__ import annotations

import datetime
import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zenodo_sync.manifest import schema
from zenodo_sync.manifest.defaults import merge
from zenodo_sync.manifest.expand import to_deposit_metadata
from zenodo_sync.manifest.filelist import Limits, remote_only_files, resolve_files
from zenodo_sync.manifest.findings import ERROR, Finding, sort_key
from zenodo_sync.manifest.gittracked import TrackedFiles
from zenodo_sync.manifest.placeholders import ReleaseValues, resolve_placeholders
from zenodo_sync.manifest.repository_source import (
    REPOSITORY_KEY,
    SOURCE_NAMES,
    load_repository_source,
    load_source_file,
)
from zenodo_sync.manifest.schema_source import BACKEND_NAMES, NAMESPACE_PATTERN
from zenodo_sync.manifest.semantic import check_concept, check_metadata
from zenodo_sync.manifest.yamlsource import YamlDocument, read_yaml
from zenodo_sync.model import DesiredDataset
from zenodo_sync.zenodo.concepts import ConceptRef
from zenodo_sync.zenodo.rdm_mapping import no_rdm_equivalent

CONFIG_NAMES = ("zsync.yaml", "zsync.yml")
DEFAULT_DATASETS_GLOB = "datasets/**"
NAMESPACE_RE = re.compile(NAMESPACE_PATTERN)  # zsync.yaml `namespace` (engine/identity.py)
MANIFEST_SUFFIXES = (".yaml", ".yml")
DIRECTORY_MANIFEST_NAMES = ("zenodo.yaml", "zenodo.yml")
DEFAULT_LIMITS = Limits()


@dataclass
class ProjectConfig:
    path: Path | None = None  # None: the project has no zsync.yaml
    server: str | None = None
    datasets: str = DEFAULT_DATASETS_GLOB
    defaults: dict[str, Any] = field(default_factory=dict)
    document: YamlDocument | None = None
    namespace: str | None = None  # marker namespace: urn:zsync:<namespace>:<key> (engine/identity.py)
    tag_prefix: str = "v"  # `release: {tag_prefix: v}`: what a release tag has before the version
    backend: str | None = None  # `deposit` | `rdm` (settings.py resolves it with --backend)

    @property
    def datasets_root(self) -> str:
        """The folder part of the datasets glob before any wildcard (`datasets/**` -> `datasets`)."""
        parts: list[str] = []
        for part in Path(self.datasets).parts:
            if set(part) & set("*?["):
                break
            parts.append(part)
        return "/".join(parts)


@dataclass
class LoadedManifest:
    key: str
    path: Path  # absolute
    display: str  # relative to the project root when inside it
    effective: dict[str, Any] | None  # after defaults; None when the YAML could not be read
    has_errors: bool = False
    id_position: tuple[int, int] | None = None  # where an explicit `id` is written
    concept: ConceptRef | None = None  # the existing concept it is bound to (`concept:`)
    concept_position: tuple[int, int] | None = None


@dataclass
class Project:
    root: Path
    config: ProjectConfig
    datasets: list[DesiredDataset] = field(default_factory=list)  # only manifests without errors
    findings: list[Finding] = field(default_factory=list)
    manifests: list[LoadedManifest] = field(default_factory=list)
    # Made from .zenodo.json / CITATION.cff when there are no manifests (repository_source.py);
    # not among `datasets`: only `zsync release` publishes it, with the release's files.
    repository: DesiredDataset | None = None

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_error]

    def manifest(self, key_or_path: str) -> LoadedManifest | None:
        for manifest in self.manifests:
            if key_or_path in (manifest.key, manifest.display, str(manifest.path)):
                return manifest
        return None


# What marks a project root, strongest first: zsync's own files, then the default manifest
# folder, then the repository. A stronger marker further up wins over a weaker one nearby,
# so a data submodule's .git inside datasets/ does not become the root.
ROOT_MARKERS = ((*CONFIG_NAMES, "zsync.lock"), ("datasets",), (".git",))


def find_project_root(start: Path) -> Path:
    """The project root every command uses: the nearest folder at or above `start` holding
    zsync.yaml or zsync.lock, else one holding datasets/, else .git; else `start` itself."""
    start = Path(os.path.abspath(start))
    for names in ROOT_MARKERS:
        for folder in (start, *start.parents):
            if any((folder / name).exists() for name in names):
                return folder
    return start


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def load_config(root: Path, config_path: Path | None, findings: list[Finding]) -> ProjectConfig:
    if config_path is None:
        config_path = next((root / name for name in CONFIG_NAMES if (root / name).is_file()), None)
        if config_path is None:
            return ProjectConfig()
    config_path = Path(os.path.abspath(config_path))
    display = _display(config_path, root)
    document, problems = read_yaml(config_path, display)
    findings.extend(problems)
    config = ProjectConfig(path=config_path, document=document)
    if document is None:
        return config
    findings.extend(schema.check("zsync", document, display))
    data = document.data if isinstance(document.data, dict) else {}
    if isinstance(data.get("server"), str):
        config.server = data["server"]
    if isinstance(data.get("datasets"), str):
        config.datasets = data["datasets"]
    if isinstance(data.get("defaults"), dict):
        config.defaults = data["defaults"]
    if isinstance(data.get("namespace"), str) and NAMESPACE_RE.fullmatch(data["namespace"]):
        config.namespace = data["namespace"]
    release = data.get("release")
    if isinstance(release, dict) and isinstance(release.get("tag_prefix"), str):
        config.tag_prefix = release["tag_prefix"]
    if data.get("backend") in BACKEND_NAMES:
        config.backend = data["backend"]
    return config


def _manifests_under(folder: Path) -> list[Path]:
    """YAML files under `folder`; a folder with a zenodo.yaml is one dataset (its other YAML is data)."""
    found: list[Path] = []
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        own = [name for name in DIRECTORY_MANIFEST_NAMES if name in names]
        if own:
            found.append(Path(current) / own[0])
            dirs.clear()
            continue
        found.extend(Path(current) / name for name in sorted(names) if name.endswith(MANIFEST_SUFFIXES))
    return found


def discover(
    root: Path, config: ProjectConfig, paths: list[Path] | None, findings: list[Finding]
) -> list[Path]:
    candidates: list[Path] = []
    if paths:
        for given in paths:
            path = Path(os.path.abspath(given))
            if path.is_dir():
                candidates.extend(_manifests_under(path))
            elif path.exists():
                candidates.append(path)
            else:
                findings.append(
                    Finding(_display(path, root), 0, 0, ERROR, "no such file or folder", "", "path-missing")
                )
    else:
        pattern = os.path.join(root, config.datasets)
        for match in sorted(glob.glob(pattern, recursive=True)):
            match_path = Path(match)
            if match_path.is_dir():
                continue
            if match_path.name.endswith(MANIFEST_SUFFIXES):
                candidates.append(match_path)
        # Inside a dataset folder (one with zenodo.yaml), other YAML files are data, not manifests.
        datasets_root = root / config.datasets_root
        dataset_dirs = {
            path.parent
            for path in candidates
            if path.name in DIRECTORY_MANIFEST_NAMES and path.parent != datasets_root
        }
        candidates = [
            path
            for path in candidates
            if path.name in DIRECTORY_MANIFEST_NAMES
            or not any(folder in dataset_dirs for folder in (path.parent, *path.parent.parents))
        ]
    unique: dict[Path, None] = dict.fromkeys(candidates)
    return list(unique)


def manifest_key(path: Path, root: Path, config: ProjectConfig) -> str:
    """`datasets/rose.yaml` -> `rose`, `datasets/rose/zenodo.yaml` -> `rose` (docs/architecture.md)."""
    datasets_root = root / config.datasets_root
    for base in (datasets_root, root):
        try:
            relative = path.relative_to(base)
            break
        except ValueError:
            continue
    else:
        relative = Path(path.name)
    stem = relative.with_suffix("")
    if stem.name in ("zenodo",) and len(stem.parts) > 1:
        stem = stem.parent
    return stem.as_posix()


class _ManifestCheck:
    """Checks one manifest; knows whether a pointer's value came from the manifest or zsync.yaml."""

    def __init__(self, display: str, document: YamlDocument, config: ProjectConfig, root: Path) -> None:
        self.display, self.document, self.config, self.root = display, document, config, root
        self.from_defaults: set[str] = set()
        self.shape_errors: set[str] = set()
        self.findings: list[Finding] = []

    def locate(self, pointer: str, at_key: bool = False) -> tuple[str, int, int]:
        probe = pointer
        while probe:
            if probe in self.from_defaults and self.config.document is not None:
                in_config = "/defaults" + pointer[len("/metadata") :]
                doc = self.config.document
                line, column = doc.key_position(in_config) if at_key else doc.value_position(in_config)
                return (
                    _display(self.config.path, self.root) if self.config.path else "zsync.yaml",
                    line,
                    column,
                )
            probe = probe.rsplit("/", 1)[0]
        line, column = (
            self.document.key_position(pointer) if at_key else self.document.value_position(pointer)
        )
        return self.display, line, column

    def report(self, pointer: str, rule: str, message: str, severity: str) -> None:
        if pointer in self.shape_errors:
            return  # the schema already said this value is malformed; one error per value
        file, line, column = self.locate(pointer)
        self.findings.append(Finding(file, line, column, severity, message, pointer, rule))

    def effective(self) -> Any:
        data = self.document.data
        if isinstance(data, dict) and isinstance(data.get("metadata"), dict) and self.config.defaults:
            data = dict(data)
            data["metadata"] = merge(self.config.defaults, data["metadata"], "/metadata", self.from_defaults)
        return data


def load_manifest(
    path: Path,
    root: Path,
    config: ProjectConfig,
    today: datetime.date,
    limits: Limits,
    git_files: TrackedFiles | None = None,
    release: ReleaseValues | None = None,
) -> tuple[LoadedManifest, list[Finding], DesiredDataset | None]:
    """`release`: the values of the release being made of this manifest (placeholders.py)."""
    display = _display(path, root)
    key = manifest_key(path, root, config)
    document, findings = read_yaml(path, display)
    if document is None:
        return LoadedManifest(key, path, display, None, True), findings, None
    check = _ManifestCheck(display, document, config, root)
    data = check.effective()
    if isinstance(data, dict):
        data = resolve_placeholders(data, release, check.report, today)
    check.findings.extend(schema.check("manifest", document, display, data=data, locate=check.locate))
    check.shape_errors = {finding.pointer for finding in check.findings}
    files = []
    remote_files = []
    concept = None
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            key = data["id"]
        if isinstance(data.get("metadata"), dict):
            check_metadata(data["metadata"], check.report, today)
            if config.backend == "rdm":
                for name, why in no_rdm_equivalent(data["metadata"]).items():
                    message = f"`{name}` has no equivalent in the InvenioRDM API (`backend: rdm`): {why}"
                    check.report(f"/metadata/{name}", "rdm-no-equivalent", message, ERROR)
        if "concept" in data:
            concept = check_concept(data["concept"], check.report)
        entries = data.get("files", [])
        if isinstance(entries, list) and all(isinstance(entry, (str, dict)) for entry in entries):
            tracked = git_files.tracked if git_files is not None else None
            files = resolve_files(entries, path.parent, root, check.report, limits, tracked)
            remote_files = remote_only_files(entries, files, path.parent, check.report, limits)
            # `files:` indented under `metadata:` is reported as misplaced; "no files" would only confuse.
            misplaced = isinstance(data.get("metadata"), dict) and "files" in data["metadata"]
            if not entries and data.get("publish", True) is not False and not misplaced:
                # Zenodo refuses to publish a record without files (docs/zenodo-behaviour.md §3.9).
                check.report(
                    "/files" if "files" in data else "",
                    "files-required",
                    "no files: Zenodo publishes only records with at least one file "
                    "(or set `publish: false`)",
                    ERROR,
                )
    findings.extend(check.findings)
    has_errors = any(finding.is_error for finding in findings)
    loaded = LoadedManifest(key, path, display, data if isinstance(data, dict) else None, has_errors)
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        loaded.id_position = document.value_position("/id")
    if concept is not None:
        loaded.concept = concept
        loaded.concept_position = document.value_position("/concept")
    if has_errors:
        return loaded, findings, None
    desired = DesiredDataset(
        key=key,
        manifest_path=display,
        metadata=to_deposit_metadata(data["metadata"], data.get("description_format", "html")),
        files=files,
        publish=data.get("publish", True),
        remote_files=remote_files,
        concept=str(concept) if concept is not None else None,
    )
    return loaded, findings, desired


# How many of the other manifests sharing a key a finding names: with thousands of them,
# listing every one in every finding made validate quadratic (and the output unreadable).
DUPLICATES_NAMED = 3


def _check_duplicate_keys(project: Project) -> None:
    by_key: dict[str, list[LoadedManifest]] = {}
    for manifest in project.manifests:
        by_key.setdefault(manifest.key, []).append(manifest)
    for key, group in by_key.items():
        if len(group) < 2:
            continue
        for manifest in group:
            others = _others_named(manifest, group)
            line, column = manifest.id_position or (1, 1)
            project.findings.append(
                Finding(
                    manifest.display,
                    line,
                    column,
                    ERROR,
                    f"dataset key `{key}` is also used by {others}; each manifest needs its own `id`",
                    "/id" if manifest.id_position else "",
                    "id-duplicate",
                )
            )
            manifest.has_errors = True
    project.datasets = [dataset for dataset in project.datasets if len(by_key.get(dataset.key, [])) < 2]


def _check_duplicate_concepts(project: Project) -> None:
    """Two manifests bound to one concept would rewrite each other's record on every apply."""
    by_number: dict[str, list[LoadedManifest]] = {}
    for manifest in project.manifests:
        if manifest.concept is not None:
            by_number.setdefault(manifest.concept.number, []).append(manifest)
    for group in by_number.values():
        if len(group) < 2:
            continue
        for manifest in group:
            others = ", ".join(other.display for other in group if other is not manifest)
            line, column = manifest.concept_position or (1, 1)
            project.findings.append(
                Finding(
                    manifest.display,
                    line,
                    column,
                    ERROR,
                    f"concept {manifest.concept} is also bound by {others}; one record can follow one "
                    "manifest only",
                    "/concept",
                    "concept-duplicate",
                )
            )
            manifest.has_errors = True
    bound_twice = {m.key for group in by_number.values() if len(group) > 1 for m in group}
    project.datasets = [dataset for dataset in project.datasets if dataset.key not in bound_twice]


def _add_repository_source(project: Project, today: datetime.date, release: ReleaseValues | None) -> None:
    """A repository without manifests is described by its .zenodo.json or CITATION.cff, if any."""
    source = load_repository_source(project.root, today, release)
    if source is None:
        return
    project.findings.extend(source.findings)
    effective = {"metadata": source.metadata} if source.metadata is not None else None
    has_errors = any(finding.is_error for finding in source.findings)
    project.manifests.append(
        LoadedManifest(
            REPOSITORY_KEY,
            source.path,
            source.display,
            effective,
            has_errors,
        )
    )
    project.repository = source.dataset


def _others_named(manifest: LoadedManifest, group: list[LoadedManifest]) -> str:
    """The first DUPLICATES_NAMED manifests of `group` other than `manifest`, and how many more."""
    named = [other.display for other in group[: DUPLICATES_NAMED + 1] if other is not manifest]
    named = named[:DUPLICATES_NAMED]
    more = len(group) - 1 - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


def load_project(
    root: Path,
    paths: list[Path] | None = None,
    config_path: Path | None = None,
    *,
    today: datetime.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
    release: ReleaseValues | None = None,
    release_key: str | None = None,
) -> Project:
    """Load, merge, check and expand manifests. Problems are findings, never exceptions.

    `release` fills the placeholders of the manifest whose key is `release_key` (of every
    manifest when `release_key` is None); all others are left unresolved (placeholders.py).
    """
    root = Path(os.path.abspath(root))
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    findings: list[Finding] = []
    config = load_config(root, config_path, findings)
    project = Project(root=root, config=config, findings=findings)
    git_files = TrackedFiles(root)
    for path in discover(root, config, paths, findings):
        if path.name in SOURCE_NAMES:  # named on the command line: checked as Zenodo reads it
            source = load_source_file(path, _display(path, root), today, release)
            project.findings.extend(source.findings)
            effective = {"metadata": source.metadata} if source.metadata is not None else None
            has_errors = any(finding.is_error for finding in source.findings)
            project.manifests.append(
                LoadedManifest(REPOSITORY_KEY, path, source.display, effective, has_errors)
            )
            continue
        loaded, manifest_findings, desired = load_manifest(
            path, root, config, today, limits, git_files, release
        )
        if release is not None and release_key is not None and loaded.key != release_key:
            # Another dataset of the repository: its placeholders wait for its own release.
            loaded, manifest_findings, desired = load_manifest(path, root, config, today, limits, git_files)
        project.manifests.append(loaded)
        project.findings.extend(manifest_findings)
        if desired is not None:
            project.datasets.append(desired)
    if not project.manifests and not paths:
        _add_repository_source(project, today, release)
    _check_duplicate_keys(project)
    _check_duplicate_concepts(project)
    # A value from zsync.yaml's defaults is reported once (by the zsync.yaml check or the first
    # manifest that inherits it), not once per manifest.
    unique: dict[tuple, Finding] = {}
    for finding in project.findings:
        unique.setdefault((finding.file, finding.line, finding.column, finding.rule), finding)
    project.findings = sorted(unique.values(), key=sort_key)
    return project
