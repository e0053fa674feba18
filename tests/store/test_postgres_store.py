"""What only the PostgreSQL store has: its server, schema upgrades under a lock,
triggers, a thread-safe pool, and claims that share the sweep among workers.

The Store contract itself runs in test_store_contract.py against every
backend, this one included. Each test here works in a schema of its own
(``pg_schema``), dropped afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from store_postgres import PostgresSchema
from store_testdata import T0, advance, receive

from procflow.errors import ConflictError, StoreError
from procflow.store import open_store
from procflow.store.postgres import PostgresStore
from procflow.store.schema import MIGRATIONS, Migration, latest_version


def test_open_store_url_with_schema_and_pool_size(pg_schema: PostgresSchema) -> None:
    store = open_store(f"{pg_schema.url}&pool_size=3&connect_timeout=5")
    try:
        assert isinstance(store, PostgresStore)
        assert store.schema == pg_schema.name
        assert pg_schema.name in repr(store) and "@" in repr(store)
        d, e = receive("HS-URL")
        store.create(d, e, None)
    finally:
        store.close()
    with pg_schema.connect() as conn:
        assert conn.execute("SELECT code FROM dossiers").fetchall() == [("HS-URL",)]


def test_schema_version_is_recorded_once(pg_schema: PostgresSchema) -> None:
    with pg_schema.open() as store:
        assert store.schema_version() == latest_version()
    with pg_schema.open() as store:  # reopening applies nothing again
        assert store.schema_version() == latest_version()
    with pg_schema.connect() as conn:
        rows = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert rows == [(m.version,) for m in MIGRATIONS]


def test_database_from_a_newer_release_is_refused(pg_schema: PostgresSchema) -> None:
    pg_schema.open().close()
    with pg_schema.connect() as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', 'later')")
    with pytest.raises(StoreError, match=r"schema version 99.*newer procflow"):
        pg_schema.open()
    with pg_schema.connect() as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (99,)


def test_database_from_an_older_release_is_upgraded(pg_schema: PostgresSchema) -> None:
    with pg_schema.open() as store:
        d, e = receive("HS-OLD")
        store.create(d, e, None)
    nxt = Migration(
        len(MIGRATIONS) + 1,
        "a later release's table",
        ("CREATE TABLE notes (code TEXT NOT NULL, note TEXT NOT NULL)",),
        {"postgresql": ("CREATE INDEX notes_code ON notes (code)",)},
    )
    with pg_schema.open(migrations=(*MIGRATIONS, nxt)) as store:
        assert store.schema_version() == nxt.version
        assert store.get("HS-OLD") is not None
    with pg_schema.connect() as conn:
        assert conn.execute("SELECT to_regclass('notes_code') IS NOT NULL").fetchone() == (True,)


def test_a_failing_migration_changes_nothing(pg_schema: PostgresSchema) -> None:
    pg_schema.open().close()
    bad = Migration(
        len(MIGRATIONS) + 1, "broken", ("CREATE TABLE half (x BIGINT)", "THIS IS NOT SQL")
    )
    with pytest.raises(StoreError, match="upgrade the schema failed"):
        pg_schema.open(migrations=(*MIGRATIONS, bad))
    with pg_schema.connect() as conn:
        assert conn.execute("SELECT to_regclass('half')").fetchone() == (None,)
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (
            latest_version(),
        )


def test_processes_opening_a_fresh_schema_at_once(pg_schema: PostgresSchema) -> None:
    # Several processes open the same empty schema together: the advisory lock
    # makes exactly one apply the migrations; all of them then work.
    script = (
        "import sys; sys.path.insert(0, sys.argv[3])\n"
        "from store_testdata import receive\n"
        "from procflow.store.postgres import PostgresStore\n"
        "s = PostgresStore(sys.argv[1], schema=sys.argv[2], pool_size=1)\n"
        "d, e = receive('HS-' + str(__import__('os').getpid()))\n"
        "s.create(d, e, None); s.close(); print('ok')\n"
    )
    here = str(Path(__file__).parent)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, pg_schema.server_url, pg_schema.name, here],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == "ok", err
    with pg_schema.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (len(MIGRATIONS),)
        assert conn.execute("SELECT COUNT(*) FROM dossiers").fetchone() == (6,)


def test_triggers_refuse_update_delete_and_truncate_of_events(
    pg_schema: PostgresSchema,
) -> None:
    with pg_schema.open() as store:
        d, e = receive("HS-1")
        store.create(d, e, None)
    with pg_schema.connect() as conn:
        for statement in (
            "UPDATE events SET type = 'returned'",
            "DELETE FROM events",
            "TRUNCATE events CASCADE",
        ):
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (1,)


def test_text_columns_compare_byte_by_byte(pg_schema: PostgresSchema) -> None:
    # Whatever the database's collation, codes sort as on SQLite (byte order).
    with pg_schema.open() as store:
        for code in ["b-2", "B-1", "a-3", "Đ-4", "_-5"]:
            d, e = receive(code, at=T0)
            store.create(d, e, None)
        assert list(store.codes()) == sorted(["b-2", "B-1", "a-3", "Đ-4", "_-5"])


def test_an_append_that_fails_half_way_leaves_nothing(pg_schema: PostgresSchema) -> None:
    with pg_schema.open() as store:
        d1, e1 = receive("HS-1")
        store.create(d1, e1, None)
        d2, e2 = advance(d1, "tham-dinh")
        # Plant a row where the event will go: the dossier update succeeds, the
        # event insert fails, and the one statement rolls back as a whole.
        with pg_schema.connect() as conn:
            conn.execute(
                "INSERT INTO events VALUES ('HS-1', 2, 'moved', 'x', NULL, '{}', 'p', 'h')"
            )
        # The message names the store (whatever database PROCFLOW_TEST_POSTGRES is) and
        # the write that failed.
        with pytest.raises(StoreError) as failed:
            store.append(d2, e2, 1, T0)
        message = str(failed.value)
        assert message.startswith(f"PostgreSQL store {store.where}: ")
        assert f"(schema {pg_schema.name})" in message
        assert "append event 2 to dossier HS-1 failed: duplicate key" in message
        back = store.get("HS-1")
        assert back is not None and back.to_dict() == d1.to_dict()


def test_create_many_is_all_or_nothing(pg_schema: PostgresSchema) -> None:
    with pg_schema.open() as store:
        batch = [receive(f"HS-{i:04d}", at=T0 + timedelta(seconds=i)) for i in range(1200)]
        assert store.create_many((d, e, T0 + timedelta(days=1)) for d, e in batch) == 1200
        assert store.count() == 1200
        assert list(store.codes())[:3] == ["HS-0000", "HS-0001", "HS-0002"]
        assert len(store.due_for_alert(T0 + timedelta(days=2), limit=5000)) == 1200
        clash = [receive("HS-NEW"), receive("HS-0005")]
        with pytest.raises(ConflictError, match="nothing stored"):
            store.create_many((d, e, None) for d, e in clash)
        assert store.get("HS-NEW") is None and store.count() == 1200
        assert store.create_many([]) == 0
        assert sum(1 for _ in store.iter_events()) == 1200


def test_threads_share_one_store_and_exactly_one_append_wins(pg_schema: PostgresSchema) -> None:
    with pg_schema.open(pool_size=4) as store:
        d1, e1 = receive("HS-1")
        store.create(d1, e1, None)
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def racer(i: int) -> None:
            mine, event = advance(d1, f"step-{i}")
            barrier.wait()
            try:
                store.append(mine, event, 1, None)
                outcomes.append("won")
            except ConflictError:
                outcomes.append("conflict")

        threads = [threading.Thread(target=racer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict"] * 7 + ["won"]
        assert [e.seq for e in store.events("HS-1")] == [1, 2]


def test_claims_share_due_dossiers_among_sweepers(pg_schema: PostgresSchema) -> None:
    with pg_schema.open(pool_size=4) as store:
        batch = [receive(f"HS-{i:03d}", at=T0 + timedelta(seconds=i)) for i in range(300)]
        store.create_many((d, e, T0 + timedelta(hours=i % 5)) for i, (d, e) in enumerate(batch))
        now = T0 + timedelta(hours=3)
        due = set(store.due_for_alert(now, limit=1000))
        assert len(due) == 240
        claimed: list[list[str]] = [[] for _ in range(4)]

        def sweeper(k: int) -> None:
            while got := store.claim_for_alert(now, limit=7):
                claimed[k].extend(got)

        threads = [threading.Thread(target=sweeper, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        every = [code for part in claimed for code in part]
        assert len(every) == len(set(every)) and set(every) == due  # each to one sweeper
        assert store.claim_for_alert(now) == []  # all claimed for the lease
        assert len(store.due_for_alert(now, limit=1000)) == 240  # the plain read still sees them

        # An append releases the claim; an expired lease does too.
        d, _ = batch[0]
        d2, e2 = advance(d, "tham-dinh")
        store.append(d2, e2, 1, T0)
        assert store.claim_for_alert(now) == ["HS-000"]
        assert store.claim_for_alert(now, lease=timedelta(0)) == []
        with pg_schema.connect() as conn:
            conn.execute("UPDATE dossiers SET alert_claimed_until = now() - interval '1 s'")
        assert len(store.claim_for_alert(now, lease=timedelta(milliseconds=1))) == 240
        time.sleep(0.01)
        assert len(store.claim_for_alert(now)) == 240


def test_a_dropped_connection_is_a_store_error_and_the_store_recovers(
    pg_schema: PostgresSchema,
) -> None:
    name = f"pf_{pg_schema.name}"
    store = open_store(f"{pg_schema.url}&pool_size=1&application_name={name}")
    try:
        d, e = receive("HS-1")
        store.create(d, e, None)
        with pg_schema.connect() as conn:
            killed = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            ).fetchall()
        assert killed == [(True,)]
        with pytest.raises(StoreError, match="read dossier HS-1 failed"):
            store.get("HS-1")
        assert store.get("HS-1") is not None  # the pool replaced the broken connection
    finally:
        store.close()


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"nobody@127\.0\.0\.1:1/nowhere: connect failed"):
        PostgresStore("postgresql://nobody:secret@127.0.0.1:1/nowhere", timeout=2)
    try:
        PostgresStore("postgresql://nobody:secret@127.0.0.1:1/nowhere", timeout=2)
    except StoreError as exc:
        assert "secret" not in str(exc)


def test_bad_arguments_and_closed_store(pg_schema: PostgresSchema) -> None:
    with pytest.raises(StoreError, match="plain schema name"):
        PostgresStore(pg_schema.server_url, schema="x; DROP TABLE y")
    with pytest.raises(StoreError, match="pool_size"):
        PostgresStore(pg_schema.server_url, schema=pg_schema.name, pool_size=0)
    store = pg_schema.open()
    store.close()
    store.close()  # twice is harmless
    with pytest.raises(StoreError, match="is closed"):
        store.get("HS-1")


def test_import_dossiers_with_their_logs(pg_schema: PostgresSchema) -> None:
    with pg_schema.open() as store:
        items = []
        for i in range(30):
            d1, e1 = receive(f"HS-{i:02d}")
            d2, e2 = advance(d1, "tham-dinh")
            d3, e3 = advance(d2, "tra-ket-qua", close=True)
            items.append((d3, [e1, e2, e3]))
        assert store.import_dossiers(items) == 30
        assert store.count() == 30 and store.count(open_only=True) == 0
        assert store.events("HS-07") == items[7][1]
        with pytest.raises(StoreError, match="does not end at its state"):
            store.import_dossiers([(items[0][0], items[0][1][:2])])
        with pytest.raises(ConflictError, match="nothing imported"):
            store.import_dossiers([items[3]])
        assert store.count() == 30
