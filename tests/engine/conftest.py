from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from enginetest import VN, load

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.engine import Engine, VirtualClock
from procflow.store import MemoryStore, SQLiteStore, Store

# The PostgreSQL test-server helper lives with the store tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from store_postgres import PostgresSchema, postgres_url

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue(
        [
            compile_procedure(load("procedures/lien-thong/child-under-6.yaml")),
            compile_procedure(load("procedures/civil-status/birth-registration.yaml")),
        ]
    )


@pytest.fixture
def clock() -> VirtualClock:
    # Tuesday 3 March 2026, 08:00: an ordinary working week after Tết.
    return VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same engine tests on every store: one suite, not a copy per backend."""
    opened: Store
    if request.param == "memory":
        opened = MemoryStore()
    elif request.param == "sqlite":
        opened = SQLiteStore(tmp_path / "engine.db")
    else:
        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        opened = schema.open()
    yield opened
    opened.close()


@pytest.fixture
def engine(
    store: Store, catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock
) -> Engine:
    return Engine(store, catalogue, calendar, clock)
