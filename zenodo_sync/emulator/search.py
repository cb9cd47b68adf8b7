"""Search parameters and the query language of Zenodo's listings (zenodo-api.md §3.5, §6.2).

Zenodo hands `q` to OpenSearch after mapping legacy field names (zenodo-rdm queryparser.py
ZENODO_LEGACY_SEARCH_MAP). The emulator understands the part of that language clients use:
``field:value`` and ``field:"a phrase"`` terms, bare words, ``AND``/``OR``/``NOT`` and ``-term``,
``*`` wildcards. Terms are ANDed unless joined by OR (OR binds looser than AND).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass

from zenodo_sync.emulator.errors import ApiError, field_error

DEFAULT_SIZE = 25  # IRRS services/records/config.py
MAX_SIZE_AUTHENTICATED = 100  # ZR params.py ZenodoArgsSchema
MAX_SIZE_ANONYMOUS = 25
MAX_RESULT_WINDOW = 10_000  # IRRS pagination.py

# sort option -> (document key, descending). ZR invenio.cfg LEGACY_SORT_OPTIONS + RDM_SORT_OPTIONS;
# popularity sorts have no data here and fall back to newest.
SORTS: dict[str, tuple[str, bool]] = {
    "bestmatch": ("created", True), "-bestmatch": ("created", False),
    "newest": ("created", True), "oldest": ("created", False),
    "mostrecent": ("created", True), "-mostrecent": ("created", False),
    "publication_date": ("publication_date", False), "-publication_date": ("publication_date", True),
    "publication-desc": ("publication_date", True), "publication-asc": ("publication_date", False),
    "updated-desc": ("updated", True), "updated-asc": ("updated", False),
    "version": ("version_index", True), "-version": ("version_index", False),
    "mostviewed": ("created", True), "-mostviewed": ("created", False),
    "mostdownloaded": ("created", True), "-mostdownloaded": ("created", False),
    "journal": ("title", False), "-journal": ("title", True),
    "conference_session": ("title", False), "-conference_session": ("title", True),
    "title": ("title", False), "-title": ("title", True),
}

# legacy and RDM field names -> the key of a searchable document (records.searchable); the
# legacy names are zenodo-rdm queryparser.py ZENODO_LEGACY_SEARCH_MAP
FIELD_ALIASES = {
    "recid": "id", "id": "id",
    "conceptrecid": "conceptrecid", "parent.id": "conceptrecid",
    "doi": "doi", "pids.doi.identifier": "doi",
    "conceptdoi": "conceptdoi", "parent.pids.doi.identifier": "conceptdoi",
    "owners": "owners", "parent.access.owned_by.user": "owners", "owner": "owners",
    "title": "title", "metadata.title": "title",
    "keywords": "keywords", "metadata.subjects.subject": "keywords",
    "creators.name": "creators", "creators": "creators", "metadata.creators.person_or_org.name": "creators",
    "creators.orcid": "orcids",
    "description": "description", "metadata.description": "description",
    "communities": "communities", "parent.communities.entries.slug": "communities",
    "publication_date": "publication_date", "publicationdate": "publication_date",
    "metadata.publication_date": "publication_date",
    "version": "version_index", "versions.index": "version_index",  # the index, not the label
    "metadata.version": "version",
    "user": "owners",
    "filename": "filenames", "files.entries.key": "filenames",
    "language": "languages", "metadata.languages.id": "languages",
    "access_right": "access_right",
    "type": "type", "upload_type": "type", "resource_type.type": "type",
    "subtype": "subtype", "resource_type.subtype": "subtype",
    "state": "state", "status": "state",
}
TEXT_FIELDS = ("title", "description", "keywords", "creators")
WORD_FIELDS = ("title", "description", "keywords", "creators")  # analysed text: match by words

_TOKEN = re.compile(r'\s*(\(|\)|-?[\w.]+:"[^"]*"|-?[\w.]+:\S+|"[^"]*"|[^\s()]+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchParams:
    q: str
    page: int
    size: int
    sort: str
    all_versions: bool


def parse_params(args, *, authenticated: bool) -> SearchParams:
    """Validate page/size/sort/all_versions as Zenodo's args schema does (zenodo-api.md §3.5)."""
    max_size = MAX_SIZE_AUTHENTICATED if authenticated else MAX_SIZE_ANONYMOUS
    page = _positive_int(args, "page", 1)
    size = _positive_int(args, "size", DEFAULT_SIZE)
    if size > max_size:
        raise field_error("size", f"Must be greater than or equal to 1 and less than or equal to {max_size}.")
    if (page - 1) * size >= MAX_RESULT_WINDOW:
        raise ApiError(400, "Invalid querystring parameters.")
    q = (args.get("q") or "").strip()
    sort = args.get("sort") or ("bestmatch" if q else "newest")
    if sort not in SORTS:
        raise ApiError(400, f"Invalid sort option '{sort}'.")
    return SearchParams(q=q, page=page, size=size, sort=sort, all_versions=_all_versions(args))


def _positive_int(args, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise field_error(name, "Not a valid integer.") from None
    if value < 1:
        raise field_error(name, "Must be greater than or equal to 1.")
    return value


def _all_versions(args) -> bool:
    # `all_versions` (legacy) or `allversions`; a bare `?all_versions` means true (ZR params.py).
    for name in ("all_versions", "allversions"):
        if name in args:
            return args.get(name, "").strip().lower() in ("", "1", "true", "yes", "on")
    return False


def sort_key(sort: str) -> tuple[str, bool]:
    return SORTS[sort]


# -- the query language ------------------------------------------------------------------------
Predicate = Callable[[dict], bool]


def compile_query(q: str) -> Predicate:
    """A predicate over searchable documents: dicts of field -> list of strings."""
    if q.count('"') % 2 or q.count("(") != q.count(")"):
        raise ApiError(400, "Invalid query string syntax.")  # OpenSearch's parse error (zenodo-api.md §4)
    tokens = [t for t in _TOKEN.findall(q) if t not in ("(", ")")]  # grouping is flattened
    if not tokens:
        return lambda doc: True
    alternatives: list[list[tuple[bool, str | None, str]]] = [[]]
    negate_next = False
    for token in tokens:
        if token == "OR":
            alternatives.append([])
            continue
        if token == "AND":
            continue
        if token == "NOT":
            negate_next = True
            continue
        negated = negate_next
        negate_next = False
        if token.startswith("-") and len(token) > 1:
            negated, token = True, token[1:]
        field, value = _split_term(token)
        alternatives[-1].append((negated, field, value))

    def predicate(doc: dict) -> bool:
        return any(
            all(_matches(doc, field, value) != negated for negated, field, value in terms)
            for terms in alternatives if terms
        )

    return predicate


def _split_term(token: str) -> tuple[str | None, str]:
    if ":" in token and not token.startswith('"'):
        field, value = token.split(":", 1)
        if field.lower() in FIELD_ALIASES or not value.startswith("//"):
            return field.lower(), value
    return None, token


def _matches(doc: dict, field: str | None, value: str) -> bool:
    phrase = value.startswith('"') and value.endswith('"') and len(value) >= 2
    value = value.strip('"')
    if field is None:
        if value == "*":
            return True
        return any(_text_match(doc.get(name, []), value, phrase) for name in TEXT_FIELDS)
    key = FIELD_ALIASES.get(field)
    if key is None:
        return False  # an unknown field matches nothing, as in OpenSearch
    values = doc.get(key, [])
    if key in WORD_FIELDS:
        return _text_match(values, value, phrase)
    wanted = value.lower()
    return any(fnmatch.fnmatchcase(str(v).lower(), wanted) for v in values)


def _text_match(values: list[str], value: str, phrase: bool) -> bool:
    if value == "*":
        return bool(values)
    wanted = [w.lower() for w in _WORD.findall(value)]
    if not wanted:
        return False
    for text in values:
        words = [w.lower() for w in _WORD.findall(text)]
        if phrase:
            if " ".join(wanted) in " ".join(words):
                return True
        elif all(any(fnmatch.fnmatchcase(word, w) for word in words) for w in wanted):
            return True
    return False
