"""Rows to records and back, shared by every SQL store.

The SQLite store and the later PostgreSQL store write the same columns and
read them back the same way; keeping that here means the two cannot drift
apart, and the contract tests cover both through either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

import orjson

from procflow.errors import ConflictError, StoreError, TamperDetected
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.encoding import FORMAT, link, payload_data, prev_raw
from procflow.model.entry import Entry
from procflow.model.events import EVENT_TYPES, Event
from procflow.model.instant import Instant, ts_of
from procflow.model.record import Record, record_dict, record_of_row, row_body
from procflow.model.storage import check_import
from procflow.model.timefmt import iso, text_of
from procflow.model.worklist import work_fields
from procflow.store.schema import utc_key, utc_key_ts

DOSSIER_COLUMNS = (
    "code",
    "procedure_id",
    "procedure_version",
    "state",
    "status",
    "desk_agency",
    "received_at",
    "due_at",
    "closed_at",
    "next_alert_at",
    "version",
    "last_hash",
    "body",
    "holder",
    "assignee",
    "assigned_role",
    "deadline_at",
    "paused",
    "warned",
)
EVENT_COLUMNS = ("code", "seq", "type", "at", "actor", "data", "prev_hash", "hash", "format")

DossierRow = tuple[Any, ...]
"""The values of :data:`DOSSIER_COLUMNS`, in order."""
EventRow = tuple[str, int, str, str, str | None, str, str, str, int]

T = TypeVar("T")
R = TypeVar("R")
U = TypeVar("U")
NumberedRows = tuple[DossierRow, EventRow, tuple[T, U]]
"""What a numbered receipt inserts (its dossier row and first event row) and
what the store returns once they are committed."""


def _json(value: Any, what: str, code: str, seq: int | None = None) -> str:
    """``value`` as JSON text; ``what`` of dossier ``code`` (of its event
    ``seq``) names it if it cannot be, in the StoreError (worded only then:
    this runs on every transition)."""
    try:
        # Compact, with Vietnamese text kept readable in the file; orjson
        # because this runs on every transition.
        return orjson.dumps(value).decode()
    except (TypeError, ValueError) as exc:
        where = f"{what} {code}" if seq is None else f"{what} of {code} event {seq}"
        raise StoreError(f"{where} cannot be stored as JSON: {exc}") from exc


def _record_body(rec: Record) -> str:
    """A dossier row's ``body``: while the dossier is open, the record as one
    JSON list (:func:`row_body`), rewritten on every act; once it closes, the
    public form, written that once and then read by every report (which
    reads dossiers as ``Dossier.to_dict()`` gives them, instants as text:
    made from a list on each read, they cost a report over 100,000 closed
    dossiers 3.5 -> 4.8 s). Also the public form: a record whose zone has no
    name a list could give."""
    try:
        body = row_body(rec) if rec.is_open else None
        return (body if body is not None else orjson.dumps(record_dict(rec))).decode()
    except (TypeError, ValueError) as exc:  # as _json words it
        raise StoreError(f"dossier {rec.code} cannot be stored as JSON: {exc}") from exc


def work_columns(rec: Record) -> tuple[str | None, str | None, str | None, str | None, int, int]:
    """The worklist columns of a record (:func:`procflow.model.worklist.work_fields`):
    holder, assignee, assigned role, nearest deadline (a UTC key), paused, warned."""
    f = work_fields(rec)
    deadline = utc_key_ts(f.deadline) if f.deadline is not None else None
    return (f.holder, f.assignee, f.assigned_role, deadline, int(f.paused), int(f.warned))


def dossier_row(dossier: Dossier, next_alert_at: datetime | None) -> DossierRow:
    """The ``dossiers`` row for ``dossier``, in :data:`DOSSIER_COLUMNS` order."""
    work = work_columns(Record.from_dossier(dossier))
    return (
        dossier.code,
        dossier.procedure_id,
        dossier.procedure_version,
        dossier.state,
        dossier.status.value,
        dossier.desk_agency,
        utc_key(dossier.received_at),
        utc_key(dossier.due_at),
        utc_key(dossier.closed_at) if dossier.closed_at is not None else None,
        utc_key(next_alert_at) if next_alert_at is not None else None,
        dossier.version,
        dossier.last_hash,
        _json(dossier, "dossier", dossier.code),
        *work,
    )


def record_row(rec: Record, next_alert: Instant | None) -> DossierRow:
    """:func:`dossier_row` of the record's dossier, built from the record."""
    return (
        rec.code,
        rec.procedure_id,
        rec.procedure_version,
        rec.state,
        "open" if rec.is_open else "closed",
        rec.desk_agency,
        utc_key_ts(rec.received),
        utc_key_ts(rec.due),
        utc_key_ts(rec.closed) if rec.closed is not None else None,
        utc_key_ts(next_alert) if next_alert is not None else None,
        rec.version,
        rec.last_hash.hex(),
        _record_body(rec),
        *work_columns(rec),
    )


_ACTOR_TEXTS: dict[tuple[str, str, str | None, str | None], str] = {}


def _actor_text(actor: Actor) -> str:
    """An ``events`` row's ``actor``: the JSON object ``Actor.to_dict()`` gives,
    remembered by the actor's fields (a desk's officers act again and again).

    Not orjson's encoding of the dataclass, which adds the ``row`` field the
    actor keeps for event bodies: rows written by procflow from the eleventh
    session to the fifteenth carry it, and reading ignores it."""
    text = orjson.dumps(actor.to_dict()).decode()
    if len(_ACTOR_TEXTS) >= 4096:
        _ACTOR_TEXTS.clear()
    _ACTOR_TEXTS[actor.row] = text
    return text


def entry_row(entry: Entry, tz: tzinfo) -> EventRow:
    """The ``events`` row of an entry the engine wrote: its ``data`` is the
    entry's body, the bytes its hash covers (a JSON array, docs/engine.md
    "Event encoding"), as they are. The data object ``history`` shows is
    read from it (:func:`event_from_row`); no object is built and encoded
    on the way in, on every transition."""
    actor = entry.actor
    code, seq = entry.code, entry.seq
    return (
        code,
        seq,
        # the member's value as a plain attribute (``.value`` is a property
        # of the enum class, a Python call on every event)
        entry.type._value_,
        text_of(entry.at, entry.zone(tz)),
        None if actor is None else _ACTOR_TEXTS.get(actor.row) or _actor_text(actor),
        entry.body.decode(),
        entry.prev.hex(),
        entry.hash.hex(),
        2,
    )


def event_row(event: Event) -> EventRow:
    """The ``events`` row for ``event``, in :data:`EVENT_COLUMNS` order.

    ``at`` keeps the event's own ISO text (with its offset): that exact text
    is part of the hashed payload, so changing its form would break the chain.
    """
    return (
        event.code,
        event.seq,
        event.type.value,
        iso(event.at),
        None
        if event.actor is None
        else _json(event.actor.to_dict(), "actor", event.code, event.seq),
        _json(event.data, "data", event.code, event.seq),
        event.prev_hash,
        event.hash,
        event.format,
    )


def event_from_row(row: tuple[Any, ...], where: str) -> Event:
    """Read an ``events`` row; a row procflow cannot read is a StoreError naming
    it, and a row that does not hold the event its hash covers is
    :class:`~procflow.errors.TamperDetected`."""
    code, seq, type_, at, actor, data, prev_hash, hash_, fmt = row
    try:
        when = datetime.fromisoformat(at)
        who = Actor.from_dict(orjson.loads(actor)) if actor is not None else None
        return Event(
            code=code,
            seq=int(seq),
            type=EVENT_TYPES[type_],
            at=when,
            actor=who,
            # the engine's rows keep the event's body (a JSON array, entry_row);
            # rows written before schema 6, and events given in their public
            # form, their data object
            data=(
                _body_data(code, int(seq), type_, when, who, data, prev_hash, hash_, where)
                if data[:1] == "["
                else orjson.loads(data)
            ),
            prev_hash=prev_hash,
            hash=hash_,
            format=int(fmt),
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise StoreError(
            f"{where}: event {seq} of dossier {code} cannot be read ({exc}); the row was "
            "edited outside procflow or written by a newer release"
        ) from exc


def _body_data(
    code: str,
    seq: int,
    type_: str,
    when: datetime,
    who: Actor | None,
    data: str,
    prev_hash: str,
    hash_: str,
    where: str,
) -> dict[str, Any]:
    """The data object of a row that keeps its event's body, once the row is
    found whole: the body hashes, from the row's previous hash, to the row's
    hash, and the row's other columns are the body's own fields. A column
    edited apart from the body, or a body edited at all, is caught here,
    before anyone reads the event (``verify`` reports it for the dossier)."""
    raw = data.encode()
    items = orjson.loads(raw)
    off = when.utcoffset()
    head = [
        FORMAT,
        code,
        seq,
        type_,
        ts_of(when),
        None if off is None else int(off.total_seconds()),
        None if who is None else list(who.row),
    ]
    if link(prev_raw(prev_hash), raw).hex() != hash_ or items[:7] != head:
        raise TamperDetected(
            f"{where}: event {seq} of dossier {code}: content does not match its hash "
            "(edited outside procflow: the row's body, or a column beside it, was changed)"
        )
    return payload_data(items[7], items[8:], when.tzinfo or UTC)


def numbering_failed(scope: str, attempts: int) -> ConflictError:
    """What every store raises when ``create_numbered`` finds only taken codes."""
    return ConflictError(
        f"could not number a dossier in {scope!r}: {attempts} numbers in a row were taken "
        "(was the database restored from an older backup?)"
    )


def dossier_from_body(code: str, body: str, where: str) -> Dossier:
    """The dossier a row's ``body`` keeps: the record's list (schema 6 on) or
    the public form (rows written before, and dossiers given in it)."""
    return _read_body(code, body, where, _dossier_of)


def record_from_body(code: str, body: str, where: str, tz: tzinfo) -> Record:
    """:func:`dossier_from_body` as the record the engine acts on, in ``tz``:
    a row body of the record's list is read with no dossier on the way."""
    return _read_body(code, body, where, lambda found: _record_of(found, tz))


def dict_from_body(code: str, body: str, where: str) -> dict[str, Any]:
    """:func:`dossier_from_body` as ``Dossier.to_dict()`` gives it (what reports stream)."""
    return _read_body(code, body, where, _dict_of)


def _dossier_of(found: Any) -> Dossier:
    if isinstance(found, list):
        return record_of_row(found).to_dossier()
    return Dossier.from_dict(found)


def _record_of(found: Any, tz: tzinfo) -> Record:
    if isinstance(found, list):
        return record_of_row(found, tz)
    return Record.from_dossier(Dossier.from_dict(found), tz)


def _dict_of(found: Any) -> dict[str, Any]:
    if isinstance(found, list):
        return record_dict(record_of_row(found))
    if not isinstance(found, dict):
        raise ValueError("neither a record's list nor a dossier object")
    return found


def _read_body(code: str, body: str, where: str, read: Callable[[Any], R]) -> R:
    try:
        return read(orjson.loads(body))
    except (ValueError, TypeError, KeyError, AssertionError) as exc:
        raise StoreError(
            f"{where}: the stored state of dossier {code} cannot be read ({exc!r}); the row "
            "was edited outside procflow or written by a newer release"
        ) from exc


def check_write(dossier: Dossier, event: Event, expected_version: int | None) -> None:
    """Refuse a write that would break the store's invariants.

    A dossier's ``version`` is the number of its events and its ``last_hash``
    the hash of the last one; ``verify`` and the crash guarantees rely on
    that. The engine always keeps it so (the reducer sets both from the
    event); a mismatch here is a programming error, caught before it is made
    durable. ``expected_version`` is None for ``create``.
    """
    problems: list[str] = []
    if event.code != dossier.code:
        problems.append(f"the event is for dossier {event.code}")
    if dossier.version != event.seq:
        problems.append(f"the dossier's version is {dossier.version}, the event's seq {event.seq}")
    if dossier.last_hash != event.hash:
        problems.append("the dossier's last_hash is not the event's hash")
    if expected_version is None:
        if event.seq != 1:
            problems.append(f"a new dossier's first event must be seq 1, not {event.seq}")
    elif event.seq != expected_version + 1:
        problems.append(
            f"event seq {event.seq} does not follow the expected version {expected_version}"
        )
    if problems:
        raise StoreError(
            f"refusing to store dossier {dossier.code} with event {event.seq}: "
            + "; ".join(problems)
        )


def public_rows(
    make: Callable[[int], tuple[Dossier, Event, datetime | None]],
) -> Callable[[int], NumberedRows[Dossier, Event]]:
    """The rows of ``create_numbered``'s ``make(number)``, checked (:func:`check_write`)."""

    def rows_for(number: int) -> NumberedRows[Dossier, Event]:
        dossier, event, next_alert_at = make(number)
        check_write(dossier, event, None)
        return dossier_row(dossier, next_alert_at), event_row(event), (dossier, event)

    return rows_for


def record_rows(
    make: Callable[[int], tuple[Record, Entry, Instant | None]],
) -> Callable[[int], NumberedRows[Record, Entry]]:
    """The rows of ``create_numbered_record``'s ``make(number)``: built from
    the record and entry, with no public form on the way."""

    def rows_for(number: int) -> NumberedRows[Record, Entry]:
        rec, entry, next_alert = make(number)
        if entry.seq != 1 or rec.version != 1 or entry.code != rec.code:
            raise StoreError(
                f"refusing to store dossier {rec.code} with event {entry.seq} of "
                f"{entry.code}: a new dossier starts at its first event"
            )
        return record_row(rec, next_alert), entry_row(entry, rec.tz), (rec, entry)

    return rows_for


def new_dossier_rows(
    items: Iterable[tuple[Dossier, Event, datetime | None]],
) -> tuple[list[DossierRow], list[EventRow]]:
    """Rows for ``create_many``: new dossiers, each with its first event."""
    drows: list[DossierRow] = []
    erows: list[EventRow] = []
    for dossier, event, next_alert_at in items:
        check_write(dossier, event, None)
        drows.append(dossier_row(dossier, next_alert_at))
        erows.append(event_row(event))
    return drows, erows


def imported_dossier_rows(
    items: Iterable[tuple[Dossier, Sequence[Event]]],
) -> tuple[list[DossierRow], list[EventRow]]:
    """Rows for ``import_dossiers``: whole dossiers with their complete logs.

    Each log must end at its dossier's version and hash; otherwise nothing is
    imported (StoreError)."""
    drows: list[DossierRow] = []
    erows: list[EventRow] = []
    for dossier, events in items:
        check_import(dossier, events)
        drows.append(dossier_row(dossier, None))
        erows.extend(event_row(e) for e in events)
    return drows, erows
