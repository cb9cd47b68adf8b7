"""Zenodo's controlled vocabularies as the deposit API accepts them, and the rules that are one
lookup in them (resource type ids, relation and contributor-type casing, language ids).

Shared by the validator (what a manifest may say), the emulator (what the server accepts and
how it reads values back) and the normaliser (how to compare both sides). Sources are cited per
table, with section numbers in brackets. Licenses have their own module, `licenses`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

# [3.10] upload_type and its subtypes (invenio-rdm-records resource_types.yaml as loaded by Zenodo).
UPLOAD_TYPES = (
    "publication",
    "poster",
    "presentation",
    "dataset",
    "image",
    "video",
    "software",
    "lesson",
    "physicalobject",
    "other",
    "event",
    "model",
    "audio",
    "workflow",
    "project",
    "instrument",
)
PUBLICATION_TYPES = (
    "annotationcollection",
    "book",
    "section",
    "conferencepaper",
    "conferenceproceeding",
    "datamanagementplan",
    "journal",
    "article",
    "patent",
    "peerreview",
    "preprint",
    "deliverable",
    "milestone",
    "proposal",
    "report",
    "softwaredocumentation",
    "taxonomictreatment",
    "technicalnote",
    "workingpaper",
    "datapaper",
    "dissertation",
    "standard",
    "studyregistration",
    "other",
    # accepted on input, stored as "dissertation" since 2026-01 (zenodo-rdm components.py)
    "thesis",
)
IMAGE_TYPES = ("figure", "plot", "drawing", "diagram", "photo", "other")


def split_resource_type_id(type_id: str) -> tuple[str, str | None]:
    """[3.10] (upload_type, subtype or None) of a stored resource type id, as both legacy views
    read it back."""
    upload_type, _, subtype = type_id.partition("-")
    return upload_type, subtype or None


def resource_type_id(upload_type: str, subtype: object) -> str:
    """[3.10] The RDM resource type id the server stores for upload_type + `<type>_type`:
    "type-subtype" (or the type alone), with publication-thesis stored as
    publication-dissertation (zenodo-rdm components.py, since 2026-01)."""
    type_id = f"{upload_type}-{subtype}" if subtype else upload_type
    return "publication-dissertation" if type_id == "publication-thesis" else type_id


# [3.10] access_right; "closed" is accepted but reads back as "restricted".
ACCESS_RIGHTS = ("open", "embargoed", "restricted", "closed")

# [3.10] contributor `type`, CamelCase as the deposit API reads it back.
CONTRIBUTOR_TYPES = (
    "ContactPerson",
    "DataCollector",
    "DataCurator",
    "DataManager",
    "Distributor",
    "Editor",
    "HostingInstitution",
    "Producer",
    "ProjectLeader",
    "ProjectManager",
    "ProjectMember",
    "RegistrationAgency",
    "RegistrationAuthority",
    "RelatedPerson",
    "Researcher",
    "ResearchGroup",
    "RightsHolder",
    "Sponsor",
    "Supervisor",
    "WorkPackageLeader",
    "Other",
)

# [3.10] related_identifiers relation, canonical camelCase (matched case-insensitively).
RELATION_TYPES = (
    "isCitedBy",
    "cites",
    "isSupplementTo",
    "isSupplementedBy",
    "isContinuedBy",
    "continues",
    "isDescribedBy",
    "describes",
    "hasMetadata",
    "isMetadataFor",
    "hasVersion",
    "isVersionOf",
    "isNewVersionOf",
    "isPreviousVersionOf",
    "isPartOf",
    "hasPart",
    "isPublishedIn",
    "isReferencedBy",
    "references",
    "isDocumentedBy",
    "documents",
    "isCompiledBy",
    "compiles",
    "isVariantFormOf",
    "isOriginalFormOf",
    "isIdenticalTo",
    "isReviewedBy",
    "reviews",
    "isDerivedFrom",
    "isSourceOf",
    "isRequiredBy",
    "requires",
    "isObsoletedBy",
    "obsoletes",
    "isAlternateIdentifier",
    "isTranslationOf",
    "hasTranslation",
    "isCollectedBy",
    "collects",
    "other",
)
# [3.10] relations RDM added after the legacy enum: accepted on input, but the legacy serializer
# does not know them, so they read back without `relation` (zenodo-rdm common.py RELATION_TYPE_MAPPING).
RDM_ONLY_RELATIONS = ("isTranslationOf", "hasTranslation", "isCollectedBy", "collects", "other")

# [3.10] related identifier schemes the server detects (invenio-rdm-records config.py).
IDENTIFIER_SCHEMES = (
    "ark",
    "arxiv",
    "ads",
    "crossreffunderid",
    "cstr",
    "doi",
    "ean13",
    "eissn",
    "grid",
    "handle",
    "igsn",
    "isbn",
    "isni",
    "issn",
    "istc",
    "lissn",
    "lsid",
    "pmid",
    "purl",
    "rrid",
    "upc",
    "url",
    "urn",
    "wikidata",
    "w3id",
    "other",
)

# [3.10] dates[].type: the deposit API's three plus the ones RDM accepts, read back lower-case.
DATE_TYPES = (
    "collected",
    "valid",
    "withdrawn",
    "accepted",
    "available",
    "copyrighted",
    "created",
    "issued",
    "other",
    "submitted",
    "updated",
    "coverage",
)

# [3.10] grants: funder DOI (Crossref Funder Registry) -> ROR id (zenodo-rdm legacy funders.py; with
# _MORE_FUNDERS below, all 25 of its funders, checked against it in November 2026).
FUNDER_DOI_TO_ROR = {
    "10.13039/501100000780": "00k4n6c32",  # European Commission
    "10.13039/100000001": "021nxhr62",  # NSF
    "10.13039/100000002": "01cwqze88",  # NIH
    "10.13039/100014013": "001aqnf71",  # UKRI
    "10.13039/501100000690": "001aqnf71",  # RCUK, reads back as UKRI
}
FUNDER_ROR_TO_DOI = {
    "00k4n6c32": "10.13039/501100000780",
    "021nxhr62": "10.13039/100000001",
    "01cwqze88": "10.13039/100000002",
    "001aqnf71": "10.13039/100014013",
}
EC_FUNDER_DOI = "10.13039/501100000780"  # a bare award number is taken as an EC grant

# [6.3] resource type id -> the English title the records API shows in `resource_type.title`
# (invenio-rdm-records resource_types.yaml). Note "publication-dissertation" is titled "Thesis".
RESOURCE_TYPE_TITLES = {
    "publication": "Publication",
    "publication-annotationcollection": "Annotation collection",
    "publication-book": "Book",
    "publication-section": "Book chapter",
    "publication-conferencepaper": "Conference paper",
    "publication-conferenceproceeding": "Conference proceeding",
    "publication-datamanagementplan": "Output management plan",
    "publication-journal": "Journal",
    "publication-article": "Journal article",
    "publication-patent": "Patent",
    "publication-peerreview": "Peer review",
    "publication-preprint": "Preprint",
    "publication-deliverable": "Project deliverable",
    "publication-milestone": "Project milestone",
    "publication-proposal": "Proposal",
    "publication-report": "Report",
    "publication-softwaredocumentation": "Software documentation",
    "publication-taxonomictreatment": "Taxonomic treatment",
    "publication-technicalnote": "Technical note",
    "publication-workingpaper": "Working paper",
    "publication-datapaper": "Data paper",
    "publication-dissertation": "Thesis",
    "publication-standard": "Standard",
    "publication-studyregistration": "Study Registration",
    "publication-other": "Other",
    "poster": "Poster",
    "presentation": "Presentation",
    "event": "Event",
    "dataset": "Dataset",
    "image": "Image",
    "image-figure": "Figure",
    "image-plot": "Plot",
    "image-drawing": "Drawing",
    "image-diagram": "Diagram",
    "image-photo": "Photo",
    "image-other": "Other",
    "model": "Model",
    "video": "Video",
    "audio": "Audio",
    "software": "Software",
    "software-computationalnotebook": "Computational notebook",
    "lesson": "Lesson",
    "other": "Other",
    "physicalobject": "Physical object",
    "workflow": "Workflow",
    "project": "Project",
    "instrument": "Instrument",
}

# [6.3] funder names and acronyms the records API shows in `grants[].funder` (Crossref Funder
# Registry; acronyms as zenodo-rdm's legacy funders table), keyed by funder DOI.
FUNDER_NAMES = {
    "10.13039/501100000780": ("European Commission", "EC"),
    "10.13039/100000001": ("National Science Foundation", "NSF"),
    "10.13039/100000002": ("National Institutes of Health", "NIH"),
    "10.13039/100014013": ("UK Research and Innovation", "UKRI"),
    "10.13039/501100000690": ("Research Councils UK", "RCUK"),
}


# [3.10] the rest of Zenodo's funder DOI -> ROR table (zenodo-rdm legacy funders.py); a grant of a
# funder outside it is rejected. Names/acronyms as the records API shows them (§6.3) [U: names].
_MORE_FUNDERS = {
    # funder DOI: (ROR id, name, acronym)
    "10.13039/501100001665": ("00rbzpz17", "Agence Nationale de la Recherche", "ANR"),
    "10.13039/501100002341": ("05k73zm37", "Research Council of Finland", "AKA"),
    "10.13039/501100000923": ("05mmh0f86", "Australian Research Council", "ARC"),
    "10.13039/100018231": ("03zj4c476", "Aligning Science Across Parkinson's", "ASAP"),
    "10.13039/501100000024": ("01gavpb45", "Canadian Institutes of Health Research", "CIHR"),
    "10.13039/501100000806": ("02k4b9v70", "European Environment Agency", "EEA"),
    "10.13039/501100001871": ("00snfqn58", "Fundação para a Ciência e a Tecnologia", "FCT"),
    "10.13039/501100002428": ("013tf3c58", "Austrian Science Fund", "FWF"),
    "10.13039/501100004488": ("03n51vw80", "Croatian Science Foundation", "HRZZ"),
    "10.13039/501100004564": (
        "01znas443",
        "Ministry of Education, Science and Technological Development",
        "MESTD",
    ),
    "10.13039/501100000925": ("011kf5r70", "National Health and Medical Research Council", "NHMRC"),
    "10.13039/501100000038": (
        "01h531d29",
        "Natural Sciences and Engineering Research Council of Canada",
        "NSERC",
    ),
    "10.13039/501100003246": ("04jsz6e67", "Dutch Research Council", "NWO"),
    "10.13039/501100001602": ("0271asj38", "Science Foundation Ireland", "SFI"),
    "10.13039/501100001711": ("00yjd3n13", "Swiss National Science Foundation", "SNSF"),
    "10.13039/100001345": ("006cvnv84", "Social Sciences and Humanities Research Council", "SSHRC"),
    "10.13039/501100004410": (
        "04w9kkr77",
        "Scientific and Technological Research Council of Turkey",
        "TUBITAK",
    ),
    "10.13039/100004440": ("029chgv08", "Wellcome Trust", "WT"),
    "10.13039/501100006364": ("03m8vkq32", "Institut National Du Cancer", "INCa"),
    "10.13039/501100011730": ("00x0z1472", "Templeton World Charity Foundation", "TWCF"),
}
for _doi, (_ror, _name, _acronym) in _MORE_FUNDERS.items():
    FUNDER_DOI_TO_ROR.setdefault(_doi, _ror)
    FUNDER_ROR_TO_DOI.setdefault(_ror, _doi)
    FUNDER_NAMES.setdefault(_doi, (_name, _acronym))


# [3.10] languages: ISO 639-3, as Zenodo's languages vocabulary (data/languages.txt, from pycountry).
@dataclass(frozen=True)
class Languages:
    alpha3: dict[str, str]  # ISO 639-3 id -> English name
    alpha2: dict[str, str]  # ISO 639-1 -> ISO 639-3 (what Zenodo stores)
    bibliographic: dict[str, str]  # ISO 639-2/B (ger) -> ISO 639-3 (deu)


@functools.cache
def languages() -> Languages:
    alpha3: dict[str, str] = {}
    alpha2: dict[str, str] = {}
    bibliographic: dict[str, str] = {}
    text = resources.files("zenodo_sync.zenodo.data").joinpath("languages.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, two, biblio, name = line.split("\t")
        alpha3[code] = name
        if two:
            alpha2[two] = code
        if biblio:
            bibliographic[biblio] = code
    return Languages(alpha3, alpha2, bibliographic)


_RELATION_BY_ID = {name.lower(): name for name in RELATION_TYPES}
_LEGACY_RELATION_BY_ID = {
    key: name for key, name in _RELATION_BY_ID.items() if name not in RDM_ONLY_RELATIONS
}
_CONTRIBUTOR_TYPE_BY_ROLE = {name.lower(): name for name in CONTRIBUTOR_TYPES}


def language_id(code: str) -> str | None:
    """[3.10] The three-letter id the server stores (and reads back) for an ISO 639-1 code, or
    None. Zenodo maps them with pycountry's `alpha_3` (ISO 639-3 / 639-2/T: de -> deu, not ger),
    whose table ships as data/languages.txt."""
    return languages().alpha2.get(code)


def legacy_relation(relation_id: str | None) -> str | None:
    """[3.10] The relation the deposit API reads back for a stored (lower-case) relation id, or
    None for one only RDM knows."""
    return _LEGACY_RELATION_BY_ID.get(relation_id) if relation_id else None


def canonical_relation(relation: str) -> str | None:
    """The canonical camelCase relation for any casing, or None if unknown."""
    lowered = relation.strip().lower()
    if lowered == "isorignialformof":  # the server fixes this historic typo
        lowered = "isoriginalformof"
    return _RELATION_BY_ID.get(lowered)


def canonical_contributor_type(kind: str) -> str | None:
    """[3.10] The CamelCase `type` for any casing of a contributor type or of the RDM role id
    it is stored as (`type.lower()`), or None if the legacy API has no such type."""
    return _CONTRIBUTOR_TYPE_BY_ROLE.get(kind.strip().lower())
