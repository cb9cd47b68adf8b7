"""Search aggregations: the facets Zenodo's record searches return (docs/zenodo-behaviour.md §6.2).

zenodo-rdm's invenio.cfg sets RDM_SEARCH["facets"] to publication_date, access_status,
resource_type, subject and file_type (its custom-field facets are empty today); the user's
records search (RDM_SEARCH_DRAFTS) copies them and the versions search has none. Each facet
answers in invenio-records-resources' labelled shape:

    {"<name>": {"buckets": [{"key", "doc_count", "label", "is_selected"}, ...], "label": "<title>"}}

with `inner` buckets (no label of their own) under each resource type. Terms buckets come in
OpenSearch's default order and size (most documents first, then by key; ten at most); the
publication-date histogram has one bucket per year from the earliest to the latest counted,
bounded to 2000..this year as zenodo-rdm configures it. Counts are over every hit of the query,
not only the page. The emulator offers no facet filters, so `is_selected` is always false.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from zenodo_sync.zenodo import vocabulary as vocab

TERMS_SIZE = 10  # OpenSearch's terms aggregation default
FIRST_YEAR = 2000  # zenodo-rdm invenio.cfg: RDM_FACETS["publication_date"] hard_bounds min "2000"

# invenio-rdm-records services/facets.py: labels of the access_status facet and its values
ACCESS_STATUS_LABELS = {
    "open": "Open",
    "embargoed": "Embargoed",
    "restricted": "Restricted",
    "metadata-only": "Metadata-only",
}

_YEAR = re.compile(r"^-?(\d{4})")


def record_aggregations(hits: Iterable[dict], *, today: str) -> dict:
    """The aggregations of a record search over `hits`: stored drafts/records with their files
    (the `current` rows of records.run_search)."""
    return aggregate(Counter(term for hit in hits for term in hit_terms(hit)), today=today)


def hit_terms(hit: dict) -> list[tuple[str, str]]:
    """What one hit counts in the facets, as distinct (facet, key) pairs: the search index keeps
    them per entry (indexing.entries) so that a search counts them without decoding records."""
    terms = [("year", str(year)) for year in _years(hit)]
    terms += [("access_status", key) for key in _access_status(hit)]
    pair = _resource_type(hit)
    if pair is not None:
        terms.append(("type", pair[0]))
        if pair[1]:
            terms.append(("subtype", f"{pair[0]} {pair[1]}"))
    terms += [("subject", key) for key in _subjects(hit)]
    terms += [("file_type", key) for key in _file_types(hit)]
    return terms


def aggregate(counts: Counter, *, today: str) -> dict:
    """The aggregations from how many hits count each (facet, key) of `hit_terms`."""
    by_facet: dict[str, Counter] = {}
    for (facet, key), count in counts.items():
        by_facet.setdefault(facet, Counter())[key] = count
    return {
        "publication_date": _histogram_by_year(
            by_facet.get("year", Counter()), "Publication date", today=today
        ),
        "access_status": _terms(
            by_facet.get("access_status", Counter()),
            "Access status",
            label=lambda key: ACCESS_STATUS_LABELS.get(key, key),
        ),
        "resource_type": _resource_types(by_facet.get("type", Counter()), by_facet.get("subtype", Counter())),
        "subject": _terms(by_facet.get("subject", Counter()), "Subjects"),
        "file_type": _terms(by_facet.get("file_type", Counter()), "File type", label=str.upper),
    }


# -- what each hit contributes ----------------------------------------------------------------
def _metadata(hit: dict) -> dict:
    return hit["stored"].get("metadata") or {}


def _access_status(hit: dict) -> list[str]:
    """invenio-rdm-records RecordAccess.status; a legacy record always has files enabled."""
    access = hit["stored"].get("access") or {}
    if (access.get("embargo") or {}).get("active"):
        return ["embargoed"]
    if access.get("record", "public") == access.get("files", "public") == "public":
        return ["open"]
    return ["restricted"]


def _resource_type(hit: dict) -> tuple[str, str] | None:
    """(props.type, props.subtype) of the resource-type vocabulary: "image-figure" is
    ("image", "image-figure"); a type without subtypes has an empty subtype."""
    type_id = (_metadata(hit).get("resource_type") or {}).get("id")
    if not type_id:
        return None
    return type_id.split("-")[0], type_id if "-" in type_id else ""


def _subjects(hit: dict) -> list[str]:
    return sorted({s["subject"] for s in _metadata(hit).get("subjects") or [] if s.get("subject")})


def _file_types(hit: dict) -> list[str]:
    """files.types: the extensions of the record's files, lower case (FileRecord.ext)."""
    return sorted(
        {
            obj["key"].rsplit(".", 1)[1].lower()
            for obj in hit.get("files") or []
            if "." in obj["key"].strip(".")
        }
    )


def _years(hit: dict) -> list[int]:
    """The years metadata.publication_date_range covers (an EDTF date or `start/end` interval)."""
    value = str(_metadata(hit).get("publication_date") or "")
    ends = [match.group(1) for part in value.split("/") if (match := _YEAR.match(part.strip()))]
    if not ends:
        return []
    first, last = int(ends[0]), int(ends[-1])
    return list(range(first, last + 1))


# -- bucket shapes ----------------------------------------------------------------------------------
def _bucket(key: str, count: int, label: str) -> dict:
    return {"key": key, "doc_count": count, "label": label, "is_selected": False}


def _ordered(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TERMS_SIZE]


def _terms(counts: Counter, title: str, *, label=lambda key: key) -> dict:
    return {"buckets": [_bucket(key, count, label(key)) for key, count in _ordered(counts)], "label": title}


def _resource_types(types: Counter, subtypes_by_type: Counter) -> dict:
    """NestedTermsFacet on props.type with props.subtype inside, labelled from the vocabulary.
    A type without subtypes (its subtype is "") gets no inner bucket [U]."""
    subtypes: dict[str, Counter] = {}
    for pair, count in subtypes_by_type.items():
        type_key, subtype_key = pair.split(" ", 1)
        subtypes.setdefault(type_key, Counter())[subtype_key] = count
    buckets = []
    for type_key, count in _ordered(types):
        bucket = _bucket(type_key, count, vocab.RESOURCE_TYPE_TITLES.get(type_key, type_key))
        bucket["inner"] = {
            "buckets": [
                _bucket(key, n, vocab.RESOURCE_TYPE_TITLES.get(key, key))
                for key, n in _ordered(subtypes.get(type_key, Counter()))
            ]
        }
        buckets.append(bucket)
    return {"buckets": buckets, "label": "Resource types"}


def _histogram_by_year(counts_by_year: Counter, title: str, *, today: str) -> dict:
    """DateFacet: a yearly date_histogram (format yyyy, min_doc_count 0) within the hard bounds."""
    last_year = int(today[:4])
    counts = Counter(
        {int(year): n for year, n in counts_by_year.items() if FIRST_YEAR <= int(year) <= last_year}
    )
    if not counts:
        return {"buckets": [], "label": title}
    span = range(min(counts), max(counts) + 1)
    return {"buckets": [_bucket(str(year), counts[year], str(year)) for year in span], "label": title}
