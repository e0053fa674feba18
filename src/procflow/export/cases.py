"""The engine's log as process-mining cases: one case per dossier, one event
per stored event, streamed.

The mapping every format shares (docs/reports.md, "Export"):

* **case id** (``concept:name`` of the trace): the dossier code;
* **activity** (``concept:name`` of the event): for a transition (moved,
  handed_off, paused, resumed and the closing events) the *step completed*,
  i.e. the step the dossier left; for the other events their type
  (``received``, ``guided``, ``refused_at_reception``, ``apologised``,
  ``facts_set``, ``warned``, ``overdue``). So the directly-follows graph of
  the log is the path through the procedure's steps;
* **lifecycle:transition**: ``complete`` (each event marks a completion);
* **org:resource** / **org:group** / **org:role**: the acting officer's id,
  agency and role (the sweep acts as ``procflow`` of agency ``system``);
* **procflow extras** on events: the event type, seq, trigger, step left and
  entered, agency handed to, the completed step's due instant, working
  seconds used in it, working seconds late, and its lateness class
  (early / on_time / late);
* **procflow extras** on cases: procedure, desk, received, statutory due date,
  closed, outcome, lateness class, working seconds used (all agency steps),
  paused seconds, supplements, apologies.

Events are read in (code, seq) order (``SQLiteStore.iter_events`` pages
through them); only one dossier's events are held at a time, because the
case attributes (its final state) are written before its events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procflow.export.base import ExportOptions
from procflow.model.dossier import Dossier
from procflow.model.events import TRANSITIONS, Event, EventType
from procflow.model.instant import dt_of, dt_or_none
from procflow.model.record import V_AGENCY, V_DUE, V_ENTERED, Record
from procflow.model.reducer import apply_event

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = ["Case", "CaseEvent", "activity_of", "iter_cases", "iter_store_events"]

ALERTS = frozenset({EventType.WARNED, EventType.OVERDUE})


def activity_of(event: Event) -> str:
    """The activity label of an event (see the module docstring)."""
    if event.type in TRANSITIONS:
        return str(event.data["from"])
    return event.type.value


@dataclass(slots=True)
class CaseEvent:
    seq: int
    activity: str
    at: datetime
    resource: str | None
    group: str | None
    role: str | None
    extras: dict[str, Any]
    """procflow attributes, ``None`` values left out."""
    event_type: str
    to_agency: str | None = None


@dataclass(slots=True)
class Case:
    code: str
    dossier: Dossier
    events: list[CaseEvent] = field(default_factory=list)

    def extras(self) -> dict[str, Any]:
        """Case-level procflow attributes (``None`` values left out)."""
        d = self.dossier
        values: dict[str, Any] = {
            "procedure": d.procedure_id,
            "procedure_version": d.procedure_version,
            "desk": d.desk_agency,
            "received": d.received_at,
            "due": d.due_at if d.outcome not in ("guided", "refused_at_reception") else None,
            "closed": d.closed_at,
            "status": d.status.value,
            "outcome": d.outcome,
            "lateness": d.timeliness.value if d.timeliness else None,
            "working_seconds": sum(v.used_seconds for v in d.visits),
            "paused_seconds": d.paused_seconds,
            "supplements": d.supplements,
            "apologies": d.apologies,
        }
        return {k: v for k, v in values.items() if v is not None}


def iter_store_events(store: Store) -> Iterator[Event]:
    """Every event in (code, seq) order (paged by the database where it can be)."""
    yield from store.iter_events()


def _case_event(rec: Record | None, event: Event) -> CaseEvent:
    data = event.data
    actor = event.actor
    extras: dict[str, Any] = {"event_type": event.type.value, "seq": event.seq}
    to_agency = None
    if event.type in TRANSITIONS:
        assert rec is not None
        visit = rec.visit(-1)  # read before it is applied: the step being left
        left = data["left"]
        to_agency = data.get("to_agency")
        extras.update(
            trigger=data["trigger"],
            from_step=data["from"],
            to_step=data["to"],
            to_agency=to_agency,
            step_agency=visit[V_AGENCY],
            step_entered=dt_of(visit[V_ENTERED], rec.tz),
            step_due=dt_or_none(visit[V_DUE], rec.tz),
            working_seconds=left["used_seconds"],
            late_seconds=left["late_seconds"],
            lateness=left.get("timeliness"),
        )
    elif event.type is EventType.APOLOGISED:
        extras.update(new_appointment=datetime.fromisoformat(data["new_due_at"]))
    elif event.type in ALERTS:
        extras.update(scope=data.get("scope"), holder=data.get("holder"))
    elif event.type is EventType.RECEIVED:
        extras.update(due=datetime.fromisoformat(data["due_at"]))
    return CaseEvent(
        seq=event.seq,
        activity=activity_of(event),
        at=event.at,
        resource=actor.id if actor else None,
        group=actor.agency if actor else None,
        role=actor.role if actor else None,
        extras={k: v for k, v in extras.items() if v is not None},
        event_type=event.type.value,
        to_agency=to_agency,
    )


def iter_cases(store: Store, options: ExportOptions | None = None) -> Iterator[Case]:
    """One :class:`Case` per dossier, its state rebuilt from its own events."""
    options = options or ExportOptions()
    case: Case | None = None
    rec: Record | None = None
    skip: str | None = None
    for event in iter_store_events(store):
        if event.code == skip:
            continue
        if case is None or event.code != case.code:
            if case is not None:
                assert rec is not None
                case.dossier = rec.to_dossier()
                yield case
            case, rec = None, None
            if options.procedure is not None and event.data.get("procedure_id") != (
                options.procedure
            ):
                skip = event.code
                continue
            skip = None
        entry = _case_event(rec, event)
        zone = rec.tz if rec is not None else event.at.tzinfo
        assert zone is not None
        rec = apply_event(rec, event, zone)
        if case is None:
            case = Case(event.code, rec.to_dossier())
        if options.alerts or event.type not in ALERTS:
            case.events.append(entry)
    if case is not None:
        assert rec is not None
        case.dossier = rec.to_dossier()
        yield case
