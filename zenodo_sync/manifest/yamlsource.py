"""Read one YAML file into plain Python data plus the line:column of every node.

Why not `yaml.safe_load`: validation must point at lines, so we keep pyyaml's node
marks (compose), and we build the data ourselves to
- keep dates as strings (`publication_date: 2024-01-01` is a string to Zenodo, and a
  JSON Schema `format: date` check needs a string; check-jsonschema does the same);
- read booleans and numbers the YAML 1.2 way: `language: no` (Norwegian) and
  `version: 1:30` stay strings instead of becoming False and 90 (YAML 1.1 rules);
- report duplicate keys (pyyaml silently keeps the last one);
- bound alias expansion (a "billion laughs" document composes small but explodes when
  built), nesting depth and file size, so no input can hang or exhaust memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import BaseResolver

from zenodo_sync.manifest.findings import ERROR, Finding

try:  # libyaml is ~10x faster; the pure-Python parser gives the same nodes and marks
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how pyyaml was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


MAX_BYTES = 2 * 1024 * 1024  # a manifest is metadata: even a long description is a few KB
MAX_NODES = 100_000  # after alias expansion
MAX_DEPTH = 64

Position = tuple[int, int]  # (line, column), 1-based

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"


class _Yaml12Resolver(BaseResolver):
    """Implicit types of the YAML 1.2 core schema; no timestamps (they stay strings)."""


for _tag, _pattern, _first in (
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        FLOAT,
        (
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
            r"|\.(?:nan|NaN|NAN))$"
        ),
        "-+0123456789.",
    ),
    (NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (MERGE, r"^(?:<<)$", "<"),
):
    _Yaml12Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _Loader(_Parser, _Yaml12Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Yaml12Resolver.__init__(self)


@dataclass
class YamlDocument:
    """Plain data (dict/list/str/int/float/bool/None) and where each part was written."""

    data: Any
    # JSON pointer -> position of the value; and, for mapping entries, of the key.
    value_positions: dict[str, Position] = field(default_factory=dict)
    key_positions: dict[str, Position] = field(default_factory=dict)
    # Numbers as written (`1.10`), for messages about values YAML read as numbers.
    raw_scalars: dict[str, str] = field(default_factory=dict)

    def value_position(self, pointer: str) -> Position:
        """The closest written position for `pointer` (walks up to an ancestor that exists)."""
        while pointer not in self.value_positions and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return self.value_positions.get(pointer, (1, 1))

    def key_position(self, pointer: str) -> Position:
        """Where the key of `pointer` is written (list items: the item itself)."""
        if pointer in self.key_positions:
            return self.key_positions[pointer]
        return self.value_position(pointer)


def pointer_join(parent: str, token: Any) -> str:
    text = str(token).replace("~", "~0").replace("/", "~1")
    return f"{parent}/{text}"


class _BuildError(Exception):
    def __init__(self, message: str, mark: Position, rule: str) -> None:
        super().__init__(message)
        self.message, self.mark, self.rule = message, mark, rule


def _pos(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed node graph into data, recording positions and duplicate keys."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.doc = YamlDocument(data=None)
        self.findings: list[Finding] = []
        self.nodes = 0
        self.active: set[int] = set()  # node ids on the current path: an alias to one is a cycle

    def build(self, node: yaml.Node, pointer: str = "", depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _BuildError(
                f"the document holds, or expands through aliases to, more than {MAX_NODES:,} values",
                _pos(node.start_mark),
                "yaml-alias-limit",
            )
        if depth > MAX_DEPTH:
            raise _BuildError(
                f"YAML nesting is too deep (more than {MAX_DEPTH} levels)",
                _pos(node.start_mark),
                "yaml-too-deep",
            )
        self.doc.value_positions.setdefault(pointer, _pos(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            if node.tag in (INT, FLOAT):
                self.doc.raw_scalars[pointer] = node.value
            return self._scalar(node)
        if id(node) in self.active:
            raise _BuildError(
                "an alias refers to a node that contains it (recursive alias)",
                _pos(node.start_mark),
                "yaml-alias-limit",
            )
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self._expect_tag(node, SEQ)
                return [
                    self.build(item, pointer_join(pointer, index), depth + 1)
                    for index, item in enumerate(node.value)
                ]
            self._expect_tag(node, MAP)
            return self._mapping(node, pointer, depth)
        finally:
            self.active.discard(id(node))

    def _expect_tag(self, node: yaml.Node, tag: str) -> None:
        if node.tag != tag:
            raise _BuildError(f"unsupported YAML tag {node.tag!r}", _pos(node.start_mark), "yaml-tag")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        value, tag = node.value, node.tag
        try:
            if tag == STR:
                return value
            if tag == NULL:
                return None
            if tag == BOOL:
                return value.lower() == "true"
            if tag == INT:
                if value.startswith(("0o", "0x")):
                    return int(value, 0)
                return int(value, 10)
            if tag == FLOAT:
                return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
        except ValueError:
            raise _BuildError(
                f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", _pos(node.start_mark), "yaml-tag"
            ) from None
        raise _BuildError(f"unsupported YAML tag {tag!r}", _pos(node.start_mark), "yaml-tag")

    def _mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                merged.update(self._merge_sources(value_node, pointer, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _BuildError(
                    "a mapping key must be a plain value, not a list or mapping",
                    _pos(key_node.start_mark),
                    "yaml-syntax",
                )
            key = key_node.value
            child = pointer_join(pointer, key)
            if key in result:
                first = self.doc.key_positions.get(child, (0, 0))
                line, column = _pos(key_node.start_mark)
                self.findings.append(
                    Finding(
                        self.display,
                        line,
                        column,
                        ERROR,
                        f"duplicate key {key!r} (first written on line {first[0]}); "
                        "YAML keeps only one of them",
                        child,
                        "yaml-duplicate-key",
                    )
                )
                continue
            self.doc.key_positions[child] = _pos(key_node.start_mark)
            result[key] = self.build(value_node, child, depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge_sources(self, node: yaml.Node, pointer: str, depth: int) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):  # earlier sources win (YAML merge-key spec)
            if not isinstance(source, yaml.MappingNode):
                raise _BuildError("`<<` merges mappings only", _pos(source.start_mark), "yaml-syntax")
            merged.update(self.build(source, pointer, depth + 1))
        return merged


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 0 < line <= len(lines) and 0 < column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _indentation_hint(text: str, line: int) -> str | None:
    """When line `line` starts at a column no enclosing line uses, say so: PyYAML's own words
    ("mapping values are not allowed here", "did not find expected key") never mention indentation."""
    lines = text.split("\n")
    if not 0 < line <= len(lines) or not lines[line - 1].strip() or "\t" in lines[line - 1]:
        return None
    indent = _indent(lines[line - 1])
    levels: list[int] = []  # columns a key may start at here: the previous line's, then each enclosing one's
    for previous in reversed(lines[: line - 1]):
        stripped = previous.strip()
        if not stripped or stripped.startswith("#"):
            continue
        level = _indent(previous)
        if levels and level >= min(levels):
            continue
        if stripped.startswith("- "):  # a list entry's keys line up after its dash
            levels.append(level + len(stripped) - len(stripped[1:].lstrip(" ")))
        levels.append(level)
        if level == 0:
            break
    if not levels or indent in levels:
        return None
    shown = [str(level) for level in sorted(set(levels), reverse=True)]
    around = " or ".join(filter(None, (", ".join(shown[:-1]), shown[-1])))
    spaces = "1 space" if indent == 1 else f"{indent} spaces"
    return (
        f"YAML indentation: line {line} is indented by {spaces}, but the lines it can belong to by {around}; "
        "keys of one mapping must line up exactly"
    )


def _too_deep(display: str, where: Position) -> Finding:
    message = f"YAML nesting is too deep (more than {MAX_DEPTH} levels)"
    return Finding(display, where[0], where[1], ERROR, message, "", "yaml-too-deep")


def _syntax_finding(display: str, text: str, exc: yaml.YAMLError) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem_text = str(getattr(exc, "problem", ""))
    context_text = str(getattr(exc, "context", ""))
    unclosed = (
        "end of stream" in problem_text
        or "<stream end>" in problem_text
        or context_text.startswith(("while parsing a flow", "while scanning a quoted"))
    )
    if unclosed and getattr(exc, "context_mark", None):
        # An unclosed quote or bracket: point where it was opened, not where the parser gave up.
        mark = exc.context_mark
    line, column = _pos(mark) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    if "nesting depth" in problem:
        # libyaml (PyYAML >= 6.0.3 built with it) stops deep nesting itself, before our builder's
        # MAX_DEPTH check sees the node: the user gets the same message either way.
        return _too_deep(display, (line, column))
    context = getattr(exc, "context", None)
    message = f"{context}: {problem}" if context else problem
    if "'\\t'" in problem or _char_at(text, line, column) == "\t":
        message = "tab character: YAML indentation must use spaces"
    elif not unclosed and (hint := _indentation_hint(text, line)):
        return Finding(display, line, column, ERROR, f"{hint} ({message})", "", "yaml-syntax")
    return Finding(display, line, column, ERROR, f"YAML syntax: {message}", "", "yaml-syntax")


def _decode(raw: bytes, display: str) -> tuple[str | None, list[Finding]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        start = exc.start
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        return None, [
            Finding(
                display,
                line,
                column,
                ERROR,
                f"not UTF-8: byte 0x{raw[start]:02x} cannot be decoded; save the file as UTF-8",
                "",
                "yaml-encoding",
            )
        ]


def read_yaml(
    path: Path, display: str, *, max_bytes: int = MAX_BYTES
) -> tuple[YamlDocument | None, list[Finding]]:
    """Parse `path`; on failure return (None, findings) with the first problem's position."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [
                Finding(
                    display,
                    1,
                    1,
                    ERROR,
                    f"file is {size:,} bytes; a manifest may be at most {max_bytes:,} bytes",
                    "",
                    "yaml-too-large",
                )
            ]
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [
            Finding(display, 0, 0, ERROR, f"cannot read file: {exc.strerror or exc}", "", "file-unreadable")
        ]
    if len(raw) > max_bytes:  # grew while we looked, or a special file
        return None, [
            Finding(display, 1, 1, ERROR, f"file is larger than {max_bytes:,} bytes", "", "yaml-too-large")
        ]
    text, findings = _decode(raw, display)
    if text is None:
        return None, findings
    return parse_yaml_text(text, display)


def parse_yaml_text(text: str, display: str) -> tuple[YamlDocument | None, list[Finding]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, [_syntax_finding(display, text, exc)]
    except RecursionError:
        return None, [_too_deep(display, (1, 1))]
    finally:
        loader.dispose()
    builder = _Builder(display)
    if node is None:
        return YamlDocument(data=None, value_positions={"": (1, 1)}), []
    try:
        builder.doc.data = builder.build(node)
    except _BuildError as exc:
        return None, [
            *builder.findings,
            Finding(display, exc.mark[0], exc.mark[1], ERROR, exc.message, "", exc.rule),
        ]
    return builder.doc, builder.findings
