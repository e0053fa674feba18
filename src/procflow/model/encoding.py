"""The bytes each event is hashed as: event format 2 (docs/engine.md, "Event encoding").

An event's *body* is a JSON array (RFC 8259) written compactly, UTF-8,
object keys sorted, no whitespace::

    [2, code, seq, type, at, offset_s, actor, kind, ...payload]

* ``2`` is the format number. Events written by procflow before it have no
  body; they are hashed as format 1 (:func:`procflow.model.events.canonical`)
  and verify in that form forever.
* ``at`` is the event's instant in POSIX seconds (seconds since 1970-01-01
  UTC, leap seconds aside): an integer on a whole second, else a number with
  at most six decimals, written in the shortest form that reads back as the
  same IEEE 754 double; ``offset_s`` is the UTC offset (seconds) it was
  recorded in. Every instant in a typed payload is written the same way.
* ``actor`` is ``null`` or ``[id, agency, role, name]``.
* ``kind`` says how the payload is laid out: ``"T"`` a transition and
  ``"R"`` a receipt, each a fixed list of fields (:data:`TRANSITION`,
  :data:`RECEIPT`); ``"O"`` one JSON
  object, the event's data as is (every other type, and any transition or
  receipt whose data the fixed layout cannot hold exactly).

The hash is ``SHA-256(previous hash (32 raw bytes; 32 zero bytes for the
first event) || body)``; stores show it in hex. An auditor needs nothing but
the bytes and this paragraph: tests/model/test_auditor.py is such a script.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import orjson

from procflow.model.actor import Actor
from procflow.model.instant import Instant, dt_of, ts_of
from procflow.model.timefmt import texts_in

FORMAT = 2
GENESIS_RAW = bytes(32)

_dumps = orjson.dumps
_SORT = orjson.OPT_SORT_KEYS
_sha256 = hashlib.sha256

TRANSITION = (
    "trigger",
    "from",
    "to",
    "to_agency",
    "sender",
    "note",
    "used_seconds",
    "late_seconds",
    "left_timeliness",
    "due_at",
    "paused_seconds",
    "supplement",
    "missing",
    "paused_at",
    "outcome",
    "timeliness",
    "step_due_at",
    "pause_reason",
)
"""The fields of a transition payload, in order (``"T"``). Instants
(``due_at``, ``paused_at``, ``step_due_at``) are POSIX seconds, in memory and
in the body alike; absent fields are null. ``pause_reason`` was added last:
a payload of 17 fields (no reason) still reads."""

RECEIPT = (
    "procedure_id",
    "procedure_version",
    "desk_agency",
    "state",
    "agency",
    "due_at",
    "step_due_at",
    "applicant",
    "facts",
    "documents",
    "version_override",
)
"""The fields of a receipt payload, in order (``"R"``)."""

T_DUE, T_PAUSED_S, T_SUPPLEMENT, T_MISSING, T_PAUSED_AT = 9, 10, 11, 12, 13
T_OUTCOME, T_TIMELINESS, T_STEP_DUE, T_PAUSE_REASON = 14, 15, 16, 17
R_DUE, R_STEP_DUE = 5, 6

SORTING = {"T": 0, "R": _SORT, "O": _SORT}
"""orjson's option per payload kind: a transition holds no objects, nothing to sort."""

_TRANSITION_TYPES = frozenset(
    {"moved", "handed_off", "paused", "resumed", "returned", "refused", "withdrawn", "stopped"}
)


def body(
    code: str,
    seq: int,
    type_: str,
    at: Instant,
    offset: int,
    actor: Actor | None,
    kind: str,
    payload: list[Any] | tuple[Any, ...],
) -> bytes:
    """The event's body (see the module). :class:`~procflow.model.entry.Entry`
    writes the same two lines inline: keep them in step."""
    row = None if actor is None else actor.row
    return _dumps([FORMAT, code, seq, type_, at, offset, row, kind, *payload], option=SORTING[kind])


def link(prev: bytes, data: bytes) -> bytes:
    """The raw SHA-256 hash chaining ``data`` to the event before it."""
    return _sha256(prev + data).digest()


def prev_raw(prev_hash: str) -> bytes:
    """The previous hash as raw bytes (the hex of stores; "" or zeros for the first)."""
    return bytes.fromhex(prev_hash) if prev_hash else GENESIS_RAW


# --- payloads: typed form <-> the event's data ------------------------------------------


def _zone(offset: int, tz: tzinfo | None, at: datetime | None) -> tzinfo:
    if tz is not None and at is not None and tz.utcoffset(at) == timedelta(seconds=offset):
        return tz
    return timezone(timedelta(seconds=offset))


def _text(t: Instant, zone: tzinfo) -> str:
    return texts_in(zone)[t]


def transition_data(p: list[Any] | tuple[Any, ...], zone: tzinfo) -> dict[str, Any]:
    """The data dict of a transition payload (instants as text in ``zone``)."""
    data: dict[str, Any] = {
        "trigger": p[0],
        "from": p[1],
        "to": p[2],
        "to_agency": p[3],
        "sender": p[4],
    }
    if p[5] is not None:
        data["note"] = p[5]
    data["left"] = {"used_seconds": p[6], "late_seconds": p[7], "timeliness": p[8]}
    if p[T_PAUSED_S] is not None:
        data["paused_seconds"] = p[T_PAUSED_S]
    if p[T_DUE] is not None:
        data["due_at"] = _text(p[T_DUE], zone)
    if p[T_SUPPLEMENT]:
        data["supplement"] = True
    if p[T_MISSING] is not None:
        data["missing"] = list(p[T_MISSING])
    if p[T_PAUSED_AT] is not None:
        data["paused_at"] = _text(p[T_PAUSED_AT], zone)
    if p[T_OUTCOME] is not None:
        data["outcome"] = p[T_OUTCOME]
    if p[T_TIMELINESS] is not None:
        data["timeliness"] = p[T_TIMELINESS]
    if p[T_STEP_DUE] is not None:
        data["step_due_at"] = _text(p[T_STEP_DUE], zone)
    if len(p) > T_PAUSE_REASON and p[T_PAUSE_REASON] is not None:
        data["pause_reason"] = p[T_PAUSE_REASON]
    return data


def receipt_data(p: list[Any] | tuple[Any, ...], zone: tzinfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure_id": p[0],
        "procedure_version": p[1],
        "desk_agency": p[2],
        "state": p[3],
        "agency": p[4],
        "due_at": _text(p[R_DUE], zone),
        "step_due_at": _text(p[R_STEP_DUE], zone) if p[R_STEP_DUE] is not None else None,
        "applicant": p[7],
        "facts": p[8],
        "documents": p[9],
    }
    if p[10] is not None:
        data["version_override"] = p[10]
    return data


def _ts_from_text(value: Any) -> Instant | None:
    return None if value is None else ts_of(datetime.fromisoformat(value))


def _typed(type_: str, data: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """``data`` in a fixed layout (instants in POSIX seconds), or None when it
    does not fit one: unknown keys, or a value the layout would change."""
    try:
        if type_ in _TRANSITION_TYPES:
            left = data["left"]
            p = [
                data["trigger"],
                data["from"],
                data["to"],
                data["to_agency"],
                data["sender"],
                data.get("note"),
                left["used_seconds"],
                left["late_seconds"],
                left["timeliness"],
                _ts_from_text(data.get("due_at")),
                data.get("paused_seconds"),
                True if data.get("supplement") else None,
                data.get("missing"),
                _ts_from_text(data.get("paused_at")),
                data.get("outcome"),
                data.get("timeliness"),
                _ts_from_text(data.get("step_due_at")),
                data.get("pause_reason"),
            ]
            return "T", p
        if type_ == "received":
            return "R", [
                data["procedure_id"],
                data["procedure_version"],
                data["desk_agency"],
                data["state"],
                data["agency"],
                _ts_from_text(data["due_at"]),
                _ts_from_text(data["step_due_at"]),
                data["applicant"],
                data["facts"],
                data["documents"],
                data.get("version_override"),
            ]
    except (KeyError, TypeError, ValueError):
        return None
    return None


def layout(
    type_: str, data: dict[str, Any], offset: int, at: datetime | None = None
) -> tuple[str, list[Any]]:
    """How the body of an event with this data is laid out: typed when the
    fixed layout gives the data back exactly, else one object (``"O"``).

    Writers and :func:`verify` both come here, so an event is always encoded
    the same way from the same data.
    """
    typed = _typed(type_, data)
    if typed is not None:
        kind, p = typed
        zone = timezone(timedelta(seconds=offset))
        back = transition_data(p, zone) if kind == "T" else receipt_data(p, zone)
        if back == data and orjson.dumps(back, option=_SORT) == orjson.dumps(data, option=_SORT):
            return kind, p
    return "O", [data]


def event_body(
    code: str, seq: int, type_: str, at: datetime, actor: Actor | None, data: dict[str, Any]
) -> bytes:
    """The format-2 body of an event given in its public form."""
    off = at.utcoffset()
    offset = int(off.total_seconds()) if off is not None else 0
    kind, payload = layout(type_, data, offset, at)
    return body(code, seq, type_, ts_of(at), offset, actor, kind, payload)


def decode(raw: bytes, tz: tzinfo | None = None) -> dict[str, Any]:
    """The fields of a body: code, seq, type, at (aware, in ``tz`` when its offset
    matches), actor, data (instants as text, as the data of the event)."""
    items = orjson.loads(raw)
    if not isinstance(items, list) or not items or items[0] != FORMAT:
        raise ValueError("not a format-2 event body")
    _, code, seq, type_, at, offset, actor, kind, *payload = items
    at_utc = dt_of(at, UTC)
    zone = _zone(offset, tz, at_utc)
    data = payload_data(kind, payload, zone)
    return {
        "code": code,
        "seq": seq,
        "type": type_,
        "at": at_utc.astimezone(zone),
        "actor": Actor(*actor) if actor is not None else None,
        "data": data,
    }


def payload_data(kind: str, payload: list[Any], zone: tzinfo) -> dict[str, Any]:
    """The data dict of a body's payload, of layout ``kind`` (instants as text
    in ``zone``): what ``history`` shows of the event."""
    if kind == "T":
        return transition_data(payload, zone)
    if kind == "R":
        return receipt_data(payload, zone)
    (data,) = payload
    if not isinstance(data, dict):
        raise ValueError("an event's data is a JSON object")
    return data
