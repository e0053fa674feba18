"""The engine benchmark's (d) compares procflow on SQLite with raw sqlite3
"writing the same rows": the baseline is fair only if it does. Both write a
small run to real files here: their schemas (tables, indexes, triggers) and
their dossiers, events, log and outbox rows must be the same, row for row."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from bench_scripts import bench_module

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench_engine():  # type: ignore[no-untyped-def]
    return bench_module("bench_engine")


TABLES = {
    "dossiers": "code",
    "events": "code, seq",
    "log": "position",
    "outbox": "code, seq",
}


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _rows(path: Path, table: str, order: str) -> list[tuple[object, ...]]:
    return _query(path, f"SELECT * FROM {table} ORDER BY {order}")


def test_raw_sqlite_writes_the_rows_procflow_writes(bench_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from procflow.store.sqlite import SQLiteStore

    n = 40  # a cohort: receipts, a supplement round (pause, resume), returns
    store = SQLiteStore(tmp_path / "procflow.db")
    bench_engine.run_procflow(n, store)
    store.close()
    bench_engine.child_raw_sqlite(n, keep=tmp_path / "raw.db")
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert _query(tmp_path / "procflow.db", schema) == _query(tmp_path / "raw.db", schema)
    for table, order in TABLES.items():
        ours = _rows(tmp_path / "procflow.db", table, order)
        raw = _rows(tmp_path / "raw.db", table, order)
        assert len(ours) == len(raw) > 0, table
        for a, b in zip(ours, raw, strict=True):
            assert a == b, f"{table}: {a} != {b}"


def test_raw_psycopg_writes_the_rows_procflow_writes(bench_engine) -> None:  # type: ignore[no-untyped-def]
    """bench_postgres.py's raw baseline, the same way: its rows are procflow's."""
    sys.path.insert(0, str(BENCH.parent / "tests" / "store"))
    sys.path.insert(0, str(BENCH))
    try:
        import bench_postgres
        from store_postgres import PostgresSchema, postgres_url
    finally:
        sys.path.remove(str(BENCH.parent / "tests" / "store"))
        sys.path.remove(str(BENCH))

    n = 40
    ours, raw = PostgresSchema(postgres_url()), PostgresSchema(postgres_url())
    try:
        store = ours.open()
        bench_engine.run_procflow(n, store)
        store.close()
        bench_postgres.child_raw(raw.server_url, raw.name, n)
        for table, order in TABLES.items():
            rows = []
            for schema in (ours, raw):
                with schema.connect() as conn:
                    rows.append(conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall())
            assert len(rows[0]) == len(rows[1]) > 0, table
            for a, b in zip(*rows, strict=True):
                assert a == b, f"{table}: {a} != {b}"
    finally:
        ours.drop()
        raw.drop()


def test_the_lean_prototype_on_sqlite_writes_the_rows_its_raw_baseline_writes(
    bench_engine,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """(d)'s bound, lean-sqlite against raw-lean-sqlite, is fair only if the two
    write the same rows, in procflow's schema; and the rows are a durable
    store's: every event's hash is the SHA-256 of the previous hash and the
    data column, chained from zero per dossier, and each dossier's row holds
    its last event's version and hash."""
    import hashlib

    from procflow.store.sqlite import SQLiteStore

    n = 40
    bench_engine.child_lean_sqlite(n, keep=tmp_path / "lean.db")
    bench_engine.child_raw_lean_sqlite(n, keep=tmp_path / "raw.db")
    SQLiteStore(tmp_path / "procflow.db").close()
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert _query(tmp_path / "lean.db", schema) == _query(tmp_path / "procflow.db", schema)
    assert _query(tmp_path / "raw.db", schema) == _query(tmp_path / "procflow.db", schema)
    for table, order in TABLES.items():
        lean = _rows(tmp_path / "lean.db", table, order)
        raw = _rows(tmp_path / "raw.db", table, order)
        assert len(lean) == len(raw) > 0, table
        assert lean == raw, table
    events = _rows(tmp_path / "lean.db", "events", "code, seq")
    assert len(events) == n * bench_engine.EVENTS_PER_DOSSIER
    last: dict[str, tuple[int, str]] = {}
    for code, seq, _type, _at, _actor, data, prev, hash_, _fmt in events:
        expected_prev = last[code][1] if code in last else "00" * 32
        assert prev == expected_prev and seq == (last[code][0] + 1 if code in last else 1)
        assert hashlib.sha256(bytes.fromhex(prev) + data.encode()).hexdigest() == hash_
        last[code] = (seq, hash_)
    dossiers = _query(tmp_path / "lean.db", "SELECT code, version, last_hash, status FROM dossiers")
    assert {code: (v, h) for code, v, h, _ in dossiers} == last
    assert {status for *_, status in dossiers} == {"closed"}
    outbox = _query(tmp_path / "lean.db", "SELECT type, count(*) FROM outbox GROUP BY type")
    assert dict(outbox) == {"received": n, "paused": n, "handed_off": n, "returned": n}
