"""The reads SQLite and PostgreSQL answer the same way, written once.

Both stores keep the same tables (``schema.py``) and rows (``records.py``);
only the parameter placeholder (``?`` or ``%s``) and the way a statement is
run differ. A store mixes this class in and provides :meth:`_read`,
:attr:`_label` and :attr:`_P`, and calls :meth:`_remember` with each state it
has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, tzinfo
from typing import Any

from procflow.errors import ProcflowError, StoreError
from procflow.model.dossier import Dossier, Status
from procflow.model.entry import Entry
from procflow.model.events import Event
from procflow.model.instant import Instant, dt_of
from procflow.model.outbox import entry_notifies
from procflow.model.record import Record
from procflow.model.worklist import WorkItem, WorkQuery
from procflow.store.base import StoreBase, StoreMode
from procflow.store.records import (
    DOSSIER_COLUMNS,
    EVENT_COLUMNS,
    DossierRow,
    EventRow,
    NumberedRows,
    T,
    U,
    dict_from_body,
    dossier_from_body,
    entry_row,
    event_from_row,
    public_rows,
    record_from_body,
    record_row,
    record_rows,
)
from procflow.store.schema import utc_key_ts


def _local(text: str | None, tz: tzinfo) -> datetime | None:
    """A stored instant (a UTC key, or the body's own text) in ``tz``."""
    return None if text is None else datetime.fromisoformat(text).astimezone(tz)


def _number(value: Any) -> Instant:
    """POSIX seconds read from JSON by SQL: a number, or its text (PostgreSQL's ``->>``)."""
    if isinstance(value, str):
        return int(value) if value.lstrip("-").isdigit() else float(value)
    return value  # type: ignore[no-any-return]


PAGE_SIZE = 500
"""Rows fetched per page when streaming dossiers or events: bounds memory per call."""

SELECT_EVENTS = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events"


class SQLReads(StoreBase):
    _P: str
    """The parameter placeholder of the driver: ``?`` or ``%s``."""
    _SHARD: str | None = None
    """A filter keeping the i-th of n disjoint parts of the rows, if the backend has one."""

    cache_size: int = 0
    """How many of the states this store object wrote last it keeps, to act
    on again without parsing their JSON bodies (:meth:`get_current`)."""
    _SHARED_BY_THREADS = False
    """Whether threads share one store object (PostgreSQL's pool): then each
    act gets its own copy of a remembered record, since the engine moves the
    record it is given before the store writes it."""
    _written: dict[str, Record]
    _written_lock: threading.Lock

    read_only: bool = False
    """Opened for reading only (:data:`~procflow.store.base.StoreMode` ``"read"``)."""
    creates: bool = True
    """Allowed to give a new or empty database procflow's tables (mode ``"create"``)."""

    @property
    def mode(self) -> StoreMode:
        """The :data:`~procflow.store.base.StoreMode` the store was opened in."""
        if self.read_only:
            return "read"
        return "create" if self.creates else "write"

    def _check_writable(self, what: str) -> None:
        """Refuse a write on a read-only store before it reaches the database.

        The database would refuse it too (SQLite ``mode=ro``, PostgreSQL
        read-only transactions), but with a driver message that does not say
        the store was opened for reading on purpose.
        """
        if self.read_only:
            raise StoreError(
                f"{self._label} is open read-only: cannot {what}; open it for writing "
                "(mode 'write') to change it"
            )

    def _start_remembering(self, cache_size: int) -> None:
        # Bounded: memory does not grow with the number of stored dossiers. A
        # lock, because a PostgreSQL store is shared by threads.
        self.cache_size = cache_size
        self._written = {}
        self._written_lock = threading.Lock()

    def _remember(self, dossier: Dossier | Record) -> None:
        """Keep the record of a state this store object has just committed.

        A dossier is kept as a record of its own (the caller may go on
        changing its object); a record the engine handed over is kept as it
        is: the engine does not change it again, and ``append_record`` changes
        it only by applying the next committed entry.
        """
        if self.cache_size <= 0:
            return
        if isinstance(dossier, Dossier):
            zone = dossier.received_at.tzinfo
            assert zone is not None
            rec = Record.from_dossier(dossier, zone)
        else:
            rec = dossier
        with self._written_lock:
            written = self._written
            written.pop(rec.code, None)  # re-inserted below: the newest entry
            if len(written) >= self.cache_size:
                written.pop(next(iter(written)))  # the oldest entry
            written[rec.code] = rec

    def _forget(self, code: str) -> None:
        with self._written_lock:
            self._written.pop(code, None)

    def _forget_all(self) -> None:
        with self._written_lock:
            self._written.clear()

    # --- the engine's records --------------------------------------------------------

    def record(self, code: str, tz: tzinfo) -> Record | None:
        """The record to act on: the one this store object committed last, if
        the row still has its version and hash (see :meth:`get_current`)."""
        cached = self._checked(code)
        if cached is not None:
            return cached.copy() if self._SHARED_BY_THREADS else cached
        body = self._body(code)
        return record_from_body(code, body, self._label, tz) if body is not None else None

    def append_record(
        self, rec: Record, entry: Entry, expected_version: int, next_alert: Instant | None
    ) -> Record:
        """Write ``entry`` and the row of ``rec``, the record after it, in one
        transaction (as :meth:`append`); on any failure the record is forgotten
        (the engine moved it, and it may be the one remembered), so the next
        act reads the row again."""
        tz = rec.tz
        if entry.seq != expected_version + 1 or entry.code != rec.code or rec.version != entry.seq:
            self._forget(rec.code)
            raise StoreError(
                f"refusing to store dossier {rec.code} at version {rec.version} with event "
                f"{entry.seq} of {entry.code}: it does not follow version {expected_version}"
            )
        try:
            self._write_rows(
                record_row(rec, next_alert),
                entry_row(entry, tz),
                expected_version,
                notifies=entry_notifies(entry),
            )
        except BaseException:
            self._forget(rec.code)
            raise
        self._remember(rec)
        return rec

    def create_numbered(
        self,
        scope: str,
        make: Callable[[int], tuple[Dossier, Event, datetime | None]],
        *,
        attempts: int = 5,
    ) -> tuple[Dossier, Event]:
        """Take the next number of ``scope`` and store the dossier ``make(number)``
        builds, in one transaction: one durable commit per receipt, not two.

        The write lock (SQLite) or the sequence's row lock (PostgreSQL) is held
        until the commit, so receipts in one scope are numbered one after
        another, and ``make`` runs under it: it must be quick (the engine's
        is: it computes the deadlines and hashes the first event). A number
        whose code is already stored (a database restored from an older
        backup) is skipped, up to ``attempts`` times; then ConflictError.
        """
        made = self._insert_numbered(scope, public_rows(make), attempts)
        self._remember(made[0])
        return made

    def create_numbered_record(
        self, scope: str, make: Callable[[int], tuple[Record, Entry, Instant | None]]
    ) -> tuple[Record, Entry]:
        """``create_numbered`` for the engine: the rows built from ``make``'s
        record and entry (no dossier or event in their public form), and the
        record remembered as it is, as :meth:`append_record` does."""
        made = self._insert_numbered(scope, record_rows(make))
        self._remember(made[0])
        return made

    def _insert_numbered(
        self, scope: str, rows_for: Callable[[int], NumberedRows[T, U]], attempts: int = 5
    ) -> tuple[T, U]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def _write_rows(
        self,
        drow: DossierRow,
        erow: EventRow,
        expected_version: int,
        *,
        notifies: bool | None = None,
    ) -> None:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def _write_append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        """Store ``event`` and the new state if the stored version is still
        ``expected_version``; otherwise ConflictError, and nothing is written."""
        self._write_append(dossier, event, expected_version, next_alert_at)
        self._remember(dossier)

    def _checked(self, code: str) -> Record | None:
        """The remembered record of ``code`` if the row still has its version and hash."""
        cached = self._written.get(code)
        if cached is None:
            return None
        rows = self._read(
            f"read dossier {code}",
            f"SELECT version, last_hash FROM dossiers WHERE code = {self._P}",
            (code,),
        )
        if rows and rows[0][0] == cached.version and rows[0][1] == cached.last_hash.hex():
            return cached
        with self._written_lock:
            if self._written.get(code) is cached:
                del self._written[code]
        return None

    def get_current(self, code: str) -> Dossier | None:
        """The dossier's current state, for the engine to act on.

        If this store object wrote the stored version itself, that state is
        returned from memory after checking the row's version and last hash
        (one indexed read instead of reading and parsing the JSON body);
        otherwise it is read as :meth:`get` does. So the result is always the
        state the stored version's event log acknowledges, even when another
        process or connection moved the dossier meanwhile. ``verify`` and
        readers use :meth:`get`, which always reads the row.
        """
        cached = self._checked(code)
        if cached is not None:
            return cached.to_dossier()
        return self.get(code)

    # --- the log (procflow.audit) -----------------------------------------------------

    def _write_many(self, what: str, sql: str, rows: Sequence[Sequence[object]]) -> None:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def log_extent(self) -> tuple[int, int]:
        """(one past the highest position, number of entries): equal when the
        log has no gaps."""
        rows = self._read("read the log's size", "SELECT MAX(position), COUNT(*) FROM log")
        top, count = rows[0]
        return (int(top) + 1 if top is not None else 0), int(count)

    def log_size(self) -> int:
        """One past the highest position (an index look-up; see :meth:`log_extent`)."""
        rows = self._read("read the log's size", "SELECT MAX(position) FROM log")
        top = rows[0][0]
        return int(top) + 1 if top is not None else 0

    def log_hashes(self, start: int, end: int) -> list[str]:
        """The event hashes (hex) at positions ``start`` to ``end`` - 1, in order;
        fewer when positions are missing."""
        p = self._P
        rows = self._read(
            "read the log",
            f"SELECT hash FROM log WHERE position >= {p} AND position < {p} ORDER BY position",
            (start, end),
        )
        return [r[0] for r in rows]

    def log_entries(self, start: int, end: int) -> list[tuple[int, str, int, str]]:
        """(position, code, seq, hash) of the log's positions ``start`` to ``end`` - 1."""
        p = self._P
        rows = self._read(
            "read the log",
            f"SELECT position, code, seq, hash FROM log WHERE position >= {p} AND position < {p} "
            "ORDER BY position",
            (start, end),
        )
        return [(int(a), str(b), int(c), str(d)) for a, b, c, d in rows]

    def log_positions(self, code: str) -> dict[int, int]:
        """seq -> position in the log of a dossier's events."""
        rows = self._read(
            f"find dossier {code} in the log",
            f"SELECT seq, position FROM log WHERE code = {self._P}",
            (code,),
        )
        return {int(a): int(b) for a, b in rows}

    def log_problems(self, limit: int = 100) -> list[str]:
        """Where the log and the events disagree: a log entry whose event is
        gone or changed, an event the log never took."""
        out: list[str] = []
        for position, code, seq, hash_ in self._read(
            "compare the log with the events",
            "SELECT l.position, l.code, l.seq, e.hash FROM log l LEFT JOIN events e "
            "ON e.code = l.code AND e.seq = l.seq WHERE e.hash IS NULL OR e.hash <> l.hash "
            f"ORDER BY l.position LIMIT {int(limit)}",
        ):
            what = "is missing" if hash_ is None else "was changed (its hash is not the log's)"
            out.append(f"{code} event {seq} (log position {position}) {what}")
        for code, seq in self._read(
            "compare the events with the log",
            "SELECT e.code, e.seq FROM events e LEFT JOIN log l "
            "ON l.code = e.code AND l.seq = e.seq WHERE l.code IS NULL "
            f"ORDER BY e.code, e.seq LIMIT {int(limit)}",
        ):
            out.append(f"{code} event {seq} is not in the log (written outside procflow)")
        return out

    def log_nodes(self) -> dict[tuple[int, int], bytes]:
        rows = self._read("read the log's nodes", "SELECT level, idx, hash FROM log_nodes")
        return {(int(a), int(b)): bytes.fromhex(str(c)) for a, b, c in rows}

    def save_log_nodes(self, nodes: dict[tuple[int, int], bytes]) -> None:
        p = self._P
        self._write_many(
            "remember the log's nodes",
            f"INSERT INTO log_nodes (level, idx, hash) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (level, idx) DO NOTHING",
            [(level, idx, h.hex()) for (level, idx), h in nodes.items()],
        )

    def save_checkpoint(self, size: int, made_at: str, text: str) -> None:
        p = self._P
        self._write_many(
            "keep the checkpoint",
            f"INSERT INTO checkpoints (size, made_at, text) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (size, made_at) DO NOTHING",
            [(size, made_at, text)],
        )

    def checkpoints(self) -> list[str]:
        """The checkpoints this database gave, oldest first."""
        rows = self._read(
            "read the checkpoints", "SELECT text FROM checkpoints ORDER BY size, made_at"
        )
        return [str(r[0]) for r in rows]

    def meta(self, key: str) -> str | None:
        rows = self._read(
            "read a fact of the database", f"SELECT value FROM meta WHERE key = {self._P}", (key,)
        )
        if rows:
            return str(rows[0][0])
        return self._legacy_meta(key)

    def _legacy_meta(self, key: str) -> str | None:
        """Results databases of simulations before the meta table kept their
        period in a table of their own."""
        try:
            rows = self._read(
                "read a fact of the database",
                f"SELECT value FROM procflow_simulation WHERE key = {self._P}",
                (key,),
            )
        except ProcflowError:
            return None
        return str(rows[0][0]) if rows else None

    def set_meta(self, items: dict[str, str]) -> None:
        p = self._P
        self._write_many(
            "record facts of the database",
            f"INSERT INTO meta (key, value) VALUES ({p}, {p}) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(items.items()),
        )

    def sequences(self) -> dict[str, int]:
        """The last number taken in each numbering scope (desk and day)."""
        rows = self._read("read the numbering", "SELECT scope, value FROM sequences")
        return {str(a): int(b) for a, b in rows}

    def event_codes(self) -> list[str]:
        rows = self._read("list the codes in the log", "SELECT DISTINCT code FROM events")
        return [str(r[0]) for r in rows]

    def dossier_columns(self, code: str) -> dict[str, Any] | None:
        """The dossier's row as stored, column by column (``verify`` checks each)."""
        rows = self._read(
            f"read dossier {code}",
            f"SELECT {', '.join(DOSSIER_COLUMNS)} FROM dossiers WHERE code = {self._P}",
            (code,),
        )
        return dict(zip(DOSSIER_COLUMNS, rows[0], strict=True)) if rows else None

    @property
    def _label(self) -> str:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _read(self, what: str, sql: Any, params: Sequence[object] = ()) -> list[Any]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    _STEP_DUE_SQL = "NULL, NULL"
    """The dialect's two expressions for the step's due instant (a worklist
    column): the ``step_due_at`` text of a body in the public form, and the
    POSIX seconds of a record's list (:data:`~procflow.model.record.ROW_STEP_DUE`)."""

    def worklist(self, query: WorkQuery, tz: tzinfo) -> list[WorkItem]:
        """One page of a worklist, from the worklist columns and their partial
        indexes (migration 5): no dossier body is parsed."""
        p = self._P
        where = ["status = 'open'"]
        params: list[object] = []

        def add(clause: str, *values: object) -> None:
            where.append(clause)
            params.extend(values)

        if query.agency is not None:
            add(f"holder = {p}", query.agency)
        if query.officer is not None:
            add(f"assignee = {p}", query.officer)
        if query.steps is not None or query.assigned_role is not None:
            either = []
            for procedure_id, step in sorted(query.steps or ()):
                either.append(f"(procedure_id = {p} AND state = {p})")
                params.extend((procedure_id, step))
            if query.assigned_role is not None:
                either.append(f"assigned_role = {p}")
                params.append(query.assigned_role)
            where.append("(" + " OR ".join(either) + ")" if either else "1 = 0")
        if query.procedure_id is not None:
            add(f"procedure_id = {p}", query.procedure_id)
        if query.step is not None:
            add(f"state = {p}", query.step)
        if query.paused is not None:
            add(f"paused = {p}", int(query.paused))
        if query.warned is not None:
            add(f"warned = {p}", int(query.warned))
        now = utc_key_ts(query.now)
        if query.overdue is True:
            add(f"paused = 0 AND deadline_at < {p}", now)
        elif query.overdue is False:
            add(f"(paused = 1 OR deadline_at >= {p})", now)
        if query.after is not None:
            stamp, code = query.after
            key = utc_key_ts(stamp)
            add(f"(deadline_at > {p} OR (deadline_at = {p} AND code > {p}))", key, key, code)
        sql = (
            "SELECT code, procedure_id, state, holder, assignee, assigned_role, deadline_at, "
            f"due_at, {self._STEP_DUE_SQL}, paused, warned, received_at FROM dossiers "
            f"WHERE {' AND '.join(where)} ORDER BY deadline_at, code LIMIT {int(query.limit)}"
        )
        rows = self._read("read a worklist", sql, params)
        items = []
        for row in rows:
            code, proc, state, holder, assignee, role, deadline, due, step_text, step_ts = row[:10]
            paused, warned, received = bool(row[10]), bool(row[11]), row[12]
            when = _local(deadline, tz)
            items.append(
                WorkItem(
                    code=code,
                    procedure_id=proc,
                    state=state,
                    holder=holder,
                    assignee=assignee,
                    assigned_role=role,
                    deadline=when,
                    due_at=_local(due, tz),  # type: ignore[arg-type]
                    step_due_at=(
                        _local(step_text, tz) if step_ts is None else dt_of(_number(step_ts), tz)
                    ),
                    paused=paused,
                    warned=warned,
                    overdue=when is not None and not paused and deadline < now,
                    received_at=_local(received, tz),  # type: ignore[arg-type]
                )
            )
        return items

    def get(self, code: str) -> Dossier | None:
        body = self._body(code)
        return dossier_from_body(code, body, self._label) if body is not None else None

    def _body(self, code: str) -> str | None:
        """The ``body`` of the dossier's row, or None when there is no row."""
        rows = self._read(
            f"read dossier {code}", f"SELECT body FROM dossiers WHERE code = {self._P}", (code,)
        )
        return rows[0][0] if rows else None

    def events(self, code: str) -> list[Event]:
        """One dossier's events, ordered by seq (one statement: one consistent snapshot)."""
        rows = self._read(
            f"read the events of dossier {code}",
            f"{SELECT_EVENTS} WHERE code = {self._P} ORDER BY seq",
            (code,),
        )
        return [event_from_row(row, self._label) for row in rows]

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        """Dossier codes in receipt order (receipt time, then code), page by page.

        Each page is a separate short read, so the caller may write to the
        store while iterating; dossiers received meanwhile may or may not show.
        """
        for code, _ in self._pages("code", open_only, procedure_id):
            yield code

    def iter_dossier_dicts(
        self,
        *,
        open_only: bool = False,
        procedure_id: str | None = None,
        shard: tuple[int, int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every dossier's state as a plain dict (``Dossier.to_dict()`` form), in
        receipt order, page by page, in bounded memory: what reports stream over."""
        where = self._label
        for code, body in self._pages("body", open_only, procedure_id, shard):
            yield dict_from_body(code, body, where)

    def _pages(
        self,
        column: str,
        open_only: bool,
        procedure_id: str | None,
        shard: tuple[int, int] | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """Rows in receipt order, page by page; ``shard=(i, n)`` keeps the i-th
        of n disjoint parts, for passes split across processes."""
        p = self._P
        filters: list[str] = []
        params: list[object] = []
        if shard is not None:
            if self._SHARD is None:
                raise StoreError(f"{self._label}: cannot split a pass into parts")
            filters.append(self._SHARD.format(p=p))
            params.extend([shard[1], shard[0]])
        if open_only:
            filters.append(f"status = {p}")
            params.append(Status.OPEN.value)
        if procedure_id is not None:
            filters.append(f"procedure_id = {p}")
            params.append(procedure_id)
        after: tuple[object, ...] | None = None
        while True:
            page_filters = list(filters)
            page_params = list(params)
            if after is not None:
                page_filters.append(f"(received_at, code) > ({p}, {p})")
                page_params.extend(after)
            where = f" WHERE {' AND '.join(page_filters)}" if page_filters else ""
            rows = self._read(
                "list dossiers",
                f"SELECT received_at, code, {column} FROM dossiers{where} "
                f"ORDER BY received_at, code LIMIT {PAGE_SIZE}",
                page_params,
            )
            for _, code, value in rows:
                yield code, value
            if len(rows) < PAGE_SIZE:
                return
            after = (rows[-1][0], rows[-1][1])
