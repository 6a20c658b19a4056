"""The architecture in CONTRIBUTING.md ("Architecture"), enforced: layers import only downwards, no import cycle,
nothing imports the CLI or the workbench, ``import stamning`` stays cheap, and no module grows past 400 lines.

Every ``import`` / ``from … import`` under ``src/stamning`` is read with :mod:`ast`, wherever it stands: at module
level (``module``), under ``if TYPE_CHECKING:`` (``typing``) or inside a function or class body (``lazy``). A lazy
upward import is still an upward dependency, so the layer rule reads all three kinds; the cycle rule reads the
module-level graph (what Python runs on import)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "stamning"

# CONTRIBUTING.md's table, bottom to top: a module may import its own rank and the ranks below it.
RANKS = {
    "errors": 0,  # the shared contract
    "records": 0,
    "options": 0,
    "text": 0,
    "io": 1,
    "encoders": 2,
    "model": 3,
    "themes": 3,
    "training": 4,
    "summary": 5,
    "report": 6,
    "privacy": 7,
    "store": 7,
    "engines": 8,
    "cli": 9,
    "web": 9,
    # the public API at the top (lazy re-exports) and the compatibility shims for the paths documented before
    "stamning": 10,
    "pipeline": 10,
    "survey": 10,
}
CONTRACT = {"errors", "records", "options", "text"}
# Layers whose row in the table is narrower than "the layers below": only these (and their own layer).
NARROWER = {
    "privacy": CONTRACT | {"io"},
    "store": CONTRACT | {"io", "model", "themes", "summary", "privacy"},
}
MAX_LINES = 400
HEAVY = ("torch", "transformers", "pandas")

# Upward imports that stay for now, each with its reason. Keep this short; an entry that no longer matches
# an import fails the test (see test_every_exception_is_still_needed), so a fixed one must be removed here.
EXCEPTIONS: dict[tuple[str, str], str] = {}  # none left
# Private names (``_x``) imported from another module, each with its reason: make the name public instead.
PRIVATE_IMPORTS: dict[tuple[str, str], str] = {}  # none left
# Modules allowed over MAX_LINES, each with its reason. Empty: none is.
LONG_MODULES: dict[str, str] = {}


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. "stamning.cli.app"
    target: str  # imported module, e.g. "stamning.errors"
    kind: str  # "module", "typing" (under TYPE_CHECKING) or "lazy" (in a function or class body)
    line: int


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if prefix == "stamning" and all(alias.name == "__version__" for alias in node.names):
        return ["stamning.__version__"]  # the version lives in the package root: contract, not the API
    return [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in known else prefix for a in node.names]


def _walk(body: Iterable[ast.stmt], kind: str) -> Iterable[tuple[ast.Import | ast.ImportFrom, str]]:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, kind
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from _walk(node.body, "lazy")
        else:
            inner = "typing" if kind == "module" and _is_type_checking(node) else kind
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _walk(getattr(node, field, []), inner)


def read_imports(package: Path = PACKAGE) -> dict[str, list[Import]]:
    """Every module under ``package`` with its imports of stamning."""
    paths = {module_name(p, package.parent): p for p in sorted(package.rglob("*.py"))}
    known = set(paths)
    graph: dict[str, list[Import]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        found = []
        for node, kind in _walk(tree.body, "module"):
            for target in _targets(node, module, path.name == "__init__.py", known):
                if target == "stamning" or target.startswith("stamning."):
                    found.append(Import(module, target, kind, node.lineno))
        graph[module] = found
    return graph


def layer(module: str) -> str:
    parts = module.split(".")
    if module == "stamning.__version__":
        return "errors"
    return parts[1] if len(parts) > 1 else parts[0]


def upward(graph: Mapping[str, list[Import]]) -> list[Import]:
    """Imports the table does not allow, of any kind: a later layer than the importer's, or a layer outside a
    narrower row (``NARROWER``)."""
    return [imp for imports in graph.values() for imp in imports if not _allowed(imp)]


def _allowed(imp: Import) -> bool:
    source, target = layer(imp.source), layer(imp.target)
    if source in ("cli", "web"):
        return not _api_from_below(imp)
    if source in NARROWER and target != source:
        return target in NARROWER[source]
    return RANKS[target] <= RANKS[source]


def _api_from_below(imp: Import) -> bool:
    """cli and web are the top layer but the API is above them: they reach the library directly."""
    return layer(imp.source) in ("cli", "web") and RANKS[layer(imp.target)] > RANKS["cli"]


def cycles(graph: Mapping[str, list[Import]]) -> list[list[str]]:
    """Import cycles among module-level imports (one path per cycle found)."""
    edges = {
        m: sorted({i.target for i in imps if i.kind == "module" and i.target in graph}) for m, imps in graph.items()
    }
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def front_end_imports(graph: Mapping[str, list[Import]]) -> list[Import]:
    """Imports of stamning.cli or stamning.web from outside them."""
    return [
        imp
        for imports in graph.values()
        for imp in imports
        if layer(imp.target) in ("cli", "web") and layer(imp.source) not in ("cli", "web")
    ]


def _where(imp: Import) -> str:
    path = imp.source.replace(".", "/")
    return f"src/{path}.py:{imp.line} {imp.source} -> {imp.target} ({imp.kind})"


def test_every_module_belongs_to_a_layer():
    unknown = sorted({layer(m) for m in read_imports()} - set(RANKS))
    assert not unknown, f"add these to RANKS and CONTRIBUTING's table: {unknown}"


def test_no_module_imports_a_later_layer():
    found = [imp for imp in upward(read_imports()) if (imp.source, imp.target) not in EXCEPTIONS]
    assert not found, "upward imports:\n" + "\n".join(map(_where, found))


def test_every_exception_is_still_needed():
    pairs = {(imp.source, imp.target) for imp in upward(read_imports())}
    assert not set(EXCEPTIONS) - pairs, f"remove from EXCEPTIONS: {sorted(set(EXCEPTIONS) - pairs)}"


def test_no_import_cycle_at_module_level():
    found = cycles(read_imports())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_nothing_imports_the_cli_or_the_workbench():
    found = front_end_imports(read_imports())
    assert not found, "\n".join(map(_where, found))


def test_import_stamning_loads_no_heavy_library():
    code = f"import sys, stamning\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {"PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"import stamning imported: {result.stdout.strip()}"


def test_no_module_over_400_lines():
    long = {
        module_name(p): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES and module_name(p) not in LONG_MODULES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"


def private_imports(package: Path = PACKAGE) -> set[tuple[str, str]]:
    """(importer, module.name) for every ``from stamning.… import _name`` between two modules."""
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stamning"):
                found |= {
                    (module_name(path, package.parent), f"{node.module}.{a.name}")
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                }
    return found


def test_no_private_name_is_imported_across_modules():
    found = private_imports()
    assert not found - set(PRIVATE_IMPORTS), f"make these public: {sorted(found - set(PRIVATE_IMPORTS))}"
    assert not set(PRIVATE_IMPORTS) - found, f"remove from PRIVATE_IMPORTS: {sorted(set(PRIVATE_IMPORTS) - found)}"


def test_every_subpackage_docstring_names_its_modules():
    """A newcomer reads ``ls src/stamning`` and each subpackage's docstring: every module is named there."""
    missing = {}
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8"))) or ""
        names = [p.stem for p in init.parent.glob("*.py") if p.stem not in ("__init__", "__main__")]
        if absent := sorted(n for n in names if f"``{n}``" not in doc):
            missing[init.parent.name] = absent
    assert not missing, f"modules not named in their package's docstring: {missing}"


# The checker must be able to fail: a synthetic graph with each kind of violation.


def _synthetic() -> dict[str, list[Import]]:
    def imp(source: str, target: str, kind: str = "module") -> Import:
        return Import(source, target, kind, 1)

    return {
        "stamning.io.tables": [imp("stamning.io.tables", "stamning.errors")],
        "stamning.model.a": [imp("stamning.model.a", "stamning.engines.local", "lazy")],
        "stamning.summary.b": [imp("stamning.summary.b", "stamning.cli.app", "typing")],
        "stamning.themes.x": [imp("stamning.themes.x", "stamning.themes.y")],
        "stamning.themes.y": [imp("stamning.themes.y", "stamning.themes.x")],
        "stamning.report.p": [imp("stamning.report.p", "stamning.report.q", "lazy")],
        "stamning.report.q": [imp("stamning.report.q", "stamning.report.p")],
        "stamning.cli.app": [imp("stamning.cli.app", "stamning.web.app", "lazy"), imp("stamning.cli.app", "stamning")],
        "stamning.web.app": [imp("stamning.web.app", "stamning.__version__")],
        "stamning.privacy.names": [imp("stamning.privacy.names", "stamning.model.loading", "lazy")],
        "stamning.store.add": [imp("stamning.store.add", "stamning.summary.prepare", "lazy")],
    }


def test_the_checker_finds_each_kind_of_violation():
    graph = _synthetic()
    assert {(i.source, i.target) for i in upward(graph)} == {
        ("stamning.model.a", "stamning.engines.local"),  # lazy, still upward
        ("stamning.summary.b", "stamning.cli.app"),  # under TYPE_CHECKING, still upward
        ("stamning.cli.app", "stamning"),  # the front end reaches the library, not the API root
        ("stamning.privacy.names", "stamning.model.loading"),  # below privacy's rank, but not in its row
    }
    assert cycles(graph) == [["stamning.themes.x", "stamning.themes.y", "stamning.themes.x"]]  # p<->q: one lazy
    assert [(i.source, i.target) for i in front_end_imports(graph)] == [("stamning.summary.b", "stamning.cli.app")]


def test_the_reader_classifies_lazy_typing_and_relative_imports(tmp_path):
    pkg = tmp_path / "stamning" / "model"
    pkg.mkdir(parents=True)
    (tmp_path / "stamning" / "__init__.py").write_text("")
    (tmp_path / "stamning" / "errors.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\nfrom . import b\nfrom stamning import __version__\n"
        "if TYPE_CHECKING:\n    from stamning.engines import local\n"
        "def f():\n    from ..errors import E\n"
    )
    (pkg / "b.py").write_text("")
    graph = read_imports(tmp_path / "stamning")
    got = {(i.target, i.kind) for i in graph["stamning.model.a"]}
    assert got == {
        ("stamning.model.b", "module"),
        ("stamning.__version__", "module"),
        ("stamning.engines", "typing"),
        ("stamning.errors", "lazy"),
    }
