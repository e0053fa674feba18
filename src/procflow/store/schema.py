"""The durable stores' schema, as ordered migrations shared by every SQL backend.

Why a list of migrations instead of one ``CREATE TABLE`` script: a database
created by one release must open under the next. Each release may append a
:class:`Migration`; opening a store applies, in one transaction, every
migration whose version the database's ``schema_version`` table does not list
yet. A database that lists a version this release does not know was written by
a newer procflow and is refused rather than misread.

The common statements are portable SQL (SQLite and PostgreSQL both accept
them as written): plain ``TEXT``/``BIGINT`` columns, composite primary keys,
foreign keys, partial indexes. What cannot be portable — the triggers that
make ``events`` append-only — lives in ``dialects``, one entry per backend, so
the PostgreSQL store only has to add its own entry (a ``plpgsql`` function
and two triggers) next to ``"sqlite"``.

Timestamps are ``TEXT``. Columns that are compared or ordered on
(``received_at``, ``due_at``, ``closed_at``, ``next_alert_at``) hold the UTC
instant in one fixed-width ISO-8601 form (see :func:`utc_key`), so that string
order is time order whatever offset the dossier was written with. The JSON
``body`` keeps the dossier's own offsets untouched, and the events' ``at``
column keeps the event's original text, because that exact text is hashed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from procflow.errors import StoreError
from procflow.model.instant import dt_of


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: applied once, in order, never edited after release."""

    version: int
    description: str
    common: tuple[str, ...]
    """Portable statements, run on every backend."""
    dialects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Backend-specific statements (``"sqlite"``, later ``"postgresql"``), run after ``common``."""

    backfill: Backfill | None = None
    """Rows to rewrite in Python after the statements, in the same transaction
    (what SQL cannot compute portably, e.g. fields read from the JSON body)."""

    def statements(self, dialect: str) -> tuple[str, ...]:
        return self.common + tuple(self.dialects.get(dialect, ()))


@dataclass(frozen=True, slots=True)
class Backfill:
    """A migration's Python step: ``select`` the rows (no parameters), map each
    through ``rewrite`` to the parameters of ``update`` (``?`` placeholders;
    the PostgreSQL store turns them into ``%s``)."""

    select: str
    rewrite: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    update: str


SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version BIGINT PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)"
)
"""Created before any migration runs: it records which migrations were applied."""


_V1_COMMON = (
    """CREATE TABLE dossiers (
        code TEXT PRIMARY KEY,
        procedure_id TEXT NOT NULL,
        procedure_version TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL,
        desk_agency TEXT NOT NULL,
        received_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        closed_at TEXT,
        next_alert_at TEXT,
        version BIGINT NOT NULL,
        last_hash TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
    """CREATE TABLE events (
        code TEXT NOT NULL REFERENCES dossiers (code),
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (code, seq)
    )""",
    """CREATE TABLE sequences (
        scope TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    )""",
    "CREATE INDEX dossiers_status ON dossiers (status)",
    "CREATE INDEX dossiers_procedure ON dossiers (procedure_id)",
    # Keyset pagination of codes() in receipt order walks this index.
    "CREATE INDEX dossiers_receipt ON dossiers (received_at, code)",
    # Most dossiers are closed and carry no alert: keep them out of the sweep's index.
    "CREATE INDEX dossiers_alert ON dossiers (next_alert_at) WHERE next_alert_at IS NOT NULL",
)

_V1_SQLITE = (
    # Append-only log: an accidental UPDATE or DELETE fails loudly. Someone who
    # drops these triggers can still edit rows; the hash chain is what catches
    # that (procflow verify).
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN
        SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
    END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN
        SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
    END""",
)

_V1_POSTGRESQL = (
    # Compare and order text byte by byte, as SQLite does, whatever collation
    # the database was created with: the sweep's and the receipt order's
    # string comparisons must be time order, and codes must sort the same on
    # both backends. ("C" is also the fastest collation to compare.)
    'ALTER TABLE events ALTER COLUMN code TYPE TEXT COLLATE "C"',
    'ALTER TABLE dossiers ALTER COLUMN code TYPE TEXT COLLATE "C"',
    *(
        f'ALTER TABLE dossiers ALTER COLUMN {column} TYPE TEXT COLLATE "C"'
        for column in (
            "procedure_id",
            "status",
            "received_at",
            "due_at",
            "closed_at",
            "next_alert_at",
        )
    ),
    # Several sweepers share one database: a worker claims the dossiers it
    # alerts on for a short lease (PostgresStore.claim_for_alert, FOR UPDATE
    # SKIP LOCKED), so the others skip them instead of racing for them. Every
    # append clears the claim.
    "ALTER TABLE dossiers ADD COLUMN alert_claimed_until TIMESTAMPTZ",
    # Append-only log, as the SQLite triggers (and TRUNCATE too). The function
    # is created in the store's schema, next to its table.
    """CREATE FUNCTION procflow_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$""",
    """CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION procflow_events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION procflow_events_append_only()""",
)

# The log: one row per event, numbered 0, 1, 2, ... in the order the events
# were committed: the leaves of the Merkle tree (procflow.audit). The event's
# hash is repeated so that the log stands on its own and an edited event no
# longer matches it. (code, seq) is unique: an event has one place.
_LOG_TABLE = """CREATE TABLE log (
        position {key},
        code TEXT NOT NULL,
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (code, seq)
    )"""

_V3_COMMON = (
    # Roots of complete subtrees, remembered so that proofs read few leaves:
    # a cache (a wrong row makes proofs fail to verify, never pass).
    """CREATE TABLE log_nodes (
        level INTEGER NOT NULL,
        idx BIGINT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (level, idx)
    )""",
    # Facts about the database as a whole that are not dossiers (a
    # simulation's period): Store.meta / Store.set_meta.
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # The checkpoints this database has given (the text, signed or not).
    """CREATE TABLE checkpoints (
        size BIGINT NOT NULL,
        made_at TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (size, made_at)
    )""",
)

_V3_SQLITE = (
    # INTEGER PRIMARY KEY: the position is the row id, no index of its own to
    # write on every transition.
    _LOG_TABLE.format(key="INTEGER PRIMARY KEY"),
    # Events already stored join the log in the order they were written.
    "INSERT INTO log (position, code, seq, hash) "
    "SELECT ROW_NUMBER() OVER (ORDER BY rowid) - 1, code, seq, hash FROM events",
    """CREATE TRIGGER log_no_update BEFORE UPDATE ON log
    BEGIN
        SELECT RAISE(ABORT, 'the log is append-only: UPDATE is not allowed');
    END""",
    """CREATE TRIGGER log_no_delete BEFORE DELETE ON log
    BEGIN
        SELECT RAISE(ABORT, 'the log is append-only: DELETE is not allowed');
    END""",
)

_V3_POSTGRESQL = (
    _LOG_TABLE.format(key="BIGINT PRIMARY KEY"),
    'ALTER TABLE log ALTER COLUMN code TYPE TEXT COLLATE "C"',
    "INSERT INTO log (position, code, seq, hash) "
    "SELECT ROW_NUMBER() OVER (ORDER BY code, seq) - 1, code, seq, hash FROM events",
    # The log's size, one row: every append takes its lock to number its
    # event, so positions follow the commit order, with no gaps, however
    # many writers there are.
    """CREATE TABLE log_head (
        one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
        size BIGINT NOT NULL
    )""",
    "INSERT INTO log_head (one, size) SELECT TRUE, COUNT(*) FROM log",
    """CREATE TRIGGER log_no_update_or_delete BEFORE UPDATE OR DELETE ON log
    FOR EACH ROW EXECUTE FUNCTION procflow_events_append_only()""",
    """CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log
    FOR EACH STATEMENT EXECUTE FUNCTION procflow_events_append_only()""",
)

# The transactional outbox (procflow.model.outbox, procflow.notify). A row
# per event someone must hear of, written in the event's own transaction;
# the dispatcher fans it out into deliveries, one per recipient and channel,
# each under its idempotency key. Instants are utc_key text like the
# dossiers' compared columns. Events stored before this migration get no
# outbox row: they happened before notifications existed, and must not
# reach anyone years late.
_V4_COMMON = (
    """CREATE TABLE outbox (
        code TEXT NOT NULL,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        done_at TEXT,
        claimed_by TEXT,
        claimed_until TEXT,
        PRIMARY KEY (code, seq)
    )""",
    # The dispatcher's queue: what is not fanned out yet, oldest first.
    "CREATE INDEX outbox_pending ON outbox (at, code, seq) WHERE done_at IS NULL",
    """CREATE TABLE deliveries (
        key TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        seq BIGINT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        address TEXT NOT NULL,
        message TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        claimed_by TEXT,
        claimed_until TEXT
    )""",
    # Pending deliveries by due time: most rows are sent, and stay out of it.
    "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX deliveries_dossier ON deliveries (code, seq)",
)

_V4_POSTGRESQL = tuple(
    # Byte order, as the other tables (see _V1_POSTGRESQL): time order of the
    # utc_key columns and the same code order as SQLite.
    f'ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT COLLATE "C"'
    for table, columns in (
        ("outbox", ("code", "at", "claimed_until")),
        ("deliveries", ("key", "code", "next_attempt_at", "claimed_until")),
    )
    for column in columns
)

# Worklists (procflow.model.worklist): the columns every write keeps beside an
# open dossier, and one partial index per way of asking, each ending in the
# nearest deadline and the code (the order and the page cursor).
_V5_COMMON = (
    "ALTER TABLE dossiers ADD COLUMN holder TEXT",
    "ALTER TABLE dossiers ADD COLUMN assignee TEXT",
    "ALTER TABLE dossiers ADD COLUMN assigned_role TEXT",
    "ALTER TABLE dossiers ADD COLUMN deadline_at TEXT",
    "ALTER TABLE dossiers ADD COLUMN paused INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE dossiers ADD COLUMN warned INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX dossiers_work_holder ON dossiers (holder, deadline_at, code) "
    "WHERE status = 'open'",
    "CREATE INDEX dossiers_work_assignee ON dossiers (assignee, deadline_at, code) "
    "WHERE status = 'open' AND assignee IS NOT NULL",
    "CREATE INDEX dossiers_work_role ON dossiers (assigned_role, deadline_at, code) "
    "WHERE status = 'open' AND assigned_role IS NOT NULL",
    "CREATE INDEX dossiers_work_step ON dossiers (procedure_id, state, deadline_at, code) "
    "WHERE status = 'open'",
)


def _worklist_backfill(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The worklist columns of a dossier stored before them (migration 5)."""
    from procflow.model.record import Record
    from procflow.store.records import dossier_from_body, work_columns

    code, body = row
    rec = Record.from_dossier(dossier_from_body(code, body, "migration 5"))
    return (*work_columns(rec), code)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "dossiers, append-only events, sequences",
        _V1_COMMON,
        # The "postgresql" entry was added with the PostgreSQL store, before
        # any PostgreSQL database existed: no released database applied v1
        # without it.
        {"sqlite": _V1_SQLITE, "postgresql": _V1_POSTGRESQL},
    ),
    Migration(
        2,
        "events.format: the encoding each event's hash covers (1 before the lean core)",
        ("ALTER TABLE events ADD COLUMN format INTEGER NOT NULL DEFAULT 1",),
    ),
    Migration(
        3,
        "log: every event's place in one append-only log (Merkle tree, checkpoints); meta",
        _V3_COMMON,
        {"sqlite": _V3_SQLITE, "postgresql": _V3_POSTGRESQL},
    ),
    Migration(
        4,
        "outbox and deliveries: notifications written with their events, delivered once",
        _V4_COMMON,
        {"postgresql": _V4_POSTGRESQL},
    ),
    Migration(
        5,
        "worklist columns: holder, assignee, assigned role, nearest deadline, paused, warned",
        _V5_COMMON,
        backfill=Backfill(
            "SELECT code, body FROM dossiers WHERE status = 'open'",
            _worklist_backfill,
            "UPDATE dossiers SET holder = ?, assignee = ?, assigned_role = ?, "
            "deadline_at = ?, paused = ?, warned = ? WHERE code = ?",
        ),
    ),
    Migration(
        6,
        "events.data keeps the engine's event body (the bytes hashed), dossiers.body "
        "the record as one JSON list: no data object or dossier object encoded per act",
        # No statement: rows written before keep their objects, and both forms
        # are read (store.records: event_from_row, dossier_from_body). The
        # version is there so that an older procflow, which reads only
        # objects, refuses the database instead of misreading its new rows.
        (),
    ),
)
"""Every migration, in order. Append new ones; never edit or reorder released ones."""


PROCFLOW_TABLES = frozenset({"schema_version", "dossiers", "events"})
"""The tables that make a database procflow's: every release since version 1
has them. A ``schema_version`` table alone is not enough, since other
applications keep one under that common name."""


def is_procflow(tables: Collection[str]) -> bool:
    """Whether a database (or schema) holding ``tables`` is procflow's."""
    return set(tables) >= PROCFLOW_TABLES


def foreign_tables(tables: Collection[str]) -> str:
    """Why a database holding ``tables`` is not procflow's, for the refusal:
    naming a few of its tables tells the user which file they pointed at."""
    names = sorted(tables)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    missing = ", ".join(sorted(PROCFLOW_TABLES - set(names)))
    return f"it holds {shown}, but not procflow's tables ({missing})"


def latest_version(migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    return migrations[-1].version if migrations else 0


def check_migrations(migrations: tuple[Migration, ...]) -> None:
    """Versions must run 1, 2, 3, ...: a gap or a repeat is a packaging mistake."""
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise StoreError(
                f"schema migrations are out of order: found version {migration.version} "
                f"where {expected} was expected"
            )


_UTC_KEYS: dict[datetime, str] = {}
_UTC_KEYS_MAX = 8192


def utc_key(value: datetime) -> str:
    """The fixed-width UTC ISO-8601 text stored in compared/ordered columns.

    ``datetime.isoformat`` drops the microseconds when they are zero and keeps
    the local offset, so its strings do not sort as time does. This form
    always has microseconds and ``+00:00``, so text order equals time order,
    and ``datetime.fromisoformat`` still reads it back.

    Every transition writes three or four of these, mostly the same instants
    again (a dossier's receipt and due date; due dates many dossiers share),
    so they are remembered (bounded), and made through orjson, which writes
    the text ``isoformat(timespec="microseconds")`` writes five times faster.
    """
    key = _UTC_KEYS.get(value)
    if key is not None:
        return key
    if value.tzinfo is None or value.utcoffset() is None:
        raise StoreError(
            f"{value.isoformat()} has no time zone; the store keeps only aware timestamps"
        )
    key = _key_of_utc(value.astimezone(UTC))
    if len(_UTC_KEYS) >= _UTC_KEYS_MAX:
        _UTC_KEYS.clear()
    _UTC_KEYS[value] = key
    return key


def _key_of_utc(utc: datetime) -> str:
    """The key's text of an instant already in UTC."""
    key = orjson.dumps(utc).decode()[1:-1]  # RFC 3339: ...T01:02:03[.ffffff]+00:00
    if not utc.microsecond:
        key = f"{key[:19]}.000000{key[19:]}"
    return key


class _UtcKeysTs(dict[float, str]):
    """:func:`utc_key` of POSIX seconds, made on first use (bounded as the other)."""

    __slots__ = ()

    def __missing__(self, t: float) -> str:
        if len(self) >= _UTC_KEYS_MAX:
            self.clear()
        key = self[t] = _key_of_utc(dt_of(t, UTC))
        return key


utc_key_ts: Callable[[float], str] = _UtcKeysTs().__getitem__
""":func:`utc_key` of POSIX seconds ``t``, remembered: a dict's own look-up,
with no Python call unless the key is new (every write makes a few)."""
