"""docs/zenodo-behaviour.md is where the code's section citations land.

Comments cite Zenodo behaviour as a section sign and a number (`§3.10`, `§3.9.3`); each number
must have a heading in docs/zenodo-behaviour.md, or a reader cannot follow it. Citations of
other documents (`ux-conventions.md §1.1`) are not ours to check.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOUR_DOC = ROOT / "docs" / "zenodo-behaviour.md"
SECTION_SIGN = "\u00a7"  # spelled out so this file cites nothing itself

CITING_DIRS = ("zenodo_sync", "tests", "benchmarks", "schemas")
CITING_FILES = ("README.md",)
TEXT_SUFFIXES = {".py", ".md", ".json", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".ini"}

NUMBER = r"\d+(?:\.\d+)*"
# "§3.10", and ranges "§3.10-3.12" / "§6.1-§6.3", whose end is a citation too.
CITATION = re.compile(rf"{SECTION_SIGN}({NUMBER})(?:\s*[-\u2013]\s*{SECTION_SIGN}?({NUMBER}))?")
HEADING = re.compile(rf"^#+\s+{SECTION_SIGN}({NUMBER})\b", re.MULTILINE)
# A citation right after one of these names points into that document, not into ours.
OTHER_DOCUMENT = re.compile(r"(ux-conventions|style-anchors|peers)(\.md)?\s*$")

# Documents outside the repository: a reader of a clone cannot follow them.
STALE_REFERENCES = (
    "zenodo-api.md",
    "shared/",
    "ux-conventions",
    "style-anchors",
    "peers.md",
    "DESIGN.md",
    "STYLE.md",
)


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


def test_no_code_points_outside_the_repository():
    offenders = [
        f"{path.relative_to(ROOT)}: {stale}"
        for path in _source_files(("zenodo_sync", "tests", "benchmarks", "datasets", "docs"), CITING_FILES)
        for stale in STALE_REFERENCES
        if stale in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not offenders, "cite docs/zenodo-behaviour.md instead:\n" + "\n".join(offenders)
