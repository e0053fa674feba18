"""Fold events into dossier state: one function per kind of event, on records.

The engine computes everything that needs the calendar or the procedure when
it creates an event, and writes the results into the event; this module only
applies them. The engine's hot path calls :func:`open_receipt` and
:func:`apply_transition` directly with the typed payloads it has just built
(no dispatch, no data dicts); :func:`apply_event` reads any stored event
(format 1 or 2, its data dict) and calls the same functions, so ``replay``,
``verify`` and recovery rebuild exactly the state the engine acknowledged,
even if the calendar changed since.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from procflow.errors import StoreError
from procflow.model.dossier import Dossier
from procflow.model.encoding import (
    R_DUE,
    R_STEP_DUE,
    T_PAUSED_AT,
    T_SUPPLEMENT,
)
from procflow.model.events import TRANSITIONS, Event, EventType
from procflow.model.instant import Instant, ts_of
from procflow.model.record import LAST_AGENCY, LAST_LEFT, V_DUE, VISIT_WIDTH, Record, new_visit

_OPENING = frozenset({EventType.RECEIVED, EventType.GUIDED, EventType.REFUSED_AT_RECEPTION})


def _ts(value: str | None) -> Instant | None:
    return ts_of(datetime.fromisoformat(value)) if value is not None else None


def open_receipt(
    code: str, at: Instant, p: list[Any] | tuple[Any, ...], desk: str, tz: tzinfo
) -> Record:
    """The record a ``received`` event opens (``p`` in :data:`~procflow.model.encoding.RECEIPT`
    order, instants as POSIX seconds): the clock starts."""
    rec = Record(code, p[0], p[1], p[2], p[3], at, p[R_DUE], tz, dict(p[7]), dict(p[8]))
    step_due = rec.step_due = p[R_STEP_DUE]
    rec.appointments.append((rec.due, at, None, desk, None))
    rec.cells += new_visit(p[3], p[4], at, step_due)  # Record.open_visit, inline
    return rec


def apply_transition(rec: Record, at: Instant, p: list[Any] | tuple[Any, ...]) -> None:
    """Move the record as a transition event says (``p`` in
    :data:`~procflow.model.encoding.TRANSITION` order, all 18 fields, instants
    as POSIX seconds)."""
    # One unpacking: 19 instructions for the 18 fields, where reading the
    # dozen it uses one by one cost three each.
    # fmt: off
    (
        trigger, _, to, agency, sender, _, used, late, left,
        due, paused_s, supplement, _, paused_at, outcome, timeliness, step_due, reason,
    ) = p
    # fmt: on
    if paused_s or reason is not None or supplement or rec.pause_reason is not None:
        _pause(rec, p, paused_s, reason)  # a pause begins or ends here
    if due is not None:
        if due != rec.due and due > rec.appointment:
            # The applicant answered and the clock moved the due date: the
            # date promised to them moves with it (not an apology).
            by = rec.cells[LAST_AGENCY]
            rec.appointments.append((due, at, "clock paused for the applicant", by, "resumed"))
        rec.due = due
    rec.paused = paused_at
    rec.state = to
    rec.entered = at
    if rec.assignee is not None or rec.assigned_role is not None:
        rec.assignee = rec.assigned_role = None  # an assignment is to a step
    # The visit left: its cells from ``left`` on (Record.cells), in place,
    # and, unless the dossier closes, the visit entered (new_visit, inline:
    # one slice assignment does both).
    if outcome:
        rec.cells[LAST_LEFT:] = (at, trigger, to, agency, sender, left, used, late)
        rec.is_open = False
        rec.outcome = outcome
        rec.closed = at
        rec.timeliness = timeliness
        rec.step_due = None
    else:
        rec.step_due = step_due
        # fmt: off
        rec.cells[LAST_LEFT:] = (
            at, trigger, to, agency, sender, left, used, late,  # the visit left, from V_LEFT
            to, agency, at, step_due, None, None, None, None, None, None, 0.0, 0.0,  # entered
        )
        # fmt: on


def _pause(rec: Record, p: list[Any] | tuple[Any, ...], paused_s: Any, reason: str | None) -> None:
    """The pause a transition ends (its working seconds, by reason) and the one
    it begins (counted by reason: a supplement request is one reason among others)."""
    if paused_s and rec.pause_reason is not None:  # the pause that ends here
        _count(rec, rec.pause_reason, 0, paused_s)
    rec.pause_reason = None
    if reason is None and p[T_SUPPLEMENT]:
        reason = "supplement"  # events written before reasons were recorded
    if reason is not None:
        _count(rec, reason, 1, 0.0)
        if p[T_PAUSED_AT] is not None:
            rec.pause_reason = reason
    if paused_s:
        rec.paused_seconds += paused_s
    if p[T_SUPPLEMENT]:
        rec.supplements += 1


def _count(rec: Record, reason: str, n: int, seconds: float) -> None:
    acc = rec.pauses.get(reason)
    if acc is None:
        acc = rec.pauses[reason] = {"count": 0, "seconds": 0.0}
    acc["count"] += n
    acc["seconds"] += seconds


def _payload_receipt(data: dict[str, Any]) -> list[Any]:
    return [
        data["procedure_id"],
        data["procedure_version"],
        data["desk_agency"],
        data["state"],
        data.get("agency"),
        _ts(data.get("due_at")),
        _ts(data.get("step_due_at")),
        data.get("applicant") or {},
        data.get("facts") or {},
    ]


def _payload_transition(data: dict[str, Any]) -> list[Any]:
    left = data["left"]
    return [
        data["trigger"],
        data["from"],
        data["to"],
        data.get("to_agency"),
        data.get("sender"),
        data.get("note"),
        left["used_seconds"],
        left["late_seconds"],
        left.get("timeliness") or None,
        _ts(data.get("due_at")),
        data.get("paused_seconds"),
        data.get("supplement"),
        data.get("missing"),
        _ts(data.get("paused_at")),
        data.get("outcome"),
        data.get("timeliness") or None,
        _ts(data.get("step_due_at")),
        data.get("pause_reason"),
    ]


def apply_event(rec: Record | None, event: Event, tz: tzinfo) -> Record:
    """Return the record after ``event`` (changing ``rec`` in place)."""
    data = event.data
    at = ts_of(event.at)
    type_ = event.type
    if type_ in _OPENING:
        if rec is not None:
            raise StoreError(f"{event.code}: a second {type_.value} event for one dossier")
        p = _payload_receipt(data)
        if type_ is EventType.RECEIVED:
            if p[R_DUE] is None:
                p[R_DUE] = at
            rec = open_receipt(event.code, at, p, data["desk_agency"], tz)
        else:
            # Not received: guidance or refusal at the desk; closed at once, no clock.
            rec = Record(event.code, p[0], p[1], p[2], p[3], at, p[R_DUE] or at, tz, p[7], p[8])
            rec.is_open = False
            rec.outcome = data["state"]
            rec.closed = at
    elif rec is None:
        raise StoreError(f"{event.code}: event {event.seq} ({type_.value}) before receipt")
    elif type_ in TRANSITIONS:
        apply_transition(rec, at, _payload_transition(data))
    elif type_ is EventType.APOLOGISED:
        by = event.actor.agency if event.actor else None
        rec.appointments.append((_ts(data["new_due_at"]), at, data.get("reason"), by, None))  # type: ignore[arg-type]
    elif type_ is EventType.FACTS_SET:
        rec.facts.update(data["facts"])
        # facts that chose another time limit (its cases): the due date recounted
        due = _ts(data.get("due_at"))
        if due is not None:
            rec.due = due
    elif type_ in (EventType.WARNED, EventType.OVERDUE):
        # An overdue event may stand for the warning of its deadline too (a
        # sweep that came late); events written before that rule have no
        # ``supersedes``.
        superseded = data.get("supersedes")
        rec.alerts = (*rec.alerts, *(superseded or ()), data["alert"])
    elif type_ is EventType.ESCALATED:
        # Recorded by its key, so that each rule acts once per deadline.
        rec.alerts = (*rec.alerts, data["key"])
        if data.get("reassign"):
            rec.assignee, rec.assigned_role = None, data["reassign"]
    elif type_ is EventType.ASSIGNED:
        rec.assignee = data.get("officer")
        rec.assigned_role = data.get("role")
    elif type_ is EventType.MIGRATED:
        _migrate(rec, at, data)
    elif type_ is EventType.RECALCULATED:
        _recalculate(rec, at, data)
    else:  # pragma: no cover - every type is handled above
        raise StoreError(f"{event.code}: unknown event type {type_}")
    rec.version = event.seq
    rec.updated = at
    rec.last_hash = bytes.fromhex(event.hash)
    return rec


def _recalculate(rec: Record, at: Instant, data: dict[str, Any]) -> None:
    due = _ts(data["due_at"])
    assert due is not None
    rec.due = due
    step_due = _ts(data.get("step_due_at"))
    if step_due is not None:  # the current step's deadline moved too
        rec.step_due = step_due
        if rec.cells:
            rec.cells[V_DUE - VISIT_WIDTH] = step_due
    appointment = _ts(data.get("appointment"))
    if appointment is not None:
        rec.appointments.append(
            (appointment, at, data.get("reason"), data.get("by"), "recalculated")
        )


def _migrate(rec: Record, at: Instant, data: dict[str, Any]) -> None:
    """Another version of the procedure (procflow.versions.migrate computes the data).

    The visit to the old step is closed (trigger ``migrate``, with the working
    time used up to now) and a visit to the mapped step of the new version is
    opened, so the control slip shows both. The statutory due date changes
    only when the event carries one; pauses (``paused_at``, ``paused_seconds``)
    carry over untouched.
    """
    if rec.cells:
        left = data.get("left") or {}
        rec.cells[LAST_LEFT:] = (
            at,
            "migrate",
            data["to_state"],
            data.get("to_agency"),
            data.get("sender"),
            None,
            left.get("used_seconds", 0.0),
            left.get("late_seconds", 0.0),
        )
    rec.procedure_version = data["to_version"]
    if "due_at" in data:
        due = _ts(data["due_at"])
        assert due is not None
        rec.due = due
    rec.state = data["to_state"]
    rec.entered = at
    step_due = rec.step_due = _ts(data.get("step_due_at"))
    rec.open_visit(data["to_state"], data.get("to_agency"), at, step_due)


def replay_record(events: list[Event], tz: tzinfo | None = None) -> Record:
    """Rebuild a dossier's record from its whole event log (instants shown in ``tz``,
    by default the zone of its first event)."""
    if not events:
        raise StoreError("no events to replay")
    zone = tz or events[0].at.tzinfo
    assert zone is not None
    rec: Record | None = None
    for event in events:
        rec = apply_event(rec, event, zone)
    assert rec is not None
    return rec


def replay(events: list[Event], tz: tzinfo | None = None) -> Dossier:
    """Rebuild a dossier from its whole event log."""
    return replay_record(events, tz).to_dossier()


def apply(dossier: Dossier | None, event: Event, tz: tzinfo | None = None) -> Dossier:
    """The dossier after ``event`` (a new object; for callers holding the public form)."""
    zone = tz or (dossier.received_at.tzinfo if dossier is not None else event.at.tzinfo)
    assert zone is not None
    rec = Record.from_dossier(dossier, zone) if dossier is not None else None
    return apply_event(rec, event, zone).to_dossier()
