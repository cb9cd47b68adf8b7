"""Search parameters and the query language of Zenodo's listings (docs/zenodo-behaviour.md §3.5, §6.2).

Zenodo hands `q` to OpenSearch after mapping legacy field names (zenodo-rdm queryparser.py
ZENODO_LEGACY_SEARCH_MAP). The emulator understands the part of that language clients use:
``field:value`` and ``field:"a phrase"`` terms, bare words, ``AND``/``OR``/``NOT`` (also spelled
``&&``/``||``/``!``), ``-term`` and ``+term``, ``*`` wildcards, ``field:[low TO high]`` ranges
(``{}`` exclusive). Terms are ANDed unless joined by OR (OR binds looser than AND); parentheses
are checked but not honoured. A query Lucene cannot parse is a 400 (`check_syntax`).
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
MAX_NESTING = 100  # groups within groups; the parser below recurses once per level

# sort option -> (document key, descending). ZR invenio.cfg LEGACY_SORT_OPTIONS + RDM_SORT_OPTIONS;
# popularity sorts have no data here and fall back to newest.
SORTS: dict[str, tuple[str, bool]] = {
    "bestmatch": ("created", True),
    "-bestmatch": ("created", False),
    "newest": ("created", True),
    "oldest": ("created", False),
    "mostrecent": ("created", True),
    "-mostrecent": ("created", False),
    "publication_date": ("publication_date", False),
    "-publication_date": ("publication_date", True),
    "publication-desc": ("publication_date", True),
    "publication-asc": ("publication_date", False),
    "updated-desc": ("updated", True),
    "updated-asc": ("updated", False),
    "version": ("version_index", True),
    "-version": ("version_index", False),
    "mostviewed": ("created", True),
    "-mostviewed": ("created", False),
    "mostdownloaded": ("created", True),
    "-mostdownloaded": ("created", False),
    "journal": ("title", False),
    "-journal": ("title", True),
    "conference_session": ("title", False),
    "-conference_session": ("title", True),
    "title": ("title", False),
    "-title": ("title", True),
}

# legacy and RDM field names -> the key of a searchable document (records.searchable); the
# legacy names are zenodo-rdm queryparser.py ZENODO_LEGACY_SEARCH_MAP
FIELD_ALIASES = {
    "recid": "id",
    "id": "id",
    "conceptrecid": "conceptrecid",
    "parent.id": "conceptrecid",
    "doi": "doi",
    "pids.doi.identifier": "doi",
    "conceptdoi": "conceptdoi",
    "parent.pids.doi.identifier": "conceptdoi",
    "owners": "owners",
    "parent.access.owned_by.user": "owners",
    "owner": "owners",
    "title": "title",
    "metadata.title": "title",
    "keywords": "keywords",
    "metadata.subjects.subject": "keywords",
    "creators.name": "creators",
    "creators": "creators",
    "metadata.creators.person_or_org.name": "creators",
    "creators.orcid": "orcids",
    "description": "description",
    "metadata.description": "description",
    "communities": "communities",
    "parent.communities.entries.slug": "communities",
    "publication_date": "publication_date",
    "publicationdate": "publication_date",
    "metadata.publication_date": "publication_date",
    "version": "version_index",
    "versions.index": "version_index",  # the index, not the label
    "metadata.version": "version",
    "user": "owners",
    "filename": "filenames",
    "files.entries.key": "filenames",
    "language": "languages",
    "metadata.languages.id": "languages",
    "access_right": "access_right",
    "type": "type",
    "upload_type": "type",
    "resource_type.type": "type",
    "subtype": "subtype",
    "resource_type.subtype": "subtype",
    "state": "state",
    "status": "state",
}
TEXT_FIELDS = ("title", "description", "keywords", "creators")
WORD_FIELDS = ("title", "description", "keywords", "creators")  # analysed text: match by words

_TOKEN = re.compile(
    r'\s*(\(|\)|-?[\w.]+:"[^"]*"|-?[\w.]+:[\[{][^\]}]*[\]}]|-?[\w.]+:[^\s()]+|"[^"]*"|[^\s()]+)'
)
_SPACE_AFTER_FIELD = re.compile(r'"[^"]*"|(?<=[\w.]):\s+')  # `title: rose` is `title:rose` (phrases kept)
_FIELD_GROUP = re.compile(r'(-?[\w.]+):\(((?:"[^"]*"|[^()"])*)\)')  # `title:(rose OR tulip)`
_OPERATOR_SPELLINGS = {"&&": "AND", "||": "OR", "!": "NOT"}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchParams:
    q: str
    page: int
    size: int
    sort: str
    all_versions: bool


def parse_params(args, *, authenticated: bool) -> SearchParams:
    """Validate page/size/sort/all_versions as Zenodo's args schema does (docs/zenodo-behaviour.md §3.5)."""
    max_size = MAX_SIZE_AUTHENTICATED if authenticated else MAX_SIZE_ANONYMOUS
    page = _positive_int(args, "page", 1)
    size = _positive_int(args, "size", DEFAULT_SIZE)
    if size > max_size:
        raise field_error("size", page_size_message(authenticated))
    if (page - 1) * size >= MAX_RESULT_WINDOW:
        raise ApiError(400, "Invalid querystring parameters.")
    q = (args.get("q") or "").strip()
    sort = args.get("sort") or ("bestmatch" if q else "newest")
    if sort not in SORTS:
        raise ApiError(400, f"Invalid sort option '{sort}'.")
    return SearchParams(q=q, page=page, size=size, sort=sort, all_versions=_all_versions(args))


def page_size_message(authenticated: bool) -> str:
    """zenodo-rdm params.py ZenodoArgsSchema.validate_max_page_size, word for word (§3.5.7)."""
    if authenticated:
        return f"Page size cannot be greater than {MAX_SIZE_AUTHENTICATED}."
    return (
        f"Page size cannot be greater than {MAX_SIZE_ANONYMOUS}. Please use authenticated "
        f"requests to increase the limit to {MAX_SIZE_AUTHENTICATED}."
    )


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
    check_syntax(q)
    q = _SPACE_AFTER_FIELD.sub(lambda m: m.group(0) if m.group(0).startswith('"') else ":", q)
    q = _FIELD_GROUP.sub(_distribute_field, q)
    tokens = [
        _OPERATOR_SPELLINGS.get(t, t) for t in _TOKEN.findall(q) if t not in ("(", ")")
    ]  # grouping is flattened
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
        if token[:1] in "-!" and len(token) > 1:
            negated, token = True, token[1:]
        elif token.startswith("+") and len(token) > 1:
            token = token[1:]  # required: terms are ANDed anyway
        field, value = _split_term(token)
        alternatives[-1].append((negated, field, value))

    def predicate(doc: dict) -> bool:
        return any(
            all(_matches(doc, field, value) != negated for negated, field, value in terms)
            for terms in alternatives
            if terms
        )

    return predicate


# -- syntax check ---------------------------------------------------------------------------------
# The query string is Lucene syntax; one it cannot parse is OpenSearch's query_shard_exception,
# which invenio-records-resources answers 400 "Invalid query string syntax." (docs/zenodo-behaviour.md §4).
_BINARY = ("AND", "OR", "&&", "||")
_UNARY = ("NOT", "!", "+", "-")
_WORD_END = set(' \t\r\n()"')
_RANGE_CLOSE = {"[": "]}", "{": "]}"}  # Lucene lets either bracket close either kind of range


def check_syntax(q: str) -> None:
    """Raise the 400 Zenodo answers for a query its parser rejects: unbalanced or misnested
    parentheses, an unclosed phrase or range, a field without a value, an operator missing
    an operand, an empty group, a trailing escape."""
    tokens = _lex(q)
    if not tokens:
        return  # no query: everything matches
    if _nesting(tokens) > MAX_NESTING:
        raise _syntax_error()  # OpenSearch gives up on such a query with a 400 too (§4.4)
    position = _expression(tokens, 0, nested=False)
    if position != len(tokens):
        raise _syntax_error()  # a `)` without its `(`


def _nesting(tokens: list[str]) -> int:
    depth = deepest = 0
    for token in tokens:
        if token == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif token == ")":
            depth -= 1
    return deepest


def _syntax_error() -> ApiError:
    return ApiError(400, "Invalid query string syntax.")


def _lex(q: str) -> list[str]:
    """Tokens: "(", ")", binary and unary operators, "FIELD" (a `name:` awaiting its value) and
    "TERM" (a word, a phrase or a range)."""
    tokens: list[str] = []
    i, n = 0, len(q)
    while i < n:
        char = q[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(char)
            i += 1
        elif char == '"':
            i = _skip_to(q, i + 1, '"')
            tokens.append("TERM")
        elif char in _RANGE_CLOSE:
            i = _skip_to(q, i + 1, _RANGE_CLOSE[char])
            tokens.append("TERM")
        else:
            start = i
            while i < n and q[i] not in _WORD_END:
                if q[i] == "\\":
                    i += 1
                    if i == n:
                        raise _syntax_error()  # a backslash escaping nothing
                i += 1
                if q[i - 1] == ":" and i < n and q[i] in "[{":
                    break  # `field:[a TO b]`: the range is lexed on its own
            word = q[start:i]
            if word in _BINARY or word in _UNARY:
                tokens.append(word)
            elif word.endswith(":") and not word.endswith("\\:"):
                tokens.append("FIELD")
            else:
                tokens.append("TERM")
    return tokens


def _skip_to(q: str, i: int, closers: str) -> int:
    """The index after the first unescaped closer from `i`; none is a syntax error."""
    while i < len(q):
        if q[i] == "\\":
            i += 2
            continue
        if q[i] in closers:
            return i + 1
        i += 1
    raise _syntax_error()


def _expression(tokens: list[str], i: int, *, nested: bool) -> int:
    """clause ((AND|OR)? clause)*; returns the index after it (at a `)` when nested)."""
    i = _clause(tokens, i)
    while i < len(tokens) and tokens[i] != ")":
        if tokens[i] in _BINARY:
            i += 1
        i = _clause(tokens, i)
    if nested and i == len(tokens):
        raise _syntax_error()  # a `(` never closed
    return i


def _clause(tokens: list[str], i: int) -> int:
    while i < len(tokens) and tokens[i] in _UNARY:
        i += 1
    if i == len(tokens):
        raise _syntax_error()  # an operator with nothing after it
    token = tokens[i]
    if token == "FIELD":
        i += 1
        if i == len(tokens) or tokens[i] not in ("TERM", "("):
            raise _syntax_error()  # `title:` without a value
        token = tokens[i]
    if token == "TERM":
        return i + 1
    if token == "(":
        if i + 1 < len(tokens) and tokens[i + 1] == ")":
            raise _syntax_error()  # an empty group
        i = _expression(tokens, i + 1, nested=True)
        return i + 1  # past the `)`
    raise _syntax_error()  # `)` or a binary operator where a clause should start


def _distribute_field(match: re.Match) -> str:
    """`title:(rose OR tulip)` is `(title:rose OR title:tulip)`: the field applies to each term."""
    field, inner = match.group(1), match.group(2)
    terms = re.findall(r'"[^"]*"|\S+', inner)
    spelled = [term if term in _BINARY or term in _UNARY else f"{field}:{term}" for term in terms]
    return "(" + " ".join(spelled) + ")"


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
        if value == "*" and not phrase:
            return True
        return any(_text_match(doc.get(name, []), value, phrase) for name in TEXT_FIELDS)
    key = FIELD_ALIASES.get(field)
    if key is None:
        return False  # an unknown field matches nothing, as in OpenSearch
    values = doc.get(key, [])
    if value[:1] in "[{" and value[-1:] in "]}":
        return any(_in_range(str(v), value) for v in values)
    if key in WORD_FIELDS:
        return _text_match(values, value, phrase)
    wanted = value.lower()
    if phrase:
        # Inside quotes `*` and `?` are plain characters: an exact value (§6.2.5).
        return any(str(v).lower() == wanted for v in values)
    return any(fnmatch.fnmatchcase(str(v).lower(), _lucene_wildcards(wanted)) for v in values)


def _lucene_wildcards(pattern: str) -> str:
    # Lucene's wildcards are `*` and `?` only; fnmatch's `[...]` classes are literal text there.
    return pattern.replace("[", "[[]")


def _in_range(value: str, spec: str) -> bool:
    """`[low TO high]` (inclusive) or `{low TO high}` (exclusive), `*` open; ISO dates compare
    as strings, integers (ids, version indexes) as numbers."""
    parts = spec[1:-1].split(" TO ")
    if len(parts) != 2:
        return False
    low, high = (part.strip().strip('"') for part in parts)

    def key(text: str):
        # Integers compare as numbers without int(): a 5,000-digit bound is beyond Python's
        # int-from-string limit, and only ASCII digits make a number (§6.2.5).
        if text.isascii() and text.isdigit():
            digits = text.lstrip("0") or "0"
            return (0, len(digits), digits)
        return (1, 0, text)

    if low != "*" and (key(value) < key(low) or (spec[0] == "{" and key(value) == key(low))):
        return False
    return high == "*" or key(value) < key(high) or (spec[-1] == "]" and key(value) == key(high))


def _text_match(values: list[str], value: str, phrase: bool) -> bool:
    if value == "*" and not phrase:
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
