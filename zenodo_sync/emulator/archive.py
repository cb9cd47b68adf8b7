"""`files-archive`: all files of a record as one zip, streamed as it is built (docs/zenodo-behaviour.md §6.8).

As invenio-records-resources does: stored (not compressed) entries, written while they are read,
so a large record never sits in memory; refused with 400 past Zenodo's 300 MB cap (§5.2.3).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from zenodo_sync.emulator.errors import ApiError

ARCHIVE_MAX_SIZE = 300 * 10**6  # zenodo-rdm invenio.cfg RECORDS_RESOURCES_ARCHIVE_DOWNLOAD_MAX_SIZE
CHUNK = 1024 * 1024


def check_size(sizes: list[int]) -> None:
    if sum(sizes) > ARCHIVE_MAX_SIZE:
        raise ApiError(
            400,
            "Archive download is only available for records with total file size up to "
            f"{ARCHIVE_MAX_SIZE} bytes.",
        )


class _Sink:
    """A write-only, unseekable target: zipfile then writes data descriptors, as a stream needs."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def stream_zip(entries: list[tuple[str, Path]]) -> Iterator[bytes]:
    """Zip bytes for (name in the archive, path on disk) pairs, one chunk at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[arg-type]
        for name, path in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED
            with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
