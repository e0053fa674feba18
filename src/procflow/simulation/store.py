"""Where the simulator's engine keeps its dossiers: open ones only.

A simulated year is a million dossiers; holding them all (and their event
logs) would take gigabytes. :class:`SimulationStore` keeps the open dossiers
and hands each one to ``on_close`` the moment it closes, with its complete
event log, then forgets it unless asked to ``keep`` closed dossiers (small
runs, tests). :class:`ResultsWriter` is the usual ``on_close``: it writes
closed dossiers to a procflow database in batches, and at the end records
the simulated period in it (:func:`simulated_period` reads it back), so
that a report on the results is taken as of the end of the simulation
rather than the wall clock's now.

The store has one writer, the simulator's engine, and nobody else reads it
while a run goes on, so it hands the engine its own objects instead of
copies (a durable store's contract is kept where it matters: the version
check, and the same invariants as every store via ``check_write``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from procflow.errors import ConflictError, StoreError
from procflow.model.dossier import Dossier
from procflow.model.entry import Entry, entry_of_body
from procflow.model.events import Event
from procflow.model.instant import Instant, ts_of
from procflow.model.record import Record
from procflow.model.storage import Capability
from procflow.store.memory import HeldDossiers, log_events
from procflow.store.records import check_write

if TYPE_CHECKING:
    from procflow.store.base import Store

OnClose = Callable[[Dossier, list[Event]], None]


def _no_logs(what: str) -> StoreError:
    return StoreError(
        f"this simulation store keeps no event logs (logs=False): {what}; "
        "make it with logs=True (the default) to read or hand events over"
    )


#: The facts (Store.meta) that make a results database a simulation's.
_PERIOD_KEYS = ("simulated_from", "simulated_until")


class SimulationStore(HeldDossiers):
    """An in-memory store that lets closed dossiers go.

    It keeps the engine's records (:class:`~procflow.model.record.Record`) and
    each open dossier's log as event bodies; a dossier and its events are
    built in their public form only when one closes and someone wants it
    (``on_close``, ``keep``).

    ``logs=False`` keeps no logs at all, for a run that keeps nothing of its
    closed dossiers but their figures (the simulator's default): every
    event is still written by the engine, hashed and chained (the record
    keeps its last hash), but no body is kept, which spares about 6% of a
    simulated year's time. Such a store has no events to give
    (:meth:`events` says so), and neither ``keep`` nor ``on_close``,
    which hand the events over, can be asked of it.

    The simulation that made it owns it: one thread acts on it, so it has no
    ``act_lock`` (the in-memory store's, which the engine would take on every
    move, costs about 1% of a move).
    """

    CAPABILITIES = frozenset({Capability.NUMBERED_RECEIPTS, Capability.RECORDS, Capability.BODIES})

    def __init__(
        self, on_close: OnClose | None = None, *, keep: bool = False, logs: bool = True
    ) -> None:
        self._logs_kept = logs
        self._on_close: OnClose | None = None
        self._keep = False
        self.on_close = on_close
        self.keep = keep
        self._records: dict[str, Record] = {}
        self._logs: dict[str, list[bytes | Event]] = {}
        self._closed: dict[str, tuple[Dossier, list[Event]]] = {}
        self._sequences: dict[str, int] = {}
        self.closed_count = 0

    @property
    def logs(self) -> bool:
        """Whether open dossiers' event logs are kept (fixed when the store is made)."""
        return self._logs_kept

    @property
    def on_close(self) -> OnClose | None:
        """Called with each dossier and its events as it closes."""
        return self._on_close

    @on_close.setter
    def on_close(self, on_close: OnClose | None) -> None:
        if on_close is not None and not self._logs_kept:
            raise _no_logs("on_close would be handed no events")
        self._on_close = on_close

    @property
    def keep(self) -> bool:
        """Whether closed dossiers are kept, with their events, for reading."""
        return self._keep

    @keep.setter
    def keep(self, keep: bool) -> None:
        if keep and not self._logs_kept:
            raise _no_logs("keep=True would keep closed dossiers without events")
        self._keep = keep

    # --- writing: the engine's records ---------------------------------------------

    def record(self, code: str, tz: tzinfo) -> Record | None:
        return self._records.get(code)

    def append_record(
        self, rec: Record, entry: Entry, expected_version: int, next_alert: Instant | None
    ) -> Record:
        code = rec.code
        stored = self._records.get(code)
        if (
            stored is None
            or entry.seq != expected_version + 1
            or rec.version != entry.seq
            or (stored is not rec and stored.version != expected_version)
        ):
            raise ConflictError(
                f"dossier {code} changed since it was read (expected version "
                f"{expected_version}), or is closed and no longer held by the simulation"
            )
        if stored is not rec:  # a copy the engine moved (an act off the hot path)
            self._records[code] = stored = rec
        # checked: the stored record moves by the entry's bytes
        return self.append_body(
            stored, entry.body, entry.prev, entry.hash, expected_version, next_alert
        )

    def append_body(
        self,
        rec: Record,
        body: bytes,
        prev: bytes,
        hash_: bytes,
        expected_version: int,
        next_alert: Instant | None,
    ) -> Record:
        """:meth:`append_record` of a move's bytes (``BODIES``), with no entry made."""
        code = rec.code
        if rec.version != expected_version + 1 or self._records.get(code) is not rec:
            return self.append_record(rec, entry_of_body(body, prev), expected_version, next_alert)
        if self._logs_kept:
            self._logs[code].append(body + hash_)
        if not rec.is_open:
            self._close(code)
        return rec

    def create_numbered_record(
        self,
        scope: str,
        make: Callable[[int], tuple[Record, Entry, Instant | None]],
    ) -> tuple[Record, Entry]:
        number = self._sequences[scope] = self._sequences.get(scope, 0) + 1
        rec, entry, _ = make(number)
        code = rec.code
        if code in self._records or code in self._closed:
            raise ConflictError(f"dossier {code} already exists")
        self._records[code] = rec
        if self._logs_kept:
            self._logs[code] = [entry.body + entry.hash]
        if not rec.is_open:
            self._close(code)
        return rec, entry

    # --- writing: the public form ---------------------------------------------------

    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        check_write(dossier, event, None)
        code = dossier.code
        if code in self._records or code in self._closed:
            raise ConflictError(f"dossier {code} already exists")
        self._records[code] = Record.from_dossier(dossier, _zone(dossier))
        if self._logs_kept:
            self._logs[code] = [event]
        if not dossier.is_open:
            self._close(code)

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        check_write(dossier, event, expected_version)
        code = dossier.code
        stored = self._records.get(code)
        if stored is None or stored.version != expected_version:
            raise ConflictError(
                f"dossier {code} changed since it was read (expected version "
                f"{expected_version}), or is closed and no longer held by the simulation"
            )
        self._records[code] = Record.from_dossier(dossier, stored.tz)
        if self._logs_kept:
            self._logs[code].append(event)
        if not dossier.is_open:
            self._close(code)

    def _close(self, code: str) -> None:
        rec = self._records.pop(code)
        self.closed_count += 1
        if not self._logs_kept:
            return
        log = self._logs.pop(code)
        if not self.keep and self.on_close is None:
            return
        dossier, events = rec.to_dossier(), log_events(log, rec.tz)
        if self.keep:
            self._closed[code] = (dossier, events)
        if self.on_close is not None:
            self.on_close(dossier, events)

    # --- reading ----------------------------------------------------------------

    def get(self, code: str) -> Dossier | None:
        rec = self._records.get(code)
        if rec is not None:
            return rec.to_dossier()
        closed = self._closed.get(code)
        return closed[0].clone() if closed is not None else None

    def events(self, code: str) -> list[Event]:
        closed = self._closed.get(code)
        if closed is not None:
            return list(closed[1])
        rec = self._records.get(code)
        if rec is not None and not self._logs_kept:
            raise _no_logs(f"dossier {code} has no events to read")
        return log_events(self._logs.get(code, []), rec.tz if rec is not None else None)

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        """Open dossiers, and the closed ones kept, each in receipt order."""
        found: list[tuple[float, str]] = []
        for code, rec in self._records.items():
            if procedure_id is None or rec.procedure_id == procedure_id:
                found.append((rec.received, code))
        if not open_only:
            for code, (dossier, _) in self._closed.items():
                if procedure_id is None or dossier.procedure_id == procedure_id:
                    found.append((ts_of(dossier.received_at), code))
        for _, code in sorted(found):
            yield code

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        return []  # the simulator does not sweep

    def next_sequence(self, scope: str) -> int:
        n = self._sequences[scope] = self._sequences.get(scope, 0) + 1
        return n

    def close(self) -> None:
        pass


def _zone(dossier: Dossier) -> tzinfo:
    zone = dossier.received_at.tzinfo
    assert zone is not None
    return zone


class ResultsWriter:
    """Write closed dossiers with their event logs to a procflow database,
    ``batch`` at a time (one transaction each), through its ``import_dossiers``."""

    def __init__(self, target: str, *, batch: int = 5000) -> None:
        from procflow.store.url import open_store

        self.target = target
        self.batch = max(1, batch)
        self.written = 0
        self._pending: list[tuple[Dossier, Sequence[Event]]] = []
        self._out = open_store(target)

    def __call__(self, dossier: Dossier, events: list[Event]) -> None:
        self._pending.append((dossier, events))
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.written += self._out.import_dossiers(self._pending)
            self._pending = []

    def close(self, *, flush: bool = True, period: tuple[datetime, datetime] | None = None) -> None:
        """Write what is pending (unless ``flush`` is false: a run that failed),
        record the simulated ``period`` (first instant, end of the run) if
        given, and close the database."""
        try:
            if flush:
                self.flush()
            if period is not None:
                record_period(self._out, *period)
        finally:
            self._pending = []
            self._out.close()


def record_period(store: Store, start: datetime, until: datetime) -> None:
    """Record in a results database the simulated period it covers: ``start``
    (the first office instant of the scenario) to ``until`` (where the
    simulated clock stopped, every dossier closed)."""
    store.set_meta(dict(zip(_PERIOD_KEYS, (start.isoformat(), until.isoformat()), strict=True)))


def simulated_period(store: Store) -> tuple[datetime, datetime] | None:
    """The simulated period recorded in ``store`` (see :func:`record_period`),
    or None when the database is not a simulation's results."""
    values = [store.meta(key) for key in _PERIOD_KEYS]
    if any(v is None for v in values):
        return None
    start, until = (datetime.fromisoformat(v) for v in values if v is not None)
    return start, until
