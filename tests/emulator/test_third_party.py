"""Zenodo clients from PyPI that no one here wrote, run against the emulator's URL.

* ``zenodo-client`` (cthoyt): create + bucket upload + publish, then a new version through
  its ``update`` flow, then a download. It has no base-URL parameter (only zenodo.org or
  sandbox); its URLs come from the public attributes ``api_base`` and ``depositions_base``
  set in ``__init__``, which is where the emulator's URL is put. No code of it is patched.
* ``pyzenodo3``: its supported ``base_url`` parameter, for its upload flow (token check,
  create, multipart upload; it has no publish step) and its records API reader.
"""

from __future__ import annotations

import hashlib

import pyzenodo3
import pyzenodo3.upload
import requests
import zenodo_client


def pointed_at(emulator) -> zenodo_client.Zenodo:
    client = zenodo_client.Zenodo(access_token=emulator.token)
    client.api_base = emulator.url
    client.depositions_base = emulator.url + "/deposit/depositions"
    return client


def test_zenodo_client_create_publish_new_version_and_download(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("PYSTOW_HOME", str(tmp_path / "pystow"))  # where its downloads go
    data = tmp_path / "table.tsv"
    data.write_text("a\tb\n1\t2\n")
    metadata = zenodo_client.Metadata(
        title="zenodo-client against the emulator",
        upload_type="dataset",
        description="Uploaded by the zenodo-client library.",
        creators=[zenodo_client.Creator(name="Hoyt, Charles Tapley", orcid="0000-0003-4423-4370")],
        keywords=["emulator"],
        version="2020-01-01",
    )
    client = pointed_at(emulator)

    published = client.create(metadata, [data])
    assert published.status_code == 202
    first = published.json()
    assert first["state"] == "done" and first["submitted"] is True
    assert first["doi"] == f"{emulator.config.doi_prefix}/zenodo.{first['id']}"
    assert [f["filename"] for f in first["files"]] == ["table.tsv"]

    # Its update flow: newversion, read links.latest_draft, PUT the metadata it read back
    # (with a new version string), replace the file in the new bucket, publish.
    data.write_text("a\tb\n1\t2\n3\t4\n")
    updated = client.update(str(first["id"]), [data])
    assert updated.status_code == 202, updated.text
    second = updated.json()
    assert second["id"] != first["id"] and second["conceptrecid"] == first["conceptrecid"]
    assert second["metadata"]["version"] != "2020-01-01"
    # links.latest of the first version now leads to the second (zenodo-client's
    # get_latest_record reads the id out of that URL, which today names the record itself).
    first_record = client.get_record(first["id"]).json()
    assert requests.get(first_record["links"]["latest"]).json()["id"] == second["id"]

    path = client.download(second["id"], "table.tsv")
    assert path.read_bytes() == data.read_bytes()
    record = client.get_record(second["id"]).json()
    (entry,) = record["files"]
    assert entry["checksum"] == "md5:" + hashlib.md5(data.read_bytes()).hexdigest()


def test_pyzenodo3_upload_flow_and_records_reader(emulator, tmp_path):
    token_file = tmp_path / "token"  # its documented way to pass a token (a file or a 11-99 char string)
    token_file.write_text(emulator.token + "\n")
    data = tmp_path / "measurements.csv"
    data.write_text("x,y\n1,2\n")
    auth = {"Authorization": f"Bearer {emulator.token}"}
    before = {d["id"] for d in requests.get(emulator.url + "/deposit/depositions", headers=auth).json()}

    pyzenodo3.upload.upload(None, data, token_file, base_url=emulator.url)

    drafts = [
        d
        for d in requests.get(emulator.url + "/deposit/depositions", headers=auth).json()
        if d["id"] not in before
    ]
    (draft,) = drafts
    assert [f["filename"] for f in draft["files"]] == ["measurements.csv"]
    assert draft["state"] == "unsubmitted"

    # Publish it ourselves (pyzenodo3 has no publish), then read it with its records API client.
    metadata = {
        "metadata": {
            "title": "pyzenodo3 upload",
            "upload_type": "dataset",
            "description": "x",
            "creators": [{"name": "Doe, Jane"}],
        }
    }
    assert requests.put(draft["links"]["self"], json=metadata, headers=auth).ok
    assert requests.post(draft["links"]["publish"], headers=auth).status_code == 202
    reader = pyzenodo3.Zenodo(base_url=emulator.url + "/")
    record = reader.get_record(str(draft["id"]))
    assert record.data["metadata"]["title"] == "pyzenodo3 upload"
    found = reader.search("pyzenodo3")
    assert [hit.data["id"] for hit in found] == [draft["id"]]
