"""The JSON Schemas (draft 2020-12) of a manifest and of zsync.yaml, built from vocabulary.py.

One source of truth: the validator uses these dicts directly (so an installed package
needs no data file), and `schemas/*.json` in the repository, which editors load through
`# yaml-language-server: $schema=...`, are written from them:

    python -m zenodo_sync.manifest.schema_source      # rewrite schemas/*.json

tests/manifest/test_schema_files.py fails when the committed files are out of date.

Keys starting with `x-zsync-` are annotations for zsync's error messages (rule id,
message, where to point); JSON Schema validators ignore unknown keywords.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from zenodo_sync.atomicfile import write_atomic
from zenodo_sync.zenodo import vocabulary as vocab
from zenodo_sync.zenodo.fields import PUBLICATION_DETAIL_FIELDS
from zenodo_sync.zenodo.rdm_mapping import BACKENDS as BACKEND_NAMES

# The related identifier zsync adds to every record it makes (engine/identity.py); a manifest
# may not write one itself, so the validator reads the prefix from here too.
MARKER_PREFIX = "urn:zsync:"
# zsync.yaml `namespace`: no ":", so the marker `urn:zsync:<namespace>:<key>` splits one way.
NAMESPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

SCHEMA_BASE_URL = "https://raw.githubusercontent.com/zsync-zenodo/zsync/main/schemas/"
MANIFEST_SCHEMA_ID = SCHEMA_BASE_URL + "manifest.schema.json"
ZSYNC_SCHEMA_ID = SCHEMA_BASE_URL + "zsync.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Shapes only; semantic.py checks that a date exists and an ORCID's check digit.
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DOI_PATTERN = r"^10\.[0-9]{4,9}/\S+$"
ORCID_PATTERN = r"^(https?://orcid\.org/)?[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"
COMMUNITY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
GRANT_PATTERN = r"^(10\.13039/[0-9A-Za-z]+::\S.*|[^:\s]+)$"
_SLUG = {
    "x-zsync-rule": "community-slug",
    "x-zsync-message": "is not a community slug (lower-case letters, digits, - and _, e.g. `zenodo`)",
}
_GRANT = {
    "x-zsync-rule": "grant-format",
    "x-zsync-message": "is not a grant id (`10.13039/<funder>::<award>`, or a bare European "
    "Commission award number)",
}
MD5_PATTERN = r"^(md5:)?[0-9A-Fa-f]{32}$"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$"


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _html(description: str) -> dict[str, Any]:
    # Zenodo stores additional descriptions of at least 3 characters (docs/zenodo-behaviour.md §3.10).
    return _text(description, minLength=3)


def _date(description: str, pattern: str = DATE_PATTERN) -> dict[str, Any]:
    return _text(
        description,
        pattern=pattern,
        **{
            "x-zsync-rule": "date-format",
            "x-zsync-message": "must be a date written YYYY-MM-DD (quotes are not needed)",
        },
    )


def _person(description: str, *, with_type: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": _text("`Family, Given` (one comma splits family and given name on Zenodo).", minLength=1),
        "affiliation": {"type": ["string", "null"], "description": "Only the first affiliation is kept."},
        "orcid": _text(
            "ORCID iD, bare (0000-0002-1825-0097) or as an https://orcid.org/ URL.",
            pattern=ORCID_PATTERN,
            **{
                "x-zsync-rule": "orcid-format",
                "x-zsync-message": "is not an ORCID iD (0000-0002-1825-0097 or "
                "https://orcid.org/0000-0002-1825-0097)",
            },
        ),
        "gnd": _text("GND identifier.", minLength=1),
    }
    required = ["name"]
    if with_type:
        properties["type"] = {"enum": list(vocab.CONTRIBUTOR_TYPES), "description": "Contributor role."}
        required.append("type")  # RDM refuses to publish a contributor without a role (§3.10)
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _resource_types() -> list[str]:
    types = list(vocab.UPLOAD_TYPES)
    types += [f"publication-{sub}" for sub in vocab.PUBLICATION_TYPES if sub != "thesis"]
    types += [f"image-{sub}" for sub in vocab.IMAGE_TYPES]
    return types


def metadata_properties() -> dict[str, Any]:
    """Every field of the deposit API's metadata (docs/zenodo-behaviour.md §3.10), with zsync's shorthands."""
    text = _text
    creators = {"type": "array", "minItems": 1, "items": _person("A creator.", with_type=False)}
    return {
        "upload_type": {"enum": list(vocab.UPLOAD_TYPES), "description": "Zenodo resource type."},
        "publication_type": {
            "enum": list(vocab.PUBLICATION_TYPES),
            "description": "Required when upload_type is publication.",
        },
        "image_type": {"enum": list(vocab.IMAGE_TYPES), "description": "Required when upload_type is image."},
        "publication_date": _date("Publication date; Zenodo uses today when it is omitted."),
        "title": text("Title (at least 3 characters).", minLength=3),
        "creators": creators,
        "contributors": {"type": "array", "items": _person("A contributor.", with_type=True)},
        "thesis_supervisors": {"type": "array", "items": _person("A supervisor.", with_type=False)},
        "thesis_university": text("University of a thesis."),
        "description": text("Abstract; HTML unless the manifest sets description_format.", minLength=3),
        "notes": _html("Additional notes (HTML)."),
        "method": _html("Methods (HTML)."),
        "access_right": {"enum": list(vocab.ACCESS_RIGHTS), "description": "Default: open."},
        "license": {
            "description": "License id (`cc-by-4.0`) or `{id: CC-BY-4.0}`; case-insensitive.",
            "anyOf": [
                text("License id.", minLength=1),
                {
                    "type": "object",
                    "properties": {"id": text("License id.", minLength=1)},
                    "required": ["id"],
                    "additionalProperties": False,
                },
            ],
            "x-zsync-message": "must be a license id such as `cc-by-4.0`, or a mapping `{id: cc-by-4.0}`",
        },
        "embargo_date": _date("Day the embargo ends (YYYY-MM-DD); required when embargoed.", DAY_PATTERN),
        "access_conditions": _html(
            "Conditions for access; required when restricted. Note: Zenodo's "
            "deposit API currently drops this field."
        ),
        "doi": text(
            "An existing DOI for this upload (leave out to get a Zenodo DOI).",
            pattern=DOI_PATTERN,
            **{
                "x-zsync-rule": "doi-syntax",
                "x-zsync-message": "is not a DOI (10.<registrant>/<suffix>, without https://doi.org/)",
            },
        ),
        "prereserve_doi": {"type": "boolean", "description": "Accepted and ignored by Zenodo."},
        "keywords": {"type": "array", "items": text("A keyword.", minLength=1)},
        "subjects": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["term", "identifier"],
                "properties": {
                    "term": text("Subject term.", minLength=1),
                    "identifier": text("Identifier of the term.", minLength=1),
                    "scheme": text("Scheme of the identifier."),
                },
            },
        },
        "related_identifiers": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["identifier", "relation"],
                "properties": {
                    "identifier": text("DOI, URL, arXiv id, handle, ...", minLength=1),
                    "relation": {"enum": list(vocab.RELATION_TYPES)},
                    "resource_type": {"enum": _resource_types()},
                    "scheme": {
                        "enum": list(vocab.IDENTIFIER_SCHEMES),
                        "description": "Ignored by Zenodo, which detects the scheme itself.",
                    },
                },
            },
        },
        "references": {"type": "array", "items": text("A reference, as free text.", minLength=1)},
        "communities": {
            "type": "array",
            "items": {
                "description": "Community slug (`zenodo`) or `{identifier: zenodo}`.",
                "anyOf": [
                    text("Community slug.", pattern=COMMUNITY_PATTERN, **_SLUG),
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["identifier"],
                        "properties": {
                            "identifier": text("Community slug.", pattern=COMMUNITY_PATTERN, **_SLUG)
                        },
                    },
                ],
                "x-zsync-message": "must be a community slug (lower-case letters, digits, - and _) "
                "or a mapping `{identifier: slug}`",
            },
        },
        "grants": {
            "type": "array",
            "items": {
                "description": "`<funder DOI>::<award number>` (or a bare EC award number), or `{id: ...}`.",
                "anyOf": [
                    text("Grant id.", pattern=GRANT_PATTERN, **_GRANT),
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id"],
                        "properties": {"id": text("Grant id.", pattern=GRANT_PATTERN, **_GRANT)},
                    },
                ],
                "x-zsync-message": "must be a grant id `10.13039/<funder>::<award>` (or a bare European "
                "Commission award number), or a mapping `{id: ...}`",
            },
        },
        **{name: text(name.replace("_", " ").capitalize() + ".") for name in PUBLICATION_DETAIL_FIELDS},
        "conference_url": text("Conference website.", pattern=r"^https?://\S+$"),
        "version": text("Version of the data (e.g. 1.2.0); quote numbers.", minLength=1, maxLength=191),
        "language": text(
            "ISO 639 language code (eng, or en).",
            pattern=r"^[a-z]{2,3}$",
            **{
                "x-zsync-rule": "language-unknown",
                "x-zsync-message": "must be an ISO 639 code of 2 or 3 lower-case letters, such as eng or en",
            },
        ),
        "locations": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["place"],
                "properties": {
                    "place": text("Place name.", minLength=1),
                    "lat": {"type": "number", "minimum": -90, "maximum": 90},
                    "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    "description": text("About the place."),
                },
            },
        },
        "dates": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type"],
                "anyOf": [{"required": ["start"]}, {"required": ["end"]}],
                "x-zsync-message": "needs a `start` or an `end` date (or both)",
                "properties": {
                    "start": _date("Start date."),
                    "end": _date("End date."),
                    "type": {"enum": [*vocab.DATE_TYPES, *(t.capitalize() for t in vocab.DATE_TYPES)]},
                    "description": text("About the date."),
                },
            },
        },
        "custom": {"type": "object", "description": "Zenodo custom fields (dwc:*, ac:*, code:*, ...)."},
    }


def _requires(field: str, rule: str, at: str, message: str) -> dict[str, Any]:
    return {"required": [field], "x-zsync-rule": rule, "x-zsync-at": at, "x-zsync-message": message}


def _metadata_conditions() -> list[dict[str, Any]]:
    """Requirements that depend on another field (docs/zenodo-behaviour.md §3.6, §3.9, §3.10)."""

    def when(field: str, values: list[str]) -> dict[str, Any]:
        return {"properties": {field: {"enum": values}}, "required": [field]}

    return [
        {
            "if": when("upload_type", ["publication"]),
            "then": _requires(
                "publication_type",
                "publication-type-required",
                "/upload_type",
                "upload_type publication needs a publication_type",
            ),
        },
        {
            "if": when("upload_type", ["image"]),
            "then": _requires(
                "image_type", "image-type-required", "/upload_type", "upload_type image needs an image_type"
            ),
        },
        # access_right absent means open (Zenodo's default).
        {
            "if": when("access_right", ["restricted", "closed"]),
            "else": _requires(
                "license",
                "license-required",
                "/access_right",
                "open and embargoed uploads need a license (Zenodo would pick one for you)",
            ),
        },
        {
            "if": when("access_right", ["embargoed"]),
            "then": _requires(
                "embargo_date",
                "embargo-date-required",
                "/access_right",
                "access_right embargoed needs an embargo_date",
            ),
        },
        {
            "if": when("access_right", ["restricted"]),
            "then": _requires(
                "access_conditions",
                "access-conditions-required",
                "/access_right",
                "access_right restricted needs access_conditions",
            ),
        },
    ]


def _remote_file() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A file kept on the server, not in git: zsync never uploads nor deletes it, "
        "and the server's copy must have this md5.",
        "additionalProperties": False,
        "required": ["name", "md5"],
        "properties": {
            "name": _text("The file's name on Zenodo, exactly.", minLength=1),
            "md5": _text(
                "The md5 of the server's file (32 hex digits).",
                pattern=MD5_PATTERN,
                **{
                    "x-zsync-rule": "md5-format",
                    "x-zsync-message": "is not an md5 checksum (32 hexadecimal digits, as Zenodo shows "
                    "it without the `md5:` prefix)",
                },
            ),
            "size": {"type": "integer", "minimum": 1, "description": "Size in bytes (optional)."},
        },
    }


def manifest_schema() -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "$id": MANIFEST_SCHEMA_ID,
        "title": "zsync manifest (v1)",
        "description": "One Zenodo dataset (a concept with all its versions).",
        "type": "object",
        "additionalProperties": False,
        "required": ["metadata"],
        "properties": {
            "id": _text(
                "Stable key of the dataset; default: the manifest path without extension.",
                pattern=KEY_PATTERN,
                **{
                    "x-zsync-message": "must be letters, digits, `.`, `_`, `-` and `/` "
                    "(not starting with a separator)"
                },
            ),
            "publish": {"type": "boolean", "description": "false: leave a reviewed draft. Default: true."},
            "description_format": {
                "enum": ["html", "markdown", "text"],
                "description": "How metadata.description is written. Default: html.",
            },
            "concept": {
                "type": ["string", "integer"],
                "description": "The existing Zenodo concept this manifest describes: its concept DOI "
                "(10.5281/zenodo.2598799), a Zenodo record URL or the concept record id. zsync then "
                "updates that record or adds versions to it, and never creates a new one.",
                "minLength": 1,
                "minimum": 1,
            },
            "files": {
                "type": "array",
                "description": "Paths or globs, relative to this manifest; or files kept on the "
                "server only, as {name, md5, size}.",
                "items": {"anyOf": [_text("Path or glob.", minLength=1), _remote_file()]},
            },
            "metadata": {"$ref": "#/$defs/metadata"},
        },
        "$defs": {
            "metadataFields": {
                "type": "object",
                "additionalProperties": False,
                "properties": metadata_properties(),
            },
            "metadata": {
                "description": "Zenodo deposit-API metadata, with Zenodo's own field names.",
                "allOf": [{"$ref": "#/$defs/metadataFields"}, *_metadata_conditions()],
                "required": ["upload_type", "title", "creators"],
            },
        },
    }


def zsync_schema() -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "$id": ZSYNC_SCHEMA_ID,
        "title": "zsync project settings (zsync.yaml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "server": _text(
                "`zenodo`, `sandbox` or an API base URL such as http://127.0.0.1:5000/api.",
                pattern=r"^(zenodo|sandbox|https?://\S+)$",
                **{
                    "x-zsync-rule": "server-format",
                    "x-zsync-message": "must be `zenodo`, `sandbox` or an http(s) URL of the API",
                },
            ),
            "datasets": _text("Glob of manifests, relative to this file. Default: datasets/**", minLength=1),
            "backend": {
                "type": "string",
                "enum": list(BACKEND_NAMES),
                "description": "The API zsync speaks: `deposit` (Zenodo's deposit API, the default) or "
                "`rdm` (the InvenioRDM API of zenodo.org or of any other InvenioRDM instance).",
                "x-zsync-rule": "backend-name",
                "x-zsync-message": "must be `deposit` or `rdm`",
            },
            "namespace": _text(
                "Marker namespace: records are marked urn:zsync:<namespace>:<key>, so two repositories "
                "sharing one Zenodo account never take each other's records. Letters, digits, . _ -",
                pattern=NAMESPACE_PATTERN,
                **{
                    "x-zsync-rule": "namespace-format",
                    "x-zsync-message": "must be 1-64 letters, digits, `.`, `_` or `-`, starting with a letter "
                    "or digit (no `:`)",
                },
            ),
            "release": {
                "type": "object",
                "description": "How `zsync release` reads release tags.",
                "additionalProperties": False,
                "properties": {
                    "tag_prefix": _text(
                        "What a tag has before the version (default `v`: tag v1.2.0 is version 1.2.0; "
                        "`rose-v1.2.0` releases the dataset rose). Empty: the tag is the version.",
                        pattern=r"^\S*$",
                    ),
                },
            },
            "defaults": {
                "$ref": "manifest.schema.json#/$defs/metadataFields",
                "description": "Metadata merged under every manifest (mappings merged, lists replaced).",
            },
        },
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


SCHEMA_FILES = {"manifest.schema.json": manifest_schema, "zsync.schema.json": zsync_schema}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "schemas"
    for name, build in SCHEMA_FILES.items():
        write_atomic(target / name, render(build()))
        print(f"wrote {target / name}")
