"""Record export formats (docs/zenodo-behaviour.md §6.7): BibTeX, CSL JSON, DataCite JSON and XML,
Dublin Core XML and schema.org JSON-LD, from a record's InvenioRDM JSON (records.rdm_record).

zenodo.org serves them two ways: ``/api/records/<id>`` with the format's media type in
``Accept``, and ``/records/<id>/export/<name>`` as a download. The emulator renders the fields
a client reads (identifiers, titles, people, dates, types, rights, subjects); the long tail of
each format (geo locations, sizes, every contributor role) is left out.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Export:
    name: str  # the /export/<name> of invenio-app-rdm's APP_RDM_RECORD_EXPORTERS
    mimetype: str
    extension: str
    render: Callable[[dict], str]


# -- helpers over the RDM record ----------------------------------------------------------------
def _meta(record: dict) -> dict:
    return record.get("metadata") or {}


def _doi(record: dict) -> str | None:
    return ((record.get("pids") or {}).get("doi") or {}).get("identifier")


def _concept_doi(record: dict) -> str | None:
    return (((record.get("parent") or {}).get("pids") or {}).get("doi") or {}).get("identifier")


def _date_parts(record: dict) -> list[int]:
    date = _meta(record).get("publication_date") or ""
    return [int(part) for part in re.findall(r"\d+", date.split("/")[0])[:3]]


def _resource_type(record: dict) -> tuple[str, str | None]:
    """('publication', 'article') from 'publication-article'."""
    type_id = (_meta(record).get("resource_type") or {}).get("id") or "other"
    kind, _, sub = type_id.partition("-")
    return kind, sub or None


def _people(record: dict) -> list[dict]:
    return [c.get("person_or_org") or {} for c in _meta(record).get("creators") or []]


def _orcid(person: dict) -> str | None:
    for identifier in person.get("identifiers") or []:
        if identifier.get("scheme") == "orcid":
            return identifier.get("identifier")
    return None


def _journal(record: dict) -> dict:
    return (record.get("custom_fields") or {}).get("journal:journal") or {}


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html or "")).strip()


def _html_url(record: dict) -> str:
    return (record.get("links") or {}).get("self_html", "")


# -- BibTeX (invenio-rdm-records bibtex/schema.py, zenodo-rdm ZenodoBibtexSerializer) ----------------
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BIBTEX_ESCAPED = "&%$_#"


def bibtex(record: dict) -> str:
    meta = _meta(record)
    parts = _date_parts(record)
    kind, sub = _resource_type(record)
    journal = _journal(record)
    doi = _doi(record)
    fields: dict[str, Any] = {
        "author": [p.get("name", "") for p in _people(record)] or None,
        "title": meta.get("title"),
        "journal": journal.get("title"),
        "volume": journal.get("volume"),
        "number": journal.get("issue"),
        "pages": journal.get("pages"),
        "month": _BIBTEX_MONTHS[parts[1] - 1] if len(parts) > 1 and 1 <= parts[1] <= 12 else None,
        "year": str(parts[0]) if parts else None,
        "publisher": meta.get("publisher"),
        "version": meta.get("version"),
        "doi": doi,
        "url": f"https://doi.org/{doi}" if doi else None,
    }
    misc = ["author", "title", "month", "year", "note", "publisher", "version", "doi", "url"]
    name, order = "misc", misc
    if (
        kind == "publication"
        and sub == "article"
        and all(fields[f] for f in ("author", "title", "journal", "year"))
    ):
        name = "article"
        order = [
            "author",
            "title",
            "journal",
            "year",
            "volume",
            "number",
            "pages",
            "month",
            "note",
            "doi",
            "url",
        ]
    elif kind in ("dataset", "software"):
        name = kind
    people = _people(record)
    first = people[0] if people else {}
    key = str(record["id"])
    if first:
        slug = re.sub(r"[^a-z0-9]+", "_", (first.get("family_name") or first.get("name", "")).lower()).strip(
            "_"
        )
        key = (
            f"{slug[:40]}_{fields['year']}_{record['id']}"
            if fields["year"]
            else f"{slug[:40]}_{record['id']}"
        )
    rows = "".join(_bibtex_row(field, fields[field]) for field in order if fields.get(field))
    escaped = "".join("\\" + char if char in _BIBTEX_ESCAPED else char for char in rows)
    return f"@{name}{{{key},\n{escaped}}}"


def _bibtex_row(field: str, value: Any) -> str:
    if field == "author":
        rest = "".join(f" and\n {'':<16} {name}" for name in value[1:])
        return f"  {field:<12} = {{{value[0]}{rest}}},\n"
    value = str(value).strip()
    if field == "month" or (field != "url" and value.isascii() and value.isdigit()):
        return f"  {field:<12} = {value},\n"
    if len(value) > 50 and field != "url":
        lines = textwrap.wrap(value, 50)
        body = f"  {field:<12} = {{{lines[0]}\n" + "".join(f" {'':<17} {line}\n" for line in lines[1:])
        return body + f" {'':<17}}},\n"
    return f"  {field:<12} = {{{value}}},\n"


# -- CSL JSON ------------------------------------------------------------------------------------------
_CSL_TYPES = {"dataset": "dataset", "software": "software", "image": "graphic", "video": "motion_picture"}
_CSL_PUBLICATION_TYPES = {
    "article": "article-journal",
    "book": "book",
    "section": "chapter",
    "report": "report",
}


def csl(record: dict) -> str:
    meta = _meta(record)
    kind, sub = _resource_type(record)
    csl_type = (
        _CSL_PUBLICATION_TYPES.get(sub or "", "article")
        if kind == "publication"
        else _CSL_TYPES.get(kind, "article")
    )
    body: dict[str, Any] = {"id": str(record["id"]), "type": csl_type, "title": meta.get("title", "")}
    authors = []
    for person in _people(record):
        if person.get("given_name") and person.get("family_name"):
            authors.append({"family": person["family_name"], "given": person["given_name"]})
        else:
            authors.append({"family": person.get("family_name") or person.get("name", "")})
    body["author"] = authors
    if parts := _date_parts(record):
        # Strings, zero-padded as written, as IRR's CSL schema dumps them.
        date = (meta.get("publication_date") or "").split("/")[0]
        body["issued"] = {"date-parts": [date.split("-")[: len(parts)]]}
    if meta.get("description"):
        body["abstract"] = _plain(meta["description"])  # CSL has no markup
    if doi := _doi(record):
        body["DOI"] = doi
    journal = _journal(record)
    for source, target in (
        ("title", "container-title"),
        ("volume", "volume"),
        ("issue", "issue"),
        ("pages", "page"),
    ):
        if journal.get(source):
            body[target] = journal[source]
    if meta.get("publisher"):
        body["publisher"] = meta["publisher"]
    if meta.get("version"):
        body["version"] = meta["version"]
    if meta.get("languages"):
        body["language"] = meta["languages"][0].get("id")
    return json.dumps(body, indent=2, sort_keys=True)


# -- DataCite (kernel 4.3, invenio-rdm-records datacite serializers) ------------------------------------
_GENERAL_TYPES = {
    "dataset": "Dataset",
    "software": "Software",
    "image": "Image",
    "video": "Audiovisual",
    "poster": "Text",
    "presentation": "Text",
    "lesson": "Text",
    "physicalobject": "PhysicalObject",
    "workflow": "Workflow",
    "model": "Model",
    "event": "Event",
}


def datacite_dict(record: dict) -> dict:
    meta = _meta(record)
    kind, sub = _resource_type(record)
    title_of_type = (meta.get("resource_type") or {}).get("title", {}).get("en", "")
    general = (
        "JournalArticle"
        if (kind, sub) == ("publication", "article")
        else _GENERAL_TYPES.get(kind, "Text" if kind == "publication" else "Other")
    )
    creators = []
    for person in _people(record):
        entry: dict[str, Any] = {
            "name": person.get("name", ""),
            "nameType": "Personal" if person.get("type") == "personal" else "Organizational",
        }
        if person.get("given_name"):
            entry["givenName"] = person["given_name"]
        if person.get("family_name"):
            entry["familyName"] = person["family_name"]
        if orcid := _orcid(person):
            entry["nameIdentifiers"] = [
                {"nameIdentifier": orcid, "nameIdentifierScheme": "ORCID", "schemeUri": "https://orcid.org/"}
            ]
        creators.append(entry)
    for creator, source in zip(creators, meta.get("creators") or [], strict=False):
        if source.get("affiliations"):
            creator["affiliation"] = [{"name": a.get("name", "")} for a in source["affiliations"]]
    parts = _date_parts(record)
    body: dict[str, Any] = {
        "types": {"resourceTypeGeneral": general, "resourceType": title_of_type},
        "creators": creators,
        "titles": [{"title": meta.get("title", "")}],
        "publisher": meta.get("publisher") or "Zenodo",
        "publicationYear": str(parts[0]) if parts else "",
        "subjects": [{"subject": s.get("subject", "")} for s in meta.get("subjects") or []],
        "dates": [{"date": meta["publication_date"], "dateType": "Issued"}]
        if meta.get("publication_date")
        else [],
        "identifiers": [],
        "relatedIdentifiers": [],
        "rightsList": [
            {
                "rights": r.get("title", {}).get("en") or r.get("id", ""),
                "rightsIdentifier": r.get("id", ""),
                "rightsIdentifierScheme": "spdx",
            }
            for r in meta.get("rights") or []
        ],
        "descriptions": [{"description": meta["description"], "descriptionType": "Abstract"}]
        if meta.get("description")
        else [],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    if doi := _doi(record):
        body["doi"] = doi
        body["identifiers"].append({"identifier": f"https://doi.org/{doi}", "identifierType": "URL"})
        body["identifiers"].append({"identifier": doi, "identifierType": "DOI"})
    if meta.get("languages"):
        body["language"] = meta["languages"][0].get("id")
    if meta.get("version"):
        body["version"] = meta["version"]
    for related in meta.get("related_identifiers") or []:
        relation = (related.get("relation_type") or {}).get("id", "")
        body["relatedIdentifiers"].append(
            {
                "relatedIdentifier": related.get("identifier", ""),
                "relatedIdentifierType": _datacite_scheme(related.get("scheme", "")),
                "relationType": _datacite_relation(relation),
            }
        )
    if concept := _concept_doi(record):
        body["relatedIdentifiers"].append(
            {"relatedIdentifier": concept, "relatedIdentifierType": "DOI", "relationType": "IsVersionOf"}
        )
    return body


def _datacite_scheme(scheme: str) -> str:
    return {
        "doi": "DOI",
        "url": "URL",
        "arxiv": "arXiv",
        "isbn": "ISBN",
        "handle": "Handle",
        "pmid": "PMID",
    }.get(scheme, scheme.upper())


def _datacite_relation(relation_id: str) -> str:
    # Vocabulary ids are DataCite's relation types in lower case ("issupplementto").
    known = [
        "IsCitedBy",
        "Cites",
        "IsSupplementTo",
        "IsSupplementedBy",
        "IsContinuedBy",
        "Continues",
        "IsDescribedBy",
        "Describes",
        "HasMetadata",
        "IsMetadataFor",
        "HasVersion",
        "IsVersionOf",
        "IsNewVersionOf",
        "IsPreviousVersionOf",
        "IsPartOf",
        "HasPart",
        "IsReferencedBy",
        "References",
        "IsDocumentedBy",
        "Documents",
        "IsCompiledBy",
        "Compiles",
        "IsVariantFormOf",
        "IsOriginalFormOf",
        "IsIdenticalTo",
        "IsReviewedBy",
        "Reviews",
        "IsDerivedFrom",
        "IsSourceOf",
        "IsRequiredBy",
        "Requires",
        "IsObsoletedBy",
        "Obsoletes",
        "IsPublishedIn",
        "IsCollectedBy",
        "Collects",
    ]
    return next((name for name in known if name.lower() == relation_id), relation_id)


def datacite_json(record: dict) -> str:
    return json.dumps(datacite_dict(record), indent=2, sort_keys=True)


DATACITE_NS = "http://datacite.org/schema/kernel-4"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def datacite_xml(record: dict) -> str:
    data = datacite_dict(record)
    ET.register_namespace("", DATACITE_NS)
    ET.register_namespace("xsi", XSI_NS)
    q = lambda tag: f"{{{DATACITE_NS}}}{tag}"  # noqa: E731 - a local shorthand
    root = ET.Element(
        q("resource"),
        {
            f"{{{XSI_NS}}}schemaLocation": f"{DATACITE_NS} http://schema.datacite.org/meta/kernel-4.3/metadata.xsd"
        },
    )
    if data.get("doi"):
        ET.SubElement(root, q("identifier"), identifierType="DOI").text = data["doi"]
    creators = ET.SubElement(root, q("creators"))
    for creator in data["creators"]:
        node = ET.SubElement(creators, q("creator"))
        ET.SubElement(node, q("creatorName"), nameType=creator["nameType"]).text = creator["name"]
        for tag, key in (("givenName", "givenName"), ("familyName", "familyName")):
            if creator.get(key):
                ET.SubElement(node, q(tag)).text = creator[key]
        for identifier in creator.get("nameIdentifiers", []):
            ET.SubElement(
                node, q("nameIdentifier"), nameIdentifierScheme="ORCID", schemeURI="http://orcid.org/"
            ).text = identifier["nameIdentifier"]
        for affiliation in creator.get("affiliation", []):
            ET.SubElement(node, q("affiliation")).text = affiliation["name"]
    titles = ET.SubElement(root, q("titles"))
    for title in data["titles"]:
        ET.SubElement(titles, q("title")).text = title["title"]
    ET.SubElement(root, q("publisher")).text = data["publisher"]
    ET.SubElement(root, q("publicationYear")).text = data["publicationYear"]
    if data["subjects"]:
        subjects = ET.SubElement(root, q("subjects"))
        for subject in data["subjects"]:
            ET.SubElement(subjects, q("subject")).text = subject["subject"]
    if data["dates"]:
        dates = ET.SubElement(root, q("dates"))
        for date in data["dates"]:
            ET.SubElement(dates, q("date"), dateType=date["dateType"]).text = date["date"]
    if data.get("language"):
        ET.SubElement(root, q("language")).text = data["language"]
    ET.SubElement(
        root, q("resourceType"), resourceTypeGeneral=data["types"]["resourceTypeGeneral"]
    ).text = data["types"]["resourceType"]
    if data["relatedIdentifiers"]:
        related = ET.SubElement(root, q("relatedIdentifiers"))
        for item in data["relatedIdentifiers"]:
            ET.SubElement(
                related,
                q("relatedIdentifier"),
                relatedIdentifierType=item["relatedIdentifierType"],
                relationType=item["relationType"],
            ).text = item["relatedIdentifier"]
    if data.get("version"):
        ET.SubElement(root, q("version")).text = data["version"]
    if data["rightsList"]:
        rights = ET.SubElement(root, q("rightsList"))
        for item in data["rightsList"]:
            ET.SubElement(
                rights, q("rights"), rightsIdentifier=item["rightsIdentifier"], rightsIdentifierScheme="spdx"
            ).text = item["rights"]
    if data["descriptions"]:
        descriptions = ET.SubElement(root, q("descriptions"))
        for item in data["descriptions"]:
            ET.SubElement(
                descriptions, q("description"), descriptionType=item["descriptionType"]
            ).text = item["description"]
    return _xml(root)


def _xml(root: ET.Element) -> str:
    ET.indent(root, "  ")  # one element a line, as lxml's pretty print in IRR
    return "<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root, encoding="unicode") + "\n"


# -- Dublin Core (OAI-DC, invenio-rdm-records dublincore serializer) -------------------------------------
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def dublin_core(record: dict) -> str:
    meta = _meta(record)
    ET.register_namespace("oai_dc", OAI_DC_NS)
    ET.register_namespace("dc", DC_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        f"{{{OAI_DC_NS}}}dc",
        {f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"},
    )

    def add(tag: str, text: str | None) -> None:
        if text:
            ET.SubElement(root, f"{{{DC_NS}}}{tag}").text = text

    for person in _people(record):
        add("creator", person.get("name"))
    add("date", meta.get("publication_date"))
    # IRR escapes the HTML once more before the XML does (test_dublincore_serializer.py).
    add("description", html.escape(meta["description"], quote=False) if meta.get("description") else None)
    if doi := _doi(record):
        add("identifier", f"https://doi.org/{doi}")
    oai = ((record.get("pids") or {}).get("oai") or {}).get("identifier")
    add("identifier", oai)
    for language in meta.get("languages") or []:
        add("language", language.get("id"))
    add("publisher", meta.get("publisher"))
    for related in meta.get("related_identifiers") or []:
        identifier = related.get("identifier", "")
        add("relation", f"https://doi.org/{identifier}" if related.get("scheme") == "doi" else identifier)
    if concept := _concept_doi(record):
        add("relation", f"https://doi.org/{concept}")
    access = (record.get("access") or {}).get("record")
    add(
        "rights",
        "info:eu-repo/semantics/openAccess" if access == "public" else "info:eu-repo/semantics/closedAccess",
    )
    for right in meta.get("rights") or []:
        add("rights", right.get("id"))
    for subject in meta.get("subjects") or []:
        add("subject", subject.get("subject"))
    add("title", meta.get("title"))
    kind, sub = _resource_type(record)
    add(
        "type",
        "info:eu-repo/semantics/article"
        if (kind, sub) == ("publication", "article")
        else "info:eu-repo/semantics/other",
    )
    return _xml(root)


# -- schema.org JSON-LD --------------------------------------------------------------------------------
_SCHEMA_TYPES = {
    "dataset": "https://schema.org/Dataset",
    "software": "https://schema.org/SoftwareSourceCode",
    "image": "https://schema.org/ImageObject",
    "video": "https://schema.org/MediaObject",
    "presentation": "https://schema.org/PresentationDigitalDocument",
    "poster": "https://schema.org/Poster",
    "lesson": "https://schema.org/LearningResource",
}
_SCHEMA_PUBLICATION_TYPES = {
    "article": "https://schema.org/ScholarlyArticle",
    "book": "https://schema.org/Book",
    "thesis": "https://schema.org/Thesis",
}


def schema_org(record: dict) -> str:
    meta = _meta(record)
    kind, sub = _resource_type(record)
    doi = _doi(record)
    doi_url = f"https://doi.org/{doi}" if doi else _html_url(record)
    schema_type = (
        _SCHEMA_PUBLICATION_TYPES.get(sub or "", "https://schema.org/CreativeWork")
        if kind == "publication"
        else _SCHEMA_TYPES.get(kind, "https://schema.org/CreativeWork")
    )
    creators = []
    for person, source in zip(_people(record), meta.get("creators") or [], strict=False):
        entry: dict[str, Any] = {
            "@type": "Person" if person.get("type") == "personal" else "Organization",
            "name": person.get("name", ""),
        }
        if person.get("given_name"):
            entry["givenName"] = person["given_name"]
        if person.get("family_name"):
            entry["familyName"] = person["family_name"]
        if orcid := _orcid(person):
            entry["@id"] = f"https://orcid.org/{orcid}"
        if source.get("affiliations"):
            entry["affiliation"] = [
                {"@type": "Organization", "name": a.get("name", "")} for a in source["affiliations"]
            ]
        creators.append(entry)
    body: dict[str, Any] = {
        "@context": "http://schema.org",
        "@id": doi_url,
        "@type": schema_type,
        "identifier": doi_url,
        "name": meta.get("title", ""),
        "author": creators,  # IRR's schema.org output names the creators twice
        "creator": creators,
        "url": _html_url(record),
    }
    if meta.get("description"):
        body["description"] = meta["description"]
    if meta.get("publication_date"):
        body["datePublished"] = meta["publication_date"]
    if meta.get("subjects"):
        body["keywords"] = [s.get("subject", "") for s in meta["subjects"]]
    if meta.get("version"):
        body["version"] = meta["version"]
    if meta.get("languages"):
        body["inLanguage"] = {"@type": "Language", "alternateName": meta["languages"][0].get("id")}
    if meta.get("rights"):
        body["license"] = meta["rights"][0].get("id")
    files = ((record.get("files") or {}).get("entries") or {}).values()
    if files and kind == "dataset":
        body["distribution"] = [
            {
                "@type": "DataDownload",
                "contentUrl": f"{_html_url(record)}/files/{entry['key']}",
                "encodingFormat": entry.get("mimetype"),
            }
            for entry in files
        ]
    return json.dumps(body, indent=2)


# -- the table ------------------------------------------------------------------------------------------
EXPORTS = (
    Export("bibtex", "application/x-bibtex", "bib", bibtex),
    Export("csl", "application/vnd.citationstyles.csl+json", "json", csl),
    Export("datacite-json", "application/vnd.datacite.datacite+json", "json", datacite_json),
    Export("datacite-xml", "application/vnd.datacite.datacite+xml", "xml", datacite_xml),
    Export("dublincore", "application/x-dc+xml", "xml", dublin_core),
    Export("json-ld", "application/ld+json", "json", schema_org),
)
BY_NAME = {export.name: export for export in EXPORTS}
BY_MIMETYPE = {export.mimetype: export for export in EXPORTS}
# zenodo-rdm resources.py: the older DataCite XML media type is an alias.
BY_MIMETYPE["application/x-datacite+xml"] = BY_NAME["datacite-xml"]


# Media types that mean the records API's own JSON: `Accept` asks for an export only if an
# export type comes before all of these.
_API_JSON = (
    "*/*",
    "application/json",
    "application/vnd.zenodo.v1+json",
    "application/vnd.inveniordm.v1+json",
)


def for_accept(accept: Iterable[tuple[str, float]]) -> Export | None:
    """The export an `Accept` header (werkzeug's MIMEAccept, best first) asks for, if any."""
    for mimetype, _quality in accept:
        if mimetype in BY_MIMETYPE:
            return BY_MIMETYPE[mimetype]
        if mimetype in _API_JSON:
            return None
    return None
