"""Search details as zenodo.org has them: page-size messages word for word (§3.5.2) and quoted
values matched exactly, with no wildcard inside the quotes (§6.2.5)."""

from __future__ import annotations

from tests.emulator.conftest import VALID_METADATA


def size_error(response) -> list[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] == "A validation error occurred."
    (error,) = body["errors"]
    assert error["field"] == "size"
    return error["messages"]


def test_page_size_messages_for_users_and_guests(api, anonymous):
    # zenodo-rdm params.py ZenodoArgsSchema.validate_max_page_size
    user = ["Page size cannot be greater than 100."]
    guest = [
        "Page size cannot be greater than 25. Please use authenticated requests to increase the limit to 100."
    ]
    assert size_error(api.get("/records", params={"size": 101})) == user
    assert size_error(api.get("/deposit/depositions", params={"size": 1000})) == user
    assert size_error(api.get("/user/records", params={"size": 101})) == user
    assert size_error(anonymous.get("/records", params={"size": 26})) == guest


def test_quoted_values_are_exact(api, anonymous):
    api.published(dict(VALID_METADATA, version="v1*beta"))
    plain = api.published(dict(VALID_METADATA, version="v1-beta"))

    def versions(query: str) -> list[str]:
        hits = anonymous.get("/records", params={"q": query}).json()["hits"]["hits"]
        return sorted(hit["metadata"]["version"] for hit in hits)

    assert versions("metadata.version:v1*") == ["v1*beta", "v1-beta"]  # a wildcard outside quotes
    assert versions('metadata.version:"v1*"') == []  # inside quotes `*` is a character
    assert versions('metadata.version:"v1*beta"') == ["v1*beta"]
    assert versions('metadata.version:"V1-BETA"') == ["v1-beta"]
    assert versions('"*"') == []
    # `[` is no wildcard in Lucene either.
    assert versions("metadata.version:v[1]-beta") == []
    assert plain["metadata"]["version"] == "v1-beta"
