"""Store modes: what is not a procflow database is refused and left exactly as
it was, and a read-only store reads everything a normal one does and writes
nothing.

The SQLite checks compare the whole folder before and after (every file's
bytes, modification time and permissions, so also no ``-wal``/``-shm`` left
behind) and the journal mode. The PostgreSQL checks look at the server's
catalogue: no schema created, no table added.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from store_postgres import PostgresSchema
from store_testdata import T0, advance, fill, receive

from procflow.errors import StoreError
from procflow.export import ExportOptions, export
from procflow.reports.report import build_report
from procflow.runtime import open_engine
from procflow.store import SQLiteStore, Store
from procflow.store.schema import MIGRATIONS, Migration
from procflow.store.url import open_store

# The reports' hand-computed case: real dossiers from the real engine.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
from reportcase import QUERY, build

MODES = ["read", "write", "create"]
READERS = ["read", "write"]
"""The modes that need an existing procflow database."""

Snapshot = dict[str, tuple[str, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file of ``folder``: sha-256, modification time (ns), permissions."""
    out = {}
    for path in sorted(folder.iterdir()):
        st = path.stat()
        out[path.name] = (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_mode)
    return out


def journal_mode(path: Path) -> str:
    """The journal mode written in the file's header (bytes 18-19: 1 rollback, 2 WAL),
    read without opening it in SQLite, which could change it."""
    header = path.read_bytes()[:20]
    return "wal" if header[18] == 2 else "delete"


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def sqlite_open(path: Path, mode: str) -> SQLiteStore:
    store = open_store(path, mode=mode)  # type: ignore[arg-type]
    assert isinstance(store, SQLiteStore)
    return store


# --- files that are not procflow databases -------------------------------------------


def newer_procflow(path: Path, journal: str) -> None:
    """A procflow database a newer release wrote (schema version 99)."""
    SQLiteStore(path).close()
    conn = raw(path)
    conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')")
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.close()


def other_app(path: Path, journal: str) -> None:
    """Another application's database, with a schema_version table of its own."""
    conn = raw(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE users (name TEXT, national_id TEXT)")
    conn.execute("INSERT INTO users VALUES ('Nguyễn Văn Bình', '001203004567')")
    conn.execute("CREATE TABLE schema_version (version INTEGER)")
    conn.execute("INSERT INTO schema_version VALUES (7)")
    conn.close()


def blank_sqlite(path: Path, journal: str) -> None:
    """An SQLite database with no table at all."""
    conn = raw(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("PRAGMA user_version = 3")
    conn.close()


REFUSED: dict[str, tuple[Callable[[Path, str], None], str]] = {
    "newer-schema": (newer_procflow, r"schema version 99.*newer procflow"),
    "other-app": (other_app, r"not a procflow database: it holds schema_version, users"),
}


@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_not_procflow_is_refused_and_left_exactly_as_it_was(
    tmp_path: Path, case: str, mode: str, journal: str
) -> None:
    make, message = REFUSED[case]
    path = tmp_path / "other.db"
    make(path, journal)
    before = snapshot(tmp_path)
    assert journal_mode(path) == journal
    with pytest.raises(StoreError, match=message) as info:
        sqlite_open(path, mode)
    assert str(path) in str(info.value)
    assert snapshot(tmp_path) == before  # same bytes and mtime, no -wal/-shm/-journal
    assert journal_mode(path) == journal


@pytest.mark.parametrize("mode", READERS)
def test_empty_file_is_not_a_procflow_database(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match=r"empty\.db: the file is empty \(0 bytes\), not a proc"):
        sqlite_open(path, mode)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize("mode", READERS)
def test_sqlite_database_without_tables_is_refused(tmp_path: Path, mode: str, journal: str) -> None:
    path = tmp_path / "blank.db"
    blank_sqlite(path, journal)
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match=r"blank\.db: an SQLite database with no tables"):
        sqlite_open(path, mode)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("mode", READERS)
def test_missing_file_is_refused_and_not_created(tmp_path: Path, mode: str) -> None:
    with pytest.raises(StoreError, match=r"missing\.db: no such procflow database"):
        sqlite_open(tmp_path / "missing.db", mode)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_file_that_is_not_sqlite_is_refused(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "notes.db"
    path.write_text("Danh sách hồ sơ\n" * 20, encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match=r"notes\.db: not an SQLite database"):
        sqlite_open(path, mode)
    assert snapshot(tmp_path) == before


def test_only_create_starts_a_database_in_an_empty_file_or_blank_database(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    blank_sqlite(tmp_path / "blank.db", "delete")
    for name in ("empty.db", "blank.db"):
        path = tmp_path / name
        with sqlite_open(path, "create") as store:
            assert store.schema_version() == len(MIGRATIONS)
        assert journal_mode(path) == "wal"


def test_write_mode_upgrades_an_older_procflow_but_read_mode_refuses_to(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteStore(path) as store:
        fill(store, "HS-001", 1)
    newer = (
        *MIGRATIONS,
        Migration(len(MIGRATIONS) + 1, "an index", ("CREATE INDEX e ON events (at)",)),
    )
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match=r"older than this release's.*open it once for writing"):
        SQLiteStore(path, read_only=True, migrations=newer)
    assert snapshot(tmp_path) == before
    with SQLiteStore(path, create=False, migrations=newer) as store:
        assert store.schema_version() == len(newer)


def test_contradictory_flags_and_unknown_modes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="read-only store cannot create"):
        SQLiteStore(tmp_path / "x.db", read_only=True, create=True)
    with pytest.raises(StoreError, match=r"unknown store mode 'readonly'; expected one of: read"):
        open_store(tmp_path / "x.db", mode="readonly")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", READERS)
def test_in_memory_stores_only_create(mode: str) -> None:
    for target in ("memory://", "sqlite:///:memory:"):
        with pytest.raises(StoreError, match="new, empty store each time"):
            open_store(target, mode=mode)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="new, empty database each time"):
        SQLiteStore(":memory:", create=False)


def test_open_engine_takes_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other_app(path, "delete")
    before = snapshot(tmp_path)
    procedures = Path(__file__).resolve().parents[2] / "procedures"
    for mode in MODES:
        with pytest.raises(StoreError, match="not a procflow database"):
            open_engine(path, procedures=[procedures], mode=mode)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="no such procflow database"):
        open_engine(tmp_path / "typo.db", procedures=[procedures], mode="read")
    assert snapshot(tmp_path) == before
    engine = open_engine(tmp_path / "new.db", procedures=[procedures], mode="create")
    engine.store.close()
    engine = open_engine(tmp_path / "new.db", procedures=[procedures], mode="read")
    assert isinstance(engine.store, SQLiteStore) and engine.store.read_only
    assert engine.verify().ok
    engine.store.close()


# --- a read-only store on a procflow database ---------------------------------------------


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A closed procflow database with open and closed dossiers of two procedures."""
    path = tmp_path / "desk.db"
    with SQLiteStore(path) as store:
        for i in range(6):
            fill(store, f"HS-{i:03}", i % 3)
        dossier, event = receive("HS-CLOSED", procedure_id="vn.other", at=T0 + timedelta(hours=1))
        store.create(dossier, event, None)
        closed, ev = advance(dossier, "tra-ket-qua", close=True)
        store.append(closed, ev, dossier.version, None)
        store.next_sequence("desk")
    return path


def everything(store: Any) -> dict[str, Any]:
    """All that the engine, verify, reports and export read from a store."""
    codes = list(store.codes())
    last = store.get(codes[-1])
    return {
        "codes": codes,
        "open": list(store.codes(open_only=True)),
        "by_procedure": list(store.codes(procedure_id=last.procedure_id)),
        "dossiers": [store.get(code).to_dict() for code in codes],
        "current": [store.get_current(code).to_dict() for code in codes],
        "events": [store.events(code) for code in codes],
        "all_events": list(store.iter_events()),
        "one_log": list(store.iter_events(codes[1])),
        "dicts": list(store.iter_dossier_dicts()),
        # SQLite only: the parallel report's split of the rows.
        "shard": list(store.iter_dossier_dicts(shard=(1, 2))) if store._SHARD else None,
        "due": store.due_for_alert(T0 + timedelta(days=400)),
        "count": (store.count(), store.count(open_only=True)),
        "missing": (store.get("nope"), store.events("nope")),
        "schema": store.schema_version(),
    }


def report_and_export(store: Store) -> tuple[dict[str, Any], str, str]:
    """What ``procflow report`` and ``procflow export`` compute from ``store``."""
    csv, xes = io.StringIO(), io.StringIO()
    export(store, "csv", csv, ExportOptions())
    export(store, "xes", xes, ExportOptions())
    report = build_report(store, QUERY).to_dict()
    report.pop("generated_at")  # the wall clock at the time of the call
    return report, csv.getvalue(), xes.getvalue()


def test_read_only_store_reads_everything_a_normal_one_does(desk: Path) -> None:
    with SQLiteStore(desk) as store:
        expected = everything(store)
    before = snapshot(desk.parent)
    with sqlite_open(desk, "read") as store:
        assert store.mode == "read" and store.read_only
        assert everything(store) == expected
    # Closed again: the same bytes, and the -wal/-shm the read needed are gone.
    assert snapshot(desk.parent) == before


def test_reports_and_exports_from_a_read_only_store(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    with SQLiteStore(path) as store:
        build(store, str(path))
        expected = report_and_export(store)
    before = snapshot(tmp_path)
    with sqlite_open(path, "read") as store:
        assert report_and_export(store) == expected
    assert snapshot(tmp_path) == before


WRITES: dict[str, Callable[[SQLiteStore], object]] = {
    "create": lambda s: s.create(*receive("HS-NEW"), None),
    "create_numbered": lambda s: s.create_numbered("desk", lambda n: (*receive(f"HS-N{n}"), None)),
    "create_many": lambda s: s.create_many([(*receive("HS-M1"), None)]),
    "import_dossiers": lambda s: s.import_dossiers([(d, [e]) for d, e in [receive("HS-I1")]]),
    "append": lambda s: s.append(*advance(s.get("HS-001"), "x"), 2, None),  # type: ignore[arg-type]
    "next_sequence": lambda s: s.next_sequence("desk"),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_writes_through_a_read_only_store_are_refused(desk: Path, write: str) -> None:
    before = snapshot(desk.parent)
    with sqlite_open(desk, "read") as store:
        with pytest.raises(StoreError, match=r"desk\.db is open read-only: cannot .*mode 'write'"):
            WRITES[write](store)
        # Past the store's own check, SQLite refuses too (mode=ro, query_only).
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|query_only"):
            store._connection().execute("DELETE FROM sequences")
    assert snapshot(desk.parent) == before


def test_read_only_store_follows_a_live_writer(desk: Path) -> None:
    # Not immutable: what another connection commits while the reader is open
    # is seen, and closing the reader leaves the writer's -wal/-shm alone.
    writer = SQLiteStore(desk, create=False)
    try:
        with sqlite_open(desk, "read") as reader:
            assert reader.get("HS-LIVE") is None
            writer.create(*receive("HS-LIVE"), None)
            assert reader.get("HS-LIVE") is not None
        assert (desk.parent / "desk.db-wal").exists()
        writer.create(*receive("HS-AFTER"), None)
        assert writer.count() == 9
    finally:
        writer.close()
    assert sorted(p.name for p in desk.parent.iterdir()) == ["desk.db"]


def test_read_only_store_opened_while_a_writer_is_open_keeps_its_files(desk: Path) -> None:
    with sqlite_open(desk, "read") as reader:
        writer = SQLiteStore(desk, create=False)
        reader.close()  # the writer's connection still needs the -wal and -shm
        assert (desk.parent / "desk.db-shm").exists()
        writer.create(*receive("HS-LIVE"), None)
        writer.close()
    with sqlite_open(desk, "read") as reader:
        assert reader.get("HS-LIVE") is not None


# --- PostgreSQL -------------------------------------------------------------------------


def schemas(pg: PostgresSchema) -> list[str]:
    with pg.connect() as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s", (pg.name,)
        ).fetchall()
    return [r[0] for r in rows]


def tables(pg: PostgresSchema) -> list[tuple[str, str]]:
    with pg.connect() as conn:
        return [
            (r[0], r[1])
            for r in conn.execute(
                "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1",
                (pg.name,),
            ).fetchall()
        ]


def sequences(pg: PostgresSchema) -> list[tuple[str, int]]:
    with pg.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT * FROM sequences ORDER BY 1")]


@pytest.fixture
def pg(pg_schema: PostgresSchema) -> Iterator[PostgresSchema]:
    yield pg_schema


@pytest.mark.parametrize("mode", READERS)
def test_postgres_schema_typo_is_refused_and_not_created(pg: PostgresSchema, mode: str) -> None:
    with pytest.raises(StoreError, match=rf"no schema '{pg.name}'.*check \?schema= for a typo"):
        open_store(pg.url, mode=mode)  # type: ignore[arg-type]
    assert schemas(pg) == []


def test_postgres_create_mode_creates_a_missing_schema(pg: PostgresSchema) -> None:
    with open_store(pg.url, mode="create") as store:  # type: ignore[attr-defined]
        assert store.count() == 0
    assert schemas(pg) == [pg.name]


@pytest.mark.parametrize("mode", MODES)
def test_postgres_other_app_schema_is_refused_and_unchanged(pg: PostgresSchema, mode: str) -> None:
    with pg.connect() as conn:
        conn.execute(f"CREATE SCHEMA {pg.name}")
        conn.execute("CREATE TABLE users (name TEXT, national_id TEXT)")
        conn.execute("CREATE TABLE schema_version (version INTEGER)")
    before = tables(pg)
    with pytest.raises(StoreError, match=rf"schema '{pg.name}' is not a procflow database"):
        open_store(pg.url, mode=mode)  # type: ignore[arg-type]
    assert tables(pg) == before


@pytest.mark.parametrize("mode", READERS)
def test_postgres_empty_schema_is_refused_unless_creating(pg: PostgresSchema, mode: str) -> None:
    with pg.connect() as conn:
        conn.execute(f"CREATE SCHEMA {pg.name}")
    with pytest.raises(StoreError, match="holds no tables, so no procflow database"):
        open_store(pg.url, mode=mode)  # type: ignore[arg-type]
    assert tables(pg) == []
    with open_store(pg.url, mode="create") as store:  # type: ignore[attr-defined]
        assert store.schema_version() == len(MIGRATIONS)


@pytest.mark.parametrize("mode", MODES)
def test_postgres_newer_schema_is_refused_in_every_mode(pg: PostgresSchema, mode: str) -> None:
    pg.open().close()
    with pg.connect() as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', 'later')")
    before = tables(pg)
    with pytest.raises(StoreError, match=r"schema version 99.*newer procflow"):
        open_store(pg.url, mode=mode)  # type: ignore[arg-type]
    assert tables(pg) == before


def test_postgres_read_only_store_reads_and_refuses_writes(pg: PostgresSchema) -> None:
    with pg.open() as store:
        build(store, pg.url)
        expected = everything(store)
        expected_outputs = report_and_export(store)
    numbers = sequences(pg)
    with pg.open(read_only=True) as store:
        assert store.mode == "read"
        assert everything(store) == expected
        assert report_and_export(store) == expected_outputs
        writes: list[Callable[[], object]] = [
            lambda: store.create(*receive("HS-NEW"), None),
            lambda: store.next_sequence("desk"),
            lambda: store.claim_for_alert(T0 + timedelta(days=3)),
            lambda: store.create_many([(*receive("HS-M1"), None)]),
        ]
        for write in writes:
            with pytest.raises(StoreError, match="is open read-only: cannot"):
                write()
        # Past the store's check, the server refuses too.
        with (
            pytest.raises(StoreError, match="read-only transaction"),
            store._connection("try a write") as conn,
        ):
            conn.execute("DELETE FROM sequences")
    with pg.open() as store:
        assert everything(store) == expected
    assert sequences(pg) == numbers


def test_postgres_read_only_keeps_the_users_own_options(pg: PostgresSchema) -> None:
    pg.open().close()
    url = pg.url + "&options=-c%20statement_timeout%3D12345"
    store: Any = open_store(url, mode="read")
    with store, store._connection("show settings") as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("12345ms",)
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SHOW search_path").fetchone() == (pg.name,)


def test_a_writer_arriving_during_the_check_makes_it_read_again(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quiet (immutable) read of a WAL file is trusted only if no writer
    # came in meanwhile; here one does, and the check reads again through
    # SQLite's locks.
    calls: list[bool] = []
    writers: list[sqlite3.Connection] = []
    list_tables = SQLiteStore._list_tables

    def meddling(self: SQLiteStore, *, immutable: bool) -> Any:
        calls.append(immutable)
        found = list_tables(self, immutable=immutable)
        if len(calls) == 1:
            writer = raw(desk)  # stays open: its -wal is there during the second read
            writer.execute("INSERT INTO sequences VALUES ('meanwhile', 1)")
            writers.append(writer)
        return found

    monkeypatch.setattr(SQLiteStore, "_list_tables", meddling)
    try:
        with sqlite_open(desk, "read") as reader:
            assert reader._read("x", "SELECT value FROM sequences WHERE scope = 'meanwhile'")
    finally:
        for writer in writers:
            writer.close()
    assert calls == [True, False]
