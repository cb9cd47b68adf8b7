"""Property: no request, however malformed, makes the emulator answer 500 (issue #12).

Hypothesis builds requests from the emulator's own routes (with real, odd and absurd ids),
query strings of Zenodo's parameters with hostile values, odd headers and bodies (bytes,
deep JSON, big numbers), and sends each over HTTP to one running emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator.server import EmulatorHandle, running_emulator

PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
ODD_NUMBERS = st.sampled_from(
    ["0", "-1", "1.5", "9" * 30, "9" * 5_000, "\u0661\u0662", "\u00b2", "1e3", "0x10", " 1", ""]
)
QUERY_PIECES = st.sampled_from(
    ['"', "(", ")", "[", "]", "{", "}", " TO ", "*", "?", ":", "\\", "AND", "OR", "NOT", "!", "-", "+",
     "title:", "recid:", "recid:[1 TO ", "9" * 5_000, "\u0661", "rose", '"a*b"', "/", "~", "^2", "&&", "||"]
)  # fmt: skip
QUERY = st.lists(QUERY_PIECES, max_size=12).map("".join) | st.just("(" * 3_000 + "x" + ")" * 3_000)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[tuple[EmulatorHandle, dict, dict]]:
    """One emulator for every example: a published record and an open draft to aim at."""
    with running_emulator(tmp_path_factory.mktemp("property") / "data", max_body_size=256 * 1024) as emu:
        api = Api(emu.url, emu.token)
        record = api.published(dict(VALID_METADATA, communities=[{"identifier": "roses"}]))
        draft = api.create(VALID_METADATA)
        yield emu, record, draft


def paths(record: dict, draft: dict) -> st.SearchStrategy[str]:
    ids = st.sampled_from([str(record["id"]), str(draft["id"]), str(record["conceptrecid"])]) | ODD_NUMBERS
    bucket = draft["links"]["bucket"].rsplit("/", 1)[1]
    segment = st.text(PRINTABLE, max_size=12).map(lambda s: quote(s, safe=""))
    templates = st.sampled_from(
        [
            "/api/deposit/depositions",
            "/api/deposit/depositions/{id}",
            "/api/deposit/depositions/{id}/files",
            "/api/deposit/depositions/{id}/files/{seg}",
            "/api/deposit/depositions/{id}/actions/{seg}",
            "/api/deposit/depositions/{id}/actions/publish",
            "/api/deposit/depositions/{id}/formats",
            "/api/files/" + bucket + "/{seg}",
            "/api/files/{seg}/{seg}",
            "/api/records",
            "/api/records/",
            "/api/user/records",
            "/api/records/{id}",
            "/api/records/{id}/versions",
            "/api/records/{id}/versions/latest",
            "/api/records/{id}/files",
            "/api/records/{id}/files/{seg}",
            "/api/records/{id}/files/{seg}/content",
            "/api/records/{id}/files-archive",
            "/api/records/{id}/formats",
            "/api/records/{id}/draft",
            "/api/records/{id}/draft/files/{seg}/content",
            "/api/communities",
            "/api/communities/{seg}",
            "/api/communities/{seg}/records",
            "/records/{id}",
            "/records/{id}/latest",
            "/records/{id}/files/{seg}",
            "/records/{id}/export/{seg}",
            "/doi/10.5072/zenodo.{id}",
            "/10.5072/{seg}",
            "/badge/doi/{seg}.svg",
            "/api/_emulator/faults",
            "/api/_emulator/{seg}",
            "/{seg}/{seg}",
        ]
    )
    return st.builds(
        lambda template, id_, a, b: (
            template.replace("{id}", quote(id_, safe=""), 1).replace("{seg}", a, 1).replace("{seg}", b, 1)
        ),
        templates,
        ids,
        segment,
        segment,
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=20,
)
DEPOSIT_LIKE = st.fixed_dictionaries({"metadata": st.dictionaries(st.sampled_from(
    ["title", "upload_type", "creators", "description", "publication_date", "access_right", "license",
     "keywords", "related_identifiers", "communities", "grants", "version", "language", "embargo_date"]
), JSON_VALUES, max_size=6)})  # fmt: skip
BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    DEPOSIT_LIKE.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 20_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 20_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.just(b'{"spec": ' + b"[" * 3_000 + b"]" * 3_000 + b"}"),
    st.just(b"x" * (300 * 1024)),  # over this emulator's body cap
)
CONTENT_TYPES = st.sampled_from(
    [None, "application/json", "application/octet-stream", "multipart/form-data", "text/plain",
     "application/json; charset=latin-1", "multipart/form-data; boundary=zz", "application/custom+xml", ""]
) | st.text(PRINTABLE, max_size=30)  # fmt: skip
ACCEPTS = st.sampled_from(
    [None, "*/*", "application/json", "application/x-bibtex", "application/vnd.inveniordm.v1+json",
     "application/ld+json", "text/html", "application/vnd.datacite.datacite+xml", ";;;", "*/*;q=x"]
) | st.text(PRINTABLE, max_size=30)  # fmt: skip


@st.composite
def malformed_requests(draw, record: dict, draft: dict, token: str) -> dict:
    params = draw(
        st.dictionaries(
            st.sampled_from(["q", "size", "page", "sort", "all_versions", "allversions", "communities",
                             "type", "subtype", "mimetype", "download", "access_token", "status"]),
            QUERY | ODD_NUMBERS | ANY_TEXT,
            max_size=4,
        )
    )  # fmt: skip
    headers = {}
    # `requests` refuses header values with surrounding white space; the server never sees them.
    if (content_type := draw(CONTENT_TYPES)) is not None and content_type.strip() == content_type:
        headers["Content-Type"] = content_type
    if (accept := draw(ACCEPTS)) is not None and accept.strip() == accept:
        headers["Accept"] = accept
    auth = draw(st.sampled_from([None, f"Bearer {token}", "Bearer nope", "Basic xx", "Bearer"]))
    if auth:
        headers["Authorization"] = auth
    return {
        "method": draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD"])),
        "path": draw(paths(record, draft)),
        "params": params,
        "headers": headers,
        "data": draw(BODIES),
    }


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_no_malformed_request_is_a_500(seeded, data):
    emulator, record, draft = seeded
    origin = emulator.url[: -len("/api")]
    # A fault set by an earlier example would answer its own 5xx: start from none.
    requests.delete(origin + "/api/_emulator/faults", timeout=30)
    request = data.draw(malformed_requests(record, draft, emulator.token))
    response = requests.request(
        request["method"],
        origin + request["path"],
        params=request["params"],
        headers=request["headers"],
        data=request["data"],
        timeout=60,
        allow_redirects=False,
    )
    assert response.status_code < 500, (request["method"], request["path"], response.text[:300])
