"""CITATION.cff as a manifest source, read the way Zenodo's GitHub integration reads it.

Zenodo takes only a few keys of a CITATION.cff (docs/zenodo-behaviour.md §10.2): `title`,
`authors` (an entity's `name`, else "family-names, given-names"; `affiliation`, `orcid`),
`abstract` (the description), `keywords`, `license` and `message` (the notes). Everything else
of the file, `version` and `doi` included, is ignored by Zenodo: the version comes from the
release tag. `cff_metadata` maps a parsed file to deposit-API metadata, and `cff_pointer`
maps a finding on that metadata back to the line of the file it came from.

Offline checks beyond the mapped metadata: the Citation File Format 1.2.0's own schema
(vendored; warnings, since Zenodo reads the keys it knows regardless), and as errors what
makes Zenodo refuse the file: an author without any name, a `license` list.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from zenodo_sync.manifest.findings import ERROR, WARNING
from zenodo_sync.manifest.placeholders import Report

CITATION_CFF = "CITATION.cff"
CFF_VERSION = "1.2.0"
DEFAULT_MESSAGE = "If you use this software, please cite it as below."

# deposit-API metadata field -> the CITATION.cff key Zenodo reads it from (§10.2)
FIELD_SOURCES = {
    "title": "title",
    "creators": "authors",
    "description": "abstract",
    "keywords": "keywords",
    "license": "license",
    "notes": "message",
}


def author_name(author: dict[str, Any]) -> str | None:
    """Zenodo's name for a CFF author: the entity `name`, else "family, given", else either part."""
    if isinstance(author.get("name"), str) and author["name"]:
        return str(author["name"])
    family, given = author.get("family-names"), author.get("given-names")
    if family and given:
        return f"{family}, {given}"
    return str(family or given) if (family or given) else None


def cff_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """The deposit-API metadata Zenodo makes of a CITATION.cff (upload type software)."""
    metadata: dict[str, Any] = {"upload_type": "software"}
    for field, key in FIELD_SOURCES.items():
        if key not in data:
            continue
        value = data[key]
        if field == "creators" and isinstance(value, list):
            value = [_creator(author) if isinstance(author, dict) else author for author in value]
        metadata[field] = value
    return metadata


def _creator(author: dict[str, Any]) -> dict[str, Any]:
    name = author_name(author)
    creator: dict[str, Any] = {"name": name} if name is not None else {}
    for key in ("affiliation", "orcid"):
        if key in author:
            creator[key] = author[key]
    return creator


def cff_pointer(pointer: str) -> str:
    """Where in the CITATION.cff a metadata pointer (`/metadata/creators/0/name`) was written."""
    parts = pointer.split("/")[2:]  # drop "" and "metadata"
    if not parts or parts[0] not in FIELD_SOURCES:
        return ""
    mapped = [FIELD_SOURCES[parts[0]], *parts[1:]]
    if parts[0] == "creators" and len(parts) > 2 and parts[2] == "name":
        mapped = mapped[:2]  # the name is made of several keys: point at the author
    return "/" + "/".join(mapped)


def check_cff(data: Any, report: Report) -> None:
    """What makes a CITATION.cff invalid, or unreadable to Zenodo, beyond the mapped metadata."""
    if not isinstance(data, dict):
        report(
            "", "cff-shape", "a CITATION.cff is a mapping of keys (cff-version, title, authors, ...)", ERROR
        )
        return
    _check_against_the_cff_schema(data, report)
    if isinstance(data.get("license"), list):
        report(
            "/license",
            "cff-license-list",
            "Zenodo reads one license id here; a list makes it reject the whole CITATION.cff "
            "(the release is not archived): keep the one the record should carry",
            ERROR,
        )
    authors = data.get("authors")
    if isinstance(authors, list):
        for index, author in enumerate(authors):
            if isinstance(author, dict) and author_name(author) is None:
                report(
                    f"/authors/{index}",
                    "cff-author-name",
                    "this author has no `family-names`, `given-names` or `name`: Zenodo needs a name",
                    ERROR,
                )


@functools.cache
def _cff_validator() -> jsonschema.Draft7Validator:
    """The Citation File Format 1.2.0's own schema, vendored (data/__init__.py says whence)."""
    text = (
        resources.files("zenodo_sync.manifest.data")
        .joinpath("cff-1.2.0.schema.json")
        .read_text(encoding="utf-8")
    )
    return jsonschema.Draft7Validator(json.loads(text))


def _check_against_the_cff_schema(data: dict[str, Any], report: Report) -> None:
    """Where the file breaks the Citation File Format 1.2.0 (GitHub's "Cite this repository"
    refuses such a file; Zenodo reads the keys it knows regardless): warnings, one per place."""
    seen: set[str] = set()
    for error in sorted(_cff_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        if error.context:  # anyOf / oneOf: the branch the writer most likely meant
            error = best_match(error.context) or error
        pointer = "".join(f"/{part}" for part in error.absolute_path)
        if pointer in seen:
            continue
        seen.add(pointer)
        example = f" (e.g. `message: {DEFAULT_MESSAGE}`)" if "'message'" in error.message else ""
        report(
            pointer,
            "cff-schema",
            f"not valid Citation File Format {CFF_VERSION}: {error.message}{example}",
            WARNING,
        )
