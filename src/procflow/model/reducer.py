"""Fold events into dossier state.

The engine computes everything that needs the calendar or the procedure when
it creates an event, and writes the results into the event; this module only
applies them. So the same function serves the live path (apply the new event
to the stored state) and replay (apply every event to nothing), and replay
gives the state the engine acknowledged even if the calendar changed since.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from procflow.errors import StoreError
from procflow.model.dossier import TIMELINESS, Appointment, Dossier, Status, StepVisit
from procflow.model.events import TRANSITIONS, Event, EventType


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def apply(dossier: Dossier | None, event: Event) -> Dossier:
    """Return the dossier after ``event`` (mutating ``dossier`` in place)."""
    data = event.data
    if event.type in (EventType.RECEIVED, EventType.GUIDED, EventType.REFUSED_AT_RECEPTION):
        if dossier is not None:
            raise StoreError(f"{event.code}: a second {event.type.value} event for one dossier")
        dossier = _open(event)
    elif dossier is None:
        raise StoreError(f"{event.code}: event {event.seq} ({event.type.value}) before receipt")
    elif event.type in TRANSITIONS:
        _transition(dossier, event.at, data)
    elif event.type is EventType.APOLOGISED:
        due = _dt(data["new_due_at"])
        assert due is not None
        by = event.actor.agency if event.actor else None
        dossier.appointments.append(Appointment(due, event.at, data.get("reason"), by))
    elif event.type is EventType.FACTS_SET:
        dossier.facts.update(data["facts"])
    elif event.type in (EventType.WARNED, EventType.OVERDUE):
        dossier.alerts.append(data["alert"])
    elif event.type is EventType.MIGRATED:
        _migrate(dossier, event)
    elif event.type is EventType.RECALCULATED:
        due = _dt(data["due_at"])
        assert due is not None
        dossier.due_at = due
        step_due = _dt(data.get("step_due_at"))
        if step_due is not None:  # the current step's deadline moved too
            dossier.step_due_at = step_due
            if dossier.visits:
                dossier.visits[-1] = replace(dossier.visits[-1], due_at=step_due)
        appointment = _dt(data.get("appointment"))
        if appointment is not None:
            dossier.appointments.append(
                Appointment(
                    appointment, event.at, data.get("reason"), data.get("by"), "recalculated"
                )
            )
    else:  # pragma: no cover - every type is handled above
        raise StoreError(f"{event.code}: unknown event type {event.type}")
    dossier.version = event.seq
    dossier.updated_at = event.at
    dossier.last_hash = event.hash
    return dossier


def _open(event: Event) -> Dossier:
    data = event.data
    received = event.at
    due = _dt(data.get("due_at")) or received
    dossier = Dossier(
        code=event.code,
        procedure_id=data["procedure_id"],
        procedure_version=data["procedure_version"],
        desk_agency=data["desk_agency"],
        state=data["state"],
        received_at=received,
        due_at=due,
        state_entered_at=received,
        applicant=dict(data.get("applicant") or {}),
        facts=dict(data.get("facts") or {}),
    )
    if event.type is EventType.RECEIVED:
        dossier.step_due_at = _dt(data.get("step_due_at"))
        dossier.appointments.append(Appointment(due, received, None, data["desk_agency"]))
        dossier.visits.append(
            StepVisit(
                step=data["state"],
                agency=data.get("agency"),
                entered_at=received,
                due_at=dossier.step_due_at,
            )
        )
    else:
        # Not received: guidance or refusal at the desk; closed at once, no clock.
        dossier.status = Status.CLOSED
        dossier.outcome = data["state"]
        dossier.closed_at = received
    return dossier


def _transition(dossier: Dossier, at: datetime, data: dict[str, Any]) -> None:
    left = data["left"]
    visit = dossier.visits[-1] = dossier.visits[-1].closed(
        at,
        data["trigger"],
        data["to"],
        data.get("to_agency"),
        data.get("sender"),
        TIMELINESS[left["timeliness"]] if left.get("timeliness") else None,
        left["used_seconds"],
        left["late_seconds"],
    )

    if "due_at" in data:
        due = _dt(data["due_at"])
        assert due is not None
        if due != dossier.due_at and due > dossier.appointment:
            # The applicant answered and the clock moved the due date: the
            # date promised to them moves with it (not an apology).
            dossier.appointments.append(
                Appointment(due, at, "clock paused for the applicant", visit.agency, "resumed")
            )
        dossier.due_at = due
    if data.get("paused_seconds"):
        dossier.paused_seconds += data["paused_seconds"]
    if data.get("supplement"):
        dossier.supplements += 1
    dossier.paused_at = _dt(data.get("paused_at"))

    dossier.state = data["to"]
    dossier.state_entered_at = at
    dossier.step_due_at = _dt(data.get("step_due_at"))
    if data.get("outcome"):
        dossier.status = Status.CLOSED
        dossier.outcome = data["outcome"]
        dossier.closed_at = at
        dossier.timeliness = TIMELINESS[data["timeliness"]] if data.get("timeliness") else None
        dossier.step_due_at = None
    else:
        dossier.visits.append(
            StepVisit(
                step=data["to"],
                agency=data.get("to_agency"),
                entered_at=at,
                due_at=dossier.step_due_at,
            )
        )


def _migrate(dossier: Dossier, event: Event) -> None:
    """Another version of the procedure (procflow.versions.migrate computes the data).

    The visit to the old step is closed (trigger ``migrate``, with the working
    time used up to now) and a visit to the mapped step of the new version is
    opened, so the control slip shows both. The statutory due date changes
    only when the event carries one; pauses (``paused_at``, ``paused_seconds``)
    carry over untouched.
    """
    data = event.data
    at = event.at
    if dossier.visits:
        left = data.get("left") or {}
        dossier.visits[-1] = dossier.visits[-1].closed(
            at,
            "migrate",
            data["to_state"],
            data.get("to_agency"),
            data.get("sender"),
            None,
            left.get("used_seconds", 0.0),
            left.get("late_seconds", 0.0),
        )
    dossier.procedure_version = data["to_version"]
    if "due_at" in data:
        due = _dt(data["due_at"])
        assert due is not None
        dossier.due_at = due
    dossier.state = data["to_state"]
    dossier.state_entered_at = at
    dossier.step_due_at = _dt(data.get("step_due_at"))
    dossier.visits.append(
        StepVisit(
            step=data["to_state"],
            agency=data.get("to_agency"),
            entered_at=at,
            due_at=dossier.step_due_at,
        )
    )


def replay(events: list[Event]) -> Dossier:
    """Rebuild a dossier from its whole event log."""
    dossier: Dossier | None = None
    for event in events:
        dossier = apply(dossier, event)
    if dossier is None:
        raise StoreError("no events to replay")
    return dossier
