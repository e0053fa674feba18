"""The storage contract the engine writes through, below both engine and stores.

A store keeps two things: each dossier's current state (one row) and its
append-only event log. The engine calls :meth:`Store.create` and
:meth:`Store.append`, each of which must write the event and the new state in
one atomic step, or nothing. ``append`` carries the version the engine read:
when another writer got there first the store raises
:class:`~procflow.errors.ConflictError` and writes nothing (optimistic
concurrency), so no update is ever lost.

Beyond the basic calls, a store may do some things better than the plain
way; it says which in :attr:`StoreBase.capabilities` (a :class:`Capability`
set), and :class:`StoreBase` gives every such call a correct default built
from the basic ones, so callers never probe for methods:

* ``create_numbered(scope, make)``: take the next dossier number and store
  the dossier built for it (``NUMBERED_RECEIPTS``: in one transaction, one
  durable commit per receipt instead of two; default: number, then create,
  skipping a number whose code is taken).
* ``get_current(code)``: the state to act on (``REMEMBERED_STATES``: from the
  store's memory of what it wrote itself, checked against the stored version
  and hash; default: ``get``).
* ``claim_for_alert(now, limit)``: the due dossiers for this sweeper
  (``ALERT_CLAIMS``: each handed to one sweeper only, PostgreSQL's ``SKIP
  LOCKED``; default: ``due_for_alert``).
* ``iter_events()``: every event in (code, seq) order (``EVENT_PAGES``: paged
  by the database; default: dossier by dossier).
* ``count(open_only=)``: how many dossiers (``COUNTS``: one query; default:
  counting codes).
* ``create_many(items)``: many new dossiers at once (``BULK_IMPORT``: one
  transaction; default: one ``create`` each).
* ``import_dossiers(items)``: whole dossiers with their complete logs (the
  simulator's output, moving data between stores) (``BULK_IMPORT``: one
  transaction, all or nothing; default: each dossier created from its first
  event, then its other events appended with the state the log gives after
  each, dossier by dossier).
* ``worklist(query, tz)``: open dossiers by holder, role or officer, soonest
  deadline first (``WORKLISTS``: an indexed query on columns the store keeps
  beside each dossier, :mod:`procflow.model.worklist`; default: reading every
  open dossier).
* ``outbox_claim``, ``outbox_fan_out``, ``delivery_claim``, ``delivery_sent``,
  ``delivery_failed`` and their listings: the transactional outbox of
  notifications (``OUTBOX``: every event :func:`~procflow.model.outbox.enters_outbox`
  accepts is written with an outbox row in the same transaction, and the
  deliveries are claimed one worker at a time; default: no outbox, nothing
  to claim). :mod:`procflow.notify` dispatches them.

The engine itself writes through records (:mod:`procflow.model.record`) and
entries (:mod:`procflow.model.entry`): ``record(code, tz)`` is the state to act
on; the engine moves it (the reducer's rule for the entry) and
``append_record`` and ``create_numbered_record`` store the entry and the moved
record together (``RECORDS``: natively, with no public form built on the way;
default: through ``get_current``, ``append`` and ``create_numbered`` with the
dossier and event built from the record and entry). A store that keeps each
event as its body and hash and nothing else (``BODIES``: the in-memory and
the simulator's stores) takes a move as those bytes, ``append_body``: the
engine then builds no :class:`~procflow.model.entry.Entry` for a move no
listener waits for (default: the entry read back from the body, stored by
``append_record``). A store never applies an
entry itself: the engine's record is the state, and the reducer rebuilds it
from the log only to replay, verify and recover.

``act_lock`` is for a store whose ``record`` hands out the stored record
itself, which the engine moves in place before ``append_record`` stores it
(the in-memory store): the engine holds it for the whole of each act that
writes (read, move, store), so that threads sharing the store, through one
engine or several, act one at a time and a version check cannot be passed
by two of them. The store's own public calls take it too. A store whose
records are copies checked by version on write (the SQL stores), or that
one thread owns (the simulator's), has none (None): the engine then takes
no lock.

How a store is opened (read, write, create) is the stores' business:
:mod:`procflow.store.base`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo
from types import TracebackType
from typing import Any, ClassVar, Protocol, runtime_checkable

from procflow.errors import ConflictError, StoreError
from procflow.model.dossier import Dossier
from procflow.model.entry import Entry, entry_of_body
from procflow.model.events import Event
from procflow.model.instant import Instant, dt_or_none
from procflow.model.outbox import Delivery, DeliveryStatus, NewDelivery, OutboxItem
from procflow.model.record import Record
from procflow.model.reducer import apply
from procflow.model.worklist import WorkItem, WorkQuery, page_of

__all__ = ["ActLock", "Capability", "Store", "StoreBase", "declared"]


class ActLock(Protocol):
    """What the engine needs of a store's ``act_lock``: a re-entrant lock
    (``threading.RLock``), taken by ``acquire``/``release`` on the hot path
    and by ``with`` elsewhere."""

    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...

    def release(self) -> None: ...

    def __enter__(self) -> bool: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...


@runtime_checkable
class Store(Protocol):
    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        """Store a new dossier and its first event. ConflictError if the code exists."""
        ...

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        """Store ``event`` and the dossier's new state if its stored version is
        still ``expected_version``; otherwise raise ConflictError and write nothing."""
        ...

    def get(self, code: str) -> Dossier | None: ...

    def events(self, code: str) -> list[Event]: ...

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        """Dossier codes, in receipt order."""
        ...

    def iter_dossier_dicts(
        self,
        *,
        open_only: bool = False,
        procedure_id: str | None = None,
        shard: tuple[int, int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every dossier's state as ``Dossier.to_dict()`` data, in receipt order,
        streamed: reports aggregate over it in bounded memory. ``shard`` (i, n)
        keeps one n-th of them (stores with ``PARALLEL_SCANS``; the others
        ignore it only when n is 1)."""
        ...

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        """Open dossiers whose next warning or deadline is at or before ``now``."""
        ...

    @property
    def act_lock(self) -> ActLock | None:
        """The lock the engine holds for each act that writes, or None (see the module)."""
        ...

    def next_sequence(self, scope: str) -> int:
        """The next number (1, 2, ...) in ``scope``, e.g. one desk on one day."""
        ...

    def close(self) -> None: ...

    def create_numbered(
        self, scope: str, make: Callable[[int], tuple[Dossier, Event, datetime | None]]
    ) -> tuple[Dossier, Event]:
        """Number a new dossier in ``scope`` and store what ``make(number)`` builds."""
        ...

    def get_current(self, code: str) -> Dossier | None:
        """The dossier's state to act on (see :class:`StoreBase`)."""
        ...

    def claim_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        """The due dossiers this sweeper should look at."""
        ...

    def iter_events(self, code: str | None = None) -> Iterator[Event]:
        """Every event (or one dossier's), in (code, seq) order."""
        ...

    def count(self, *, open_only: bool = False) -> int:
        """How many dossiers (open ones only, if asked)."""
        ...

    def worklist(self, query: WorkQuery, tz: tzinfo) -> list[WorkItem]:
        """One page of a worklist (:mod:`procflow.model.worklist`)."""
        ...

    def create_many(self, items: Iterable[tuple[Dossier, Event, datetime | None]]) -> int:
        """Store many new dossiers; returns how many."""
        ...

    def import_dossiers(self, items: Iterable[tuple[Dossier, Sequence[Event]]]) -> int:
        """Store whole dossiers with their complete logs; returns how many.
        Each log must end at its dossier's version and hash (StoreError)."""
        ...

    def record(self, code: str, tz: tzinfo) -> Record | None:
        """The record to act on (the engine's view of ``get_current``)."""
        ...

    def meta(self, key: str) -> str | None:
        """A fact about the database as a whole (e.g. a simulation's period), or None."""
        ...

    def set_meta(self, items: dict[str, str]) -> None:
        """Record facts about the database as a whole, in one write."""
        ...

    def append_record(
        self, rec: Record, entry: Entry, expected_version: int, next_alert: Instant | None
    ) -> Record:
        """Store ``entry`` and ``rec``, the record after it (the engine has
        moved it: ``rec.version == entry.seq``), atomically, if the stored
        version is still ``expected_version``; returns the record now stored.
        On any failure nothing is stored, and a store that remembers records
        lets ``rec`` go (it may be the one it remembered)."""
        ...

    def append_body(
        self,
        rec: Record,
        body: bytes,
        prev: bytes,
        hash_: bytes,
        expected_version: int,
        next_alert: Instant | None,
    ) -> Record:
        """:meth:`append_record` of a move given as its event's format-2 body,
        the previous hash and its own (raw SHA-256 digests): the same contract.
        The engine calls it only on a store with ``BODIES``."""
        ...

    def create_numbered_record(
        self, scope: str, make: Callable[[int], tuple[Record, Entry, Instant | None]]
    ) -> tuple[Record, Entry]:
        """``create_numbered`` for the engine: ``make`` builds the record and entry."""
        ...

    def outbox_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[OutboxItem]:
        """Outbox items not fanned out yet, oldest first, each claimed by
        ``worker`` for ``lease`` so that other dispatchers skip it."""
        ...

    def outbox_fan_out(
        self, item: OutboxItem, deliveries: Sequence[NewDelivery], now: datetime
    ) -> int:
        """Record ``item``'s deliveries and mark it fanned out, in one
        transaction; a key already recorded is kept as it is. Returns how many
        deliveries were new."""
        ...

    def outbox_items(self, *, done: bool | None = None, limit: int = 1000) -> list[OutboxItem]:
        """Outbox items in event order (fanned out or not, or both)."""
        ...

    def delivery_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[Delivery]:
        """Pending deliveries whose next attempt is due, each claimed by
        ``worker`` for ``lease`` so that other dispatchers skip it."""
        ...

    def delivery_sent(self, key: str, *, worker: str, now: datetime) -> bool:
        """Record that the channel accepted delivery ``key``, if ``worker``
        still holds its claim (False: the claim was lost, nothing written)."""
        ...

    def delivery_failed(
        self, key: str, *, worker: str, now: datetime, error: str, retry_at: datetime | None
    ) -> bool:
        """Record a failed attempt: pending again from ``retry_at``, or dead
        (``retry_at`` None). False when ``worker`` no longer holds the claim."""
        ...

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        code: str | None = None,
        recipient: str | None = None,
        limit: int = 1000,
        newest_first: bool = False,
    ) -> list[Delivery]:
        """Deliveries in (code, seq, key) order, filtered by status, dossier and
        recipient (``officer:ID``, ``applicant``...); ``newest_first`` orders
        them by when they were planned, newest first (a desk's latest notices)."""
        ...

    def delivery_requeue(self, now: datetime, *, keys: Sequence[str] | None = None) -> int:
        """Make dead deliveries (those of ``keys``, or all) pending again from
        ``now`` with no attempts counted; returns how many."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What this store does better than the defaults."""
        ...

    def reader_factory(self) -> Callable[[], Store] | None:
        """A picklable callable opening another read-only handle on the same
        database, for reports that read it from several processes
        (``PARALLEL_SCANS``), or None."""
        ...


class Capability(enum.StrEnum):
    """What a store does better than :class:`StoreBase`'s defaults (see the module)."""

    NUMBERED_RECEIPTS = "numbered_receipts"
    REMEMBERED_STATES = "remembered_states"
    ALERT_CLAIMS = "alert_claims"
    EVENT_PAGES = "event_pages"
    COUNTS = "counts"
    BULK_IMPORT = "bulk_import"
    PARALLEL_SCANS = "parallel_scans"
    """Reports may read it from several processes at once (a file SQLite opens)."""
    LOG = "log"
    """Keeps the global append-only log (procflow.audit): checkpoints and proofs."""
    RECORDS = "records"
    """Keeps records and entries itself: the engine's writes build no public form."""
    BODIES = "bodies"
    """Keeps each event as its body and hash only: a move reaches it as bytes
    (``append_body``), with no :class:`~procflow.model.entry.Entry` made."""
    WORKLISTS = "worklists"
    """Answers worklists from indexed columns, not by reading dossiers."""
    OUTBOX = "outbox"
    """Writes an outbox row with every notifying event, in the same transaction,
    and keeps the deliveries (:mod:`procflow.model.outbox`, :mod:`procflow.notify`)."""


def declared(cls: type, capabilities: frozenset[Capability]) -> frozenset[Capability]:
    """``capabilities`` as a store of class ``cls`` may claim them.

    ``BODIES`` holds only while the class that stores a move's entry
    (``append_record``) also stores its bytes (``append_body``): a subclass
    that changes ``append_record`` alone, to see every entry (an audit hook,
    a test's spy), would otherwise never be called for a move, and gets
    entries instead."""
    if Capability.BODIES in capabilities:
        for klass in cls.__mro__:
            if "append_record" in vars(klass):
                if "append_body" not in vars(klass):
                    return capabilities - {Capability.BODIES}
                break
    return capabilities


class StoreBase:
    """The optional calls of :class:`Store`, done the plain way.

    A store inherits this and overrides what it does better, listing it in
    :attr:`capabilities`; the defaults are correct for any store that
    implements the basic calls (``create``, ``get``, ``events``, ``codes``,
    ``due_for_alert``, ``next_sequence``). So engine, reports and exports call
    every method directly, whatever the store.
    """

    CAPABILITIES: ClassVar[frozenset[Capability]] = frozenset()
    """What every store of the class does better than the defaults."""

    act_lock: ActLock | None = None
    """The lock the engine holds for each act that writes (see the module):
    none by default, for stores whose records are copies checked on write."""

    @property
    def capabilities(self) -> frozenset[Capability]:
        return declared(type(self), self.CAPABILITIES)

    def reader_factory(self) -> Callable[[], Store] | None:
        return None

    # The basic calls, provided by the store itself.
    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        raise NotImplementedError

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        raise NotImplementedError

    def get(self, code: str) -> Dossier | None:
        raise NotImplementedError

    def events(self, code: str) -> list[Event]:
        raise NotImplementedError

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        raise NotImplementedError

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        raise NotImplementedError

    def next_sequence(self, scope: str) -> int:
        raise NotImplementedError

    # The optional ones.
    def create_numbered(
        self,
        scope: str,
        make: Callable[[int], tuple[Dossier, Event, datetime | None]],
        *,
        attempts: int = 5,
    ) -> tuple[Dossier, Event]:
        """Take a number, then store the dossier built for it; a number whose code
        is taken (a store restored from an older backup) is skipped."""
        for _ in range(attempts):
            dossier, event, alert = make(self.next_sequence(scope))
            try:
                self.create(dossier, event, alert)
            except ConflictError:
                continue
            return dossier, event
        raise ConflictError(f"could not allocate a dossier code in {scope}")

    def get_current(self, code: str) -> Dossier | None:
        return self.get(code)

    def meta(self, key: str) -> str | None:
        value = self.__dict__.get("_meta", {}).get(key)
        return None if value is None else str(value)

    def set_meta(self, items: dict[str, str]) -> None:
        self.__dict__.setdefault("_meta", {}).update(items)

    def record(self, code: str, tz: tzinfo) -> Record | None:
        current = self.get_current(code)
        return Record.from_dossier(current, tz) if current is not None else None

    def append_record(
        self, rec: Record, entry: Entry, expected_version: int, next_alert: Instant | None
    ) -> Record:
        tz = rec.tz
        self.append(rec.to_dossier(), entry.event(tz), expected_version, dt_or_none(next_alert, tz))
        return rec

    def append_body(
        self,
        rec: Record,
        body: bytes,
        prev: bytes,
        hash_: bytes,
        expected_version: int,
        next_alert: Instant | None,
    ) -> Record:
        return self.append_record(rec, entry_of_body(body, prev), expected_version, next_alert)

    def create_numbered_record(
        self, scope: str, make: Callable[[int], tuple[Record, Entry, Instant | None]]
    ) -> tuple[Record, Entry]:
        made: list[tuple[Record, Entry]] = []

        def public(number: int) -> tuple[Dossier, Event, datetime | None]:
            rec, entry, alert = make(number)
            made.append((rec, entry))
            tz = rec.tz
            return rec.to_dossier(), entry.event(tz), dt_or_none(alert, tz)

        self.create_numbered(scope, public)
        return made[-1]

    def claim_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        return self.due_for_alert(now, limit)

    def iter_events(self, code: str | None = None) -> Iterator[Event]:
        for each in [code] if code is not None else sorted(self.codes()):
            yield from self.events(each)

    def count(self, *, open_only: bool = False) -> int:
        return sum(1 for _ in self.codes(open_only=open_only))

    def worklist(self, query: WorkQuery, tz: tzinfo) -> list[WorkItem]:
        records = (self.record(code, tz) for code in self.codes(open_only=True))
        return page_of(query, (r for r in records if r is not None), tz)

    def create_many(self, items: Iterable[tuple[Dossier, Event, datetime | None]]) -> int:
        done = 0
        for dossier, event, alert in items:
            self.create(dossier, event, alert)
            done += 1
        return done

    def import_dossiers(self, items: Iterable[tuple[Dossier, Sequence[Event]]]) -> int:
        """Each dossier created from its first event, then its other events
        appended with the state its log gives after each (stores with
        ``BULK_IMPORT`` do it in one transaction instead). A dossier's states
        are all worked out, and its log checked, before anything of it is
        written: a bad log leaves none of its dossier behind, and the
        dossiers before it stay written (the error says how many)."""
        done = 0
        for dossier, events in items:
            check_import(dossier, events, f"{done} dossier(s) before it were imported")
            tz = dossier.received_at.tzinfo
            states: list[Dossier] = []
            for event in events:
                states.append(apply(states[-1] if states else None, event, tz))
            for i, (event, state) in enumerate(zip(events, states, strict=True)):
                if i == 0:
                    self.create(state, event, None)
                else:
                    self.append(state, event, states[i - 1].version, None)
            done += 1
        return done

    # The outbox (OUTBOX). A store without one writes no outbox rows, so there
    # is never anything to claim, fan out or deliver.
    def outbox_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[OutboxItem]:
        return []

    def outbox_fan_out(
        self, item: OutboxItem, deliveries: Sequence[NewDelivery], now: datetime
    ) -> int:
        raise StoreError(
            f"{type(self).__name__} keeps no outbox: it cannot record the deliveries of "
            f"{item.code} event {item.seq}"
        )

    def outbox_items(self, *, done: bool | None = None, limit: int = 1000) -> list[OutboxItem]:
        return []

    def delivery_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[Delivery]:
        return []

    def delivery_sent(self, key: str, *, worker: str, now: datetime) -> bool:
        return False

    def delivery_failed(
        self, key: str, *, worker: str, now: datetime, error: str, retry_at: datetime | None
    ) -> bool:
        return False

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        code: str | None = None,
        recipient: str | None = None,
        limit: int = 1000,
        newest_first: bool = False,
    ) -> list[Delivery]:
        return []

    def delivery_requeue(self, now: datetime, *, keys: Sequence[str] | None = None) -> int:
        return 0


def check_import(
    dossier: Dossier, events: Sequence[Event], written: str = "nothing was imported"
) -> None:
    """Refuse a dossier whose log does not end at its state (its version and
    hash): an import would store a state its events cannot rebuild.
    ``written`` says what the refused import left stored."""
    last = events[-1] if events else None
    if last is None or last.seq != dossier.version or last.hash != dossier.last_hash:
        got = f"ends at event {last.seq}" if last is not None else "is empty"
        raise StoreError(
            f"dossier {dossier.code}: its log does not end at its state (version "
            f"{dossier.version}; the log {got}). Give its whole log, from its first "
            f"event to event {dossier.version}; {written}"
        )
