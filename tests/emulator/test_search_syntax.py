"""A query string Lucene cannot parse is a 400 "Invalid query string syntax." on every
search-backed listing (docs/zenodo-behaviour.md §4: OpenSearch's parse error as invenio-records-resources
answers it), not a 200 with no hits; well-formed queries keep working.
"""

from __future__ import annotations

import pytest

from tests.emulator.conftest import VALID_METADATA

LISTINGS = ("/records", "/deposit/depositions", "/user/records")

MALFORMED = [
    "title:((",  # unclosed groups
    "title:)(",  # closed before opened
    "(rose))(",  # one `)` too many
    'title:"unclosed',  # unclosed phrase
    "title:[2020 TO",  # unclosed range
    "title:",  # a field without a value
    "rose AND",  # an operator without its right operand
    "OR rose",  # ... or its left one
    "rose AND OR petals",
    "NOT",
    "title:()",  # an empty group
    "rose \\",  # an escape of nothing
]

WELL_FORMED = [
    "title:rose",
    'title:"Rose scent"',
    "title:(rose OR tulip)",
    "(title:rose) AND NOT title:tulip",
    "rose && -tulip",
    "publication_date:[2000-01-01 TO *]",
    "creators.name:Doe*",
    "title: rose",
]


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_query_is_a_400(api, path, q):
    response = api.get(path, params={"q": q})
    assert response.status_code == 400, (q, response.text)
    assert response.json() == {"status": 400, "message": "Invalid query string syntax."}


@pytest.mark.parametrize("q", WELL_FORMED)
def test_well_formed_queries_still_find_the_record(api, q):
    deposition = api.published(VALID_METADATA)  # "Rose scent GC-MS" by "Doe, Jane"
    records = api.get("/records", params={"q": q})
    assert records.status_code == 200, (q, records.text)
    assert [hit["id"] for hit in records.json()["hits"]["hits"]] == [deposition["id"]]
    listing = api.get("/deposit/depositions", params={"q": q})
    assert listing.status_code == 200, (q, listing.text)
    assert [d["id"] for d in listing.json()] == [deposition["id"]]


def test_versions_search_checks_the_syntax_too(api):
    deposition = api.published()
    response = api.get(f"/records/{deposition['id']}/versions", params={"q": "title:(("})
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid query string syntax."


def test_ranges_and_operator_spellings_filter(api):
    old = api.published({**VALID_METADATA, "publication_date": "2019-08-10"})
    new = api.published({**VALID_METADATA, "title": "Tulip scent", "publication_date": "2024-05-01"})

    def ids(q: str) -> list[int]:
        response = api.get("/records", params={"q": q})
        assert response.status_code == 200, (q, response.text)
        return sorted(hit["id"] for hit in response.json()["hits"]["hits"])

    assert ids("publication_date:[2019-01-01 TO 2019-12-31]") == [old["id"]]
    assert ids("publication_date:{2019-08-10 TO *]") == [new["id"]]  # exclusive lower bound
    assert ids("publication_date:[* TO 2000-01-01]") == []
    assert ids("scent && !tulip") == [old["id"]]
    assert ids("rose || tulip") == sorted([old["id"], new["id"]])
    assert ids("+tulip +scent") == [new["id"]]
