"""`zsync download`: one record's files (a chosen version's), fetched and verified."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zenodo_sync.errors import ConfigError
from zenodo_sync.manifest import find_project_root
from zenodo_sync.run.connection import reading_backend
from zenodo_sync.run.options import DEFAULT_PARALLELISM, Kind, Report, ignore
from zenodo_sync.settings import load_settings
from zenodo_sync.sizes import human_size
from zenodo_sync.wording import plural

if TYPE_CHECKING:
    from zenodo_sync.engine.download import DownloadReport
    from zenodo_sync.engine.progress import ProgressSink


@dataclass(frozen=True)
class DownloadOptions:
    """`zsync download RECORD [--version N] [--dest DIR] [--parallel N]`, parsed."""

    record: str  # a record id, a version or concept DOI, or a record link
    version: str | None = None  # None: the record named; "latest"; or "N" (1 = the first version)
    dest: Path | None = None  # None: a folder named after the record's id, in the working directory
    parallel: int = DEFAULT_PARALLELISM
    server: str | None = None


def download_record(
    options: DownloadOptions, report: Report = ignore, *, progress: ProgressSink | None = None
) -> DownloadReport:
    """Find the record (and version) the options name and download its files, verified.

    No token is needed for public files; with ZENODO_TOKEN set, the owner's restricted files
    come too. Raises ConfigError for a reference or version that names no record.
    """
    from zenodo_sync.engine.download import download_files
    from zenodo_sync.manifest.project import load_config
    from zenodo_sync.zenodo.recordref import RecordRefError, parse_record_ref

    try:
        ref = parse_record_ref(options.record)
    except RecordRefError as exc:
        raise ConfigError(f"RECORD: {exc}.", hint=_RECORD_FORMS) from None
    version = _version_number(options.version)
    config = load_config(find_project_root(Path.cwd()), None, [])
    settings = load_settings(options.server, config)
    if not ref.on_host(settings.server):
        raise ConfigError(
            f"{options.record} is a link to {ref.host}, but zsync talks to {settings.server} "
            f"(from {settings.server_source}); nothing was sent.",
            hint=f"Give the server the link is on, e.g. `--server https://{ref.host}/api` "
            "(or `--server zenodo` / `--server sandbox`).",
        )
    backend = reading_backend(settings)
    record = backend.read_published(ref.record_id)
    if version is not None:
        versions = backend.published_versions(record.id)
        number = len(versions) if version == "latest" else int(version)
        if not 1 <= number <= len(versions):
            raise ConfigError(
                f"--version {options.version}: the concept of record {record.id} has "
                f"{plural(len(versions), 'published version')}.",
                hint="--version 1 is the first version, --version latest the newest.",
            )
        record = versions[number - 1]
        if not record.files:  # a search hit may list files in part; the record itself has them all
            record = backend.read_published(record.id)
    dest = options.dest if options.dest is not None else Path(str(record.id))
    named = f"record {record.id}" + (f" ({record.doi})" if record.doi else "")
    size = sum(f.size for f in record.files)
    report(
        Kind.STATUS,
        f"Downloading {named}: {plural(len(record.files), 'file')}, {human_size(size)}, into {dest}",
    )
    outcome = download_files(backend, record, dest, parallel=options.parallel, progress=progress)
    report(Kind.RESULT, f"Downloaded {outcome.summary()}")
    return outcome


_RECORD_FORMS = (
    "RECORD is a record id (1234567), a DOI (10.5281/zenodo.1234567, a version's or the concept's) "
    "or a record link (https://zenodo.org/records/1234567)."
)


def _version_number(text: str | None) -> int | str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value == "latest":
        return value
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise ConfigError(
        f"--version {text}: expected a version number (1 = the first) or `latest`.",
        hint="Versions are counted from 1 in the order they were published.",
    )
