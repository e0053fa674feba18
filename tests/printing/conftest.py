"""Fixtures of the printing tests: the desk's dossiers (printcase.py) made by
the real engine on a real SQLite file, and on the PostgreSQL test server for
the rebuilding tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from printcase import ROOT, Desk, build

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.store.sqlite import SQLiteStore

# The PostgreSQL test-server helper lives with the store tests.
sys.path.insert(0, str(ROOT / "tests" / "store"))
from store_postgres import PostgresSchema, postgres_url


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.from_paths([ROOT / "procedures"])


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("printing") / "desk.db"


@pytest.fixture(scope="module")
def desk(db: Path, catalogue: Catalogue, calendar: WorkCalendar) -> Iterator[Desk]:
    """The desk's dossiers in a real SQLite file (``db``)."""
    store = SQLiteStore(db)
    built = build(store, catalogue, calendar)
    yield built
    store.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def any_desk(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    catalogue: Catalogue,
    calendar: WorkCalendar,
) -> Iterator[Desk]:
    """The same dossiers on each durable store."""
    if request.param == "sqlite":
        store = SQLiteStore(tmp_path_factory.mktemp("printing-any") / "desk.db")
    else:
        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        store = schema.open()
    built = build(store, catalogue, calendar)
    yield built
    store.close()
