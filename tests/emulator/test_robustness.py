"""Malformed requests that used to be 500s: each answered as zenodo.org answers it (§4.4, §5.2.4).

Over real HTTP to a running emulator; the raw-socket tests send what `requests` cannot
(broken chunked encoding).
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.test import Client

from tests.emulator.conftest import VALID_METADATA, Api
from zenodo_sync.emulator.app import build_app
from zenodo_sync.emulator.config import EmulatorConfig
from zenodo_sync.emulator.server import running_emulator
from zenodo_sync.emulator.store import remove_abandoned_uploads


def raw_request(url: str, head: str, body: bytes) -> tuple[int, bytes]:
    """Send bytes as they are; returns the status and the response body."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def test_deeply_nested_json_body_is_400(api):
    nested = "[" * 100_000 + "]" * 100_000
    response = api.post("/deposit/depositions", data=nested, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to decode JSON data in request body."
    # Real metadata nests a few levels: still fine.
    assert api.create(VALID_METADATA)["metadata"]["title"] == VALID_METADATA["title"]


def test_nested_json_to_the_fault_endpoint_is_400(emulator):
    response = requests.post(emulator.url + "/_emulator/faults", data="{" * 50_000, timeout=30)
    assert response.status_code == 400
    nested = '{"spec": ' + "[" * 5_000 + "]" * 5_000 + "}"
    assert requests.post(emulator.url + "/_emulator/faults", data=nested, timeout=30).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "(" * 5_000 + "rose" + ")" * 5_000,
        "(" * 101 + "rose" + ")" * 101,
    ],
)
def test_deeply_nested_query_is_a_syntax_error(anonymous, query):
    response = anonymous.get("/records", params={"q": query})
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid query string syntax."


def test_moderately_nested_query_still_runs(api, anonymous):
    record = api.published()
    query = "(" * 20 + f"recid:{record['id']}" + ")" * 20
    hits = anonymous.get("/records", params={"q": query}).json()["hits"]
    assert [hit["id"] for hit in hits["hits"]] == [record["id"]]


@pytest.mark.parametrize(
    "query",
    [
        "recid:[1 TO " + "9" * 5_000 + "]",
        "recid:[" + "9" * 5_000 + " TO *]",
        "recid:[\u0661 TO \u0665]",  # Arabic-Indic digits
        "recid:[\u00b2 TO 9]",  # superscript two: isdigit() but not a number
    ],
)
def test_odd_range_bounds_are_answered(api, anonymous, query):
    api.published()
    response = anonymous.get("/records", params={"q": query})
    assert response.status_code == 200, response.text


def test_huge_range_bound_compares_as_a_number(api, anonymous):
    record = api.published()
    hits = anonymous.get("/records", params={"q": "recid:[1 TO " + "9" * 5_000 + "]"}).json()["hits"]
    assert record["id"] in [hit["id"] for hit in hits["hits"]]
    hits = anonymous.get("/records", params={"q": "recid:[" + "9" * 5_000 + " TO *]"}).json()["hits"]
    assert hits["total"] == 0


@pytest.mark.parametrize("record_id", ["99999999999999999999", "9" * 5_000])
def test_record_ids_beyond_any_integer_do_not_exist(api, record_id):
    for path in (f"/records/{record_id}", f"/deposit/depositions/{record_id}"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["message"] == "The persistent identifier does not exist."


def test_unicode_digits_are_not_a_record_id(api):
    record = api.published()
    arabic = "".join(chr(0x0660 + int(d)) for d in str(record["id"]))
    assert api.get(f"/records/{arabic}").status_code == 404


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/deposit/depositions", "application/json"),
        ("/api/_emulator/faults", "application/json"),
        ("/api/files/{bucket}/data.csv", "application/octet-stream"),
    ],
)
@pytest.mark.parametrize("body", [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab"])
def test_broken_chunked_encoding_is_400(api, emulator, path, content_type, body):
    deposition = api.create(VALID_METADATA)
    path = path.format(bucket=deposition["links"]["bucket"].rsplit("/", 1)[1])
    method = "PUT" if "/files/" in path else "POST"
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {emulator.token}\r\n"
        f"Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    status, answer = raw_request(emulator.url, head, body)
    assert status == 400, answer
    assert b"Invalid chunked transfer encoding" in answer
    # Nothing was stored from the broken upload.
    assert api.deposit(deposition["id"])["files"] == []


def test_body_over_the_cap_is_413_and_streamed_uploads_are_exempt(tmp_path):
    with running_emulator(tmp_path / "data", max_body_size=4096) as emulator:
        api = Api(emulator.url, emulator.token)
        deposition = api.create(VALID_METADATA)
        big_json = '{"metadata": {"title": "' + "x" * 5000 + '"}}'
        response = api.put(
            f"/deposit/depositions/{deposition['id']}",
            data=big_json,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json() == {
            "status": 413,
            "message": "The data value transmitted exceeds the capacity limit.",
        }
        # A chunked body has no length up front: it is stopped as it passes the cap.
        chunks = (part.encode() for part in [big_json[:3000], big_json[3000:]])
        response = api.put(
            f"/deposit/depositions/{deposition['id']}",
            data=chunks,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        # Multipart uploads are read whole as well (Flask's MAX_CONTENT_LENGTH).
        response = api.post(
            f"/deposit/depositions/{deposition['id']}/files",
            files={"file": ("big.bin", b"y" * 5000)},
        )
        assert response.status_code == 413
        # The bucket PUT streams to disk: no cap but the file size limit.
        uploaded = api.upload(deposition, "big.bin", b"z" * 50_000)
        assert uploaded["size"] == 50_000
        assert api.deposit(deposition["id"])["metadata"]["title"] == VALID_METADATA["title"]


def test_admin_endpoints_need_the_owner_token_from_another_host(tmp_path):
    config = EmulatorConfig(data_dir=tmp_path, tokens={"owner-token": 1, "other-token": 2})
    client = Client(build_app(config))
    remote = {"REMOTE_ADDR": "192.0.2.10"}
    for method, path in [
        ("GET", "/api/_emulator/faults"),
        ("POST", "/api/_emulator/faults"),
        ("DELETE", "/api/_emulator/faults"),
        ("GET", "/api/_emulator/ratelimits"),
        ("DELETE", "/api/_emulator/ratelimits"),
    ]:
        for headers in ({}, {"Authorization": "Bearer other-token"}, {"Authorization": "Bearer nope"}):
            response = client.open(path, method=method, headers=headers, environ_overrides=remote)
            assert response.status_code == 403, (method, path, headers)
    allowed = client.post(
        "/api/_emulator/faults",
        json={"spec": "PUT /api/files/*=503"},
        headers={"Authorization": "Bearer owner-token"},
        environ_overrides=remote,
    )
    assert allowed.status_code == 200
    assert allowed.get_json()["rules"]
    # From the emulator's own host no token is needed (tests, demos); the instance id stays open.
    assert (
        client.get("/api/_emulator/faults", environ_overrides={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    )
    assert client.get("/api/_emulator/faults", environ_overrides={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/api/_emulator/instance", environ_overrides=remote).status_code == 200


def test_partial_uploads_of_a_dead_process_are_removed_at_start(tmp_path):
    data_dir = tmp_path / "data"
    tmp_dir = data_dir / "tmp"
    tmp_dir.mkdir(parents=True)
    dead = tmp_dir / "5d0c7e9e-0000-4000-8000-000000000001.999999999.part"  # no such pid
    legacy = tmp_dir / "5d0c7e9e-0000-4000-8000-000000000002"  # written before pids were recorded
    live = tmp_dir / f"5d0c7e9e-0000-4000-8000-000000000003.{os.getpid()}.part"
    for path in (dead, legacy, live):
        path.write_bytes(b"half an upload")
    with running_emulator(data_dir) as emulator:
        assert not dead.exists() and not legacy.exists()
        assert live.exists()  # this process may still be writing it
        api = Api(emulator.url, emulator.token)
        assert api.published()["state"] == "done"
    assert remove_abandoned_uploads(tmp_dir) == []  # the live one stays
    live.unlink()
