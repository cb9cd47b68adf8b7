"""`zsync release`: a release or tag published as a new version of its dataset."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ConfigError, ManifestError
from zenodo_sync.manifest import Project, load_project
from zenodo_sync.run.applying import apply_plan
from zenodo_sync.run.manifests import CITATION_NAME, project_root, report_findings, target_hint
from zenodo_sync.run.options import Kind, Report, RunOptions, ignore
from zenodo_sync.run.planning import PlannedRun, plan_datasets
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.model import DesiredDataset, LocalFile
    from zenodo_sync.release.event import ReleaseEvent


@dataclass(frozen=True)
class ReleaseRequest:
    """What `zsync release` was asked for (the CLI reads the event from the environment)."""

    event: ReleaseEvent
    dataset: str | None = None  # the key named on the command line; None: from the tag
    notes_from_release: bool = False  # the release's notes become the version's notes
    assets: tuple[str, ...] = ()  # paths or globs to attach instead of the git archive
    download_assets: bool = False  # the event's assets, downloaded, instead of the git archive
    update_citation: bool = False  # rewrite CITATION.cff and the README badge in the working tree
    env: dict[str, str] = field(default_factory=dict, repr=False)  # GITHUB_TOKEN, GITHUB_API_URL


@dataclass
class ReleaseResult:
    key: str
    tag: str
    version: str
    doi: str | None
    concept_doi: str | None
    record_id: int | None
    url: str | None = None
    files: list[str] = field(default_factory=list)
    already_released: bool = False  # the tag's version was published before: nothing was sent
    left_for_review: bool = False  # `publish: false`: a draft, `doi` the one it gets when published
    cited_in_archive: bool = False  # the archived CITATION.cff carries `doi`
    updated_files: list[str] = field(default_factory=list)  # rewritten by --update-citation


def release_project(options: RunOptions, request: ReleaseRequest, report: Report = ignore) -> ReleaseResult:
    """Publish the release as a new version of its dataset (the first one if none exists).

    When the files are the git archive and the tagged tree has a CITATION.cff, the version is
    made in two steps so the archive can cite itself: a draft first (files removed, not
    published), whose DOI Zenodo reserves (§3.2.3); then the archive, with that DOI, version
    and date written into its CITATION.cff, uploaded into that draft, which is published.
    """
    from zenodo_sync.manifest.placeholders import ReleaseValues
    from zenodo_sync.vcs.tags import file_at_tag

    root = project_root(options)
    event = request.event
    report = _once(report)  # each of the two plans would say the same lock and refresh notes
    first_look = load_project(root, config_path=options.config)
    key, version = _released_dataset(first_look, event.tag, request.dataset)
    date = _release_date(root, event)
    values = ReleaseValues(version=version, tag=event.tag, date=date)
    project = load_project(root, config_path=options.config, release=values, release_key=key)
    desired = _release_dataset(project, key, report)
    _check_version(desired, version, event.tag)
    if request.notes_from_release:
        desired.metadata["notes"] = _release_notes(event)
    report(Kind.STATUS, f"Releasing {key} version {version} (tag {event.tag}, from {event.source}).")

    folder = root / ".zsync" / "release"
    citation = None
    reserved: str | None = None
    if request.assets:
        files = [_local_file(path) for path in _local_assets(request.assets, root)]
    elif request.download_assets:
        from zenodo_sync.release.assets import download_assets

        report(Kind.STATUS, f"Downloading {plural(len(event.assets), 'release asset')}...")
        files = [_local_file(path) for path in download_assets(event.assets, folder / event.tag, request.env)]
    else:
        files = []  # the archive, made below once its CITATION.cff can carry the DOI
        citation = file_at_tag(root, event.tag, CITATION_NAME)

    targeted = dataclasses.replace(options, targets=(key,))
    result = ReleaseResult(
        key=key, tag=event.tag, version=version, doi=None, concept_doi=None, record_id=None
    )
    if citation is not None:
        # Step one: the draft, whose DOI is reserved before anything is published.
        draft_run = plan_datasets(
            root,
            project,
            [dataclasses.replace(desired, files=[], publish=False)],
            targeted,
            report,
            targeted=True,
        )
        if _already_released(draft_run, key, version, result):
            return result
        report(
            Kind.STATUS, f"{key}: opening the new version's draft to learn the DOI Zenodo reserves for it..."
        )
        apply_plan(draft_run, targeted, _quiet_draft_step(report))
        entry = draft_run.lock.get(key)
        reserved = entry.draft_doi if entry is not None else None
        if reserved:
            from zenodo_sync.release.citation import cite_version

            try:
                tagged = citation.decode("utf-8")
            except UnicodeDecodeError:
                raise ManifestError(
                    f"CITATION.cff at tag {event.tag} is not UTF-8, so zsync cannot write the DOI into it; "
                    f"draft {entry.draft_id if entry else ''} is left open, nothing was published.",
                    hint="Save CITATION.cff as UTF-8 (the Citation File Format requires it), tag again and "
                    "release: the draft is reused.",
                ) from None
            text = cite_version(tagged, doi=reserved, version=version, date=date)
            report(
                Kind.STATUS, f"{key}: the archived CITATION.cff cites {reserved}, version {version}, {date}"
            )
            replace = {CITATION_NAME: text.encode("utf-8")}
            result.cited_in_archive = True
        else:
            replace = {}
        files = [_local_file(_archive(root, key, event.tag, folder, replace))]
    elif not files:
        files = [_local_file(_archive(root, key, event.tag, folder, {}))]

    # `publish: false` holds here too: the release stops at a draft for review, its DOI reserved.
    publish_run = plan_datasets(
        root,
        project,
        [dataclasses.replace(desired, files=files)],
        targeted,
        report,
        targeted=True,
    )
    if citation is None and _already_released(publish_run, key, version, result):
        return result
    previous = publish_run.actuals.get(key)
    apply_plan(publish_run, targeted, _without_apply_summary(report))
    entry = publish_run.lock.get(key)
    if entry is not None and desired.publish:
        result.doi, result.concept_doi, result.record_id = entry.doi, entry.concept_doi, entry.record_id
        if result.cited_in_archive and reserved and entry.doi and entry.doi != reserved:
            # The sandbox's reservation can name the production prefix (§3.2.3).
            report(
                Kind.WARNING,
                f"Warning: {key}: the archived CITATION.cff cites {reserved}, but Zenodo minted {entry.doi}.",
            )
    elif entry is not None:
        result.left_for_review = True
        result.doi, result.concept_doi, result.record_id = entry.draft_doi, entry.concept_doi, entry.draft_id
    result.files = [local.name for local in files]
    if result.record_id is not None:
        result.url = _record_url(publish_run, result.record_id, draft=result.left_for_review)
    if request.update_citation and result.doi and not result.left_for_review:
        old = (
            {previous.latest.doi}
            if previous is not None and previous.latest and previous.latest.doi
            else set()
        )
        result.updated_files = _update_working_tree(root, result, date, old, report)
    return result


README_NAMES = ("README.md", "README.rst", "README.txt", "README")


def _released_dataset(project: Project, tag: str, named: str | None) -> tuple[str, str]:
    """The key of the dataset the release is for, and its version, from the tag and the command line."""
    from zenodo_sync.release.tags import read_tag

    keys = [manifest.key for manifest in project.manifests]
    reading = read_tag(tag, keys, project.config.tag_prefix)
    if named is not None:
        if named not in keys:
            raise ConfigError(f"{named}: no manifest has this key.", hint=target_hint(named, set(keys)))
        if reading.key not in (None, named):
            raise ConfigError(f"Tag {tag} names the dataset {reading.key}, not {named}.")
        return named, reading.version
    if reading.key is not None:
        return reading.key, reading.version
    if len(keys) == 1:
        return keys[0], reading.version
    if not keys:
        raise ManifestError(
            f"Nothing to release: no manifest under {project.config.datasets}, and no .zenodo.json "
            f"or CITATION.cff in {project.root}.",
            hint="Add a CITATION.cff (or a manifest), or run zsync in the project's directory.",
        )
    raise ConfigError(
        f"Tag {tag} does not say which dataset it releases, and there are {len(keys)}: "
        + ", ".join(sorted(keys)[:5])
        + ".",
        hint=f"Name it (`zsync release {sorted(keys)[0]}`), or tag releases as "
        f"`<dataset>-{project.config.tag_prefix}<version>`.",
    )


def _release_date(root: Path, event: ReleaseEvent) -> str:
    import datetime

    from zenodo_sync.vcs.tags import tag_date

    if event.published_at:
        return event.published_at[:10]
    try:
        return tag_date(root, event.tag).isoformat()
    except ConfigError:
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def _release_dataset(project: Project, key: str, report: Report) -> DesiredDataset:
    """The released dataset, loaded with the release's values; its errors (only its) stop the release."""
    manifest = project.manifest(key)
    own_files = {project.config.path and project.config.path.relative_to(project.root).as_posix()}
    if manifest is not None:
        own_files.add(manifest.display)
    if project.repository is not None:
        own_files.update({".zenodo.json", CITATION_NAME})
    report_findings([f for f in project.findings if f.file in own_files], report)
    found = next((d for d in project.datasets if d.key == key), None) or project.repository
    if found is None or found.key != key:
        raise ManifestError(f"{key}: the dataset could not be loaded; nothing was released.")
    return found


def _check_version(desired: DesiredDataset, version: str, tag: str) -> None:
    written = desired.metadata.get("version")
    if written is None:
        desired.metadata["version"] = version
    elif written != version:
        raise ManifestError(
            f"{desired.manifest_path}: version is {written!r}, but tag {tag} releases version {version!r}; "
            "nothing was released.",
            hint='Write `version: "{release.version}"` in the manifest: the release fills it in.',
        )


def _release_notes(event: ReleaseEvent) -> str:
    from zenodo_sync.manifest.expand import markdown_to_html

    if not event.notes.strip():
        raise ConfigError(
            f"--notes-from-release: the release {event.tag} has no notes"
            + (" (--tag alone gives none; run from the release event)" if event.source == "--tag" else "")
            + ".",
            hint="Write the release notes on GitHub, or leave the option out.",
        )
    return markdown_to_html(event.notes)


def _local_assets(patterns: tuple[str, ...], root: Path) -> list[Path]:
    from zenodo_sync.release.assets import local_assets

    return local_assets(list(patterns), root)


def _local_file(path: Path) -> LocalFile:
    from zenodo_sync.model import LocalFile

    return LocalFile(name=path.name, path=path.resolve(), size=path.stat().st_size)


def _archive(root: Path, key: str, tag: str, folder: Path, replace: dict[str, bytes]) -> Path:
    from zenodo_sync.vcs.tags import archive_tag

    # Named as GitHub names its source archives: the repository, then the tag.
    name = f"{root.name}-{tag}".replace("/", "-")
    return archive_tag(root, tag, folder / f"{name}.zip", name, replace)


def _already_released(planned: PlannedRun, key: str, version: str, result: ReleaseResult) -> bool:
    """The tag's version is the latest published one (a re-run job): say its DOIs, send nothing."""
    actual = planned.actuals.get(key)
    latest = actual.latest if actual is not None else None
    if (
        latest is None
        or latest.metadata.get("version") != version
        or actual is None
        or actual.draft is not None
    ):
        return False
    result.already_released = True
    result.doi, result.concept_doi, result.record_id = latest.doi, latest.concept_doi, latest.id
    result.url = _record_url(planned, latest.id)
    return True


def _record_url(planned: PlannedRun, record_id: int, *, draft: bool = False) -> str:
    """The record's page (a draft's: its upload form), at the API's origin."""
    base = planned.settings.server.rstrip("/")
    origin = base[: -len("/api")] if base.endswith("/api") else base
    return f"{origin}/{'uploads' if draft else 'records'}/{record_id}"


def _once(report: Report) -> Report:
    """`report`, saying each status line once."""
    said: set[str] = set()

    def forward(kind: Kind, text: str) -> None:
        if kind in (Kind.STATUS, Kind.FINDING):
            if text in said:
                return
            said.add(text)
        report(kind, text)

    return forward


def _without_apply_summary(report: Report) -> Report:
    """The release prints its own outcome; apply's counts ("1 resumed") would only confuse it."""

    def forward(kind: Kind, text: str) -> None:
        if kind != Kind.RESULT:
            report(kind, text)

    return forward


def _quiet_draft_step(report: Report) -> Report:
    """The first step's report: its draft is no review draft, and its apply is not the outcome."""

    def forward(kind: Kind, text: str) -> None:
        if kind == Kind.RESULT or "left as a draft for review" in text:
            return
        report(kind, text)

    return forward


def _update_working_tree(
    root: Path, result: ReleaseResult, date: str, old_dois: set[str], report: Report
) -> list[str]:
    """--update-citation: CITATION.cff and the README badge name the new version (commit is the user's)."""
    from zenodo_sync.atomicfile import write_atomic
    from zenodo_sync.release.citation import cite_version, update_badges

    assert result.doi is not None
    changed = []
    citation = root / CITATION_NAME
    if citation.is_file():
        text = citation.read_text(encoding="utf-8")
        new = cite_version(text, doi=result.doi, version=result.version, date=date)
        if new != text:
            write_atomic(citation, new)
            changed.append(CITATION_NAME)
    for name in README_NAMES:
        readme = root / name
        if not readme.is_file():
            continue
        text = readme.read_text(encoding="utf-8")
        new, count = update_badges(text, old_dois, result.doi)
        if count:
            write_atomic(readme, new)
            changed.append(name)
        elif result.concept_doi and result.concept_doi not in text:
            report(
                Kind.WARNING,
                f"{name} has no DOI badge of this record; one that always shows the latest version: "
                f"[![DOI](https://zenodo.org/badge/DOI/{result.concept_doi}.svg)](https://doi.org/{result.concept_doi})",
            )
        break
    return changed
