"""An insider with write access to the database, on real SQLite files and a real
PostgreSQL schema: every tampering the audit issue lists, and the ones the
per-dossier chains already caught, must be found, with a message naming what
was lost or changed.

The database: eight dossiers received over two days at one desk, moved on,
one closed; a checkpoint signed with a key kept outside it. Each case tampers
with a fresh copy the way a person with a SQL prompt would (dropping the
append-only triggers first), then runs what ``procflow verify DB --checkpoint``
runs.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from procflow.audit.checkpoint import Checkpoint, parse
from procflow.audit.log import check_against, check_log, check_row, make_checkpoint
from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.errors import StoreError
from procflow.store.sqlite import SQLiteStore
from procflow.store.url import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from store_postgres import PostgresSchema, postgres_url

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROCS = Path(__file__).resolve().parents[2] / "procedures"
CATALOGUE = Catalogue.from_paths([PROCS])
CALENDAR = WorkCalendar.vietnam()
KEY = Ed25519PrivateKey.generate()
DESK = Actor("lan", "commune-pc", "desk-officer")


def fill(store: Any, days: int = 2, per_day: int = 4) -> list[str]:
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(store, CATALOGUE, CALENDAR, clock)
    codes = []
    for day in range(days):
        clock.set(datetime(2026, 3, 2 + day, 8, 0, tzinfo=VN))
        for i in range(per_day):
            slip = engine.receive(
                "vn.lien-thong.child-under-6", actor=DESK, applicant={"name": f"Trẻ {day}-{i}"}
            )
            clock.advance(timedelta(minutes=15))
            engine.fire(slip.code, "forward", DESK)
            clock.advance(timedelta(minutes=15))
            codes.append(slip.code)
    engine.fire(codes[0], "withdraw", DESK)
    return codes


def audit(store: Any, checkpoints: list[Checkpoint]) -> list[str]:
    """What ``procflow verify DB --checkpoint ... --key ...`` reports."""
    engine = Engine(store, CATALOGUE, CALENDAR, VirtualClock(datetime(2026, 3, 9, tzinfo=VN)))
    seen: list[str] = []

    def codes() -> Iterator[str]:
        for code in store.codes():
            seen.append(code)
            yield code

    report = engine.verify(codes(), lambda rec: check_row(store, rec))
    problems = list(report.problems) + check_log(store, seen)
    for cp in checkpoints:
        problems += check_against(store, cp, KEY.public_key())
    return problems


@dataclass
class Db:
    """One backend's database: open it, run SQL on it as an insider, copy it."""

    open: Callable[[], Any]
    sql: Callable[[str], None]
    snapshot: Callable[[], Callable[[], None]]
    """Save the database as it is; the callable returned puts that copy back."""
    drop_guards: str
    drop_keys: str = ""
    """What lets a row go while events still name it (SQLite does not enforce
    foreign keys on a plain connection)."""


def sqlite_db(tmp_path: Path) -> Db:
    path = tmp_path / "desk.db"

    def sql(script: str) -> None:
        import sqlite3

        conn = sqlite3.connect(path)
        conn.executescript(script)
        conn.commit()
        conn.close()

    def snapshot() -> Callable[[], None]:
        saved = tmp_path / f"backup-{len(list(tmp_path.iterdir()))}.db"
        shutil.copy(path, saved)

        def restore() -> None:
            for side in ("-wal", "-shm"):
                Path(f"{path}{side}").unlink(missing_ok=True)
            shutil.copy(saved, path)

        return restore

    return Db(
        lambda: SQLiteStore(path),
        sql,
        snapshot,
        "DROP TRIGGER events_no_delete; DROP TRIGGER events_no_update; "
        "DROP TRIGGER log_no_delete; DROP TRIGGER log_no_update;",
    )


def postgres_db(request: pytest.FixtureRequest) -> Db:
    schema = PostgresSchema(postgres_url())
    request.addfinalizer(schema.drop)

    def sql(script: str) -> None:
        with schema.connect() as conn:
            conn.execute(script)  # type: ignore[arg-type]

    def snapshot() -> Callable[[], None]:
        saved = {}
        with schema.connect() as conn:
            for table in ("dossiers", "events", "log", "sequences", "log_head"):
                saved[table] = conn.execute(f"SELECT * FROM {table}").fetchall()  # type: ignore[arg-type]

        def restore() -> None:
            with schema.connect() as conn:
                conn.execute("DROP TRIGGER events_no_update_or_delete ON events")
                conn.execute("DROP TRIGGER log_no_update_or_delete ON log")
                for table in ("log", "events", "dossiers", "sequences", "log_head"):
                    conn.execute(f"DELETE FROM {table}")  # type: ignore[arg-type]
                for table in ("dossiers", "events", "log", "sequences", "log_head"):
                    for row in saved[table]:
                        marks = ", ".join(["%s"] * len(row))
                        conn.execute(f"INSERT INTO {table} VALUES ({marks})", row)  # type: ignore[arg-type]

        return restore

    return Db(
        schema.open,
        sql,
        snapshot,
        "DROP TRIGGER events_no_update_or_delete ON events; "
        "DROP TRIGGER log_no_update_or_delete ON log;",
        "ALTER TABLE events DROP CONSTRAINT events_code_fkey;",
    )


@pytest.fixture(params=["sqlite", "postgres"])
def db(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Db, list[str], Checkpoint]]:
    made = sqlite_db(tmp_path) if request.param == "sqlite" else postgres_db(request)
    store = made.open()
    codes = fill(store)
    cp = make_checkpoint(store, "test", datetime(2026, 3, 4, tzinfo=VN), KEY, "test")
    store.close()
    yield made, codes, cp


def found(db: Db, cp: Checkpoint) -> list[str]:
    store = db.open()
    try:
        return audit(store, [cp])
    finally:
        store.close()


def test_an_untouched_database_is_clean(db: tuple[Db, list[str], Checkpoint]) -> None:
    made, _, cp = db
    assert found(made, cp) == []


def test_a_whole_dossier_deleted(db: tuple[Db, list[str], Checkpoint]) -> None:
    made, codes, cp = db
    gone = codes[5]
    made.sql(
        made.drop_guards + made.drop_keys + f"DELETE FROM events WHERE code = '{gone}'; "
        f"DELETE FROM dossiers WHERE code = '{gone}';"
    )
    problems = found(made, cp)
    assert any(gone in p and "is missing" in p for p in problems), problems
    assert any("numbering" in p and gone in p for p in problems), problems


def test_a_whole_dossier_deleted_with_its_log_entries(db: tuple[Db, list[str], Checkpoint]) -> None:
    made, codes, cp = db
    gone = codes[2]
    made.sql(
        made.drop_guards + f"DELETE FROM log WHERE code = '{gone}'; "
        f"DELETE FROM events WHERE code = '{gone}'; DELETE FROM dossiers WHERE code = '{gone}';"
    )
    problems = found(made, cp)
    assert any("missing position" in p for p in problems), problems
    assert any("numbering" in p and gone in p for p in problems), problems
    assert any("were deleted" in p or "gaps" in p for p in problems), problems


def test_a_row_deleted_its_events_kept(db: tuple[Db, list[str], Checkpoint]) -> None:
    made, codes, cp = db
    made.sql(made.drop_keys + f"DELETE FROM dossiers WHERE code = '{codes[3]}';")
    problems = found(made, cp)
    assert any(codes[3] in p and "without a dossier row" in p for p in problems), problems


@pytest.mark.parametrize(
    ("column", "value"),
    [("procedure_id", "vn.other"), ("procedure_version", "1999"), ("status", "closed")],
)
def test_a_filter_column_edited(
    db: tuple[Db, list[str], Checkpoint], column: str, value: str
) -> None:
    made, codes, cp = db
    made.sql(f"UPDATE dossiers SET {column} = '{value}' WHERE code = '{codes[4]}';")
    problems = found(made, cp)
    assert any(
        codes[4] in p and f"{column} is '{value}'" in p and "edited outside the log" in p
        for p in problems
    ), problems


def test_a_copy_from_before_the_checkpoint_put_back(
    db: tuple[Db, list[str], Checkpoint],
) -> None:
    made, _, _ = db
    restore = made.snapshot()
    store = made.open()
    fill(store, days=1, per_day=2)  # the next days' work... (numbered on 2026-03-02 again)
    later = make_checkpoint(store, "test", datetime(2026, 3, 5, tzinfo=VN), KEY, "test")
    store.close()
    restore()
    problems = found(made, later)
    assert any("were removed" in p and f"covered {later.size}" in p for p in problems), problems


def test_the_last_events_deleted_and_the_row_rewritten(
    db: tuple[Db, list[str], Checkpoint],
) -> None:
    made, codes, cp = db
    last = codes[-1]
    store = made.open()
    dossier = store.get(last)
    first_event = store.events(last)[0]
    store.close()
    assert dossier is not None and dossier.version == 2
    # Back to its receipt: the second event and its log entry go, the row is
    # rewritten to what the first event says, as a careful insider would.
    made.sql(
        made.drop_guards + f"DELETE FROM log WHERE code = '{last}' AND seq = 2; "
        f"DELETE FROM events WHERE code = '{last}' AND seq = 2; "
        f"UPDATE dossiers SET version = 1, last_hash = '{first_event.hash}', "
        f"state = 'reception' WHERE code = '{last}';"
    )
    problems = found(made, cp)
    assert any("removed" in p or "rewritten" in p for p in problems), problems


def test_an_edited_payload_and_a_moved_event_are_still_caught(
    db: tuple[Db, list[str], Checkpoint],
) -> None:
    made, codes, cp = db
    made.sql(
        made.drop_guards
        + f"UPDATE events SET data = replace(data, 'forward', 'fOrward') WHERE code = '{codes[1]}';"
    )
    problems = found(made, cp)
    assert any(codes[1] in p and "does not match its hash" in p for p in problems), problems


def test_a_forged_or_unsigned_checkpoint_is_refused(
    db: tuple[Db, list[str], Checkpoint],
) -> None:
    made, _, cp = db
    forged = parse(cp.text().replace(f"size: {cp.size}", f"size: {cp.size - 1}"))
    unsigned = Checkpoint(cp.origin, cp.size, cp.root, cp.time)
    store = made.open()
    try:
        assert any("does not verify" in p for p in check_against(store, forged, KEY.public_key()))
        assert any("no signature" in p for p in check_against(store, unsigned, KEY.public_key()))
    finally:
        store.close()


def test_an_emptied_sqlite_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    store = SQLiteStore(path)
    fill(store, days=1, per_day=1)
    store.close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        open_store(str(path), mode="read")


# --- random interleavings ------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(1, 3)),
        st.just(("checkpoint", 0)),
        st.tuples(st.just("rollback"), st.integers(0, 10)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_random_writes_checkpoints_and_rollbacks(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    """Whatever the order of writes, checkpoints and rollbacks to earlier copies,
    verify reports a problem exactly when some checkpoint covered an event the
    database no longer holds in the same place."""
    tmp = tmp_path_factory.mktemp("interleave")
    path = tmp / "desk.db"
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    copies: list[Path] = []
    checkpoints: list[tuple[Checkpoint, list[str]]] = []

    def logged(store: Any) -> list[str]:
        top, _ = store.log_extent()
        return [h for _, _, _, h in store.log_entries(0, top)]

    store = SQLiteStore(path)
    for op, n in ops:
        if op == "write":
            engine = Engine(store, CATALOGUE, CALENDAR, clock)
            for _ in range(n):
                slip = engine.receive("vn.lien-thong.child-under-6", actor=DESK)
                clock.advance(timedelta(minutes=7))
                engine.fire(slip.code, "forward", DESK)
                clock.advance(timedelta(minutes=7))
            copy = tmp / f"copy-{len(copies)}.db"
            store.close()
            shutil.copy(path, copy)
            copies.append(copy)
            store = SQLiteStore(path)
        elif op == "checkpoint":
            cp = make_checkpoint(store, "t", clock.now(), KEY, "t")
            checkpoints.append((cp, logged(store)))
        elif copies:
            store.close()
            for side in ("-wal", "-shm"):
                Path(f"{path}{side}").unlink(missing_ok=True)
            shutil.copy(copies[n % len(copies)], path)
            store = SQLiteStore(path)
    final = logged(store)
    expected = [cp for cp, covered in checkpoints if final[: len(covered)] != covered]
    problems = [p for cp, _ in checkpoints for p in check_against(store, cp, KEY.public_key())]
    store.close()
    assert bool(problems) == bool(expected), (problems, [c.size for c in expected])
