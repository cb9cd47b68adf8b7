"""DOI links: DataCite's test handle server on the sandbox prefix, doi.org otherwise.

The records API builds `links.doi` (and `doi_url`, which zenodojson.py dumps from it) with
invenio-rdm-records' `record_doi_link`: https://handle.test.datacite.org/<doi> in DataCite test
mode, as on sandbox.zenodo.org (docs/zenodo-behaviour.md §6.3, §9). The deposit API's legacy links
hard-code https://doi.org/ on both servers.
"""

from __future__ import annotations

from tests.emulator.conftest import Api
from zenodo_sync.emulator import running_emulator

RDM_JSON = "application/vnd.inveniordm.v1+json"


def _published_doi_links(api: Api) -> tuple[dict, dict, dict]:
    deposition = api.published()
    record = api.get(f"/records/{deposition['id']}").json()
    rdm = api.get(f"/records/{deposition['id']}", headers={"Accept": RDM_JSON}).json()
    return deposition, record, rdm


def test_sandbox_prefix_links_records_to_the_test_handle_server(api):
    deposition, record, rdm = _published_doi_links(api)
    doi = record["doi"]
    assert doi.startswith("10.5072/")
    assert record["doi_url"] == f"https://handle.test.datacite.org/{doi}"
    assert record["links"]["doi"] == record["doi_url"]
    assert rdm["links"]["doi"] == record["doi_url"]
    # The deposit API keeps doi.org even on sandbox (zenodo-rdm legacy links_item).
    assert deposition["doi_url"] == f"https://doi.org/{doi}"


def test_production_prefix_links_records_to_doi_org():
    with running_emulator(doi_prefix="10.5281") as emu:
        _deposition, record, rdm = _published_doi_links(Api(emu.url, emu.token))
    doi = record["doi"]
    assert doi.startswith("10.5281/zenodo.")
    assert record["doi_url"] == f"https://doi.org/{doi}"
    assert record["links"]["doi"] == record["doi_url"]
    assert rdm["links"]["doi"] == record["doi_url"]


def test_search_hits_carry_the_same_doi_url(api):
    deposition = api.published()
    hits = api.get("/records", params={"q": f"recid:{deposition['id']}"}).json()["hits"]["hits"]
    assert [hit["doi_url"] for hit in hits] == [f"https://handle.test.datacite.org/{deposition['doi']}"]
