"""Zenodo's controlled vocabularies as the deposit API accepts them.

Shared by the validator (what a manifest may say), the emulator (what the server
accepts and how it reads values back) and the normaliser (how to compare both sides).
Sources are cited per table; `../shared/zenodo-api.md` section numbers in brackets.
"""

from __future__ import annotations

from zenodo_sync.zenodo.vocab_data import languages

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

# [3.10] relations RDM added after the legacy enum: accepted on input, but the legacy serializer
# does not know them, so they read back without `relation` (zenodo-rdm common.py RELATION_TYPE_MAPPING).
RDM_ONLY_RELATIONS = ("isTranslationOf", "hasTranslation", "isCollectedBy", "collects", "other")

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

# [3.10] default license when none is given and access is open/embargoed.
DEFAULT_LICENSE_DATASET = "cc0-1.0"
DEFAULT_LICENSE_OTHER = "cc-by-4.0"
# [3.6] imprint_publisher omitted => "Zenodo".
DEFAULT_PUBLISHER = "Zenodo"


def default_license(upload_type: object, access_right: object) -> str | None:
    """[3.10] The license the server fills in when none is given: only for open or embargoed
    access, cc0-1.0 for a dataset and cc-by-4.0 otherwise. The caller decides what an absent
    access_right means (the server reads it as open)."""
    if access_right not in ("open", "embargoed"):
        return None
    return DEFAULT_LICENSE_DATASET if upload_type == "dataset" else DEFAULT_LICENSE_OTHER

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

# [6.3] resource type id -> the English title the records API shows in `resource_type.title`
# (invenio-rdm-records resource_types.yaml). Note "publication-dissertation" is titled "Thesis".
RESOURCE_TYPE_TITLES = {
    "publication": "Publication", "publication-annotationcollection": "Annotation collection",
    "publication-book": "Book", "publication-section": "Book chapter",
    "publication-conferencepaper": "Conference paper",
    "publication-conferenceproceeding": "Conference proceeding",
    "publication-datamanagementplan": "Output management plan", "publication-journal": "Journal",
    "publication-article": "Journal article", "publication-patent": "Patent",
    "publication-peerreview": "Peer review", "publication-preprint": "Preprint",
    "publication-deliverable": "Project deliverable", "publication-milestone": "Project milestone",
    "publication-proposal": "Proposal", "publication-report": "Report",
    "publication-softwaredocumentation": "Software documentation",
    "publication-taxonomictreatment": "Taxonomic treatment",
    "publication-technicalnote": "Technical note", "publication-workingpaper": "Working paper",
    "publication-datapaper": "Data paper", "publication-dissertation": "Thesis",
    "publication-standard": "Standard", "publication-studyregistration": "Study Registration",
    "publication-other": "Other", "poster": "Poster", "presentation": "Presentation",
    "event": "Event", "dataset": "Dataset", "image": "Image", "image-figure": "Figure",
    "image-plot": "Plot", "image-drawing": "Drawing", "image-diagram": "Diagram",
    "image-photo": "Photo", "image-other": "Other", "model": "Model", "video": "Video",
    "audio": "Audio", "software": "Software",
    "software-computationalnotebook": "Computational notebook", "lesson": "Lesson",
    "other": "Other", "physicalobject": "Physical object", "workflow": "Workflow",
    "project": "Project", "instrument": "Instrument",
}

# [3.12] Legacy license input -> RDM rights id, as zenodo-rdm's legacy license loader resolves it
# (lower-cased input, its alias table, then its legacy->RDM map). This covers the aliases, every
# id whose RDM form differs, and the common ids that map to themselves; Zenodo's full table also
# accepts the rest of the (lower-cased) SPDX list. An id absent here is "Invalid license provided".
# Note: "cc0", "cc-pdm-1.0", "fal" and "gfdl" are NOT accepted by Zenodo's legacy API (their
# aliases lead to ids missing from its map).
LEGACY_LICENSE_TO_RDM = {
    # aliases and legacy ids whose RDM id differs
    "cc-by": "cc-by-4.0", "cc-by-sa": "cc-by-sa-4.0", "cc-zero": "cc0-1.0", "cc-nc": "cc-by-nc-2.0",
    "mit-license": "mit", "apache": "apache-2.0", "apache2.0": "apache-2.0", "apl1.0": "apl-1.0",
    "agpl-v3": "agpl-3.0-only", "apgl-v3": "agpl-3.0-only", "agpl-3.0": "agpl-3.0-only",
    "agpl-1.0": "agpl-1.0-only", "gpl-1.0": "gpl-1.0-only", "gpl-2.0": "gpl-2.0-only",
    "gpl-3.0": "gpl-3.0-only", "gpl-2.0+": "gpl-2.0-or-later", "gpl-3.0+": "gpl-3.0-or-later",
    "lgpl-2.0": "lgpl-2.0-only", "lgpl-2.1": "lgpl-2.1-only", "lgpl-3.0": "lgpl-3.0-only",
    "lgpl-2.1+": "lgpl-2.1-or-later", "lgpl-3.0+": "lgpl-3.0-or-later",
    "artistic-license-2.0": "artistic-2.0", "attribution": "aal", "bsd-license": "bsd-1-clause",
    "bsd-2-clause-netbsd": "bsd-2-clause", "bsd-2-clause-freebsd": "bsd-2-clause-views",
    "bsl1.0": "bsl-1.0", "ca-tosl1.1": "catosl-1.1", "cddl1": "cddl-1.0", "cpal_1.0": "cpal-1.0",
    "cuaoffice": "cua-opl-1.0", "ecl2": "ecl-2.0", "eclipse-1.0": "epl-1.0", "eiffel": "efl-2.0",
    "ver2_eiffel": "efl-2.0", "frameworx": "frameworx-1.0",
    "ibmpl": "ipl-1.0", "intel-osl": "intel",
    "ipafont": "ipa", "isc-license": "isc", "lucent1.02": "lpl-1.02", "mozilla": "mpl-1.0",
    "mozilla1.1": "mpl-1.1", "nasa1.3": "nasa-1.3", "nethack": "ngpl", "nosl3.0": "nposl-3.0",
    "ntp-license": "ntp", "oclc2": "oclc-2.0", "odc-by": "odc-by-1.0", "odc-odbl": "odbl-1.0",
    "odc-pddl": "pddl-1.0", "odc-pddl-1.0": "pddl-1.0", "openfont": "ofl-1.1",
    "opengroup": "ogtsl", "php": "php-3.0", "pythonpl": "cnri-python",
    "pythonsoftfoundation": "python-2.0", "qtpl": "qpl-1.0", "real": "rpsl-1.0",
    "ricohpl": "rscpl", "rpl1.5": "rpl-1.5", "sun-issl": "sissl", "sunpublic": "spl-1.0",
    "sybase": "watcom-1.0", "uk-ogl": "ogl-uk-1.0", "uoi-ncsa": "ncsa", "vovidapl": "vsl-1.0",
    "zlib-license": "zlib", "zpl": "zpl-2.0", "canada-crown": "ogl-canada-2.0",
    "standardml-nj": "smlnj",
}
LEGACY_LICENSE_TO_RDM.update({lid: lid for lid in """
cc-by-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-3.0-at cc-by-3.0-us cc-by-4.0
cc-by-sa-1.0 cc-by-sa-2.0 cc-by-sa-2.5 cc-by-sa-3.0 cc-by-sa-4.0
cc-by-nc-1.0 cc-by-nc-2.0 cc-by-nc-2.5 cc-by-nc-3.0 cc-by-nc-4.0
cc-by-nd-1.0 cc-by-nd-2.0 cc-by-nd-2.5 cc-by-nd-3.0 cc-by-nd-4.0
cc-by-nc-sa-1.0 cc-by-nc-sa-2.0 cc-by-nc-sa-2.5 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0
cc-by-nc-nd-1.0 cc-by-nc-nd-2.0 cc-by-nc-nd-2.5 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc0-1.0 cc-pddc
mit mit-0 apache-1.0 apache-1.1 apache-2.0 bsd-1-clause bsd-2-clause bsd-2-clause-patent
bsd-2-clause-views bsd-3-clause bsd-3-clause-clear bsd-4-clause 0bsd isc zlib unlicense wtfpl
gpl-1.0-only gpl-1.0-or-later gpl-2.0-only gpl-2.0-or-later gpl-3.0-only gpl-3.0-or-later
lgpl-2.0-only lgpl-2.0-or-later lgpl-2.1-only lgpl-2.1-or-later lgpl-3.0-only lgpl-3.0-or-later
agpl-1.0-only agpl-1.0-or-later agpl-3.0-only agpl-3.0-or-later
mpl-1.0 mpl-1.1 mpl-2.0 epl-1.0 epl-2.0 eupl-1.0 eupl-1.1 eupl-1.2 afl-3.0 artistic-2.0
bsl-1.0 cddl-1.0 cddl-1.1 cecill-2.1 cecill-b cecill-c cern-ohl-p-2.0 cern-ohl-s-2.0
cern-ohl-w-2.0 cdla-permissive-1.0 cdla-sharing-1.0 etalab-2.0 odbl-1.0 odc-by-1.0 pddl-1.0
ofl-1.1 ogl-uk-3.0 osl-3.0 postgresql python-2.0 upl-1.0 w3c x11 ms-pl ms-rl json ruby vim
other-open other-pd other-at other-nc other-closed zenodo-freetoread-1.0
cc-by-nc-nd-3.0-igo cc-by-sa-2.0-uk cc-by-sa-3.0-at cecill-1.0 cecill-1.1 cecill-2.0
gfdl-1.1-only gfdl-1.1-or-later gfdl-1.2-only gfdl-1.2-or-later gfdl-1.3-only gfdl-1.3-or-later
lppl-1.3c ecl-1.0 ecl-2.0 mpl-2.0-no-copyleft-exception ogl-uk-2.0 ogl-canada-2.0 nlod-1.0
o-uda-1.0 cern-ohl-1.1 cern-ohl-1.2 sspl-1.0 busl-1.1 blueoak-1.0.0
polyform-noncommercial-1.0.0 hippocratic-2.1 afl-2.1 osl-2.1 apsl-2.0 bsd-4-clause-uc
bsd-3-clause-lbnl curl libpng zlib-acknowledgement ofl-1.0 artistic-1.0 nasa-1.3 ncsa ntp
openssl psf-2.0 qpl-1.0 sissl unicode-dfs-2016 wxwindows xnet zpl-2.0 zpl-2.1 mulanpsl-2.0
liliq-p-1.1 nist-pd beerware
""".split()})

# [3.12] RDM rights id -> the legacy id the deposit API reads back. Zenodo inverts its
# legacy->RDM map, so when several legacy ids map to one RDM id the last one wins; these are the
# ids whose readback differs from the RDM id (every other known id reads back unchanged).
RDM_LICENSE_TO_LEGACY = {
    "cc0-1.0": "cc-zero", "mit": "mit-license", "apache-2.0": "apache2.0", "apache-1.0": "apache",
    "gpl-2.0-only": "gpl-2.0", "gpl-3.0-only": "gpl-3.0", "lgpl-2.1-only": "lgpl-2.1",
    "lgpl-3.0-only": "lgpl-3.0", "agpl-3.0-only": "apgl-v3", "cc-by-1.0": "cc-by",
    "cc-by-sa-1.0": "cc-by-sa", "cc-by-nc-2.0": "cc-nc", "aal": "attribution",
    "apl-1.0": "apl1.0", "artistic-2.0": "artistic-license-2.0", "bsd-1-clause": "bsd-license",
    "bsd-2-clause": "bsd-2-clause-netbsd", "bsl-1.0": "bsl1.0", "catosl-1.1": "ca-tosl1.1",
    "cddl-1.0": "cddl1", "cpal-1.0": "cpal_1.0", "cua-opl-1.0": "cuaoffice", "ecl-2.0": "ecl2",
    "efl-2.0": "ver2_eiffel", "epl-1.0": "eclipse-1.0", "frameworx-1.0": "frameworx",
    "ipa": "ipafont", "ipl-1.0": "ibmpl", "isc": "isc-license", "intel": "intel-osl",
    "lal-1.2": "fal", "lpl-1.02": "lucent1.02", "mpl-1.0": "mozilla", "mpl-1.1": "mozilla1.1",
    "nasa-1.3": "nasa1.3", "ncsa": "uoi-ncsa", "ngpl": "nethack", "nposl-3.0": "nosl3.0",
    "ntp": "ntp-license", "oclc-2.0": "oclc2", "odc-by-1.0": "odc-by", "odbl-1.0": "odc-odbl",
    "ogl-canada-2.0": "canada-crown", "ogl-uk-1.0": "uk-ogl", "ogtsl": "opengroup",
    "pddl-1.0": "odc-pddl", "php-3.0": "php", "python-2.0": "pythonpl", "rpl-1.5": "rpl1.5",
    "rpsl-1.0": "real", "rscpl": "ricohpl", "sissl": "sun-issl", "smlnj": "standardml-nj",
    "spl-1.0": "sunpublic", "vsl-1.0": "vovidapl", "watcom-1.0": "sybase", "zlib": "zlib-license",
    "psf-2.0": "pythonsoftfoundation", "ofl-1.0": "openfont", "gfdl-1.1-only": "gfdl",
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
    "10.13039/501100004564": ("01znas443", "Ministry of Education, Science and Technological Development", "MESTD"),
    "10.13039/501100000925": ("011kf5r70", "National Health and Medical Research Council", "NHMRC"),
    "10.13039/501100000038": ("01h531d29", "Natural Sciences and Engineering Research Council of Canada", "NSERC"),
    "10.13039/501100003246": ("04jsz6e67", "Dutch Research Council", "NWO"),
    "10.13039/501100001602": ("0271asj38", "Science Foundation Ireland", "SFI"),
    "10.13039/501100001711": ("00yjd3n13", "Swiss National Science Foundation", "SNSF"),
    "10.13039/100001345": ("006cvnv84", "Social Sciences and Humanities Research Council", "SSHRC"),
    "10.13039/501100004410": ("04w9kkr77", "Scientific and Technological Research Council of Turkey", "TUBITAK"),
    "10.13039/100004440": ("029chgv08", "Wellcome Trust", "WT"),
    "10.13039/501100006364": ("03m8vkq32", "Institut National Du Cancer", "INCa"),
    "10.13039/501100011730": ("00x0z1472", "Templeton World Charity Foundation", "TWCF"),
}
for _doi, (_ror, _name, _acronym) in _MORE_FUNDERS.items():
    FUNDER_DOI_TO_ROR.setdefault(_doi, _ror)
    FUNDER_ROR_TO_DOI.setdefault(_ror, _doi)
    FUNDER_NAMES.setdefault(_doi, (_name, _acronym))


_READ_BACK_TO_RDM = {legacy: rdm for rdm, legacy in RDM_LICENSE_TO_LEGACY.items()}


def rdm_license_for_legacy(license_id: str) -> str | None:
    """The RDM rights id Zenodo stores for a legacy license id, or None if it rejects the id."""
    return LEGACY_LICENSE_TO_RDM.get(license_id.strip().lower())


def rdm_license_for_read_back(read_back_id: str) -> str | None:
    """The RDM id a read-back legacy id stands for, when the reverse table renamed it (§3.12)."""
    return _READ_BACK_TO_RDM.get(read_back_id.strip().lower())


def legacy_license_for_rdm(rdm_id: str) -> str:
    """The license id the deposit API reads back for a stored RDM rights id (§3.12)."""
    return RDM_LICENSE_TO_LEGACY.get(rdm_id, rdm_id)


# [3.6] RDM's Length bounds: a shorter title or description (notes and method included) or a
# longer version is dropped from a draft; a title that short fails publish.
MIN_TEXT_LENGTH = 3
MAX_VERSION_LENGTH = 191

# [5] limits of one record on zenodo.org (invenio.cfg).
MAX_FILES_PER_RECORD = 100
MAX_RECORD_BYTES = 50 * 10**9
MAX_FILE_BYTES = 50 * 10**9


_RELATION_BY_ID = {name.lower(): name for name in RELATION_TYPES}
_CONTRIBUTOR_TYPE_BY_ROLE = {name.lower(): name for name in CONTRIBUTOR_TYPES}


def language_id(code: str) -> str | None:
    """[3.10] The three-letter id the server stores (and reads back) for an ISO 639-1 code, or
    None. Zenodo maps them with pycountry's `alpha_3` (ISO 639-3 / 639-2/T: de -> deu, not ger),
    whose table ships as data/languages.txt."""
    return languages().alpha2.get(code)


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
