"""Zenodo's controlled vocabularies as the deposit API accepts them.

Shared by the validator (what a manifest may say), the emulator (what the server
accepts and how it reads values back) and the normaliser (how to compare both sides).
Sources are cited per table; `../shared/zenodo-api.md` section numbers in brackets.
"""

from __future__ import annotations

# [3.10] upload_type and its subtypes (invenio-rdm-records resource_types.yaml as loaded by Zenodo).
UPLOAD_TYPES = (
    "publication", "poster", "presentation", "dataset", "image", "video", "software", "lesson",
    "physicalobject", "other", "event", "model", "audio", "workflow", "project", "instrument",
)
PUBLICATION_TYPES = (
    "annotationcollection", "book", "section", "conferencepaper", "conferenceproceeding",
    "datamanagementplan", "journal", "article", "patent", "peerreview", "preprint", "deliverable",
    "milestone", "proposal", "report", "softwaredocumentation", "taxonomictreatment", "technicalnote",
    "workingpaper", "datapaper", "dissertation", "standard", "studyregistration", "other",
    # accepted on input, stored as "dissertation" since 2026-01 (zenodo-rdm components.py)
    "thesis",
)
IMAGE_TYPES = ("figure", "plot", "drawing", "diagram", "photo", "other")

# [3.10] access_right; "closed" is accepted but reads back as "restricted".
ACCESS_RIGHTS = ("open", "embargoed", "restricted", "closed")

# [3.10] contributor `type`, CamelCase as the deposit API reads it back.
CONTRIBUTOR_TYPES = (
    "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
    "HostingInstitution", "Producer", "ProjectLeader", "ProjectManager", "ProjectMember",
    "RegistrationAgency", "RegistrationAuthority", "RelatedPerson", "Researcher", "ResearchGroup",
    "RightsHolder", "Sponsor", "Supervisor", "WorkPackageLeader", "Other",
)

# [3.10] related_identifiers relation, canonical camelCase (matched case-insensitively).
RELATION_TYPES = (
    "isCitedBy", "cites", "isSupplementTo", "isSupplementedBy", "isContinuedBy", "continues",
    "isDescribedBy", "describes", "hasMetadata", "isMetadataFor", "hasVersion", "isVersionOf",
    "isNewVersionOf", "isPreviousVersionOf", "isPartOf", "hasPart", "isPublishedIn", "isReferencedBy",
    "references", "isDocumentedBy", "documents", "isCompiledBy", "compiles", "isVariantFormOf",
    "isOriginalFormOf", "isIdenticalTo", "isReviewedBy", "reviews", "isDerivedFrom", "isSourceOf",
    "isRequiredBy", "requires", "isObsoletedBy", "obsoletes", "isAlternateIdentifier",
    "isTranslationOf", "hasTranslation", "isCollectedBy", "collects", "other",
)

# [3.10] related identifier schemes the server detects (invenio-rdm-records config.py).
IDENTIFIER_SCHEMES = (
    "ark", "arxiv", "ads", "crossreffunderid", "cstr", "doi", "ean13", "eissn", "grid", "handle",
    "igsn", "isbn", "isni", "issn", "istc", "lissn", "lsid", "pmid", "purl", "rrid", "upc", "url",
    "urn", "wikidata", "w3id", "other",
)

# [3.10] dates[].type: the deposit API's three plus the ones RDM accepts, read back lower-case.
DATE_TYPES = (
    "collected", "valid", "withdrawn", "accepted", "available", "copyrighted", "created", "issued",
    "other", "submitted", "updated", "coverage",
)

# [3.12] license aliases the server resolves on input (lower-cased first) -> RDM vocabulary id.
LICENSE_ALIASES = {
    "cc-by": "cc-by-4.0",
    "cc-zero": "cc0-1.0",
    "cc0": "cc0-1.0",
    "cc-by-sa": "cc-by-sa-4.0",
    "mit-license": "mit",
    "apache2.0": "apache-2.0",
    "gpl-3.0": "gpl-3.0-only",
    "lgpl-3.0": "lgpl-3.0-only",
    "agpl-3.0": "agpl-3.0-only",
    "apgl-v3": "agpl-3.0-only",
}

# [3.12] RDM id -> the legacy id the deposit API reads back (zenodo-rdm legacy licenses.py, reverse map).
LICENSE_READBACK = {
    "cc0-1.0": "cc-zero",
    "mit": "mit-license",
    "apache-2.0": "apache2.0",
    "gpl-3.0-only": "gpl-3.0",
    "lgpl-3.0-only": "lgpl-3.0",
    "agpl-3.0-only": "apgl-v3",
}

# [3.10] default license when none is given and access is open/embargoed.
DEFAULT_LICENSE_DATASET = "cc0-1.0"
DEFAULT_LICENSE_OTHER = "cc-by-4.0"

# [3.10] grants: funder DOI (Crossref Funder Registry) -> ROR id (zenodo-rdm legacy funders.py, excerpt).
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

# [5] limits of one record on zenodo.org (invenio.cfg).
MAX_FILES_PER_RECORD = 100
MAX_RECORD_BYTES = 50 * 10**9
MAX_FILE_BYTES = 50 * 10**9


def rdm_license_id(license_id: str) -> str:
    """The RDM vocabulary id the server stores for a license id a user wrote."""
    lowered = license_id.strip().lower()
    return LICENSE_ALIASES.get(lowered, lowered)


def legacy_license_readback(license_id: str) -> str:
    """The id the deposit API reads back after a user sent `license_id`."""
    rdm_id = rdm_license_id(license_id)
    return LICENSE_READBACK.get(rdm_id, rdm_id)


def canonical_relation(relation: str) -> str | None:
    """The canonical camelCase relation for any casing, or None if unknown."""
    lowered = relation.strip().lower()
    if lowered == "isorignialformof":  # the server fixes this historic typo
        lowered = "isoriginalformof"
    for name in RELATION_TYPES:
        if name.lower() == lowered:
            return name
    return None


def canonical_contributor_type(kind: str) -> str | None:
    lowered = kind.strip().lower()
    for name in CONTRIBUTOR_TYPES:
        if name.lower() == lowered:
            return name
    return None
