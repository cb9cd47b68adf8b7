"""A manifest written out as `.zenodo.json` or `CITATION.cff`, for Zenodo's GitHub integration
and GitHub's "Cite this repository" (`zsync export`).

`.zenodo.json` is the deposit-API metadata itself, so it carries every field. A CITATION.cff
carries only what Zenodo reads from one (citation_cff.py, §10.2), plus the CFF keys people
cite with (`type`, `version`, `date-released`); `cff_export` names the fields it leaves out.
Values still holding a release placeholder are left out: the release fills them in.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from zenodo_sync.manifest.citation_cff import CFF_VERSION, DEFAULT_MESSAGE, FIELD_SOURCES
from zenodo_sync.manifest.placeholders import has_placeholders
from zenodo_sync.zenodo.identifiers import strip_orcid_url

ORCID_URL = "https://orcid.org/"
CFF_TYPES = {"software": "software", "dataset": "dataset"}  # CFF knows no other types


def _without_placeholders(metadata: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in metadata.items() if not has_placeholders(value)}


def zenodo_json_export(metadata: dict[str, Any]) -> str:
    """`.zenodo.json`: the metadata as sent to the deposit API, as pretty JSON."""
    return json.dumps(_without_placeholders(metadata), indent=2, ensure_ascii=False) + "\n"


def cff_export(metadata: dict[str, Any], license_as_written: str | None = None) -> tuple[str, list[str]]:
    """CITATION.cff text for `metadata`, and the metadata fields it cannot carry."""
    metadata = _without_placeholders(metadata)
    cff: dict[str, Any] = {
        "cff-version": CFF_VERSION,
        "message": metadata.get("notes") or DEFAULT_MESSAGE,
        "title": metadata.get("title", ""),
    }
    if metadata.get("upload_type") in CFF_TYPES:
        cff["type"] = CFF_TYPES[metadata["upload_type"]]
    cff["authors"] = [_author(creator) for creator in metadata.get("creators") or []]
    if metadata.get("description"):
        cff["abstract"] = metadata["description"]
    if metadata.get("keywords"):
        cff["keywords"] = list(metadata["keywords"])
    if metadata.get("license"):
        cff["license"] = license_as_written or metadata["license"]
    if metadata.get("version"):
        cff["version"] = str(metadata["version"])
    if isinstance(metadata.get("publication_date"), str) and len(metadata["publication_date"]) == 10:
        cff["date-released"] = metadata["publication_date"]
    carried = {*FIELD_SOURCES, "upload_type", "version", "publication_date"}
    left_out = sorted(key for key in metadata if key not in carried)
    text = yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=100)
    return text, left_out


def _author(creator: dict[str, Any]) -> dict[str, Any]:
    name = str(creator.get("name", ""))
    family, comma, given = name.partition(",")
    author: dict[str, Any] = (
        {"family-names": family.strip(), "given-names": given.strip()}
        if comma and given.strip()
        else {"name": name}
    )
    if creator.get("affiliation"):
        author["affiliation"] = creator["affiliation"]
    if creator.get("orcid"):
        author["orcid"] = ORCID_URL + strip_orcid_url(str(creator["orcid"]))
    return author
