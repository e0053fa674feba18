"""Dossiers and events for the store tests, built directly from the records.

The store must not care how the engine computes a state, only that each
write keeps a dossier's ``version`` equal to its number of events and its
``last_hash`` equal to the last event's hash. These builders keep exactly
that, without a procedure, a calendar or the engine, so the store tests (and
the child processes of the crash and race tests) stay small and fast.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from procflow.model.actor import Actor
from procflow.model.dossier import Appointment, Dossier, Status, StepVisit, Timeliness
from procflow.model.events import GENESIS, Event, EventType, make_event

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2025, 3, 3, 8, 0, tzinfo=VN)
DESK = Actor("lan", "ubnd-xa-an-binh", "desk-officer", "Trần Thị Lan")
OFFICER = Actor("hoa", "ubnd-xa-an-binh")
PROCEDURE = "vn.khai-sinh"


def receive(
    code: str,
    *,
    at: datetime = T0,
    procedure_id: str = PROCEDURE,
    due: timedelta = timedelta(days=3),
) -> tuple[Dossier, Event]:
    """A freshly received dossier and its ``received`` event (seq 1)."""
    due_at = at + due
    data: dict[str, Any] = {
        "procedure_id": procedure_id,
        "procedure_version": "2025.1",
        "desk_agency": DESK.agency,
        "state": "tiep-nhan",
        "agency": DESK.agency,
        "due_at": due_at.isoformat(),
        "applicant": {"name": "Nguyễn Văn Bình", "id": "001203004567"},
    }
    event = make_event(code, 1, EventType.RECEIVED, at, DESK, data, GENESIS)
    dossier = Dossier(
        code=code,
        procedure_id=procedure_id,
        procedure_version="2025.1",
        desk_agency=DESK.agency,
        state="tiep-nhan",
        received_at=at,
        due_at=due_at,
        state_entered_at=at,
        applicant=dict(data["applicant"]),
        facts={"children": 1, "nested": {"ok": True, "ratio": 0.25}},
        appointments=[Appointment(due_at, at, None, DESK.agency)],
        visits=[StepVisit("tiep-nhan", DESK.agency, at, due_at=at + timedelta(hours=8))],
        version=1,
        last_hash=event.hash,
    )
    return dossier, event


def advance(
    dossier: Dossier,
    to: str,
    *,
    at: datetime | None = None,
    close: bool = False,
    actor: Actor = OFFICER,
) -> tuple[Dossier, Event]:
    """The dossier after one more event, and that event (the input is not changed)."""
    at = at or dossier.state_entered_at + timedelta(hours=1)
    seq = dossier.version + 1
    type_ = EventType.RETURNED if close else EventType.MOVED
    data: dict[str, Any] = {"from": dossier.state, "to": to, "trigger": f"to-{to}"}
    event = make_event(dossier.code, seq, type_, at, actor, data, dossier.last_hash)
    after = dossier.clone()
    last = after.visits[-1]
    used = (at - last.entered_at).total_seconds()
    after.visits[-1] = last.closed(at, f"to-{to}", to, None, None, None, used, 0.0)
    after.state = to
    after.state_entered_at = at
    if close:
        after.status = Status.CLOSED
        after.outcome = "returned"
        after.closed_at = at
        after.timeliness = Timeliness.EARLY if at < after.due_at else Timeliness.LATE
    else:
        after.visits.append(StepVisit(to, actor.agency, at))
    after.version = seq
    after.last_hash = event.hash
    return after, event


def fill(store: Any, code: str, steps: int) -> Dossier:
    """Create ``code`` in ``store`` and move it ``steps`` times; return its last state."""
    dossier, event = receive(code)
    store.create(dossier, event, T0 + timedelta(days=1))
    for i in range(steps):
        nxt, ev = advance(dossier, f"buoc-{i}")
        store.append(nxt, ev, dossier.version, T0 + timedelta(days=2))
        dossier = nxt
    return dossier
