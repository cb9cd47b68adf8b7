"""The project a run works on: its root, its manifests loaded and checked, the targets chosen.

Shared by every command that reads manifests; their findings stop a run here, with one message.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ConfigError, ManifestError
from zenodo_sync.manifest import Finding, Project, find_project_root, load_project
from zenodo_sync.run.options import Kind, Report, RunOptions
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.model import DesiredDataset


CITATION_NAME = "CITATION.cff"


# `zsync export` formats -> the file Zenodo's GitHub integration reads (at the repository's top)
EXPORT_FILES = {"cff": CITATION_NAME, "zenodo-json": ".zenodo.json"}


def project_root(options: RunOptions) -> Path:
    """The root the options name, else the one found from the working directory (every command's rule)."""
    return options.root or find_project_root(Path.cwd())


def load_manifests(options: RunOptions) -> Project:
    """The project at the options' root, every manifest loaded and checked (no I/O beyond reading)."""
    paths = [Path(p) for p in options.paths] or None
    return load_project(project_root(options), paths, options.config)


def report_findings(findings: list[Finding], report: Report) -> None:
    for finding in sorted(findings, key=lambda f: (f.file, f.line, f.column)):
        where = f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file
        report(Kind.FINDING, f"{where}: {finding.severity}: {finding.message}")
    errors = [f for f in findings if f.is_error]
    if errors:
        raise ManifestError(
            f"{plural(len(errors), 'error')} in the manifests; nothing was planned.",
            hint="Fix them (see `zsync validate`), then plan again.",
        )


def only_targets(datasets: list[DesiredDataset], targets: tuple[str, ...]) -> list[DesiredDataset]:
    if not targets:
        return datasets
    known = {d.key for d in datasets}
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise ConfigError(
            f"--target {unknown[0]}: no manifest has this key.", hint=target_hint(unknown[0], known)
        )
    return [d for d in datasets if d.key in targets]


def target_hint(target: str, known: set[str]) -> str:
    """Did you mean the nearest key (a typo is the usual cause); else a few keys to choose from."""
    import difflib

    close = difflib.get_close_matches(target, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"Did you mean `--target {close[0]}`?"
    return "Keys are the manifest's `id`, else its path without extension, e.g. " + (
        ", ".join(sorted(known)[:3]) or "datasets/rose-scent"
    )
