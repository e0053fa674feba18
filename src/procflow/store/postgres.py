"""The PostgreSQL store: many engine processes, on one or many machines, on one database.

Same contract and guarantees as :class:`~procflow.store.sqlite.SQLiteStore`,
kept by the server instead of a file lock:

* **Atomic transitions.** :meth:`PostgresStore.create` and
  :meth:`PostgresStore.append` are each *one* SQL statement (a data-modifying
  ``WITH`` that writes the dossier row and inserts the event row), run in
  autocommit mode, so each is its own transaction: both rows or neither, and
  one round trip to the server per transition.
* **Acknowledged means durable.** The statement has committed (with the
  server's ``synchronous_commit``, ``on`` by default) before the call returns.
* **No lost update.** ``append`` updates the dossier ``WHERE code = %s AND
  version = %s``. Two workers appending on the same version are serialised by
  the row lock; under READ COMMITTED the second re-checks the condition on
  the new row version, matches nothing, inserts no event, and gets
  :class:`~procflow.errors.ConflictError`. A duplicate code on ``create`` is a
  ConflictError too (``ON CONFLICT DO NOTHING``, then nothing is inserted).
* **Append-only log.** Triggers refuse ``UPDATE``, ``DELETE`` and
  ``TRUNCATE`` on ``events``; the hash chain catches whoever drops them.
* **Several sweepers.** :meth:`due_for_alert` is a plain read: two sweepers
  may both see a dossier, but only one alert can be appended per version, so
  no alert is ever written twice. :meth:`claim_for_alert` goes further and
  hands each due dossier to one sweeper only (``FOR UPDATE SKIP LOCKED`` and a
  short lease), so they share the work instead of racing for it.
* **Notifications with their events.** An event that notifies someone
  (:func:`~procflow.model.outbox.enters_outbox`) is written by a variant of
  the same statement with one more data-modifying ``WITH`` that inserts its
  outbox row: both or neither. Dispatchers claim outbox rows and deliveries
  with ``FOR UPDATE SKIP LOCKED`` and a lease (:mod:`procflow.store.outbox`).
* **Schema.** The same ordered migrations as SQLite (``schema.py``), applied
  under a transaction-scoped advisory lock, so processes opening a fresh
  database at once apply each migration exactly once. A database with a newer
  schema is refused and left untouched.
* **Refusing what is not procflow's.** Before anything is created, the
  target schema (``?schema=NAME``, else the connection's current schema) is
  looked at with reads only. A missing schema (a typo in ``?schema=``), one
  with no tables, one holding another application's tables, or one with a
  newer procflow's schema is refused with a StoreError, and nothing is
  created: only a store opened to create (``create=True``) makes the schema
  and tables, and only when the schema is missing or empty.
* **Read-only.** ``read_only=True`` runs every session with
  ``default_transaction_read_only`` on, so the server itself refuses writes,
  and the store refuses its write calls before they are sent.

Every psycopg error is turned into a :class:`~procflow.errors.StoreError`
naming the operation and the server (``user@host:port/dbname``, never the
password).

Threads and processes: a store object holds a connection pool
(``psycopg_pool``, ``pool_size`` connections at most) and **is thread-safe**:
every call borrows a connection for its one statement. Share one store among
the threads of a process; open one per process, after ``fork``, never before
(a pool's connections and threads do not survive a fork).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, LiteralString, NoReturn

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from procflow.errors import ConflictError, StoreError
from procflow.model.dossier import Dossier, Status
from procflow.model.events import Event
from procflow.model.outbox import Delivery, OutboxItem
from procflow.model.record import ROW_STEP_DUE
from procflow.store.base import Capability
from procflow.store.outbox import (
    DELIVERY_COLUMNS,
    SQLOutbox,
    Statement,
    delivery_from_row,
    lease_end,
    outbox_from_row,
    outbox_params,
)
from procflow.store.records import (
    DOSSIER_COLUMNS,
    EVENT_COLUMNS,
    DossierRow,
    EventRow,
    NumberedRows,
    T,
    U,
    check_write,
    dossier_row,
    event_from_row,
    event_row,
    imported_dossier_rows,
    new_dossier_rows,
    numbering_failed,
)
from procflow.store.schema import (
    MIGRATIONS,
    SCHEMA_VERSION_DDL,
    Migration,
    check_migrations,
    foreign_tables,
    is_procflow,
    latest_version,
    utc_key,
)
from procflow.store.sqlreads import PAGE_SIZE, SELECT_EVENTS, SQLReads

DIALECT = "postgresql"

_DCOLS = ", ".join(DOSSIER_COLUMNS)
_ECOLS = ", ".join(EVENT_COLUMNS)
_EVENT_PARAMS = ", ".join("%s" for _ in EVENT_COLUMNS[1:])

# create: one statement, one transaction. ON CONFLICT DO NOTHING makes a taken
# code insert no dossier, hence no event: rowcount 0 means "already exists".
# Every event also takes the next place in the log: the one-row log_head is
# updated (and so locked until commit) only when the event is inserted, so
# positions follow the commit order with no gaps whatever the writers.
_LOGGED: LiteralString = (
    "head AS (UPDATE log_head SET size = size + 1 WHERE EXISTS (SELECT 1 FROM ev) "
    "RETURNING size) "
    "INSERT INTO log (position, code, seq, hash) "
    "SELECT head.size - 1, ev.code, ev.seq, ev.hash FROM ev, head"
)
# An event that notifies someone takes its outbox row in the same statement
# (two more parameters: type and instant); the others run the plain one.
_OUTBOX_CTE: LiteralString = (
    "ob AS (INSERT INTO outbox (code, seq, type, at) SELECT code, seq, %s, %s FROM ev), "
)
_CREATE_HEAD: LiteralString = (
    f"WITH created AS (INSERT INTO dossiers ({_DCOLS}) "
    f"VALUES ({', '.join('%s' for _ in DOSSIER_COLUMNS)}) "
    "ON CONFLICT (code) DO NOTHING RETURNING code), "
    f"ev AS (INSERT INTO events ({_ECOLS}) SELECT code, {_EVENT_PARAMS} FROM created "
    "RETURNING code, seq, hash), "
)
_CREATE: LiteralString = _CREATE_HEAD + _LOGGED
_CREATE_NOTIFYING: LiteralString = _CREATE_HEAD + _OUTBOX_CTE + _LOGGED
# append: the version-checked update and the event insert in one statement.
# No row updated (stale version, unknown code) means no event inserted.
_APPEND_HEAD: LiteralString = (
    "WITH moved AS (UPDATE dossiers SET "
    + ", ".join(f"{c} = %s" for c in DOSSIER_COLUMNS[1:])
    + ", alert_claimed_until = NULL WHERE code = %s AND version = %s RETURNING code), "
    f"ev AS (INSERT INTO events ({_ECOLS}) SELECT code, {_EVENT_PARAMS} FROM moved "
    "RETURNING code, seq, hash), "
)
_APPEND: LiteralString = _APPEND_HEAD + _LOGGED
_APPEND_NOTIFYING: LiteralString = _APPEND_HEAD + _OUTBOX_CTE + _LOGGED
_NEXT_SEQUENCE: LiteralString = (
    "INSERT INTO sequences (scope, value) VALUES (%s, 1) "
    "ON CONFLICT (scope) DO UPDATE SET value = sequences.value + 1 RETURNING value"
)
_DUE: LiteralString = (
    "SELECT code FROM dossiers WHERE status = %s AND next_alert_at IS NOT NULL "
    "AND next_alert_at <= %s ORDER BY next_alert_at, code LIMIT %s"
)
_CLAIM: LiteralString = (
    "WITH due AS (SELECT code FROM dossiers WHERE status = %s AND next_alert_at IS NOT NULL "
    "AND next_alert_at <= %s "
    "AND (alert_claimed_until IS NULL OR alert_claimed_until < clock_timestamp()) "
    "ORDER BY next_alert_at, code LIMIT %s FOR UPDATE SKIP LOCKED) "
    "UPDATE dossiers AS d SET alert_claimed_until = clock_timestamp() + %s "
    "FROM due WHERE d.code = due.code RETURNING d.code, d.next_alert_at"
)
_CLAIM_OUTBOX: LiteralString = (
    "WITH due AS (SELECT code, seq FROM outbox WHERE done_at IS NULL "
    "AND (claimed_until IS NULL OR claimed_until < %s) "
    "ORDER BY at, code, seq LIMIT %s FOR UPDATE SKIP LOCKED) "
    "UPDATE outbox AS o SET claimed_by = %s, claimed_until = %s FROM due "
    "WHERE o.code = due.code AND o.seq = due.seq RETURNING o.code, o.seq, o.type, o.at"
)
_CLAIM_DELIVERIES: LiteralString = (
    "WITH due AS (SELECT key FROM deliveries WHERE status = 'pending' "
    "AND next_attempt_at <= %s AND (claimed_until IS NULL OR claimed_until < %s) "
    "ORDER BY next_attempt_at, key LIMIT %s FOR UPDATE SKIP LOCKED) "
    "UPDATE deliveries AS d SET claimed_by = %s, claimed_until = %s FROM due "
    "WHERE d.key = due.key RETURNING " + ", ".join(f"d.{c}" for c in DELIVERY_COLUMNS)
)
# Keyed on the schema's name (the schema may not exist yet, so not current_schema()).
_MIGRATION_LOCK: LiteralString = (
    "SELECT pg_advisory_xact_lock(hashtext('procflow schema ' || "
    "coalesce(%s, current_schema(), '')))"
)
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def describe(conninfo: str) -> str:
    """``user@host:port/dbname`` for messages: where the store is, never the password."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error:
        return "(unparsable connection string)"
    user = str(params.get("user") or "")
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = str(params.get("port") or "5432")
    dbname = str(params.get("dbname") or user or "?")
    return f"{user + '@' if user else ''}{host}:{port}/{dbname}"


def _created(drow: DossierRow, erow: EventRow) -> tuple[LiteralString, tuple[object, ...]]:
    """The statement creating a dossier with its first event, and its parameters."""
    outbox = outbox_params(erow)
    if outbox is None:
        return _CREATE, (*drow, *erow[1:])
    return _CREATE_NOTIFYING, (*drow, *erow[1:], outbox[2], outbox[3])


def _appended(
    drow: DossierRow, erow: EventRow, expected_version: int, notifies: bool | None = None
) -> tuple[LiteralString, tuple[object, ...]]:
    """The statement appending an event, and its parameters."""
    base = (*drow[1:], drow[0], expected_version, *erow[1:])
    outbox = outbox_params(erow, notifies=notifies)
    if outbox is None:
        return _APPEND, base
    return _APPEND_NOTIFYING, (*base, outbox[2], outbox[3])


class PostgresStore(SQLOutbox, SQLReads):
    """The :class:`~procflow.store.base.Store` contract on a PostgreSQL database.

    ``conninfo`` is a libpq URL (``postgresql://user@host:5432/dbname``) or
    key/value string (``host=... dbname=...``). ``schema`` keeps procflow's
    tables in that schema instead of the user's default ``search_path``.
    With ``create`` (the default unless ``read_only``) a missing or empty
    schema is given procflow's tables; without it the schema must already
    hold them. ``read_only`` opens the store for reading only. ``pool_size``
    bounds the connections this store opens; ``timeout`` is how many seconds
    a call waits to connect or for a free connection before failing with a
    :class:`~procflow.errors.StoreError`.
    ``cache_size`` is how many of the states it wrote last the store keeps to
    act on again without reading and parsing them (:meth:`get_current`, after
    checking the row's version and hash); 0 turns it off.
    """

    _P = "%s"
    _STEP_DUE_SQL = f"(body::jsonb ->> 'step_due_at'), (body::jsonb ->> {ROW_STEP_DUE})"
    _SHARED_BY_THREADS = True

    CAPABILITIES = frozenset(
        {
            Capability.NUMBERED_RECEIPTS,
            Capability.REMEMBERED_STATES,
            Capability.ALERT_CLAIMS,
            Capability.EVENT_PAGES,
            Capability.COUNTS,
            Capability.BULK_IMPORT,
            Capability.RECORDS,
            Capability.LOG,
            Capability.OUTBOX,
            Capability.WORKLISTS,
        }
    )

    @property
    def _label(self) -> str:
        return f"PostgreSQL store {self.where}"

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str | None = None,
        pool_size: int = 4,
        timeout: float = 30.0,
        migrations: Sequence[Migration] | None = None,
        cache_size: int = 2048,
        read_only: bool = False,
        create: bool | None = None,
    ) -> None:
        self.where = describe(conninfo) + (f" (schema {schema})" if schema else "")
        self.schema = schema
        self.timeout = timeout
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self.read_only = read_only
        self.creates = not read_only if create is None else create
        if read_only and self.creates:
            raise StoreError(
                f"PostgreSQL store {self.where}: a read-only store cannot create a database "
                "(give read_only or create, not both)"
            )
        self._start_remembering(cache_size)
        if pool_size < 1:
            raise StoreError(f"PostgreSQL store {self.where}: pool_size must be at least 1")
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise StoreError(
                f"PostgreSQL store {self.where}: {schema!r} is not a plain schema name "
                "(letters, digits and _, not starting with a digit, at most 63)"
            )
        self._migrations = tuple(MIGRATIONS if migrations is None else migrations)
        check_migrations(self._migrations)
        kwargs: dict[str, Any] = {"autocommit": True}
        try:
            given = conninfo_to_dict(conninfo)
        except psycopg.Error as exc:
            raise self._error("read the connection string", exc) from exc
        if "application_name" not in given:
            # What operators see in pg_stat_activity.
            kwargs["application_name"] = "procflow"
        options = [str(given["options"])] if given.get("options") else []
        if schema is not None:
            options.append(f"-c search_path={schema}")
        if read_only:
            # Every transaction of every session read-only: the server refuses
            # writes, whatever a caller tries.
            options.append("-c default_transaction_read_only=on")
        if options:
            kwargs["options"] = " ".join(options)
        # One direct connection first: a wrong address or password fails here
        # with the server's own message, and the schema is brought up to date
        # before any pooled connection is handed out.
        try:
            conn = psycopg.connect(conninfo, connect_timeout=max(1, round(timeout)), **kwargs)
        except psycopg.Error as exc:
            raise self._error("connect", exc) from exc
        try:
            self._check_schema(conn)
            if not read_only:
                self._migrate(conn)
        finally:
            conn.close()
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs=kwargs,
            timeout=timeout,
            open=False,
            name=f"procflow {self.where}",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            self._pool.close()
            self._pool = None
            raise StoreError(
                f"PostgreSQL store {self.where}: could not open a connection pool within "
                f"{timeout:g} s"
            ) from exc

    # --- opening ---------------------------------------------------------------

    def _check_schema(self, conn: psycopg.Connection[Any]) -> None:
        """Refuse, with reads only, a schema this store must not open.

        Runs before :meth:`_migrate`, which would create the schema and its
        tables: that must happen only to a missing or empty schema, and only
        when creating.
        """
        try:
            name = self.schema
            if name is None:
                row = conn.execute("SELECT current_schema()").fetchone()
                name = None if row is None else row[0]
            exists = name is not None and bool(
                conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", (name,)
                ).fetchone()
                == (True,)
            )
            tables: list[str] = []
            if exists:
                tables = [
                    str(r[0])
                    for r in conn.execute(
                        "SELECT c.relname FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')",
                        (name,),
                    ).fetchall()
                ]
            version = 0
            if is_procflow(tables):
                row = conn.execute(
                    sql.SQL("SELECT MAX(version) FROM {}.schema_version").format(
                        sql.Identifier(str(name))
                    )
                ).fetchone()
                version = int(row[0] or 0) if row else 0
        except psycopg.Error as exc:
            raise self._error("look at the schema", exc) from exc
        unchanged = "nothing was created or changed"
        if not exists:
            if self.creates and name is not None:
                return
            if name is None:
                raise StoreError(
                    f"PostgreSQL store {self.where}: no schema of the search_path exists, so "
                    f"there is no procflow database here; give ?schema=NAME ({unchanged})"
                )
            raise StoreError(
                f"PostgreSQL store {self.where}: there is no schema {name!r} in this "
                "database, so no procflow database; check ?schema= for a typo (receiving "
                f"a first dossier, e.g. `procflow dossier receive`, creates it) ({unchanged})"
            )
        latest = latest_version(self._migrations)
        if is_procflow(tables):
            self._check_not_newer(version, latest)
            if self.read_only and version < latest:
                raise StoreError(
                    f"PostgreSQL store {self.where}: the database has schema version "
                    f"{version}, older than this release's {latest}, and cannot be upgraded "
                    "by a read-only store; open it once for writing (e.g. `procflow sweep`) "
                    f"to upgrade it ({unchanged})"
                )
            return
        if tables:
            raise StoreError(
                f"PostgreSQL store {self.where}: schema {name!r} is not a procflow database: "
                f"{foreign_tables(tables)}; keep procflow's tables in a schema of their own "
                f"with ?schema=NAME ({unchanged})"
            )
        if not self.creates:
            raise StoreError(
                f"PostgreSQL store {self.where}: schema {name!r} holds no tables, so no "
                f"procflow database; check the URL ({unchanged})"
            )

    @staticmethod
    def _stored_version(conn: psycopg.Connection[Any]) -> int:
        row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
        if row is None or not row[0]:
            return 0
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0) if row else 0

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        """Bring the schema up to this release's, or refuse a newer one.

        The version is read first without a lock, so opening an up-to-date
        database (the usual case) writes nothing. Otherwise every missing
        migration runs in one transaction holding an advisory lock on the
        schema's name, and the version is read again under it: processes
        opening a fresh database at once apply each migration once.
        """
        latest = latest_version(self._migrations)
        try:
            if self._check_not_newer(self._stored_version(conn), latest) == latest:
                return
            with conn.transaction():
                conn.execute(_MIGRATION_LOCK, (self.schema,))
                if self.schema is not None and self.creates:
                    conn.execute(
                        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                            sql.Identifier(self.schema)
                        )
                    )
                current = self._check_not_newer(self._stored_version(conn), latest)
                if current == 0 and not self.creates:
                    # Checked before; only a schema emptied since then gets here.
                    raise StoreError(
                        f"PostgreSQL store {self.where}: not a procflow database (no procflow "
                        "tables); nothing was created"
                    )
                conn.execute(SCHEMA_VERSION_DDL)
                applied_at = datetime.now(UTC).isoformat(timespec="seconds")
                for migration in self._migrations[current:]:
                    for statement in migration.statements(DIALECT):
                        # Migrations are fixed strings from schema.py, never user input.
                        conn.execute(statement.encode())
                    fill = migration.backfill
                    if fill is not None:
                        rows = conn.execute(fill.select.encode()).fetchall()
                        update = fill.update.replace("?", "%s").encode()
                        with conn.cursor() as cursor:
                            cursor.executemany(update, [fill.rewrite(tuple(r)) for r in rows])
                    conn.execute(
                        "INSERT INTO schema_version (version, description, applied_at) "
                        "VALUES (%s, %s, %s)",
                        (migration.version, migration.description, applied_at),
                    )
        except psycopg.Error as exc:
            raise self._error("upgrade the schema", exc) from exc

    def _check_not_newer(self, stored: int, latest: int) -> int:
        if stored > latest:
            raise StoreError(
                f"PostgreSQL store {self.where}: the database has schema version {stored}, "
                f"but this release of procflow knows only up to version {latest}; it was "
                "written by a newer procflow. Upgrade procflow to open it (it was not changed)."
            )
        return stored

    def schema_version(self) -> int:
        """The schema version the database is at (this release's latest, once opened)."""
        with self._connection("read the schema version") as conn:
            return self._stored_version(conn)

    # --- plumbing --------------------------------------------------------------

    def _error(self, what: str, exc: BaseException) -> StoreError:
        message = " ".join(str(exc).split()) or type(exc).__name__
        hint = ""
        if isinstance(exc, PoolTimeout):
            hint = (
                f" (no free connection within {self.timeout:g} s: raise pool_size, or "
                "fewer threads share this store)"
            )
        elif "Connection refused" in message and "Is the server running" not in message:
            hint = " (is the server running and accepting TCP connections there?)"
        elif "does not exist" in message and "database" in message:
            hint = " (create it first: createdb NAME)"
        return StoreError(f"PostgreSQL store {self.where}: {what} failed: {message}{hint}")

    def _fail(self, what: str, exc: BaseException) -> NoReturn:
        raise self._error(what, exc) from exc

    class _Borrow:
        """``with store._connection(what) as conn``: a pooled connection, errors mapped."""

        __slots__ = ("_cm", "_store", "_what")

        def __init__(self, store: PostgresStore, what: str) -> None:
            self._store, self._what = store, what
            pool = store._pool
            if pool is None:
                raise StoreError(f"PostgreSQL store {store.where} is closed")
            self._cm = pool.connection()

        def __enter__(self) -> psycopg.Connection[Any]:
            try:
                return self._cm.__enter__()
            except (psycopg.Error, PoolTimeout) as exc:
                self._store._fail(self._what, exc)

        def __exit__(
            self,
            exc_type: type[BaseException] | None,
            exc: BaseException | None,
            tb: TracebackType | None,
        ) -> None:
            # The pool rolls back anything left open and drops a broken connection.
            try:
                self._cm.__exit__(exc_type, exc, tb)
            except psycopg.Error as close_exc:
                if exc is None:
                    self._store._fail(self._what, close_exc)
            if isinstance(exc, psycopg.Error):
                self._store._fail(self._what, exc)

    def _connection(self, what: str) -> PostgresStore._Borrow:
        return PostgresStore._Borrow(self, what)

    def _write_many(self, what: str, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._check_writable(what)
        with self._connection(what) as conn, conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _read(self, what: str, query: LiteralString, params: Sequence[object] = ()) -> list[Any]:
        with self._connection(what) as conn:
            return conn.execute(query, params).fetchall()

    # --- Store -----------------------------------------------------------------

    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        """Store a new dossier and its first event; ConflictError if the code exists."""
        self._check_writable(f"create dossier {dossier.code}")
        check_write(dossier, event, None)
        drow, erow = dossier_row(dossier, next_alert_at), event_row(event)
        with self._connection(f"create dossier {dossier.code}") as conn:
            cursor = conn.execute(*_created(drow, erow))
            if cursor.rowcount != 1:
                raise ConflictError(f"dossier {dossier.code} already exists")
        self._remember(dossier)

    def _insert_numbered(
        self, scope: str, rows_for: Callable[[int], NumberedRows[T, U]], attempts: int = 5
    ) -> tuple[T, U]:
        """The transaction of :meth:`create_numbered`: ``rows_for(number)`` gives
        the rows to insert and what to return once they are committed."""
        # The connections run in autocommit mode: this one needs a transaction.
        what = f"receive a dossier numbered in {scope!r}"
        self._check_writable(what)
        with self._connection(what) as conn, conn.transaction():
            for _ in range(attempts):
                row = conn.execute(_NEXT_SEQUENCE, (scope,)).fetchone()
                assert row is not None  # the upsert always returns the value
                drow, erow, made = rows_for(int(row[0]))
                if conn.execute(*_created(drow, erow)).rowcount == 1:
                    return made
            raise numbering_failed(scope, attempts)

    def create_many(self, items: Iterable[tuple[Dossier, Event, datetime | None]]) -> int:
        """Store many new dossiers in one transaction (imports, the simulator), by COPY.

        All or nothing: if any code already exists (or repeats in ``items``),
        ConflictError is raised and none is stored. Returns how many were stored.
        """
        drows, erows = new_dossier_rows(items)
        return self._copy(drows, erows, "create", "stored")

    def import_dossiers(self, items: Iterable[tuple[Dossier, Sequence[Event]]]) -> int:
        """Store whole dossiers with their complete event logs in one transaction, by COPY.

        For the simulator and for moving data between stores: each log must
        end at the dossier's version and hash. All or nothing; returns how
        many dossiers were stored (as ``SQLiteStore.import_dossiers``).
        """
        drows, erows = imported_dossier_rows(items)
        return self._copy(drows, erows, "import", "imported")

    def _copy(self, drows: list[DossierRow], erows: list[EventRow], verb: str, done: str) -> int:
        """COPY dossier rows, then event rows, in one transaction; a taken code is a conflict."""
        self._check_writable(f"{verb} {len(drows)} dossiers")
        if not drows:
            return 0
        with self._connection(f"{verb} {len(drows)} dossiers") as conn:
            try:
                with conn.transaction(), conn.cursor() as cursor:
                    with cursor.copy(f"COPY dossiers ({_DCOLS}) FROM STDIN") as copy:
                        for drow in drows:
                            copy.write_row(drow)
                    with cursor.copy(f"COPY events ({_ECOLS}) FROM STDIN") as copy:
                        for erow in erows:
                            copy.write_row(erow)
                    # Their places in the log, after every event already there.
                    cursor.execute(
                        "UPDATE log_head SET size = size + %s RETURNING size - %s",
                        (len(erows), len(erows)),
                    )
                    first = int(cursor.fetchone()[0])  # type: ignore[index]
                    with cursor.copy("COPY log (position, code, seq, hash) FROM STDIN") as copy:
                        for i, erow in enumerate(erows):
                            copy.write_row((first + i, erow[0], erow[1], erow[7]))
            except pg_errors.UniqueViolation as exc:
                raise ConflictError(
                    f"one of the {len(drows)} dossiers already exists (nothing {done}): "
                    f"{exc.diag.message_detail or exc}"
                ) from exc
        return len(drows)

    def _write_append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        """The statement of :meth:`append` (the remembering is the caller's)."""
        check_write(dossier, event, expected_version)
        drow, erow = dossier_row(dossier, next_alert_at), event_row(event)
        self._write_rows(drow, erow, expected_version)

    def _write_rows(
        self,
        drow: DossierRow,
        erow: EventRow,
        expected_version: int,
        *,
        notifies: bool | None = None,
    ) -> None:
        """The version-checked row update and the event insert, in one statement."""
        code = drow[0]
        what = f"append event {erow[1]} to dossier {code}"
        self._check_writable(what)
        with self._connection(what) as conn:
            cursor = conn.execute(*_appended(drow, erow, expected_version, notifies))
            stored = cursor.rowcount == 1
            row = None
            if not stored:
                row = conn.execute(
                    "SELECT version FROM dossiers WHERE code = %s", (code,)
                ).fetchone()
        if stored:  # committed: the connections run in autocommit mode
            return
        if row is None:
            raise ConflictError(f"dossier {code} is not stored")
        raise ConflictError(
            f"dossier {code} changed since it was read (expected version "
            f"{expected_version}, stored version {row[0]}); read it again and retry"
        )

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        """Open dossiers whose next warning or deadline is at or before ``now``,
        soonest first. A plain read: see :meth:`claim_for_alert` to share the
        work among several sweepers."""
        rows = self._read(
            "list dossiers due for an alert", _DUE, (Status.OPEN.value, utc_key(now), limit)
        )
        return [code for (code,) in rows]

    def claim_for_alert(
        self, now: datetime, limit: int = 1000, *, lease: timedelta = timedelta(minutes=1)
    ) -> list[str]:
        """Like :meth:`due_for_alert`, but each due dossier goes to one caller only.

        The returned dossiers are claimed for ``lease`` (server wall-clock
        time): other callers skip them (rows another caller is claiming right
        now are skipped too, ``FOR UPDATE SKIP LOCKED``). The next ``append``
        to a dossier releases its claim; a claim whose sweeper died expires
        after the lease, and the dossier is due again. Soonest first.
        """
        self._check_writable("claim dossiers due for an alert")
        rows = self._read(
            "claim dossiers due for an alert",
            _CLAIM,
            (Status.OPEN.value, utc_key(now), limit, lease),
        )
        rows.sort(key=lambda row: (row[1], row[0]))
        return [code for code, _ in rows]

    def next_sequence(self, scope: str) -> int:
        """The next number in ``scope`` (1, 2, ...), atomic across processes."""
        what = f"take the next number of sequence {scope!r}"
        self._check_writable(what)
        rows = self._read(what, _NEXT_SEQUENCE, (scope,))
        return int(rows[0][0])

    # --- the outbox (procflow.store.outbox) -----------------------------------------

    def _writes(self, what: str, statements: Sequence[Statement]) -> list[int]:
        self._check_writable(what)
        with self._connection(what) as conn, conn.transaction():
            # The statements are procflow's own (procflow.store.outbox), never user input.
            return [conn.execute(q.encode(), params).rowcount for q, params in statements]

    def outbox_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[OutboxItem]:
        """Outbox items not fanned out yet, oldest first, claimed for ``lease``
        in one statement; rows another dispatcher is claiming are skipped
        (``FOR UPDATE SKIP LOCKED``), not waited for."""
        self._check_writable("claim outbox items")
        until = lease_end(now, lease)
        rows = self._read("claim outbox items", _CLAIM_OUTBOX, (utc_key(now), limit, worker, until))
        rows.sort(key=lambda r: (r[3], r[0], r[1]))
        return [outbox_from_row(r) for r in rows]

    def delivery_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[Delivery]:
        """Pending deliveries due at ``now``, soonest first, claimed for ``lease``
        (``FOR UPDATE SKIP LOCKED``, as :meth:`outbox_claim`)."""
        self._check_writable("claim deliveries")
        until, at = lease_end(now, lease), utc_key(now)
        rows = self._read("claim deliveries", _CLAIM_DELIVERIES, (at, at, limit, worker, until))
        rows.sort(key=lambda r: (r[9], r[0]))
        return [delivery_from_row(r) for r in rows]

    # --- for verify, reports and tools ----------------------------------------------

    def iter_events(self, code: str | None = None) -> Iterator[Event]:
        """Every event (or one dossier's) in (code, seq) order, page by page."""
        where = f"PostgreSQL store {self.where}"
        after: tuple[Any, ...] | None = None
        while True:
            query: LiteralString
            if code is not None:
                query = f"{SELECT_EVENTS} WHERE code = %s AND seq > %s ORDER BY seq LIMIT %s"
                params: tuple[object, ...] = (code, after[1] if after else 0, PAGE_SIZE)
            elif after is None:
                query = f"{SELECT_EVENTS} ORDER BY code, seq LIMIT %s"
                params = (PAGE_SIZE,)
            else:
                query = f"{SELECT_EVENTS} WHERE (code, seq) > (%s, %s) ORDER BY code, seq LIMIT %s"
                params = (*after, PAGE_SIZE)
            rows = self._read("read events", query, params)
            for row in rows:
                yield event_from_row(row, where)
            if len(rows) < PAGE_SIZE:
                return
            after = (rows[-1][0], rows[-1][1])

    def count(self, *, open_only: bool = False) -> int:
        """How many dossiers are stored (or open)."""
        if open_only:
            rows = self._read(
                "count dossiers",
                "SELECT COUNT(*) FROM dossiers WHERE status = %s",
                (Status.OPEN.value,),
            )
        else:
            rows = self._read("count dossiers", "SELECT COUNT(*) FROM dossiers")
        return int(rows[0][0])

    def close(self) -> None:
        """Close the pool and its connections; closing twice is harmless."""
        pool, self._pool = self._pool, None
        self._forget_all()
        if pool is not None:
            pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self.where!r})"
