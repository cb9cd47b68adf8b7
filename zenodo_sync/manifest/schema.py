"""Shape checks with JSON Schema, each error turned into a Finding at the right line:column.

jsonschema reports *where in the data* (a path) and *which schema keyword* failed; the
YAML document knows where each path was written. Messages are rewritten for people who
write YAML (mapping/list, not object/array) and carry "did you mean" suggestions; a key
the schema knows at an enclosing level, or at one single place further in (`files:` indented
under `metadata:`, `title:` at the top), is reported as misplaced, with where it belongs.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from zenodo_sync.manifest import schema_source
from zenodo_sync.manifest.findings import ERROR, Finding
from zenodo_sync.manifest.yamlsource import YamlDocument, pointer_join

LIST_ALLOWED_UP_TO = 12  # longer enums/key lists get suggestions instead of the whole list

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "empty",
}


@functools.cache
def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    manifest = schema_source.manifest_schema()
    zsync = schema_source.zsync_schema()
    registry: Registry = Registry().with_resources(
        [
            (manifest["$id"], Resource.from_contents(manifest)),
            (zsync["$id"], Resource.from_contents(zsync)),
        ]
    )
    return {
        name: jsonschema.Draft202012Validator(schema, registry=registry)
        for name, schema in (("manifest", manifest), ("zsync", zsync))
    }


Place = tuple[str, ...]  # property names from the document's top; "*" stands for a list entry


@functools.cache
def _key_homes(kind: str) -> dict[str, tuple[Place, ...]]:
    """Every key schema `kind` knows -> the places where it may be written."""
    documents = {
        "manifest.schema.json": schema_source.manifest_schema(),
        "zsync.schema.json": schema_source.zsync_schema(),
    }
    homes: dict[str, list[Place]] = {}

    def walk(node: Any, place: Place, document: dict[str, Any], depth: int) -> None:
        if not isinstance(node, dict) or depth > 32:
            return
        if "$ref" in node:
            name, _, fragment = node["$ref"].partition("#")
            target = documents.get(name.rsplit("/", 1)[-1], document) if name else document
            resolved: Any = target
            for token in fragment.strip("/").split("/") if fragment.strip("/") else []:
                resolved = resolved[token]
            walk(resolved, place, target, depth + 1)
        for key, sub in node.get("properties", {}).items():
            if place not in homes.setdefault(key, []):
                homes[key].append(place)
            walk(sub, (*place, key), document, depth + 1)
        walk(node.get("items"), (*place, "*"), document, depth + 1)
        for combined in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(combined, []):
                walk(sub, place, document, depth + 1)

    root = documents[f"{kind}.schema.json"]
    walk(root, (), root, 0)
    return {key: tuple(places) for key, places in homes.items()}


def _place_of(path: Iterable[Any]) -> Place:
    return tuple("*" if isinstance(token, int) else str(token) for token in path)


def _place_text(place: Place) -> str:
    if not place:
        return "at the top level"
    if place[-1] == "*":
        return f"in each entry of `{'.'.join(part for part in place[:-1] if part != '*')}`"
    return f"under `{'.'.join(part for part in place if part != '*')}`"


def _misplaced_homes(kind: str, key: str, here: Place) -> list[Place]:
    """Where `key`, unknown at `here`, belongs when it is a known key written at the wrong depth:
    the enclosing levels that know it, else the one place further in that does (several would
    be a guess: `name` under `metadata` could be a creator's or a contributor's)."""
    homes = [home for home in _key_homes(kind).get(key, ()) if home != here]
    outer = [home for home in homes if here[: len(home)] == home]
    inner = [home for home in homes if home[: len(here)] == here]
    return outer or (inner if len(inner) == 1 else [])


def check(
    kind: str, document: YamlDocument, display: str, data: Any = None, locate: Any = None
) -> list[Finding]:
    """Validate `data` (default: the document's data) against schema `kind` ("manifest"|"zsync").

    `locate(pointer, at_key) -> (file, line, column)` overrides where a finding points (used
    when values came from zsync.yaml defaults); by default positions come from `document`.
    """
    instance = document.data if data is None else data

    def where(pointer: str, at_key: bool) -> tuple[str, int, int]:
        if locate is not None:
            return locate(pointer, at_key)
        line, column = document.key_position(pointer) if at_key else document.value_position(pointer)
        return display, line, column

    findings: list[Finding] = []
    for error in _validators()[kind].iter_errors(instance):
        findings.extend(_findings_for(_deepest(error), where, document.raw_scalars, kind))
    return findings


def _deepest(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf, the error from the branch the user most likely meant (jsonschema's best_match
    prefers branches whose type matches the value), unless every branch failed on its type."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        # Branches that failed on the value's type are not what the user meant.
        relevant = [
            sub
            for sub in error.context
            if not (sub.validator == "type" and len(sub.absolute_path) == len(error.absolute_path))
        ]
        if not relevant:
            return error
        candidate = best_match(relevant)
        if candidate is None or (
            candidate.validator == "required"
            and error.schema.get("x-zsync-message")
            and len(error.absolute_path) == len(candidate.absolute_path)
        ):
            return error
        error = candidate
    return error


def _pointer(path: Iterable[Any]) -> str:
    pointer = ""
    for token in path:
        pointer = pointer_join(pointer, token)
    return pointer


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _field_name(pointer: str) -> str:
    parts = [part for part in pointer.split("/") if part and not part.isdigit()]
    return parts[-1] if parts else "document"


def suggestion(value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    lowered = {choice.lower(): choice for choice in choices}
    if value.lower() in lowered:
        return f"; did you mean `{lowered[value.lower()]}`? (case matters)"
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if not close:
        close = [lowered[m] for m in difflib.get_close_matches(value.lower(), list(lowered), n=3, cutoff=0.6)]
    return f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""


def _allowed(choices: list[str]) -> str:
    if len(choices) <= LIST_ALLOWED_UP_TO:
        return f" (allowed: {', '.join(choices)})"
    return ""


def _type_message(error: ValidationError, raw: str | None) -> str:
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    wanted = " or ".join(_TYPE_NAMES.get(name, name) for name in expected)
    got = error.instance
    got_name = (
        "a mapping"
        if isinstance(got, dict)
        else "a list"
        if isinstance(got, list)
        else "true/false"
        if isinstance(got, bool)
        else "empty"
        if got is None
        else "a number"
        if isinstance(got, (int, float))
        else "text"
    )
    message = f"expected {wanted}, got {got_name}"
    if "string" in expected and isinstance(got, (int, float)) and not isinstance(got, bool):
        written = raw if raw is not None else _show(got)
        read = f"is read as the number {got}" if written != str(got) else "is a number"
        message = f'expected text, but `{written}` {read}; put it in quotes: "{written}"'
    elif "array" in expected and not isinstance(got, list):
        message += "; write one entry per line starting with `- `"
    return message


def _findings_for(
    error: ValidationError, where: Any, raw_scalars: dict[str, str] | None, kind_of_schema: str = "manifest"
) -> list[Finding]:
    pointer = _pointer(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    rule = schema.get("x-zsync-rule")
    custom = schema.get("x-zsync-message")
    kind = error.validator

    def finding(message: str, at: str, rule_id: str, at_key: bool = False) -> Finding:
        file, line, column = where(at, at_key)
        return Finding(file, line, column, ERROR, message, at, rule_id)

    if kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        extras = [key for key in error.instance if key not in known]
        scope = "top-level key" if not pointer else f"key in {_field_name(pointer)}"
        here = _place_of(error.absolute_path)
        found = []
        for key in extras:
            homes = _misplaced_homes(kind_of_schema, key, here) if isinstance(key, str) else []
            if homes:
                # Usually an indentation slip: say where the key goes instead of guessing a spelling.
                message = (
                    f"`{key}` is misplaced: it belongs {' or '.join(_place_text(home) for home in homes)}, "
                    f"not {_place_text(here)}; check its indentation"
                )
                rule_id = "schema-misplaced-key"
            else:
                message = f"unknown {scope} `{key}`{suggestion(key, known)}{_allowed(known)}"
                rule_id = "schema-unknown-key"
            found.append(finding(message, pointer_join(pointer, key), rule_id, at_key=True))
        return found
    if kind == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        if rule and "x-zsync-at" in schema:
            anchor = pointer + schema["x-zsync-at"]
            return [finding(custom or f"missing `{missing[0]}`", anchor, rule)]
        owner = f"`{_field_name(pointer)}`" if pointer else "the manifest"
        return [
            finding(
                f"{owner} is missing required key `{key}`", pointer, rule or "schema-required", at_key=True
            )
            for key in missing
        ]
    if kind == "type":
        raw = raw_scalars.get(pointer) if raw_scalars else None
        return [finding(f"{_field_name(pointer)}: {_type_message(error, raw)}", pointer, "schema-type")]
    if kind == "enum":
        choices = [str(choice) for choice in error.validator_value]
        value = _show(error.instance)
        hint = suggestion(value, choices) if isinstance(error.instance, str) else ""
        return [
            finding(
                f"`{value}` is not a known {_field_name(pointer)}{hint}{_allowed(choices)}",
                pointer,
                rule or "schema-enum",
            )
        ]
    if custom:
        shown = "" if isinstance(error.instance, (dict, list)) else f" `{_show(error.instance)}`"
        return [finding(f"{_field_name(pointer)}{shown} {custom}", pointer, rule or f"schema-{kind.lower()}")]
    messages = {
        "minLength": lambda: (
            f"{_field_name(pointer)} must be at least {error.validator_value} characters long"
        ),
        "maxLength": lambda: (
            f"{_field_name(pointer)} must be at most {error.validator_value} characters long"
        ),
        "minItems": lambda: (
            f"{_field_name(pointer)} needs at least {error.validator_value} "
            f"entr{'y' if error.validator_value == 1 else 'ies'}"
        ),
        "minimum": lambda: f"{_field_name(pointer)} must be at least {error.validator_value}",
        "maximum": lambda: f"{_field_name(pointer)} must be at most {error.validator_value}",
        "pattern": lambda: (
            f"{_field_name(pointer)} `{_show(error.instance)}` does not have the expected form"
        ),
    }
    build = messages.get(kind, lambda: f"{_field_name(pointer)}: {error.message}")
    return [finding(build(), pointer, rule or f"schema-{kind.lower()}")]
