from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportcase import Case, build

from procflow.calendar import WorkCalendar
from procflow.store.base import Store
from procflow.store.sqlite import SQLiteStore

# The PostgreSQL test-server helper lives with the store tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from store_postgres import PostgresSchema, postgres_url


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Case]:
    """The hand-computed case, on each durable store: the same report tests on both."""
    store: Store
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("reports") / "case.db"
        store, url = SQLiteStore(path), str(path)
    else:
        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        store, url = schema.open(), schema.url
    built = build(store, url)
    yield built
    built.store.close()
