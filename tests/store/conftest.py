"""Store fixtures: one contract suite, run against every backend.

``store`` is parametrised by backend name. To run the contract against a new
backend (PostgreSQL), add its name to ``BACKENDS`` and a branch to
``open_backend``; a backend that is not available there should
``pytest.skip`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from procflow.store import MemoryStore, Store
from procflow.store.sqlite import SQLiteStore

BACKENDS = ["memory", "sqlite"]


def open_backend(name: str, tmp_path: Path) -> Store:
    if name == "memory":
        return MemoryStore()
    if name == "sqlite":
        return SQLiteStore(tmp_path / "store.db")
    raise AssertionError(f"unknown store backend {name!r}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_backend(backend, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "procflow.db"


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(db_path) as opened:
        yield opened
