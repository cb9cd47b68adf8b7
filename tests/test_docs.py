"""docs/zenodo-behaviour.md is where the code's section citations land.

Comments cite Zenodo behaviour as a section sign and a number (`§3.10`, `§3.9.3`); each number
must have a heading in docs/zenodo-behaviour.md, or a reader cannot follow it. Citations of
other documents (`ux-conventions.md §1.1`) are not ours to check.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOUR_DOC = ROOT / "docs" / "zenodo-behaviour.md"
DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
SECTION_SIGN = "\u00a7"  # spelled out so this file cites nothing itself

CITING_DIRS = ("zenodo_sync", "tests", "benchmarks", "schemas")
CITING_FILES = ("README.md",)
TEXT_SUFFIXES = {".py", ".md", ".json", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".ini"}

NUMBER = r"\d+(?:\.\d+)*"
# "§3.10", and ranges "§3.10-3.12" / "§6.1-§6.3", whose end is a citation too.
CITATION = re.compile(rf"{SECTION_SIGN}({NUMBER})(?:\s*[-\u2013]\s*{SECTION_SIGN}?({NUMBER}))?")
HEADING = re.compile(rf"^#+\s+{SECTION_SIGN}({NUMBER})\b", re.MULTILINE)
# A citation right after another document's name (`README.md §2`) points into that document.
OTHER_DOCUMENT = re.compile(r"(?<!zenodo-behaviour)\.md\s*$")
# A document named in prose: `architecture.md`, `docs/zenodo-behaviour.md`, `../README.md`.
DOCUMENT_NAME = re.compile(r"(?<![\w/.-])((?:\.\./|[\w-]+/)*[\w-]+\.md)\b")


def _source_files(dirs: tuple[str, ...], files: tuple[str, ...] = ()) -> list[Path]:
    found = [ROOT / name for name in files if (ROOT / name).is_file()]
    for name in dirs:
        for path in sorted((ROOT / name).rglob("*")):
            wanted = path.is_file() and path.suffix in TEXT_SUFFIXES and path != Path(__file__).resolve()
            if wanted and not {".venv", "__pycache__"} & set(path.parts):
                found.append(path)
    return found


def _cited_numbers(text: str) -> set[str]:
    numbers = set()
    for line in text.splitlines():
        for match in CITATION.finditer(line):
            if OTHER_DOCUMENT.search(line[: match.start()]):
                continue
            numbers.update(number for number in match.groups() if number)
    return numbers


def _headings() -> list[str]:
    return HEADING.findall(BEHAVIOUR_DOC.read_text(encoding="utf-8"))


def _citations_by_number(paths: list[Path]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number in _cited_numbers(text):
            where.setdefault(number, []).append(str(path.relative_to(ROOT)))
    return where


def test_every_cited_section_has_a_heading():
    headings = set(_headings())
    cited = _citations_by_number(_source_files(CITING_DIRS, CITING_FILES))
    assert cited, "no citations found: has the section sign changed?"
    missing = {number: sorted(paths) for number, paths in cited.items() if number not in headings}
    assert not missing, f"cited but without a heading in {BEHAVIOUR_DOC.name}: {missing}"


def test_cross_references_inside_the_doc_resolve():
    text = BEHAVIOUR_DOC.read_text(encoding="utf-8")
    body = HEADING.sub("", text)  # the headings themselves are not references
    dangling = _cited_numbers(body) - set(_headings())
    assert not dangling, f"references to sections that do not exist: {sorted(dangling)}"


def test_each_section_number_is_used_once():
    headings = _headings()
    repeated = sorted({number for number in headings if headings.count(number) > 1})
    assert not repeated, f"section numbers used by more than one heading: {repeated}"


def test_behaviours_sit_under_their_section():
    """`§3.10.4` needs a `§3.10` heading, so a citation of the section still lands."""
    headings = set(_headings())
    orphans = sorted(n for n in headings if "." in n and n.rsplit(".", 1)[0] not in headings)
    assert not orphans, f"headings without their parent section: {orphans}"


def _prose(path: Path) -> str:
    """What a reader reads as prose: a Python file's comments and docstrings, any other file whole.

    Strings in code are left out: a test may well write a data file called `notes.md`.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".py":
        return text
    comments = [
        t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT
    ]
    nodes = [node for node in ast.walk(ast.parse(text)) if isinstance(node, DOCUMENTED)]
    docstrings = [ast.get_docstring(node) or "" for node in nodes]
    return "\n".join(comments + docstrings)


def test_every_document_the_code_names_is_in_the_repository():
    """A clone holds nothing beside the repository: a comment that names a design note, a survey
    or a reference kept elsewhere sends its reader nowhere. Cite docs/ instead."""
    documents = {path.name for path in ROOT.rglob("*.md") if not {".venv", ".git"} & set(path.parts)}
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _source_files(("zenodo_sync", "tests", "benchmarks", "datasets"))
        for name in DOCUMENT_NAME.findall(_prose(path))
        if not ((ROOT / name).is_file() or (path.parent / name).is_file() or Path(name).name in documents)
    ]
    assert not offenders, "documents not in the repository (cite docs/ instead):\n" + "\n".join(offenders)
