"""Worklists: an agency's, a role's or an officer's open dossiers, soonest
deadline first, filtered and paged.

A desk asks "what is on my table?" hundreds of times a day, over a store that
may hold millions of dossiers. So a worklist is answered by the store from a
few columns it keeps beside each open dossier (:func:`work_fields`: who
holds it, who it is assigned to, its nearest deadline, whether it is paused
or warned), through an index, never by loading dossiers.

The order is the nearest deadline (the current step's due date, or the
dossier's own when sooner), then the code; paging is by keyset: a page ends
with a :class:`WorkItem` whose ``(deadline, code)`` the next page starts
after, so pages stay stable while dossiers move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from procflow.model.instant import Instant, dt_of, dt_or_none
from procflow.model.record import LAST_AGENCY, Record

MAX_PAGE = 500
"""The most items one page may ask for."""


@dataclass(frozen=True, slots=True)
class WorkQuery:
    """What a worklist asks the store for (the engine builds it; see
    :meth:`procflow.engine.Engine.worklist`).

    ``steps`` is the set of ``(procedure id, step id)`` pairs a role works on
    (steps naming that role); a dossier assigned to ``assigned_role`` is on
    the list too. Flags left None do not filter; ``overdue`` is judged at
    ``now``.
    """

    now: Instant
    agency: str | None = None
    officer: str | None = None
    assigned_role: str | None = None
    steps: frozenset[tuple[str, str]] | None = None
    procedure_id: str | None = None
    step: str | None = None
    warned: bool | None = None
    overdue: bool | None = None
    paused: bool | None = None
    limit: int = 50
    after: tuple[Instant, str] | None = None


class WorkFields(NamedTuple):
    """The columns a store keeps beside an open dossier for its worklists
    (a named tuple: the SQL stores make one on every write)."""

    holder: str | None
    assignee: str | None
    assigned_role: str | None
    deadline: Instant | None
    paused: bool
    warned: bool


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One line of a worklist."""

    code: str
    procedure_id: str
    state: str
    holder: str | None
    assignee: str | None
    assigned_role: str | None
    deadline: datetime | None
    """The nearest deadline: the step's due date, or the dossier's when sooner."""
    due_at: datetime
    step_due_at: datetime | None
    paused: bool
    warned: bool
    overdue: bool
    received_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cursor(self) -> tuple[Instant, str]:
        """Where the next page starts (``after=``)."""
        return (self.deadline.timestamp() if self.deadline else float("inf"), self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure_id": self.procedure_id,
            "state": self.state,
            "holder": self.holder,
            "assignee": self.assignee,
            "assigned_role": self.assigned_role,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "due_at": self.due_at.isoformat(),
            "step_due_at": self.step_due_at.isoformat() if self.step_due_at else None,
            "paused": self.paused,
            "warned": self.warned,
            "overdue": self.overdue,
            "received_at": self.received_at.isoformat(),
        }


def work_fields(rec: Record) -> WorkFields:
    """The worklist columns of a record (stores call it on every write).

    ``warned``: the sweep has warned of, or marked overdue, one of the
    dossier's current deadlines (its due date, or the step it is in now).
    Cheap on the hot path: alerts are rare, and only then are keys built.
    """
    if not rec.is_open:
        return WorkFields(None, None, None, None, False, False)
    step_due = rec.step_due
    due = rec.due
    deadline = due if step_due is None or due < step_due else step_due
    warned = False
    if rec.alerts:
        step_tail = f":step:{rec.state}:{rec.visit_count()}"
        dossier_key = "dossier:" + dt_of(due, rec.tz).isoformat()
        warned = any(a.endswith(step_tail) or a.endswith(dossier_key) for a in rec.alerts)
    holder = rec.cells[LAST_AGENCY] if rec.cells else rec.desk_agency
    return WorkFields(
        holder, rec.assignee, rec.assigned_role, deadline, rec.paused is not None, warned
    )


def matches(query: WorkQuery, rec: Record, fields: WorkFields) -> bool:
    """Whether an open dossier is on the worklist ``query`` asks for (the
    in-memory store's filter, and the SQL stores' reference in tests)."""
    if query.agency is not None and fields.holder != query.agency:
        return False
    if query.officer is not None and fields.assignee != query.officer:
        return False
    if query.steps is not None or query.assigned_role is not None:
        by_step = query.steps is not None and (rec.procedure_id, rec.state) in query.steps
        by_role = query.assigned_role is not None and fields.assigned_role == query.assigned_role
        if not (by_step or by_role):
            return False
    if query.procedure_id is not None and rec.procedure_id != query.procedure_id:
        return False
    if query.step is not None and rec.state != query.step:
        return False
    if query.paused is not None and fields.paused != query.paused:
        return False
    if query.warned is not None and fields.warned != query.warned:
        return False
    if query.overdue is not None:
        late = fields.deadline is not None and fields.deadline < query.now and not fields.paused
        if late != query.overdue:
            return False
    if query.after is not None:
        key = (fields.deadline if fields.deadline is not None else float("inf"), rec.code)
        if key <= query.after:
            return False
    return True


def item_of(rec: Record, fields: WorkFields, now: Instant, tz: tzinfo) -> WorkItem:
    """The worklist line of a record."""
    deadline = fields.deadline
    return WorkItem(
        code=rec.code,
        procedure_id=rec.procedure_id,
        state=rec.state,
        holder=fields.holder,
        assignee=fields.assignee,
        assigned_role=fields.assigned_role,
        deadline=dt_or_none(deadline, tz),
        due_at=dt_of(rec.due, tz),
        step_due_at=dt_or_none(rec.step_due, tz),
        paused=fields.paused,
        warned=fields.warned,
        overdue=deadline is not None and deadline < now and not fields.paused,
        received_at=dt_of(rec.received, tz),
    )


def page_of(query: WorkQuery, records: Iterable[Record], tz: tzinfo) -> list[WorkItem]:
    """The page ``query`` asks for out of ``records`` (open ones), in order: the
    reference every store's answer must equal."""
    chosen = []
    for rec in records:
        if not rec.is_open:
            continue
        fields = work_fields(rec)
        if matches(query, rec, fields):
            key = (fields.deadline if fields.deadline is not None else float("inf"), rec.code)
            chosen.append((key, rec, fields))
    chosen.sort(key=lambda c: c[0])
    return [item_of(rec, fields, query.now, tz) for _, rec, fields in chosen[: query.limit]]
