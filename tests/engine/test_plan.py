"""plan.py alone: hand-made Desired / Actual / lock entries, every action and transition."""

from __future__ import annotations

from pathlib import Path

import pytest

from zenodo_sync.engine.identity import with_marker
from zenodo_sync.engine.normalise import canonical_digest
from zenodo_sync.engine.plan import make_plan, plan_dataset
from zenodo_sync.engine.state import InFlight, LockEntry
from zenodo_sync.errors import RemoteFileMismatch
from zenodo_sync.model import (
    Action,
    ActualDataset,
    DesiredDataset,
    FoundBy,
    LocalFile,
    RemoteFile,
    RemoteOnlyFile,
    RemoteRecord,
)

META = {
    "title": "Rose scent GC-MS data",
    "upload_type": "dataset",
    "description": "<p>Volatiles of rose petals.</p>",
    "creators": [{"name": "Doe, Jane", "affiliation": "Uni"}],
    "license": "cc-by-4.0",
    "version": "1.0",
}
MD5_A = "a" * 32
MD5_B = "b" * 32


def desired(metadata=None, files=None, publish=True, key="rose") -> DesiredDataset:
    files = files if files is not None else {"data.csv": MD5_A}
    return DesiredDataset(
        key=key,
        manifest_path=f"datasets/{key}.yaml",
        metadata=dict(metadata or META),
        publish=publish,
        files=[LocalFile(name=n, path=Path("/x") / n, size=10, md5=m) for n, m in files.items()],
    )


def record(
    record_id=12, *, state="done", metadata=None, files=None, key="rose", modified="t1"
) -> RemoteRecord:
    files = files if files is not None else {"data.csv": MD5_A}
    # What the server reads back: zsync's marker included, server-filled fields added.
    meta = with_marker(dict(metadata or META), key)
    meta.update(
        {
            "access_right": "open",
            "imprint_publisher": "Zenodo",
            "publication_date": "2026-11-22",
            "license": "cc-by-4.0",
        }
    )
    return RemoteRecord(
        id=record_id,
        concept_id="11",
        state=state,
        submitted=state != "unsubmitted",
        metadata=meta,
        files=[RemoteFile(id=f"f-{n}", name=n, size=10, md5=m) for n, m in files.items()],
        doi=f"10.5072/zenodo.{record_id}" if state != "unsubmitted" else None,
        concept_doi="10.5072/zenodo.11",
        modified=modified,
        links={"html": f"http://127.0.0.1/deposit/{record_id}"},
    )


def actual(latest=None, draft=None, found_by=FoundBy.LOCK) -> ActualDataset:
    concept = "11" if (latest or draft) else None
    return ActualDataset(key="rose", concept_id=concept, latest=latest, draft=draft, found_by=found_by)


def entry_for(rec: RemoteRecord, **overrides) -> LockEntry:
    entry = LockEntry(
        concept_id="11",
        concept_doi=rec.concept_doi,
        record_id=rec.id,
        doi=rec.doi,
        version=rec.metadata.get("version"),
        files={f.name: f.md5 for f in rec.files},
        metadata_digest=canonical_digest(rec.metadata),
    )
    for name, value in overrides.items():
        setattr(entry, name, value)
    return entry


def test_nothing_on_server_is_create_with_all_fields_and_files_added():
    change = plan_dataset(desired(), actual(found_by=FoundBy.NONE))
    assert change.action == Action.CREATE
    assert {c.path for c in change.field_changes} >= {"title", "creators", "version"}
    assert all(c.kind == "add" for c in change.field_changes)
    assert [(f.name, f.kind) for f in change.file_changes] == [("data.csv", "add")]
    assert change.record_id is None and change.publish is True


def test_record_matching_manifest_is_no_op_despite_server_filled_fields_and_marker():
    latest = record()
    change = plan_dataset(desired(), actual(latest), entry_for(latest))
    assert change.action == Action.NO_OP, change.field_changes
    assert change.field_changes == [] and change.drift is False
    assert change.record_id == 12 and change.doi == "10.5072/zenodo.12"


def test_metadata_change_only_is_update_with_field_diff():
    latest = record()
    wanted = desired({**META, "title": "Rose scent GC-MS data, corrected"})
    change = plan_dataset(wanted, actual(latest), entry_for(latest))
    assert change.action == Action.UPDATE
    assert [(c.path, c.before, c.after) for c in change.field_changes] == [
        ("title", "Rose scent GC-MS data", "Rose scent GC-MS data, corrected")
    ]
    assert all(f.kind == "keep" for f in change.file_changes)


@pytest.mark.parametrize(
    "files, kinds",
    [
        ({"data.csv": MD5_B}, [("data.csv", "replace")]),
        ({"data.csv": MD5_A, "more.csv": MD5_B}, [("data.csv", "keep"), ("more.csv", "add")]),
        ({"other.csv": MD5_A}, [("other.csv", "add"), ("data.csv", "remove")]),
    ],
)
def test_any_file_change_is_new_version(files, kinds):
    latest = record()
    change = plan_dataset(desired(files=files), actual(latest), entry_for(latest))
    assert change.action == Action.NEW_VERSION
    assert [(f.name, f.kind) for f in change.file_changes] == kinds


def test_version_bump_alone_is_new_version():
    latest = record()
    change = plan_dataset(desired({**META, "version": "1.1"}), actual(latest), entry_for(latest))
    assert change.action == Action.NEW_VERSION
    assert "version 1.0 -> 1.1" in change.reason


def test_never_published_draft_is_resumed_not_created_again():
    draft = record(13, state="unsubmitted", files={})
    entry = LockEntry(in_flight=InFlight(operation="create", step="draft", draft_id=13))
    change = plan_dataset(desired(), actual(draft=draft), entry)
    assert change.action == Action.RESUME_CREATE
    assert change.draft_id == 13 and change.record_id is None
    assert [(f.name, f.kind) for f in change.file_changes] == [("data.csv", "add")]


def test_open_new_version_draft_is_resumed():
    latest = record(12)
    draft = record(14, state="unsubmitted", files={"data.csv": MD5_A})
    entry = entry_for(latest, in_flight=InFlight(operation="new-version", step="draft", draft_id=14))
    change = plan_dataset(desired(files={"data.csv": MD5_B}), actual(latest, draft), entry)
    assert change.action == Action.RESUME_NEW_VERSION
    assert (change.record_id, change.draft_id) == (12, 14)
    assert change.drift is False  # our own operation in flight explains the difference


def test_leftover_draft_when_published_version_already_matches_is_resumed_to_discard():
    latest = record(12)
    draft = record(14, state="unsubmitted", files={"data.csv": MD5_B})
    change = plan_dataset(desired(), actual(latest, draft), entry_for(latest))
    assert change.action == Action.DISCARD_DRAFT
    assert "discarded" in change.reason


def test_leftover_draft_when_only_metadata_differs_is_discarded_then_the_record_updated():
    latest = record(12)
    draft = record(14, state="unsubmitted", files={"data.csv": MD5_B})
    change = plan_dataset(desired({**META, "title": "New"}), actual(latest, draft), entry_for(latest))
    assert change.action == Action.DISCARD_DRAFT_THEN_UPDATE
    assert (change.record_id, change.draft_id) == (12, 14)
    assert [f.path for f in change.field_changes] == ["title"]


def test_open_edit_draft_is_resumed_as_an_update():
    latest = record(12, state="inprogress")
    change = plan_dataset(desired({**META, "title": "New"}), actual(latest, latest), entry_for(latest))
    assert change.action == Action.RESUME_UPDATE and change.draft_id == 12


def test_edit_draft_with_file_change_becomes_new_version():
    latest = record(12, state="inprogress")
    change = plan_dataset(desired(files={"data.csv": MD5_B}), actual(latest, latest), entry_for(latest))
    assert change.action == Action.NEW_VERSION
    assert "edit draft" in change.reason


def test_publish_false_reviewed_draft_is_no_op_and_unmatched_draft_is_resumed():
    draft = record(13, state="unsubmitted")
    recorded = LockEntry(concept_id="11", draft_id=13)
    assert plan_dataset(desired(publish=False), actual(draft=draft), recorded).action == Action.NO_OP
    # the same draft unknown to zsync.lock: nothing changes on the server, the lock learns it
    assert plan_dataset(desired(publish=False), actual(draft=draft)).action == Action.RECORD_LOCK
    changed = desired({**META, "title": "Another title"}, publish=False)
    change = plan_dataset(changed, actual(draft=draft))
    assert change.action == Action.RESUME_CREATE and change.publish is False
    # and when the manifest now says publish, the matching draft is published
    assert plan_dataset(desired(), actual(draft=draft)).action == Action.RESUME_CREATE


def test_publish_false_create_says_it_stops_at_a_draft():
    change = plan_dataset(desired(publish=False), actual(found_by=FoundBy.NONE))
    assert change.action == Action.CREATE and change.publish is False
    assert "draft" in change.reason


@pytest.mark.parametrize("edit", ["metadata", "files", "version-by-hand"])
def test_drift_is_flagged_when_the_server_moved_outside_zsync(edit):
    recorded = record(12)
    entry = entry_for(recorded)
    if edit == "metadata":
        latest = record(12, metadata={**META, "title": "Edited on the website"})
    elif edit == "files":
        latest = record(12, files={"data.csv": MD5_B})
    else:
        latest = record(15)
    change = plan_dataset(desired(), actual(latest), entry)
    assert change.drift is True
    # A version made by hand already matches: nothing to send; the lock learns the new version.
    expected = {"metadata": Action.UPDATE, "files": Action.NEW_VERSION, "version-by-hand": Action.RECORD_LOCK}
    assert change.action == expected[edit]


def test_found_by_marker_is_said_in_the_reason():
    latest = record()
    change = plan_dataset(desired({**META, "title": "New"}), actual(latest, found_by=FoundBy.MARKER))
    assert change.action == Action.UPDATE and "server search" in change.reason


def test_locked_key_without_manifest_is_forgotten_unless_targeted():
    latest = record()
    plan = make_plan([], {}, {"rose": entry_for(latest)})
    assert [(c.key, c.action) for c in plan.changes] == [("rose", Action.FORGET)]
    assert "cannot be deleted" in plan.changes[0].reason and plan.has_changes
    assert make_plan([], {}, {"rose": entry_for(latest)}, targeted=True).changes == []


def test_plan_is_sorted_and_basis_names_what_it_was_computed_against():
    latest = record()
    plan = make_plan([desired(key="zeta"), desired()], {"rose": actual(latest)}, {"rose": entry_for(latest)})
    assert [c.key for c in plan.changes] == ["rose", "zeta"]
    basis = plan.changes[0].basis
    assert basis["files"] == {"data.csv": MD5_A}
    assert basis["remote"]["latest_id"] == 12 and basis["remote"]["latest_modified"] == "t1"
    assert plan.changes[1].action == Action.CREATE
    assert plan.summary()["create"] == 1 and plan.summary()["no-op"] == 1


def test_unhashed_files_are_a_bug_not_a_silent_difference():
    wanted = desired()
    wanted.files = [LocalFile(name="data.csv", path=Path("/x"), size=1)]
    with pytest.raises(ValueError, match="hashed"):
        plan_dataset(wanted, actual(record()))


# --- bound records and files kept on the server only ----------------------------------------


def with_kept(dataset: DesiredDataset, name: str = "big.bin", md5: str = MD5_B) -> DesiredDataset:
    dataset.remote_files = [RemoteOnlyFile(name, md5)]
    return dataset


def test_a_file_kept_on_the_server_is_kept_not_removed():
    latest = record(files={"data.csv": MD5_A, "big.bin": MD5_B})
    change = plan_dataset(with_kept(desired()), actual(latest), entry_for(latest))
    assert change.action == Action.NO_OP
    assert [(f.name, f.kind) for f in change.file_changes] == [("big.bin", "keep"), ("data.csv", "keep")]


def test_a_new_version_keeps_the_file_kept_on_the_server():
    latest = record(files={"data.csv": MD5_A, "big.bin": MD5_B})
    change = plan_dataset(with_kept(desired(files={"data.csv": "c" * 32})), actual(latest), entry_for(latest))
    assert change.action == Action.NEW_VERSION
    assert {f.name: f.kind for f in change.file_changes} == {"big.bin": "keep", "data.csv": "replace"}


@pytest.mark.parametrize(
    ("server_files", "says"),
    [
        (
            {"data.csv": MD5_A, "big.bin": "c" * 32},
            f"big.bin on record 12 has md5 {'c' * 32}, the manifest says {MD5_B}",
        ),
        (
            {"data.csv": MD5_A},
            "big.bin (md5 " + MD5_B + ") is kept on the server only, but record 12 has no such file",
        ),
    ],
)
def test_a_file_kept_on_the_server_that_differs_stops_the_plan(server_files, says):
    latest = record(files=server_files)
    with pytest.raises(RemoteFileMismatch) as raised:
        plan_dataset(with_kept(desired()), actual(latest), entry_for(latest))
    assert says in raised.value.message and raised.value.message.startswith("rose: ")


def test_a_file_kept_on_the_server_with_another_size_stops_the_plan():
    latest = record(files={"data.csv": MD5_A, "big.bin": MD5_B})  # 10 bytes each
    dataset = desired()
    dataset.remote_files = [RemoteOnlyFile("big.bin", MD5_B, size=11)]
    with pytest.raises(RemoteFileMismatch, match=r"big\.bin on record 12 is 10 bytes, the manifest says 11"):
        plan_dataset(dataset, actual(latest), entry_for(latest))


def test_a_create_cannot_keep_a_file_it_does_not_have():
    with pytest.raises(RemoteFileMismatch, match="the server \\(no record yet\\) has no such file"):
        plan_dataset(with_kept(desired()), actual())


def test_a_bound_record_equal_to_the_manifest_only_records_the_lock():
    latest = record()
    latest.metadata.pop("related_identifiers")  # made outside zsync: no marker
    change = plan_dataset(desired(), actual(latest, found_by=FoundBy.CONCEPT), None)
    assert change.action == Action.RECORD_LOCK and change.adopt is None and change.field_changes == []


def test_a_create_beside_a_record_of_the_same_title_is_warned():
    same = record(40)
    lonely = ActualDataset(key="rose", found_by=FoundBy.NONE, same_title=[same])
    change = plan_dataset(desired(), lonely)
    assert change.action == Action.CREATE
    (warning,) = change.warnings
    for words in (
        "record 40",
        "concept DOI 10.5072/zenodo.11",
        "http://127.0.0.1/deposit/40",
        "`concept: 10.5072/zenodo.11` to datasets/rose.yaml",
        "`zsync bind rose 10.5072/zenodo.11`",
    ):
        assert words in warning


# --- communities asked for and not yet shown (§7.8, §7.11) ---------------------------------------


def test_a_community_whose_request_is_open_is_no_change_but_a_warning():
    wanted = desired({**META, "communities": [{"identifier": "iodp"}]})
    waiting = actual(latest=record())
    waiting.awaited_communities = ["iodp"]
    change = plan_dataset(wanted, waiting)  # no lock entry: the lock learns it, the server is left
    assert change.action == Action.RECORD_LOCK and change.field_changes == []
    assert change.warnings == [
        "record 12 has asked to join community 'iodp' and waits for its curators; no request is sent again"
    ]
    # Another change still goes out, without the community among its field changes.
    retitled = desired({**META, "title": "Rose scent, retitled", "communities": [{"identifier": "iodp"}]})
    change = plan_dataset(retitled, waiting)
    assert change.action == Action.UPDATE
    assert [c.path for c in change.field_changes] == ["title"]
    # Not awaited: the community is a change as before.
    assert plan_dataset(wanted, actual(latest=record())).action == Action.UPDATE


def test_a_draft_for_review_that_cannot_hold_its_community_matches():
    wanted = desired({**META, "communities": [{"identifier": "iodp"}]}, publish=False)
    draft = actual(draft=record(30, state="unsubmitted"))
    draft.awaited_communities = ["iodp"]
    change = plan_dataset(wanted, draft)
    assert change.action == Action.RECORD_LOCK and change.field_changes == []
    assert change.warnings == [
        "community 'iodp' is asked for when draft 30 is published (this server's drafts cannot hold a community)"
    ]
