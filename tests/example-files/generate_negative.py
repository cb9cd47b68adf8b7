"""Write the negative corpus: one invalid manifest per case, ONE rule each.

Each case below is the base manifest with one change; `@@` marks where the error must be
reported. The script strips the marker and writes `# expect: LINE:COL RULE` as the first
line (so positions count that line). tests/manifest/test_corpus.py checks every file.

    python tests/example-files/generate_negative.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "negative"

BASE = """\
metadata:
  title: Sea surface temperature at three North Sea buoys
  upload_type: dataset
  publication_date: 2024-01-15
  description: Hourly sea surface temperature measured at three buoys in the North Sea during 2023.
  access_right: open
  license: cc-by-4.0
  creators:
    - name: Doe, Jane
      affiliation: Example University
      orcid: 0000-0002-1825-0097
  keywords: [oceanography, temperature]
files:
  - sample.csv
"""


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def add(lines: str) -> str:
    """Extra metadata lines, inserted before `files:`."""
    return edit("files:\n", lines + "files:\n")


CASES: dict[str, tuple[str, str]] = {
    # --- YAML itself
    "yaml-tab-indent": ("yaml-syntax", edit("    - name: Doe, Jane\n", "@@\t- name: Doe, Jane\n")),
    "yaml-unclosed-quote": ("yaml-syntax", edit("  title: Sea", '  title: @@"Sea')),
    "yaml-unclosed-bracket": (
        "yaml-syntax",
        edit("  keywords: [oceanography, temperature]", "  keywords: @@[oceanography, temperature"),
    ),
    "yaml-bad-indentation": (
        "yaml-syntax",
        edit("  upload_type: dataset\n", "  upload_type: dataset\n   title2@@: x\n"),
    ),
    "yaml-two-documents": ("yaml-syntax", BASE + "@@---\nmetadata: {}\n"),
    "yaml-duplicate-key": (
        "yaml-duplicate-key",
        edit("  access_right: open\n", "  access_right: open\n  @@title: Again\n"),
    ),
    "yaml-duplicate-key-nested": (
        "yaml-duplicate-key",
        edit(
            "      affiliation: Example University\n",
            "      affiliation: Example University\n      @@name: Roe, Richard\n",
        ),
    ),
    "yaml-python-tag": ("yaml-tag", edit("  title: Sea", "  title: @@!!python/object:os.system Sea")),
    "yaml-recursive-alias": (
        "yaml-alias-limit",
        edit("  keywords: [oceanography, temperature]", "  keywords: @@&k [oceanography, *k]"),
    ),
    # --- shape (JSON Schema)
    "unknown-top-level-key": ("schema-unknown-key", BASE + "@@fils:\n  - sample.csv\n"),
    "unknown-metadata-key": ("schema-unknown-key", add("  @@keyword: ocean\n")),
    "unknown-creator-key": (
        "schema-unknown-key",
        edit("      orcid: 0000", "      @@orcid_id: x\n      orcid: 0000"),
    ),
    "unknown-subject-key": (
        "schema-unknown-key",
        add(
            "  subjects:\n    - term: Oceanography\n"
            "      identifier: http://example.org/ocean\n"
            "      @@uri: x\n"
        ),
    ),
    "missing-metadata": ("schema-required", "@@files:\n  - sample.csv\n"),
    "missing-title": (
        "schema-required",
        edit(
            "  title: Sea surface temperature at three North Sea buoys\n",
            "",
            edit("metadata:", "@@metadata:"),
        ),
    ),
    "missing-creators": (
        "schema-required",
        edit(
            "  creators:\n    - name: Doe, Jane\n      affiliation: Example University\n"
            "      orcid: 0000-0002-1825-0097\n",
            "",
            edit("metadata:", "@@metadata:"),
        ),
    ),
    "missing-upload-type": (
        "schema-required",
        edit("  upload_type: dataset\n", "", edit("metadata:", "@@metadata:")),
    ),
    "creator-without-name": (
        "schema-required",
        edit("    - name: Doe, Jane\n      affiliation", "    - @@affiliation"),
    ),
    "contributor-without-type": ("schema-required", add("  contributors:\n    - @@name: Roe, Richard\n")),
    "location-without-place": ("schema-required", add("  locations:\n    - @@lat: 54.1\n      lon: 7.9\n")),
    "creators-mapping-not-list": (
        "schema-type",
        edit(
            "  creators:\n    - name: Doe, Jane\n      affiliation: Example University\n",
            "  creators:\n    @@name: Doe, Jane\n    affiliation: Example University\n",
        ).replace("      orcid: 0000-0002-1825-0097\n", "    orcid: 0000-0002-1825-0097\n"),
    ),
    "keywords-string-not-list": (
        "schema-type",
        edit("  keywords: [oceanography, temperature]", "  keywords: @@oceanography, temperature"),
    ),
    "version-number": ("schema-type", add("  version: @@1.10\n")),
    "publish-string": ("schema-type", BASE + 'publish: @@"yes"\n'),
    "files-string": ("schema-type", edit("files:\n  - sample.csv\n", "files: @@sample.csv\n")),
    "metadata-list": ("schema-type", "metadata:\n  @@- title: x\nfiles:\n  - sample.csv\n"),
    "affiliation-list": (
        "schema-type",
        edit("      affiliation: Example University", "      affiliation: @@[Example University, Other]"),
    ),
    "upload-type-typo": ("schema-enum", edit("  upload_type: dataset", "  upload_type: @@datset")),
    "access-right-unknown": ("schema-enum", edit("  access_right: open", "  access_right: @@public")),
    "contributor-type-unknown": (
        "schema-enum",
        add("  contributors:\n    - name: Roe, Richard\n      type: @@Collector\n"),
    ),
    "relation-wrong-case": (
        "schema-enum",
        add("  related_identifiers:\n    - identifier: 10.1234/abc\n      relation: @@Cites\n"),
    ),
    "related-resource-type-unknown": (
        "schema-enum",
        add(
            "  related_identifiers:\n    - identifier: 10.1234/abc\n      relation: cites\n"
            "      resource_type: @@journal-article\n"
        ),
    ),
    "publication-type-unknown": (
        "schema-enum",
        edit("  upload_type: dataset", "  upload_type: publication\n  publication_type: @@paper"),
    ),
    "image-type-unknown": (
        "schema-enum",
        edit("  upload_type: dataset", "  upload_type: image\n  image_type: @@picture"),
    ),
    "date-type-unknown": ("schema-enum", add("  dates:\n    - start: 2023-01-01\n      type: @@Measured\n")),
    "description-format-unknown": ("schema-enum", BASE + "description_format: @@rst\n"),
    "scheme-unknown": (
        "schema-enum",
        add(
            "  related_identifiers:\n    - identifier: 10.1234/abc\n"
            "      relation: cites\n      scheme: @@DOI\n"
        ),
    ),
    "title-too-short": (
        "schema-minlength",
        edit("  title: Sea surface temperature at three North Sea buoys", "  title: @@Hi"),
    ),
    "notes-too-short": ("schema-minlength", add("  notes: @@ok\n")),
    "creators-empty": (
        "schema-minitems",
        edit(
            "  creators:\n    - name: Doe, Jane\n      affiliation: Example University\n"
            "      orcid: 0000-0002-1825-0097\n",
            "  creators: @@[]\n",
        ),
    ),
    "latitude-out-of-range": (
        "schema-maximum",
        add("  locations:\n    - place: Buoy 1\n      lat: @@95\n      lon: 7.9\n"),
    ),
    "longitude-out-of-range": (
        "schema-minimum",
        add("  locations:\n    - place: Buoy 1\n      lat: 54\n      lon: @@-181\n"),
    ),
    "version-too-long": ("schema-maxlength", add("  version: @@" + "v" * 192 + "\n")),
    "license-list": ("schema-anyof", edit("  license: cc-by-4.0", "  license: @@[cc-by-4.0]")),
    "license-mapping-extra-key": (
        "schema-unknown-key",
        edit("  license: cc-by-4.0", "  license: {id: cc-by-4.0, @@name: CC BY}"),
    ),
    "date-without-start-or-end": ("schema-anyof", add("  dates:\n    - @@type: Collected\n")),
    "conference-url-not-url": ("schema-pattern", add("  conference_url: @@www.example.org\n")),
    "id-with-dotdot": ("schema-pattern", BASE + "id: @@../rose\n"),
    "files-under-metadata": (
        "schema-misplaced-key",
        edit("files:\n  - sample.csv\n", "  @@files: [sample.csv]\n"),
    ),
    "version-at-top-level": ("schema-misplaced-key", BASE + '@@version: "1.0"\n'),
    "title-at-top-level": ("schema-misplaced-key", BASE + "@@title: Sea surface temperature\n"),
    "community-slug-spaces": ("community-slug", add("  communities: [@@North Sea]\n")),
    "community-mapping-slug": ("community-slug", add("  communities:\n    - identifier: @@NorthSea\n")),
    "grant-single-colon": ("grant-format", add('  grants: [@@"10.13039/501100000780:654241"]\n')),
    "orcid-too-short": (
        "orcid-format",
        edit("      orcid: 0000-0002-1825-0097", "      orcid: @@0000-0002-1825-009"),
    ),
    "orcid-with-orcid-prefix": (
        "orcid-format",
        edit("      orcid: 0000-0002-1825-0097", "      orcid: @@orcid:0000-0002-1825-0097"),
    ),
    "doi-as-url": ("doi-syntax", add("  doi: @@https://doi.org/10.1234/abc\n")),
    "publication-date-day-first": (
        "date-format",
        edit("  publication_date: 2024-01-15", "  publication_date: @@15/01/2024"),
    ),
    "embargo-date-month-only": (
        "date-format",
        edit("  access_right: open", "  access_right: embargoed\n  embargo_date: @@2099-06"),
    ),
    "language-name": ("language-unknown", add("  language: @@english\n")),
    # --- requirements that depend on another field
    "publication-without-subtype": (
        "publication-type-required",
        edit("  upload_type: dataset", "  upload_type: @@publication"),
    ),
    "image-without-subtype": (
        "image-type-required",
        edit("  upload_type: dataset", "  upload_type: @@image"),
    ),
    "open-without-license": (
        "license-required",
        edit("  license: cc-by-4.0\n", "", edit("  access_right: open", "  access_right: @@open")),
    ),
    "embargoed-without-date": (
        "embargo-date-required",
        edit("  access_right: open", "  access_right: @@embargoed"),
    ),
    "restricted-without-conditions": (
        "access-conditions-required",
        edit("  access_right: open", "  access_right: @@restricted"),
    ),
    # --- meaning
    "orcid-bad-check-digit": (
        "orcid-checksum",
        edit("      orcid: 0000-0002-1825-0097", "      orcid: @@0000-0002-1825-0098"),
    ),
    "orcid-url-bad-check-digit": (
        "orcid-checksum",
        edit("      orcid: 0000-0002-1825-0097", "      orcid: @@https://orcid.org/0000-0002-1825-0096"),
    ),
    "publication-date-nonexistent": (
        "date-invalid",
        edit("  publication_date: 2024-01-15", "  publication_date: @@2023-02-30"),
    ),
    "dates-month-13": ("date-invalid", add("  dates:\n    - start: @@2023-13-01\n      type: Collected\n")),
    "dates-end-before-start": (
        "date-range",
        add("  dates:\n    - start: 2023-05-01\n      end: @@2023-04-01\n      type: collected\n"),
    ),
    "embargo-in-the-past": (
        "embargo-date-past",
        edit("  access_right: open", "  access_right: embargoed\n  embargo_date: @@2020-01-01"),
    ),
    "orcid-unissued": (
        "orcid-unissued",
        edit("      orcid: 0000-0002-1825-0097", "      orcid: @@0000-0004-1234-5671"),
    ),
    "creator-name-blank": ("name-blank", edit("    - name: Doe, Jane", "    - name: @@'   '")),
    "creator-family-name-blank": ("name-blank", edit("    - name: Doe, Jane", "    - name: @@', Jane'")),
    "contributor-name-blank": (
        "name-blank",
        add("  contributors:\n    - name: @@' '\n      type: DataCollector\n"),
    ),
    "title-blank": (
        "text-blank",
        edit("  title: Sea surface temperature at three North Sea buoys", "  title: @@'     '"),
    ),
    "imprint-publisher-blank": ("text-blank", add("  imprint_publisher: @@'  '\n")),
    "related-scheme-unknown": (
        "identifier-scheme-unknown",
        add("  related_identifiers:\n    - identifier: @@see our website\n      relation: isDocumentedBy\n"),
    ),
    "related-zsync-marker": (
        "identifier-reserved",
        add(
            "  related_identifiers:\n    - identifier: @@urn:zsync:buoys\n"
            "      relation: isAlternateIdentifier\n"
        ),
    ),
    "license-typo": ("license-unknown", edit("  license: cc-by-4.0", "  license: @@cc-by-4")),
    "license-mapping-unknown": (
        "license-unknown",
        edit("  license: cc-by-4.0", "  license: {id: @@CC-BY-9.0}"),
    ),
    # an SPDX id Zenodo's license table lacks: the server would refuse it (issue #9)
    "license-spdx-not-on-zenodo": (
        "license-unknown",
        edit("  license: cc-by-4.0", "  license: @@3d-slicer-1.0"),
    ),
    # Zenodo keeps it as a title only and reads it back with no license: never converges
    "license-title-only": ("license-unknown", edit("  license: cc-by-4.0", "  license: @@fal")),
    "language-bibliographic-code": ("language-unknown", add("  language: @@ger\n")),
    "language-unknown-code": ("language-unknown", add("  language: @@qqq\n")),
    "related-doi-without-suffix": (
        "doi-syntax",
        add("  related_identifiers:\n    - identifier: @@10.1038/\n      relation: cites\n"),
    ),
    # --- files
    "file-missing": ("file-missing", edit("  - sample.csv", "  - @@missing.csv")),
    "file-glob-matches-nothing": ("file-missing", edit("  - sample.csv", "  - @@data/*.parquet")),
    "file-absolute": ("file-absolute", edit("  - sample.csv", "  - @@/etc/passwd")),
    "file-dotdot-escape": ("file-outside-project", edit("  - sample.csv", "  - @@../../../../etc/passwd")),
    "file-is-directory": ("file-is-directory", edit("  - sample.csv", "  - @@../positive")),
    "file-duplicate-name": (
        "file-duplicate-name",
        edit("  - sample.csv", "  - sample.csv\n  - @@../positive/sample.csv"),
    ),
    "files-empty": ("files-required", edit("files:\n  - sample.csv\n", "files: @@[]\n")),
}

BYTE_CASES = {
    # not representable as text: a Latin-1 é in an otherwise UTF-8 file
    "not-utf8": ("yaml-encoding", edit("  title: Sea", "  title: Caf@@\udce9 Sea")),
}


def locate(text: str) -> tuple[str, int, int]:
    index = text.index("@@")
    before = text[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    return text.replace("@@", "", 1), line + 1, column  # +1: the expect line comes first


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for old in HERE.glob("*.yaml"):
        old.unlink()
    for name, (rule, text) in {**CASES, **BYTE_CASES}.items():
        body, line, column = locate(text)
        data = f"# expect: {line}:{column} {rule}\n{body}".encode("utf-8", "surrogateescape")
        (HERE / f"{name}.yaml").write_bytes(data)
    print(f"{len(CASES) + len(BYTE_CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
