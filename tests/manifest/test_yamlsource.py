"""How manifests are read: YAML 1.2 scalars, dates as text, positions, duplicate keys, merge keys."""

from zenodo_sync.manifest.yamlsource import parse_yaml_text


def parse(text: str):
    document, findings = parse_yaml_text(text, "m.yaml")
    return document, findings


def test_scalars_are_read_the_yaml_1_2_way():
    document, findings = parse(
        "date: 2024-01-01\nlanguage: no\nok: yes\nflag: true\nint: 12\nfloat: 1.10\n"
        "octal_looking: 0123\nsexagesimal: 1:30\nnothing: ~\n"
    )
    assert findings == []
    assert document.data == {
        "date": "2024-01-01",
        "language": "no",
        "ok": "yes",
        "flag": True,
        "int": 12,
        "float": 1.1,
        "octal_looking": 123,
        "sexagesimal": "1:30",
        "nothing": None,
    }
    assert document.raw_scalars["/float"] == "1.10"


def test_positions_of_keys_and_values():
    document, _ = parse("metadata:\n  creators:\n    - name: Doe\n      orcid: x\n")
    assert document.key_position("/metadata/creators") == (2, 3)
    assert document.value_position("/metadata/creators/0") == (3, 7)
    assert document.key_position("/metadata/creators/0/orcid") == (4, 7)
    assert document.value_position("/metadata/creators/0/orcid") == (4, 14)
    # a pointer that is not written (a missing key) falls back to its nearest written parent
    assert document.value_position("/metadata/creators/0/gnd") == (3, 7)


def test_keys_with_slashes_and_tildes_are_escaped_in_pointers():
    document, _ = parse("custom:\n  a/b~c: 1\n")
    assert document.key_position("/custom/a~1b~0c") == (2, 3)


def test_duplicate_keys_are_reported_at_the_second_one_and_the_first_is_kept():
    document, findings = parse("title: one\ntitle: two\n")
    assert document.data == {"title": "one"}
    assert [(f.line, f.column, f.rule) for f in findings] == [(2, 1, "yaml-duplicate-key")]
    assert "first written on line 1" in findings[0].message


def test_anchors_aliases_and_merge_keys():
    document, findings = parse("base: &b {name: Doe, orcid: x}\nperson:\n  <<: *b\n  orcid: y\nagain: *b\n")
    assert findings == []
    assert document.data["person"] == {"orcid": "y", "name": "Doe"}
    assert document.data["again"] == {"name": "Doe", "orcid": "x"}


def test_empty_document_is_none():
    document, findings = parse("# only a comment\n")
    assert (document.data, findings) == (None, [])
