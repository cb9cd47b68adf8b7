"""`zsync import` over real HTTP to the emulator: the round-trip law, sources, collections, safety.

The law: right after an import, `zsync plan --detailed-exitcode` exits 0 for every imported
record, and each manifest's effective metadata (after zsync.yaml defaults) is the record's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.e2e import import_seed
from tests.e2e.conftest import run_in
from zenodo_sync.backends.deposit import RecordsReader, ZenodoDepositBackend
from zenodo_sync.engine import importer
from zenodo_sync.engine.plan import metadata_changes
from zenodo_sync.manifest import load_project
from zenodo_sync.manifest.expand import to_deposit_metadata
from zenodo_sync.zenodo import vocabulary as vocab

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def backend(emulator) -> ZenodoDepositBackend:
    return ZenodoDepositBackend(emulator.url, emulator.token, retries=0)


@pytest.fixture
def folder(tmp_path, emulator, monkeypatch) -> Path:
    """An empty project folder, zsync pointed at the emulator through the environment."""
    root = tmp_path / "adopted"
    root.mkdir()
    monkeypatch.setenv("ZENODO_TOKEN", emulator.token)
    monkeypatch.setenv("ZSYNC_SERVER", emulator.url)
    monkeypatch.setenv("ZSYNC_SEARCH_DELAY", "0.02")
    return root


def zsync_in(folder: Path, capsys, *args: str):
    return run_in(folder, capsys, *args)


def manifests_of(root: Path) -> dict[str, dict]:
    return {
        path.parent.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((root / "datasets").glob("*/zenodo.yaml"))
    }


def side_lock(root: Path) -> dict:
    (path,) = (root / ".zsync" / "locks").glob("*.lock")
    return json.loads(path.read_text(encoding="utf-8"))


def assert_effective_metadata_is_the_records(root: Path, backend: ZenodoDepositBackend) -> int:
    """Every dataset's effective metadata equals its record's, by the plan's own comparison."""
    project = load_project(root)
    assert not project.errors, [f"{f.file}:{f.line}: {f.message}" for f in project.errors]
    lock = side_lock(root)["datasets"]
    for dataset in project.datasets:
        # An open edit draft reads back the draft: the seed leaves it as published.
        remote = backend.get(lock[dataset.key]["record_id"]).metadata
        changes = metadata_changes(dataset.metadata, remote)
        assert changes == [], f"{dataset.key}: {changes}"
    return len(project.datasets)


def test_owner_me_imports_300_concepts_and_the_plan_is_empty(emulator, backend, folder, capsys):
    seeded = import_seed.seed(backend, 300)
    assert sum(s.versions >= 3 for s in seeded) >= 40
    shapes = [import_seed.record_metadata(i) for i in range(300)]
    for name, vocabulary in (
        ("upload_type", vocab.UPLOAD_TYPES),
        ("publication_type", vocab.PUBLICATION_TYPES),
        ("image_type", vocab.IMAGE_TYPES),
        ("access_right", vocab.ACCESS_RIGHTS),
    ):
        assert {shape.get(name) for shape in shapes} >= set(vocabulary), name

    result = zsync_in(folder, capsys, "import", "--owner", "me", "--extract-defaults")
    assert result.code == 0, result.err
    # What a manifest cannot hold is said, naming the record: Zenodo keeps no access conditions.
    restricted = sum(shape["access_right"] in ("restricted", "closed") for shape in shapes)
    assert len(re.findall(r"Warning: .*: record \d+: restricted access", result.err)) == restricted
    assert "cannot be expressed" not in result.err

    manifests = manifests_of(folder)
    assert len(manifests) == 300
    # What every record shares went into zsync.yaml, and out of the manifests.
    config = yaml.safe_load((folder / "zsync.yaml").read_text(encoding="utf-8"))
    assert config["defaults"]["creators"] == import_seed.SHARED_CREATORS
    assert config["defaults"]["keywords"] == import_seed.SHARED_KEYWORDS
    assert not any("creators" in m["metadata"] or "keywords" in m["metadata"] for m in manifests.values())
    # Each manifest is bound to its concept and keeps its files on the server.
    by_concept = {s.concept_id: s for s in seeded}
    lock = side_lock(folder)["datasets"]
    assert len(lock) == 300
    for key, manifest in manifests.items():
        concept = lock[key]["concept_id"]
        assert manifest["concept"].endswith(f"zenodo.{concept}")
        assert lock[key]["record_id"] == by_concept[concept].latest_id
        assert [set(entry) for entry in manifest["files"]] == [{"name", "md5"}]

    # Pending drafts were reported, and are the only thing the plan shows.
    pending = {s.concept_id: s.pending for s in seeded if s.pending}
    assert pending and result.err.count("Pending: ") == len(pending)
    plan = zsync_in(folder, capsys, "plan", "--format", "json")
    assert plan.code == 0, plan.err
    changes = json.loads(plan.out)["changes"]
    assert len(changes) == 300
    for change in changes:
        expected = {"new-version": "discard-draft", "edit": "resume-update"}.get(
            pending.get(change["concept_id"])
        )
        assert change["operation"] == (expected or "no-op"), change
        assert change["field_changes"] == [] and change["adopt"] is None
        assert all(f["kind"] == "keep" for f in change["file_changes"]), change

    # The round-trip law, one plan over every dataset without a pending draft.
    settled = [f"datasets/{c['key']}" for c in changes if c["concept_id"] not in pending]
    plan = zsync_in(folder, capsys, "plan", "--detailed-exitcode", *settled)
    assert plan.code == 0, plan.out + plan.err
    assert assert_effective_metadata_is_the_records(folder, backend) == 300


def _create_published(backend: ZenodoDepositBackend, metadata: dict, tmp_path: Path, versions: int = 1):
    draft = backend.create(metadata)
    record = None
    for version in range(1, versions + 1):
        if record is not None:
            draft = backend.new_version(record.id)
            for remote in draft.files:
                backend.delete_file(draft, remote)
            backend.update_metadata(draft.id, {**metadata, "version": f"v{version}"})
        content = f"version {version}\n".encode()
        backend.upload(draft, import_seed._file(tmp_path, "data.csv", content))
        record = backend.publish(draft.id)
    return record


def test_the_real_records_in_fixtures_import_by_every_source_form(
    emulator, backend, folder, capsys, tmp_path
):
    rose = json.loads((FIXTURES / "rose-deposition-metadata.json").read_text(encoding="utf-8"))["metadata"]
    iodp = json.loads((FIXTURES / "zenodo-record-6515860.json").read_text(encoding="utf-8"))["metadata"]
    iodp_metadata, _notes = importer.manifest_metadata(iodp)
    rose_record = _create_published(backend, rose, tmp_path, versions=3)
    iodp_record = _create_published(backend, to_deposit_metadata(iodp_metadata), tmp_path)
    older = rose_record.id - 2  # the first version of rose's concept
    other = _create_published(backend, import_seed.record_metadata(1), tmp_path)
    fourth = _create_published(backend, import_seed.record_metadata(2), tmp_path)

    host = emulator.url.removesuffix("/api")
    sources = [
        f"10.5072/zenodo.{older}",  # an older version's DOI: its concept's latest version
        iodp_record.concept_doi,  # a concept DOI
        f"{host}/records/{other.id}",  # a record URL
        str(fourth.id),  # a record id
    ]
    result = zsync_in(folder, capsys, "import", *sources)
    assert result.code == 0, result.err
    lock = side_lock(folder)["datasets"]
    assert sorted(entry["record_id"] for entry in lock.values()) == sorted(
        [rose_record.id, iodp_record.id, other.id, fourth.id]
    )
    plan = zsync_in(folder, capsys, "plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert assert_effective_metadata_is_the_records(folder, backend) == 4


def test_never_overwrites_without_force_and_dry_run_writes_nothing(
    emulator, backend, folder, capsys, tmp_path
):
    record = _create_published(backend, import_seed.record_metadata(3), tmp_path)

    dry = zsync_in(folder, capsys, "import", str(record.id), "--dry-run")
    assert dry.code == 0, dry.err
    assert "--- datasets/generated-record-3-a-fi-ligature-file/zenodo.yaml" in dry.out
    assert "title: 'Generated record 3: A fi ligature: file'" in dry.out
    assert "nothing was written" in dry.out
    assert list(folder.iterdir()) == []

    assert zsync_in(folder, capsys, "import", str(record.id)).code == 0
    manifest = folder / "datasets" / "generated-record-3-a-fi-ligature-file" / "zenodo.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "# my notes\n", encoding="utf-8")
    lock_before = side_lock(folder)

    again = zsync_in(folder, capsys, "import", str(record.id))
    assert again.code == 1
    assert "Traceback" not in again.err
    assert "datasets/generated-record-3-a-fi-ligature-file/zenodo.yaml exists" in again.err
    assert "has an entry for generated-record-3-a-fi-ligature-file" in again.err
    assert "--force" in again.err
    assert manifest.read_text(encoding="utf-8").endswith("# my notes\n")
    assert side_lock(folder) == lock_before

    # The same concept under another folder name is refused too: one concept, one manifest.
    renamed = zsync_in(folder, capsys, "import", str(record.id), "--path-template", "zenodo-{concept}")
    assert renamed.code == 1
    assert f"already binds concept {record.concept_id} to generated-record-3" in renamed.err

    forced = zsync_in(folder, capsys, "import", str(record.id), "--force")
    assert forced.code == 0, forced.err
    assert not manifest.read_text(encoding="utf-8").endswith("# my notes\n")


def test_path_template_names_the_folder(emulator, backend, folder, capsys, tmp_path):
    record = _create_published(backend, import_seed.record_metadata(5), tmp_path)
    result = zsync_in(folder, capsys, "import", str(record.id), "--path-template", "zenodo-{concept}-{id}")
    assert result.code == 0, result.err
    assert list(manifests_of(folder)) == [f"zenodo-{record.concept_id}-{record.id}"]
    bad = zsync_in(folder, capsys, "import", str(record.id), "--path-template", "{title}", "--force")
    assert bad.code == 1 and "unknown field {title}" in bad.err


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("not-a-record", "is not a record id, a Zenodo DOI or a record URL"),
        ("987654", "no published record or concept 987654"),
        ("https://sandbox.zenodo.org/records/12", "this record is on sandbox.zenodo.org"),
    ],
)
def test_a_source_that_names_no_record_is_one_clear_error(emulator, folder, capsys, source, message):
    result = zsync_in(folder, capsys, "import", source)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err
    assert not (folder / "datasets").exists()


def test_query_pages_past_page_one_without_a_token(emulator, backend, folder, capsys, monkeypatch):
    seeded = import_seed.seed(backend, 30)
    monkeypatch.delenv("ZENODO_TOKEN")  # public records need no token; pages are then 25 hits
    result = zsync_in(folder, capsys, "import", "--query", "title:Generated")
    assert result.code == 0, result.err
    assert len(manifests_of(folder)) == 30
    assert result.err.count("read without a token") == 1  # said once, not per record
    assert {entry["concept_id"] for entry in side_lock(folder)["datasets"].values()} == {
        s.concept_id for s in seeded
    }


def test_search_past_the_result_window_is_split_by_publication_date(emulator, backend):
    seeded = import_seed.seed(backend, 30)
    # A window of 10 hits stands for Zenodo's 10 000: 30 records need at least three date slices.
    reader = RecordsReader(backend, token=emulator.token, result_window=10)
    hits = list(reader.search("title:Generated"))
    assert sorted(int(hit["conceptrecid"]) for hit in hits) == sorted(int(s.concept_id) for s in seeded)


def test_community_imports_only_its_records(emulator, backend, folder, capsys):
    seeded = import_seed.seed(backend, 12)
    result = zsync_in(folder, capsys, "import", "--community", "community-1")
    assert result.code == 0, result.err
    members = {s.concept_id for i, s in enumerate(seeded) if i % 4 == 1}
    assert "is not among this token's records" not in result.err  # the token owner's own records
    assert {entry["concept_id"] for entry in side_lock(folder)["datasets"].values()} == members


def test_owner_me_needs_a_token(emulator, folder, capsys, monkeypatch):
    monkeypatch.delenv("ZENODO_TOKEN")
    result = zsync_in(folder, capsys, "import", "--owner", "me")
    assert result.code == 1
    assert "token" in result.err.lower() and "Traceback" not in result.err


def test_nothing_to_import_names_the_ways_to_say_what(emulator, folder, capsys):
    result = zsync_in(folder, capsys, "import")
    assert result.code == 1
    assert re.search(r"--owner me, --community SLUG, --query Q", result.err)
    empty = zsync_in(folder, capsys, "import", "--query", " ")
    assert empty.code == 1 and "--query is empty" in empty.err


def test_with_files_downloads_verified_and_a_rerun_skips_what_is_complete(
    emulator, backend, folder, capsys, tmp_path, monkeypatch
):
    from tests.e2e.test_download import FILES, publish, stored_content

    monkeypatch.setenv("ZSYNC_RETRIES", "0")
    record = publish(backend, FILES, tmp_path, license="cc-by-4.0")
    damaged = next(f for f in record.files if f.name == "spectra.bin")
    stored = stored_content(emulator, damaged.id)
    good = stored.read_bytes()
    stored.write_bytes(bytes([good[0] ^ 0xFF]) + good[1:])  # one byte flipped on the server's disk

    failed = zsync_in(folder, capsys, "import", str(record.id), "--with-files")
    assert failed.code == 1
    assert "spectra.bin" in failed.err and damaged.md5 in failed.err
    assert "Traceback" not in failed.err
    dest = folder / "datasets" / "rose-petal-volatiles"
    assert not (dest / "spectra.bin").exists() and not (dest / "spectra.bin.part").exists()
    assert not (dest / "zenodo.yaml").exists()  # nothing is written before every file is verified
    assert not (folder / ".zsync" / "locks").exists()

    stored.write_bytes(good)
    done = zsync_in(folder, capsys, "import", str(record.id), "--with-files")
    assert done.code == 0, done.err
    assert "2 skipped (already complete)" in done.out  # the files verified the first time
    assert {p.name: p.read_bytes() for p in dest.iterdir() if p.name in FILES} == FILES
    manifest = yaml.safe_load((dest / "zenodo.yaml").read_text(encoding="utf-8"))
    assert manifest["files"] == sorted(FILES)  # local files now, no longer kept on the server only
    plan = zsync_in(folder, capsys, "plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err


def test_a_community_zenodo_does_not_know_imports_nothing(emulator, backend, folder, capsys):
    import_seed.seed(backend, 4)
    # Zenodo drops a filter naming no community and searches everything (§6.2.3).
    result = zsync_in(folder, capsys, "import", "--community", "no-such-community")
    assert result.code == 1
    assert "--community no-such-community: Zenodo knows no such community" in result.err
    assert not (folder / "datasets").exists()


def test_extract_defaults_never_changes_a_manifest_it_did_not_write(
    emulator, backend, folder, capsys, tmp_path
):
    first = _create_published(backend, import_seed.record_metadata(1), tmp_path)
    second = _create_published(backend, import_seed.record_metadata(2), tmp_path)
    (folder / "zsync.yaml").write_text("# ours\ndefaults:\n  access_right: open\n", encoding="utf-8")
    refused = zsync_in(folder, capsys, "import", str(first.id), str(second.id), "--extract-defaults")
    assert refused.code == 1
    assert "zsync.yaml already has a `defaults:` section" in refused.err

    (folder / "zsync.yaml").write_text("# ours\n", encoding="utf-8")
    mine = folder / "datasets" / "mine"
    mine.mkdir(parents=True)
    (mine / "zenodo.yaml").write_text("metadata:\n  title: Mine\n", encoding="utf-8")
    refused = zsync_in(folder, capsys, "import", str(first.id), str(second.id), "--extract-defaults")
    assert refused.code == 1
    assert "already has manifests (datasets/mine/zenodo.yaml)" in refused.err
    assert not (folder / "datasets" / "generated-record-1-n-code-d-rsted").exists()

    (mine / "zenodo.yaml").unlink()
    done = zsync_in(folder, capsys, "import", str(first.id), str(second.id), "--extract-defaults")
    assert done.code == 0, done.err
    config = (folder / "zsync.yaml").read_text(encoding="utf-8")
    assert config.startswith("# ours\ndefaults:\n  creators:\n")  # appended, the user's lines kept
    assert zsync_in(folder, capsys, "plan", "--detailed-exitcode").code == 0


def test_a_concept_never_published_is_named_and_skipped(emulator, backend, folder, capsys, tmp_path):
    published = _create_published(backend, import_seed.record_metadata(1), tmp_path)
    draft = backend.create(import_seed.record_metadata(2))
    result = zsync_in(folder, capsys, "import", "--owner", "me")
    assert result.code == 0, result.err
    assert f"only a draft that was never published ({draft.id}); nothing to import" in result.err
    assert [entry["record_id"] for entry in side_lock(folder)["datasets"].values()] == [published.id]
    by_id = zsync_in(folder, capsys, "import", str(draft.id))
    assert by_id.code == 1 and "was never published" in by_id.err


def test_another_accounts_record_is_imported_and_said_to_need_its_owner(emulator, folder, capsys, tmp_path):
    stranger = ZenodoDepositBackend(emulator.url, emulator.other_token, retries=0)
    record = _create_published(stranger, import_seed.record_metadata(4), tmp_path)
    result = zsync_in(folder, capsys, "import", str(record.id))
    assert result.code == 0, result.err
    assert f"concept {record.concept_id} (record {record.id}) is not among this token's records" in result.err
    assert len(manifests_of(folder)) == 1
