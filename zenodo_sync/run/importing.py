"""`zsync import`: published records written as manifests and lock entries (their files too, if asked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenodo_sync.errors import ConfigError
from zenodo_sync.manifest import Project, load_project
from zenodo_sync.run.connection import reading_backend, server_lock
from zenodo_sync.run.manifests import load_manifests, project_root
from zenodo_sync.run.options import DEFAULT_PARALLELISM, Kind, Report, RunOptions, ignore
from zenodo_sync.settings import load_settings
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.backends.deposit import ZenodoDepositBackend
    from zenodo_sync.engine.progress import ProgressSink
    from zenodo_sync.engine.state import LockFile


@dataclass(frozen=True)
class ImportOptions:
    """What `zsync import` was asked for: where the records come from and how to write them."""

    sources: tuple[str, ...] = ()  # record ids, DOIs, record URLs
    owner: str | None = None  # "me": every concept of the token's owner
    communities: tuple[str, ...] = ()
    query: str | None = None
    path_template: str = "{slug}"  # the folder under the datasets root: {slug}, {concept}, {id}
    force: bool = False  # replace manifests and lock entries that exist
    dry_run: bool = False
    extract_defaults: bool = False
    with_files: bool = False  # download each record's files next to its manifest and list them
    parallel: int = DEFAULT_PARALLELISM  # files downloaded at once


@dataclass
class ImportResult:
    """What an import wrote (or, with --dry-run, would write): path -> text, and per concept its key."""

    files: dict[str, str] = field(default_factory=dict)  # path relative to the root -> text
    keys: dict[str, str] = field(default_factory=dict)  # concept id -> dataset key
    lock_path: str = ""
    lock_keys: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # one line per concept with a draft pending
    downloads: list[str] = field(default_factory=list)  # one summary line per record downloaded


def import_records(
    options: RunOptions,
    wanted: ImportOptions,
    report: Report = ignore,
    *,
    progress: ProgressSink | None = None,
) -> ImportResult:
    """Write one manifest (and one lock entry) per concept the sources and collections name.

    With `wanted.with_files`, each record's files are downloaded (verified, resumable:
    engine/download.py) next to its manifest before anything is written, and listed as local files.
    """
    from zenodo_sync.engine import importer
    from zenodo_sync.engine.importsource import Gatherer

    if not (wanted.sources or wanted.owner or wanted.communities or wanted.query is not None):
        raise ConfigError(
            "Nothing to import: give a record id, DOI or URL, or one of --owner me, --community SLUG, --query Q.",
            hint="For example `zsync import 10.5281/zenodo.123` or `zsync import --owner me`.",
        )
    if wanted.query is not None and not wanted.query.strip():
        raise ConfigError(
            "--query is empty: it would import every public record on the server.",
            hint="Give a search, e.g. --query 'owners:123' or --query 'title:\"rose scent\"'.",
        )
    if wanted.owner not in (None, "me"):
        raise ConfigError(
            f"--owner {wanted.owner}: only `--owner me` (the owner of the token) is supported.",
            hint="To import another account's public records, search for them: --query 'owners:ID'.",
        )
    _check_template(wanted.path_template)
    root = project_root(options)
    project = load_manifests(options)
    settings = load_settings(options.server, project.config)
    if wanted.owner and not settings.token:
        settings.require_token()  # raises the usual "how to get a token" error
    from zenodo_sync.backends.deposit import RecordsReader

    backend = reading_backend(settings)
    reader = RecordsReader(backend, token=settings.token)
    lock = server_lock(root, project, settings)
    report(Kind.STATUS, f"Reading records from {settings.server}...")

    gatherer = Gatherer(backend, reader, note=lambda text: report(Kind.WARNING, f"Note: {text}"))
    for source in wanted.sources:
        gatherer.source(source)
    if wanted.owner:
        gatherer.owner_me()
    if wanted.communities or wanted.query is not None:
        gatherer.search(wanted.query or "", wanted.communities)
    found = gatherer.results()
    result = ImportResult(lock_path=lock.path.relative_to(root).as_posix())
    if not found:
        report(Kind.STATUS, "No published records found: nothing to import.")
        return result

    datasets_root = project.config.datasets_root or "datasets"
    keys = _keys_for(found, wanted.path_template)
    own: dict[str, dict[str, Any]] = {}
    for item in found:
        record = item.latest
        metadata, notes = importer.manifest_metadata(item.metadata, record_id=record.id)
        result.warnings += [f"{keys[item.concept_id]}: {note}" for note in notes]
        own[item.concept_id] = importer.with_empty_overrides(metadata, project.config.defaults)
        if item.pending_draft is not None:
            draft = item.pending_draft
            kind = "an edit of the latest version" if draft.id == record.id else "a new version"
            result.pending.append(
                f"{keys[item.concept_id]}: draft {draft.id} ({kind}) is pending on concept {item.concept_id}; "
                f"the manifest describes published record {record.id}, and zsync leaves the draft "
                f"alone: publish or discard it on Zenodo (or `zsync apply --take-draft "
                f"{keys[item.concept_id]}` to let zsync reuse it for a change)"
            )

    defaults = dict(project.config.defaults)
    if wanted.extract_defaults:
        extracted = importer.shared_defaults(own.values())
        _check_defaults_can_change(project, root, extracted, replacing=set(keys.values()))
        defaults.update(extracted)
        own = {concept: importer.without_defaults(metadata, extracted) for concept, metadata in own.items()}
        if extracted:
            result.files[_config_display(project, root)] = _config_with_defaults(project, extracted)

    from zenodo_sync.manifest.defaults import merge

    for item in found:
        key = keys[item.concept_id]
        effective = merge(defaults, own[item.concept_id])
        result.warnings += importer.check_round_trip(
            effective, item.metadata, where=f"{key} (record {item.latest.id})"
        )
        concept_ref = item.latest.concept_doi or item.concept_id
        files: list[Any] = importer.files_of(item.latest)
        if wanted.with_files:
            files = importer.local_files_of(item.latest) or files
        path = f"{datasets_root}/{key}/zenodo.yaml"
        header = f"Imported from {item.latest.links.get('html') or 'record ' + str(item.latest.id)}"
        document = importer.document_for(concept_ref, own[item.concept_id], files)
        result.files[path] = _manifest_text(document, header)
        result.keys[item.concept_id] = key

    _refuse_overwrites(project, root, lock, result, force=wanted.force)
    result.warnings += _validation_warnings(root, project, result.files, files_elsewhere=wanted.with_files)
    if wanted.dry_run:
        if wanted.with_files:
            result.downloads = [
                f"{result.keys[item.concept_id]}: {plural(len(item.latest.files), 'file')} of record "
                f"{item.latest.id} would be downloaded"
                for item in found
            ]
        return result
    if wanted.with_files:
        result.downloads = _download_records(
            found, result.keys, root / datasets_root, backend, wanted, progress
        )
    _write_import(root, lock, found, result)
    return result


def _download_records(
    found: list[Any],
    keys: dict[str, str],
    folder: Path,
    backend: ZenodoDepositBackend,
    wanted: ImportOptions,
    progress: ProgressSink | None,
) -> list[str]:
    """Every record's files next to its manifest (verified; a re-run skips what is complete)."""
    from zenodo_sync.engine.download import download_files

    lines = []
    for item in found:
        key = keys[item.concept_id]
        outcome = download_files(
            backend, item.latest, folder / key, parallel=wanted.parallel, progress=progress, label=key
        )
        lines.append(f"{key}: {outcome.summary()}")
    return lines


def _write_import(root: Path, lock: LockFile, found: list[Any], result: ImportResult) -> None:
    """The manifests (and zsync.yaml), then one lock entry per imported concept."""
    from zenodo_sync.engine.normalise import canonical_digest
    from zenodo_sync.engine.state import LockEntry, write_state_file

    for path, text in result.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_state_file(target, text)  # atomic; a failure names the file
    for item in found:
        record = item.latest
        key = result.keys[item.concept_id]
        lock.entries[key] = LockEntry(
            concept_id=item.concept_id,
            concept_doi=record.concept_doi,
            record_id=record.id,
            doi=record.doi,
            version=record.metadata.get("version"),
            files={f.name: f.md5 for f in record.files},
            # The deposit API's form is the one refresh reads: only then is the digest comparable.
            metadata_digest=canonical_digest(record.metadata) if item.owned else None,
        )
        result.lock_keys.append(key)
    lock.save()


TEMPLATE_FIELDS = ("slug", "concept", "id")


def _check_template(template: str) -> None:
    import string

    names = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None]
    unknown = [name for name in names if name not in TEMPLATE_FIELDS]
    if unknown or not names or "/" in template or "\\" in template or template.startswith("."):
        raise ConfigError(
            f"--path-template {template!r}: "
            + (f"unknown field {{{unknown[0]}}}" if unknown else "it must be one folder name with a field"),
            hint="Use {slug} (from the title), {concept} (the concept id) or {id} (the latest record id), "
            "e.g. --path-template 'zenodo-{concept}'.",
        )


def _keys_for(found: list[Any], template: str) -> dict[str, str]:
    """Dataset key (the folder under datasets/) per concept; two equal names get the concept id added."""
    from zenodo_sync.engine.importer import slug

    keys: dict[str, str] = {}
    taken: set[str] = set()
    for item in found:
        key = template.format(
            slug=slug(str(item.latest.metadata.get("title") or "record")),
            concept=item.concept_id,
            id=item.latest.id,
        )
        if key in taken:
            key = f"{key}-{item.concept_id}"
        taken.add(key)
        keys[item.concept_id] = key
    return keys


def _manifest_text(document: dict[str, Any], header: str) -> str:
    from zenodo_sync.manifest.writer import manifest_text

    return manifest_text(document, header=header)


def _config_display(project: Project, root: Path) -> str:
    if project.config.path is None:
        return "zsync.yaml"
    try:
        return project.config.path.relative_to(root).as_posix()
    except ValueError:
        return str(project.config.path)


def _config_with_defaults(project: Project, defaults: dict[str, Any]) -> str:
    """zsync.yaml with the extracted `defaults` added at its end (the rest kept as written)."""
    from zenodo_sync.manifest.writer import dump_yaml

    block = dump_yaml({"defaults": defaults})
    if project.config.path is None or not project.config.path.exists():
        return (
            "# Shared by every manifest: mappings merged, lists replaced (zsync import --extract-defaults).\n"
            + block
        )
    text = project.config.path.read_text(encoding="utf-8")
    return text + ("" if text.endswith("\n") or not text else "\n") + block


def _check_defaults_can_change(
    project: Project, root: Path, extracted: dict[str, Any], *, replacing: set[str]
) -> None:
    """--extract-defaults adds to zsync.yaml `defaults`; that must not change any other manifest."""
    if not extracted:
        return
    document = project.config.document
    if document is not None and isinstance(document.data, dict) and "defaults" in document.data:
        # The extracted defaults are appended as a `defaults:` block: a second one would be a
        # duplicate key, and rewriting the file would lose the user's comments.
        raise ConfigError(
            f"--extract-defaults: {_config_display(project, root)} already has a `defaults:` section; "
            "zsync will not rewrite it.",
            hint="Import without --extract-defaults, or remove the `defaults:` section first (and put "
            "its values into the manifests).",
        )
    clash = sorted(key for key in extracted if key in project.config.defaults)
    if clash:
        raise ConfigError(
            f"--extract-defaults: zsync.yaml already has defaults for {', '.join(clash)}; "
            "changing them would change other manifests.",
            hint="Import without --extract-defaults, or move those defaults into the manifests first.",
        )
    others = sorted(m.display for m in project.manifests if m.key not in replacing)
    if others:
        raise ConfigError(
            f"--extract-defaults: the project already has manifests ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}) that new defaults would change.",
            hint="Import without --extract-defaults into an existing project, or import into a new folder.",
        )


def _refuse_overwrites(
    project: Project, root: Path, lock: LockFile, result: ImportResult, *, force: bool
) -> None:
    """Never replace a manifest or a lock entry that exists unless --force; one error naming them."""
    if force:
        return
    config = _config_display(project, root)
    existing = [path for path in result.files if path != config and (root / path).exists()]
    keys_known = {m.key: m.display for m in project.manifests}
    clashes = [f"{path} exists" for path in existing]
    for concept, key in result.keys.items():
        if key in keys_known and f"{keys_known[key]} exists" not in clashes:
            clashes.append(f"{keys_known[key]} already has the key {key}")
        if lock.get(key) is not None:
            clashes.append(f"{result.lock_path} has an entry for {key}")
        for other, entry in lock.entries.items():
            if other != key and entry.concept_id == concept:
                clashes.append(f"{result.lock_path} already binds concept {concept} to {other}")
    if clashes:
        raise ConfigError(
            f"Not overwriting: {'; '.join(clashes[:5])}"
            + (f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else "")
            + "; nothing was written.",
            hint="Pass --force to replace them, --path-template to write elsewhere, or --dry-run to see what "
            "would be written.",
        )


def _validation_warnings(
    root: Path, project: Project, files: dict[str, str], *, files_elsewhere: bool = False
) -> list[str]:
    """What `zsync validate` would say about the new files, checked in a scratch copy of them.

    `files_elsewhere`: the manifests list local data files the scratch copy does not hold."""
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="zsync-import-"))
    try:
        config_name = _config_display(project, root)
        if config_name not in files and project.config.path is not None and project.config.path.exists():
            (scratch / "zsync.yaml").write_text(
                project.config.path.read_text(encoding="utf-8"), encoding="utf-8"
            )
        for path, text in files.items():
            target = scratch / ("zsync.yaml" if path == config_name else path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        checked = load_project(scratch, None, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [
        f"{finding.file}:{finding.line}:{finding.column}: {finding.message} (`zsync validate` will say so)"
        for finding in checked.findings
        if finding.is_error and not (files_elsewhere and finding.rule.startswith("file"))
    ]
