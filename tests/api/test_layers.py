"""The package's layers, read from its source: the model below engine and
store, the engine importing no store, and no import cycle between modules.

docs/engine.md ("The core") draws the flow: definition -> checks -> compile ->
model -> engine -> store -> reports / export / simulation -> CLI. A module
may import from its own layer and the layers below it; these tests read
every ``import`` in ``src/procflow`` (in functions and ``TYPE_CHECKING``
blocks too, for the layering) and fail on one that reaches up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import procflow

SRC = Path(procflow.__file__).parent


def _module(path: Path, src: Path = SRC) -> str:
    parts = path.relative_to(src.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(top_level_only: bool, src: Path = SRC) -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every procflow import
    in the package at ``src``."""
    found = []
    for path in sorted(src.rglob("*.py")):
        mod = _module(path, src)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found += [(mod, n, node.lineno) for n in names if n.split(".")[0] == "procflow"]
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


ABOVE = {
    "model": {"engine", "store", "simulation", "reports", "export", "cli", "audit", "testing"},
    "engine": {"store", "simulation", "reports", "export", "cli", "audit", "testing"},
    "calendar": {"engine", "store", "simulation", "reports", "export", "cli"},
    "definition": {"engine", "store", "simulation", "reports", "export", "cli", "audit", "testing"},
    "compiler": {"engine", "store", "simulation", "reports", "export", "cli"},
    "checks": {"engine", "store", "simulation", "reports", "export", "cli"},
}
"""For each lower layer, the layers it must not import from."""


def _reaching_up(layer: str, src: Path = SRC) -> list[str]:
    return [
        f"{mod} (line {line}) imports {name}"
        for mod, name, line in _imports(top_level_only=False, src=src)
        if _layer(mod) == layer and _layer(name) in ABOVE[layer]
    ]


def _cycles(src: Path = SRC) -> list[list[str]]:
    graph = nx.DiGraph()
    known = {_module(p, src) for p in src.rglob("*.py")}
    for mod, name, _ in _imports(top_level_only=True, src=src):
        if name in known and name != mod:
            graph.add_edge(mod, name)
    return list(nx.simple_cycles(graph))


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    assert _reaching_up(layer) == []


def test_no_import_cycle_between_modules() -> None:
    """Module-level imports only: an import inside a function runs when it
    is called, after every module it names has loaded."""
    assert _cycles() == []


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """On a made-up package: an engine module importing a store (inside a
    function too) is reported, one importing the model is not, and two
    modules importing each other make a cycle."""
    src = tmp_path / "procflow"
    (src / "engine").mkdir(parents=True)
    (src / "model").mkdir()
    (src / "engine" / "bad.py").write_text(
        "def f():\n    from procflow.store.sqlite import SQLiteStore\n"
    )
    (src / "engine" / "good.py").write_text("from procflow.model.a import A\n")
    (src / "model" / "a.py").write_text("from procflow.model.b import B\n")
    (src / "model" / "b.py").write_text("from procflow.model.a import A\n")
    assert _reaching_up("engine", src) == [
        "procflow.engine.bad (line 2) imports procflow.store.sqlite"
    ]
    assert sorted(map(sorted, _cycles(src))) == [["procflow.model.a", "procflow.model.b"]]
