"""Calendar changes after the fact: which due dates move, and by how much.

The engine stores every due date it computes, so when the government
announces a swap of working days or an extra holiday after appointments
were given, nothing moves by itself. :func:`recalc` recomputes the statutory
due date of every open dossier from its log (receipt instant, pauses,
restarts; :func:`procflow.versions.clock.recompute_due`) on the new
calendar, lists the dossiers whose due date would move, and only with
``apply=True`` records a ``recalculated`` event on each.

The appointment already given to the applicant stays recorded: the event
adds a new appointment beside it (``Appointment.kind == "recalculated"``,
not an apology). When the applicant holds an apology date later than the
new due date, that date still stands and no new appointment is added.

The deadline of the step each dossier is in now is recomputed too (from
the instant it entered the step, by the step's allotment), so the sweep
warns and the control slip judges the step on the new calendar. Steps
already left keep the deadlines they were judged by: their timeliness is
history, recorded in the log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from procflow.definition.model import Duration
from procflow.engine import SYSTEM, Actor, Dossier, Engine, EventType
from procflow.engine.timing import Deadline, deadline
from procflow.errors import ConflictError, ProcflowError
from procflow.versions.clock import limits_of, recompute_due

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar

__all__ = ["DueChange", "RecalcReport", "recalc"]


@dataclass
class DueChange:
    """One open dossier whose statutory due date moves on the new calendar."""

    code: str
    procedure_id: str
    procedure_version: str
    state: str
    holder: str | None
    received_at: datetime
    due_before: datetime
    due_after: datetime
    appointment_before: datetime
    appointment_after: datetime | None
    """The new date promised to the applicant, or None when the one given stands."""
    paused: bool
    status: str = "would move"
    """``would move``, ``moved`` (applied), ``conflict`` or ``error``."""
    note: str | None = None
    step_due_before: datetime | None = None
    step_due_after: datetime | None = None
    """The current step's new deadline, or None when it does not move."""

    @property
    def shift(self) -> timedelta:
        return self.due_after - self.due_before

    @property
    def shift_days(self) -> int:
        """Calendar days between the old and the new due date (negative: earlier)."""
        return (self.due_after.date() - self.due_before.date()).days

    def describe(self) -> str:
        sign = "+" if self.shift_days >= 0 else ""
        text = (
            f"{self.due_before:%d/%m/%Y %H:%M} → {self.due_after:%d/%m/%Y %H:%M} "
            f"({sign}{self.shift_days} day(s))"
        )
        if self.step_due_before is not None and self.step_due_after is not None:
            text += (
                f"; step {self.state}: {self.step_due_before:%d/%m/%Y %H:%M} → "
                f"{self.step_due_after:%d/%m/%Y %H:%M}"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure_id": self.procedure_id,
            "procedure_version": self.procedure_version,
            "state": self.state,
            "holder": self.holder,
            "received_at": self.received_at.isoformat(),
            "due_before": self.due_before.isoformat(),
            "due_after": self.due_after.isoformat(),
            "shift_days": self.shift_days,
            "shift_hours": round(self.shift.total_seconds() / 3600, 2),
            "appointment_before": self.appointment_before.isoformat(),
            "appointment_after": (
                self.appointment_after.isoformat() if self.appointment_after else None
            ),
            "paused": self.paused,
            "step_due_before": _iso(self.step_due_before),
            "step_due_after": _iso(self.step_due_after),
            "status": self.status,
            "note": self.note,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class RecalcReport:
    calendar: str
    applied: bool
    checked: int = 0
    changes: list[DueChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def moved(self) -> int:
        return sum(1 for c in self.changes if c.status == "moved")

    def to_dict(self) -> dict[str, Any]:
        return {
            "calendar": self.calendar,
            "applied": self.applied,
            "checked": self.checked,
            "would_move": len(self.changes),
            "moved": self.moved,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "dossiers": [c.to_dict() for c in self.changes],
        }


def _limit_of(engine: Engine, procedure_id: str) -> Any:
    def limit_of(version: str) -> Deadline:
        return Deadline.of_procedure(engine.catalogue.get(procedure_id, version).procedure)

    return limit_of


def _change(
    engine: Engine,
    calendar: WorkCalendar,
    d: Dossier,
    step_calendar: WorkCalendar | None = None,
) -> DueChange | None:
    """The change of ``d``'s due dates: the statutory one on ``calendar``, the
    current step's on ``step_calendar`` (default: ``calendar``)."""
    events = engine.store.events(d.code)
    if not events or events[-1].seq != d.version:
        raise ConflictError(f"{d.code} changed while it was read")
    due = recompute_due(
        calendar,
        events,
        _limit_of(engine, d.procedure_id),
        limit_for=limits_of(engine.catalogue, d.procedure_id),
    )
    proc = engine.procedure_of(d)
    step_due = _step_due(step_calendar or calendar, proc.states[d.state].allotment, d)
    if due == d.due_at and step_due is None:
        return None
    current = d.appointment
    # The slip promised the due date itself: the new due date is the new promise.
    # A later apology date still stands unless the new due date passes it; a
    # due date that does not move promises nothing new.
    appointment: datetime | None = due
    if due == d.due_at or (current != d.due_at and current >= due):
        appointment = None
    return DueChange(
        code=d.code,
        procedure_id=d.procedure_id,
        procedure_version=d.procedure_version,
        state=d.state,
        holder=proc.states[d.state].agency,
        received_at=d.received_at,
        due_before=d.due_at,
        due_after=due.astimezone(calendar.tz),
        appointment_before=current,
        appointment_after=appointment.astimezone(calendar.tz) if appointment else None,
        paused=d.is_paused,
        step_due_before=d.step_due_at if step_due is not None else None,
        step_due_after=step_due.astimezone(calendar.tz) if step_due is not None else None,
    )


def _step_due(calendar: WorkCalendar, allotment: Duration | None, d: Dossier) -> datetime | None:
    """The current step's deadline on ``calendar``, when it differs from the stored one.

    Counted, as the engine counts it, from the instant the dossier entered
    the step; a migration to another version re-enters the mapped step but
    keeps counting from the original entry (``procflow.versions.migrate``).
    """
    if allotment is None or d.step_due_at is None:
        return None
    start = d.state_entered_at
    first = len(d.visits) - 1
    for visit in reversed(d.visits[:-1]):
        if visit.trigger != "migrate":
            break
        start = visit.entered_at
        first -= 1
    if first == 0:  # the step the dossier entered at receipt: counted as the receipt is
        start = calendar.received_at(start)
    due = deadline(calendar, start, allotment)
    return None if due == d.step_due_at else due


def recalc(
    engine: Engine,
    calendar: WorkCalendar | None = None,
    *,
    apply: bool = False,
    actor: Actor = SYSTEM,
    reason: str | None = None,
    procedure_id: str | None = None,
    retries: int = 3,
    on_progress: Callable[[int], None] | None = None,
) -> RecalcReport:
    """Recompute the due date of every open dossier on ``calendar`` (default:
    the engine's, i.e. the calendar as it is now) and list those that move.

    Without ``calendar``, each dossier is recomputed on the calendars its
    procedure names (several calendars in one engine): the statutory due date
    on the procedure's, the current step's on its agency's. A ``calendar``
    given is used for every dossier and both dates.

    With ``apply`` each moving dossier gets one ``recalculated`` event, in one
    atomic store call with the version read; a dossier someone moves
    meanwhile is read again and recomputed. ``on_progress``, if given, is
    called with the number of dossiers checked so far after each one (a
    progress bar).
    """
    started = time.perf_counter()
    cal = calendar or engine.calendar
    report = RecalcReport(cal.name, apply)
    why = reason or f"calendar changed ({cal.name})"
    codes = [
        d["code"]
        for d in engine.store.iter_dossier_dicts(open_only=True, procedure_id=procedure_id)
        if d["status"] == "open" and d["version"] > 0
    ]
    now = engine.clock.now() if apply else None
    for code in codes:
        report.checked += 1
        change: DueChange | None = None
        for _attempt in range(max(1, retries)):
            d = engine.store.get(code)
            if d is None or not d.is_open:
                change = None
                break
            on = cal
            try:
                if calendar is None:
                    cals = engine.calendars_of(d.procedure_id, d.procedure_version)
                    on = cals.statutory
                    change = _change(engine, on, d, cals.of_agency(d.holder))
                else:
                    change = _change(engine, cal, d)
            except ConflictError:
                continue
            except ProcflowError as exc:  # e.g. a date outside the calendar's years
                report.errors.append(f"{code}: {exc}")
                change = None
                break
            if change is None or not apply:
                break
            assert now is not None
            data: dict[str, Any] = {
                "due_at": change.due_after.isoformat(),
                "previous_due_at": change.due_before.isoformat(),
                **(
                    {
                        "step_due_at": change.step_due_after.isoformat(),
                        "previous_step_due_at": _iso(change.step_due_before),
                    }
                    if change.step_due_after is not None
                    else {}
                ),
                "appointment": (
                    change.appointment_after.isoformat() if change.appointment_after else None
                ),
                "calendar": on.name,
                "reason": why,
                "by": d.desk_agency,
            }
            try:
                engine.write_event(
                    engine.procedure_of(d), d, EventType.RECALCULATED, now, actor, data
                )
            except ConflictError:
                change.status = "conflict"
                continue
            change.status = "moved"
            break
        if change is not None:
            if change.status == "conflict":
                change.note = "changed by someone else while recalculating; run again"
            report.changes.append(change)
        if on_progress is not None:
            on_progress(report.checked)
    report.seconds = time.perf_counter() - started
    return report
