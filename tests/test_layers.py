"""Import layers and import cycles between the project's own modules.

Every import counts, including those inside functions and ``if TYPE_CHECKING:`` blocks:
they are the same dependency, only deferred. Relative imports are resolved to absolute
module names. Only the standard library's ``ast`` is used; nothing is imported from the
project, so the test runs even when the code it checks does not.

The layers, bottom to top, are the table below. A package may import itself and any
package whose layer is lower; packages on the same layer are siblings and may not import
each other. A package not yet on disk is skipped.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

# --- The layer table: package -> layer (0 is the bottom). Edit here. ---------------------
LAYERS: dict[str, int] = {
    "audit": 0,
    "dossiers": 1,
    "workflow": 2,
    "notifications": 2,
    "reports": 3,
    "web": 4,
    "demo": 5,
    "config": 5,
    "bench": 6,
}
# Folders never walked: generated migrations and the tests themselves.
SKIPPED_DIRS = {"migrations", "tests", "__pycache__"}

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    file: str  # path relative to the root, e.g. "dossiers/selectors.py"
    line: int
    importer: str  # module name, e.g. "dossiers.selectors"
    imported: str  # project module it resolves to, e.g. "workflow.models"

    def describe(self, note: str) -> str:
        return f"{self.file}:{self.line}  imports  {self.imported}  ({note})"


# --- Walking and resolving ---------------------------------------------------------------


def project_modules(root: Path, packages=LAYERS) -> dict[str, Path]:
    """Module name -> file, for every .py file of the packages that exist under root."""
    modules: dict[str, Path] = {}
    for package in packages:
        base = root / package
        if not (base / "__init__.py").is_file():
            continue
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if SKIPPED_DIRS.intersection(parts[:-1]):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module a dotted name lands in: itself, or its longest existing prefix."""
    if name.split(".")[0] not in LAYERS:
        return None
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _targets(node: ast.AST, module: str, is_package: bool,
             modules: dict[str, Path]) -> list[str]:
    """Absolute names a single import statement brings in (unresolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        base = ".".join([*package, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    names = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}" if base else alias.name
        # `from X import name`: X.name when that is a module or package, else X itself.
        names.append(submodule if alias.name != "*" and submodule in modules else base)
    return names


def collect_imports(root: Path, packages=LAYERS) -> list[Import]:
    """Every import of a project module by a project module, anywhere in the file."""
    modules = project_modules(root, packages)
    found: list[Import] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            seen = set()
            for name in _targets(node, module, is_package, modules):
                target = _resolve(name, modules)
                if target is None or target == module or target in seen:
                    continue
                seen.add(target)
                found.append(Import(rel, node.lineno, module, target))
    return sorted(found, key=lambda i: (i.file, i.line, i.imported))


# --- The two rules -----------------------------------------------------------------------


def layer_of(module: str) -> str:
    return module.split(".")[0]


def upward_imports(imports: list[Import], layers=LAYERS) -> list[str]:
    """Imports of a sibling package or of a higher layer, one readable line each."""
    problems = []
    for imp in imports:
        src, dst = layer_of(imp.importer), layer_of(imp.imported)
        if src == dst or layers[dst] < layers[src]:
            continue
        kind = "sibling" if layers[dst] == layers[src] else "upward"
        problems.append(imp.describe(f"layer {src} -> layer {dst}, {kind}"))
    return problems


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), only those with a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
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
                    components.append(sorted(component))
    return sorted(components)


def _shortest_path(graph: dict[str, set[str]], start: str, goal: str,
                   within: set[str]) -> list[str] | None:
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    for node in queue:
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            return path[::-1]
        for child in sorted(graph.get(node, ())):
            if child in within and child not in previous:
                previous[child] = node
                queue.append(child)
    return None


def import_cycles(imports: list[Import]) -> list[str]:
    """Every cycle needed to cover each import inside a strongly connected component.

    Each one reads as a chain, ``a -> b -> c -> a``, followed by the import behind each hop.
    """
    graph: dict[str, set[str]] = defaultdict(set)
    first: dict[tuple[str, str], Import] = {}
    for imp in imports:
        graph[imp.importer].add(imp.imported)
        first.setdefault((imp.importer, imp.imported), imp)
    cycles: dict[tuple[str, ...], list[str]] = {}
    for component in strongly_connected(graph):
        members = set(component)
        for src in component:
            for dst in sorted(graph[src] & members):
                back = _shortest_path(graph, dst, src, members)
                assert back is not None  # same component: a way back always exists
                cycle = [src, *back]  # src -> dst -> ... -> src
                ring = cycle[:-1]
                turn = ring.index(min(ring))
                key = tuple(ring[turn:] + ring[:turn])
                cycles.setdefault(key, cycle)
    report = []
    for key in sorted(cycles, key=lambda k: (len(k), k)):
        ring = [*key, key[0]]
        lines = [" -> ".join(ring)]
        for a, b in pairwise(ring):
            imp = first[(a, b)]
            lines.append("    " + imp.describe(f"layer {layer_of(a)} -> layer {layer_of(b)}"))
        report.append("\n".join(lines))
    return report


# --- The checks on the project -----------------------------------------------------------


def test_no_upward_or_sibling_imports():
    problems = upward_imports(collect_imports(ROOT))
    if problems:
        pytest.fail(f"{len(problems)} import(s) break the layers "
                    f"({' < '.join(_layer_names())}):\n" + "\n".join(problems), pytrace=False)


def test_no_import_cycles():
    cycles = import_cycles(collect_imports(ROOT))
    if cycles:
        pytest.fail(f"{len(cycles)} import cycle(s):\n" + "\n".join(cycles), pytrace=False)


def _layer_names() -> list[str]:
    by_layer: dict[int, list[str]] = defaultdict(list)
    for package, layer in LAYERS.items():
        by_layer[layer].append(package)
    return ["{" + ", ".join(p) + "}" if len(p) > 1 else p[0]
            for _, p in sorted(by_layer.items())]


# --- The same functions on synthetic trees -----------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_synthetic_cycle_and_upward_import_are_found(tmp_path):
    root = _tree(tmp_path, {
        "audit/__init__.py": "",
        "audit/log.py": "def f():\n    from dossiers import models\n",  # upward, deferred
        "dossiers/__init__.py": "",
        "dossiers/models/__init__.py": "from .dossier import Dossier\n",
        "dossiers/models/dossier.py": "def g():\n    from ..conditions import check\n",
        "dossiers/conditions.py": "from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from dossiers.models import Dossier\n",
        "dossiers/migrations/0001_initial.py": "import web.views\n",  # skipped
        "workflow/__init__.py": "",
        "workflow/flows.py": "from . import services\n",
        "workflow/services.py": "import workflow.flows\nimport notifications.models\n",
        "notifications/__init__.py": "",
        "notifications/models.py": "from dossiers.models import Dossier\n",
    })
    imports = collect_imports(root)
    assert Import("dossiers/models/dossier.py", 2, "dossiers.models.dossier",
                  "dossiers.conditions") in imports
    assert Import("audit/log.py", 2, "audit.log", "dossiers.models") in imports

    upward = upward_imports(imports)
    assert upward == [
        "audit/log.py:2  imports  dossiers.models  (layer audit -> layer dossiers, upward)",
        "workflow/services.py:2  imports  notifications.models  "
        "(layer workflow -> layer notifications, sibling)",
    ]

    cycles = import_cycles(imports)
    assert [c.splitlines()[0] for c in cycles] == [
        "workflow.flows -> workflow.services -> workflow.flows",
        "dossiers.conditions -> dossiers.models -> dossiers.models.dossier -> dossiers.conditions",
    ]
    assert "dossiers/models/dossier.py:2  imports  dossiers.conditions" in cycles[1]


def test_synthetic_clean_tree_passes(tmp_path):
    root = _tree(tmp_path, {
        "audit/__init__.py": "",
        "audit/log.py": "import json\n",
        "dossiers/__init__.py": "",
        "dossiers/models.py": "from audit import log\nfrom audit.log import write\n",
        "workflow/__init__.py": "",
        "workflow/services.py": "from dossiers.models import Dossier\nfrom .. import x\n",
        "web/__init__.py": "",
        "web/views.py": "from workflow import services\nfrom dossiers import models\n",
        "config/__init__.py": "",
        "config/urls.py": "import web.views\n",
    })
    imports = collect_imports(root)
    assert {(i.importer, i.imported) for i in imports} == {
        ("dossiers.models", "audit.log"),
        ("workflow.services", "dossiers.models"),
        ("web.views", "workflow.services"),
        ("web.views", "dossiers.models"),
        ("config.urls", "web.views"),
    }
    assert upward_imports(imports) == []
    assert import_cycles(imports) == []


def test_strongly_connected_components():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"], ["d", "e"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []
