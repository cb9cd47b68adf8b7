"""The plan as JSON: a stable, versioned format, and the one serialiser of a plan (the
`--json` output and saved plan files, engine/planfile.py, both use it).

    {"format_version": "1", "server": ..., "targeted": false,
     "changes": [{"key", "action", "manifest_path", "record_id", "concept_id", "draft_id", "doi",
                  "concept_doi", "field_changes": [{"path", "kind", "before", "after"}],
                  "file_changes": [{"name", "kind", "size", "local_md5", "remote_md5"}],
                  "drift", "publish", "reason", "basis",
                  "operation", "adopt": {"marker", "concept_id", "consent"} | null, "warnings": [...],
                  "draft_for_review"}],
     "summary": {"create": N, "update": N, "new-version": N, "resume": N, "no-op": N, "forget": N,
                 "adopt": N}}

`action` keeps the six action names of format "1" (model.ACTION_FAMILIES); `operation` is the
execution path apply carries out (model.Action: e.g. "resume-new-version" is a "resume",
"record-lock" a "no-op"). `summary.adopt` counts the changes with an `adopt` (each is also
counted under its action). Keys come out in this order every time (`basis` sorted).
`plan_from_dict(plan_to_dict(p)) == p`. Versioning as Terraform's: a minor bump ("1.1") only
adds keys and readers ignore unknown ones; another major version is refused. `summary` is
derived data and is not read back.
"""

from __future__ import annotations

import json
from typing import Any

from zenodo_sync.errors import StateError
from zenodo_sync.model import (
    ACTION_FAMILIES,
    PLAN_FORMAT_VERSION,
    Action,
    Adoption,
    DatasetChange,
    FieldChange,
    FileChange,
    Plan,
)

_SUPPORTED_MAJOR = PLAN_FORMAT_VERSION.split(".")[0]


def render(plan: Plan, *, indent: int | None = 2, **_ignored: object) -> str:
    return json.dumps(plan_to_dict(plan), indent=indent, ensure_ascii=False) + "\n"


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": plan.format_version,
        "server": plan.server,
        "targeted": plan.targeted,
        "changes": [_change_to_dict(change) for change in plan.changes],
        "summary": {**plan.summary(), "adopt": len(plan.adoptions())},
    }


def _change_to_dict(change: DatasetChange) -> dict[str, Any]:
    return {
        "key": change.key,
        "action": change.action.family,
        "manifest_path": change.manifest_path,
        "record_id": change.record_id,
        "concept_id": change.concept_id,
        "draft_id": change.draft_id,
        "doi": change.doi,
        "concept_doi": change.concept_doi,
        "field_changes": [
            {"path": field.path, "kind": field.kind, "before": field.before, "after": field.after}
            for field in change.field_changes
        ],
        "file_changes": [
            {
                "name": file.name,
                "kind": file.kind,
                "size": file.size,
                "local_md5": file.local_md5,
                "remote_md5": file.remote_md5,
            }
            for file in change.file_changes
        ],
        "drift": change.drift,
        "publish": change.publish,
        "reason": change.reason,
        "basis": _sorted(change.basis),
        "operation": change.action.value,
        "adopt": (
            {
                "marker": change.adopt.marker,
                "concept_id": change.adopt.concept_id,
                "consent": f"--adopt {change.key}",
            }
            if change.adopt is not None
            else None
        ),
        "warnings": list(change.warnings),
        "draft_for_review": change.draft_for_review,
    }


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


# --- reading back ----------------------------------------------------------------------


def plan_from_dict(data: Any) -> Plan:
    """A Plan from `plan_to_dict`'s output; StateError naming the bad place otherwise."""
    _expect(isinstance(data, dict), "the plan", "must be a JSON object")
    version = data.get("format_version")
    _expect(isinstance(version, str), "format_version", "is missing")
    if version.split(".")[0] != _SUPPORTED_MAJOR:
        raise StateError(
            f"The plan has format version {version}; this zsync reads version {_SUPPORTED_MAJOR}.x.",
            hint="Make the plan again with this version of zsync.",
        )
    changes = data.get("changes")
    _expect(isinstance(changes, list), "changes", "must be a list")
    return Plan(
        changes=[_change_from_dict(entry, f"changes[{index}]") for index, entry in enumerate(changes)],
        server=_typed(data, "server", str, "the plan", default=""),
        format_version=version,
        targeted=_typed(data, "targeted", bool, "the plan", default=False),
    )


def _change_from_dict(entry: Any, where: str) -> DatasetChange:
    _expect(isinstance(entry, dict), where, "must be an object")
    action = _action_from_dict(entry, where)
    adopt = _typed(entry, "adopt", (dict, type(None)), where, default=None)
    warnings = _typed(entry, "warnings", list, where, default=[])
    _expect(all(isinstance(warning, str) for warning in warnings), f"{where}.warnings", "must be strings")
    fields = entry.get("field_changes", [])
    files = entry.get("file_changes", [])
    _expect(isinstance(fields, list), f"{where}.field_changes", "must be a list")
    _expect(isinstance(files, list), f"{where}.file_changes", "must be a list")
    return DatasetChange(
        key=_typed(entry, "key", str, where),
        action=action,
        reason=_typed(entry, "reason", str, where, default=""),
        manifest_path=_typed(entry, "manifest_path", (str, type(None)), where, default=None),
        record_id=_typed(entry, "record_id", (int, type(None)), where, default=None),
        concept_id=_typed(entry, "concept_id", (str, type(None)), where, default=None),
        draft_id=_typed(entry, "draft_id", (int, type(None)), where, default=None),
        doi=_typed(entry, "doi", (str, type(None)), where, default=None),
        concept_doi=_typed(entry, "concept_doi", (str, type(None)), where, default=None),
        field_changes=[
            _field_from_dict(item, f"{where}.field_changes[{i}]") for i, item in enumerate(fields)
        ],
        file_changes=[_file_from_dict(item, f"{where}.file_changes[{i}]") for i, item in enumerate(files)],
        drift=_typed(entry, "drift", bool, where, default=False),
        publish=_typed(entry, "publish", bool, where, default=True),
        basis=_typed(entry, "basis", dict, where, default={}),
        adopt=_adoption_from_dict(adopt, f"{where}.adopt") if adopt is not None else None,
        warnings=list(warnings),
        draft_for_review=_typed(entry, "draft_for_review", bool, where, default=False),
    )


def _action_from_dict(entry: dict, where: str) -> Action:
    """`operation` names the path; `action` alone (format "1" before `operation`) only when it
    names one path: an older "resume" could be any of five, so that plan must be made again."""
    family = entry.get("action")
    if family not in ACTION_FAMILIES:
        raise StateError(
            f"The plan is not readable: {where}.action {family!r} is not one of {', '.join(ACTION_FAMILIES)}."
        )
    if "operation" not in entry and family == "resume":
        raise StateError(
            f"The plan is not readable: {where} says `resume` without the `operation` "
            "that names which draft is finished or discarded (a plan from an older zsync).",
            hint="Make the plan again with this version of zsync.",
        )
    operation = entry.get("operation", family)
    try:
        action = Action(operation)
    except ValueError:
        raise StateError(
            f"The plan is not readable: {where}.operation {operation!r} is not one of "
            f"{', '.join(action.value for action in Action)}.",
            hint="Make the plan again with this version of zsync.",
        ) from None
    _expect(action.family == family, f"{where}.operation", f"({operation!r}) is not a kind of {family!r}")
    return action


def _adoption_from_dict(item: dict, where: str) -> Adoption:
    return Adoption(
        marker=_typed(item, "marker", str, where),
        concept_id=_typed(item, "concept_id", (str, type(None)), where, default=None),
    )


def _field_from_dict(item: Any, where: str) -> FieldChange:
    _expect(isinstance(item, dict), where, "must be an object")
    return FieldChange(
        path=_typed(item, "path", str, where),
        before=item.get("before"),
        after=item.get("after"),
        kind=_typed(item, "kind", str, where),
    )


def _file_from_dict(item: Any, where: str) -> FileChange:
    _expect(isinstance(item, dict), where, "must be an object")
    optional_str = (str, type(None))
    return FileChange(
        name=_typed(item, "name", str, where),
        kind=_typed(item, "kind", str, where),
        size=_typed(item, "size", (int, type(None)), where, default=None),
        local_md5=_typed(item, "local_md5", optional_str, where, default=None),
        remote_md5=_typed(item, "remote_md5", optional_str, where, default=None),
    )


_REQUIRED = object()


def _typed(data: dict, key: str, kind: type | tuple[type, ...], where: str, default: Any = _REQUIRED) -> Any:
    if key not in data:
        _expect(default is not _REQUIRED, f"{where}.{key}", "is missing")
        return default
    value = data[key]
    # bool is an int in Python: an id of `true` is as wrong as one of "12".
    wrong_bool = isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))
    _expect(isinstance(value, kind) and not wrong_bool, f"{where}.{key}", f"has the wrong type ({value!r})")
    return value


def _expect(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise StateError(
            f"The plan is not readable: {where} {problem}.",
            hint="Make the plan again with `zsync plan -out FILE`; do not edit plan files by hand.",
        )
