"""The state of one dossier (hồ sơ), as stored and as rebuilt from its events.

A dossier is plain data. Everything in it follows from its event log by
:func:`procflow.model.reducer.apply`, so ``replay`` can rebuild it and
``verify`` can compare.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from procflow.model.timefmt import iso


class Timeliness(enum.StrEnum):
    """How a dossier or a step finished against its deadline."""

    EARLY = "early"
    """trước hạn: before the due date."""
    ON_TIME = "on_time"
    """đúng hạn: on the due date itself."""
    LATE = "late"
    """quá hạn: after the due date."""


class Status(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# Member by value through a dict: calling the Enum class is several times
# slower, and reading a dossier does it for every visit.
TIMELINESS: dict[str, Timeliness] = {t.value: t for t in Timeliness}
STATUS: dict[str, Status] = {s.value: s for s in Status}


def _own(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON-like dict that shares nothing changeable with it.

    Facts and applicant data are mostly flat, so a shallow copy is the usual
    answer; a nested dict or list (an address, a list of children) gets a
    deep copy.
    """
    for value in data.values():
        if isinstance(value, dict | list):
            return copy.deepcopy(data)
    return dict(data)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return iso(value) if type(value) is datetime else value.isoformat()


@dataclass(frozen=True)
class StepVisit:
    """One stay of the dossier in one step: the row of the control slip.

    ``used_seconds`` is the working time the holding agency used; ``late_seconds``
    the working time past the step's own deadline, charged to that agency.

    Frozen: a visit is what the event log says it was. When the dossier
    leaves the step, the reducer replaces the open visit with its closed
    form (:meth:`closed`) instead of editing it, so copies of a dossier can
    share their visits and nobody can change a stored one by accident.

    No ``__slots__``, unlike the other records here: orjson writes a
    dataclass from its ``__dict__`` twice as fast as through slots, and the
    SQL stores write every visit of a dossier into its row on every
    transition (a dossier with nine visits: 56 -> 37 µs for the row).
    """

    step: str
    agency: str | None
    entered_at: datetime
    due_at: datetime | None = None
    left_at: datetime | None = None
    trigger: str | None = None
    to_step: str | None = None
    to_agency: str | None = None
    sender: str | None = None
    timeliness: Timeliness | None = None
    used_seconds: float = 0.0
    late_seconds: float = 0.0

    def closed(
        self,
        left_at: datetime,
        trigger: str | None,
        to_step: str | None,
        to_agency: str | None,
        sender: str | None,
        timeliness: Timeliness | None,
        used_seconds: float,
        late_seconds: float,
    ) -> StepVisit:
        """This visit as it reads once the dossier has left the step."""
        return StepVisit(
            self.step,
            self.agency,
            self.entered_at,
            self.due_at,
            left_at,
            trigger,
            to_step,
            to_agency,
            sender,
            timeliness,
            used_seconds,
            late_seconds,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "agency": self.agency,
            "entered_at": _iso(self.entered_at),
            "due_at": _iso(self.due_at),
            "left_at": _iso(self.left_at),
            "trigger": self.trigger,
            "to_step": self.to_step,
            "to_agency": self.to_agency,
            "sender": self.sender,
            "timeliness": self.timeliness.value if self.timeliness else None,
            "used_seconds": self.used_seconds,
            "late_seconds": self.late_seconds,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StepVisit:
        entered = _dt(d["entered_at"])
        assert entered is not None
        return cls(
            step=d["step"],
            agency=d["agency"],
            entered_at=entered,
            due_at=_dt(d["due_at"]),
            left_at=_dt(d["left_at"]),
            trigger=d["trigger"],
            to_step=d["to_step"],
            to_agency=d["to_agency"],
            sender=d["sender"],
            timeliness=TIMELINESS[d["timeliness"]] if d["timeliness"] else None,
            used_seconds=d["used_seconds"],
            late_seconds=d["late_seconds"],
        )


@dataclass(frozen=True, slots=True)
class Appointment:
    """A date promised to the applicant: on the receipt slip or an apology.

    ``kind`` is None for those two; ``"recalculated"`` for a new date given
    after a calendar change, ``"resumed"`` for the later date that follows
    when the applicant answers a supplement request (the clock was paused).
    Neither is an apology: they do not count against
    ``rules.max_reappointments``.
    """

    due_at: datetime
    given_at: datetime
    reason: str | None = None
    by: str | None = None
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # The same keys as the dataclass, so that stores may write the object
        # directly (orjson) and read it back with from_dict; rows written
        # before ``kind`` existed read as None.
        return {
            "due_at": _iso(self.due_at),
            "given_at": _iso(self.given_at),
            "reason": self.reason,
            "by": self.by,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Appointment:
        due, given = _dt(d["due_at"]), _dt(d["given_at"])
        assert due is not None and given is not None
        return cls(due, given, d.get("reason"), d.get("by"), d.get("kind"))


@dataclass(slots=True)
class Dossier:
    """A dossier's current state.

    ``due_at`` is the statutory deadline: set at receipt and moved only by
    pauses (or a restart) of the clock, never by an apology, so a dossier
    returned after an apology is still classified late against it.
    ``appointments`` lists every date promised to the applicant, first the
    receipt slip's, then each apology's.
    """

    code: str
    procedure_id: str
    procedure_version: str
    desk_agency: str
    state: str
    received_at: datetime
    due_at: datetime
    state_entered_at: datetime
    applicant: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.OPEN
    step_due_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0
    supplements: int = 0
    appointments: list[Appointment] = field(default_factory=list)
    visits: list[StepVisit] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    outcome: str | None = None
    closed_at: datetime | None = None
    timeliness: Timeliness | None = None
    version: int = 0
    last_hash: str = ""
    updated_at: datetime | None = None
    """The instant of the last event: no later event may be dated before it.
    None in states stored by procflow before it was kept (0.1 databases)."""
    pauses: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per reason the clock stopped for (``PauseReason``: supplement,
    financial_obligations, ...): ``{"count": n, "seconds": working seconds}``.
    ``supplements`` counts the supplement requests alone."""
    assignee: str | None = None
    """The officer (id) the dossier is assigned to in its current step, if any.
    An assignment lasts while the dossier stays in the step: a move clears it."""
    assigned_role: str | None = None
    """The role of the holding agency the dossier is assigned to (an escalation
    rule's ``reassign``, or an assignment by role), if any."""

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def apologies(self) -> int:
        """Apologies issued: appointments after the receipt slip's, other than
        new dates given after a calendar change."""
        return sum(1 for a in self.appointments[1:] if a.kind is None)

    @property
    def appointment(self) -> datetime:
        """The date currently promised to the applicant."""
        return self.appointments[-1].due_at if self.appointments else self.due_at

    @property
    def holder(self) -> str | None:
        """The agency holding the dossier now."""
        return self.visits[-1].agency if self.visits and self.is_open else None

    def clone(self) -> Dossier:
        """A copy that changes to it (by the reducer or a caller) do not reach this one.

        Visits and appointments are frozen, so the copies share them; the
        lists and the dicts are copied. Much cheaper than a deep copy: this
        runs on every transition of the in-memory store.
        """
        return Dossier(
            self.code,
            self.procedure_id,
            self.procedure_version,
            self.desk_agency,
            self.state,
            self.received_at,
            self.due_at,
            self.state_entered_at,
            _own(self.applicant),
            _own(self.facts),
            self.status,
            self.step_due_at,
            self.paused_at,
            self.paused_seconds,
            self.supplements,
            list(self.appointments),
            list(self.visits),
            list(self.alerts),
            self.outcome,
            self.closed_at,
            self.timeliness,
            self.version,
            self.last_hash,
            self.updated_at,
            {k: dict(v) for k, v in self.pauses.items()},
            self.assignee,
            self.assigned_role,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure_id": self.procedure_id,
            "procedure_version": self.procedure_version,
            "desk_agency": self.desk_agency,
            "state": self.state,
            "received_at": _iso(self.received_at),
            "due_at": _iso(self.due_at),
            "state_entered_at": _iso(self.state_entered_at),
            "applicant": self.applicant,
            "facts": self.facts,
            "status": self.status.value,
            "step_due_at": _iso(self.step_due_at),
            "paused_at": _iso(self.paused_at),
            "paused_seconds": self.paused_seconds,
            "supplements": self.supplements,
            "appointments": [a.to_dict() for a in self.appointments],
            "visits": [v.to_dict() for v in self.visits],
            "alerts": list(self.alerts),
            "outcome": self.outcome,
            "closed_at": _iso(self.closed_at),
            "timeliness": self.timeliness.value if self.timeliness else None,
            "version": self.version,
            "last_hash": self.last_hash,
            "updated_at": _iso(self.updated_at),
            "pauses": {k: dict(v) for k, v in self.pauses.items()},
            "assignee": self.assignee,
            "assigned_role": self.assigned_role,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Dossier:
        received, due, entered = _dt(d["received_at"]), _dt(d["due_at"]), _dt(d["state_entered_at"])
        assert received is not None and due is not None and entered is not None
        return cls(
            code=d["code"],
            procedure_id=d["procedure_id"],
            procedure_version=d["procedure_version"],
            desk_agency=d["desk_agency"],
            state=d["state"],
            received_at=received,
            due_at=due,
            state_entered_at=entered,
            applicant=d["applicant"],
            facts=d["facts"],
            status=STATUS[d["status"]],
            step_due_at=_dt(d["step_due_at"]),
            paused_at=_dt(d["paused_at"]),
            paused_seconds=d["paused_seconds"],
            supplements=d["supplements"],
            appointments=[Appointment.from_dict(a) for a in d["appointments"]],
            visits=[StepVisit.from_dict(v) for v in d["visits"]],
            alerts=list(d["alerts"]),
            outcome=d["outcome"],
            closed_at=_dt(d["closed_at"]),
            timeliness=TIMELINESS[d["timeliness"]] if d["timeliness"] else None,
            version=d["version"],
            last_hash=d["last_hash"],
            updated_at=_dt(d.get("updated_at")),
            pauses={k: dict(v) for k, v in (d.get("pauses") or {}).items()},
            assignee=d.get("assignee"),
            assigned_role=d.get("assigned_role"),
        )


DOSSIER_FIELDS = tuple(f.name for f in fields(Dossier))
