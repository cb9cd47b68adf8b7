"""Field-level diff of two canonical metadata dicts (see normalise.py) into `model.FieldChange`s.

`before` is what Zenodo holds, `after` what the manifests want, both already canonical.

Paths are dotted, list positions as numbers, as model.FieldChange documents: `title`,
`creators.2.orcid`, `grants.0`. A list entry's position is its position in `after` (where it
will be), except for a removed entry, which keeps its position in `before`.

Kinds:
- "add" / "remove" / "change": `before` / `after` hold the values (None on the missing side).
- "move": a list entry kept as is but placed elsewhere; `path` is its new position, `before`
  its old path (a string), `after` the entry itself. Moves are found for every list, which
  matters for creators (authorship order); unchanged entries around a move are not reported.

Lists are matched entry by entry (equal entries first, then the same person by ORCID/GND/name
or the same identifier, then the same position unless their ORCIDs/identifiers differ), so a
changed ORCID digit shows as `creators.0.orcid`, a removed creator as one `remove` (not as a
shifted list), and a different person in the same place as a `remove` and an `add`.
Nested dicts are compared with deepdiff. Long texts stay whole in the plan (it is data); the
renderers show them as a unified diff of lines (`render.textdiff`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import notpresent

from zenodo_sync.model import (
    DesiredDataset,
    FieldChange,
    FileChange,
    LocalFile,
    RemoteFile,
    RemoteOnlyFile,
    RemoteRecord,
)
from zenodo_sync.zenodo.fields import SERVER_FILLED_UNLESS_SET

# Display order of top-level fields: what a reviewer looks at first comes first.
FIELD_ORDER = (
    "title",
    "upload_type",
    "publication_type",
    "image_type",
    "version",
    "publication_date",
    "creators",
    "contributors",
    "description",
    "access_right",
    "embargo_date",
    "license",
    "doi",
    "keywords",
    "subjects",
    "notes",
    "method",
    "language",
    "related_identifiers",
    "references",
    "grants",
    "communities",
    "dates",
    "locations",
)

_MISSING = object()


# --- metadata ------------------------------------------------------------------------


def diff_metadata(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The changes that turn `before` (server, canonical) into `after` (manifest, canonical).

    A server-filled field (publication_date, doi) the manifest leaves out is not a change
    (docs/zenodo-behaviour.md §3.6: the server fills today's date and its own DOI).
    """
    changes: list[FieldChange] = []
    for key in _ordered_keys(before, after):
        if key not in after and key in SERVER_FILLED_UNLESS_SET:
            continue
        changes.extend(_diff_value(key, before.get(key, _MISSING), after.get(key, _MISSING)))
    return [change for change in changes if not _is_one_way_removal(change)]


# Once a published record is in a community, a deposit-API PUT without it does not take it out
# (only the community's curators can remove it; docs/zenodo-behaviour.md §3.10 communities, the emulator
# keeps the parent's communities). Showing the removal would promise what apply cannot do,
# and the plan after apply would never be empty: `one_way_removals` names them for the plan's
# warnings (plan.plan_warnings).
ONE_WAY_LISTS = ("communities",)


def _is_one_way_removal(change: FieldChange) -> bool:
    head = change.path.split(".")[0]
    return head in ONE_WAY_LISTS and change.kind == "remove"


def one_way_removals(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Removals the manifests ask for that zsync cannot carry out (e.g. leaving a community)."""
    changes: list[FieldChange] = []
    for key in ONE_WAY_LISTS:
        changes += _diff_value(key, before.get(key, _MISSING), after.get(key, _MISSING))
    return [change for change in changes if _is_one_way_removal(change)]


def _ordered_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = set(before) | set(after)
    known = [key for key in FIELD_ORDER if key in keys]
    return known + sorted(keys - set(known))


def _diff_value(path: str, before: Any, after: Any) -> list[FieldChange]:
    if (before is _MISSING and after is _MISSING) or before == after:
        return []
    if before is _MISSING:
        return [FieldChange(path, None, after, "add")]
    if after is _MISSING:
        return [FieldChange(path, before, None, "remove")]
    if isinstance(before, list) and isinstance(after, list):
        return _diff_list(path, before, after)
    if isinstance(before, dict) and isinstance(after, dict):
        return _diff_nested(path, before, after)
    return [FieldChange(path, before, after, "change")]


def _diff_nested(path: str, before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Dicts (a creator, `custom`) leaf by leaf, with deepdiff's tree view."""
    tree = DeepDiff(before, after, view="tree")
    changes = []
    for report_type, levels in tree.items():
        for level in levels:
            parts = [str(part) for part in level.path(output_format="list")]
            old = None if level.t1 is notpresent else level.t1
            new = None if level.t2 is notpresent else level.t2
            kind = (
                "add"
                if report_type.endswith("_added")
                else "remove"
                if report_type.endswith("_removed")
                else "change"
            )
            changes.append(FieldChange(".".join([path, *parts]), old, new, kind))
    return sorted(changes, key=lambda change: _path_sort_key(change.path))


def _path_sort_key(path: str) -> list[tuple[int, Any]]:
    return [(0, int(part)) if part.isdigit() else (1, part) for part in path.split(".")]


# --- lists: pair entries, then report removed / added / moved / changed --------------


def _identity_keys(entry: Any) -> set[tuple[str, str]]:
    """What makes two list entries "the same thing" even when some of their fields changed."""
    if not isinstance(entry, dict):
        return set()
    keys = set()
    for field in ("orcid", "gnd", "name", "identifier", "place"):
        if entry.get(field):
            keys.add((field, str(entry[field])))
    return keys


_STRONG_IDS = ("orcid", "gnd", "identifier")


def _conflict(first: Any, second: Any) -> bool:
    """Entries at the same position but with different ORCIDs (or identifiers) and nothing else in
    common are different things: a replaced person, not an edited one."""
    if not (isinstance(first, dict) and isinstance(second, dict)):
        return True
    return any(first.get(key) and second.get(key) and first[key] != second[key] for key in _STRONG_IDS)


def _pair_entries(before: list[Any], after: list[Any]) -> dict[int, int]:
    """after index -> before index for entries that are the same thing."""
    pairs: dict[int, int] = {}
    used: set[int] = set()

    def match(accept: Callable[[int, int], bool]) -> None:
        for j in range(len(after)):
            if j in pairs:
                continue
            for i in range(len(before)):
                if i not in used and accept(i, j):
                    pairs[j] = i
                    used.add(i)
                    break

    match(lambda i, j: before[i] == after[j])
    match(lambda i, j: bool(_identity_keys(before[i]) & _identity_keys(after[j])))
    match(lambda i, j: i == j and not _conflict(before[i], after[j]))
    return pairs


def _stayed_in_order(sequence: list[int]) -> set[int]:
    """The longest increasing run of old positions: entries that kept their relative order."""
    if not sequence:
        return set()
    tails: list[int] = []  # index into `sequence` of the smallest tail of each run length
    parent: list[int | None] = [None] * len(sequence)
    for position, value in enumerate(sequence):
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if sequence[tails[middle]] < value:
                low = middle + 1
            else:
                high = middle
        parent[position] = tails[low - 1] if low else None
        if low == len(tails):
            tails.append(position)
        else:
            tails[low] = position
    kept: set[int] = set()
    cursor: int | None = tails[-1]
    while cursor is not None:
        kept.add(sequence[cursor])
        cursor = parent[cursor]
    return kept


def _diff_list(path: str, before: list[Any], after: list[Any]) -> list[FieldChange]:
    pairs = _pair_entries(before, after)
    paired_before = set(pairs.values())
    stayed = _stayed_in_order([pairs[j] for j in sorted(pairs)])
    changes = [
        FieldChange(f"{path}.{i}", before[i], None, "remove")
        for i in range(len(before))
        if i not in paired_before
    ]
    for j, entry in enumerate(after):
        if j not in pairs:
            changes.append(FieldChange(f"{path}.{j}", None, entry, "add"))
            continue
        i = pairs[j]
        if i not in stayed:
            changes.append(FieldChange(f"{path}.{j}", f"{path}.{i}", entry, "move"))
        if before[i] != entry:
            changes.extend(_diff_value(f"{path}.{j}", before[i], entry))
    return changes


# --- files ---------------------------------------------------------------------------
# Zenodo keeps no file order and no directories: a record's files are a name -> md5 map, and
# md5 is the one content check both sides share (the server reports it as "md5:<hex>").


def desired_md5s(desired: DesiredDataset) -> dict[str, str]:
    """name -> md5 of every file the record should hold: the manifest's local files (hashed
    first, files.hash_files) and the files it keeps on the server only (their md5 as written)."""
    missing = [f.name for f in desired.files if not f.md5]
    if missing:
        raise ValueError(f"files of {desired.key} must be hashed before planning: {missing}")
    wanted = {f.name: str(f.md5).lower() for f in desired.files}
    wanted.update((f.name, f.md5.lower()) for f in desired.remote_files)
    return wanted


def remote_md5s(record: RemoteRecord | None) -> dict[str, str]:
    """name -> md5 of a record's files (none for no record)."""
    return {f.name: f.md5.lower() for f in record.files} if record is not None else {}


def files_differ(desired: DesiredDataset, record: RemoteRecord | None) -> bool:
    """True when a name or an md5 differs between the manifest and the record."""
    return desired_md5s(desired) != remote_md5s(record)


def diff_files(
    local: Iterable[LocalFile], remote: Iterable[RemoteFile], kept: Iterable[RemoteOnlyFile] = ()
) -> list[FileChange]:
    """Local files against the files of a record, by name: the manifest's files sorted by name,
    then the record's files the manifest no longer has, sorted by name (a stable plan).

    Equal md5 => "keep"; different => "replace"; only local => "add"; only remote => "remove".
    A local file whose md5 was not computed yet counts as "replace": a plan never skips an
    upload it cannot prove unnecessary (hash with files.hash_files first).
    `kept`: files the manifest keeps on the server only; they are "keep" when the record holds
    them with their md5 (remote_only_problems says what is wrong otherwise, and zsync cannot
    upload them).
    """
    remote_by_name = {file.name: file for file in remote}
    local_by_name = {file.name: file for file in local}
    kept_by_name = {file.name: file for file in kept}
    changes = []
    for name in sorted(set(local_by_name) | set(kept_by_name)):
        theirs = remote_by_name.get(name)
        if name in kept_by_name:
            wanted = kept_by_name[name]
            same = theirs is not None and theirs.md5.lower() == wanted.md5
            size = theirs.size if theirs is not None else wanted.size
            their_md5 = theirs.md5 if theirs is not None else None
            changes.append(FileChange(name, "keep" if same else "missing", size, wanted.md5, their_md5))
            continue
        mine = local_by_name[name]
        if theirs is None:
            changes.append(FileChange(name, "add", mine.size, mine.md5, None))
        else:
            same = mine.md5 is not None and mine.md5.lower() == theirs.md5.lower()
            changes.append(FileChange(name, "keep" if same else "replace", mine.size, mine.md5, theirs.md5))
    for name in sorted(set(remote_by_name) - set(local_by_name) - set(kept_by_name)):
        theirs = remote_by_name[name]
        changes.append(FileChange(name, "remove", theirs.size, None, theirs.md5))
    return changes


def remote_only_problems(desired: DesiredDataset, record: RemoteRecord | None) -> list[str]:
    """What keeps a record from holding the files the manifest keeps on the server only.

    zsync has no copy of them, so it cannot upload one that is missing or different: each
    problem names the file and both md5s (empty list: all there).
    """
    held = {file.name: file for file in record.files} if record is not None else {}
    where = f"record {record.id}" if record is not None else "the server (no record yet)"
    problems = []
    for wanted in desired.remote_files:
        theirs = held.get(wanted.name)
        if theirs is None:
            problems.append(
                f"{wanted.name} (md5 {wanted.md5}) is kept on the server only, but {where} has no such file"
            )
        elif theirs.md5.lower() != wanted.md5:
            problems.append(
                f"{wanted.name} on {where} has md5 {theirs.md5.lower()}, the manifest says {wanted.md5}"
            )
        elif wanted.size is not None and theirs.size != wanted.size:
            problems.append(
                f"{wanted.name} on {where} is {theirs.size} bytes, the manifest says {wanted.size}"
            )
    return problems
