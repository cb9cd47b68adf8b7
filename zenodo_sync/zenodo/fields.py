"""The legacy deposit metadata keys: which ones the server keeps, fills in, or bounds (§3.6, §3.10).

Facts about Zenodo, read by the normaliser (what to compare) and the emulator (what to store).
"""

from __future__ import annotations

# §3.10: the details of a publication (journal, conference, imprint, part of a book) in the order
# Zenodo's upload form groups them: optional, each stored as sent once sanitised.
PUBLICATION_DETAILS = (
    "journal_title",
    "journal_volume",
    "journal_issue",
    "journal_pages",
    "conference_title",
    "conference_acronym",
    "conference_dates",
    "conference_place",
    "conference_url",
    "conference_session",
    "conference_session_part",
    "imprint_publisher",
    "imprint_isbn",
    "imprint_place",
    "partof_title",
    "partof_pages",
)
# The free-text ones: all but the conference's website, which must be a URL.
PUBLICATION_DETAIL_FIELDS = tuple(name for name in PUBLICATION_DETAILS if name != "conference_url")
# §3.10: the legacy metadata keys the deposit API stores as text. Anything else is dropped.
TEXT_FIELDS = ("title", "version", "thesis_university", "conference_url", *PUBLICATION_DETAIL_FIELDS)
HTML_FIELDS = ("description", "notes", "method")
KNOWN_FIELDS = frozenset(
    TEXT_FIELDS
    + HTML_FIELDS
    + (
        "upload_type",
        "publication_type",
        "image_type",
        "publication_date",
        "creators",
        "contributors",
        "thesis_supervisors",
        "access_right",
        "embargo_date",
        "license",
        "doi",
        "keywords",
        "subjects",
        "related_identifiers",
        "references",
        "communities",
        "grants",
        "language",
        "locations",
        "dates",
        "custom",
    )
)
# §3.2/§3.10: documented once, silently dropped today.
DROPPED_FIELDS = frozenset({"access_conditions", "prereserve_doi"})

# §3.6: RDM's Length bounds. A shorter title or description (notes and method included) or a
# longer version is dropped from a draft; a title that short fails publish.
MIN_TEXT_LENGTH = 3
MIN_LENGTH_FIELDS = ("title", *HTML_FIELDS)
MAX_VERSION_LENGTH = 191

# §3.6: imprint_publisher omitted => "Zenodo".
DEFAULT_PUBLISHER = "Zenodo"
# §3.6: filled by the server (today's date, its own DOI) when a deposit does not set them.
SERVER_FILLED_UNLESS_SET = ("publication_date", "doi")
