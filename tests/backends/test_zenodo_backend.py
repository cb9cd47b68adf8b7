"""ZenodoDepositBackend against the emulator over real HTTP: the whole record life cycle."""

from __future__ import annotations

import hashlib

import pytest

from zenodo_sync.backends.deposit import UPLOAD_CHUNK
from zenodo_sync.errors import TransportError, ValidationRejected

from .helpers import local_file, metadata


def test_full_life_cycle(backend, tmp_path):
    data_v1 = local_file(tmp_path, "data.csv", b"t,moisture\n0,0.31\n1,0.30\n")
    readme = local_file(tmp_path, "README.txt", b"Soil moisture, hourly.\n")

    draft = backend.create(metadata())
    assert draft.is_draft and not draft.submitted and draft.concept_id
    assert draft.links["bucket"]

    progress: list[int] = []
    uploaded = backend.upload(draft, data_v1, progress=progress.append)
    assert (uploaded.name, uploaded.size, uploaded.md5) == ("data.csv", data_v1.size, data_v1.md5)
    assert sum(progress) == data_v1.size
    backend.upload(draft, readme)

    updated = backend.update_metadata(draft.id, metadata(title="Soil moisture at site A, 2026"))
    assert updated.metadata["title"] == "Soil moisture at site A, 2026"

    published = backend.publish(draft.id)
    assert published.id == draft.id and published.state == "done" and not published.is_draft
    assert published.doi and published.doi.endswith(f"zenodo.{draft.id}")
    first_doi = published.doi
    read = backend.get(draft.id)
    assert {f.name: f.md5 for f in read.files} == {"data.csv": data_v1.md5, "README.txt": readme.md5}
    assert read.concept_doi

    # Metadata-only change: edit -> update -> publish keeps id and DOI.
    editing = backend.edit(draft.id)
    assert editing.id == draft.id and editing.state == "inprogress"
    backend.update_metadata(draft.id, metadata(title="Soil moisture at site A, 2026 (fixed)"))
    republished = backend.publish(draft.id)
    assert republished.doi == first_doi
    assert backend.get(draft.id).metadata["title"] == "Soil moisture at site A, 2026 (fixed)"

    # New version: files carried over, one replaced, one removed.
    new = backend.new_version(draft.id)
    assert new.id != draft.id and new.is_draft and new.concept_id == draft.concept_id
    assert {f.name for f in new.files} == {"data.csv", "README.txt"}
    data_v2 = local_file(tmp_path, "data.csv", b"t,moisture\n0,0.31\n1,0.30\n2,0.29\n")
    assert backend.upload(new, data_v2).md5 == data_v2.md5
    backend.delete_file(new, next(f for f in new.files if f.name == "README.txt"))
    backend.update_metadata(new.id, metadata(title="Soil moisture at site A, 2026 (fixed)", version="2.0.0"))
    second = backend.publish(new.id)
    assert second.doi and second.doi != first_doi
    assert second.concept_doi == read.concept_doi
    final = backend.get(new.id)
    assert [(f.name, f.md5) for f in final.files] == [("data.csv", data_v2.md5)]
    assert final.metadata["version"] == "2.0.0"

    # The versions helper finds both published versions of the concept.
    versions = backend.versions(draft.concept_id)
    assert [v.id for v in versions] == [new.id, draft.id]


def test_discard_of_edit_draft_keeps_the_record(backend, tmp_path):
    draft = backend.create(metadata())
    backend.upload(draft, local_file(tmp_path, "a.csv", b"a\n1\n"))
    backend.publish(draft.id)
    backend.edit(draft.id)
    backend.update_metadata(draft.id, metadata(title="A title that will be dropped"))
    backend.discard(draft.id)
    after = backend.get(draft.id)
    assert after.state == "done" and after.metadata["title"] == "Soil moisture at site A"


def test_discard_of_a_new_draft_deletes_it(backend):
    from zenodo_sync.errors import NotFoundError

    draft = backend.create(metadata())
    backend.discard(draft.id)
    with pytest.raises(NotFoundError):
        backend.get(draft.id)


def test_second_new_version_reuses_the_pending_draft(backend, tmp_path):
    # zenodo-api.md §3.9 point 3: a second newversion answers 400 "Please remove all files
    # first." while a draft with files is pending; the backend returns that draft instead.
    draft = backend.create(metadata())
    backend.upload(draft, local_file(tmp_path, "a.csv", b"a\n1\n"))
    backend.publish(draft.id)
    first = backend.new_version(draft.id)
    again = backend.new_version(draft.id)
    assert again.id == first.id
    assert again.links.get("bucket")  # read in full, ready for uploads


def test_upload_to_a_listed_record_fetches_the_bucket(backend, tmp_path):
    # List results carry no bucket link (zenodo-api.md §3.3).
    draft = backend.create(metadata())
    listed = next(r for r in backend.list_own() if r.id == draft.id)
    assert "bucket" not in listed.links
    content = b"x" * 10
    remote = backend.upload(listed, local_file(tmp_path, "x.bin", content))
    assert remote.md5 == hashlib.md5(content).hexdigest()


def test_list_own_pages_through_more_than_one_page(backend):
    created = {backend.create(metadata(title=f"Dataset number {i}")).id for i in range(101)}
    listed = [record.id for record in backend.list_own()]
    assert len(listed) == len(set(listed))
    assert created <= set(listed)


def test_upload_streams_a_large_file_in_chunks(backend, tmp_path):
    content = bytes(range(256)) * (4096 * 3 + 17)  # ~3 MiB: many UPLOAD_CHUNK pieces
    draft = backend.create(metadata())
    chunks: list[int] = []
    remote = backend.upload(draft, local_file(tmp_path, "big.bin", content), progress=chunks.append)
    assert remote.size == len(content) and remote.md5 == hashlib.md5(content).hexdigest()
    assert len(chunks) == -(-len(content) // UPLOAD_CHUNK) and max(chunks) == UPLOAD_CHUNK
    assert sum(chunks) == len(content)


class Stop(Exception):
    pass


def test_upload_stops_when_its_progress_callback_raises(backend, tmp_path):
    content = bytes(range(256)) * 4096 * 4  # 4 MiB
    draft = backend.create(metadata())
    calls: list[int] = []

    def stop_on_the_third_chunk(count: int) -> None:
        calls.append(count)
        if len(calls) == 3:
            raise Stop

    with pytest.raises(Stop):
        backend.upload(draft, local_file(tmp_path, "big.bin", content), progress=stop_on_the_third_chunk)
    assert len(calls) == 3  # not retried: a stop is not a network failure
    assert backend.get(draft.id).files == []  # the cut-off body left no partial file


def test_upload_refuses_a_file_changed_since_hashing(backend, tmp_path):
    local = local_file(tmp_path, "c.csv", b"1,2\n")
    (tmp_path / "c.csv").write_bytes(b"1,3\n")  # same size, other content
    draft = backend.create(metadata())
    with pytest.raises(TransportError, match="changed since it was hashed"):
        backend.upload(draft, local)


def test_upload_refuses_a_file_whose_size_changed(backend, tmp_path):
    local = local_file(tmp_path, "d.csv", b"1,2\n")
    (tmp_path / "d.csv").write_bytes(b"1,2\n3,4\n")
    draft = backend.create(metadata())
    with pytest.raises(TransportError, match="changed size"):
        backend.upload(draft, local)


def test_publish_without_files_lists_the_servers_field_errors(backend):
    draft = backend.create(metadata())
    with pytest.raises(ValidationRejected) as info:
        backend.publish(draft.id)
    assert info.value.status == 400
    assert any(e["field"] == "files.enabled" for e in info.value.field_errors)
    assert f"publish on record {draft.id}" in info.value.message
    assert "files.enabled: Missing uploaded files." in info.value.message
    assert "at least one file" in info.value.hint


def test_empty_file_is_refused_by_the_server_with_a_files_hint(backend, tmp_path):
    draft = backend.create(metadata())
    with pytest.raises(ValidationRejected) as info:
        backend.upload(draft, local_file(tmp_path, "empty.txt", b""))
    assert "Empty files are not accepted." in info.value.message
    assert "upload of empty.txt" in info.value.message
    assert "no empty files" in info.value.hint
