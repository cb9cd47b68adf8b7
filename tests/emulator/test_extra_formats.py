"""The legacy API's extra formats (docs/zenodo-behaviour.md §3.14), step by step as zenodo-rdm's own
test walks them (site/tests/legacy/test_extra_formats.py), over HTTP."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import VALID_METADATA

MIMETYPE = "application/custom+xml"
NO_MIMETYPE = {"status": 400, "message": "Invalid extra format MIMEType."}


@pytest.fixture
def published(api) -> dict:
    return api.published(VALID_METADATA)


def format_urls(record: dict) -> tuple[str, str]:
    return (f"/deposit/depositions/{record['id']}/formats", f"/records/{record['id']}/formats")


def test_extra_formats_lifecycle(api, published):
    deposit_url, record_url = format_urls(published)
    for url in (deposit_url, record_url):
        assert api.get(url, headers={"Accept": MIMETYPE}).status_code == 404
        assert api.get(url, params={"mimetype": MIMETYPE}).status_code == 404
        no_type = api.get(url, headers={"Accept": None})
        assert no_type.status_code == 400 and no_type.json() == NO_MIMETYPE
        listing = api.request("OPTIONS", url)
        assert listing.status_code == 200 and listing.json() == []

    put = api.put(deposit_url, data=b"custom xml", headers={"Content-Type": MIMETYPE})
    assert put.status_code == 200
    assert put.json() == {"message": f'Extra format "{MIMETYPE}" updated.'}

    for url in (deposit_url, record_url):
        assert api.get(url, headers={"Accept": MIMETYPE}).content == b"custom xml"
        assert api.get(url, params={"mimetype": MIMETYPE}).content == b"custom xml"
        assert api.get(url, headers={"Accept": None}).json() == NO_MIMETYPE
        (entry,) = api.request("OPTIONS", url).json()
        assert entry["key"] == MIMETYPE
        assert entry["mimetype"] == "application/octet-stream"
        assert entry["checksum"] == "md5:e021897cee95295e216a1f911697bee9"
        assert entry["size"] == 10
        assert entry["status"] == "completed"
        assert entry["storage_class"] == "L"

    replaced = api.put(deposit_url, data=b"<better/>", headers={"Content-Type": MIMETYPE})
    assert replaced.status_code == 200
    assert api.get(record_url, params={"mimetype": MIMETYPE}).content == b"<better/>"

    deleted = api.delete(deposit_url, headers={"Content-Type": MIMETYPE})
    assert deleted.status_code == 200
    assert deleted.json() == {"message": f'Extra format "{MIMETYPE}" deleted.'}
    for url in (deposit_url, record_url):
        assert api.get(url, headers={"Accept": MIMETYPE}).status_code == 404
        assert api.get(url, params={"mimetype": MIMETYPE}).status_code == 404
        assert api.get(url, headers={"Accept": None}).status_code == 400
    again = api.delete(deposit_url, headers={"Content-Type": MIMETYPE})
    assert again.status_code == 404
    assert again.json()["message"] == f"Record '{published['id']}' has no file '{MIMETYPE}'."


def test_extra_formats_on_a_draft(api, anonymous):
    draft = api.create(VALID_METADATA)
    deposit_url, record_url = format_urls(draft)
    assert (
        api.put(deposit_url, data=b"{}", headers={"Content-Type": "application/x-custom+json"}).status_code
        == 200
    )
    assert api.get(deposit_url, params={"mimetype": "application/x-custom+json"}).content == b"{}"
    assert [e["key"] for e in api.request("OPTIONS", deposit_url).json()] == ["application/x-custom+json"]
    # The records API knows no draft; others may not read it.
    assert api.request("OPTIONS", record_url).status_code == 404
    assert anonymous.request("OPTIONS", deposit_url).status_code == 403


def test_extra_formats_refusals(api, other, anonymous, published):
    deposit_url, record_url = format_urls(published)
    # Writes name the format by Content-Type, and are the owner's.
    no_type = api.put(deposit_url, data=b"x", headers={"Content-Type": None})
    assert no_type.status_code == 400 and no_type.json() == NO_MIMETYPE
    assert other.put(deposit_url, data=b"x", headers={"Content-Type": MIMETYPE}).status_code == 403
    assert anonymous.put(deposit_url, data=b"x", headers={"Content-Type": MIMETYPE}).status_code == 403
    assert api.put(deposit_url, data=b"", headers={"Content-Type": MIMETYPE}).status_code == 400
    # The records URL is read-only; unknown ids do not exist.
    assert api.put(record_url, data=b"x", headers={"Content-Type": MIMETYPE}).status_code == 405
    assert api.request("OPTIONS", "/records/999999/formats").status_code == 404
    # A published record's formats are public.
    api.put(deposit_url, data=b"public", headers={"Content-Type": MIMETYPE})
    assert anonymous.get(record_url, params={"mimetype": MIMETYPE}).content == b"public"


def test_post_on_the_versions_of_a_draft_is_404(api, published):
    draft = api.create(VALID_METADATA)
    response = api.post(f"/records/{draft['id']}/versions")
    assert response.status_code == 404
    assert response.json()["message"] == "The persistent identifier is not registered."
    unknown = api.post("/records/999999/versions")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "The persistent identifier does not exist."
