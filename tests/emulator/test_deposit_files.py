"""Files of a deposition: multipart API and bucket API (docs/zenodo-behaviour.md §3.7, §3.8)."""

from __future__ import annotations

import hashlib

import pytest

from tests.emulator.conftest import VALID_METADATA


def _multipart(api, record_id: int, filename: str, content: bytes, name: str | None = None):
    data = {"name": name} if name is not None else None
    return api.post(f"/deposit/depositions/{record_id}/files", files={"file": (filename, content)}, data=data)


def test_multipart_upload_returns_a_legacy_file_object(api, emulator):
    deposition = api.create()
    response = _multipart(api, deposition["id"], "data.csv", b"a,b\n1,2\n")
    assert response.status_code == 201
    body = response.json()
    assert body["filename"] == "data.csv"
    assert body["filesize"] == 8.0 and isinstance(body["filesize"], float)  # marshmallow Number (§3.7)
    assert body["checksum"] == hashlib.md5(b"a,b\n1,2\n").hexdigest()  # bare md5, no prefix
    assert (
        body["links"]["self"] == f"{emulator.url}/deposit/depositions/{deposition['id']}/files/{body['id']}"
    )
    assert (
        body["links"]["download"] == f"{emulator.url}/records/{deposition['id']}/draft/files/data.csv/content"
    )
    # inside the deposition the size is an int
    (listed,) = api.deposit(deposition["id"])["files"]
    assert listed["filesize"] == 8 and isinstance(listed["filesize"], int)
    assert api.get(body["links"]["download"]).content == b"a,b\n1,2\n"


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("my data.csv", "my_data.csv"),
        ("données.csv", "donnees.csv"),
        ("a/b/c.txt", "a_b_c.txt"),
        ("../../etc/passwd", "etc_passwd"),
    ],
)
def test_multipart_keys_go_through_secure_filename(api, given, key):
    deposition = api.create()
    response = _multipart(api, deposition["id"], "ignored.bin", b"x", name=given)
    assert response.status_code == 201 and response.json()["filename"] == key


def test_multipart_refuses_duplicates_empty_files_and_missing_file(api):
    deposition = api.create()
    assert _multipart(api, deposition["id"], "a.txt", b"1").status_code == 201
    duplicate = _multipart(api, deposition["id"], "a.txt", b"2")
    assert (
        duplicate.status_code == 400 and duplicate.json()["message"] == "File with key a.txt already exists."
    )
    empty = _multipart(api, deposition["id"], "empty.txt", b"")
    assert empty.status_code == 400 and empty.json()["message"] == "Empty files are not accepted."
    missing = api.post(f"/deposit/depositions/{deposition['id']}/files", data={"name": "x"})
    assert missing.status_code == 400
    assert [f["filename"] for f in api.get(f"/deposit/depositions/{deposition['id']}/files").json()] == [
        "a.txt"
    ]


def test_file_list_get_and_delete(api, other):
    deposition = api.create()
    first = _multipart(api, deposition["id"], "a.txt", b"first").json()
    _multipart(api, deposition["id"], "b.txt", b"second")
    listing = api.get(f"/deposit/depositions/{deposition['id']}/files")
    assert listing.status_code == 200
    assert [(f["filename"], f["filesize"]) for f in listing.json()] == [("a.txt", 5.0), ("b.txt", 6.0)]
    got = api.get(f"/deposit/depositions/{deposition['id']}/files/{first['id']}")
    assert got.status_code == 200 and got.json() == first
    assert api.get(f"/deposit/depositions/{deposition['id']}/files/nope").status_code == 404
    assert other.delete(f"/deposit/depositions/{deposition['id']}/files/{first['id']}").status_code == 403
    deleted = api.delete(f"/deposit/depositions/{deposition['id']}/files/{first['id']}")
    assert deleted.status_code == 204
    assert [f["filename"] for f in api.get(f"/deposit/depositions/{deposition['id']}/files").json()] == [
        "b.txt"
    ]
    assert api.delete(f"/deposit/depositions/{deposition['id']}/files/{first['id']}").status_code == 404


def test_sort_and_rename_are_not_allowed(api):
    deposition = api.create()
    file = _multipart(api, deposition["id"], "a.txt", b"1").json()
    sort = api.put(f"/deposit/depositions/{deposition['id']}/files", json=[{"id": file["id"]}])
    assert sort.status_code == 405 and sort.json()["status"] == 405
    rename = api.put(
        f"/deposit/depositions/{deposition['id']}/files/{file['id']}", json={"filename": "b.txt"}
    )
    assert rename.status_code == 405


def test_files_of_a_published_record_are_locked(api):
    record = api.published(files={"data.csv": b"1,2\n"})
    (file,) = record["files"]
    assert api.delete(f"/deposit/depositions/{record['id']}/files/{file['id']}").status_code == 403
    assert _multipart(api, record["id"], "more.txt", b"x").status_code == 404  # no draft (§3.1)
    assert api.put(f"{record['links']['bucket']}/data.csv", data=b"new").status_code == 403
    # in edit mode too: the edit draft's new bucket is locked (§3.9)
    edit = api.post(f"/deposit/depositions/{record['id']}/actions/edit").json()
    assert edit["links"]["bucket"] != record["links"]["bucket"]
    assert api.put(f"{edit['links']['bucket']}/data.csv", data=b"new").status_code == 403
    assert _multipart(api, record["id"], "more.txt", b"x").status_code == 403
    assert api.delete(f"/deposit/depositions/{record['id']}/files/{file['id']}").status_code == 403


def test_bucket_put_returns_files_rest_object_and_replaces(api, emulator):
    deposition = api.create()
    bucket = deposition["links"]["bucket"]
    response = api.put(
        f"{bucket}/data.csv", data=b"a,b\n", headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "data.csv" and body["size"] == 4 and body["mimetype"] == "text/csv"
    assert body["checksum"] == "md5:" + hashlib.md5(b"a,b\n").hexdigest()
    assert body["is_head"] is True and body["delete_marker"] is False
    assert body["links"]["self"] == f"{bucket}/data.csv"
    assert body["links"]["version"] == f"{bucket}/data.csv?version_id={body['version_id']}"
    # no content type is fine too; the same key is replaced
    again = api.put(f"{bucket}/data.csv", data=b"a,b\n1,2\n")
    assert again.status_code == 201 and again.json()["size"] == 8
    files = api.deposit(deposition["id"])["files"]
    assert [(f["filename"], f["filesize"]) for f in files] == [("data.csv", 8)]
    content = api.get(f"{bucket}/data.csv")
    assert content.status_code == 200 and content.content == b"a,b\n1,2\n"
    assert content.headers["ETag"] == f'"{again.json()["checksum"]}"'


def test_bucket_put_keeps_keys_unsanitised_but_has_no_folders(api):
    deposition = api.create()
    response = api.put(f"{deposition['links']['bucket']}/my file (1).txt", data=b"x")
    assert response.status_code == 201 and response.json()["key"] == "my file (1).txt"
    assert response.json()["links"]["self"].endswith("/my%20file%20%281%29.txt")
    assert api.get(response.json()["links"]["self"]).content == b"x"
    # the route is /<bucket_id>/<key>: a key with a slash is no route at all (ZR-L resources.py)
    assert api.put(f"{deposition['links']['bucket']}/sub/file.txt", data=b"x").status_code == 404


def test_bucket_put_errors(api, other, anonymous):
    deposition = api.create()
    bucket = deposition["links"]["bucket"]
    wrong_type = api.put(f"{bucket}/a.zip", data=b"PK", headers={"Content-Type": "application/zip"})
    assert wrong_type.status_code == 415
    assert wrong_type.json()["message"] == (
        "Invalid 'Content-Type' header. Expected one of: application/octet-stream"
    )
    assert api.put(f"{bucket}/empty.txt", data=b"").status_code == 400
    assert other.put(f"{bucket}/a.txt", data=b"x").status_code == 403
    assert anonymous.put(f"{bucket}/a.txt", data=b"x").status_code == 403
    assert (
        api.put(api.base + "/files/00000000-0000-0000-0000-000000000000/a.txt", data=b"x").status_code == 404
    )
    assert api.deposit(deposition["id"])["files"] == []


def test_bucket_delete_and_listing(api, other):
    deposition = api.create()
    bucket = deposition["links"]["bucket"]
    api.upload(deposition, "a.txt", b"1")
    api.upload(deposition, "b.txt", b"22")
    listing = api.get(bucket).json()
    assert [o["key"] for o in listing["contents"]] == ["a.txt", "b.txt"] and listing["size"] == 3
    assert other.delete(f"{bucket}/a.txt").status_code == 403
    assert api.delete(f"{bucket}/a.txt").status_code == 204
    assert api.get(f"{bucket}/a.txt").status_code == 404
    assert api.delete(f"{bucket}/a.txt").status_code == 404
    assert [f["filename"] for f in api.deposit(deposition["id"])["files"]] == ["b.txt"]


def test_file_count_limit(emulator, tmp_path):
    from tests.emulator.conftest import Api
    from zenodo_sync.emulator import running_emulator

    with running_emulator(data_dir=tmp_path / "small", max_files_per_record=2) as emu:
        api = Api(emu.url, emu.token)
        deposition = api.create(VALID_METADATA)
        api.upload(deposition, "a", b"1")
        api.upload(deposition, "b", b"2")
        api.upload(deposition, "b", b"3")  # replacing does not count
        over = api.put(f"{deposition['links']['bucket']}/c", data=b"4")
        assert over.status_code == 400
        assert over.json()["message"] == (
            "Uploading selected files will result in exceeding the max amount per record."
        )


def test_an_upload_cut_short_stores_nothing(api, emulator):
    import socket
    from urllib.parse import urlsplit

    deposition = api.create()
    bucket = urlsplit(deposition["links"]["bucket"])
    with socket.create_connection((bucket.hostname, bucket.port), timeout=10) as sock:
        sock.sendall(
            f"PUT {bucket.path}/cut.bin HTTP/1.1\r\nHost: {bucket.netloc}\r\n"
            f"Authorization: Bearer {emulator.token}\r\nContent-Length: 1000\r\n\r\n".encode()
            + b"only ten b"
        )
        sock.shutdown(socket.SHUT_WR)
        status_line = sock.recv(100).split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"400"
    assert api.deposit(deposition["id"])["files"] == []
    assert list((emulator.config.data_dir / "tmp").iterdir()) == []
