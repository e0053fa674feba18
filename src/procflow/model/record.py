"""One mutable record per dossier: what the engine and stores keep and change.

A :class:`Record` holds a dossier's state with instants as POSIX seconds
(:mod:`procflow.model.instant`), the visits flat in one list and the last
hash as raw bytes, so that a transition changes a few attributes in place instead of
building datetimes, frozen dataclasses and a copy of the dossier. Callers
never see a record: reading a dossier gives an immutable-by-convention
:class:`~procflow.model.dossier.Dossier` built from it (:meth:`Record.to_dossier`),
with aware datetimes in the calendar's zone.
"""

from __future__ import annotations

from datetime import UTC, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from procflow.model.dossier import (
    STATUS,
    TIMELINESS,
    Appointment,
    Dossier,
    StepVisit,
    _own,
)
from procflow.model.instant import Instant, dt_of, dt_or_none, ts_of, ts_or_none
from procflow.model.timefmt import Texts, texts_in

# A visit: one tuple, indexed by these positions (the row of the control slip).
V_STEP, V_AGENCY, V_ENTERED, V_DUE, V_LEFT, V_TRIGGER = 0, 1, 2, 3, 4, 5
V_TO_STEP, V_TO_AGENCY, V_SENDER, V_TIMELINESS, V_USED, V_LATE = 6, 7, 8, 9, 10, 11

Visit = tuple[Any, ...]
"""(step, agency, entered, due, left, trigger, to_step, to_agency, sender,
timeliness, used_seconds, late_seconds); instants in POSIX seconds.

A record keeps its visits flat (:attr:`Record.cells`, :data:`VISIT_WIDTH`
cells a visit, in this order) and gives them as tuples when asked
(:attr:`Record.visits`, :meth:`Record.visit`)."""

VISIT_WIDTH = 12
"""Cells a visit takes in :attr:`Record.cells`."""
LAST_AGENCY = V_AGENCY - VISIT_WIDTH
"""The last visit's agency in :attr:`Record.cells` (a negative index)."""
LAST_LEFT = V_LEFT - VISIT_WIDTH
"""Where the cells a move fills in the last visit begin (``left`` on), as
a negative index into :attr:`Record.cells`."""


def new_visit(step: str, agency: str | None, entered: Instant, due: Instant | None) -> Visit:
    """The open visit of a step just entered."""
    return (step, agency, entered, due, None, None, None, None, None, None, 0.0, 0.0)


_dumps = orjson.dumps

AppointmentRow = tuple[Instant, Instant, str | None, str | None, str | None]
"""(due, given, reason, by, kind), instants in POSIX seconds."""


class Record:
    """A dossier's state as the engine changes it (see the module)."""

    __slots__ = (
        "alerts",
        "applicant",
        "appointments",
        "assigned_role",
        "assignee",
        "cells",
        "closed",
        "code",
        "desk_agency",
        "due",
        "entered",
        "facts",
        "is_open",
        "last_hash",
        "outcome",
        "pause_reason",
        "paused",
        "paused_seconds",
        "pauses",
        "procedure_id",
        "procedure_version",
        "received",
        "state",
        "step_due",
        "supplements",
        "timeliness",
        "tz",
        "updated",
        "version",
    )

    code: str
    procedure_id: str
    procedure_version: str
    desk_agency: str
    state: str
    received: Instant
    due: Instant
    entered: Instant
    applicant: dict[str, Any]
    facts: dict[str, Any]
    is_open: bool
    step_due: Instant | None
    paused: Instant | None
    paused_seconds: float
    supplements: int
    appointments: list[AppointmentRow]
    cells: list[Any]
    """The visits, flat: :data:`VISIT_WIDTH` cells each, in :data:`Visit`
    order. A move fills the last visit's cells and adds the next one's: no
    object per visit, so nothing new for the garbage collector to track and
    walk (a tuple per visit made four-fifths of the objects a young
    collection met, and cost the engine benchmark 5% of its time in
    collections)."""
    alerts: tuple[str, ...]
    """The keys of the warnings and escalations emitted (a tuple: rare, and
    one object fewer for the garbage collector to track per dossier)."""
    outcome: str | None
    closed: Instant | None
    timeliness: str | None
    version: int
    last_hash: bytes
    updated: Instant | None
    tz: tzinfo
    pauses: dict[str, dict[str, float]]
    pause_reason: str | None
    """Why the clock is stopped now (None while it runs)."""
    assignee: str | None
    assigned_role: str | None

    def __init__(
        self,
        code: str,
        procedure_id: str,
        procedure_version: str,
        desk_agency: str,
        state: str,
        received: Instant,
        due: Instant,
        tz: tzinfo,
        applicant: dict[str, Any],
        facts: dict[str, Any],
    ) -> None:
        self.code = code
        self.procedure_id = procedure_id
        self.procedure_version = procedure_version
        self.desk_agency = desk_agency
        self.state = state
        self.received = received
        self.due = due
        self.entered = received
        self.applicant = applicant
        self.facts = facts
        self.is_open = True
        self.step_due = None
        self.paused = None
        self.paused_seconds = 0.0
        self.supplements = 0
        self.appointments = []
        self.cells = []
        self.alerts = ()
        self.outcome = None
        self.closed = None
        self.timeliness = None
        self.version = 0
        self.last_hash = b""
        self.updated = None
        self.tz = tz
        self.pauses = {}
        self.pause_reason = None
        self.assignee = None
        self.assigned_role = None

    @property
    def appointment(self) -> Instant:
        """The date currently promised to the applicant."""
        return self.appointments[-1][0] if self.appointments else self.due

    @property
    def visits(self) -> list[Visit]:
        """The visits as tuples (made on each read: change them through
        :attr:`cells`, or give a whole new list)."""
        cells, w = self.cells, VISIT_WIDTH
        return [tuple(cells[i : i + w]) for i in range(0, len(cells), w)]

    @visits.setter
    def visits(self, visits: list[Visit]) -> None:
        self.cells = [cell for v in visits for cell in v]

    def visit_count(self) -> int:
        return len(self.cells) // VISIT_WIDTH

    def visit(self, i: int) -> Visit:
        """Visit ``i`` (negative from the end) as a tuple; IndexError if none."""
        n = len(self.cells) // VISIT_WIDTH
        if not -n <= i < n:
            raise IndexError(f"visit {i} of {n}")
        start = (i % n) * VISIT_WIDTH
        return tuple(self.cells[start : start + VISIT_WIDTH])

    def open_visit(
        self, step: str, agency: str | None, entered: Instant, due: Instant | None
    ) -> None:
        """Add the open visit of a step just entered."""
        self.cells += new_visit(step, agency, entered, due)

    @property
    def apologies(self) -> int:
        return sum(1 for a in self.appointments[1:] if a[4] is None)

    def copy(self) -> Record:
        """A copy sharing nothing changeable with this one.

        Every slot written out (``tests/model/test_record_copy.py`` checks
        that none is missed): a loop of ``setattr(getattr(...))`` over the
        slots cost 11 us, and a PostgreSQL store copies a remembered record
        for every act."""
        new = _new_record(Record)
        new.alerts = self.alerts  # a tuple
        new.applicant = _own(self.applicant)
        new.appointments = list(self.appointments)  # of tuples
        new.assigned_role = self.assigned_role
        new.assignee = self.assignee
        new.cells = list(self.cells)
        new.closed = self.closed
        new.code = self.code
        new.desk_agency = self.desk_agency
        new.due = self.due
        new.entered = self.entered
        new.facts = _own(self.facts)
        new.is_open = self.is_open
        new.last_hash = self.last_hash
        new.outcome = self.outcome
        new.pause_reason = self.pause_reason
        new.paused = self.paused
        new.paused_seconds = self.paused_seconds
        new.pauses = {k: dict(v) for k, v in self.pauses.items()}
        new.procedure_id = self.procedure_id
        new.procedure_version = self.procedure_version
        new.received = self.received
        new.state = self.state
        new.step_due = self.step_due
        new.supplements = self.supplements
        new.timeliness = self.timeliness
        new.tz = self.tz
        new.updated = self.updated
        new.version = self.version
        return new

    # --- to and from the public form ---------------------------------------------------

    def to_dossier(self) -> Dossier:
        """The dossier as callers read it: a fresh object sharing nothing with the record."""
        tz = self.tz
        c = self.cells
        visits = [
            StepVisit(
                c[i],
                c[i + 1],
                dt_of(c[i + 2], tz),
                dt_or_none(c[i + 3], tz),
                dt_or_none(c[i + 4], tz),
                c[i + 5],
                c[i + 6],
                c[i + 7],
                c[i + 8],
                TIMELINESS[c[i + 9]] if c[i + 9] else None,
                c[i + 10],
                c[i + 11],
            )
            for i in range(0, len(c), VISIT_WIDTH)
        ]
        appointments = [
            Appointment(dt_of(a[0], tz), dt_of(a[1], tz), a[2], a[3], a[4])
            for a in self.appointments
        ]
        return Dossier(
            self.code,
            self.procedure_id,
            self.procedure_version,
            self.desk_agency,
            self.state,
            dt_of(self.received, tz),
            dt_of(self.due, tz),
            dt_of(self.entered, tz),
            _own(self.applicant),
            _own(self.facts),
            STATUS["open" if self.is_open else "closed"],
            dt_or_none(self.step_due, tz),
            dt_or_none(self.paused, tz),
            self.paused_seconds,
            self.supplements,
            appointments,
            visits,
            list(self.alerts),
            self.outcome,
            dt_or_none(self.closed, tz),
            TIMELINESS[self.timeliness] if self.timeliness else None,
            self.version,
            self.last_hash.hex(),
            dt_or_none(self.updated, tz),
            {k: dict(v) for k, v in self.pauses.items()},
            self.assignee,
            self.assigned_role,
        )

    @classmethod
    def from_dossier(cls, d: Dossier, tz: tzinfo | None = None) -> Record:
        """The record of a dossier read from a store that keeps the public form."""
        rec = cls(
            d.code,
            d.procedure_id,
            d.procedure_version,
            d.desk_agency,
            d.state,
            ts_of(d.received_at),
            ts_of(d.due_at),
            tz or d.received_at.tzinfo or d.due_at.tzinfo,  # type: ignore[arg-type]
            _own(d.applicant),
            _own(d.facts),
        )
        rec.entered = ts_of(d.state_entered_at)
        rec.is_open = d.is_open
        rec.step_due = ts_or_none(d.step_due_at)
        rec.paused = ts_or_none(d.paused_at)
        rec.paused_seconds = d.paused_seconds
        rec.supplements = d.supplements
        rec.appointments = [
            (ts_of(a.due_at), ts_of(a.given_at), a.reason, a.by, a.kind) for a in d.appointments
        ]
        rec.visits = [
            (
                v.step,
                v.agency,
                ts_of(v.entered_at),
                ts_or_none(v.due_at),
                ts_or_none(v.left_at),
                v.trigger,
                v.to_step,
                v.to_agency,
                v.sender,
                v.timeliness.value if v.timeliness else None,
                v.used_seconds,
                v.late_seconds,
            )
            for v in d.visits
        ]
        rec.alerts = tuple(d.alerts)
        rec.outcome = d.outcome
        rec.closed = ts_or_none(d.closed_at)
        rec.timeliness = d.timeliness.value if d.timeliness else None
        rec.version = d.version
        rec.last_hash = bytes.fromhex(d.last_hash)
        rec.updated = ts_or_none(d.updated_at)
        rec.pauses = {k: dict(v) for k, v in d.pauses.items()}
        if d.paused_at is not None:  # the pause it is in: the reason counted last
            rec.pause_reason = next(reversed(d.pauses), "supplement")
        rec.assignee = d.assignee
        rec.assigned_role = d.assigned_role
        return rec


_new_record = Record.__new__


def _visit_dict(v: Visit, texts: Texts) -> dict[str, Any]:
    """A visit as the public form writes it (a :class:`StepVisit`'s dict)."""
    return {
        "step": v[0],
        "agency": v[1],
        "entered_at": texts[v[2]],
        "due_at": None if v[3] is None else texts[v[3]],
        "left_at": None if v[4] is None else texts[v[4]],
        "trigger": v[5],
        "to_step": v[6],
        "to_agency": v[7],
        "sender": v[8],
        "timeliness": v[9],
        "used_seconds": v[10],
        "late_seconds": v[11],
    }


def kept(raw: bytes) -> bytes:
    """``raw`` in a buffer of its own length, for bytes kept long.

    orjson's output keeps the buffer orjson wrote it into (4 KB and more
    since orjson 3.12, whatever the length of the JSON). A Zstandard frame
    comes in a buffer made for the worst case, the size of its input: the
    in-memory store's closed batches, kept so, held 100,000 dossiers' heap
    at 218 MB instead of 88. Joined with an empty part, bytes are copied
    into a buffer of their length."""
    return b"".join((raw, b""))


def record_dict(rec: Record) -> dict[str, Any]:
    """``rec.to_dossier().to_dict()`` without the dossier: what reports read
    of each dossier (``Store.iter_dossier_dicts``), and a closed dossier's
    row body in the SQL stores."""
    texts = texts_in(rec.tz)
    return {
        "code": rec.code,
        "procedure_id": rec.procedure_id,
        "procedure_version": rec.procedure_version,
        "desk_agency": rec.desk_agency,
        "state": rec.state,
        "received_at": texts[rec.received],
        "due_at": texts[rec.due],
        "state_entered_at": texts[rec.entered],
        "applicant": rec.applicant,
        "facts": rec.facts,
        "status": "open" if rec.is_open else "closed",
        "step_due_at": None if rec.step_due is None else texts[rec.step_due],
        "paused_at": None if rec.paused is None else texts[rec.paused],
        "paused_seconds": rec.paused_seconds,
        "supplements": rec.supplements,
        "appointments": [
            {
                "due_at": texts[a[0]],
                "given_at": texts[a[1]],
                "reason": a[2],
                "by": a[3],
                "kind": a[4],
            }
            for a in rec.appointments
        ],
        "visits": [_visit_dict(v, texts) for v in rec.visits],
        "alerts": list(rec.alerts),
        "outcome": rec.outcome,
        "closed_at": None if rec.closed is None else texts[rec.closed],
        "timeliness": rec.timeliness,
        "version": rec.version,
        "last_hash": rec.last_hash.hex(),
        "updated_at": None if rec.updated is None else texts[rec.updated],
        "pauses": rec.pauses,
        "assignee": rec.assignee,
        "assigned_role": rec.assigned_role,
    }


# --- the row body: the record as one JSON list -------------------------------------

ROW_LAYOUT = 1
"""The layout number a row body starts with (:func:`row_body`)."""

ROW_STEP_DUE = 12
"""Where a row body keeps the step's due instant (the SQL worklists read it)."""

_ZONE_NAMES: dict[tzinfo, str | int | None] = {}


def _zone_name(tz: tzinfo) -> str | int | None:
    """How a row body names ``tz``: a tz database key, or a fixed offset in
    seconds; None for a zone it cannot name (the body is then the public form)."""
    try:
        return _ZONE_NAMES[tz]
    except KeyError:
        pass
    except TypeError:  # an unhashable tzinfo
        return None
    name: str | int | None = None
    if isinstance(tz, ZoneInfo):
        name = tz.key
    elif isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        if offset == timedelta(seconds=int(offset.total_seconds())):
            name = int(offset.total_seconds())
    if len(_ZONE_NAMES) < 256:
        _ZONE_NAMES[tz] = name
    return name


def _zone_named(name: str | int) -> tzinfo:
    if isinstance(name, str):
        return ZoneInfo(name)  # ZoneInfo keeps one object per key
    return UTC if name == 0 else timezone(timedelta(seconds=name))


def row_body(rec: Record) -> bytes | None:
    """The record as one JSON list, every slot in :data:`ROW_LAYOUT` 1 order:
    what an SQL store keeps in an open dossier's row ``body`` (docs/engine.md,
    "The core"). One ``orjson.dumps`` of lists and numbers, on every
    transition; instants stay POSIX seconds and the zone is named once.
    None when the record's zone has no name to write (the store then keeps
    :func:`record_dict`'s public form)."""
    zone = _zone_name(rec.tz)
    if zone is None:
        return None
    return _dumps(
        [
            ROW_LAYOUT,
            rec.code,
            rec.procedure_id,
            rec.procedure_version,
            rec.desk_agency,
            rec.state,
            rec.received,
            rec.due,
            rec.entered,
            rec.applicant,
            rec.facts,
            rec.is_open,
            rec.step_due,
            rec.paused,
            rec.paused_seconds,
            rec.supplements,
            rec.appointments,
            rec.cells,
            rec.alerts,
            rec.outcome,
            rec.closed,
            rec.timeliness,
            rec.version,
            rec.last_hash.hex(),
            rec.updated,
            rec.pauses,
            rec.pause_reason,
            rec.assignee,
            rec.assigned_role,
            zone,
        ]
    )


def record_of_row(items: list[Any], tz: tzinfo | None = None) -> Record:
    """The record a row body (:func:`row_body`, parsed) keeps; in ``tz``, or in
    the zone the body names. ValueError for a list that is not one."""
    if len(items) != 30 or items[0] != ROW_LAYOUT:
        raise ValueError(f"not a row body of layout {ROW_LAYOUT}")
    (
        _,
        code,
        procedure_id,
        procedure_version,
        desk_agency,
        state,
        received,
        due,
        entered,
        applicant,
        facts,
        is_open,
        step_due,
        paused,
        paused_seconds,
        supplements,
        appointments,
        cells,
        alerts,
        outcome,
        closed,
        timeliness,
        version,
        last_hash,
        updated,
        pauses,
        pause_reason,
        assignee,
        assigned_role,
        zone,
    ) = items
    rec = _new_record(Record)
    rec.code, rec.procedure_id, rec.procedure_version = code, procedure_id, procedure_version
    rec.desk_agency, rec.state = desk_agency, state
    rec.received, rec.due, rec.entered = received, due, entered
    rec.applicant, rec.facts, rec.is_open = applicant, facts, is_open
    rec.step_due, rec.paused = step_due, paused
    rec.paused_seconds, rec.supplements = paused_seconds, supplements
    rec.appointments = [tuple(a) for a in appointments]
    rec.cells = cells
    rec.alerts = tuple(alerts)
    rec.outcome, rec.closed, rec.timeliness = outcome, closed, timeliness
    rec.version, rec.last_hash, rec.updated = version, bytes.fromhex(last_hash), updated
    rec.pauses, rec.pause_reason = pauses, pause_reason
    rec.assignee, rec.assigned_role = assignee, assigned_role
    rec.tz = tz if tz is not None else _zone_named(zone)
    return rec
