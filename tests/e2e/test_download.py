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
from zenodo_sync.engine.progress import DOWNLOAD, Progress, byte_counter
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


def _upload_all(
    backend: ZenodoDepositBackend, draft: RemoteRecord, files: dict[str, bytes], folder: Path
) -> None:
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
        f"{emulator.url}/_emulator/faults", json={"spec": f"{CONTENT_GETS}=latency:0.0001"}, timeout=10
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
        result = run_in(
            tmp_path, capsys, "download", first.doi, "--version", version, "--dest", f"v{version}"
        )
        assert result.code == 0, result.err
        assert (tmp_path / f"v{version}" / "v.txt").read_bytes() == expected
    too_far = run_in(tmp_path, capsys, "download", record.concept_doi, "--version", "4")
    assert too_far.code == 1
    assert "--version 4" in too_far.err and "3 published versions" in too_far.err
    bad = run_in(tmp_path, capsys, "download", record.concept_doi, "--version", "0")
    assert bad.code == 1 and "expected a version number" in bad.err and "Traceback" not in bad.err


def test_rerun_skips_complete_files_and_continues_a_part(emulator, owner, guest, tmp_path):
    record = guest.read_published(publish(owner, FILES, tmp_path).id)
    dest = tmp_path / "out"
    download_files(guest, record, dest)
    spectra = dest / "spectra.bin"
    spectra.unlink()
    (dest / "spectra.bin.part").write_bytes(FILES["spectra.bin"][:300_000])  # left by a stopped run
    before = {name: (dest / name).stat().st_mtime_ns for name in ("data.csv", "readme.txt")}
    count_content_gets(emulator)

    report = download_files(guest, record, dest)

    assert content_gets(emulator) == 1  # complete files cost no request at all
    assert {name: (dest / name).stat().st_mtime_ns for name in before} == before
    status = {f.name: f.status for f in report.files}
    assert status == {
        "data.csv": FileStatus.SKIPPED,
        "readme.txt": FileStatus.SKIPPED,
        "spectra.bin": FileStatus.RESUMED,
    }
    assert report.received == len(FILES["spectra.bin"]) - 300_000  # only the rest was fetched (Range)
    assert spectra.read_bytes() == FILES["spectra.bin"]
    assert not (dest / "spectra.bin.part").exists()
    assert "1 resumed, 2 skipped (already complete)" in report.summary()


def test_a_part_is_started_again_where_the_server_ignores_range(tmp_path):
    with running_emulator(data_dir=tmp_path / "emu", range_requests=False) as emulator:
        owner = ZenodoDepositBackend(emulator.url, emulator.token, retries=0)
        guest = ZenodoDepositBackend(emulator.url, None, retries=0)
        record = guest.read_published(publish(owner, FILES, tmp_path).id)
        dest = tmp_path / "out"
        dest.mkdir()
        data = FILES["spectra.bin"]
        (dest / "spectra.bin.part").write_bytes(data[:300_000])
        (dest / "data.csv.part").write_bytes(b"x" * 10)  # not even a prefix of the file
        report = download_files(guest, record, dest)
        received = {f.name: f.received for f in report.files}
        assert received["spectra.bin"] == len(data)  # the whole file again: a 200, not a 206
        assert (dest / "spectra.bin").read_bytes() == data
        assert (dest / "data.csv").read_bytes() == FILES["data.csv"]
        assert sorted(p.name for p in dest.iterdir()) == sorted(FILES)


def test_a_damaged_download_is_an_error_and_leaves_nothing_under_its_name(
    emulator, owner, dl_env, tmp_path, capsys
):
    record = publish(owner, FILES, tmp_path)
    damaged = next(f for f in record.files if f.name == "spectra.bin")
    stored = stored_content(emulator, damaged.id)
    good = stored.read_bytes()
    bad = bytes([good[0] ^ 0xFF]) + good[1:]  # same size, one byte flipped on the server's disk
    stored.write_bytes(bad)

    result = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "out")

    assert result.code == 1
    assert "spectra.bin" in result.err and "damaged" in result.err
    assert hashlib.md5(bad).hexdigest() in result.err and damaged.md5 in result.err  # both md5s
    assert "Traceback" not in result.err
    out = tmp_path / "out"
    assert not (out / "spectra.bin").exists() and not (out / "spectra.bin.part").exists()
    # The other files were finished, so a re-run after the server is mended fetches only this one.
    assert (out / "data.csv").read_bytes() == FILES["data.csv"]
    stored.write_bytes(good)
    assert run_in(tmp_path, capsys, "download", str(record.id), "--dest", "out").code == 0
    assert (out / "spectra.bin").read_bytes() == FILES["spectra.bin"]


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "a/../../evil.txt",
        "/etc/passwd",
        "C:evil.txt",
        "C:/evil.txt",
        "..\\evil.txt",
        "a/./b",
        "a//b",
        "",
        "..",
        "bell\x07.txt",
    ],
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(ValueError):
        safe_relative_path(name)


def test_safe_names_keep_their_subfolders():
    assert safe_relative_path("raw/2024/run 1.csv").parts == ("raw", "2024", "run 1.csv")
    assert safe_relative_path("..hidden").parts == ("..hidden",)  # dots inside a name are fine


def test_a_record_with_an_unsafe_file_name_downloads_nothing(emulator, owner, dl_env, tmp_path, capsys):
    # The bucket API keeps a key as sent (§3.8): a backslash or a drive letter gets through.
    record = publish(
        owner, {"..\\evil.txt": b"escape\n", "C:boot.ini": b"x\n", "fine.txt": b"ok\n"}, tmp_path
    )
    assert {f.name for f in record.files} == {"..\\evil.txt", "C:boot.ini", "fine.txt"}
    count_content_gets(emulator)

    result = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "out")

    assert result.code == 1
    assert "'..\\\\evil.txt'" in result.err and "'C:boot.ini'" in result.err
    assert "outside" in result.err and "Nothing was downloaded" in result.err
    assert content_gets(emulator) == 0
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not (tmp_path / "evil.txt").exists()


def test_restricted_files_need_the_owners_token(emulator, owner, dl_env, tmp_path, capsys, monkeypatch):
    record = publish(
        owner,
        {"secret.csv": b"patient,1\n"},
        tmp_path,
        access_right="restricted",
        access_conditions="Ask the authors.",
    )
    # Read by anyone else, the record lists no files (§6.12): zsync asks the listing, which says 403.
    as_guest = requests.get(f"{emulator.url}/records/{record.id}", timeout=10).json()
    assert as_guest["files"] == [] and as_guest["metadata"]["access_right"] == "restricted"
    without = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "anon")
    assert without.code == 1
    assert "restricted to its owner" in without.err and "ZENODO_TOKEN" in without.err
    assert not (tmp_path / "anon" / "secret.csv").exists()

    monkeypatch.setenv("ZENODO_TOKEN", emulator.other_token)
    stranger = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "other")
    assert stranger.code == 1 and "not open to this token" in stranger.err
    assert emulator.other_token not in stranger.err + stranger.out

    monkeypatch.setenv("ZENODO_TOKEN", emulator.token)
    with_token = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "mine")
    assert with_token.code == 0, with_token.err
    assert (tmp_path / "mine" / "secret.csv").read_bytes() == b"patient,1\n"
    assert emulator.token not in with_token.err + with_token.out


def test_sigterm_mid_download_stops_leaving_only_part_files(emulator, owner, guest, tmp_path):
    big = os.urandom(8 * 1024 * 1024)
    record = guest.read_published(publish(owner, {"big.bin": big, "small.txt": b"s\n"}, tmp_path).id)
    dest = tmp_path / "out"
    signalled = threading.Event()

    def sink(event: Progress) -> None:
        # Called in a worker: once big.bin is under way, stop the process as `kill` would.
        if event.task == DOWNLOAD and event.name == "big.bin" and event.done > 0 and not signalled.is_set():
            signalled.set()
            os.kill(os.getpid(), signal.SIGTERM)
            threading.Event().wait(0.5)  # give the main thread time to ask the workers to stop

    with pytest.raises(DownloadInterrupted) as stopped:
        download_files(guest, record, dest, progress=sink, parallel=1)

    assert stopped.value.exit_code == 130 and ".part" in (stopped.value.hint or "")
    assert not (dest / "big.bin").exists()
    assert 0 < (dest / "big.bin.part").stat().st_size < len(big)
    # The next run continues the part and finishes the rest.
    report = download_files(guest, record, dest)
    assert (dest / "big.bin").read_bytes() == big and (dest / "small.txt").read_bytes() == b"s\n"
    assert {f.name: f.status for f in report.files}["big.bin"] == FileStatus.RESUMED


def test_a_deposit_api_record_downloads_as_read_by_its_owner(emulator, owner, tmp_path):
    """What `zsync import --with-files` passes: the owner's record as the deposit API reads it."""
    published = publish(owner, FILES, tmp_path, access_right="closed")
    record = owner.get(published.id)
    report = download_files(owner, record, tmp_path / "out", label="rose")
    assert sorted(f.name for f in report.files) == sorted(FILES)
    for name, data in FILES.items():
        assert (tmp_path / "out" / name).read_bytes() == data


@pytest.mark.parametrize(
    ("text", "record_id", "host"),
    [
        ("1234567", 1234567, None),
        ("10.5281/zenodo.1234567", 1234567, None),
        ("doi:10.5281/zenodo.42", 42, None),
        ("https://doi.org/10.5281/zenodo.42", 42, None),
        ("https://zenodo.org/records/42", 42, "zenodo.org"),
        ("https://zenodo.org/record/42/files/a.csv?download=1", 42, "zenodo.org"),
        ("https://sandbox.zenodo.org/api/records/42/versions", 42, "sandbox.zenodo.org"),
        ("https://zenodo.org/uploads/42", 42, "zenodo.org"),
        ("https://zenodo.org/doi/10.5281/zenodo.41", 41, "zenodo.org"),
    ],
)
def test_record_references(text, record_id, host):
    ref = parse_record_ref(text)
    assert (ref.record_id, ref.host) == (record_id, host)


@pytest.mark.parametrize("text", ["", "abc", "10.1234/not-zenodo", "https://example.org/x", "-5"])
def test_references_that_name_no_record(text):
    with pytest.raises(RecordRefError):
        parse_record_ref(text)


def test_a_link_to_another_server_is_refused_before_any_request(emulator, dl_env, tmp_path, capsys):
    result = run_in(tmp_path, capsys, "download", "https://zenodo.org/records/42")
    assert result.code == 1
    assert "zenodo.org" in result.err and "--server" in result.err and "nothing was sent" in result.err


def test_server_option_names_the_server_a_link_is_on(emulator, owner, dl_env, tmp_path, capsys, monkeypatch):
    record = publish(owner, {"v.txt": b"one\n"}, tmp_path)
    monkeypatch.delenv("ZSYNC_SERVER")  # the default server would be zenodo.org
    link = f"{emulator.url.removesuffix('/api')}/records/{record.id}"
    refused = run_in(tmp_path, capsys, "download", link)
    assert refused.code == 1 and "nothing was sent" in refused.err
    result = run_in(tmp_path, capsys, "download", link, "--server", emulator.url, "--dest", "out")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "v.txt").read_bytes() == b"one\n"


def set_faults(emulator, spec: str) -> None:
    answer = requests.post(f"{emulator.url}/_emulator/faults", json={"spec": spec}, timeout=10)
    answer.raise_for_status()


def test_a_connection_cut_mid_file_is_continued_in_the_same_run(emulator, owner, guest, tmp_path):
    data = os.urandom(500_000)
    record = guest.read_published(publish(owner, {"big.bin": data}, tmp_path).id)
    set_faults(emulator, f"{CONTENT_GETS}=cut:200000:1")  # the first answer breaks off at 200 kB

    report = download_files(guest, record, tmp_path / "out")

    assert (tmp_path / "out" / "big.bin").read_bytes() == data
    assert content_gets(emulator) == 1  # the cut fired once; the second request asked for the rest
    assert report.received < 2 * len(data)


def test_a_download_broken_off_again_and_again_is_continued_by_the_next_run(
    emulator, owner, dl_env, tmp_path, capsys
):
    data = os.urandom(1_000_000)
    record = publish(owner, {"big.bin": data, "small.txt": b"s\n"}, tmp_path)
    set_faults(emulator, f"{CONTENT_GETS}=cut:100000")  # every answer breaks off at 100 kB

    broken = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "out")

    assert broken.code == 1 and "big.bin" in broken.err and ".part" in broken.err
    out = tmp_path / "out"
    assert not (out / "big.bin").exists()
    kept = (out / "big.bin.part").stat().st_size
    assert 0 < kept < len(data)
    set_faults(emulator, f"{CONTENT_GETS}=latency:0.0001")  # mended; still counting
    again = run_in(tmp_path, capsys, "download", str(record.id), "--dest", "out")
    assert again.code == 0, again.err
    assert (out / "big.bin").read_bytes() == data and (out / "small.txt").read_bytes() == b"s\n"
    assert "1 resumed" in again.out and "1 skipped" in again.out
    assert content_gets(emulator) == 1


def test_the_cut_fault_needs_a_byte_count():
    from zenodo_sync.emulator.faults import FaultSet, FaultSpecError

    assert FaultSet("GET /api/records/*=cut:10:2").describe()["rules"][0]["cut_after"] == 10
    with pytest.raises(FaultSpecError, match=r"cut needs a whole number of bytes"):
        FaultSet("GET /api/records/*=cut")


def test_the_bar_of_a_continued_download_counts_only_the_new_bytes():
    from zenodo_sync.cli.progress import Console

    lines: list[str] = []
    now = [0.0]
    console = Console(
        emit=lambda kind, text: lines.append(text), terminal=False, interval=1.0, clock=lambda: now[0]
    )
    counter = byte_counter(
        console.progress, DOWNLOAD, "42", "big.bin", 1_000_000, 600_000
    )  # 600 kB in a .part
    now[0] = 1.5
    counter(200_000)
    now[0] = 2.0
    counter(200_000)
    assert lines[-1] == "42:   big.bin: 100% of 1.0 MB in 2 s, 200.0 kB/s"  # 400 kB in 2 s, not 1 MB


def test_a_file_named_like_another_ones_part_is_refused(emulator, owner, guest, tmp_path):
    record = guest.read_published(publish(owner, {"data": b"1\n", "data.part": b"2\n"}, tmp_path).id)
    with pytest.raises(DownloadError, match=r"both data and data\.part"):
        download_files(guest, record, tmp_path / "out")
    assert not (tmp_path / "out").exists()
