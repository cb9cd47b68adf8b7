"""Manifests for records zsync did not make: `concept:`, `zsync bind`, the same-title warning and
files kept on the server only. The existing record is made straight through the emulator's
deposit API (as the web form, a script or GitHub's integration would), without zsync's marker."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.engine.identity import markers_of
from zenodo_sync.manifest import load_project
from zenodo_sync.model import LocalFile, RemoteRecord

from .conftest import BOTH_BACKENDS, Project
from .test_user_errors import check_failure

pytestmark = BOTH_BACKENDS  # plan and apply on both backends (conftest.py)


TITLE = "Gamma ray counts of the 2024 balloon flight"
DATA = "t,counts\n0,12\n1,15\n"
BIG = b"a file too large for git\n" * 100


def md5(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


@pytest.fixture
def gamma(project: Project) -> Project:
    """A project with one manifest, `gamma`, and none of the default datasets."""
    for key in ("alpha", "beta"):
        shutil.rmtree(project.root / "datasets" / key)
    project.write_manifest("gamma", TITLE, {"data.csv": DATA})
    return project


@pytest.fixture
def owner(emulator) -> ZenodoDepositBackend:
    return ZenodoDepositBackend(emulator.url, emulator.token, retries=0)


def publish_directly(
    backend: ZenodoDepositBackend, folder: Path, metadata: dict, files: dict[str, bytes]
) -> RemoteRecord:
    """A record made without zsync: create, upload, publish over the deposit API."""
    draft = backend.create(metadata)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content)
        backend.upload(draft, LocalFile(name, path, len(content), md5(content)))
    return backend.publish(draft.id)


def manifest_metadata(project: Project, key: str = "gamma") -> dict:
    """The metadata zsync would send for the manifest, as a script would have sent it."""
    (dataset,) = [d for d in load_project(project.root).datasets if d.key == key]
    return dataset.metadata


@pytest.fixture
def existing(gamma, owner, tmp_path) -> RemoteRecord:
    """gamma's record, published before zsync: same metadata and file as the manifest, no marker."""
    return publish_directly(owner, tmp_path / "upload", manifest_metadata(gamma), {"data.csv": DATA.encode()})


def bind_in_manifest(project: Project, concept: str) -> None:
    path = project.manifest_path("gamma")
    path.write_text(f"concept: {concept}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def plan_json(zsync) -> dict:
    result = zsync("plan", "--json")
    assert result.code == 0, result.out + result.err
    (change,) = json.loads(result.out)["changes"]
    return change


def records_of(owner: ZenodoDepositBackend, concept: str) -> list[RemoteRecord]:
    return sorted(
        (r for r in owner.list_own(all_versions=True) if r.concept_id == concept), key=lambda r: r.id
    )


# --- concept: in the manifest ---------------------------------------------------------------


def test_a_bound_record_that_matches_is_no_change_and_stays_unmarked(gamma, zenv, zsync, existing, owner):
    assert existing.concept_doi and not markers_of(existing.metadata)
    bind_in_manifest(gamma, existing.concept_doi)

    plan = zsync("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "to create" not in plan.out.split("Plan:")[-1] or "0 to create" in plan.out
    assert f"bound by its manifest's concept: to concept {existing.concept_id}" in plan.err
    change = plan_json(zsync)
    assert change["action"] == "no-op" and change["record_id"] == existing.id

    applied = zsync("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    entry = gamma.lock["datasets"]["gamma"]
    assert (entry["concept_id"], entry["record_id"]) == (existing.concept_id, existing.id)
    assert zsync("plan", "--detailed-exitcode").code == 0
    # Nothing was written to the record: the marker waits for zsync's first real change.
    (record,) = records_of(owner, existing.concept_id)
    assert record.modified == existing.modified and not markers_of(record.metadata)


def test_a_bound_record_with_other_metadata_is_updated_in_place(gamma, zenv, zsync, existing, owner):
    bind_in_manifest(gamma, f"https://doi.org/{existing.concept_doi}")
    gamma.edit_manifest("gamma", f"title: {TITLE}", f"title: {TITLE} (calibrated)")

    change = plan_json(zsync)
    assert change["action"] == "update" and change["record_id"] == existing.id
    assert [f["path"] for f in change["field_changes"]] == ["title"]
    assert "found by the manifest's `concept:`" in change["reason"]
    assert zsync("apply", "--auto-approve").code == 0

    (record,) = records_of(owner, existing.concept_id)
    assert record.doi == existing.doi and record.metadata["title"] == f"{TITLE} (calibrated)"
    assert markers_of(record.metadata) == ["urn:zsync:gamma"]  # zsync's marker, on its first write
    assert zsync("plan", "--detailed-exitcode").code == 0


def test_a_bound_record_with_other_files_gets_a_new_version(gamma, zenv, zsync, existing, owner):
    bind_in_manifest(gamma, existing.concept_id)  # the concept record id works as well
    gamma.write_file("gamma", "data.csv", DATA + "2,19\n")
    gamma.edit_manifest("gamma", 'version: "1.0"', 'version: "1.1"')

    change = plan_json(zsync)
    assert change["action"] == "new-version" and change["concept_id"] == existing.concept_id
    assert zsync("apply", "--auto-approve").code == 0

    versions = records_of(owner, existing.concept_id)
    assert len(versions) == 2 and versions[0].id == existing.id
    assert versions[-1].concept_doi == existing.concept_doi and versions[-1].doi != existing.doi
    assert zsync("plan", "--detailed-exitcode").code == 0


def test_a_version_doi_instead_of_the_concept_doi_names_both(gamma, zenv, zsync, existing, owner):
    bind_in_manifest(gamma, existing.doi)
    result = zsync("plan")
    check_failure(
        result,
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=(
            existing.doi,
            f"version record {existing.id}",
            existing.concept_doi,
            f"concept: {existing.concept_doi}",
        ),
    )
    assert len(records_of(owner, existing.concept_id)) == 1


@pytest.mark.parametrize("whose", ["nobody", "another account"])
def test_a_concept_that_is_not_the_owners_is_an_error_not_a_create(
    gamma, emulator, zenv, zsync, owner, tmp_path, whose
):
    if whose == "nobody":
        concept, says = (
            "10.5072/zenodo.4242",
            ("10.5072/zenodo.4242", "not among the records", "creates nothing"),
        )
    else:
        stranger = ZenodoDepositBackend(emulator.url, emulator.other_token, retries=0)
        theirs = publish_directly(stranger, tmp_path / "theirs", manifest_metadata(gamma), {"x.csv": b"1\n"})
        concept, says = str(theirs.id), (f"record {theirs.id}", "belongs to another account")
    bind_in_manifest(gamma, concept)
    for command in (("plan",), ("apply", "--auto-approve")):
        check_failure(zsync(*command), gamma.root, zenv["ZENODO_TOKEN"], says=says)
    assert list(owner.list_own(all_versions=True)) == []


def test_a_lock_entry_naming_another_concept_is_refused(gamma, zenv, zsync, existing, owner, tmp_path):
    other = publish_directly(
        owner, tmp_path / "other", {**manifest_metadata(gamma), "title": "Other"}, {"o.csv": b"o\n"}
    )
    bind_in_manifest(gamma, existing.concept_doi)
    (gamma.root / "zsync.lock").write_text(
        json.dumps(
            {
                "format_version": "1",
                "server": zenv["ZSYNC_SERVER"],
                "datasets": {"gamma": {"concept_id": other.concept_id}},
            }
        ),
        encoding="utf-8",
    )
    check_failure(
        zsync("plan"),
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=(f"is concept {existing.concept_id}", f"to concept {other.concept_id}", "zsync bind gamma"),
    )


# --- zsync bind ---------------------------------------------------------------------------------


def test_bind_records_the_concept_in_the_lock_and_the_plan_follows_it(gamma, zenv, zsync, existing, owner):
    manifest_before = gamma.manifest_path("gamma").read_text(encoding="utf-8")
    result = zsync("bind", "gamma", f"https://zenodo.org/records/{existing.concept_id}")
    assert result.code == 0, result.out + result.err
    assert f"Bound gamma to {existing.concept_doi}" in result.out
    assert gamma.manifest_path("gamma").read_text(encoding="utf-8") == manifest_before
    entry = gamma.lock["datasets"]["gamma"]
    assert entry["concept_id"] == existing.concept_id and entry["bound"] is True

    assert zsync("plan", "--detailed-exitcode").code == 0
    gamma.edit_manifest("gamma", f"title: {TITLE}", f"title: {TITLE}, flight 1")
    assert plan_json(zsync)["action"] == "update"
    assert zsync("apply", "--auto-approve").code == 0
    assert zsync("plan", "--detailed-exitcode").code == 0
    assert len(records_of(owner, existing.concept_id)) == 1
    assert zsync("bind", "gamma", existing.concept_doi).out.startswith("gamma is already bound")


def test_bind_refuses_to_replace_a_binding_without_force(gamma, zenv, zsync, existing, owner, tmp_path):
    other = publish_directly(
        owner, tmp_path / "other", {**manifest_metadata(gamma), "title": "Other"}, {"o.csv": b"o\n"}
    )
    assert zsync("bind", "gamma", existing.concept_doi).code == 0
    refused = zsync("bind", "gamma", other.concept_doi)
    check_failure(
        refused,
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=(f"ties gamma to concept {existing.concept_id}", "--force"),
    )
    assert gamma.lock["datasets"]["gamma"]["concept_id"] == existing.concept_id
    assert zsync("bind", "--force", "gamma", other.concept_doi).code == 0
    assert gamma.lock["datasets"]["gamma"]["concept_id"] == other.concept_id


def test_bind_refuses_a_record_zsync_manages_for_another_key(gamma, zenv, zsync, owner):
    gamma.write_manifest("delta", "Delta counts", {"d.csv": "d\n"})
    assert zsync("apply", "--auto-approve", "--target", "delta").code == 0
    delta = gamma.lock["datasets"]["delta"]
    check_failure(
        zsync("bind", "gamma", delta["concept_doi"]),
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=(
            f"concept {delta['concept_id']} carries the zsync marker urn:zsync:delta",
            "Nothing was changed",
        ),
    )
    assert "gamma" not in gamma.lock["datasets"]
    bind_in_manifest(gamma, delta["concept_doi"])
    check_failure(
        zsync("plan"),
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=("gamma: the manifest's concept: names concept", "zsync manages it for another dataset"),
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("gama", "10.5072/zenodo.1"), ("no manifest has this key", "--target gamma")),
        (("gamma", "10.5072/zenodo.999"), ("not among the records", "10.5072/zenodo.999")),
        (("gamma", "10.1234/journal.5"), ("is not a Zenodo DOI",)),
    ],
)
def test_bind_errors_are_one_clear_message(gamma, zenv, zsync, args, says):
    check_failure(zsync("bind", *args), gamma.root, zenv["ZENODO_TOKEN"], says=says)
    assert not (gamma.root / "zsync.lock").exists()


# --- the same-title warning ---------------------------------------------------------------------


def test_a_create_beside_a_record_of_the_same_title_warns_how_to_bind(gamma, zenv, zsync, owner, tmp_path):
    made = publish_directly(
        owner,
        tmp_path / "web",
        {**manifest_metadata(gamma), "title": "  GAMMA ray counts of the 2024  balloon flight"},
        {"data.csv": DATA.encode()},
    )
    text = zsync("plan")
    assert text.code == 0
    for words in (
        f"record {made.id}",
        made.concept_doi,
        made.html_url,
        f"concept: {made.concept_doi}",
        f"zsync bind gamma {made.concept_doi}",
    ):
        assert words in text.out, text.out
    markdown = zsync("plan", "--format", "markdown").out
    assert "Read before applying:" in markdown and f"zsync bind gamma {made.concept_doi}" in markdown
    change = plan_json(zsync)
    assert change["action"] == "create"
    assert any(f"record {made.id}" in warning for warning in change["warnings"])

    # Once bound, the same record is updated: no warning, no create.
    assert zsync("bind", "gamma", made.concept_doi).code == 0
    change = plan_json(zsync)
    assert change["action"] == "update" and change["warnings"] == []


def test_records_of_other_titles_or_made_by_zsync_do_not_warn(gamma, zenv, zsync, owner, tmp_path):
    publish_directly(
        owner,
        tmp_path / "web",
        {**manifest_metadata(gamma), "title": "Gamma ray counts, 2023"},
        {"d.csv": b"1\n"},
    )
    change = plan_json(zsync)
    assert change["action"] == "create" and change["warnings"] == []


# --- files kept on the server only ------------------------------------------------------------


@pytest.fixture
def with_big_file(gamma, owner, tmp_path) -> RemoteRecord:
    """A record holding data.csv and big.bin; the manifest keeps big.bin on the server only."""
    record = publish_directly(
        owner, tmp_path / "upload", manifest_metadata(gamma), {"data.csv": DATA.encode(), "big.bin": BIG}
    )
    bind_in_manifest(gamma, record.concept_doi)
    gamma.edit_manifest(
        "gamma",
        "  - data.csv\n",
        f"  - data.csv\n  - name: big.bin\n    md5: {md5(BIG)}\n    size: {len(BIG)}\n",
    )
    return record


def test_a_remote_only_file_on_the_server_is_unchanged(gamma, zenv, zsync, with_big_file):
    assert zsync("plan", "--detailed-exitcode").code == 0
    change = plan_json(zsync)
    assert change["action"] == "no-op"


def test_a_remote_only_file_is_carried_into_a_new_version(gamma, zenv, zsync, with_big_file, owner):
    gamma.write_file("gamma", "data.csv", DATA + "2,21\n")
    change = plan_json(zsync)
    assert change["action"] == "new-version"
    kinds = {f["name"]: f["kind"] for f in change["file_changes"]}
    assert kinds == {"big.bin": "keep", "data.csv": "replace"}
    applied = zsync("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "big.bin" not in applied.out  # neither uploaded nor removed

    latest = records_of(owner, with_big_file.concept_id)[-1]
    assert {f.name: f.md5 for f in latest.files} == {
        "big.bin": md5(BIG),
        "data.csv": md5((DATA + "2,21\n").encode()),
    }
    assert zsync("plan", "--detailed-exitcode").code == 0


def test_a_remote_only_file_with_another_md5_is_a_plan_error(gamma, zenv, zsync, with_big_file):
    wrong = "f" * 31 + "1"
    gamma.edit_manifest("gamma", md5(BIG), wrong)
    check_failure(
        zsync("plan"),
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=("gamma: big.bin", md5(BIG), wrong, "cannot upload it"),
    )


def test_a_remote_only_file_the_server_lacks_is_a_plan_error(gamma, zenv, zsync, with_big_file):
    gamma.edit_manifest("gamma", "name: big.bin", "name: huge.bin")
    check_failure(
        zsync("plan"),
        gamma.root,
        zenv["ZENODO_TOKEN"],
        says=("huge.bin", f"record {with_big_file.id} has no such file"),
    )
