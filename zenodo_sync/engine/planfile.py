"""Saved plans: `zsync plan -out FILE` writes one, `zsync apply FILE` carries it out exactly.

The file is JSON: the plan in the stable JSON form of `zsync plan --json` (render/json.py,
the one serialiser of a plan), whose changes carry what each was computed against
(`basis`: manifest digest, file md5s, the server's record ids and `modified` stamps), plus
the server URL and targets. It never holds a token. Like Terraform, apply refuses a saved
plan when anything it was based on moved: it plans again and compares bases and actions,
and names the dataset and what changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zenodo_sync.engine.state import same_server, write_state_file
from zenodo_sync.errors import StalePlanError, StateError
from zenodo_sync.model import Plan
from zenodo_sync.render.json import plan_from_dict, plan_to_dict

PLANFILE_FORMAT_VERSION = "1"
PLANFILE_KIND = "zsync-plan"


def plan_to_json(plan: Plan, *, targets: list[str] | None = None) -> str:
    data = {
        "kind": PLANFILE_KIND,
        "format_version": PLANFILE_FORMAT_VERSION,
        "server": plan.server,
        "targets": sorted(targets or []),
        "plan": plan_to_dict(plan),
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def write_plan(path: Path, plan: Plan, *, targets: list[str] | None = None) -> None:
    write_state_file(path, plan_to_json(plan, targets=targets))


def read_plan(path: Path) -> tuple[Plan, list[str]]:
    """The saved plan (with each change's basis) and the targets it was made for."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(
            f"{path}: no such plan file.", hint="Make one with `zsync plan -out FILE`."
        ) from None
    except (OSError, ValueError) as exc:
        raise StateError(
            f"{path}: cannot read the saved plan: {exc}", hint="Make a new one with `zsync plan -out FILE`."
        ) from None
    if not isinstance(data, dict) or data.get("kind") != PLANFILE_KIND:
        raise StateError(f"{path}: not a zsync plan file.", hint="Make one with `zsync plan -out FILE`.")
    if str(data.get("format_version")) != PLANFILE_FORMAT_VERSION:
        raise StateError(
            f"{path}: plan file format_version {data.get('format_version')!r} is not "
            f"supported (this zsync reads {PLANFILE_FORMAT_VERSION}).",
            hint="Make the plan again with this zsync.",
        )
    damaged_hint = "Make a new one with `zsync plan -out FILE`; plan files are not meant to be edited."
    try:
        plan = plan_from_dict(data["plan"])
        targets = _expect(data.get("targets") or [], list, "targets")
        if not all(isinstance(target, str) for target in targets):
            raise ValueError("targets must be a list of dataset keys")
        server = _expect(data.get("server") or plan.server, str, "server")
    except StateError as exc:  # the JSON form's own checks: say which file they are about
        raise StateError(f"{path}: {exc.message}", hint=exc.hint or damaged_hint) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StateError(f"{path}: the saved plan is damaged ({exc}).", hint=damaged_hint) from None
    plan.server = server
    return plan, targets


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{where} must be a JSON {'object' if kind is dict else kind.__name__}")
    return value


def check_not_stale(saved: Plan, fresh: Plan) -> None:
    """Refuse a saved plan if the manifests, the files or the server moved since it was made."""
    if not same_server(saved.server, fresh.server):
        raise StalePlanError(
            f"The saved plan was made for {saved.server}, not {fresh.server}.",
            hint="Apply it against the same server, or make a new plan.",
        )
    fresh_by_key = {change.key: change for change in fresh.changes}
    for change in saved.changes:
        now = fresh_by_key.pop(change.key, None)
        if now is None:
            raise _stale(change.key, "it is no longer part of the plan (manifest or lock entry removed)")
        moved = _what_moved(change.basis, now.basis)
        if moved:
            raise _stale(change.key, moved)
        if now.action != change.action:
            raise _stale(change.key, f"it would now be `{now.action.value}`, not `{change.action.value}`")
        if now.adopt != change.adopt:
            raise _stale(change.key, "whether it adopts a record found by its marker alone changed")
    added = [c.key for c in fresh_by_key.values() if c.action.family != "no-op"]
    if added and not saved.targeted:
        raise _stale(added[0], "it has a change now that the saved plan does not include")


def already_applied(saved: Plan, fresh: Plan) -> bool:
    """Was the saved plan carried out already? Then the server is in the plan's end state.

    True when the saved plan changes something, and now, against the very manifests and files
    it was made from, every change it holds has nothing left to do (a forget has left the
    plan) and nothing else would change. Applying it again would be refused as stale, because
    the records moved, but they moved to where the plan was taking them.
    """
    if not saved.has_changes:
        return False
    fresh_by_key = {change.key: change for change in fresh.changes}
    for change in saved.changes:
        now = fresh_by_key.pop(change.key, None)
        if now is None:
            if change.action.family == "forget":
                continue
            return False
        if now.action.family != "no-op" or now.adopt is not None:  # an adoption still needs doing
            return False
        if _what_moved_locally(change.basis, now.basis):
            return False
    return saved.targeted or not any(
        c.action.family != "no-op" or c.adopt is not None for c in fresh_by_key.values()
    )


def _stale(key: str, why: str) -> StalePlanError:
    return StalePlanError(
        f"Saved plan is stale for dataset {key}: {why}.",
        hint="Run `zsync plan -out FILE` again, review it, and apply the new plan.",
    )


def _what_moved(before: dict[str, Any], after: dict[str, Any]) -> str:
    moved = _what_moved_locally(before, after)
    if moved:
        return moved
    old_remote, new_remote = before.get("remote") or {}, after.get("remote") or {}
    if old_remote != new_remote:
        for field, label in (
            ("latest_id", "latest version"),
            ("latest_modified", "record"),
            ("draft_id", "open draft"),
            ("draft_modified", "open draft"),
            ("concept_id", "concept"),
        ):
            if old_remote.get(field) != new_remote.get(field):
                return (
                    f"the {label} on the server changed since the plan was made "
                    f"({field}: {old_remote.get(field)} -> {new_remote.get(field)})"
                )
    return ""


def _what_moved_locally(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed in the repository (the manifest, its files) between two bases; "" if nothing."""
    if before.get("manifest") != after.get("manifest"):
        return "its manifest changed since the plan was made"
    old_files, new_files = before.get("files") or {}, after.get("files") or {}
    if old_files != new_files:
        names = sorted(n for n in set(old_files) | set(new_files) if old_files.get(n) != new_files.get(n))
        return "files changed since the plan was made: " + ", ".join(names)
    return ""
