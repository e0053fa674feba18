"""The SQL stores' ``events`` rows keep each event's hashed body (schema 6).

An engine's event row holds, in ``data``, the exact bytes its hash covers
(docs/engine.md, "Event encoding"): an auditor checks the chain on the rows
alone. Rows written before schema 6 hold the event's data object; a database
of them opens, reads the same, verifies, and goes on with bodies. Any column
of a row edited apart from the others is found by ``verify``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from enginetest import VN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_worklists import populate

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.errors import StoreError
from procflow.model.events import EVENT_TYPES
from procflow.store import SQLiteStore
from procflow.store.schema import MIGRATIONS, latest_version

START = datetime(2026, 3, 3, 8, tzinfo=VN)


class Database:
    """An engine's database on one backend, with raw SQL beside the store."""

    def __init__(
        self, backend: str, tmp_path: Path, request: pytest.FixtureRequest | None = None
    ) -> None:
        self.backend = backend
        if backend == "sqlite":
            self.path = tmp_path / "desk.db"
        else:
            from store_postgres import PostgresSchema, postgres_url

            assert request is not None
            self.schema = PostgresSchema(postgres_url())
            request.addfinalizer(self.schema.drop)

    def open(self, **kwargs: Any) -> Any:
        if self.backend == "sqlite":
            return SQLiteStore(self.path, **kwargs)
        return self.schema.open(**kwargs)

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement outside procflow (committed); its rows, if any."""
        if self.backend == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.path, isolation_level=None)
            try:
                return conn.execute(statement, params).fetchall()
            finally:
                conn.close()
        with self.schema.connect() as conn:
            cur = conn.execute(statement.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []

    def drop_append_only(self) -> None:
        """What someone editing the file by hand would do first."""
        if self.backend == "sqlite":
            for (name,) in self.sql("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
                self.sql(f'DROP TRIGGER "{name}"')
        else:
            self.sql("DROP TRIGGER events_no_update_or_delete ON events")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    return Database(request.param, tmp_path, request)


def _engine(store: Any, catalogue: Catalogue, calendar: WorkCalendar, at: datetime) -> Engine:
    return Engine(store, catalogue, calendar, VirtualClock(at))


def _populated(
    database: Database, catalogue: Catalogue, calendar: WorkCalendar, seed: int, n: int
) -> tuple[Engine, list[str]]:
    """An engine on the database, with ``n`` dossiers moved at random."""
    engine = _engine(database.open(), catalogue, calendar, START)
    return engine, populate(engine, seed=seed, n=n)


def test_event_rows_keep_the_bytes_their_hash_covers(
    database: Database, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    engine, codes = _populated(database, catalogue, calendar, seed=5, n=10)
    engine.store.close()
    rows = database.sql(
        "SELECT code, seq, type, data, prev_hash, hash, actor FROM events ORDER BY code, seq"
    )
    assert {r[0] for r in rows} == set(codes)
    last: dict[str, str] = {}
    for code, seq, type_, data, prev_hash, hash_, actor in rows:
        # the chain, from the rows alone: SHA-256(previous hash || data)
        prev = bytes.fromhex(prev_hash)
        assert prev == (bytes.fromhex(last[code]) if code in last else bytes(32))
        assert hashlib.sha256(prev + data.encode()).hexdigest() == hash_
        body = orjson.loads(data)
        assert body[:4] == [2, code, seq, type_]
        # the actor column: the object Actor.to_dict() gives, the body's fields
        who = None if actor is None else orjson.loads(actor)
        assert who is None or list(who) == ["id", "agency", "role", "name"]
        assert body[6] == (None if who is None else list(who.values()))
        last[code] = hash_


def test_a_database_from_before_bodies_reads_verifies_and_goes_on(
    database: Database, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    engine, codes = _populated(database, catalogue, calendar, seed=11, n=12)
    history = {code: [e.to_dict() for e in engine.history(code)] for code in codes}
    dossiers = {code: engine.get(code).to_dict() for code in codes}
    later = engine.clock.now() + timedelta(days=1)
    engine.store.close()
    # Back to schema 5: every row's data the event's data object, as procflow
    # wrote it then (orjson, compact), and no version 6.
    database.drop_append_only()
    for code in codes:
        for event in history[code]:
            database.sql(
                "UPDATE events SET data = ? WHERE code = ? AND seq = ?",
                (orjson.dumps(event["data"]).decode(), code, event["seq"]),
            )
    database.sql("DELETE FROM schema_version WHERE version >= 6")
    assert all(d[:1] == "{" for (d,) in database.sql("SELECT data FROM events"))

    store = database.open()
    assert store.schema_version() == latest_version()
    engine = _engine(store, catalogue, calendar, later)
    assert {c: [e.to_dict() for e in engine.history(c)] for c in codes} == history
    assert {c: engine.get(c).to_dict() for c in codes} == dossiers
    assert engine.verify().ok
    populate(engine, seed=12, n=4)  # the old dossiers move on too
    report = engine.verify()
    assert report.ok, report.problems
    forms = {d[:1] for (d,) in database.sql("SELECT data FROM events")}
    assert forms == {"{", "["}
    store.close()


def test_an_older_release_refuses_a_database_of_bodies(
    database: Database, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    _populated(database, catalogue, calendar, seed=1, n=2)[0].store.close()
    with pytest.raises(StoreError, match="newer procflow"):
        database.open(migrations=MIGRATIONS[:5])


_EDITS = {
    "type": lambda v: next(t for t in sorted(EVENT_TYPES) if t != v),
    "at": lambda v: (datetime.fromisoformat(v) + timedelta(seconds=1)).isoformat(),
    "actor": lambda v: v.replace('"agency":"', '"agency":"x-') if v else None,
    "data": lambda v: v.replace(",", ", ", 1),  # the same JSON, other bytes
}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(column=st.sampled_from(sorted(_EDITS)), pick=st.integers(min_value=0))
def test_a_column_edited_apart_from_the_rest_is_found(
    tmp_path_factory: pytest.TempPathFactory,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    column: str,
    pick: int,
) -> None:
    path = tmp_path_factory.mktemp("edited") / "desk.db"
    db = Database("sqlite", path.parent)
    engine, codes = _populated(db, catalogue, calendar, seed=2, n=4)
    engine.store.close()
    rows = db.sql(f"SELECT code, seq, {column} FROM events WHERE {column} IS NOT NULL")
    code, seq, value = rows[pick % len(rows)]
    edited = _EDITS[column](value)
    assert edited != value
    db.drop_append_only()
    db.sql(f"UPDATE events SET {column} = ? WHERE code = ? AND seq = ?", (edited, code, seq))
    store = db.open()
    report = _engine(store, catalogue, calendar, START).verify(codes)
    store.close()
    # whitespace in the body too: the same event in other bytes is not the
    # bytes its hash covers
    assert [p for p in report.problems if "edited outside procflow" in p] == [
        f"{code}: SQLite store {path}: event {seq} of dossier {code}: content does not "
        "match its hash (edited outside procflow: the row's body, or a column beside it, "
        "was changed)"
    ], report.problems
