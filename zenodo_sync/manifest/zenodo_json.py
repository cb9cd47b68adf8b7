"""`.zenodo.json` as a manifest source: strict JSON, read with the line of every value.

Zenodo's GitHub integration loads `.zenodo.json` through the deposit API's own schema, so the
file holds deposit-API metadata, exactly what a manifest's `metadata:` holds (§10.1). On
Zenodo a file that fails to load fails the release with no record made; here every problem
is a finding at its line. JSON is parsed twice: by `json` (the standard's rules, and a
precise place for a syntax error), then as YAML 1.2, of which JSON is a subset, for the
positions of the values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zenodo_sync.manifest.findings import ERROR, Finding
from zenodo_sync.manifest.yamlsource import YamlDocument, parse_yaml_text

ZENODO_JSON = ".zenodo.json"
MAX_BYTES = 1_000_000


def read_zenodo_json(path: Path, display: str) -> tuple[YamlDocument | None, list[Finding]]:
    """The parsed file with positions, or None and the finding that says why not."""
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        return None, [
            Finding(display, 0, 0, ERROR, f"cannot read file: {exc.strerror or exc}", "", "file-unreadable")
        ]
    if len(raw) > MAX_BYTES:
        return None, [
            Finding(display, 1, 1, ERROR, f"file is larger than {MAX_BYTES:,} bytes", "", "json-too-large")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            Finding(
                display,
                1,
                1,
                ERROR,
                f"not UTF-8 (byte {exc.start}); save the file as UTF-8",
                "",
                "json-encoding",
            )
        ]
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Finding(display, exc.lineno, exc.colno, ERROR, f"JSON syntax: {exc.msg}", "", "json-syntax")
        ]
    if not isinstance(data, dict):
        return None, [
            Finding(
                display,
                1,
                1,
                ERROR,
                "`.zenodo.json` holds one JSON object of metadata fields",
                "",
                "json-shape",
            )
        ]
    # In valid JSON a tab is only ever whitespace between tokens; YAML refuses tabs there.
    document, findings = parse_yaml_text(text.replace("\t", " "), display)
    if document is None:
        # Valid JSON that the YAML reader cannot take (a duplicate key, say): say why, at its place.
        return None, findings or [Finding(display, 1, 1, ERROR, "cannot be read", "", "json-syntax")]
    document.data = data  # json's reading of the values, the one Zenodo uses
    return document, [_in_json_words(finding) for finding in findings]


def _in_json_words(finding: Finding) -> Finding:
    if finding.rule == "yaml-duplicate-key":
        message = finding.message.replace("YAML keeps only one of them", "Zenodo keeps only the last one")
        return Finding(
            finding.file,
            finding.line,
            finding.column,
            finding.severity,
            message,
            finding.pointer,
            "json-duplicate-key",
        )
    return finding
