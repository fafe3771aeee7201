"""The package layout: imports run one way (parcs ← routing ← webapp ← parcs_cli), with no circles.

Every ``import`` statement of every module counts, wherever it stands (module level, inside a
function, under ``TYPE_CHECKING``): a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: The layers, lowest first: a package may import its own layer and the layers below it.
LAYERS: tuple[str, ...] = ("parcs", "routing", "webapp", "parcs_cli")
#: File-name prefixes that would be product folders in disguise at the routing core's top level.
PRODUCT_PREFIXES: tuple[str, ...] = ("loop", "gap", "circuit", "roadbook")


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for top in LAYERS:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported dotted name belongs to (``None`` for third parties)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(node: ast.AST, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
        return subs if len(subs) == len(node.names) else [node.module, *subs]
    return []


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the project modules it imports."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            for target in _targets(node, modules):
                owner = _owner(target, modules)
                if owner is not None and owner != name:
                    graph[name].add(owner)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
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
                    found.append(sorted(component))
    return found


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(_modules())


def test_imports_run_one_way(graph: dict[str, set[str]]) -> None:
    upward = sorted(f"{src} -> {dst}" for src, dsts in graph.items() for dst in dsts
                    if _layer(dst) > _layer(src))
    assert upward == [], "a lower layer imports a higher one:\n" + "\n".join(upward)


def test_no_import_circles(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_routing_top_level_has_no_product_modules() -> None:
    names = [p.stem for p in (REPO / "routing").glob("*.py")]
    assert [n for n in names if n.startswith(PRODUCT_PREFIXES)] == []
    assert (REPO / "routing" / "loops" / "__init__.py").is_file()
    assert (REPO / "routing" / "gaps" / "__init__.py").is_file()
    assert not [p.name for p in (REPO / "parcs").glob("osm_*.py")]


def test_the_checker_sees_circles_and_upward_imports(tmp_path: Path) -> None:
    """The two checks fail on a hand-made tree that breaks both rules."""
    for name, text in {
        "parcs/__init__.py": "",
        "parcs/a.py": "from parcs import b\n",
        "parcs/b.py": "def f():\n    import parcs.a\n    from routing.x import y\n",
        "routing/__init__.py": "",
        "routing/x.py": "y = 1\n",
    }.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    modules = {
        ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
        for p in tmp_path.rglob("*.py")
    }
    fake = import_graph(modules)
    assert cycles(fake) == [["parcs.a", "parcs.b"]]
    assert "routing.x" in fake["parcs.b"] and _layer("routing.x") > _layer("parcs.b")


def test_documented_names_stay_importable() -> None:
    import parcs
    import parcs_cli.main
    import routing
    import routing.gaps
    import routing.loops
    import webapp

    assert callable(routing.route) and callable(routing.load_compiled)
    assert callable(routing.loops.plan_loop) and callable(routing.loops.build_catalogue)
    assert callable(routing.gaps.analyse_gaps) and callable(routing.gaps.scenario)
    assert callable(webapp.create_app) and callable(parcs_cli.main.main)
    assert issubclass(parcs.InvalidRequestError, parcs.ParcsError)
