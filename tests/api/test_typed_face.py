"""``from procflow import Engine`` is typed: the lazy names of the package's
public face are the real classes and functions to a type checker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import procflow

INIT = Path(procflow.__file__)


def test_every_lazy_name_is_imported_for_type_checkers() -> None:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    typed.update({a.name: stmt.module for a in stmt.names})
    lazy = procflow._LAZY
    assert typed == lazy
    for name in lazy:
        assert getattr(procflow, name) is not None


def test_a_type_checker_sees_the_engine(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    code = tmp_path / "use.py"
    code.write_text(
        "from procflow import Engine\nreveal_type(Engine)\nreveal_type(Engine.fire)\n",
        encoding="utf-8",
    )
    out, _, _ = api.run([str(code), "--no-incremental", "--follow-imports=silent"])
    assert 'Revealed type is "def (store' in out, out
    assert "procflow.model.dossier.Dossier" in out, out
