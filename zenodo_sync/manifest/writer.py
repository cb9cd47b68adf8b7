"""Manifests and zsync.yaml written as a person would write them (`zsync import`).

Keys stay in the order given (the caller orders them as the README's example does), long or
multi-line text becomes a block scalar, short lists of words stay on one line
(`keywords: [a, b]`). Whatever style is chosen, the text must load back to the same data:
`dump_yaml` checks that and falls back to PyYAML's plain styles for a value it cannot write
in a block.
"""

from __future__ import annotations

from typing import Any

import yaml

SCHEMA_COMMENT = (
    "# yaml-language-server: $schema=https://raw.githubusercontent.com/zsync-zenodo/zsync/main/"
    "schemas/manifest.schema.json\n"
)
# Text longer than this (or with a line break) is written as a block scalar.
BLOCK_TEXT_LENGTH = 80
# A list of short strings is written on one line when it fits in this many characters.
FLOW_LIST_WIDTH = 72
LINE_WIDTH = 100


class _Dumper(yaml.SafeDumper):
    """SafeDumper that keeps key order, indents lists under their key and writes blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> bool | None:
        return super().increase_indent(flow, False)  # type: ignore[no-any-return]


def _text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    if getattr(dumper, "plain_only", False):
        return dumper.represent_str(value)
    if "\n" in value.strip("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > BLOCK_TEXT_LENGTH and value == value.strip() and "  " not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_str(value)


def _list(dumper: _Dumper, value: list[Any]) -> yaml.SequenceNode:
    words = all(isinstance(item, str) and "\n" not in item for item in value)
    flow = bool(value) and words and sum(len(item) + 2 for item in value) <= FLOW_LIST_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _mapping(dumper: _Dumper, value: dict[Any, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _mapping)


def dump_yaml(data: Any) -> str:
    """`data` as YAML in the styles above, guaranteed to load back equal to `data`."""
    text = _dump(data, plain_only=False)
    if yaml.safe_load(text) != data:
        text = _dump(data, plain_only=True)  # a value the block styles cannot carry exactly
    return text


def _dump(data: Any, *, plain_only: bool) -> str:
    class Dumper(_Dumper):
        pass

    Dumper.plain_only = plain_only  # type: ignore[attr-defined]
    return yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=LINE_WIDTH,
    )


def manifest_text(document: dict[str, Any], *, header: str = "") -> str:
    """A manifest: the schema comment for editors, an optional comment header, the document."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return SCHEMA_COMMENT + comment + dump_yaml(document)
