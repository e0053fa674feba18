"""Compiled moves: what firing a trigger from a step does, worked out once per
procedure version instead of on every fire.

A :class:`MovePlan` holds, for one (step, trigger) whose destination does
not depend on facts, everything :meth:`Moves.fire` needs besides the dossier
and the clock: who may fire it, where it goes, which kind of event it
writes, how the clock behaves (pause, resume, restart), the deadlines to
compute (as :class:`Deadline`, ready for the calendar's POSIX-seconds calls;
the next step's due instant as a function of the move's instant,
:meth:`WorkCalendar.deadline_ts`) and whether the result is classified, and
the calendars each figure is counted on (:mod:`procflow.engine.calendars`).
Triggers with branches on facts (``when``/``unless``) and anything refused
take the general path, which explains itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procflow.compiler import CompiledProcedure, MoveKind, StateInfo, Transition
from procflow.definition.model import ClockPolicy, Duration, StepKind
from procflow.engine.authority import ACT_OF_MOVE, Act, roles_for
from procflow.engine.timing import Deadline
from procflow.model.events import EVENT_TYPES, EventType
from procflow.model.instant import Instant

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.engine.calendars import ProcedureCalendars

#: Results that count as "resolved" and are classified early / on time / late.
RESOLVED = frozenset({"returned", "refused"})


@dataclass(frozen=True, slots=True)
class MovePlan:
    """One move, ready to run (see the module)."""

    trigger: str
    source: StateInfo
    dest: StateInfo
    holder: str | None
    """The agency holding the source step (None: the dossier's desk)."""
    act: Act
    is_move: bool
    """``act is Act.MOVE``, read as a slot: an enum member is a class
    attribute, which CPython 3.11 reads without a specialised instruction."""
    roles: frozenset[str] | None
    type: EventType
    """moved or handed_off; the engine turns it into paused / resumed / a closing type."""
    leaves_applicant: bool
    restart: bool
    enters_applicant: bool
    pauses: bool
    closing: EventType | None
    classified: bool
    limit: Deadline
    leaving_allotment: Deadline | None
    assigned_only: bool
    """Only the officer the dossier is assigned to may fire it (a step move
    out of a step with ``assigned_only``)."""
    enters_result: bool
    """The move enters the procedure's ``kind: return`` step: the result is
    ready at the desk, a notice for the applicant (the outbox keeps it)."""
    ready_counts: bool
    """The result is classified by when it reached this step (a return step),
    not by when it was handed over (``rules.result_counts: ready``)."""
    leaving_calendar: WorkCalendar
    """The source step's agency's calendar: the working time used there, its
    lateness and the step's timeliness."""
    between: Callable[[Instant, Instant], float]
    """``leaving_calendar.working_seconds_between_ts`` with no pauses, as the
    calendar's :meth:`~WorkCalendar.between_ts` makes it once."""
    limit_calendar: WorkCalendar
    """The procedure's (the desk's) calendar: the statutory due date on resume
    or restart, the time a pause moves it by, the dossier's timeliness."""
    next_due: Callable[[Instant], Instant] | None
    """The destination step's due instant from the move's instant: its
    allotment on its agency's calendar (:meth:`WorkCalendar.deadline_ts`,
    made once here); None for a step with no allotment."""


def plan_of(proc: CompiledProcedure, t: Transition, cals: ProcedureCalendars) -> MovePlan:
    info, dest = proc.states[t.source], proc.states[t.dest]
    leaving = cals.of_agency(info.agency)
    act = ACT_OF_MOVE[t.kind]
    type_ = EventType.MOVED
    if dest.agency is not None and dest.agency != info.agency:
        type_ = EventType.HANDED_OFF
    return MovePlan(
        trigger=t.trigger,
        source=info,
        dest=dest,
        holder=info.agency,
        act=act,
        is_move=act is Act.MOVE,
        roles=roles_for(proc, info, act),
        type=type_,
        leaves_applicant=info.is_applicant,
        restart=info.clock is ClockPolicy.RESTART,
        enters_applicant=dest.is_applicant,
        pauses=dest.is_applicant and dest.clock is not ClockPolicy.RUN,
        closing=EVENT_TYPES[dest.id] if dest.terminal else None,
        classified=dest.terminal and dest.id in RESOLVED,
        limit=Deadline.of_procedure(proc.procedure),
        leaving_allotment=Deadline.of(info.allotment) if info.allotment is not None else None,
        assigned_only=info.assigned_only and t.kind is MoveKind.STEP,
        enters_result=dest.kind is StepKind.RETURN,
        ready_counts=(
            dest.terminal
            and dest.id in RESOLVED
            and info.kind is StepKind.RETURN
            and proc.procedure.rules.result_counts == "ready"
        ),
        leaving_calendar=leaving,
        between=leaving.between_ts(),
        limit_calendar=cals.statutory,
        next_due=_deadline(cals.of_agency(dest.agency), dest.allotment),
    )


def _deadline(calendar: WorkCalendar, d: Duration | None) -> Callable[[Instant], Instant] | None:
    """The due instant of ``d`` (a step's allotment, on its agency's calendar)
    as a function of its start; None for a step with no allotment."""
    if d is None:
        return None
    a = Deadline.of(d)
    return calendar.deadline_ts(a.value, a.unit, a.cutoff)


class Plans:
    """Every plain move of one procedure version, by step and trigger, and the
    calendars of the version (``calendar``: the procedure's; ``calendars``: all
    of them, resolved; ``step_calendar``: each step's agency's)."""

    __slots__ = (
        "_branches",
        "alerting",
        "calendar",
        "calendars",
        "case_facts",
        "escalations",
        "initial_due",
        "limit",
        "limit_due",
        "moves",
        "step_calendar",
        "time_limit_text",
        "warning",
    )

    def __init__(self, proc: CompiledProcedure, cals: ProcedureCalendars) -> None:
        # The facts the version's durations depend on: non-empty, these plans
        # hold the base figures and a dossier runs under the variant for its
        # facts (EngineCore._variant); empty for a plain or resolved version.
        self.case_facts: tuple[str, ...] = proc.procedure.case_facts
        self.calendars = cals
        self.calendar: WorkCalendar = cals.statutory
        self.step_calendar: dict[str, WorkCalendar] = {
            sid: cals.of_agency(info.agency) for sid, info in proc.states.items()
        }
        self.moves: dict[str, dict[str, MovePlan]] = {}
        for (state, trigger), branches in proc.table.items():
            if len(branches) != 1:
                continue
            t = branches[0]
            if t.when is not None or t.unless is not None:
                continue
            if t.kind is not MoveKind.STEP and t.kind not in ACT_OF_MOVE:
                continue
            self.moves.setdefault(state, {})[trigger] = plan_of(proc, t, cals)
        self._branches: dict[tuple[str, str, str], MovePlan] = {}
        self.limit = Deadline.of_procedure(proc.procedure)
        # as the receipt slip words it ("10 working days")
        self.time_limit_text = str(proc.procedure.time_limit)
        # a receipt's two deadlines, from the instant the clock starts: the
        # time limit's and the first step's allotment
        limit = self.limit
        self.limit_due = self.calendar.deadline_ts(limit.value, limit.unit, limit.cutoff)
        self.initial_due = _deadline(
            self.step_calendar[proc.initial], proc.states[proc.initial].allotment
        )
        alerts = proc.procedure.alerts
        # The procedure's warning margin (None: the engine's warning_hours).
        self.warning = alerts.warning
        self.escalations = tuple(alerts.escalate)
        # Whether the procedure says anything of its own about alerts.
        self.alerting = (
            self.warning is not None
            or bool(self.escalations)
            or any(s.warning is not None for s in proc.states.values())
        )  # if not, the engine's margin for the due date is all there is (the fast path)

    def plan_for(self, proc: CompiledProcedure, t: Transition) -> MovePlan:
        """The plan of a resolved branch (moves with facts), made once."""
        key = (t.source, t.trigger, t.dest)
        plan = self._branches.get(key)
        if plan is None:
            plan = self._branches[key] = plan_of(proc, t, self.calendars)
        return plan
