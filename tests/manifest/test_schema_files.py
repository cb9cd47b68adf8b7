"""schemas/*.json (what editors load) are exactly what the validator uses, and valid 2020-12 schemas."""

import json
from pathlib import Path

import jsonschema
import pytest

from zenodo_sync.manifest import schema_source

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(schema_source.SCHEMA_FILES))
def test_committed_schema_is_up_to_date(name):
    built = schema_source.render(schema_source.SCHEMA_FILES[name]())
    assert (SCHEMAS / name).read_text(encoding="utf-8") == built, (
        "run `python -m zenodo_sync.manifest.schema_source` and commit schemas/"
    )


@pytest.mark.parametrize("name", sorted(schema_source.SCHEMA_FILES))
def test_schema_is_valid_draft_2020_12(name):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_vocabulary_value_is_in_the_schema():
    from zenodo_sync.zenodo import vocabulary

    fields = schema_source.manifest_schema()["$defs"]["metadataFields"]["properties"]
    assert fields["upload_type"]["enum"] == list(vocabulary.UPLOAD_TYPES)
    assert fields["related_identifiers"]["items"]["properties"]["relation"]["enum"] == list(
        vocabulary.RELATION_TYPES
    )
    assert fields["contributors"]["items"]["properties"]["type"]["enum"] == list(vocabulary.CONTRIBUTOR_TYPES)
