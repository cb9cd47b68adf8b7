"""A manifest's `concept:` (the existing record it describes) and its remote-only file entries."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from zenodo_sync.manifest import load_project
from zenodo_sync.model import RemoteOnlyFile
from zenodo_sync.zenodo.concepts import ConceptFormatError, ConceptRef, parse_concept

TODAY = datetime.date(2026, 1, 1)
MD5 = "9e107d9d372bb6826bd81d3542a419d6"

HEAD = """\
metadata:
  title: Buoy temperatures
  upload_type: dataset
  description: Hourly sea surface temperature measured at three buoys in 2023.
  keywords: [ocean]
  license: cc-by-4.0
  creators:
    - name: Doe, Jane
"""


def project(tmp_path: Path, manifest: str, **others: str) -> Path:
    (tmp_path / "datasets").mkdir(exist_ok=True)
    (tmp_path / "datasets" / "rose.yaml").write_text(manifest, encoding="utf-8")
    (tmp_path / "datasets" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    for name, text in others.items():
        (tmp_path / "datasets" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("written", "number", "doi"),
    [
        ("10.5281/zenodo.2598799", "2598799", "10.5281/zenodo.2598799"),
        ("https://doi.org/10.5281/zenodo.2598799", "2598799", "10.5281/zenodo.2598799"),
        ("doi:10.5072/Zenodo.17", "17", "10.5072/zenodo.17"),
        ("https://zenodo.org/records/2598799", "2598799", None),
        ("https://sandbox.zenodo.org/record/12/", "12", None),
        ("https://zenodo.org/doi/10.5281/zenodo.2598799", "2598799", "10.5281/zenodo.2598799"),
        ("2598799", "2598799", None),
        (2598799, "2598799", None),
    ],
)
def test_the_ways_to_name_a_concept(written: object, number: str, doi: str | None):
    assert parse_concept(written) == ConceptRef(number, doi)


@pytest.mark.parametrize("written", ["10.1234/abc.5", "zenodo", "https://example.org/x/5", 0, True, ""])
def test_what_names_no_concept(written: object):
    with pytest.raises(ConceptFormatError):
        parse_concept(written)


def test_a_bound_manifest_loads_with_its_concept(tmp_path: Path):
    root = project(tmp_path, "concept: https://doi.org/10.5281/zenodo.77\n" + HEAD + "files: [data.csv]\n")
    loaded = load_project(root, today=TODAY)
    assert loaded.errors == []
    assert loaded.datasets[0].concept == "10.5281/zenodo.77"


def test_a_concept_id_read_as_a_number_is_fine(tmp_path: Path):
    root = project(tmp_path, "concept: 77\n" + HEAD + "files: [data.csv]\n")
    loaded = load_project(root, today=TODAY)
    assert loaded.errors == []
    assert loaded.datasets[0].concept == "77"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("10.1234/journal.5", "is not a Zenodo DOI"),
        ("my record", "must be a concept DOI"),
        ("[1, 2]", "expected text or a whole number"),
    ],
)
def test_a_bad_concept_is_one_located_error(tmp_path: Path, value: str, words: str):
    root = project(tmp_path, HEAD + "files: [data.csv]\nconcept: " + value + "\n")
    loaded = load_project(root, today=TODAY)
    assert [(f.file, f.line, f.pointer) for f in loaded.errors] == [("datasets/rose.yaml", 10, "/concept")]
    assert words in loaded.errors[0].message
    assert loaded.datasets == []


def test_two_manifests_bound_to_one_concept(tmp_path: Path):
    body = HEAD + "files: [data.csv]\n"
    root = project(
        tmp_path,
        "concept: 10.5281/zenodo.77\n" + body,
        tulip="concept: https://zenodo.org/records/77\n" + body,
    )
    loaded = load_project(root, today=TODAY)
    assert sorted((f.file, f.line, f.rule) for f in loaded.errors) == [
        ("datasets/rose.yaml", 1, "concept-duplicate"),
        ("datasets/tulip.yaml", 1, "concept-duplicate"),
    ]
    assert "also bound by datasets/tulip.yaml" in next(f for f in loaded.errors if "rose" in f.file).message
    assert loaded.datasets == []


def test_remote_only_entries_beside_local_files(tmp_path: Path):
    root = project(
        tmp_path,
        HEAD
        + f"files:\n  - data.csv\n  - name: raw/big.tar.gz\n    md5: md5:{MD5.upper()}\n    size: 1234\n"
        + f"  - name: notes.pdf\n    md5: {MD5}\n",
    )
    loaded = load_project(root, today=TODAY)
    assert loaded.errors == []
    dataset = loaded.datasets[0]
    assert [f.name for f in dataset.files] == ["data.csv"]
    assert dataset.remote_files == [
        RemoteOnlyFile("raw/big.tar.gz", MD5, 1234),
        RemoteOnlyFile("notes.pdf", MD5, None),
    ]


def test_remote_only_entries_alone_are_enough_files(tmp_path: Path):
    root = project(tmp_path, HEAD + f"files:\n  - name: big.tar.gz\n    md5: {MD5}\n")
    loaded = load_project(root, today=TODAY)
    assert loaded.errors == []
    assert loaded.datasets[0].files == []


@pytest.mark.parametrize(
    ("entry", "line", "pointer", "words"),
    [
        ("  - name: big.tar.gz\n    md5: 12345\n", 12, "/files/1/md5", "put it in quotes"),
        ("  - name: big.tar.gz\n    md5: xyz\n", 12, "/files/1/md5", "is not an md5 checksum"),
        ("  - name: big.tar.gz\n", 11, "/files/1", "missing required key `md5`"),
        (f"  - name: big.tar.gz\n    md5: {MD5}\n    sha: 1\n", 13, "/files/1/sha", "unknown key"),
        (f"  - name: data.csv\n    md5: {MD5}\n", 11, "/files/1/name", "both a file kept on the server"),
        (f"  - name: big.tar.gz\n    md5: {MD5}\n    size: 0\n", 13, "/files/1/size", "at least 1"),
    ],
)
def test_a_bad_remote_entry_is_one_located_error(
    tmp_path: Path, entry: str, line: int, pointer: str, words: str
):
    root = project(tmp_path, HEAD + "files:\n  - data.csv\n" + entry)
    loaded = load_project(root, today=TODAY)
    assert [(f.line, f.pointer) for f in loaded.errors] == [(line, pointer)], loaded.errors
    assert words in loaded.errors[0].message


def test_a_remote_entry_colliding_with_a_glob_match(tmp_path: Path):
    root = project(tmp_path, HEAD + f"files:\n  - '*.csv'\n  - name: data.csv\n    md5: {MD5}\n")
    loaded = load_project(root, today=TODAY)
    assert [f.rule for f in loaded.errors] == ["file-remote-collision"]
    assert "(`data.csv`)" in loaded.errors[0].message
