"""What only the SQLite file has to show: its settings, its schema versions,
its append-only log, tamper evidence, and errors that say what and where."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_testdata import T0, advance, fill, receive

import procflow.store.sqlite as sqlite_module
from procflow.errors import ConflictError, StoreError
from procflow.model.events import verify_chain
from procflow.store import MemoryStore
from procflow.store.schema import MIGRATIONS, Migration
from procflow.store.sqlite import SQLiteStore
from procflow.store.url import open_store


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


# --- settings and reopening ---------------------------------------------------------


def test_file_settings(sqlite_store: SQLiteStore, db_path: Path) -> None:
    conn = sqlite_store._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    # WAL is a property of the file: a plain connection sees it too.
    assert raw(db_path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_everything(db_path: Path) -> None:
    with SQLiteStore(db_path) as store:
        last = fill(store, "HS-001", 3)
        events = store.events("HS-001")
        assert store.next_sequence("desk") == 1
    with SQLiteStore(db_path) as store:
        got = store.get("HS-001")
        assert got is not None and got.to_dict() == last.to_dict()
        assert store.events("HS-001") == events
        assert store.next_sequence("desk") == 2
        assert store.due_for_alert(T0 + timedelta(days=2)) == ["HS-001"]
        assert store.count() == 1


def test_context_manager_closes(db_path: Path) -> None:
    with SQLiteStore(db_path) as store:
        pass
    with pytest.raises(StoreError, match=r"procflow\.db is closed"):
        store.get("x")
    store.close()  # twice is fine


# --- schema versions ------------------------------------------------------------------


def test_schema_version_is_recorded(sqlite_store: SQLiteStore, db_path: Path) -> None:
    rows = raw(db_path).execute("SELECT version, description FROM schema_version").fetchall()
    assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]
    assert sqlite_store.schema_version() == MIGRATIONS[-1].version


def test_database_from_a_newer_release_is_refused(db_path: Path) -> None:
    SQLiteStore(db_path).close()
    conn = raw(db_path)
    conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')")
    conn.close()
    with pytest.raises(StoreError) as info:
        SQLiteStore(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert "schema version 99" in message and "newer procflow" in message


def test_database_from_an_older_release_is_upgraded(db_path: Path) -> None:
    with SQLiteStore(db_path) as store:
        last = fill(store, "HS-001", 2)
    extra = Migration(
        len(MIGRATIONS) + 1, "index events by time", ("CREATE INDEX events_at ON events (at)",)
    )
    with SQLiteStore(db_path, migrations=(*MIGRATIONS, extra)) as store:
        assert store.schema_version() == extra.version
        got = store.get("HS-001")
        assert got is not None and got.to_dict() == last.to_dict()
    indexes = {r[0] for r in raw(db_path).execute("SELECT name FROM sqlite_master")}
    assert "events_at" in indexes
    # ...and the release before it now refuses the file instead of misreading it.
    with pytest.raises(StoreError, match="newer procflow"):
        SQLiteStore(db_path)


def test_a_failing_migration_changes_nothing(db_path: Path) -> None:
    with SQLiteStore(db_path):
        pass
    broken = Migration(
        len(MIGRATIONS) + 1,
        "half good",
        ("CREATE TABLE extra (x TEXT)", "CREATE INDEX oops ON no_such_table (x)"),
    )
    with pytest.raises(StoreError, match="upgrade the schema"):
        SQLiteStore(db_path, migrations=(*MIGRATIONS, broken))
    names = {r[0] for r in raw(db_path).execute("SELECT name FROM sqlite_master")}
    assert "extra" not in names
    with SQLiteStore(db_path) as store:
        assert store.schema_version() == len(MIGRATIONS)


def test_migrations_must_be_in_order(db_path: Path) -> None:
    with pytest.raises(StoreError, match="out of order"):
        SQLiteStore(db_path, migrations=(Migration(2, "skips one", ()),))


# --- append-only log and tamper evidence -------------------------------------------------


def test_triggers_refuse_update_and_delete_of_events(
    sqlite_store: SQLiteStore, db_path: Path
) -> None:
    fill(sqlite_store, "HS-001", 2)
    conn = raw(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE events SET data = '{}' WHERE code = 'HS-001' AND seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM events WHERE code = 'HS-001'")
    assert verify_chain("HS-001", sqlite_store.events("HS-001")) == []


def test_events_need_their_dossier(sqlite_store: SQLiteStore, db_path: Path) -> None:
    conn = raw(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO events (code, seq, type, at, actor, data, prev_hash, hash) "
            "VALUES ('ghost', 1, 'moved', 'x', NULL, '{}', 'a', 'b')"
        )


def _drop_triggers(db_path: Path) -> sqlite3.Connection:
    conn = raw(db_path)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")
    return conn


def test_edited_event_is_detected(sqlite_store: SQLiteStore, db_path: Path) -> None:
    fill(sqlite_store, "HS-001", 3)
    conn = _drop_triggers(db_path)
    conn.execute(
        'UPDATE events SET data = \'{"from":"x","to":"tra-ket-qua"}\' '
        "WHERE code = 'HS-001' AND seq = 2"
    )
    problems = verify_chain("HS-001", sqlite_store.events("HS-001"))
    assert [(p.seq, "edited" in p.problem) for p in problems] == [(2, True)]


def test_deleted_event_is_detected(sqlite_store: SQLiteStore, db_path: Path) -> None:
    fill(sqlite_store, "HS-001", 3)
    conn = _drop_triggers(db_path)
    conn.execute("DELETE FROM events WHERE code = 'HS-001' AND seq = 2")
    problems = verify_chain("HS-001", sqlite_store.events("HS-001"))
    assert any(p.seq == 3 and "missing" in p.problem for p in problems)
    assert any(p.seq == 3 and "does not chain" in p.problem for p in problems)


def test_deleted_last_event_shows_against_the_dossier_row(
    sqlite_store: SQLiteStore, db_path: Path
) -> None:
    # The chain alone cannot see a truncated tail; the dossier row's version
    # and last_hash can, which is why verify compares them too.
    fill(sqlite_store, "HS-001", 3)
    conn = _drop_triggers(db_path)
    conn.execute("DELETE FROM events WHERE code = 'HS-001' AND seq = 4")
    events = sqlite_store.events("HS-001")
    dossier = sqlite_store.get("HS-001")
    assert verify_chain("HS-001", events) == []
    assert dossier is not None
    assert (dossier.version, dossier.last_hash) != (len(events), events[-1].hash)


def test_unreadable_event_row_is_a_store_error(sqlite_store: SQLiteStore, db_path: Path) -> None:
    fill(sqlite_store, "HS-001", 1)
    conn = _drop_triggers(db_path)
    conn.execute("UPDATE events SET type = 'teleported' WHERE seq = 2")
    with pytest.raises(StoreError, match=r"event 2 of dossier HS-001 cannot be read"):
        sqlite_store.events("HS-001")


# --- all or nothing -----------------------------------------------------------------------


def test_a_write_that_fails_half_way_leaves_nothing(
    sqlite_store: SQLiteStore, db_path: Path
) -> None:
    d1, e1 = receive("HS-001")
    sqlite_store.create(d1, e1, None)
    d2, e2 = advance(d1, "tham-dinh")
    # Someone slipped an event with seq 2 in behind the store's back: the
    # dossier update succeeds, then the event insert fails; both must go.
    raw(db_path).execute(
        "INSERT INTO events (code, seq, type, at, actor, data, prev_hash, hash) "
        "VALUES ('HS-001', 2, 'moved', ?, NULL, '{}', 'x', 'y')",
        (T0.isoformat(),),
    )
    with pytest.raises(
        StoreError, match=r"procflow\.db: append event 2 to dossier HS-001 failed: UNIQUE"
    ):
        sqlite_store.append(d2, e2, 1, T0)
    got = sqlite_store.get("HS-001")
    assert got is not None and got.to_dict() == d1.to_dict()
    assert sqlite_store.due_for_alert(T0 + timedelta(days=9)) == []


def test_a_locked_file_is_a_clear_error_and_writes_nothing(db_path: Path) -> None:
    with SQLiteStore(db_path, timeout=0.2) as store:
        d1, e1 = receive("HS-001")
        store.create(d1, e1, None)
        blocker = raw(db_path)
        blocker.execute("BEGIN IMMEDIATE")
        d2, e2 = advance(d1, "tham-dinh")
        with pytest.raises(StoreError, match=r"procflow\.db.*locked.*0\.2 s"):
            store.append(d2, e2, 1, None)
        blocker.execute("ROLLBACK")
        assert store.events("HS-001") == [e1]
        store.append(d2, e2, 1, None)  # and works once the lock is gone
        assert store.events("HS-001") == [e1, e2]


def test_records_that_break_the_invariants_are_refused(sqlite_store: SQLiteStore) -> None:
    d1, e1 = receive("HS-001")
    wrong = d1.clone()
    wrong.version = 5
    with pytest.raises(StoreError, match="version is 5"):
        sqlite_store.create(wrong, e1, None)
    sqlite_store.create(d1, e1, None)
    d2, e2 = advance(d1, "tham-dinh")
    with pytest.raises(StoreError, match="does not follow the expected version 2"):
        sqlite_store.append(d2, e2, 2, None)
    naive = datetime(2025, 3, 3, 8, 0)
    with pytest.raises(StoreError, match="no time zone"):
        sqlite_store.append(d2, e2, 1, naive)
    assert sqlite_store.events("HS-001") == [e1]


def test_create_many_is_all_or_nothing(sqlite_store: SQLiteStore) -> None:
    batch = [(*receive(f"HS-{i:03}", at=T0 + timedelta(minutes=i)), None) for i in range(5)]
    assert sqlite_store.create_many(batch) == 5
    assert sqlite_store.count() == 5
    more = [(*receive(f"HS-{i:03}", at=T0 + timedelta(hours=1, minutes=i)), None) for i in (7, 3)]
    with pytest.raises(ConflictError, match="nothing stored"):
        sqlite_store.create_many(more)
    assert sqlite_store.get("HS-007") is None
    assert sqlite_store.count() == 5


# --- streaming -----------------------------------------------------------------------------


def test_codes_and_events_stream_page_by_page(
    sqlite_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "PAGE_SIZE", 3)
    expected_events = []
    for i in range(8):
        d, e = receive(f"HS-{i:02}", at=T0 + timedelta(minutes=i))
        sqlite_store.create(d, e, None)
        expected_events.append(e)
        for step in range(i % 4):
            nxt, ev = advance(d, f"buoc-{step}")
            sqlite_store.append(nxt, ev, d.version, None)
            expected_events.append(ev)
            d = nxt
    assert list(sqlite_store.codes()) == [f"HS-{i:02}" for i in range(8)]
    assert list(sqlite_store.codes(open_only=True, procedure_id="vn.khai-sinh"))[-1] == "HS-07"
    assert list(sqlite_store.iter_events()) == expected_events
    assert list(sqlite_store.iter_events("HS-07")) == sqlite_store.events("HS-07")
    assert len(sqlite_store.events("HS-07")) == 4
    assert list(sqlite_store.iter_events("nope")) == []
    assert sqlite_store.count() == 8 and sqlite_store.count(open_only=True) == 8


# --- errors that say what and where ---------------------------------------------------------


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no-such-dir.*directory exists"):
        SQLiteStore(tmp_path / "no-such-dir" / "x.db")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not SQLite " * 100)
    with pytest.raises(StoreError, match=r"notes\.db.*not an SQLite database"):
        SQLiteStore(path)


def test_a_store_belongs_to_its_thread(sqlite_store: SQLiteStore) -> None:
    errors: list[BaseException] = []

    def use() -> None:
        try:
            sqlite_store.count()
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert len(errors) == 1 and isinstance(errors[0], StoreError)
    assert "one per thread" in str(errors[0])


# --- open_store ----------------------------------------------------------------------------------


def test_open_store_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_store("sqlite:///rel.db")
    assert isinstance(relative, SQLiteStore) and (tmp_path / "rel.db").exists()
    relative.close()
    absolute = open_store(f"sqlite:///{tmp_path / 'abs.db'}")  # four slashes in all
    assert isinstance(absolute, SQLiteStore) and (tmp_path / "abs.db").exists()
    absolute.close()
    for bare in (str(tmp_path / "bare.db"), tmp_path / "path.db"):
        store = open_store(bare)
        assert isinstance(store, SQLiteStore)
        store.close()
    assert isinstance(open_store("memory://"), MemoryStore)
    in_memory = open_store("sqlite:///:memory:")
    assert isinstance(in_memory, SQLiteStore) and in_memory.count() == 0
    in_memory.close()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("postgresql+asyncpg://localhost/test", "through psycopg 3"),
        ("postgres://nobody@127.0.0.1:1/test", "127.0.0.1:1/test: connect failed"),
        ("mysql://localhost/test", "unknown store scheme 'mysql://'"),
        ("sqlite://", "needs a path"),
        ("memory://somewhere", "nothing after it"),
        ("  ", "no store given"),
    ],
)
def test_open_store_refuses_what_it_cannot_open(target: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(target)
