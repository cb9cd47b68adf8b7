"""The seed tutorials' own `requests` calls, unchanged but for the base URL, against the emulator.

* Zenodo's deposition tutorial (the REST API quick start): test the connection,
  create an empty deposition with ``json={}`` and ``?access_token=``, multipart-POST a file
  with an (ignored) ``filename`` form field, PUT the metadata of
  ``tests/fixtures/rose-deposition-metadata.json`` as a JSON string, POST a second file,
  then publish.
* the IODP download script: list an owner's records with
  ``/api/records?q=owners:<id>&size=..&page=..``, read ``hits.hits``, then each record's
  ``/api/records/<id>/files`` ``entries`` and download their ``links.content``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.request import urlretrieve

import requests

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The file entry columns the IODP tutorial printed from zenodo.org (seed 001, In [88]).
IODP_FILE_ENTRY_KEYS = {
    "key",
    "storage_class",
    "checksum",
    "size",
    "created",
    "updated",
    "status",
    "metadata",
    "mimetype",
    "version_id",
    "file_id",
    "bucket_id",
    "links",
}


def test_deposition_tutorial_runs_unchanged(emulator, tmp_path):
    base = emulator.url  # the tutorial's "https://zenodo.org/api"
    ACCESS_TOKEN = emulator.token  # the tutorial's own names and calls, kept verbatim
    headers = {"Content-Type": "application/json"}
    datapackage = tmp_path / "rose-aroma-naturegenetics2018-treatment-group-mean-sem-report-datapackage.json"
    datapackage.write_text('{"name": "rose-aroma", "resources": []}\n')
    table = tmp_path / "rose-aroma-naturegenetics2018-treatment-group-mean-sem-report-table-example.csv"
    table.write_text("compound,mean,sem\ngeraniol,1.2,0.1\n")

    # testing the connection
    r = requests.get(base + "/deposit/depositions", params={"access_token": ACCESS_TOKEN})
    assert r.status_code == 200 and isinstance(r.json(), list)

    # creating an empty submission to get an zenodo record id:
    r = requests.post(
        base + "/deposit/depositions", params={"access_token": ACCESS_TOKEN}, json={}, headers=headers
    )
    assert r.status_code == 201
    deposition_id = r.json()["id"]

    # uploading the data
    data = {"filename": datapackage.name}
    with open(datapackage, "rb") as handle:
        files = {"file": handle}
        r = requests.post(
            base + "/deposit/depositions/%s/files" % deposition_id,  # noqa: UP031
            params={"access_token": ACCESS_TOKEN},
            data=data,
            files=files,
        )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == datapackage.name

    metadata = json.loads((FIXTURES / "rose-deposition-metadata.json").read_text())
    r = requests.put(
        base + "/deposit/depositions/%s" % deposition_id,  # noqa: UP031
        params={"access_token": ACCESS_TOKEN},
        data=json.dumps(metadata),
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["title"] == metadata["metadata"]["title"]

    data_2 = {"filename": table.name}
    with open(table, "rb") as handle:
        files_2 = {"file": handle}
        r = requests.post(
            base + "/deposit/depositions/%s/files" % deposition_id,  # noqa: UP031
            params={"access_token": ACCESS_TOKEN},
            data=data_2,
            files=files_2,
        )
    assert r.status_code == 201, r.text

    r = requests.post(
        base + "/deposit/depositions/%s/actions/publish" % deposition_id,  # noqa: UP031
        params={"access_token": ACCESS_TOKEN},
    )
    assert r.status_code == 202, r.text
    published = r.json()
    assert published["state"] == "done" and published["submitted"] is True
    assert sorted(f["filename"] for f in published["files"]) == sorted([datapackage.name, table.name])
    # What the user wrote in upper case reads back in Zenodo's legacy form (docs/zenodo-behaviour.md §3.12).
    assert published["metadata"]["license"] in ("cc-by-4.0", {"id": "cc-by-4.0"})


def publish(emulator, token: str, title: str, content: bytes) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    created = requests.post(
        emulator.url + "/deposit/depositions",
        headers=auth,
        json={
            "metadata": {
                "title": title,
                "upload_type": "dataset",
                "description": f"<p>{title}</p>",
                "creators": [{"name": "IODP JRSO"}],
                "publication_date": "2023-11-25",
            }
        },
    )
    assert created.status_code == 201, created.text
    put = requests.put(created.json()["links"]["bucket"] + "/data.csv", data=content, headers=auth)
    assert put.status_code == 201, put.text
    done = requests.post(created.json()["links"]["publish"], headers=auth)
    assert done.status_code == 202, done.text
    return done.json()


def test_iodp_listing_pages_through_an_owners_records(emulator, tmp_path):
    owner_id = emulator.config.tokens[emulator.token]
    mine = {}
    for number in range(5):
        record = publish(
            emulator,
            emulator.token,
            f"IODP Expedition 39{number} Alkalinity and pH",
            f"expedition,{number}\n".encode(),
        )
        mine[record["id"]] = record
    publish(emulator, emulator.other_token, "Someone else's Expedition 399", b"other\n")

    # The tutorial's loop (In [6]), with pages of 2 instead of 100 to exercise pagination.
    size = 2
    records = []
    for i in range(1, 9):
        zenodo_api = f"{emulator.url}/records?q=owners:{owner_id}&size={size}&page={i}"
        response = requests.get(zenodo_api)
        assert response.status_code == 200, response.text
        response = response.json()
        assert response["hits"]["total"] == 5
        records.extend(response["hits"]["hits"])
    rows = [
        {
            "record_id": i["id"],
            "title": i["metadata"]["title"],
            "doi": i["doi"],
            "conceptdoi": i["conceptdoi"],
            "created": i["created"],
            "stats": i["stats"],
        }
        for i in records
    ]
    assert sorted(row["record_id"] for row in rows) == sorted(mine)
    assert all(
        {"downloads", "unique_downloads", "views", "unique_views"} <= set(row["stats"]) for row in rows
    )

    # The same listing by following links.next, as a careful client does.
    url, seen, pages = f"{emulator.url}/records?q=owners:{owner_id}&size={size}", [], 0
    while url:
        page = requests.get(url).json()
        seen += [hit["id"] for hit in page["hits"]["hits"]]
        url = page["links"].get("next")
        pages += 1
    assert sorted(seen) == sorted(mine) and pages == 3

    # get_record_file_list (In [87]) and the download loop (In [89]).
    for recordid, record in mine.items():  # noqa: B007 - the script's own loop, as it is written
        response = requests.get(f"{emulator.url}/records/{recordid}/files")
        assert response.status_code == 200
        (entry,) = response.json()["entries"]
        assert set(entry) >= IODP_FILE_ENTRY_KEYS, IODP_FILE_ENTRY_KEYS - set(entry)
        assert {"self", "content"} <= set(entry["links"])
        save_filepath = tmp_path / f"{recordid}_{entry['key']}"
        urlretrieve(entry["links"]["content"], save_filepath)
        assert "md5:" + hashlib.md5(save_filepath.read_bytes()).hexdigest() == entry["checksum"]
        assert save_filepath.read_bytes().startswith(b"expedition,")


def test_anonymous_search_page_size_is_capped_as_on_zenodo(emulator):
    # The IODP tutorial asked for size=100 without a token; zenodo.org now allows guests 25
    # per page and answers 400 beyond (docs/zenodo-behaviour.md §5, §6.4), authenticated users 100.
    guest = requests.get(f"{emulator.url}/records", params={"q": "owners:1", "size": 100})
    assert guest.status_code == 400
    assert guest.json()["status"] == 400
    assert requests.get(f"{emulator.url}/records", params={"size": 25}).status_code == 200
    user = requests.get(
        f"{emulator.url}/records", params={"size": 100}, headers={"Authorization": f"Bearer {emulator.token}"}
    )
    assert user.status_code == 200
