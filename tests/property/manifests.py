"""Hypothesis strategies for zsync manifests, drawn over every field of the manifest schema.

`manifests()` draws a manifest as plain data (the dict a YAML file holds), with the files it
lists. Values are realistic most of the time and adversarial often enough to matter: unicode of
every category, HTML, entities, curly quotes, ligatures, zero-width and surrounding whitespace,
and values as long as the schema allows. Zenodo rewrites exactly these (§3.10, §3.11), so they
are where a manifest that validates could still fail to converge.

Not every draw is valid: the test keeps only manifests zsync's own validator accepts without
an error. The strategies aim at valid ones so that little is thrown away.
"""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

from zenodo_sync.manifest.schema_source import _resource_types
from zenodo_sync.zenodo import vocabulary as vocab
from zenodo_sync.zenodo.fields import MAX_VERSION_LENGTH, PUBLICATION_DETAIL_FIELDS
from zenodo_sync.zenodo.identifiers import orcid_check_digit, stored_gnd
from zenodo_sync.zenodo.licenses import accepted_license_ids
from zenodo_sync.zenodo.vocabulary import languages

# --- text -------------------------------------------------------------------------------

WORDS = (
    "rose",
    "petal",
    "volatiles",
    "GC-MS",
    "core",
    "IODP",
    "Expedition",
    "374",
    "reflectance",
    "Müller",
    "Łukasiewicz",
    "Ørsted",
    "Ñandú",
    "José",
    "Zoë",
    "naïve",
    "São Paulo",
    "Þórr",
    "北京大学",
    "東京",
    "서울",
    "Москва",
    "Αθήνα",
    "القاهرة",
    "תל אביב",
    "हिन्दी",
    "🌹",
    "🧪",
    "data",
    "set",
    "v1.0",
    "(2024)",
    "—",
    "–",
    "…",
    "%",
    "#",
    "@",
    "~",
    "^",
    "\\",
    "|",
)
# The pieces Zenodo's sanitiser rewrites (§3.11): whitespace of every kind, quotes, entities,
# ligatures, full-width letters, combining marks, characters XML forbids, line endings.
TRICKY = (
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u00a0",
    "\u2003",
    "\u200b",
    "\ufeff",
    "\u2028",
    "\u0085",
    "“",
    "”",
    "‘",
    "’",
    "«",
    "»",
    "&amp;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&#39;",
    "&",
    "<",
    ">",
    "'",
    '"',
    "ﬁ",
    "ﬂ",
    "Ａ",
    "Ｂ",
    "１",
    "e\u0301",
    "A\u030a",
    "\u00ad",
    "\x07",
    "\x1b",
    "\ufffe",
    "\U0001f600",
    "Ã©",
    "â€™",
    "a\u0000b",
)
HTML_PIECES = (
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<em>",
    "</em>",
    "<strong>",
    "</strong>",
    "<br>",
    "<br/>",
    "<h1>",
    "</h1>",
    "<h6>",
    "</h6>",
    "<ul><li>",
    "</li></ul>",
    "<ol><li>",
    "<a href='https://example.org/?a=1&b=2'>",
    '<a href="javascript:alert(1)">',
    "</a>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<span class="x" lang="en">',
    "</span>",
    '<table><tr><td style="width: 10px; color: red">',
    "</td></tr></table>",
    '<div dir="rtl">',
    "</div>",
    "<!-- comment -->",
    "<code>",
    "</code>",
    "<pre>\n  x\n</pre>",
    "<sub>2</sub>",
    "<sup>3</sup>",
    "<blockquote>",
    "</blockquote>",
    "<p",
    "</",
    "<<",
    "<>",
    "<P>",
    "<B>",
    "<unknown>",
    "</unknown>",
    "<abbr title='t'>",
    "</abbr>",
)
MARKDOWN_PIECES = (
    "# ",
    "## ",
    "\n\n",
    "\n",
    "*",
    "**",
    "_",
    "`",
    "```\ncode\n```",
    "- ",
    "1. ",
    "> ",
    "[link](https://example.org)",
    "<https://example.org>",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "~~gone~~",
    "\\*",
    "    indented\n",
    "---\n",
    "![img](x.png)",
    "<b>raw</b>",
    "&copy;",
)

_unicode = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)


def _joined(pieces: st.SearchStrategy[str], min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(pieces, min_size=min_size, max_size=max_size).map("".join)


def _repeated(piece: st.SearchStrategy[str], max_length: int) -> st.SearchStrategy[str]:
    """A very long value (up to `max_length` characters) without drawing every character."""
    return st.tuples(piece, st.integers(1, max_length)).map(
        lambda pair: (pair[0] * (max_length // max(len(pair[0]), 1) + 1))[: pair[1]]
    )


def text(*, min_size: int = 1, max_length: int = 2000) -> st.SearchStrategy[str]:
    """Plain text: words mostly, with every kind of rewrite bait mixed in, sometimes long."""
    word = st.sampled_from(WORDS)
    realistic = st.lists(word, min_size=1, max_size=8).map(" ".join)
    adversarial = _joined(st.one_of(word, st.sampled_from(TRICKY), _unicode), 1, 10)
    long = _repeated(st.one_of(realistic, adversarial), max_length)
    drawn = st.one_of(realistic, realistic, adversarial, adversarial, long)
    return drawn.filter(lambda value: len(value) >= min_size)


def html(*, max_length: int = 20000) -> st.SearchStrategy[str]:
    """HTML as people paste it: allowed and forbidden tags, attributes, entities, broken markup."""
    piece = st.one_of(st.sampled_from(HTML_PIECES), st.sampled_from(WORDS), st.sampled_from(TRICKY), _unicode)
    fragment = _joined(piece, 1, 16)
    return st.one_of(fragment, fragment, _repeated(fragment, max_length)).filter(lambda v: len(v) >= 3)


def markdown() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(MARKDOWN_PIECES), st.sampled_from(WORDS), st.sampled_from(TRICKY))
    return _joined(piece, 1, 20).filter(lambda v: len(v) >= 3)


def padded(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value as typed, sometimes with stray whitespace around it."""
    space = st.sampled_from(("", "", "", " ", "  ", "\t", "\n", "\u00a0"))
    return st.tuples(space, value, space).map("".join)


# --- identifiers --------------------------------------------------------------------------


def _orcid_from(base: int) -> str:
    digits = f"{base:015d}"
    full = digits + orcid_check_digit(digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


# Mostly iDs in the ranges ORCID issues (0000-0001-5000-0007..0000-0003-5000-0001 and
# 0009-0000-0000-0000..0009-0010-0000-0000), sometimes any 15 digits: the validator refuses an
# iD Zenodo would drop, so what passes must converge.
_ORCID_BASES = st.one_of(  # the first 15 digits, as one number
    st.integers(15_000_000, 35_000_000),
    st.integers(900_000_000_000, 900_099_999_999),
    st.integers(0, 10**15 - 1),
)
orcids = st.tuples(
    _ORCID_BASES.map(_orcid_from), st.sampled_from(("", "", "https://orcid.org/", "http://orcid.org/"))
).map(lambda pair: pair[1] + pair[0])
gnds = st.one_of(
    st.sampled_from(
        (
            "118540238",
            "4074335-4",
            "1012345678",
            "gnd:118540238",
            "GND:118540238",
            "https://d-nb.info/gnd/118540238",
        )
    ),
    st.from_regex(r"\A[1-9][0-9]{6,7}-?[0-9X]\Z").filter(lambda gnd: stored_gnd(gnd) == gnd),
)

# One detectable identifier per scheme Zenodo allows, in the forms people write (§3.10).
IDENTIFIER_EXAMPLES = (
    "10.1234/abc",
    "10.1038/s41588-018-0110-3",
    "https://doi.org/10.5281/zenodo.2598799",
    "doi:10.1234/ABC.def",
    "http://dx.doi.org/10.1000/182",
    "arXiv:1310.2590",
    "1310.2590",
    "arXiv:hep-th/9901001",
    "2002ApJ...573..176C",
    "hdl:1234/5678",
    "1234/5678",
    "978-3-16-148410-0",
    "0-306-40615-2",
    "0317-8471",
    "https://example.org/data?x=1&y=2",
    "https://example.org/ünïcode/path",
    "urn:nbn:de:101:1-201102033592",
    "pmid:12345678",
    "12345678",
    "http://purl.org/dc/terms/",
    "ark:/13030/tf5p30086k",
    "urn:lsid:ubio.org:namebank:11815",
    "4006381333931",
    "0000000121032683",
    "RRID:AB_2178887",
    "https://w3id.org/ro/crate",
    "Q42",
    "wikidata:Q42",
    "ftp://example.org/file",
)
# Identifiers of every scheme Zenodo detects, plus what it cannot detect and zsync's own marker
# scheme: the validator refuses those two, so what passes must converge.
related_identifier_values = st.one_of(
    st.sampled_from(IDENTIFIER_EXAMPLES),
    st.from_regex(r"\A10\.[0-9]{4,6}/[A-Za-z0-9._;()/-]{1,30}\Z"),
    st.from_regex(r"\Ahttps://[a-z]{1,10}\.(org|net|de)/[A-Za-z0-9._~%/-]{0,30}\Z"),
    st.sampled_from(("see our website", "urn:zsync:rose", "URN:ZSYNC:other:key")),
).map(str.strip)


# --- vocabularies ------------------------------------------------------------------------

_languages = languages()
LANGUAGE_CODES = sorted(_languages.alpha3)[::7] + sorted(_languages.alpha2)
# Every id Zenodo's license table accepts, and a few it refuses or keeps only as a title (the
# validator refuses those).
LICENSE_IDS = [*sorted(accepted_license_ids()), "3d-slicer-1.0", "fal", "gfdl", "not-a-license"]
FUNDER_DOIS = sorted(vocab.FUNDER_DOI_TO_ROR)


def _case_variants(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from((value, value, value.upper(), value.title()))


licenses = (
    st.sampled_from(LICENSE_IDS)
    .flatmap(_case_variants)
    .flatmap(lambda lid: st.sampled_from((lid, {"id": lid}, f" {lid} ")))
)


def _real_date(precision: str) -> st.SearchStrategy[str]:
    day = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))
    return day.map(lambda d: d.isoformat()[: {"year": 4, "month": 7, "day": 10}[precision]])


edtf_dates = st.sampled_from(("year", "month", "day", "day")).flatmap(_real_date)


def future_days() -> st.SearchStrategy[str]:
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return st.integers(2, 3650).map(lambda n: (today + datetime.timedelta(days=n)).isoformat())


# --- metadata fields ---------------------------------------------------------------------


def person(*, with_type: bool) -> st.SearchStrategy[dict]:
    name = st.one_of(
        st.tuples(text(max_length=200), text(max_length=200)).map(lambda p: f"{p[0]}, {p[1]}"),
        st.tuples(text(max_length=60), text(max_length=60)).map(lambda p: f"{p[0]},{p[1]}"),
        text(max_length=300),
    )
    fields = {
        "affiliation": st.one_of(st.none(), text(max_length=300)),
        "orcid": orcids,
        "gnd": gnds,
    }
    required = {"name": name}
    if with_type:
        required["type"] = st.sampled_from(vocab.CONTRIBUTOR_TYPES)
    return st.fixed_dictionaries(required, optional=fields)


related_identifiers = st.fixed_dictionaries(
    {"identifier": padded(related_identifier_values), "relation": st.sampled_from(vocab.RELATION_TYPES)},
    optional={
        "resource_type": st.sampled_from(_resource_types()),
        "scheme": st.sampled_from(vocab.IDENTIFIER_SCHEMES),
    },
)
subjects = st.fixed_dictionaries(
    {
        "term": text(max_length=200),
        "identifier": st.one_of(
            text(max_length=100),
            st.sampled_from(("http://id.loc.gov/authorities/subjects/sh85094201", "https://w3id.org/x")),
        ),
    },
    optional={"scheme": st.one_of(st.sampled_from(("url", "lcsh", "")), text(max_length=30))},
)
community_slugs = st.from_regex(r"\A[a-z0-9][a-z0-9_-]{0,30}\Z").filter(bool)
communities = st.one_of(community_slugs, community_slugs.map(lambda slug: {"identifier": slug}))
award_numbers = st.from_regex(r"\A[0-9A-Za-z][0-9A-Za-z/_.-]{0,15}\Z")
grant_ids = st.one_of(
    st.tuples(st.sampled_from(FUNDER_DOIS), award_numbers).map(lambda p: f"{p[0]}::{p[1]}"),
    st.just("10.13039/501100000781::101001"),  # ERC: outside Zenodo's funder table, refused
    award_numbers.filter(lambda award: ":" not in award),  # a bare EC award number
)
grants = st.one_of(grant_ids, grant_ids.map(lambda gid: {"id": gid}))
date_entries = st.fixed_dictionaries(
    {"type": st.sampled_from([*vocab.DATE_TYPES, *(t.capitalize() for t in vocab.DATE_TYPES)])},
    optional={"start": edtf_dates, "end": edtf_dates, "description": text(max_length=300)},
).filter(lambda entry: "start" in entry or "end" in entry)
coordinates = st.one_of(
    st.just(0), st.integers(-90, 90), st.floats(-90, 90, allow_nan=False, allow_infinity=False)
)
locations = st.fixed_dictionaries(
    {"place": text(max_length=300)},
    optional={
        "lat": coordinates,
        "lon": st.one_of(
            st.just(0), st.integers(-180, 180), st.floats(-180, 180, allow_nan=False, allow_infinity=False)
        ),
        "description": text(max_length=300),
    },
)
custom_fields = st.fixed_dictionaries(
    {},
    optional={
        "dwc:basisOfRecord": st.lists(
            st.sampled_from(("HumanObservation", "PreservedSpecimen")), min_size=1, max_size=2, unique=True
        ),
        "dwc:family": st.lists(st.sampled_from(("Rosaceae", "Felidae")), min_size=1, max_size=2, unique=True),
        "ac:captureDevice": st.lists(st.sampled_from(("Canon EOS", "Nikon D850")), min_size=1, max_size=1),
    },
)

PLAIN_TEXT_FIELDS = (*PUBLICATION_DETAIL_FIELDS, "thesis_university")


@st.composite
def metadata(draw, *, description_format: str = "html") -> dict:
    upload_type = draw(st.sampled_from(vocab.UPLOAD_TYPES))
    data: dict = {"upload_type": upload_type}
    if upload_type == "publication" or draw(st.integers(0, 9)) == 0:
        data["publication_type"] = draw(st.sampled_from(vocab.PUBLICATION_TYPES))
    if upload_type == "image" or draw(st.integers(0, 9)) == 0:
        data["image_type"] = draw(st.sampled_from(vocab.IMAGE_TYPES))
    data["title"] = draw(text(min_size=3, max_length=1000))
    data["creators"] = draw(st.lists(person(with_type=False), min_size=1, max_size=4))

    access = draw(st.sampled_from((None, "open", "embargoed", "restricted", "closed")))
    if access is not None:
        data["access_right"] = access
    if access == "embargoed":
        data["embargo_date"] = draw(future_days())
    if access == "restricted" or (access and draw(st.booleans())):
        data["access_conditions"] = draw(html(max_length=2000))
    if access in (None, "open", "embargoed") or draw(st.booleans()):
        data["license"] = draw(licenses)

    if description_format == "markdown":
        description = st.one_of(markdown(), text(min_size=3))
    elif description_format == "text":
        description = text(min_size=3, max_length=5000)
    else:
        description = html()
    optional = {
        "description": description,
        "publication_date": edtf_dates,
        "contributors": st.lists(person(with_type=True), max_size=4),
        "thesis_supervisors": st.lists(person(with_type=False), max_size=2),
        "notes": html(max_length=5000),
        "method": html(max_length=5000),
        "doi": st.one_of(
            st.from_regex(r"\A10\.[0-9]{4,9}/[A-Za-z0-9._;()/:-]{1,40}\Z"),
            st.sampled_from(("10.5281/zenodo.1234567", "10.1234/ÄÖü-ß", "10.1234/a<b>&c", "10.1234/ABC.def")),
        ),
        "prereserve_doi": st.booleans(),
        "keywords": st.lists(text(max_length=200), max_size=6),
        "subjects": st.lists(subjects, max_size=3),
        "related_identifiers": st.lists(related_identifiers, max_size=5),
        "references": st.lists(text(max_length=1000), max_size=4),
        "communities": st.lists(communities, max_size=3),
        "grants": st.lists(grants, max_size=3),
        "conference_url": st.sampled_from(
            ("https://example.org/conference", "http://conf.example.net/2024?x=1")
        ),
        "version": text(max_length=MAX_VERSION_LENGTH).filter(lambda v: len(v) <= MAX_VERSION_LENGTH),
        "language": st.sampled_from(LANGUAGE_CODES),
        "locations": st.lists(locations, max_size=3),
        "dates": st.lists(date_entries, max_size=3),
        "custom": custom_fields,
        **{name: text(max_length=500) for name in PLAIN_TEXT_FIELDS},
        "imprint_publisher": text(max_length=500),
    }
    chosen = draw(st.sets(st.sampled_from(sorted(optional)), max_size=len(optional)))
    for name in sorted(chosen):
        data[name] = draw(optional[name])
    return data


FILE_NAMES = (
    "data.csv",
    "readme.txt",
    "Ünïcode café.csv",
    "with space.dat",
    "a-b_c.1.json",
    "ŁÓDŹ.txt",
    "北京.csv",
    "UPPER.CSV",
)


@st.composite
def manifests(draw) -> tuple[dict, dict[str, bytes]]:
    """(manifest data, {file name: content}) for one dataset."""
    description_format = draw(st.sampled_from(("html", "html", "markdown", "text")))
    publish = draw(st.sampled_from((True, True, True, False, None)))
    # Zenodo publishes no record without files, and takes no empty file: the validator refuses both.
    content = st.binary(min_size=1, max_size=64)
    files = draw(
        st.dictionaries(
            st.sampled_from(FILE_NAMES), content, min_size=0 if publish is False else 1, max_size=3
        )
    )
    manifest: dict = {}
    if draw(st.booleans()):
        manifest["id"] = draw(
            st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,20}(/[A-Za-z0-9][A-Za-z0-9._-]{0,10})?\Z")
        )
    if publish is not None:
        manifest["publish"] = publish
    if description_format != "html" or draw(st.booleans()):
        manifest["description_format"] = description_format
    manifest["metadata"] = draw(metadata(description_format=description_format))
    manifest["files"] = sorted(files)
    return manifest, files
