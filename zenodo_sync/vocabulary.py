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

# [3.10] language: ISO 639-1 two-letter codes -> the three-letter id the server stores and reads back
# (Zenodo maps them with pycountry's `alpha_3`, i.e. ISO 639-3 / 639-2/T: de -> deu, not ger).
LANGUAGE_ALPHA2_TO_ALPHA3 = dict(pair.split(":") for pair in """
aa:aar ab:abk ae:ave af:afr ak:aka am:amh an:arg ar:ara as:asm av:ava ay:aym az:aze ba:bak be:bel
bg:bul bi:bis bm:bam bn:ben bo:bod br:bre bs:bos ca:cat ce:che ch:cha co:cos cr:cre cs:ces cu:chu
cv:chv cy:cym da:dan de:deu dv:div dz:dzo ee:ewe el:ell en:eng eo:epo es:spa et:est eu:eus fa:fas
ff:ful fi:fin fj:fij fo:fao fr:fra fy:fry ga:gle gd:gla gl:glg gn:grn gu:guj gv:glv ha:hau he:heb
hi:hin ho:hmo hr:hrv ht:hat hu:hun hy:hye hz:her ia:ina id:ind ie:ile ig:ibo ii:iii ik:ipk io:ido
is:isl it:ita iu:iku ja:jpn jv:jav ka:kat kg:kon ki:kik kj:kua kk:kaz kl:kal km:khm kn:kan ko:kor
kr:kau ks:kas ku:kur kv:kom kw:cor ky:kir la:lat lb:ltz lg:lug li:lim ln:lin lo:lao lt:lit lu:lub
lv:lav mg:mlg mh:mah mi:mri mk:mkd ml:mal mn:mon mr:mar ms:msa mt:mlt my:mya na:nau nb:nob nd:nde
ne:nep ng:ndo nl:nld nn:nno no:nor nr:nbl nv:nav ny:nya oc:oci oj:oji om:orm or:ori os:oss pa:pan
pi:pli pl:pol ps:pus pt:por qu:que rm:roh rn:run ro:ron ru:rus rw:kin sa:san sc:srd sd:snd se:sme
sg:sag si:sin sk:slk sl:slv sm:smo sn:sna so:som sq:sqi sr:srp ss:ssw st:sot su:sun sv:swe sw:swa
ta:tam te:tel tg:tgk th:tha ti:tir tk:tuk tl:tgl tn:tsn to:ton tr:tur ts:tso tt:tat tw:twi ty:tah
ug:uig uk:ukr ur:urd uz:uzb ve:ven vi:vie vo:vol wa:wln wo:wol xh:xho yi:yid yo:yor za:zha zh:zho
zu:zul
""".split())

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
