"""zenodo.org's surfaces outside the deposit and records APIs (docs/zenodo-behaviour.md §6.7-§6.10):
record pages and downloads, DOI resolution, export formats, files-archive, communities, badges.

Export shapes follow invenio-rdm-records' serializer tests (tests/resources/serializers/) and
zenodo-rdm's (site/tests/test_serializers.py): the keys and the element order asserted here
are the ones those tests expect of a real record.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest
import requests

from tests.emulator.conftest import VALID_METADATA

ARTICLE = {
    "title": "Rose scent GC-MS & friends",
    "upload_type": "publication",
    "publication_type": "article",
    "description": "<p>Volatile compounds of rose petals.</p>",
    "creators": [
        {"name": "Doe, Jane", "affiliation": "Somewhere", "orcid": "0000-0002-1825-0097"},
        {"name": "Roe, Richard"},
    ],
    "keywords": ["rose", "scent"],
    "license": "cc-by-4.0",
    "version": "1.0",
    "language": "eng",
    "journal_title": "Journal of Roses",
    "journal_volume": "3",
    "related_identifiers": [{"identifier": "10.1234/abc", "relation": "isSupplementTo"}],
    "publication_date": "2024-03-01",
    "communities": [{"identifier": "roses"}],
}


@pytest.fixture
def ui(emulator) -> str:
    return emulator.url[: -len("/api")]


@pytest.fixture
def article(api) -> dict:
    return api.published(ARTICLE, {"data.csv": b"a,b\n1,2\n", "notes.txt": b"hello"})


# -- record pages, downloads, DOIs ----------------------------------------------------------------
def test_record_page_names_the_record_its_doi_and_files(ui, article):
    response = requests.get(f"{ui}/records/{article['id']}", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Rose scent GC-MS &amp; friends" in response.text
    assert f"https://doi.org/{article['doi']}" in response.text
    assert f"/records/{article['id']}/files/data.csv?download=1" in response.text
    # FAIR signposting: the DOI to cite and where the JSON is.
    assert f'<https://doi.org/{article["doi"]}> ; rel="cite-as"' in response.headers["Link"]
    assert f"/api/records/{article['id']}>" in response.headers["Link"]


def test_links_of_a_deposition_lead_somewhere(ui, article):
    """html, record_html, latest_html and badge: every UI link of a published deposition answers."""
    links = article["links"]
    for name in ("html", "record_html", "latest_html", "badge", "conceptbadge"):
        response = requests.get(links[name], timeout=30)
        assert response.status_code == 200, (name, links[name])
    assert requests.get(links["badge"], timeout=30).headers["Content-Type"].startswith("image/svg+xml")
    assert article["doi"] in requests.get(links["badge"], timeout=30).text


def test_old_record_url_and_latest_redirect(api, ui, article):
    old = requests.get(f"{ui}/record/{article['id']}", allow_redirects=False, timeout=30)
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/records/{article['id']}")
    second = api.post(f"/deposit/depositions/{article['id']}/actions/newversion").json()
    api.upload(second, "data.csv", b"a,b\n3,4\n")
    published = api.publish(second["id"])
    latest = requests.get(f"{ui}/records/{article['id']}/latest", allow_redirects=False, timeout=30)
    assert latest.status_code == 302
    assert latest.headers["Location"] == f"{ui}/records/{published['id']}"


def test_file_download_outside_the_api(ui, article):
    url = f"{ui}/records/{article['id']}/files/data.csv"
    download = requests.get(url, params={"download": "1"}, timeout=30)
    assert download.status_code == 200
    assert download.content == b"a,b\n1,2\n"
    assert download.headers["Content-Disposition"] == "attachment; filename=data.csv"
    assert requests.get(url, timeout=30).headers["Content-Disposition"] == "inline"
    missing = requests.get(f"{ui}/records/{article['id']}/files/nope.csv", timeout=30)
    assert missing.status_code == 404


def test_restricted_files_are_not_downloadable_by_others(api, anonymous, ui):
    record = api.published(dict(VALID_METADATA, access_right="closed"))
    url = f"{ui}/records/{record['id']}/files/data.csv?download=1"
    assert requests.get(url, timeout=30).status_code == 403
    assert api.get(url).status_code == 200


def test_doi_resolution_leads_to_the_record_page(ui, article):
    """/doi/<doi> as zenodo.org serves it, and /<doi> standing in for https://doi.org/<doi>."""
    for path in (f"/doi/{article['doi']}", f"/{article['doi']}", f"/{article['doi'].upper()}"):
        response = requests.get(ui + path, allow_redirects=False, timeout=30)
        assert response.status_code == 302, path
        assert response.headers["Location"] == f"{ui}/records/{article['id']}"
    # The concept DOI leads to the latest version.
    response = requests.get(f"{ui}/{article['conceptdoi']}", allow_redirects=False, timeout=30)
    assert response.headers["Location"] == f"{ui}/records/{article['id']}"
    # A download tool's path: DOI -> page -> record id -> API.
    page = requests.get(f"{ui}/{article['doi']}", timeout=30)
    record_id = page.url.rstrip("/").rsplit("/", 1)[1]
    assert requests.get(f"{ui}/api/records/{record_id}", timeout=30).json()["doi"] == article["doi"]


def test_external_and_unknown_dois(api, ui):
    external = api.published(dict(VALID_METADATA, doi="10.9999/external.42"))
    response = requests.get(f"{ui}/doi/10.9999/external.42", allow_redirects=False, timeout=30)
    assert response.headers["Location"] == f"{ui}/records/{external['id']}"
    unknown = requests.get(f"{ui}/10.5072/zenodo.999999", timeout=30)
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "The persistent identifier does not exist."


def test_a_draft_has_no_page(api, ui):
    draft = api.create(VALID_METADATA)
    response = requests.get(f"{ui}/records/{draft['id']}", timeout=30)
    assert response.status_code == 404
    assert requests.get(f"{ui}/doi/10.5072/zenodo.{draft['id']}", timeout=30).status_code == 404


# -- export formats --------------------------------------------------------------------------------
def accept(emulator, record_id: int, mimetype: str) -> requests.Response:
    return requests.get(f"{emulator.url}/records/{record_id}", headers={"Accept": mimetype}, timeout=30)


def test_bibtex(emulator, article):
    response = accept(emulator, article["id"], "application/x-bibtex")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/x-bibtex")
    text = response.text
    assert text.startswith(f"@article{{doe_2024_{article['id']},\n")
    assert "  author       = {Doe, Jane and\n                  Roe, Richard},\n" in text
    assert "  title        = {Rose scent GC-MS \\& friends},\n" in text
    assert "  journal      = {Journal of Roses},\n" in text
    assert "  year         = 2024,\n" in text
    assert "  month        = mar,\n" in text
    assert f"  doi          = {{{article['doi']}}},\n" in text
    assert f"  url          = {{https://doi.org/{article['doi']}}},\n" in text
    assert text.endswith("}")


def test_bibtex_entry_types_follow_the_resource_type(api, emulator):
    dataset = api.published(dict(VALID_METADATA, publication_date="2023-01-05"))
    assert accept(emulator, dataset["id"], "application/x-bibtex").text.startswith("@dataset{doe_2023_")
    software = api.published(dict(VALID_METADATA, upload_type="software"))
    assert accept(emulator, software["id"], "application/x-bibtex").text.startswith("@software{")
    poster = api.published(dict(VALID_METADATA, upload_type="poster"))
    assert accept(emulator, poster["id"], "application/x-bibtex").text.startswith("@misc{")


def test_csl_json(emulator, article):
    response = accept(emulator, article["id"], "application/vnd.citationstyles.csl+json")
    body = response.json()
    # invenio-rdm-records test_csl_serializer.py: the keys of a full record's CSL
    assert {
        "id",
        "type",
        "title",
        "author",
        "issued",
        "abstract",
        "DOI",
        "publisher",
        "version",
        "language",
    } <= set(body)
    assert body["type"] == "article-journal"
    assert body["author"] == [{"family": "Doe", "given": "Jane"}, {"family": "Roe", "given": "Richard"}]
    assert body["issued"] == {"date-parts": [["2024", "03", "01"]]}
    assert body["abstract"] == "Volatile compounds of rose petals."
    assert body["DOI"] == article["doi"]
    assert body["container-title"] == "Journal of Roses"


def test_datacite_json(emulator, article):
    body = accept(emulator, article["id"], "application/vnd.datacite.datacite+json").json()
    assert body["doi"] == article["doi"]
    assert body["titles"] == [{"title": "Rose scent GC-MS & friends"}]
    assert body["creators"][0]["givenName"] == "Jane"
    assert body["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] == "0000-0002-1825-0097"
    assert body["creators"][0]["affiliation"] == [{"name": "Somewhere"}]
    assert body["publicationYear"] == "2024"
    assert body["types"]["resourceTypeGeneral"] == "JournalArticle"
    # zenodo-rdm test_serializers.py: a version names its concept DOI, IsVersionOf, last.
    assert body["relatedIdentifiers"][-1] == {
        "relatedIdentifier": article["conceptdoi"],
        "relatedIdentifierType": "DOI",
        "relationType": "IsVersionOf",
    }
    assert body["relatedIdentifiers"][0]["relationType"] == "IsSupplementTo"
    assert body["rightsList"][0]["rightsIdentifier"] == "cc-by-4.0"


@pytest.mark.parametrize("mimetype", ["application/vnd.datacite.datacite+xml", "application/x-datacite+xml"])
def test_datacite_xml(emulator, article, mimetype):
    response = accept(emulator, article["id"], mimetype)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    assert root.tag == "{http://datacite.org/schema/kernel-4}resource"
    assert root.find("d:identifier", ns).text == article["doi"]
    assert root.find("d:identifier", ns).get("identifierType") == "DOI"
    assert [c.text for c in root.findall("d:creators/d:creator/d:creatorName", ns)] == [
        "Doe, Jane",
        "Roe, Richard",
    ]
    assert root.find("d:titles/d:title", ns).text == "Rose scent GC-MS & friends"
    assert root.find("d:publicationYear", ns).text == "2024"


def test_dublin_core(emulator, article):
    response = accept(emulator, article["id"], "application/x-dc+xml")
    text = response.text
    # invenio-rdm-records test_dublincore_serializer.py: the declaration, one element a line
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<oai_dc:dc ")
    root = ET.fromstring(response.content)
    dc = "{http://purl.org/dc/elements/1.1/}"
    tags = [child.tag.removeprefix(dc) for child in root]
    assert tags == sorted(tags)  # contributor, creator, date, description, ... type
    values = {tag: [c.text for c in root if c.tag == dc + tag] for tag in set(tags)}
    assert values["creator"] == ["Doe, Jane", "Roe, Richard"]
    assert values["date"] == ["2024-03-01"]
    assert f"https://doi.org/{article['doi']}" in values["identifier"]
    assert values["relation"] == ["https://doi.org/10.1234/abc", f"https://doi.org/{article['conceptdoi']}"]
    assert values["rights"][0] == "info:eu-repo/semantics/openAccess"
    assert values["subject"] == ["rose", "scent"]
    assert values["type"] == ["info:eu-repo/semantics/article"]
    # The description's HTML is escaped once more, as IRR does.
    assert values["description"] == ["&lt;p&gt;Volatile compounds of rose petals.&lt;/p&gt;"]


def test_schema_org_json_ld(emulator, article):
    body = accept(emulator, article["id"], "application/ld+json").json()
    assert body["@context"] == "http://schema.org"
    assert body["@id"] == f"https://doi.org/{article['doi']}"
    assert body["@type"] == "https://schema.org/ScholarlyArticle"
    assert body["name"] == "Rose scent GC-MS & friends"
    assert body["creator"] == body["author"]
    assert body["creator"][0] == {
        "@type": "Person",
        "name": "Doe, Jane",
        "givenName": "Jane",
        "familyName": "Doe",
        "@id": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": [{"@type": "Organization", "name": "Somewhere"}],
    }
    assert body["datePublished"] == "2024-03-01"
    assert body["keywords"] == ["rose", "scent"]


def test_dataset_json_ld_lists_its_files(api, emulator, ui):
    record = api.published(VALID_METADATA, {"table.csv": b"1,2\n"})
    body = accept(emulator, record["id"], "application/ld+json").json()
    assert body["@type"] == "https://schema.org/Dataset"
    assert body["distribution"] == [
        {
            "@type": "DataDownload",
            "contentUrl": f"{ui}/records/{record['id']}/files/table.csv",
            "encodingFormat": "text/csv",
        }
    ]


def test_export_routes_download_each_format(ui, article):
    expected = {
        "bibtex": ("application/x-bibtex", "bib"),
        "csl": ("application/vnd.citationstyles.csl+json", "json"),
        "datacite-json": ("application/vnd.datacite.datacite+json", "json"),
        "datacite-xml": ("application/vnd.datacite.datacite+xml", "xml"),
        "dublincore": ("application/x-dc+xml", "xml"),
        "json-ld": ("application/ld+json", "json"),
    }
    for name, (mimetype, extension) in expected.items():
        response = requests.get(f"{ui}/records/{article['id']}/export/{name}", timeout=30)
        assert response.status_code == 200, name
        assert response.headers["Content-Type"].startswith(mimetype)
        assert response.headers["Content-Disposition"] == f"attachment; filename={article['id']}.{extension}"
        if extension == "json":
            json.loads(response.text)
    assert requests.get(f"{ui}/records/{article['id']}/export/nope", timeout=30).status_code == 404


def test_plain_json_is_still_the_default(emulator, article):
    for mimetype in (None, "*/*", "application/json", "application/json, application/x-bibtex"):
        headers = {"Accept": mimetype} if mimetype else {}
        body = requests.get(f"{emulator.url}/records/{article['id']}", headers=headers, timeout=30).json()
        assert body["id"] == article["id"]
    assert accept(emulator, article["id"], "text/html").status_code == 406


# -- files-archive ----------------------------------------------------------------------------------
def test_files_archive_zips_every_file(emulator, article):
    response = requests.get(f"{emulator.url}/records/{article['id']}/files-archive", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == f"attachment; filename={article['id']}.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["data.csv", "notes.txt"]
    assert archive.read("data.csv") == b"a,b\n1,2\n"
    # The record links to it.
    record = requests.get(f"{emulator.url}/records/{article['id']}", timeout=30).json()
    assert requests.get(record["links"]["archive"], timeout=30).content == response.content


def test_draft_files_archive_is_the_owners(api, other):
    draft = api.create(VALID_METADATA)
    api.upload(draft, "a.txt", b"draft bytes")
    response = api.get(f"/records/{draft['id']}/draft/files-archive")
    assert zipfile.ZipFile(io.BytesIO(response.content)).read("a.txt") == b"draft bytes"
    assert other.get(f"/records/{draft['id']}/draft/files-archive").status_code == 403


# -- communities --------------------------------------------------------------------------------------
def test_communities_list_read_and_records(api, anonymous, article):
    api.published(dict(VALID_METADATA, communities=[{"identifier": "tulips"}]))
    listing = anonymous.get("/communities").json()
    assert {hit["slug"] for hit in listing["hits"]["hits"]} == {"roses", "tulips"}
    assert listing["hits"]["total"] == 2
    found = anonymous.get("/communities", params={"q": "roses"}).json()["hits"]["hits"]
    assert [hit["slug"] for hit in found] == ["roses"]

    community = anonymous.get("/communities/roses").json()
    assert community["slug"] == "roses"
    assert community["access"]["visibility"] == "public"
    assert community["links"]["records"].endswith(f"/api/communities/{community['id']}/records")
    assert anonymous.get(f"/communities/{community['id']}").json()["slug"] == "roses"  # by id too

    records = anonymous.get(community["links"]["records"]).json()
    assert [hit["id"] for hit in records["hits"]["hits"]] == [article["id"]]
    missing = anonymous.get("/communities/daisies")
    assert missing.status_code == 404
    assert missing.json()["message"] == "The persistent identifier does not exist."


# -- the other links a record carries --------------------------------------------------------------
def test_every_link_of_a_published_record_answers(api, emulator, ui, article):
    """All links into the emulator that a reader may GET: none is a 404 any more (IIIF and the
    native write endpoints aside)."""
    api.put(
        f"/deposit/depositions/{article['id']}/formats",
        data=b"<x/>",
        headers={"Content-Type": "application/x-custom+xml"},
    )
    not_served = {"self_iiif_manifest", "self_iiif_sequence", "draft", "reserve_doi", "access_request",
                  "access", "communities-suggestions", "requests"}  # fmt: skip
    for mimetype in ("application/json", "application/vnd.inveniordm.v1+json"):
        record = api.get(f"/records/{article['id']}", headers={"Accept": mimetype}).json()
        for name, url in record["links"].items():
            if name in not_served or not url.startswith(ui):
                continue
            response = api.get(url, allow_redirects=True)
            assert response.status_code == 200, (mimetype, name, url, response.text[:200])


def test_media_files_are_the_extra_formats(api, anonymous, article):
    api.put(
        f"/deposit/depositions/{article['id']}/formats",
        data=b"<x/>",
        headers={"Content-Type": "application/x-custom+xml"},
    )
    listing = anonymous.get(f"/records/{article['id']}/media-files").json()
    assert listing["enabled"] is True
    (entry,) = listing["entries"]
    assert entry["key"] == "application/x-custom+xml"
    assert anonymous.get(entry["links"]["content"]).content == b"<x/>"
    archive = zipfile.ZipFile(
        io.BytesIO(anonymous.get(f"/records/{article['id']}/media-files-archive").content)
    )
    assert archive.read("application/x-custom+xml") == b"<x/>"


def test_record_communities_and_access_lists(api, other, article):
    communities = api.get(f"/records/{article['id']}/communities").json()
    assert [hit["slug"] for hit in communities["hits"]["hits"]] == ["roses"]
    for what in ("links", "users"):
        assert api.get(f"/records/{article['id']}/access/{what}").json() == {"hits": {"hits": [], "total": 0}}
        assert other.get(f"/records/{article['id']}/access/{what}").status_code == 403


def test_concept_page_leads_to_the_latest_version(ui, article):
    response = requests.get(f"{ui}/records/{article['conceptrecid']}", allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{ui}/records/{article['id']}"


def test_archive_refused_past_300_mb():
    """The cap is checked before a byte is sent; 300 MB of files are too many to upload in a test."""
    from zenodo_sync.emulator.archive import ARCHIVE_MAX_SIZE, check_size
    from zenodo_sync.emulator.errors import ApiError

    check_size([ARCHIVE_MAX_SIZE - 1, 1])
    with pytest.raises(ApiError) as refused:
        check_size([ARCHIVE_MAX_SIZE, 1])
    assert refused.value.status == 400
    assert refused.value.message == (
        "Archive download is only available for records with total file size up to 300000000 bytes."
    )
