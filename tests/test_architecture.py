"""The import graph of designopt/ and formulations/ has no cycles and its layers point one way.

Counted like ``shared/tools/import_cycles.py`` of the design card: module-level and
function-level imports both count (imports under ``if TYPE_CHECKING:`` do not), and a package's
``__init__`` depends on what it imports.  The layer contract is the one drawn in
``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("designopt", "formulations")

#: Physics: never imports orchestration, case files or front ends.
PHYSICS = (
    "designopt.properties",
    "designopt.refrigerants",
    "designopt.cycle",
    "designopt.seasonal",
    "designopt.ground",
    "designopt.economics",
    "designopt.noise",
)
UPPER = (
    "designopt.case",
    "designopt.evaluate",
    "designopt.evaluate_ground",
    "designopt.search",
    "designopt.results",
    "designopt.report",
    "designopt.cli",
    "formulations",
)


def _modules() -> dict[str, Path]:
    mods = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            mods[name.removesuffix(".__init__")] = path
    return mods


def _imports(path: Path, module: str, is_pkg: bool) -> list[tuple[str, list[str]]]:
    """(imported module, imported names) of every import statement outside TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            node.body = []
    pkg = module if is_pkg else module.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            out.append((base, [a.name for a in node.names]))
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        return name or None

    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        for base, names in _imports(path, m, path.name == "__init__.py"):
            for target in [base] + [f"{base}.{n}" for n in names]:
                r = resolve(target)
                if r and r != m and not m.startswith(r + "."):
                    edges[m].add(r)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert cycles == [], f"{len(cycles)} import cycle(s): {cycles}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("layer", PHYSICS)
def test_physics_never_imports_orchestration_or_front_ends(layer):
    bad = sorted(
        (m, t)
        for m, targets in _graph().items()
        if _under(m, (layer,))
        for t in targets
        if _under(t, UPPER)
    )
    assert bad == [], f"physics importing upward: {bad}"


def test_case_and_catalogue_need_no_evaluation_code():
    graph = _graph()
    for low in ("designopt.case", "designopt.catalogue"):
        bad = [t for t in graph[low] if _under(t, UPPER) and t != low]
        assert bad == [], f"{low} imports {bad}"


def test_evaluation_modules_import_no_private_names_of_each_other():
    mods = _modules()
    bad = []
    for m, path in mods.items():
        if not _under(m, ("designopt.evaluate",)):
            continue
        for base, names in _imports(path, m, path.name == "__init__.py"):
            if _under(base, ("designopt",)) and base != m:
                bad += [(m, base, n) for n in names if n.startswith("_")]
    assert bad == [], f"private names imported across modules: {bad}"


def test_sources_do_not_import_each_other():
    """A source plug-in composes shared steps; it never reaches into another plug-in."""
    graph = _graph()
    plugins = ("air", "water", "ground", "twin_source")
    for p in plugins:
        m = f"designopt.evaluate.sources.{p}"
        others = {f"designopt.evaluate.sources.{q}" for q in plugins if q != p}
        assert not (graph[m] & others), f"{m} imports {graph[m] & others}"


#: Pieces of physics and concepts that exist once (issue 11): name -> the module that owns it.
ONE_COPY = {
    "SourceType": "designopt.enums",
    "Climate": "designopt.enums",
    "bilinear": "designopt.cycle.operation",
    "PreparedMap": "designopt.cycle.operation",
    "follow_load": "designopt.cycle.operation",
    "solve_source_temperature": "designopt.ground.coupling",
    "unit_design": "designopt.evaluate.designs",
    "receiver_slug": "designopt.catalogue",
}


def test_one_copy_of_each_piece_of_physics():
    """Each of these is defined (class or function, at any depth) in exactly one module."""
    where: dict[str, list[str]] = {k: [] for k in ONE_COPY}
    for m, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name in where:
                where[node.name].append(m)
    assert where == {k: [v] for k, v in ONE_COPY.items()}


def test_a_source_type_is_one_module_and_one_registration():
    """The registry names no plug-in: it imports what ``catalogue.SOURCES`` registers, and
    every registered module serves the name it is registered under."""
    from designopt.catalogue import SOURCES
    from designopt.evaluate import sources

    path = ROOT / "designopt" / "evaluate" / "sources" / "__init__.py"
    named = {
        n
        for base, names in _imports(path, "designopt.evaluate.sources", True)
        for n in [base.rsplit(".", 1)[-1], *names]
    }
    assert not (named & set(SOURCES)), (
        f"the registry imports plug-ins by name: {named & set(SOURCES)}"
    )
    assert sorted(sources.REGISTRY) == sorted(SOURCES)
    for name, entry in SOURCES.items():
        assert sources.get(name).name == name and entry.module.endswith(f".{name}")
