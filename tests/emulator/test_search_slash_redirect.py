"""`/api/records/` (trailing slash) redirects to `/api/records`, keeping the query string.

zenodo-rdm's API_REDIRECTOR_RULES `redirect_records_search_slash` (docs/zenodo-behaviour.md §6.1): a 301 to
`url_for("records.search", **request.args)`, so a repeated parameter keeps its first value.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def test_trailing_slash_search_redirects_with_its_query(api):
    response = api.get("/records/", params={"q": "title:rose", "size": "2", "sort": "newest"})
    assert response.status_code == 301
    location = urlsplit(response.headers["Location"])
    assert location.path == "/api/records"
    assert parse_qs(location.query) == {"q": ["title:rose"], "size": ["2"], "sort": ["newest"]}


def test_following_the_redirect_searches(api):
    deposition = api.published()
    direct = api.get("/records", params={"q": f"recid:{deposition['id']}"})
    followed = api.get("/records/", params={"q": f"recid:{deposition['id']}"}, allow_redirects=True)
    assert followed.status_code == 200
    assert [r.status_code for r in followed.history] == [301]
    assert followed.json()["hits"] == direct.json()["hits"]
    assert [hit["id"] for hit in followed.json()["hits"]["hits"]] == [deposition["id"]]


def test_bare_trailing_slash_redirects_without_a_query(api):
    response = api.get("/records/")
    assert response.status_code == 301
    assert urlsplit(response.headers["Location"])[2:4] == ("/api/records", "")


def test_a_repeated_parameter_keeps_its_first_value(api):
    response = api.get("/records/", params=[("communities", "a"), ("communities", "b")])
    assert response.status_code == 301
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"communities": ["a"]}


def test_other_record_routes_are_not_redirected(api):
    deposition = api.published()
    assert api.get(f"/records/{deposition['id']}").status_code == 200
    assert api.get("/records").status_code == 200
