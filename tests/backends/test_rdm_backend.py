"""The InvenioRDM backend (backends/rdm.py) against an emulator playing a plain InvenioRDM
instance: the `invenio-rdm` profile, which has no deposit API (docs/zenodo-behaviour.md §7.9)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from zenodo_sync.backends.base import Backend
from zenodo_sync.backends.rdm import InvenioRdmBackend
from zenodo_sync.emulator import EmulatorHandle, running_emulator
from zenodo_sync.errors import ValidationRejected
from zenodo_sync.model import LocalFile

METADATA = {
    "title": "Rose scent GC-MS data",
    "upload_type": "dataset",
    "description": "Measurements of rose petal volatiles.",
    "creators": [{"name": "Doe, Jane", "affiliation": "University of Somewhere"}],
    "license": "cc-by-4.0",
    "keywords": ["roses"],
    "version": "1.0",
    "related_identifiers": [
        {"identifier": "urn:zsync:rose", "relation": "isAlternateIdentifier", "scheme": "urn"}
    ],
}


@pytest.fixture
def rdm_emulator(tmp_path) -> Iterator[EmulatorHandle]:
    with running_emulator(data_dir=tmp_path / "emu", profile="invenio-rdm") as emu:
        yield emu


@pytest.fixture
def rdm(rdm_emulator) -> InvenioRdmBackend:
    return InvenioRdmBackend(rdm_emulator.url, rdm_emulator.token, retries=0, timeout=(5, 30))


def local_file(tmp_path: Path, name: str, content: bytes) -> LocalFile:
    path = tmp_path / name
    path.write_bytes(content)
    return LocalFile(name=name, path=path, size=len(content), md5=hashlib.md5(content).hexdigest())


def test_every_backend_operation_is_the_native_apis_own():
    """The class extends the deposit backend for its HTTP plumbing only: every operation of the
    interface (and the deposit backend's helpers the engine may call) is overridden."""
    names = set(Backend.__abstractmethods__) | {"versions", "find_pending_draft"}
    assert {name for name in names if name not in vars(InvenioRdmBackend)} == set()


def test_the_whole_lifecycle_without_a_deposit_api(rdm, rdm_emulator, tmp_path):
    assert requests.get(f"{rdm_emulator.url}/deposit/depositions", timeout=10).status_code == 404
    draft = rdm.create(METADATA)
    assert draft.state == "unsubmitted" and not draft.submitted and draft.is_draft
    # The DOI is reserved on the draft and shown as the deposit API shows it (§7.7, §3.2.3).
    assert draft.doi is None
    assert draft.metadata["prereserve_doi"] == {"doi": f"10.5072/zenodo.{draft.id}", "recid": draft.id}
    data = local_file(tmp_path, "data.csv", b"a,b\n1,2\n")
    remote = rdm.upload(draft, data)
    assert (remote.name, remote.size, remote.md5) == ("data.csv", data.size, data.md5)
    # Uploading the same key again replaces the file (the native init alone would refuse, §7.5).
    changed = local_file(tmp_path, "data.csv", b"a,b\n1,2\n3,4\n")
    assert rdm.upload(draft, changed).md5 == changed.md5
    assert [(f.name, f.md5) for f in rdm.get(draft.id).files] == [("data.csv", changed.md5)]
    updated = rdm.update_metadata(draft.id, {**METADATA, "title": "Rose scent GC-MS data, v1"})
    assert updated.metadata["title"] == "Rose scent GC-MS data, v1"
    assert updated.metadata["prereserve_doi"]["doi"] == f"10.5072/zenodo.{draft.id}"  # kept by the PUT
    record = rdm.publish(draft.id)
    assert record.state == "done" and record.submitted
    assert record.doi == f"10.5072/zenodo.{draft.id}"
    assert record.concept_id == str(draft.id - 1) and record.concept_doi == f"10.5072/zenodo.{draft.id - 1}"
    assert record.metadata["creators"] == [{"name": "Doe, Jane", "affiliation": "University of Somewhere"}]

    edit = rdm.edit(record.id)
    assert edit.state == "inprogress" and edit.id == record.id and edit.doi == record.doi
    assert rdm.get(record.id).state == "inprogress"  # the open draft first
    rdm.discard(record.id)
    assert rdm.get(record.id).state == "done"

    version = rdm.new_version(record.id)
    assert version.id != record.id and version.concept_id == record.concept_id
    assert version.state == "unsubmitted" and "version" not in version.metadata
    # The previous version's files are imported, not uploaded again: the same stored file.
    assert [(f.id, f.md5) for f in version.files] == [(f.id, f.md5) for f in record.files]
    assert rdm.new_version(record.id).id == version.id  # asked again: the same draft (§7.6)
    rdm.delete_file(version, version.files[0])
    assert rdm.get(version.id).files == []
    rdm.upload(version, local_file(tmp_path, "data.csv", b"x\n"))
    rdm.update_metadata(version.id, {**METADATA, "version": "2.0"})
    second = rdm.publish(version.id)
    assert second.metadata["version"] == "2.0" and second.doi == f"10.5072/zenodo.{version.id}"

    listed = {r.id: r.state for r in rdm.list_own(all_versions=True)}
    assert listed == {record.id: "done", second.id: "done"}
    assert [r.id for r in rdm.versions(record.concept_id)] == [second.id, record.id]


def test_communities_are_asked_for_once_the_record_is_published(rdm, tmp_path):
    draft = rdm.create({**METADATA, "communities": [{"identifier": "zenodo"}]})
    rdm.upload(draft, local_file(tmp_path, "data.csv", b"1\n"))
    rdm.update_metadata(draft.id, {**METADATA, "communities": [{"identifier": "zenodo"}]})
    record = rdm.publish(draft.id)
    assert record.metadata["communities"] == [{"identifier": "zenodo"}]


def test_a_field_with_no_native_equivalent_is_refused_with_its_name(rdm):
    with pytest.raises(ValidationRejected) as caught:
        rdm.create({**METADATA, "subjects": [{"term": "Roses", "identifier": "http://x.org/1"}]})
    assert "`subjects`" in caught.value.message and "backend: deposit" in (caught.value.hint or "")
    assert rdm.list_own() is not None and list(rdm.list_own()) == []  # nothing was created


def run_zsync(root: Path, emulator: EmulatorHandle, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZENODO_TOKEN": emulator.token, "ZSYNC_SERVER": emulator.url}
    return subprocess.run(
        [sys.executable, "-m", "zenodo_sync", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_project(root: Path, url: str, *, subjects: bool = False, backend_line: bool = True) -> None:
    folder = root / "datasets" / "rose"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    extra = "  subjects:\n    - term: Roses\n      identifier: http://x.org/1\n" if subjects else ""
    (folder / "zenodo.yaml").write_text(
        textwrap.dedent("""\
        id: rose
        metadata:
          title: Rose scent GC-MS data
          upload_type: dataset
          description: Measurements of rose petal volatiles, taken at dawn in three gardens.
          creators:
            - name: Doe, Jane
          license: cc-by-4.0
          keywords: [roses]
          version: "1.0"
          communities: [zenodo]
        """)
        + extra
        + "files:\n  - data.csv\n",
        encoding="utf-8",
    )
    (root / "zsync.yaml").write_text(
        f"server: {url}\n" + ("backend: rdm\n" if backend_line else ""), encoding="utf-8"
    )


def test_zsync_plans_and_applies_against_a_plain_invenio_rdm_instance(rdm_emulator, tmp_path):
    root = tmp_path / "project"
    write_project(root, rdm_emulator.url)
    applied = run_zsync(root, rdm_emulator, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "published 10.5072/zenodo.2" in applied.stdout
    again = run_zsync(root, rdm_emulator, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    (root / "datasets" / "rose" / "data.csv").write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    applied = run_zsync(root, rdm_emulator, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert run_zsync(root, rdm_emulator, "plan", "--detailed-exitcode").returncode == 0


def test_the_deposit_backend_against_it_says_the_server_is_no_zenodo_api(rdm_emulator, tmp_path):
    root = tmp_path / "project"
    write_project(root, rdm_emulator.url, backend_line=False)
    result = run_zsync(root, rdm_emulator, "plan")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "does not look like a Zenodo API" in result.stderr


def test_a_field_without_equivalent_is_a_validate_error_and_a_plan_error(rdm_emulator, tmp_path):
    root = tmp_path / "project"
    write_project(root, rdm_emulator.url, subjects=True)
    validated = run_zsync(root, rdm_emulator, "validate")
    assert validated.returncode != 0
    assert "datasets/rose/zenodo.yaml:" in validated.stdout + validated.stderr
    assert "`subjects` has no equivalent in the InvenioRDM API" in validated.stdout + validated.stderr
    # Chosen on the command line only: the plan stops before any request that changes anything.
    (root / "zsync.yaml").write_text(f"server: {rdm_emulator.url}\n", encoding="utf-8")
    planned = run_zsync(root, rdm_emulator, "plan", "--backend", "rdm")
    assert planned.returncode != 0 and "Traceback" not in planned.stderr
    assert "datasets/rose/zenodo.yaml: `metadata.subjects` has no equivalent" in planned.stderr
    assert run_zsync(root, rdm_emulator, "plan", "--backend", "deposit").returncode != 0  # no deposit API


def test_an_unknown_backend_in_zsync_yaml_is_named(rdm_emulator, tmp_path):
    root = tmp_path / "project"
    write_project(root, rdm_emulator.url)
    (root / "zsync.yaml").write_text(f"server: {rdm_emulator.url}\nbackend: invenio\n", encoding="utf-8")
    validated = run_zsync(root, rdm_emulator, "validate")
    assert validated.returncode != 0
    assert "zsync.yaml:2" in validated.stdout + validated.stderr
    planned = run_zsync(root, rdm_emulator, "plan")
    assert planned.returncode != 0 and "Traceback" not in planned.stderr


def test_a_community_waiting_for_its_curators_is_a_plan_warning_until_accepted(tmp_path):
    with running_emulator(
        data_dir=tmp_path / "emu", profile="invenio-rdm", reviewed_communities=("zenodo",)
    ) as emu:
        root = tmp_path / "project"
        write_project(root, emu.url)
        applied = run_zsync(root, emu, "apply", "--auto-approve")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        # Asked for, not in it yet: pending, said, and no action (the request is not re-sent).
        planned = run_zsync(root, emu, "plan", "--detailed-exitcode")
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert (
            "rose: record 2 has asked to join community 'zenodo' and waits for its curators" in planned.stdout
        )
        assert "communities" not in planned.stdout.replace("community 'zenodo'", "")
        as_json = json.loads(run_zsync(root, emu, "plan", "--json").stdout)
        (change,) = as_json["changes"]
        assert change["action"] == "no-op" and change["field_changes"] == []
        assert any("waits for its curators" in warning for warning in change["warnings"])
        applied = run_zsync(root, emu, "apply", "--auto-approve")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "community" not in applied.stderr.replace("community 'zenodo' and waits", "")
        # Another change to the record: apply publishes it, and still asks the community once.
        manifest = root / "datasets" / "rose" / "zenodo.yaml"
        manifest.write_text(
            manifest.read_text(encoding="utf-8").replace("three gardens", "four gardens"), encoding="utf-8"
        )
        changed = run_zsync(root, emu, "apply", "--auto-approve")
        assert changed.returncode == 0, changed.stdout + changed.stderr
        assert "already" not in changed.stdout + changed.stderr
        rdm = InvenioRdmBackend(emu.url, emu.token, retries=0)
        record = rdm.get(2)
        assert rdm.pending_communities(record) == ["zenodo"]
        (request,) = requests.get(
            f"{emu.url}/records/{record.id}/requests",
            headers={"Authorization": f"Bearer {emu.token}"},
            timeout=10,
        ).json()["hits"]["hits"]
        accepted = requests.post(
            f"{emu.url}/requests/{request['id']}/actions/accept",
            headers={"Authorization": f"Bearer {emu.other_token}"},
            timeout=10,
        )
        assert accepted.status_code == 200
        settled = run_zsync(root, emu, "plan", "--detailed-exitcode")
        assert settled.returncode == 0, settled.stdout + settled.stderr
        assert "waits for its curators" not in settled.stderr
