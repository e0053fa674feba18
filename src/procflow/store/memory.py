"""A store in memory: for tests, the simulator and benchmarks.

It keeps the same contract as the durable stores (atomic create/append,
optimistic version check) but nothing survives the process.

Open dossiers are kept as records the engine changes in place; a closed
dossier no longer changes, so only its event bodies are kept, compacted in
batches, and its state is replayed from them when read.

Threads may share a store, through one engine or several: the engine holds
the store's ``act_lock`` for the whole of each act that writes (a record is
read, moved in place and stored), and the store's public calls take it too,
so acts happen one at a time and two racing moves on one dossier never both
succeed (``tests/store/test_memory_threads.py``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo
from operator import itemgetter
from typing import Any, Concatenate, ParamSpec, TypeVar

import zstandard

from procflow.errors import ConflictError, StoreError
from procflow.model.dossier import Dossier
from procflow.model.encoding import GENESIS_RAW, link, prev_raw
from procflow.model.entry import Entry, apply_entry, entry_of_body, event_of_body
from procflow.model.events import Event
from procflow.model.instant import Instant, ts_of
from procflow.model.outbox import (
    Delivery,
    DeliveryStatus,
    NewDelivery,
    OutboxItem,
    entry_notifies,
)
from procflow.model.record import Record, kept
from procflow.model.storage import ActLock, declared
from procflow.store.base import Capability, StoreBase
from procflow.store.outbox import MemoryOutbox
from procflow.store.records import check_write, numbering_failed

_body_of = itemgetter(slice(None, -32))

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(
    method: Callable[Concatenate[MemoryStore, _P], _R],
) -> Callable[Concatenate[MemoryStore, _P], _R]:
    """A public call made under the store's ``act_lock``: one step for other threads."""

    def call(self: MemoryStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self.act_lock:
            return method(self, *args, **kwargs)

    functools.update_wrapper(call, method)
    return call


"""The body of a log item ``body || hash`` (the hash is SHA-256's 32 bytes)."""


class HeldDossiers(StoreBase):
    """What a store that holds dossiers in memory answers the same way.

    A mixin: the store provides ``codes`` and ``get``.
    """

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def get(self, code: str) -> Dossier | None:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def iter_dossier_dicts(
        self,
        *,
        open_only: bool = False,
        procedure_id: str | None = None,
        shard: tuple[int, int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        part, parts = shard or (0, 1)
        for i, code in enumerate(self.codes(open_only=open_only, procedure_id=procedure_id)):
            if i % parts != part:
                continue
            dossier = self.get(code)
            if dossier is not None:
                yield dossier.to_dict()


class _Shelf:
    """Closed dossiers' logs, compacted in batches.

    A closed dossier's bodies (joined by newlines, about 2 KB for ten
    events) wait in ``_pending``; every :data:`BATCH` of them are compressed
    together in one Zstandard frame (level 1), in which bodies repeat a lot
    (codes, steps, agencies): about 40 bytes a dossier instead of 2 KB, for
    the cost of one compression per batch rather than one per dossier.
    Reading a dossier from a batch decompresses it (the last one is kept).

    Zstandard rather than the standard library's zlib: on the engine
    benchmark's bodies, level 1 of each, it compresses a batch 4.5 times
    faster (0.6 against 2.8 us a dossier, 6% of a dossier's machine
    instructions) into a third of the bytes (41 against 124 a dossier); see
    docs/engine.md.
    """

    BATCH = 256

    def __init__(self) -> None:
        self._pending: dict[str, tuple[bytes, tzinfo]] = {}
        self._index: dict[str, tuple[int, int, int, tzinfo]] = {}
        self._batches: list[bytes] = []
        self._last: tuple[int, bytes] | None = None
        # made on the first batch; used only under the store's act_lock (a
        # compressor is not for two threads at once, nor for pickling)
        self._zc: zstandard.ZstdCompressor | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_zc": None}

    def __contains__(self, code: str) -> bool:
        return code in self._pending or code in self._index

    def put(self, code: str, blob: bytes, tz: tzinfo) -> None:
        pending = self._pending
        pending[code] = (blob, tz)
        if len(pending) >= self.BATCH:
            parts, at = [], 0
            number = len(self._batches)
            for c, (b, zone) in pending.items():
                self._index[c] = (number, at, at + len(b), zone)
                parts.append(b)
                at += len(b)
            zc = self._zc
            if zc is None:
                zc = self._zc = zstandard.ZstdCompressor(level=1)
            self._batches.append(kept(zc.compress(b"".join(parts))))  # see kept
            pending.clear()

    def get(self, code: str) -> tuple[bytes, tzinfo] | None:
        hit = self._pending.get(code)
        if hit is not None:
            return hit
        where = self._index.get(code)
        if where is None:
            return None
        number, start, end, zone = where
        if self._last is None or self._last[0] != number:
            self._last = (number, zstandard.ZstdDecompressor().decompress(self._batches[number]))
        return self._last[1][start:end], zone

    def pop(self, code: str) -> tuple[bytes, tzinfo]:
        found = self.get(code)
        assert found is not None
        self._pending.pop(code, None)
        self._index.pop(code, None)
        return found


class MemoryStore(HeldDossiers):
    """Dossiers in this process's memory (see the module).

    One :class:`~procflow.model.record.Record` per open dossier, which the
    engine moves in place (the store keeps it), and the log as the events'
    format-2 bodies (:mod:`procflow.model.encoding`): ``body || hash`` per
    event. When a dossier closes (``compact_closed``, the default) its record
    is let go and its bodies are kept, compacted in batches (:class:`_Shelf`);
    reading it replays them. Events given in their public form
    (``create``/``append`` with an :class:`Event`, e.g. imported format-1
    events) are kept as they are.
    """

    CAPABILITIES = frozenset({Capability.NUMBERED_RECEIPTS, Capability.RECORDS, Capability.BODIES})
    act_lock: ActLock

    def __init__(self, *, compress_closed: bool = True, outbox: bool = False) -> None:
        self.act_lock = threading.RLock()
        """Held by the engine for each act that writes, and by the public calls
        (see the module): re-entrant, since an act reads through them."""
        self.compact_closed = compress_closed
        self.keeps_outbox = outbox
        """Keep an outbox of notifications (``outbox=True``): off by default,
        since a process's memory is for tests and embedding, where nobody
        dispatches, and a busy engine would pile up one item per receipt."""
        self._records: dict[str, Record] = {}
        self._logs: dict[str, list[bytes | Event]] = {}
        self._closed = _Shelf()
        self._procedure: dict[str, str] = {}  # every code, in receipt order
        self._alerts: dict[str, Instant] = {}
        self._sequences: dict[str, int] = {}
        # Dossiers written in their public form, as given (instants keep their
        # offsets), until the engine next changes them.
        self._given: dict[str, Dossier] = {}
        # Dossiers whose log holds events in their public form (given through
        # create/append): kept as they are when they close, never compacted.
        self._public: set[str] = set()

    def __getstate__(self) -> dict[str, Any]:
        """A copy (``copy.deepcopy``, ``pickle``) holds the dossiers, not the
        lock: a lock cannot be copied, and the copy is a store of its own with
        a lock of its own. Copy a store while no other thread acts on it."""
        state = self.__dict__.copy()
        del state["act_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.act_lock = threading.RLock()

    @property
    def capabilities(self) -> frozenset[Capability]:
        capabilities = declared(type(self), self.CAPABILITIES)
        if self.keeps_outbox:
            # an outbox item is made from the entry of the event (its result
            # ready, the applicant's notice): moves reach it as entries
            return (capabilities - {Capability.BODIES}) | {Capability.OUTBOX}
        return capabilities

    # --- writing: the engine's records and entries ----------------------------------

    def record(self, code: str, tz: tzinfo) -> Record | None:
        """The stored record itself: the engine reads it, and only
        :meth:`append_record` changes it. The engine calls this and the two
        below under ``act_lock``, which it holds for the whole act."""
        rec = self._records.get(code)
        if rec is None and code in self._closed:
            self._reopen(code)
            rec = self._records[code]
        return rec

    def append_record(
        self, rec: Record, entry: Entry, expected_version: int, next_alert: Instant | None
    ) -> Record:
        code = rec.code
        if entry.seq != expected_version + 1 or rec.version != entry.seq:
            raise StoreError(
                f"refusing to store dossier {code} at version {rec.version} with event "
                f"{entry.seq}: it does not follow version {expected_version}"
            )
        stored = self._records.get(code)
        if stored is not rec:  # the engine moved a record read before another was stored
            stored = self.record(code, rec.tz)
            if stored is None:
                raise ConflictError(f"dossier {code} is not stored")
            if stored.version != expected_version:
                raise ConflictError(
                    f"dossier {code} changed since it was read "
                    f"(expected version {expected_version}); read it again and retry"
                )
            self._records[code] = stored = rec
        if self.keeps_outbox:
            self._outbox_note(entry)
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
        """:meth:`append_record` of a move's bytes (``BODIES``): the engine's
        move of the stored record itself, with no entry made; anything else
        (a copy, a version out of step) takes :meth:`append_record`'s checks."""
        code = rec.code
        if rec.version != expected_version + 1 or self._records.get(code) is not rec:
            return self.append_record(rec, entry_of_body(body, prev), expected_version, next_alert)
        if self._given:
            self._given.pop(code, None)
        # A new bytes object of its own length: the body alone would keep
        # orjson's buffer (4 KB a body since orjson 3.12: 33 MB more at the
        # peak of the engine benchmark, and slower).
        self._logs[code].append(body + hash_)
        if next_alert is None:
            self._alerts.pop(code, None)
        else:
            self._alerts[code] = next_alert
        if not rec.is_open:
            self._shelve(rec)
        return rec

    def create_numbered_record(
        self,
        scope: str,
        make: Callable[[int], tuple[Record, Entry, Instant | None]],
        *,
        attempts: int = 5,
    ) -> tuple[Record, Entry]:
        before = self._sequences.get(scope, 0)
        for i in range(1, attempts + 1):
            rec, entry, next_alert = make(before + i)
            code = rec.code
            if code not in self._procedure:
                self._procedure[code] = rec.procedure_id
                self._records[code] = rec
                self._logs[code] = [entry.body + entry.hash]
                if self.keeps_outbox:
                    self._outbox_note(entry)
                self._sequences[scope] = before + i
                if next_alert is not None and rec.is_open:  # _after, inline: the usual receipt
                    self._alerts[code] = next_alert
                else:
                    self._after(rec, next_alert)
                return rec, entry
        raise numbering_failed(scope, attempts)

    def _after(self, rec: Record, next_alert: Instant | None) -> None:
        code = rec.code
        if next_alert is None:
            self._alerts.pop(code, None)
        else:
            self._alerts[code] = next_alert
        if not rec.is_open:
            self._shelve(rec)

    def _shelve(self, rec: Record) -> None:
        """Let a closed dossier's record go and keep its bodies on the shelf."""
        code = rec.code
        if self.compact_closed and code not in self._public:
            # Bodies only: the hashes follow from them (replayed on reading).
            log: list[bytes] = self._logs.pop(code)  # type: ignore[assignment]
            self._closed.put(code, b"\n".join(map(_body_of, log)), rec.tz)
            del self._records[code]
            self._given.pop(code, None)

    def _reopen(self, code: str) -> None:
        """Rebuild a compacted dossier's record and log from its bodies."""
        blob, tz = self._closed.pop(code)
        rec: Record | None = None
        prev = GENESIS_RAW
        log: list[bytes | Event] = []
        for raw in blob.split(b"\n"):
            entry = entry_of_body(raw, prev)
            rec = apply_entry(rec, entry, tz)
            log.append(raw + entry.hash)
            prev = entry.hash
        assert rec is not None
        self._records[code] = rec
        self._logs[code] = log

    # --- writing: the public form (imports, tests) ---------------------------------

    @_locked
    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        check_write(dossier, event, None)
        if dossier.code in self._procedure:
            raise ConflictError(f"dossier {dossier.code} already exists")
        self._procedure[dossier.code] = dossier.procedure_id
        self._public.add(dossier.code)
        self._records[dossier.code] = Record.from_dossier(dossier, _zone(dossier))
        self._given[dossier.code] = dossier.clone()
        self._logs[dossier.code] = [event]
        self._after(self._records[dossier.code], _ts(next_alert_at))

    @_locked
    def create_numbered(
        self,
        scope: str,
        make: Callable[[int], tuple[Dossier, Event, datetime | None]],
        *,
        attempts: int = 5,
    ) -> tuple[Dossier, Event]:
        """Take the next number of ``scope`` and store the dossier ``make(number)``
        builds; a number whose code is taken is skipped, up to ``attempts``
        times (then ConflictError, and the sequence is as it was)."""
        before = self._sequences.get(scope, 0)
        for i in range(1, attempts + 1):
            dossier, event, next_alert_at = make(before + i)
            if dossier.code not in self._procedure:
                self.create(dossier, event, next_alert_at)
                self._sequences[scope] = before + i
                return dossier, event
        raise numbering_failed(scope, attempts)

    @_locked
    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        check_write(dossier, event, expected_version)
        code = dossier.code
        stored = self.record(code, _zone(dossier))
        if stored is None or stored.version != expected_version:
            raise ConflictError(
                f"dossier {code} changed since it was read "
                f"(expected version {expected_version}); read it again and retry"
            )
        self._records[code] = Record.from_dossier(dossier, stored.tz)
        self._given[code] = dossier.clone()
        self._logs[code].append(event)
        self._public.add(code)
        self._after(self._records[code], _ts(next_alert_at))

    # --- reading ----------------------------------------------------------------

    @_locked
    def get(self, code: str) -> Dossier | None:
        given = self._given.get(code)
        if given is not None:
            return given.clone()
        rec = self._records.get(code)
        if rec is not None:
            return rec.to_dossier()
        if code in self._closed:
            return self._replayed(code).to_dossier()
        return None

    def _replayed(self, code: str) -> Record:
        found = self._closed.get(code)
        assert found is not None
        blob, tz = found
        rec: Record | None = None
        prev = GENESIS_RAW
        for raw in blob.split(b"\n"):
            entry = entry_of_body(raw, prev)
            rec = apply_entry(rec, entry, tz)
            prev = entry.hash
        assert rec is not None
        return rec

    @_locked
    def events(self, code: str) -> list[Event]:
        closed = self._closed.get(code)
        if closed is not None:
            blob, zone = closed
            out, prev = [], GENESIS_RAW
            for raw in blob.split(b"\n"):
                hash_ = link(prev, raw)
                out.append(event_of_body(raw, hash_, prev, zone))
                prev = hash_
            return out
        rec = self._records.get(code)
        return log_events(self._logs.get(code, []), rec.tz if rec is not None else None)

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        with self.act_lock:  # the codes as they are now, not as other threads go on
            found = []
            for code, proc in self._procedure.items():
                if open_only:
                    rec = self._records.get(code)
                    if rec is None or not rec.is_open:
                        continue
                if procedure_id is not None and proc != procedure_id:
                    continue
                found.append(code)
        return iter(found)

    @_locked
    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        t = ts_of(now)
        records = self._records
        due = sorted(
            (at, code)
            for code, at in self._alerts.items()
            if at <= t and code in records and records[code].is_open
        )
        return [code for _, code in due[:limit]]

    @_locked
    def next_sequence(self, scope: str) -> int:
        self._sequences[scope] = self._sequences.get(scope, 0) + 1
        return self._sequences[scope]

    def close(self) -> None:
        pass

    # --- the outbox (procflow.model.outbox): kept only for the engine's entries ---

    def _outbox_note(self, entry: Entry) -> None:
        """Keep an outbox item for ``entry`` if it notifies someone (called in
        the same call that stores the entry, after it is stored)."""
        if not self.keeps_outbox:
            return
        if entry_notifies(entry):
            self._outbox().add(entry.code, entry.seq, entry.type.value, entry.at)

    def _outbox(self) -> MemoryOutbox:
        box = self.__dict__.get("_outbox_box")
        if box is None:
            box = self.__dict__.setdefault("_outbox_box", MemoryOutbox())
        assert isinstance(box, MemoryOutbox)
        return box

    def outbox_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[OutboxItem]:
        return self._outbox().claim_items(now, worker, lease, limit)

    def outbox_fan_out(
        self, item: OutboxItem, deliveries: Sequence[NewDelivery], now: datetime
    ) -> int:
        return self._outbox().fan_out(item, deliveries, now)

    def outbox_items(self, *, done: bool | None = None, limit: int = 1000) -> list[OutboxItem]:
        return self._outbox().items(done, limit)

    def delivery_claim(
        self, now: datetime, *, worker: str, lease: timedelta, limit: int = 100
    ) -> list[Delivery]:
        return self._outbox().claim_deliveries(now, worker, lease, limit)

    def delivery_sent(self, key: str, *, worker: str, now: datetime) -> bool:
        return self._outbox().sent(key, worker, now)

    def delivery_failed(
        self, key: str, *, worker: str, now: datetime, error: str, retry_at: datetime | None
    ) -> bool:
        return self._outbox().failed(key, worker, now, error, retry_at)

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        code: str | None = None,
        recipient: str | None = None,
        limit: int = 1000,
        newest_first: bool = False,
    ) -> list[Delivery]:
        return self._outbox().list(status, code, limit, recipient, newest_first)

    def delivery_requeue(self, now: datetime, *, keys: Sequence[str] | None = None) -> int:
        return self._outbox().requeue(now, keys)


def log_events(log: list[bytes | Event], tz: tzinfo | None) -> list[Event]:
    """The public events of a log kept as ``body || hash`` items (the engine's
    entries) and events given in their public form, oldest first."""
    out: list[Event] = []
    prev = GENESIS_RAW
    for item in log:
        if isinstance(item, Event):
            out.append(item)
            prev = prev_raw(item.hash)
            continue
        raw, hash_ = item[:-32], item[-32:]
        out.append(event_of_body(raw, hash_, prev, tz))
        prev = hash_
    return out


def _zone(dossier: Dossier) -> tzinfo:
    tz = dossier.received_at.tzinfo
    assert tz is not None
    return tz


def _ts(value: datetime | None) -> Instant | None:
    return None if value is None else ts_of(value)
