"""A new event as the engine writes it: typed payload, encoded once, hashed once.

The engine builds an :class:`Entry` for every event it writes: the payload in
its typed form (instants as POSIX seconds), the format-2 body
(:mod:`procflow.model.encoding`) and its raw SHA-256 hash. A store applies it
to its record with :func:`apply_entry` and keeps what it needs: the body and
hash (the in-memory store), or the public :class:`~procflow.model.events.Event`
(:meth:`Entry.event`, the SQL stores' rows). Nothing on the way builds a data
dict, a datetime or a hex digest unless a store or a listener asks for one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta, timezone, tzinfo
from typing import Any

import orjson

from procflow.model.actor import Actor
from procflow.model.encoding import (
    FORMAT,
    SORTING,
    T_PAUSE_REASON,
    decode,
    layout,
    link,
    receipt_data,
    transition_data,
)
from procflow.model.events import EVENT_TYPES, Event, EventType
from procflow.model.instant import Instant, dt_of, ts_of
from procflow.model.record import Record
from procflow.model.reducer import apply_event, apply_transition, open_receipt

_sha256 = hashlib.sha256
_dumps = orjson.dumps


class Entry:
    """One event being written (see the module). ``payload`` is typed for
    ``kind`` "T" and "R" (POSIX-second instants) and ``[data]`` for "O"."""

    __slots__ = (
        "actor",
        "at",
        "body",
        "code",
        "hash",
        "kind",
        "offset",
        "payload",
        "prev",
        "result_ready",
        "seq",
        "type",
        "tz",
    )

    def __init__(
        self,
        code: str,
        seq: int,
        type_: EventType,
        at: Instant,
        offset: int,
        actor: Actor | None,
        kind: str,
        payload: list[Any],
        prev: bytes,
    ) -> None:
        self.code = code
        self.seq = seq
        self.type = type_
        self.at = at
        self.offset = offset
        self.actor = actor
        self.kind = kind
        self.payload = payload
        self.prev = prev
        # a move into the procedure's kind: return step, the result ready at
        # the desk (the engine sets it; stores keep an outbox item for it)
        self.result_ready = False
        # the zone ``offset`` was read from at ``at``, when the writer knows it
        # (the engine: its clock's zone): zone() then needs no look-up
        self.tz: tzinfo | None = None
        # encoding.body(), inline (a call an event less); the type is the
        # member itself: orjson writes a str enum as its value, and reading
        # ``.value`` costs more than the hash
        row = None if actor is None else actor.row
        self.body = raw = _dumps(
            [FORMAT, code, seq, type_, at, offset, row, kind, *payload], option=SORTING[kind]
        )
        self.hash = _sha256(prev + raw).digest()

    @classmethod
    def encoded(
        cls,
        code: str,
        seq: int,
        type_: EventType,
        at: Instant,
        offset: int,
        actor: Actor | None,
        payload: list[Any],
        prev: bytes,
        body: bytes,
        hash_: bytes,
    ) -> Entry:
        """The entry of a transition (``"T"``) its writer has already encoded
        and hashed (the engine's move, for a store or listener that reads one)."""
        entry = cls.__new__(cls)
        entry.code, entry.seq, entry.type, entry.at, entry.offset = code, seq, type_, at, offset
        entry.actor, entry.kind, entry.payload, entry.prev = actor, "T", payload, prev
        entry.body, entry.hash = body, hash_
        entry.result_ready = False
        entry.tz = None
        return entry

    @classmethod
    def of_event(cls, event: Event, prev: bytes) -> Entry:
        """The entry of an event built in its public form (rare acts, migrations)."""
        off = event.at.utcoffset()
        offset = int(off.total_seconds()) if off is not None else 0
        kind, payload = layout(event.type.value, event.data, offset, event.at)
        return cls(
            event.code,
            event.seq,
            event.type,
            ts_of(event.at),
            offset,
            event.actor,
            kind,
            payload,
            prev,
        )

    def zone(self, tz: tzinfo | None) -> tzinfo:
        """``tz`` if it has the entry's offset at its instant, else that fixed offset."""
        if tz is not None:
            if tz is self.tz:
                return tz
            off = tz.utcoffset(dt_of(self.at, UTC))
            if off is not None and int(off.total_seconds()) == self.offset:
                return tz
        return timezone(timedelta(seconds=self.offset))

    def data(self, tz: tzinfo | None = None) -> dict[str, Any]:
        if self.kind == "T":
            return transition_data(self.payload, self.zone(tz))
        if self.kind == "R":
            return receipt_data(self.payload, self.zone(tz))
        data: dict[str, Any] = self.payload[0]
        return data

    def event(self, tz: tzinfo | None = None) -> Event:
        """The public form: what ``history`` and listeners see."""
        zone = self.zone(tz)
        return Event(
            self.code,
            self.seq,
            self.type,
            dt_of(self.at, zone),
            self.actor,
            self.data(zone),
            self.prev.hex(),
            self.hash.hex(),
            2,
        )


def entry_of_body(raw: bytes, prev: bytes) -> Entry:
    """The entry a stored body encodes, hashed again from ``prev`` (replay of
    the in-memory store's closed dossiers, with no public form on the way)."""
    items = orjson.loads(raw)
    if not isinstance(items, list) or not items or items[0] != FORMAT:
        raise ValueError("not a format-2 event body")
    _, code, seq, type_, at, offset, actor, kind, *payload = items
    if kind == "T" and len(payload) <= T_PAUSE_REASON:
        payload.append(None)  # written before pause reasons: the reducer reads 18 fields
    entry = Entry.__new__(Entry)
    entry.code, entry.seq, entry.type = code, seq, EVENT_TYPES[type_]
    entry.at, entry.offset = at, offset
    entry.actor = Actor(*actor) if actor is not None else None
    entry.kind, entry.payload, entry.prev, entry.body = kind, payload, prev, raw
    entry.result_ready = False
    entry.tz = None
    entry.hash = link(prev, raw)
    return entry


def event_of_body(raw: bytes, hash_: bytes, prev: bytes, tz: tzinfo | None) -> Event:
    """The public event of a stored body (the in-memory store keeps bodies)."""
    f = decode(raw, tz)
    return Event(
        f["code"],
        f["seq"],
        EVENT_TYPES[f["type"]],
        f["at"],
        f["actor"],
        f["data"],
        prev.hex(),
        hash_.hex(),
        2,
    )


def apply_entry(rec: Record | None, entry: Entry, tz: tzinfo) -> Record:
    """The record after ``entry`` (``rec`` changed in place; None for a receipt)."""
    kind = entry.kind
    if kind == "T" and rec is not None:
        apply_transition(rec, entry.at, entry.payload)
    elif kind == "R" and rec is None:
        p = entry.payload
        rec = open_receipt(entry.code, entry.at, p, p[2], tz)
    else:
        ev = entry.event(tz)
        rec = apply_event(rec, ev, tz)
    rec.version = entry.seq
    rec.updated = entry.at
    rec.last_hash = entry.hash
    return rec
