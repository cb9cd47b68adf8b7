"""The message of a 400 on create/update says what Zenodo's says (docs/zenodo-behaviour.md §3.6, §4).

Schema errors answer "A validation error occurred."; input that loads but names an id missing
from a vocabulary answers RDM's "Invalid value <id>." (the field list is kept alongside).
"""

from __future__ import annotations

from tests.emulator.conftest import VALID_METADATA


def test_unknown_vocabulary_id_on_create_answers_invalid_value(api):
    response = api.post(
        "/deposit/depositions", json={"metadata": {**VALID_METADATA, "upload_type": "spreadsheet"}}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["message"] == "Invalid value spreadsheet."
    assert body["errors"] == [{"field": "metadata.resource_type", "messages": ["Invalid value spreadsheet."]}]


def test_unknown_vocabulary_id_on_update_answers_invalid_value(api):
    deposition = api.create(VALID_METADATA)
    response = api.put(
        f"/deposit/depositions/{deposition['id']}", json={"metadata": {**VALID_METADATA, "language": "ENG"}}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid value ENG."
    # Nothing was stored: the draft still reads back as before.
    assert "language" not in api.deposit(deposition["id"])["metadata"]


def test_schema_errors_keep_the_generic_validation_message(api):
    response = api.post("/deposit/depositions", json={"metadata": {**VALID_METADATA, "license": "nope"}})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "A validation error occurred."
    assert body["errors"] == [{"field": "metadata.license", "messages": ["Invalid license provided: nope"]}]
