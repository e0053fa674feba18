"""Store fixtures: one contract suite, run against every backend.

``store`` is parametrised by backend name. To run the contract against a new
backend (PostgreSQL), add its name to ``BACKENDS`` and a branch to
``open_backend``; a backend that is not available there should
``pytest.skip`` with the reason.

``postgres`` runs against a real server: ``PROCFLOW_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``). Each test gets a schema of
its own, dropped afterwards, so tests neither see each other's rows nor
leave any behind. When no server answers, the postgres tests are skipped
with the reason, or fail if ``PROCFLOW_REQUIRE_POSTGRES=1`` (as on CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_postgres import PostgresSchema, postgres_url

from procflow.store import MemoryStore, Store
from procflow.store.sqlite import SQLiteStore

BACKENDS = ["memory", "sqlite", "postgres"]


def open_backend(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if name == "memory":
        return MemoryStore()
    if name == "sqlite":
        return SQLiteStore(tmp_path / "store.db")
    if name == "postgres":
        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        return schema.open()
    raise AssertionError(f"unknown store backend {name!r}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    opened = open_backend(backend, tmp_path, request)
    yield opened
    opened.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "procflow.db"


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(db_path) as opened:
        yield opened


@pytest.fixture
def pg_schema() -> Iterator[PostgresSchema]:
    """A fresh schema on the test server (skipped or failed when none answers)."""
    schema = PostgresSchema(postgres_url())
    yield schema
    schema.drop()
