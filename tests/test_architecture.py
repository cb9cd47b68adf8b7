"""The layer rule of docs/architecture.md, checked on every import in zenodo_sync/.

Every `import` and `from ... import` is read with `ast`, including imports inside functions
(the lazy ones a runtime check would miss) and `importlib.import_module("...")` calls with a
literal name. Two rules: a package imports only what LAYERS allows it, and no two modules
import each other, directly or round a longer loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT_PACKAGE = "zenodo_sync"
SOURCE = Path(__file__).resolve().parent.parent / ROOT_PACKAGE


def _may(*groups: str) -> frozenset[str]:
    return frozenset(" ".join(groups).split())


# The foundation: plain data types, the error family and one-job helpers (atomic writes, byte
# counts, counted nouns). They import nothing of zsync, and every layer but the emulator may
# import them all.
FOUNDATION = "model errors atomicfile sizes wording"

# What each top-level unit of zenodo_sync/ may import from zenodo_sync (besides itself and the
# root package, which holds only __version__). Read top to bottom it is the pipeline's layering:
# cli -> run (+ settings) -> engine -> (manifest, backends, render) -> zenodo -> model/errors,
# with the emulator beside the engine, started only by the CLI (and the tests).
LAYERS: dict[str, frozenset[str]] = {
    "__main__": _may("cli"),
    "cli": _may("run settings engine manifest backends render release zenodo emulator ci vcs", FOUNDATION),
    "run": _may("settings engine manifest backends render release zenodo vcs", FOUNDATION),
    # CI extras (GitHub's summary, outputs, comment) draw the plan; git reads the repository.
    "ci": _may("render", FOUNDATION),
    "vcs": _may(FOUNDATION),
    "settings": _may("zenodo", FOUNDATION),
    "engine": _may("manifest backends render zenodo", FOUNDATION),
    # Siblings under the engine: none of them imports another.
    "manifest": _may("zenodo", FOUNDATION),
    "backends": _may("zenodo", FOUNDATION),
    "render": _may("zenodo", FOUNDATION),
    # A release's tag, event and CITATION.cff helpers: beside the engine, under run. Its git is
    # vcs/'s and its GitHub event payload ci/'s, each written once.
    "release": _may("zenodo vcs ci", FOUNDATION),
    "zenodo": _may(FOUNDATION),
    # The emulator plays the server: it shares Zenodo's rules with zsync, never zsync's client side.
    "emulator": _may("zenodo model errors atomicfile"),
    "model": _may(""),
    "errors": _may(""),
    "atomicfile": _may(""),
    "sizes": _may(""),
    "wording": _may(""),
}

# Why an import of these units is refused, for the failure message.
WHY_NOT = {
    "emulator": "only the CLI and the tests may start the emulator; library code must work without it",
    "cli": "nothing imports the CLI; it is the top of the stack",
    "run": "only the CLI drives a run",
    "manifest": "manifest, backends and render are siblings under the engine and do not import each other",
    "backends": "manifest, backends and render are siblings under the engine and do not import each other",
    "render": "manifest, backends and render are siblings under the engine and do not import each other",
}

# Imports that break the rules today, each with the change that removes it. An entry is
# (importing module, imported module), e.g. ("zenodo_sync.settings", "zenodo_sync.emulator.config")
# while settings read the emulator's default token. test_known_violations_still_exist fails once an
# entry no longer occurs, so it is deleted with the fix instead of lingering as a permission.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted module name inside zenodo_sync
    file: Path
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`, so never executed

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(SOURCE.parent)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    path = SOURCE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def unit_of(dotted: str) -> str:
    """The LAYERS key of a module: its top-level package or module under zenodo_sync."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ROOT_PACKAGE


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imported_names(node: ast.AST, importer: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        package = _absolute(node, importer, is_package)
        for alias in node.names:
            # `from pkg import sub` imports the module pkg.sub; `from pkg import name` imports pkg.
            candidate = f"{package}.{alias.name}"
            yield candidate if is_module(candidate) else package
    elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args:
        name = _literal_prefix(node.args[0])
        if name:
            yield name


def _is_import_module(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )


def _literal_prefix(arg: ast.expr) -> str | None:
    """The module a literal name or f-string names: f"zenodo_sync.cli.{name}" gives zenodo_sync.cli."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        head = str(arg.values[0].value)
        return head.rsplit(".", 1)[0] if "." in head else None
    return None


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for statement in node.body:
                inside.update(id(child) for child in ast.walk(statement))
    return inside


def imports_in(path: Path) -> Iterator[Import]:
    importer = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    type_only = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        for name in _imported_names(node, importer, path.name == "__init__.py"):
            if name == ROOT_PACKAGE or name.startswith(ROOT_PACKAGE + "."):
                yield Import(importer, name, path, getattr(node, "lineno", 0), id(node) in type_only)


def all_imports() -> list[Import]:
    return [imp for path in sorted(SOURCE.rglob("*.py")) for imp in imports_in(path)]


def layer_breaks(imports: list[Import]) -> list[str]:
    breaks = []
    for imp in imports:
        source, target = unit_of(imp.importer), unit_of(imp.imported)
        if source == target or target == ROOT_PACKAGE or imp.imported == imp.importer:
            continue
        if source == ROOT_PACKAGE:
            allowed: frozenset[str] = frozenset()
        else:
            allowed = LAYERS.get(source, frozenset())
        if target in allowed:
            continue
        reason = WHY_NOT.get(target, f"{target} is not below {source} in the layer table")
        may = ", ".join(sorted(allowed)) or "nothing of zsync"
        breaks.append(
            f"{imp.where}: {imp.importer} imports {imp.imported}: {source} may import only {may} ({reason})"
        )
    return breaks


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def cycle_report(cycle: list[str], imports: list[Import]) -> str:
    members = set(cycle)
    lines = [
        f"  {imp.where}: {imp.importer} imports {imp.imported}"
        for imp in imports
        if imp.importer in members and imp.imported in members and imp.importer != imp.imported
    ]
    return "import cycle between " + ", ".join(cycle) + ":\n" + "\n".join(sorted(set(lines)))


def runtime_edges(imports: list[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for imp in imports:
        if not imp.type_only and imp.importer != imp.imported:
            edges.setdefault(imp.importer, set()).add(imp.imported)
    return edges


def not_known(imports: list[Import]) -> list[Import]:
    return [imp for imp in imports if (imp.importer, imp.imported) not in KNOWN_VIOLATIONS]


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_every_unit_has_a_place_in_the_layer_table() -> None:
    units = {unit_of(module_name(path)) for path in SOURCE.rglob("*.py")} - {ROOT_PACKAGE}
    missing = sorted(units - set(LAYERS))
    assert not missing, f"place {', '.join(missing)} in LAYERS here and in docs/architecture.md"
    stale = sorted(set(LAYERS) - units)
    assert not stale, f"LAYERS names units that no longer exist: {', '.join(stale)}"


def test_imports_follow_the_layer_table(imports: list[Import]) -> None:
    breaks = layer_breaks(not_known(imports))
    assert not breaks, "imports against the layer rule (docs/architecture.md):\n" + "\n".join(breaks)


def test_no_import_cycles_between_modules(imports: list[Import]) -> None:
    cycles = find_cycles(runtime_edges(not_known(imports)))
    assert not cycles, "\n".join(cycle_report(cycle, imports) for cycle in cycles)


def test_known_violations_still_exist(imports: list[Import]) -> None:
    present = {(imp.importer, imp.imported) for imp in imports}
    fixed = sorted(KNOWN_VIOLATIONS - present)
    assert not fixed, (
        "these KNOWN_VIOLATIONS no longer occur; delete them from the set so the rule holds again: "
        + ", ".join(f"{importer} -> {imported}" for importer, imported in fixed)
    )


def test_known_violations_are_still_violations(imports: list[Import]) -> None:
    """An entry that the rules allow anyway is no exemption but noise: it must go."""
    known = [imp for imp in imports if (imp.importer, imp.imported) in KNOWN_VIOLATIONS]
    layer_exempt = {(imp.importer, imp.imported) for imp in known if layer_breaks([imp])}
    cyclic: set[tuple[str, str]] = set()
    for cycle in find_cycles(runtime_edges(imports)):
        cyclic.update((a, b) for a in cycle for b in cycle if a != b)
    needless = sorted(KNOWN_VIOLATIONS - layer_exempt - cyclic)
    assert not needless, f"KNOWN_VIOLATIONS entries that break no rule: {needless}"


# The checker itself, on imports made up for the purpose: each rule must be able to fail.


def _fake(importer: str, imported: str, line: int = 1) -> Import:
    path = SOURCE.joinpath(*importer.split(".")[1:]).with_suffix(".py")
    return Import(importer, imported, path, line, type_only=False)


def test_checker_names_file_line_and_rule_of_a_forbidden_import() -> None:
    breaks = layer_breaks([_fake("zenodo_sync.render.text", "zenodo_sync.manifest.project", line=7)])
    assert len(breaks) == 1
    where = "zenodo_sync/render/text.py:7: "
    assert breaks[0].startswith(where + "zenodo_sync.render.text imports zenodo_sync.manifest.project")
    assert "render may import only atomicfile, errors, model, sizes, wording, zenodo" in breaks[0]
    assert "siblings" in breaks[0]


def test_checker_refuses_the_emulator_outside_the_cli() -> None:
    assert layer_breaks([_fake("zenodo_sync.cli.demo", "zenodo_sync.emulator")]) == []
    for importer in ("zenodo_sync.engine.apply", "zenodo_sync.backends.http", "zenodo_sync.settings"):
        (message,) = layer_breaks([_fake(importer, "zenodo_sync.emulator.config")])
        assert "only the CLI" in message


def test_checker_refuses_upward_imports() -> None:
    assert layer_breaks([_fake("zenodo_sync.zenodo.names", "zenodo_sync.engine.normalise")])
    assert layer_breaks([_fake("zenodo_sync.emulator.app", "zenodo_sync.backends.http")])
    assert layer_breaks([_fake("zenodo_sync.model", "zenodo_sync.errors")])
    assert layer_breaks([_fake("zenodo_sync.sizes", "zenodo_sync.render.common")])
    assert layer_breaks([_fake("zenodo_sync.emulator.store", "zenodo_sync.sizes")])


def test_checker_finds_cycles_through_lazy_imports() -> None:
    source = """
from zenodo_sync.engine.plan import x

def late():
    from zenodo_sync.engine.diff import y
"""
    tree = ast.parse(source)
    importer = "zenodo_sync.engine.refresh"
    names = [name for node in ast.walk(tree) for name in _imported_names(node, importer, False)]
    assert names == ["zenodo_sync.engine.plan", "zenodo_sync.engine.diff"]
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(edges) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
