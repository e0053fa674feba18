"""Fixtures of the notification tests: an engine on every store, the servers,
and a configuration pointing at them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

# The PostgreSQL test-server helper lives with the store tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from notify_flow import CATALOGUE_FILES, VN
from notify_servers import HTTPSink, SMTPSink
from notify_setup import Opener
from store_postgres import PostgresSchema, postgres_url

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.model.storage import Store
from procflow.store import MemoryStore, SQLiteStore

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.from_paths(CATALOGUE_FILES)


@pytest.fixture
def clock() -> VirtualClock:
    # Tuesday 3 March 2026, 08:00, as the README's walk-through.
    return VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def opener(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Opener]:
    """Opens another handle on the test's database (a second worker's): the
    same object for the in-memory store, a new connection otherwise."""
    opened: list[Store] = []
    if backend == "memory":
        shared = MemoryStore(outbox=True)
        opened.append(shared)

        def make() -> Store:
            return shared

    elif backend == "sqlite":

        def make() -> Store:
            store = SQLiteStore(tmp_path / "desk.db")
            opened.append(store)
            return store

    else:
        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)

        def make() -> Store:
            store = schema.open()
            opened.append(store)
            return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(opener: Opener) -> Store:
    return opener()


@pytest.fixture
def engine(
    store: Store, catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock
) -> Engine:
    return Engine(store, catalogue, calendar, clock)


@pytest.fixture
def smtp() -> Iterator[SMTPSink]:
    sink = SMTPSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def http() -> Iterator[HTTPSink]:
    sink = HTTPSink()
    sink.start()
    yield sink
    sink.stop()
