"""`zsync download` and engine/download over real HTTP to the emulator: several files, versions,
resuming (with and without Range support), damaged bytes, unsafe names, restricted files, stop."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import run_in
from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.emulator import running_emulator
from zenodo_sync.engine.download import FileStatus, download_files, safe_relative_path
from zenodo_sync.engine.progress import DOWNLOAD, Progress
from zenodo_sync.errors import DownloadError, DownloadInterrupted
from zenodo_sync.model import LocalFile, RemoteRecord
from zenodo_sync.zenodo.recordref import RecordRefError, parse_record_ref

METADATA = {
    "title": "Rose petal volatiles",
    "upload_type": "dataset",
    "description": "Measurements of rose petal volatiles.",
    "creators": [{"name": "Doe, Jane"}],
}
CONTENT_GETS = "GET /api/records/*/files/*"  # file content (and file metadata) reads


def _upload_all(backend: ZenodoDepositBackend, draft: RemoteRecord, files: dict[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, data) in enumerate(sorted(files.items())):
        path = folder / f"upload-{index}"
        path.write_bytes(data)
        backend.upload(draft, LocalFile(name, path, len(data), hashlib.md5(data).hexdigest()))


def publish(
    backend: ZenodoDepositBackend, files: dict[str, bytes], tmp: Path, **metadata: str
) -> RemoteRecord:
    draft = backend.create({**METADATA, **metadata})
    _upload_all(backend, draft, files, tmp / f"uploads-{draft.id}")
    return backend.publish(draft.id)


def publish_new_version(
    backend: ZenodoDepositBackend, record: RemoteRecord, files: dict[str, bytes], tmp: Path
) -> RemoteRecord:
    draft = backend.new_version(record.id)
    for remote in draft.files:
        backend.delete_file(draft, remote)
    _upload_all(backend, draft, files, tmp / f"uploads-{draft.id}")
    return backend.publish(draft.id)


def count_content_gets(emulator) -> None:
    """From now on the emulator counts reads of record files (a fault rule that changes nothing)."""
    answer = requests.post(
        f"{emulator.url}/_emulator/faults", json={"spec": f"{CONTENT_GETS}=latency:0"}, timeout=10
    )
    answer.raise_for_status()


def content_gets(emulator) -> int:
    rules = requests.get(f"{emulator.url}/_emulator/faults", timeout=10).json()["rules"]
    return sum(rule["fired"] for rule in rules)


def stored_content(emulator, file_id: str) -> Path:
    """Where the emulator keeps a file's bytes (store.content_path)."""
    return emulator.config.data_dir / "files" / file_id[:2] / file_id


@pytest.fixture
def owner(emulator) -> ZenodoDepositBackend:
    return ZenodoDepositBackend(emulator.url, emulator.token, retries=0)


@pytest.fixture
def guest(emulator) -> ZenodoDepositBackend:
    return ZenodoDepositBackend(emulator.url, None, retries=0)


@pytest.fixture
def dl_env(emulator, monkeypatch):
    """zsync pointed at the emulator, without a token (as for anyone's public record)."""
    monkeypatch.setenv("ZSYNC_SERVER", emulator.url)
    monkeypatch.setenv("ZSYNC_RETRIES", "0")
    monkeypatch.delenv("ZENODO_TOKEN", raising=False)
    monkeypatch.delenv("ZENODO_TOKEN_FILE", raising=False)


FILES = {
    "data.csv": b"a,b\n" + b"1,2\n" * 50_000,
    "readme.txt": b"Rose petals, GC-MS.\n",
    "spectra.bin": os.urandom(700_000),
}


def test_download_of_a_multi_file_record(emulator, owner, dl_env, tmp_path, capsys):
    record = publish(owner, FILES, tmp_path)
    result = run_in(tmp_path, capsys, "download", record.doi, "--dest", "out", "--parallel", "2")
    assert result.code == 0, result.err
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == set(FILES)  # no .part left behind
    for name, data in FILES.items():
        assert (out / name).read_bytes() == data
    assert "3 files" in result.out and "3 downloaded" in result.out and "0 skipped" in result.out
    # Without --dest: a folder named after the record's id.
    again = run_in(tmp_path, capsys, "download", str(record.id))
    assert again.code == 0, again.err
    assert (tmp_path / str(record.id) / "spectra.bin").read_bytes() == FILES["spectra.bin"]


def test_every_way_of_naming_the_record(emulator, owner, dl_env, tmp_path, capsys):
    first = publish(owner, {"v.txt": b"version one\n"}, tmp_path)
    latest = publish_new_version(owner, first, {"v.txt": b"version two\n"}, tmp_path)
    site = emulator.url.removesuffix("/api")
    cases = {
        first.concept_doi: b"version two\n",  # a concept DOI: its latest version
        first.doi: b"version one\n",  # a version DOI: that version
        f"https://doi.org/{first.doi}": b"version one\n",
        f"{site}/records/{first.id}": b"version one\n",
        f"{emulator.url}/records/{latest.id}": b"version two\n",
        first.concept_id: b"version two\n",  # a concept id redirects to the latest (§6.1.1)
    }
    for index, (reference, expected) in enumerate(cases.items()):
        result = run_in(tmp_path, capsys, "download", str(reference), "--dest", f"d{index}")
        assert result.code == 0, (reference, result.err)
        assert (tmp_path / f"d{index}" / "v.txt").read_bytes() == expected, reference


def test_version_picks_the_nth_published_version(emulator, owner, dl_env, tmp_path, capsys):
    record = first = publish(owner, {"v.txt": b"one\n"}, tmp_path)
    for text in (b"two\n", b"three\n"):
        record = publish_new_version(owner, record, {"v.txt": text}, tmp_path)
    for version, expected in (("1", b"one\n"), ("2", b"two\n"), ("3", b"three\n"), ("latest", b"three\n")):
        # From the first version's DOI, as a reader of an old paper would start.
        result = run_in(tmp_path, capsys, "download", first.doi, "--version", version, "--dest", f"v{version}")
        assert result.code == 0, result.err
        assert (tmp_path / f"v{version}" / "v.txt").read_bytes() == expected
    too_far = run_in(tmp_path, capsys, "download", record.concept_doi, "--version", "4")
    assert too_far.code == 1
    assert "--version 4" in too_far.err and "3 published versions" in too_far.err
    bad = run_in(tmp_path, capsys, "download", record.concept_doi, "--version", "0")
    assert bad.code == 1 and "expected a version number" in bad.err and "Traceback" not in bad.err
