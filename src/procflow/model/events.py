"""Events: the append-only log every dossier's state is rebuilt from.

Each event is chained to the one before it for the same dossier by a SHA-256
hash over its encoded form, so editing or deleting a stored event breaks
the chain and :func:`verify_chain` says where. Events carry the number of
the format they were hashed in: format 2 (:mod:`procflow.model.encoding`)
since the lean engine core, format 1 (:func:`canonical`, JSON of a dict with
sorted keys, hex digests chained as text) before it; old events keep
verifying in their own form. (Whoever can rewrite the whole
log can also recompute the chain; keeping a copy of the latest hashes
elsewhere, or signing them, closes that gap.)
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from procflow.model.actor import Actor
from procflow.model.encoding import event_body, link, prev_raw
from procflow.model.timefmt import iso

GENESIS = "0" * 64
"""The previous hash of a dossier's first event."""


class EventType(enum.StrEnum):
    RECEIVED = "received"
    """A complete dossier was received; the clock starts (receipt slip)."""
    GUIDED = "guided"
    """Incomplete at reception: written guidance to supplement; no clock starts."""
    REFUSED_AT_RECEPTION = "refused_at_reception"
    """The desk refused to receive the dossier, with a reason."""
    MOVED = "moved"
    """The dossier moved to another step of the same agency."""
    HANDED_OFF = "handed_off"
    """The dossier moved to a step of another agency (control-slip row)."""
    PAUSED = "paused"
    """The agency asked the applicant to act (supplement, payment); the clock stops."""
    RESUMED = "resumed"
    """The applicant answered; the clock runs again and the due date moved."""
    RETURNED = "returned"
    """The result was handed to the applicant."""
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    APOLOGISED = "apologised"
    """An apology and a new appointment were issued."""
    FACTS_SET = "facts_set"
    """Facts of the dossier that steer branches changed (e.g. needs verification)."""
    WARNED = "warned"
    """A deadline is near (sweep)."""
    OVERDUE = "overdue"
    """A deadline has passed (sweep)."""
    ESCALATED = "escalated"
    """An escalation rule of the procedure acted on a warning or an overdue
    deadline: notified a role, reassigned the dossier or fired a move (sweep)."""
    ASSIGNED = "assigned"
    """The dossier was assigned to an officer (or a role) of the agency holding it,
    or reassigned; a step may require that only the assigned officer moves it."""
    MIGRATED = "migrated"
    """Moved to another version of its procedure (explicit migration; the clock carries over)."""
    RECALCULATED = "recalculated"
    """The statutory due date was recomputed after a calendar change; a new appointment."""


EVENT_TYPES: dict[str, EventType] = {t.value: t for t in EventType}
"""Member by value, faster than calling the class (reading a log does it per event)."""

CLOSING = frozenset({EventType.RETURNED, EventType.REFUSED, EventType.WITHDRAWN, EventType.STOPPED})
TRANSITIONS = CLOSING | {
    EventType.MOVED,
    EventType.HANDED_OFF,
    EventType.PAUSED,
    EventType.RESUMED,
}


@dataclass(frozen=True, slots=True)
class Event:
    code: str
    seq: int
    type: EventType
    at: datetime
    actor: Actor | None
    data: dict[str, Any]
    prev_hash: str
    hash: str
    format: int = 2
    """The encoding the hash covers: 2 (:mod:`procflow.model.encoding`), or 1
    for events written before it (:func:`canonical`)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "seq": self.seq,
            "type": self.type.value,
            "at": iso(self.at),
            "actor": self.actor.to_dict() if self.actor else None,
            "data": self.data,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "format": self.format,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            code=d["code"],
            seq=d["seq"],
            type=EVENT_TYPES[d["type"]],
            at=datetime.fromisoformat(d["at"]),
            actor=Actor.from_dict(d["actor"]),
            data=d["data"],
            prev_hash=d["prev_hash"],
            hash=d["hash"],
            format=d.get("format", 1),
        )


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes: what listeners get as an event's data.

    A ``dict`` subclass, so that ``json`` and ``orjson`` write it as they write
    any dict (a listener forwarding events to a webhook needs nothing special).
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise TypeError(
            "an event's data is read-only: it is the stored log; copy it (dict(data)) "
            "to change a copy"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse


class FrozenList(list[Any]):
    """A list that refuses changes: lists inside an event's data, as listeners get them.

    A ``list`` subclass, so it equals the list it copies and serialises as one.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise TypeError(
            "an event's data is read-only: it is the stored log; copy it (list(items)) "
            "to change a copy"
        )

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = clear = extend = insert = pop = remove = reverse = sort = _refuse


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return FrozenList(_freeze(v) for v in value)
    return value


def frozen_event(event: Event) -> Event:
    """A copy of ``event`` whose data cannot be changed, nested values included,
    and shares nothing changeable with ``event``."""
    return Event(
        event.code,
        event.seq,
        event.type,
        event.at,
        event.actor,
        _freeze(event.data),
        event.prev_hash,
        event.hash,
        event.format,
    )


def canonical(
    code: str,
    seq: int,
    type_: str,
    at: datetime | str,
    actor: dict[str, Any] | None,
    data: dict[str, Any],
) -> bytes:
    """The exact bytes format-1 events are hashed as: compact JSON with sorted keys, UTF-8.

    ``type_`` may be the EventType itself: orjson writes a str enum as its value.

    orjson is used for speed (this runs on every transition); its output is
    deterministic for the same values, which is all the chain needs. ``at``
    may be the datetime itself: orjson writes it as the RFC 3339 text of
    :func:`procflow.model.timefmt.iso`, the same text ``isoformat`` gives.
    """
    return orjson.dumps([code, seq, type_, at, actor, data], option=orjson.OPT_SORT_KEYS)


def chain_hash(prev_hash: str, payload: bytes) -> str:
    """Format 1: the hex SHA-256 of the previous hex hash (as text) and the payload."""
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()


def make_event(
    code: str,
    seq: int,
    type_: EventType,
    at: datetime,
    actor: Actor | None,
    data: dict[str, Any],
    prev_hash: str,
) -> Event:
    """A new event in the current format, chained to ``prev_hash`` (hex)."""
    raw = event_body(code, seq, type_.value, at, actor, data)
    return Event(code, seq, type_, at, actor, data, prev_hash, link(prev_raw(prev_hash), raw).hex())


def event_hash(event: Event) -> str:
    """The hash ``event`` should carry, recomputed from its content in its format."""
    if event.format == 1:
        payload = canonical(
            event.code,
            event.seq,
            event.type,
            event.at,
            event.actor.to_dict() if event.actor else None,
            event.data,
        )
        return chain_hash(event.prev_hash, payload)
    if event.format != 2:
        raise ValueError(f"event format {event.format} is newer than this procflow knows")
    raw = event_body(event.code, event.seq, event.type.value, event.at, event.actor, event.data)
    return link(prev_raw(event.prev_hash), raw).hex()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    code: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.code} event {self.seq}: {self.problem}"


def verify_chain(code: str, events: Iterable[Event]) -> list[ChainProblem]:
    """Check one dossier's events: sequence without gaps, hashes chained."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    fmt = 1
    for event in events:
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(code, event.seq, f"expected event {expected_seq}: events are missing")
            )
        if event.prev_hash != prev:
            problems.append(ChainProblem(code, event.seq, "does not chain to the event before it"))
        try:
            recomputed = event_hash(event)
        except (ValueError, TypeError) as exc:
            problems.append(ChainProblem(code, event.seq, f"cannot be encoded: {exc}"))
            recomputed = None
        if recomputed is not None and recomputed != event.hash:
            problems.append(
                ChainProblem(code, event.seq, "content does not match its hash (edited)")
            )
        if event.format < fmt:
            problems.append(
                ChainProblem(
                    code, event.seq, f"format {event.format} after format {fmt} (rewritten)"
                )
            )
        fmt = event.format
        prev = event.hash
        expected_seq = event.seq + 1
    return problems
