"""The default durable store: one SQLite file, embedded, no server.

Guarantees, and how they are kept:

* **Atomic transitions.** :meth:`SQLiteStore.create` and
  :meth:`SQLiteStore.append` each run in one ``BEGIN IMMEDIATE`` transaction
  that writes the event row and the dossier row together. Any failure rolls
  the whole transaction back, so a dossier is never half written.
* **Acknowledged means durable.** The file runs in WAL mode with
  ``synchronous=FULL``: the WAL is synced at every commit, so a transition
  whose call returned survives a killed process or a power cut.
* **No lost update.** ``append`` updates the dossier row only ``WHERE code =
  ? AND version = ?``; when another writer (thread, process) got there first
  nothing matches, the transaction is rolled back and
  :class:`~procflow.errors.ConflictError` is raised.
* **Append-only log.** Triggers refuse ``UPDATE`` and ``DELETE`` on
  ``events``. Whoever drops them can still edit the file; the hash chain
  (:func:`procflow.model.events.verify_chain`) is what detects that.
* **Notifications with their events.** Every event that notifies someone
  (:func:`~procflow.model.outbox.enters_outbox`) gets its outbox row in the
  transaction that writes it; dispatchers claim outbox rows and deliveries
  inside ``BEGIN IMMEDIATE`` transactions, with a lease
  (:mod:`procflow.store.outbox`).
* **Bounded memory.** Listing codes and streaming events page through the
  tables by key (:meth:`codes`, :meth:`iter_events`), so nothing grows with
  the number of stored dossiers and no read holds a snapshot open while the
  caller writes.

Opening, and what is never touched (see :data:`~procflow.store.base.StoreMode`):

* The file is inspected before anything else happens to it: its first bytes
  must be SQLite's header, and a plain ``mode=ro`` connection (an
  ``immutable`` one while no other connection has the file open, which is
  checked before and after, so that no ``-wal``/``-shm`` appears next to a
  file that had none) lists its tables. Another application's database, a
  newer procflow's, a file that is not SQLite, and (unless creating) an
  empty or missing file are refused with a StoreError and left exactly as
  they were: only then does a writable store switch the file to WAL or
  create tables.
* A read-only store (``read_only=True``) reads through a ``mode=ro``
  connection with ``query_only`` on, and refuses every write call. A WAL file
  is read through its ``-shm``, which SQLite creates when missing; the store
  removes the empty ``-wal`` and the ``-shm`` it caused when it closes, the
  way SQLite removes them when the last connection closes.
* A new database file is created ``0600`` (owner only: it holds applicants'
  names and ID numbers); SQLite gives its ``-wal``, ``-shm`` and
  ``-journal`` the main file's permissions. An existing file's mode is never
  changed.

Threads and processes: a store object owns one connection and must be used
by the thread that created it (sqlite3's ``check_same_thread`` is left on, so
misuse is an error, not silent corruption). Open one store per thread or per
process, and open it after ``fork``, never before; SQLite's locking and the
version check make any number of them safe together on one file (on a local
file system: WAL needs shared memory, so not over NFS).
"""

from __future__ import annotations

import functools
import operator
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import quote, urlencode

from procflow.errors import ConflictError, StoreError
from procflow.model.dossier import Dossier, Status
from procflow.model.events import Event
from procflow.model.outbox import Delivery, OutboxItem
from procflow.model.record import ROW_STEP_DUE, Record
from procflow.store.base import Capability, Store
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

DIALECT = "sqlite"

_INSERT_DOSSIER = (
    f"INSERT INTO dossiers ({', '.join(DOSSIER_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in DOSSIER_COLUMNS)})"
)
# Only what a transition can change: leaving out the fixed, indexed columns
# (procedure_id, received_at) spares SQLite their index upkeep on every write.
_FIXED_COLUMNS = frozenset({"code", "procedure_id", "desk_agency", "received_at"})
_CHANGING = [i for i, c in enumerate(DOSSIER_COLUMNS) if c not in _FIXED_COLUMNS]
_changing = operator.itemgetter(*_CHANGING)
_UPDATE_DOSSIER = (
    "UPDATE dossiers SET "
    + ", ".join(f"{DOSSIER_COLUMNS[i]} = ?" for i in _CHANGING)
    + " WHERE code = ? AND version = ?"
)
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
)
# The event's place in the log: the next position, in the same transaction
# (BEGIN IMMEDIATE serialises writers, so positions have no gaps).
_INSERT_LOG = (
    "INSERT INTO log (position, code, seq, hash) "
    "SELECT COALESCE(MAX(position) + 1, 0), ?, ?, ? FROM log"
)
# UPSERT then SELECT inside one BEGIN IMMEDIATE transaction: atomic because the
# write lock is held throughout, and it needs SQLite 3.24, not 3.35 (RETURNING).
_BUMP_SEQUENCE = (
    "INSERT INTO sequences (scope, value) VALUES (?, 1) "
    "ON CONFLICT (scope) DO UPDATE SET value = sequences.value + 1"
)
_INSERT_NEW_DOSSIER = _INSERT_DOSSIER + " ON CONFLICT (code) DO NOTHING"
_SEQUENCE_VALUE = "SELECT value FROM sequences WHERE scope = ?"
_INSERT_OUTBOX = "INSERT INTO outbox (code, seq, type, at) VALUES (?, ?, ?, ?)"
_CLAIMABLE_OUTBOX = (
    "SELECT code, seq, type, at FROM outbox WHERE done_at IS NULL "
    "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY at, code, seq LIMIT ?"
)
_CLAIM_OUTBOX = "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE code = ? AND seq = ?"
_CLAIMABLE_DELIVERIES = (
    f"SELECT {', '.join(DELIVERY_COLUMNS)} FROM deliveries WHERE status = 'pending' "
    "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
    "ORDER BY next_attempt_at, key LIMIT ?"
)
_CLAIM_DELIVERY = "UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE key = ?"
MIN_SQLITE = (3, 25, 0)
"""Window functions (3.25, numbering the log of an older database), UPSERT
(3.24) and row values (3.15) are the newest SQLite features used."""

NEW_FILE_MODE = 0o600
"""Permissions of a database file the store creates: owner only, whatever the
umask, since dossiers hold applicants' names and ID numbers. SQLite gives the
``-wal``, ``-shm`` and ``-journal`` it creates the main file's permissions."""

_HEADER = b"SQLite format 3\x00"
_HEADER_SIZE = 100


@dataclass(frozen=True, slots=True)
class _Found:
    """What an existing file holds, found before the store touches it."""

    kind: Literal["empty", "blank", "procflow", "foreign"]
    """``empty``: 0 bytes; ``blank``: an SQLite database with no tables;
    ``procflow``: procflow's tables; ``foreign``: tables, not procflow's."""
    tables: tuple[str, ...] = ()
    version: int = 0


def _uri(path: str, **params: str) -> str:
    """An SQLite ``file:`` URI for ``path`` (made absolute, ``?``/``#``/``%`` quoted)."""
    return f"file:{quote(os.path.abspath(path))}?{urlencode(params)}"


def _stamp(path: str) -> tuple[int, int, int] | None:
    """Identity, size and modification time: equal before and after a read
    means no one wrote the file meanwhile."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _on_read_only_file_system(path: str) -> bool:
    """Whether ``path``'s folder is on a file system mounted read-only (a
    backup disc, a read-only bind mount): there nobody can write the file,
    so reading it as immutable, without locks or ``-shm``, is safe."""
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:  # pragma: no cover - Windows
        return False
    try:
        return bool(statvfs(os.path.dirname(os.path.abspath(path))).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _write_outbox(conn: sqlite3.Connection, erow: EventRow, notifies: bool | None = None) -> None:
    """The event's outbox row, in the transaction writing the event, if it notifies."""
    params = outbox_params(erow, notifies=notifies)
    if params is not None:
        conn.execute(_INSERT_OUTBOX, params)


class SQLiteStore(SQLOutbox, SQLReads):
    """The :class:`~procflow.store.base.Store` contract on one SQLite file.

    ``path`` is the database file or ``":memory:"`` for a throwaway database
    (``create`` only). With ``create`` (the default unless ``read_only``) a
    missing file is created ``0600`` and an empty one given procflow's
    tables; without it the file must already be a procflow database.
    ``read_only`` opens it for reading only: nothing is written to the file
    and write calls raise StoreError. Whatever the flags, a file that is not
    procflow's (another application's, a newer procflow's, not SQLite) is
    refused and left as it was. ``timeout`` is how many seconds a writer
    waits for another process's write lock before giving up with a
    :class:`~procflow.errors.StoreError`. ``cache_size`` is how many of the
    states it wrote last the store keeps to act on again without parsing
    them (:meth:`get_current`); a few thousand dossiers in flight at a desk
    cost a few tens of MB, and memory stays flat past it. 0 turns it off.

    Every ``sqlite3`` error is turned into a ``StoreError`` that names the
    operation and the file. Use the store as a context manager, or call
    :meth:`close`.
    """

    _P = "?"
    _SHARD = "rowid % {p} = {p}"
    _STEP_DUE_SQL = f"json_extract(body, '$.step_due_at'), json_extract(body, '$[{ROW_STEP_DUE}]')"

    @property
    def _label(self) -> str:
        return f"SQLite store {self.path}"

    CAPABILITIES = frozenset(
        {
            Capability.NUMBERED_RECEIPTS,
            Capability.REMEMBERED_STATES,
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
    def capabilities(self) -> frozenset[Capability]:
        if self.path == ":memory:":
            return self.CAPABILITIES
        return self.CAPABILITIES | {Capability.PARALLEL_SCANS}

    def reader_factory(self) -> Callable[[], Store] | None:
        if self.path == ":memory:":
            return None
        return functools.partial(SQLiteStore, self.path, read_only=True)

    def __init__(
        self,
        path: str | Path,
        *,
        timeout: float = 30.0,
        migrations: Sequence[Migration] | None = None,
        cache_size: int = 2048,
        read_only: bool = False,
        create: bool | None = None,
    ) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None
        self._tidy_sidecars = False
        self.read_only = read_only
        self.creates = not read_only if create is None else create
        if read_only and self.creates:
            raise StoreError(
                f"SQLite store {self.path}: a read-only store cannot create a database "
                "(give read_only or create, not both)"
            )
        self._start_remembering(cache_size)
        self._data_version: int | None = None
        # ``migrations`` is for tests and tools that need an older or newer
        # schema; everyone else gets this release's list.
        self._migrations = tuple(MIGRATIONS if migrations is None else migrations)
        check_migrations(self._migrations)
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StoreError(
                f"SQLite store {self.path}: this Python uses SQLite {sqlite3.sqlite_version}; "
                f"procflow needs {'.'.join(map(str, MIN_SQLITE))} or newer"
            )
        if self.path == ":memory:":
            if not self.creates:
                raise StoreError(
                    "SQLite store :memory: is a new, empty database each time: there is "
                    "nothing in it to read or change (open it with create=True)"
                )
        else:
            self._check_file()
        if read_only:
            self._conn = self._connect_read_only()
            return
        try:
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error("open", exc) from exc
        self._conn = conn
        try:
            self._configure(conn)
            self._migrate(conn)
            # Where other connections' commits are counted from: a state this
            # store commits from now on is acted on from memory until one
            # comes (without it, the first check forgot every state
            # remembered since opening).
            self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]
        except BaseException:
            conn.close()
            self._conn = None
            raise

    # --- checking the file before touching it ------------------------------------

    def _check_file(self) -> None:
        """Refuse, without changing it, whatever this store must not open.

        Runs before any connection that could write: a write-mode connection
        switches the file to WAL and may create tables, which must happen
        only to a procflow database (or, when creating, to a new one).
        """
        path = Path(self.path)
        if path.is_dir():
            raise StoreError(
                f"SQLite store {path} is a folder, not a procflow database; give the path "
                "of the database file, e.g. desk.db"
            )
        if not path.exists():
            if not self.creates:
                raise StoreError(
                    f"SQLite store {path}: no such procflow database; check the path "
                    "(receiving a first dossier, e.g. `procflow dossier receive`, creates one)"
                )
            self._create_file()
        found = self._inspect()
        latest = latest_version(self._migrations)
        unchanged = "check the path (the file was not changed)"
        if found.kind == "procflow":
            self._check_not_newer(found.version, latest)
            if self.read_only and found.version < latest:
                raise StoreError(
                    f"SQLite store {path}: the database has schema version {found.version}, "
                    f"older than this release's {latest}, and cannot be upgraded by a "
                    "read-only store; open it once for writing (e.g. `procflow sweep`) to "
                    "upgrade it (it was not changed)"
                )
        elif found.kind == "foreign":
            raise StoreError(
                f"SQLite store {path}: not a procflow database: "
                f"{foreign_tables(found.tables)}; {unchanged}"
            )
        elif not self.creates:
            what = (
                "the file is empty (0 bytes)"
                if found.kind == "empty"
                else "an SQLite database with no tables"
            )
            raise StoreError(f"SQLite store {path}: {what}, not a procflow database; {unchanged}")

    def _create_file(self) -> None:
        """Create the missing database file ``0600`` before SQLite opens it.

        SQLite would create it with the umask's permissions (usually 0644,
        world-readable); it then gives the -wal, -shm and -journal it
        creates the permissions of this file. ``O_EXCL``: a file another
        process created meanwhile is left to be inspected like any other.
        """
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, NEW_FILE_MODE)
        except FileExistsError:
            return
        except OSError as exc:
            raise StoreError(
                f"SQLite store {self.path}: open failed: cannot create the file: "
                f"{exc.strerror or exc} (check that the directory exists and is writable)"
            ) from exc
        os.close(fd)

    def _inspect(self) -> _Found:
        """What the existing file holds, read without changing it in any way.

        The header is read as bytes first, so a file that is not SQLite never
        reaches SQLite. Then the tables are listed through a ``mode=ro``
        connection. On a WAL file that has no ``-wal``, no connection has it
        open, and ``mode=ro`` would create a ``-wal`` and ``-shm`` next to it
        and leave them there: that read is done ``immutable=1`` (no sidecar,
        no lock) instead, and trusted only if the file's identity, size and
        modification time are the same afterwards and no ``-wal`` appeared,
        i.e. no writer came in meanwhile; else it is read again.
        """
        try:
            with open(self.path, "rb") as file:
                header = file.read(_HEADER_SIZE)
        except OSError as exc:
            raise StoreError(
                f"SQLite store {self.path}: open failed: {exc.strerror or exc}"
            ) from exc
        if not header and not os.path.exists(self.path + "-wal"):
            return _Found("empty")
        if header and (len(header) < _HEADER_SIZE or not header.startswith(_HEADER)):
            raise StoreError(
                f"SQLite store {self.path}: not an SQLite database (the file does not "
                "start with SQLite's header), so not a procflow database; check the path "
                "(the file was not changed)"
            )
        wal = len(header) == _HEADER_SIZE and 2 in (header[18], header[19])
        for _ in range(2):
            quiet = wal and not os.path.exists(self.path + "-wal")
            before = _stamp(self.path)
            try:
                found = self._list_tables(immutable=quiet)
            except StoreError:
                if quiet and self._undisturbed(before):
                    raise
                continue
            if not quiet or self._undisturbed(before):
                return found
        # A writer is at work: its -wal and -shm exist, and mode=ro adds none.
        return self._list_tables(immutable=False)

    def _undisturbed(self, before: tuple[int, int, int] | None) -> bool:
        return _stamp(self.path) == before and not os.path.exists(self.path + "-wal")

    def _list_tables(self, *, immutable: bool) -> _Found:
        params = {"mode": "ro", **({"immutable": "1"} if immutable else {})}
        try:
            conn = sqlite3.connect(
                _uri(self.path, **params), uri=True, timeout=self.timeout, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise self._error("open", exc) from exc
        try:
            rows = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
            if not rows:
                return _Found("blank")
            tables = tuple(sorted(str(name) for kind, name in rows if kind == "table"))
            if not is_procflow(tables):
                return _Found("foreign", tables or tuple(sorted(str(r[1]) for r in rows)))
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            return _Found("procflow", tables, int(version or 0))
        except sqlite3.Error as exc:
            raise self._error("read the list of tables", exc) from exc
        finally:
            conn.close()

    def _connect_read_only(self) -> sqlite3.Connection:
        """A ``mode=ro``, ``query_only`` connection to the checked file.

        A WAL file is read through its ``-shm``: SQLite creates it (and an
        empty ``-wal``) when they are missing, if the folder is writable.
        Those the store caused are removed at :meth:`close`. Where they cannot
        be created because the file system is mounted read-only, nobody can
        write the file either, and ``immutable=1`` is then safe and is used.
        """
        wal, shm = self.path + "-wal", self.path + "-shm"
        absent = not os.path.exists(wal) and not os.path.exists(shm)
        try:
            conn = self._open_read_only(immutable=False)
        except StoreError:
            if not (_on_read_only_file_system(self.path) and not os.path.exists(wal)):
                raise
            conn = self._open_read_only(immutable=True)
        self._tidy_sidecars = absent and (os.path.exists(wal) or os.path.exists(shm))
        return conn

    def _open_read_only(self, *, immutable: bool) -> sqlite3.Connection:
        params = {"mode": "ro", **({"immutable": "1"} if immutable else {})}
        try:
            conn = sqlite3.connect(
                _uri(self.path, **params), uri=True, timeout=self.timeout, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise self._error("open for reading", exc) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA query_only = ON")
            # The first read opens the WAL: a missing -shm fails here, not later.
            self._stored_version(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise self._error("open for reading", exc) from exc
        return conn

    def _remove_sidecars(self) -> None:
        """Remove the empty ``-wal`` and the ``-shm`` a read-only open caused.

        Deleting them directly could pull them from under a writer that
        opened the file meanwhile; so a plain connection is opened and closed
        instead, and SQLite removes them only if it is the last connection
        (its usual close). With the ``-wal`` empty (no writer wrote a frame),
        that close has nothing to copy into the database file, which stays
        byte for byte as it was. ``mode=rw`` never creates a missing file.
        """
        try:
            if os.path.getsize(self.path + "-wal") != 0:
                return
        except OSError:
            return
        with suppress(sqlite3.Error):
            conn = sqlite3.connect(
                _uri(self.path, mode="rw"),
                uri=True,
                timeout=min(self.timeout, 1.0),
                isolation_level=None,
            )
            try:
                conn.execute("PRAGMA query_only = ON")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()

    # --- opening ---------------------------------------------------------------

    def _configure(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            # FULL: in WAL mode, NORMAL may lose the last commits on power loss.
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            raise self._error("configure", exc) from exc
        if mode.lower() != "wal" and self.path != ":memory:":
            raise StoreError(
                f"SQLite store {self.path}: cannot switch the file to WAL journal mode "
                f"(it stays {mode!r}); WAL needs a local file system with shared memory"
            )

    def _stored_version(self, conn: sqlite3.Connection) -> int:
        try:
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return 0
            raise
        return int(row[0] or 0)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the file's schema up to this release's, or refuse a newer one.

        The version is read first without a write lock, so opening an
        up-to-date database (the usual case) writes nothing. Otherwise every
        missing migration runs in one ``BEGIN IMMEDIATE`` transaction, and the
        version is read again inside it: two processes opening a new file at
        once cannot both apply a migration.
        """
        latest = latest_version(self._migrations)
        try:
            if self._check_not_newer(self._stored_version(conn), latest) == latest:
                return
            with self._transaction("upgrade the schema"):
                current = self._check_not_newer(self._stored_version(conn), latest)
                if current == 0 and not self.creates:
                    # Checked before opening; only a file replaced since then gets here.
                    raise StoreError(
                        f"SQLite store {self.path}: not a procflow database (it has no "
                        "procflow tables); nothing was created"
                    )
                conn.execute(SCHEMA_VERSION_DDL)
                applied_at = datetime.now(UTC).isoformat(timespec="seconds")
                for migration in self._migrations[current:]:
                    for statement in migration.statements(DIALECT):
                        conn.execute(statement)
                    fill = migration.backfill
                    if fill is not None:
                        rows = conn.execute(fill.select).fetchall()
                        conn.executemany(fill.update, [fill.rewrite(tuple(r)) for r in rows])
                    conn.execute(
                        "INSERT INTO schema_version (version, description, applied_at) "
                        "VALUES (?, ?, ?)",
                        (migration.version, migration.description, applied_at),
                    )
        except sqlite3.Error as exc:
            raise self._error("read the schema version", exc) from exc

    def _check_not_newer(self, stored: int, latest: int) -> int:
        if stored > latest:
            raise StoreError(
                f"SQLite store {self.path}: the database has schema version {stored}, but "
                f"this release of procflow knows only up to version {latest}; it was written "
                "by a newer procflow. Upgrade procflow to open it (it was not changed)."
            )
        return stored

    def schema_version(self) -> int:
        """The schema version the file is at (this release's latest, once opened)."""
        try:
            return self._stored_version(self._connection())
        except sqlite3.Error as exc:
            raise self._error("read the schema version", exc) from exc

    def _checked(self, code: str) -> Record | None:
        """The remembered record of ``code``, if no other connection has
        committed since this store last looked (``PRAGMA data_version``: one
        counter read instead of a row read); when one has, every remembered
        record is let go and the row is read again."""
        if self._written.get(code) is None:
            return None
        try:
            seen = self._connection().execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise self._error(f"read dossier {code}", exc) from exc
        if seen == self._data_version:
            return self._written.get(code)
        # Another connection wrote: any remembered record may be stale.
        self._data_version = seen
        self._forget_all()
        return None

    # --- plumbing --------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"SQLite store {self.path} is closed")
        return self._conn

    def _error(self, what: str, exc: BaseException) -> StoreError:
        message = str(exc)
        hint = ""
        if "locked" in message or "busy" in message:
            hint = (
                f" (another connection held the write lock for longer than the "
                f"{self.timeout:g} s timeout)"
            )
        elif "unable to open" in message and what == "open for reading":
            hint = (
                " (a WAL database is read through its -shm file, which SQLite could not "
                "create next to it: let this user write to the folder, or read a copy)"
            )
        elif "unable to open" in message:
            hint = " (check that the directory exists and is writable)"
        elif "not a database" in message:
            hint = " (the file is not an SQLite database)"
        elif "thread" in message:
            hint = " (a store object belongs to the thread that opened it; open one per thread)"
        return StoreError(f"SQLite store {self.path}: {what} failed: {message}{hint}")

    @contextmanager
    def _transaction(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed if the block returns, else rolled back.

        ``BEGIN IMMEDIATE`` takes the write lock up front (waiting up to
        ``timeout`` for it), so a transaction never fails half-way because
        another writer slipped in. Exceptions other than sqlite3's (such as
        ConflictError) pass through unchanged after the rollback.
        """
        conn = self._begin(what)
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            self._abort(conn, what, exc)
            raise

    def _begin(self, what: str) -> sqlite3.Connection:
        """``BEGIN IMMEDIATE`` on a writable store: :meth:`_transaction`'s start."""
        self._check_writable(what)
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(what, exc) from exc
        return conn

    def _abort(self, conn: sqlite3.Connection, what: str, exc: BaseException) -> None:
        """Roll back after ``exc``; raise it as a StoreError if it is sqlite3's
        (the caller re-raises anything else as it is)."""
        if conn.in_transaction:
            # SQLite may already have rolled back (e.g. after an I/O error).
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise self._error(what, exc) from exc

    def _write_many(self, what: str, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._transaction(what) as conn:
            conn.executemany(sql, rows)

    def _read(self, what: str, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            return self._connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(what, exc) from exc

    # --- Store -----------------------------------------------------------------

    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        """Store a new dossier and its first event; ConflictError if the code exists."""
        check_write(dossier, event, None)
        drow, erow = dossier_row(dossier, next_alert_at), event_row(event)
        with self._transaction(f"create dossier {dossier.code}") as conn:
            try:
                conn.execute(_INSERT_DOSSIER, drow)
            except sqlite3.IntegrityError as exc:
                raise ConflictError(f"dossier {dossier.code} already exists") from exc
            conn.execute(_INSERT_EVENT, erow)
            conn.execute(_INSERT_LOG, (erow[0], erow[1], erow[7]))
            _write_outbox(conn, erow)
        self._remember(dossier)

    def _insert_numbered(
        self, scope: str, rows_for: Callable[[int], NumberedRows[T, U]], attempts: int = 5
    ) -> tuple[T, U]:
        """The transaction of :meth:`create_numbered`: ``rows_for(number)`` gives
        the rows to insert and what to return once they are committed."""
        with self._transaction(f"receive a dossier numbered in {scope!r}") as conn:
            for _ in range(attempts):
                conn.execute(_BUMP_SEQUENCE, (scope,))
                number = int(conn.execute(_SEQUENCE_VALUE, (scope,)).fetchone()[0])
                drow, erow, made = rows_for(number)
                if conn.execute(_INSERT_NEW_DOSSIER, drow).rowcount == 1:
                    conn.execute(_INSERT_EVENT, erow)
                    conn.execute(_INSERT_LOG, (erow[0], erow[1], erow[7]))
                    _write_outbox(conn, erow)
                    return made
            raise numbering_failed(scope, attempts)

    def create_many(self, items: Iterable[tuple[Dossier, Event, datetime | None]]) -> int:
        """Store many new dossiers in one transaction (imports, the simulator).

        All or nothing: if any code already exists (or repeats in ``items``),
        ConflictError is raised and none is stored. Returns how many were stored.
        """
        drows, erows = new_dossier_rows(items)
        return self._insert(drows, erows, "create", "stored")

    def import_dossiers(self, items: Iterable[tuple[Dossier, Sequence[Event]]]) -> int:
        """Store whole dossiers with their complete event logs in one transaction.

        For the simulator and for moving data between stores: every log must
        chain from the first event and end at the dossier's version and hash.
        All or nothing; returns how many dossiers were stored.
        """
        drows, erows = imported_dossier_rows(items)
        return self._insert(drows, erows, "import", "imported")

    def _insert(self, drows: list[DossierRow], erows: list[EventRow], verb: str, done: str) -> int:
        """Dossier rows, then event rows, in one transaction; a taken code is a conflict."""
        with self._transaction(f"{verb} {len(drows)} dossiers") as conn:
            try:
                conn.executemany(_INSERT_DOSSIER, drows)
            except sqlite3.IntegrityError as exc:
                raise ConflictError(
                    f"one of the {len(drows)} dossiers already exists (nothing {done}): {exc}"
                ) from exc
            conn.executemany(_INSERT_EVENT, erows)
            conn.executemany(_INSERT_LOG, [(e[0], e[1], e[7]) for e in erows])
        return len(drows)

    def _write_append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        """The transaction of :meth:`append` (the remembering is the caller's)."""
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
        """The version-checked row update and the event insert, in one transaction.

        :meth:`_transaction` written out (its start and its abort shared):
        this runs on every transition, and the generator a context manager
        resumes twice costs more than the statements' own Python."""
        code = drow[0]
        what = f"append event {erow[1]} to dossier {code}"
        conn = self._begin(what)
        try:
            cursor = conn.execute(_UPDATE_DOSSIER, (*_changing(drow), code, expected_version))
            if cursor.rowcount != 1:
                row = conn.execute(
                    "SELECT version FROM dossiers WHERE code = ?", (code,)
                ).fetchone()
                if row is None:
                    raise ConflictError(f"dossier {code} is not stored")
                raise ConflictError(
                    f"dossier {code} changed since it was read (expected version "
                    f"{expected_version}, stored version {row[0]}); read it again and retry"
                )
            conn.execute(_INSERT_EVENT, erow)
            conn.execute(_INSERT_LOG, (erow[0], erow[1], erow[7]))
            if notifies is not False:  # False: the entry said it notifies nobody
                _write_outbox(conn, erow, notifies)
            conn.execute("COMMIT")
        except BaseException as exc:
            self._abort(conn, what, exc)
            raise

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        """Open dossiers whose next warning or deadline is at or before ``now``,
        soonest first."""
        rows = self._read(
            "list dossiers due for an alert",
            "SELECT code FROM dossiers WHERE status = ? AND next_alert_at IS NOT NULL "
            "AND next_alert_at <= ? ORDER BY next_alert_at, code LIMIT ?",
            (Status.OPEN.value, utc_key(now), limit),
        )
        return [str(code) for (code,) in rows]

    def next_sequence(self, scope: str) -> int:
        """The next number in ``scope`` (1, 2, ...), atomic across processes."""
        with self._transaction(f"take the next number of sequence {scope!r}") as conn:
            conn.execute(_BUMP_SEQUENCE, (scope,))
            row = conn.execute(_SEQUENCE_VALUE, (scope,)).fetchone()
        return int(row[0])

    # --- the outbox (procflow.store.outbox) -----------------------------------------

    def _writes(self, what: str, statements: Sequence[Statement]) -> list[int]:
        with self._transaction(what) as conn:
            return [conn.execute(sql, params).rowcount for sql, params in statements]

    def outbox_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[OutboxItem]:
        """Outbox items not fanned out yet, oldest first, claimed for ``lease``:
        read and marked in one ``BEGIN IMMEDIATE`` transaction, so no other
        dispatcher claims them meanwhile."""
        until = lease_end(now, lease)
        with self._transaction("claim outbox items") as conn:
            rows = conn.execute(_CLAIMABLE_OUTBOX, (utc_key(now), limit)).fetchall()
            conn.executemany(_CLAIM_OUTBOX, [(worker, until, r[0], r[1]) for r in rows])
        return [outbox_from_row(r) for r in rows]

    def delivery_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[Delivery]:
        """Pending deliveries due at ``now``, soonest first, claimed for ``lease``
        (one ``BEGIN IMMEDIATE`` transaction, as :meth:`outbox_claim`)."""
        until, at = lease_end(now, lease), utc_key(now)
        with self._transaction("claim deliveries") as conn:
            rows = conn.execute(_CLAIMABLE_DELIVERIES, (at, at, limit)).fetchall()
            conn.executemany(_CLAIM_DELIVERY, [(worker, until, r[0]) for r in rows])
        return [delivery_from_row(r) for r in rows]

    # --- for verify, reports and tools ----------------------------------------------

    def iter_events(self, code: str | None = None) -> Iterator[Event]:
        """Every event (or one dossier's) in (code, seq) order, page by page.

        Memory stays bounded by one page whatever the size of the log, which
        is what ``procflow verify`` needs to walk a large database.
        """
        where = f"SQLite store {self.path}"
        after: tuple[object, ...] | None = None
        while True:
            if code is not None:
                sql = f"{SELECT_EVENTS} WHERE code = ? AND seq > ? ORDER BY seq LIMIT {PAGE_SIZE}"
                params: tuple[object, ...] = (code, after[1] if after else 0)
            elif after is None:
                sql = f"{SELECT_EVENTS} ORDER BY code, seq LIMIT {PAGE_SIZE}"
                params = ()
            else:
                sql = (
                    f"{SELECT_EVENTS} WHERE (code, seq) > (?, ?) "
                    f"ORDER BY code, seq LIMIT {PAGE_SIZE}"
                )
                params = after
            rows = self._read("read events", sql, params)
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
                "SELECT COUNT(*) FROM dossiers WHERE status = ?",
                (Status.OPEN.value,),
            )
        else:
            rows = self._read("count dossiers", "SELECT COUNT(*) FROM dossiers")
        value = rows[0][0]
        assert isinstance(value, int)
        return value

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        conn, self._conn = self._conn, None
        self._forget_all()
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error as exc:
                raise self._error("close", exc) from exc
            if self._tidy_sidecars:
                self._remove_sidecars()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, mode={self.mode!r})"
