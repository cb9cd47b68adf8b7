"""A software repository without manifests: its `.zenodo.json` or `CITATION.cff` is the manifest.

Read as Zenodo's GitHub integration reads them (docs/zenodo-behaviour.md §10): `.zenodo.json`
wins over `CITATION.cff` when both are there, and what neither says Zenodo fills in: the
upload type software, the version from the release tag, the publication date of the
release. Both files are checked when present (the CITATION.cff also feeds GitHub's "Cite
this repository"), every finding at the line of the file it came from.

The dataset has no files of its own: `zsync release` attaches the release's (the archive of
the tagged tree by default), so plan and apply leave it to the release (run.py).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zenodo_sync.manifest import schema
from zenodo_sync.manifest.citation_cff import CITATION_CFF, cff_metadata, cff_pointer, check_cff
from zenodo_sync.manifest.expand import to_deposit_metadata
from zenodo_sync.manifest.findings import ERROR, Finding
from zenodo_sync.manifest.placeholders import ReleaseValues
from zenodo_sync.manifest.semantic import check_metadata
from zenodo_sync.manifest.yamlsource import YamlDocument, read_yaml
from zenodo_sync.manifest.zenodo_json import ZENODO_JSON, read_zenodo_json
from zenodo_sync.model import DesiredDataset

# The dataset key of a repository described by these files: one per repository, and the
# same whichever of the two files describes it, so adding a .zenodo.json later keeps the concept.
REPOSITORY_KEY = "repository"
SOURCE_NAMES = (ZENODO_JSON, CITATION_CFF)  # the first present wins (§10.1)


@dataclass
class SourceResult:
    """The repository's sources, checked: what load_project adds to a project without manifests."""

    display: str  # the file the metadata comes from
    path: Path
    metadata: dict[str, Any] | None  # Zenodo's reading of it, before expansion; None: unreadable
    findings: list[Finding] = field(default_factory=list)
    dataset: DesiredDataset | None = None  # None when any finding is an error
    checked: list[str] = field(default_factory=list)  # every source file that was read


def present_sources(root: Path) -> list[str]:
    return [name for name in SOURCE_NAMES if (root / name).is_file()]


def load_source_file(
    path: Path, display: str, today: datetime.date, release: ReleaseValues | None = None
) -> SourceResult:
    """One `.zenodo.json` or `CITATION.cff` named on the command line, checked on its own."""
    reading = _read(path, display, today, release)
    result = SourceResult(display=display, path=path, metadata=reading.metadata, findings=reading.findings)
    if reading.metadata is not None and not any(finding.is_error for finding in reading.findings):
        result.dataset = DesiredDataset(
            key=REPOSITORY_KEY, manifest_path=display, metadata=to_deposit_metadata(reading.metadata, "html")
        )
    return result


def load_repository_source(
    root: Path, today: datetime.date, release: ReleaseValues | None = None
) -> SourceResult | None:
    """The dataset the repository's `.zenodo.json` / `CITATION.cff` describe, or None if neither exists."""
    names = present_sources(root)
    if not names:
        return None
    readings = [_read(root / name, name, today, release) for name in names]
    chosen = readings[0]  # .zenodo.json before CITATION.cff (§10.1)
    findings = list(chosen.findings)
    for ignored in readings[1:]:
        # Zenodo does not read it, so advice on its metadata would be noise; its errors still
        # count (GitHub's "Cite this repository" reads it, and the release rewrites it).
        findings.extend(
            finding for finding in ignored.findings if not finding.rule.startswith("findability-")
        )
    result = SourceResult(
        display=chosen.display,
        path=root / chosen.display,
        metadata=chosen.metadata,
        findings=findings,
        checked=names,
    )
    if chosen.metadata is not None and not any(finding.is_error for finding in findings):
        result.dataset = DesiredDataset(
            key=REPOSITORY_KEY,
            manifest_path=chosen.display,
            metadata=to_deposit_metadata(chosen.metadata, "html"),  # Zenodo reads both as HTML
        )
    return result


@dataclass
class _Reading:
    display: str
    metadata: dict[str, Any] | None
    findings: list[Finding]


def _read(path: Path, name: str, today: datetime.date, release: ReleaseValues | None) -> _Reading:
    """`name`: the file as findings show it; its kind is told by the file name."""
    document: YamlDocument | None
    is_json = path.name == ZENODO_JSON
    if is_json:
        document, findings = read_zenodo_json(path, name)
    else:
        document, findings = read_yaml(path, name)
    if document is None:
        return _Reading(name, None, findings)
    located: Callable[[str], str]
    if is_json:
        metadata = dict(document.data)

        def located(pointer: str) -> str:
            return pointer[len("/metadata") :]
    else:
        check_cff(document.data, _reporter(name, document, findings, lambda pointer: pointer))
        if not isinstance(document.data, dict):
            return _Reading(name, None, findings)
        metadata = cff_metadata(document.data)
        located = cff_pointer
    _fill_in_as_zenodo(metadata, release, from_cff=not is_json)
    report = _reporter(name, document, findings, located)
    if "license" not in metadata:
        report(
            "",
            "license-required",
            "no license: Zenodo would take the GitHub repository's license, else cc-by-4.0; "
            "write the license the record should carry",
            ERROR,
        )
    own = len(findings)

    def locate(pointer: str, at_key: bool) -> tuple[str, int, int]:
        target = located(pointer)
        line, column = document.key_position(target) if at_key else document.value_position(target)
        return name, line, column

    shape = schema.check("manifest", document, name, data={"metadata": metadata}, locate=locate)
    # One finding per place: the source's own check (a nameless author, say) speaks first.
    taken = {(finding.line, finding.column) for finding in findings[:own]}
    findings.extend(
        dataclasses.replace(finding, pointer=located(finding.pointer))
        for finding in shape
        if (finding.line, finding.column) not in taken
    )
    malformed = {finding.pointer for finding in shape}

    def report_meaning(pointer: str, rule: str, message: str, severity: str) -> None:
        if pointer not in malformed:  # the schema already said this value is malformed
            report(pointer, rule, message, severity)

    check_metadata(metadata, report_meaning, today)
    return _Reading(name, metadata, findings)


def _reporter(
    display: str, document: YamlDocument, findings: list[Finding], located: Callable[[str], str]
) -> Callable[[str, str, str, str], None]:
    def report(pointer: str, rule: str, message: str, severity: str) -> None:
        target = located(pointer)
        line, column = document.value_position(target)
        findings.append(Finding(display, line, column, severity, message, target, rule))

    return report


def _fill_in_as_zenodo(metadata: dict[str, Any], release: ReleaseValues | None, *, from_cff: bool) -> None:
    """What Zenodo's GitHub integration sets itself (§10.1): software, the tag, the release day.

    A CITATION.cff `version` is never read: the version is the release's. A `.zenodo.json`
    may set its own version, publication date and upload type.
    """
    metadata.setdefault("upload_type", "software")
    if release is not None:
        if from_cff:
            metadata["version"] = release.version
            metadata["publication_date"] = release.date
        else:
            # Zenodo lets the file's own values win; a version that is not the tag's is refused
            # by `zsync release` (run.py) rather than published beside the wrong tag.
            metadata.setdefault("version", release.version)
            metadata.setdefault("publication_date", release.date)
