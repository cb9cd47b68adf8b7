"""Fidelity: the emulator's JSON has the keys, types and value formats of zenodo.org's.

The reference is a real response (`tests/fixtures/zenodo-record-6515860.json`, the records API
of zenodo.org). Its *shape* is learnt by the helper below (keys, types, string formats such as
ISO timestamps with ``+00:00`` or ``md5:`` checksums) and the emulator's responses are held to
it; values are compared only where Zenodo's rules fix them (ids, DOIs, relations, checksums).
Where no fixture exists (search envelope, files listing, deposit JSON) the tests check the
shape docs/zenodo-behaviour.md documents (§3.2, §6.1-§6.3).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from zenodo_sync.emulator import running_emulator

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORD_FIXTURE = FIXTURES / "zenodo-record-6515860.json"


# --- the shape-comparison helper ----------------------------------------------------------------

# Value formats seen in Zenodo's JSON, most specific first.
FORMATS: dict[str, re.Pattern[str]] = {
    "iso-datetime-utc": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "md5-checksum": re.compile(r"^md5:[0-9a-f]{32}$"),
    "uuid": re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
    "orcid": re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"),
    "zenodo-doi": re.compile(r"^10\.\d{4,9}/zenodo\.\d+$"),
    "doi": re.compile(r"^10\.\d{4,9}/\S+$"),
    "digits": re.compile(r"^\d+$"),
    "url": re.compile(r"^https?://[^\s/]+(/\S*)?$"),
}


def format_of(text: str) -> str | None:
    return next((name for name, pattern in FORMATS.items() if pattern.match(text)), None)


def type_name(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in (
        (bool, "bool"),
        (int, "int"),
        (float, "float"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ):
        if isinstance(value, kind):
            return name
    raise TypeError(f"not JSON: {type(value).__name__}")


@dataclass
class Shape:
    """What a JSON value looks like, merged over every sample seen (list items are one shape)."""

    types: set[str] = field(default_factory=set)
    keys: dict[str, Shape] = field(default_factory=dict)
    key_counts: dict[str, int] = field(default_factory=dict)
    objects_seen: int = 0
    item: Shape | None = None
    string_formats: set[str | None] = field(default_factory=set)

    def required_keys(self) -> set[str]:
        """Keys present in every sample: a key only some creators have (orcid) is optional."""
        return {key for key, count in self.key_counts.items() if count == self.objects_seen}

    @property
    def string_format(self) -> str | None:
        """The format every string sample had, if they all shared one."""
        return next(iter(self.string_formats)) if len(self.string_formats) == 1 else None


def learn(value: object, shape: Shape | None = None) -> Shape:
    shape = shape or Shape()
    kind = type_name(value)
    shape.types.add(kind)
    if kind == "object":
        shape.objects_seen += 1
        for key, child in value.items():
            shape.keys[key] = learn(child, shape.keys.get(key))
            shape.key_counts[key] = shape.key_counts.get(key, 0) + 1
    elif kind == "array":
        for child in value:
            shape.item = learn(child, shape.item)
    elif kind == "string":
        shape.string_formats.add(format_of(value))
    return shape


def differences(
    shape: Shape, value: object, path: str = "$", *, optional=frozenset(), extra=frozenset()
) -> list[str]:
    """Where `value` departs from `shape`, as ``$.metadata.creators[].name: <problem>`` lines.

    `optional`: paths the reference has but a document may lack (fields that exist only when
    the depositor set them). `extra`: paths the reference lacks but a document may have
    (documented fields the reference record happened not to use).
    """
    kind = type_name(value)
    if kind not in shape.types:
        return [f"{path}: {kind} where Zenodo has {'/'.join(sorted(shape.types))}"]
    problems: list[str] = []
    if kind == "object":
        problems += [
            f"{path}.{key}: missing"
            for key in sorted(shape.required_keys() - set(value))
            if f"{path}.{key}" not in optional
        ]
        for key in sorted(value):
            child = f"{path}.{key}"
            if key in shape.keys:
                problems += differences(shape.keys[key], value[key], child, optional=optional, extra=extra)
            elif child not in extra:
                problems.append(f"{child}: not in Zenodo's response")
    elif kind == "array" and shape.item is not None:
        for item in value:
            problems += differences(shape.item, item, f"{path}[]", optional=optional, extra=extra)
    elif kind == "string" and shape.string_format and not FORMATS[shape.string_format].match(value):
        problems.append(f"{path}: {value!r} is not formatted as {shape.string_format}")
    return sorted(set(problems))


def test_the_shape_helper_catches_what_it_should():
    reference = learn(
        {
            "id": 1,
            "when": "2022-05-03T20:46:52.766363+00:00",
            "sum": "md5:" + "a" * 32,
            "people": [{"name": "A", "orcid": "0000-0002-5602-6985"}, {"name": "B"}],
        }
    )
    good = {
        "id": 7,
        "when": "2026-01-01T00:00:00.000001+00:00",
        "sum": "md5:" + "b" * 32,
        "people": [{"name": "C"}],
    }
    assert differences(reference, good) == []
    bad = {"id": "7", "when": "2026-01-01T00:00:00Z", "sum": "b" * 32, "people": [{"orcid": "x"}], "new": 1}
    assert differences(reference, bad) == [
        "$.id: string where Zenodo has int",
        "$.new: not in Zenodo's response",
        "$.people[].name: missing",
        "$.people[].orcid: 'x' is not formatted as orcid",
        "$.sum: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' is not formatted as md5-checksum",
        "$.when: '2026-01-01T00:00:00Z' is not formatted as iso-datetime-utc",
    ]
    assert differences(reference, {**good, "people": []}, optional={"$.people"}) == []


# --- a published record in the emulator, deposited like the fixture's record --------------------

DEPOSIT = {
    "metadata": {
        "title": "Expedition 999 colour reflectance",
        "upload_type": "dataset",
        "publication_date": "2019-08-10",
        "description": "<p>Colour reflectance measured on section halves.</p>",
        "access_right": "open",
        "license": "cc-zero",
        # As in the fixture: no affiliations, so Zenodo renders "affiliation": null.
        "creators": [
            {"name": "McKay, Robert M.", "orcid": "0000-0002-5602-6985"},
            {"name": "Browne, Imogen M."},
        ],
        "contributors": [{"name": "International Ocean Discovery Program", "type": "DataCollector"}],
        "keywords": ["International Ocean Discovery Program", "Expedition 999"],
        "related_identifiers": [{"identifier": "10.14379/iodp.proc.374.2019", "relation": "isDocumentedBy"}],
    }
}
CONTENT = {"colour.csv": b"depth,L,a,b\n0.1,50.2,1.1,-0.3\n", "SITE_LOCATIONS.HTML": b"<html>sites</html>\n"}

# Keys of the fixture that exist only for records deposited with them.
OPTIONAL = {"$.metadata.communities"}
# Keys docs/zenodo-behaviour.md §6.3 documents that the fixture's record happens not to carry.
DOCUMENTED_EXTRA = {
    "$.swh",
    "$.metadata.version",
    "$.metadata.language",
    "$.metadata.notes",
    "$.metadata.method",
    "$.metadata.references",
    "$.metadata.imprint",
    "$.metadata.grants",
    "$.metadata.subjects",
    "$.metadata.dates",
    "$.metadata.locations",
    "$.metadata.alternate_identifiers",
    "$.metadata.embargo_date",
    "$.metadata.custom",
    "$.metadata.journal",
    "$.metadata.meeting",
    "$.metadata.thesis",
    "$.stats.volume",
    "$.stats.version_volume",
}


def auth(emu) -> dict:
    return {"Authorization": f"Bearer {emu.token}"}


def publish_record(emu, deposit=DEPOSIT, content=CONTENT) -> dict:
    created = requests.post(f"{emu.url}/deposit/depositions", json=deposit, headers=auth(emu))
    assert created.status_code == 201, created.text
    bucket = created.json()["links"]["bucket"]
    for key, data in content.items():
        uploaded = requests.put(f"{bucket}/{key}", data=data, headers=auth(emu))
        assert uploaded.status_code == 201, uploaded.text
    published = requests.post(created.json()["links"]["publish"], headers=auth(emu))
    assert published.status_code == 202, published.text
    return published.json()


@pytest.fixture
def published(tmp_path):
    # The reference is a zenodo.org record: mint under Zenodo's production prefix, so DOI links
    # resolve through doi.org as the fixture's do (sandbox's go to DataCite's test handle server).
    with running_emulator(data_dir=tmp_path / "emulator-data", doi_prefix="10.5281") as emulator:
        deposit = publish_record(emulator)
        record = requests.get(f"{emulator.url}/records/{deposit['id']}")
        assert record.status_code == 200, record.text
        yield emulator, record.json()


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(RECORD_FIXTURE.read_text())


def test_record_json_has_the_shape_of_zenodos(published, reference):
    _, record = published
    assert differences(learn(reference), record, optional=OPTIONAL, extra=DOCUMENTED_EXTRA) == []


def test_record_identifiers_follow_zenodos_rules(published):
    emu, record = published
    prefix = emu.config.doi_prefix
    assert isinstance(record["id"], int)
    assert record["recid"] == str(record["id"])
    assert record["conceptrecid"] == str(record["id"] - 1)  # parent allocated first (§1.4)
    assert record["doi"] == record["metadata"]["doi"] == f"{prefix}/zenodo.{record['id']}"
    assert record["conceptdoi"] == f"{prefix}/zenodo.{record['conceptrecid']}"
    assert record["doi_url"].endswith("/" + record["doi"])
    assert (record["status"], record["state"], record["submitted"]) == ("published", "done", True)
    assert record["owners"] == [{"id": 1}]  # the fixture's owners[].id is an int
    assert record["metadata"]["relations"] == {
        "version": [
            {
                "index": 0,
                "is_last": True,
                "parent": {"pid_type": "recid", "pid_value": record["conceptrecid"]},
            }
        ]
    }
    assert record["metadata"]["resource_type"] == {"title": "Dataset", "type": "dataset"}
    assert record["metadata"]["license"] == {"id": "cc-zero"}
    assert [c["affiliation"] for c in record["metadata"]["creators"]] == [None, None]


def test_record_files_carry_md5_checksums_of_the_bytes(published):
    emu, record = published
    files = {entry["key"]: entry for entry in record["files"]}
    assert set(files) == set(CONTENT)
    for key, data in CONTENT.items():
        assert files[key]["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
        assert files[key]["size"] == len(data)
        assert files[key]["links"]["self"] == f"{emu.url}/records/{record['id']}/files/{key}/content"
        assert requests.get(files[key]["links"]["self"]).content == data


def link_template(url: str, record: dict, host: str) -> str:
    """A link with the host, DOIs and ids replaced by placeholders, to compare URL structure."""
    url = url.replace(host, "{host}")
    url = url.replace(record["conceptdoi"], "{conceptdoi}").replace(record["doi"], "{doi}")
    url = re.sub(rf"(?<=[/:]){record['id']}(?=/|$)", "{id}", url)
    return re.sub(rf"(?<=[/:]){record['conceptrecid']}(?=/|$)", "{conceptrecid}", url)


def test_record_links_have_zenodos_keys_and_url_structure(published, reference):
    emu, record = published
    host = emu.url.removesuffix("/api")
    expected = {
        key: link_template(url, reference, "https://zenodo.org") for key, url in reference["links"].items()
    }
    actual = {key: link_template(url, record, host) for key, url in record["links"].items()}
    assert sorted(set(expected) - set(actual)) == [], "links Zenodo has that the emulator lacks"
    assert sorted(set(actual) - set(expected)) == [], "links the emulator has that Zenodo lacks"
    assert {key: actual[key] for key in expected} == expected


def test_search_envelope_and_hits(published, reference):
    emu, record = published
    found = requests.get(f"{emu.url}/records", params={"q": f"conceptrecid:{record['conceptrecid']}"})
    assert found.status_code == 200
    body = found.json()
    assert set(body) >= {"hits", "links"}  # §6.2; `aggregations` too on zenodo.org
    assert isinstance(body["hits"]["total"], int) and body["hits"]["total"] == 1
    assert body["links"]["self"].startswith(f"{emu.url}/records?")
    (hit,) = body["hits"]["hits"]
    assert hit["id"] == record["id"]
    assert differences(learn(reference), hit, optional=OPTIONAL, extra=DOCUMENTED_EXTRA) == []


def test_files_listing_is_rdm_shaped_with_entries(published):
    emu, record = published
    listing = requests.get(f"{emu.url}/records/{record['id']}/files")
    assert listing.status_code == 200
    body = listing.json()
    assert {"enabled", "entries", "links"} <= set(body)  # §6.1: RDM shape, not legacy
    assert body["enabled"] is True
    entries = {entry["key"]: entry for entry in body["entries"]}
    assert set(entries) == set(CONTENT)
    for key, data in CONTENT.items():
        entry = entries[key]
        assert entry["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
        assert entry["size"] == len(data)
        assert requests.get(entry["links"]["content"]).content == data


def test_concept_id_redirects_to_the_latest_version(published):
    emu, record = published
    concept = requests.get(f"{emu.url}/records/{record['conceptrecid']}", allow_redirects=False)
    assert concept.status_code == 302  # §6.1
    assert concept.headers["Location"].endswith(f"/api/records/{record['id']}")
    latest = requests.get(f"{emu.url}/records/{record['id']}/versions/latest", allow_redirects=False)
    assert latest.status_code == 301
    assert latest.json()["status"] == 301 and latest.headers["Location"].endswith(f"/records/{record['id']}")


def test_inveniordm_json_on_request(published):
    emu, record = published
    rdm = requests.get(
        f"{emu.url}/records/{record['id']}", headers={"Accept": "application/vnd.inveniordm.v1+json"}
    )
    assert rdm.status_code == 200
    body = rdm.json()
    assert {"pids", "parent", "access", "metadata", "files"} <= set(body)  # §7.3
    assert body["pids"]["doi"]["identifier"] == record["doi"]
    assert body["metadata"]["creators"][0]["person_or_org"]["family_name"] == "McKay"
    assert "conceptrecid" not in body


def test_deposition_json_has_the_documented_shape(emulator):
    created = requests.post(f"{emulator.url}/deposit/depositions", json={}, headers=auth(emulator))
    assert created.status_code == 201
    body = created.json()
    iso = FORMATS["iso-datetime-utc"]
    assert isinstance(body["id"], int) and body["record_id"] == body["id"]
    assert body["conceptrecid"] == str(body["id"] - 1)
    assert iso.match(body["created"]) and iso.match(body["modified"])
    assert isinstance(body["owner"], int)
    assert (body["state"], body["submitted"], body["title"], body["files"]) == ("unsubmitted", False, "", [])
    assert body["metadata"]["access_right"] == "open"
    assert set(body["metadata"]["prereserve_doi"]) == {"doi", "recid"}
    assert {
        "self",
        "html",
        "files",
        "bucket",
        "publish",
        "edit",
        "discard",
        "newversion",
        "latest_draft",
        "latest_draft_html",
    } <= set(body["links"])  # §3.3
    upload = requests.post(
        body["links"]["files"], files={"file": ("a b.csv", b"1,2\n")}, headers=auth(emulator)
    )
    assert upload.status_code == 201
    file_json = upload.json()
    assert file_json["filename"] == "a_b.csv"  # secure_filename (§3.7)
    assert file_json["checksum"] == hashlib.md5(b"1,2\n").hexdigest()  # bare md5 here
    assert isinstance(file_json["filesize"], float)
