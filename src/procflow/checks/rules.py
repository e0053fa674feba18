"""Whole-procedure checks: what the pydantic models cannot see field by field.

:func:`check_procedure` runs every rule on a :class:`Procedure` the models
accepted and returns all findings at once, each with a stable code (see
:mod:`procflow.checks.codes`), a key path and, when a source map is given,
the line and column. The rules never raise on a model-valid procedure: a
broken reference is a finding, and later rules skip what it would make
meaningless instead of reporting cascades.

Times in working hours are counted on a calendar's working day (its office
hours, see :func:`procflow.checks.graph.working_day_hours`): the calendar
given to :func:`check_procedure`, or the standard Vietnamese calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from procflow.calendar.units import TimeUnit
from procflow.checks.codes import CODES
from procflow.checks.graph import (
    CriticalPath,
    Flow,
    critical_path,
    duration_days,
    standard_calendar,
    step_flow,
    time_basis,
    working_day_hours,
)
from procflow.compiler.compiled import ENGINE_TRIGGERS
from procflow.definition.cases import fact_combinations, resolve_durations
from procflow.definition.model import (
    RESERVED_TRIGGERS,
    TERMINALS,
    ClockPolicy,
    Duration,
    Outcome,
    Procedure,
    Step,
    StepKind,
    is_reserved_trigger,
)
from procflow.definition.yamlio import KeyPath, SourceMap
from procflow.findings import Finding

if TYPE_CHECKING:
    from procflow.calendar.workcalendar import WorkCalendar

__all__ = ["check_procedure"]


def _fmt(days: float) -> str:
    return f"{days:g}"


def _some(names: Iterable[str], limit: int = 12) -> str:
    """``a, b, c``, cut after ``limit`` names with how many more.

    Hints list the ids one could have meant; a procedure with thousands of
    agencies would otherwise repeat thousands of ids in every finding,
    which made the checks quadratic in time and in the size of the report.
    """
    shown: list[str] = []
    more = 0
    for name in names:
        if len(shown) < limit:
            shown.append(name)
        else:
            more += 1
    return ", ".join(shown) + (f" and {more:,} more" if more else "")


def _chain(names: list[str], limit: int = 12) -> str:
    """``a -> b -> c``, with the middle left out when longer than ``limit``."""
    if len(names) <= limit:
        return " -> ".join(names)
    half = limit // 2
    hidden = len(names) - 2 * half
    return " -> ".join([*names[:half], f"… ({hidden:,} more) …", *names[-half:]])


class _Report:
    def __init__(self, file: str | None, source_map: SourceMap | None) -> None:
        self.file = file
        self.source_map = source_map
        self.findings: list[Finding] = []

    def add(
        self,
        code: str,
        path: KeyPath,
        message: str,
        hint: str | None = None,
        *,
        prefer_key: bool | None = None,
    ) -> None:
        info = CODES[code]
        pos = self.source_map.locate(path, prefer_key=prefer_key) if self.source_map else None
        self.findings.append(
            Finding(
                severity=info.severity,
                code=code,
                message=message,
                file=self.file,
                line=pos[0] if pos else None,
                column=pos[1] if pos else None,
                path=tuple(path),
                hint=hint or info.fix,
            )
        )


def _outcome_paths(
    index: int, trigger: str, outcome: Outcome | list[Outcome]
) -> Iterable[tuple[KeyPath, Outcome]]:
    base: KeyPath = ("steps", index, "outcomes", trigger)
    if isinstance(outcome, list):
        for j, item in enumerate(outcome):
            yield (*base, j), item
    else:
        yield base, outcome


def check_procedure(
    proc: Procedure,
    *,
    file: str | None = None,
    source_map: SourceMap | None = None,
    calendar: WorkCalendar | None = None,
) -> list[Finding]:
    """Run every whole-procedure rule on ``proc``; return the findings in file order.

    ``file`` and ``source_map`` (from :func:`procflow.definition.loader.load_procedure`)
    only serve to say where each finding is. ``calendar`` is the calendar the
    procedure's deadlines will be counted on: its office hours make the
    working day that times in working hours add up to (the standard
    Vietnamese calendar's, 07:30-11:30 and 13:30-17:00, when None).
    """
    report = _Report(file, source_map)
    flow = step_flow(proc, calendar)
    _check_triggers(proc, report)
    agency_ids = _check_ids(proc, report)
    _check_references(proc, report, agency_ids)
    _check_steps(proc, report, agency_ids)
    _check_flow(proc, report, flow)
    if proc.case_facts:
        _check_cases(proc, report)
        _check_time_by_facts(proc, report, calendar)
    else:
        path = critical_path(proc, flow, calendar)
        _check_time(proc, report, path, calendar)
    _check_basis(proc, report)
    _check_alerts(proc, report)
    _check_documents(proc, report)
    return sorted(
        report.findings,
        key=lambda f: (f.line is None, f.line or 0, f.column or 0),
    )


# --- ids and references -------------------------------------------------------


def _check_triggers(proc: Procedure, report: _Report) -> None:
    """Refuse triggers named like the engine's own (``withdraw``, ``stop``).

    The models already refuse them when a file is read; this catches
    procedures built in code without validation (``model_construct``), and
    any name the compiler reserves that the models do not know of yet,
    since the compiler is the one that adds these triggers to every step.
    """
    reserved = ENGINE_TRIGGERS | RESERVED_TRIGGERS
    for index, step in enumerate(proc.steps):
        for trigger in step.outcomes:
            if is_reserved_trigger(trigger) or trigger.strip().casefold() in reserved:
                report.add(
                    "trigger-reserved",
                    ("steps", index, "outcomes", trigger),
                    f"trigger {trigger!r} of step {step.id!r} is reserved: the engine adds "
                    "'withdraw' and 'stop' to every step, with their own rules on who may "
                    "fire them",
                    "rename the trigger (e.g. 'cancel' or 'halt'); the engine already offers "
                    "'withdraw' and 'stop' on every step, leading to 'withdrawn' and 'stopped'",
                    prefer_key=True,
                )


def _check_ids(proc: Procedure, report: _Report) -> set[str]:
    agency_ids: dict[str, int] = {}
    for index, agency in enumerate(proc.agencies):
        if agency.id in agency_ids:
            report.add(
                "duplicate-agency",
                ("agencies", index, "id"),
                f"agency id {agency.id!r} is already used by agencies[{agency_ids[agency.id]}]",
            )
        else:
            agency_ids[agency.id] = index
    step_ids: dict[str, int] = {}
    for index, step in enumerate(proc.steps):
        if step.id in TERMINALS:
            report.add(
                "reserved-step-id",
                ("steps", index, "id"),
                f"step id {step.id!r} is the name of an end; outcomes pointing to "
                f"{step.id!r} end the dossier instead of reaching this step",
                f"rename the step, e.g. {step.id + '-step'!r}",
            )
        elif step.id in step_ids:
            report.add(
                "duplicate-step",
                ("steps", index, "id"),
                f"step id {step.id!r} is already used by steps[{step_ids[step.id]}]",
                "give each step its own id; outcomes refer to steps by id",
            )
        else:
            step_ids[step.id] = index
    return set(agency_ids)


def _check_references(proc: Procedure, report: _Report, agency_ids: set[str]) -> None:
    step_ids = {s.id for s in proc.steps} - TERMINALS
    known_agencies = _some(sorted(agency_ids))
    if proc.start is not None and proc.start not in step_ids:
        report.add(
            "unknown-step",
            ("start",),
            f"start {proc.start!r} is not the id of a step",
            f"use one of the step ids: {_some(s.id for s in proc.steps)}",
        )
    for index, step in enumerate(proc.steps):
        if step.agency not in agency_ids:
            report.add(
                "unknown-agency",
                ("steps", index, "agency"),
                f"step {step.id!r} is held by agency {step.agency!r}, which is not declared "
                "under agencies",
                f"declare it under agencies, or use one of: {known_agencies}",
            )
        if step.to_agency is not None and step.to_agency not in agency_ids:
            report.add(
                "unknown-agency",
                ("steps", index, "to_agency"),
                f"step {step.id!r} hands off to agency {step.to_agency!r}, which is not "
                "declared under agencies",
                f"declare it under agencies, or use one of: {known_agencies}",
            )
        for trigger, outcome in step.outcomes.items():
            for path, item in _outcome_paths(index, trigger, outcome):
                if item.to not in step_ids and item.to not in TERMINALS:
                    report.add(
                        "unknown-step",
                        path,
                        f"outcome {trigger!r} of step {step.id!r} leads to {item.to!r}, "
                        "which is neither a step nor an end",
                        "use a step id or one of the ends: " + ", ".join(sorted(TERMINALS)),
                    )


# --- single-step rules --------------------------------------------------------


def _check_steps(proc: Procedure, report: _Report, agency_ids: set[str]) -> None:
    desks = [i for i, a in enumerate(proc.agencies) if a.desk]
    if not desks:
        report.add(
            "no-desk",
            ("agencies",),
            "no agency is marked as the one-stop desk (desk: true); the first agency "
            f"({proc.agencies[0].id!r}) is taken as the desk",
            "add 'desk: true' to the agency whose bộ phận một cửa receives dossiers",
        )
    for extra in desks[1:]:
        report.add(
            "multiple-desks",
            ("agencies", extra, "desk"),
            f"agency {proc.agencies[extra].id!r} is also marked desk: true; only "
            f"{proc.agencies[desks[0]].id!r} is used as the desk",
        )
    desk_id = proc.agencies[desks[0]].id if desks else None

    used = {s.agency for s in proc.steps} | {s.to_agency for s in proc.steps if s.to_agency}
    for index, agency in enumerate(proc.agencies):
        if agency.id not in used:
            report.add(
                "unused-agency",
                ("agencies", index, "id"),
                f"agency {agency.id!r} holds no step and receives no hand-off",
            )

    steps_by_id: dict[str, Step] = {}
    for step in proc.steps:
        steps_by_id.setdefault(step.id, step)

    for index, step in enumerate(proc.steps):
        base: KeyPath = ("steps", index)
        if step.kind is StepKind.HANDOFF:
            if step.to_agency is None:
                report.add(
                    "handoff-no-target",
                    (*base, "kind"),
                    f"hand-off step {step.id!r} does not say which agency receives the dossier",
                    "add 'to_agency: <agency id>'",
                )
            elif step.to_agency == step.agency:
                report.add(
                    "handoff-same-agency",
                    (*base, "to_agency"),
                    f"hand-off step {step.id!r} hands the dossier from {step.agency!r} to itself",
                    "name the receiving agency in to_agency, or use kind: processing",
                )
            elif step.to_agency in agency_ids:
                for trigger, outcome in step.outcomes.items():
                    for path, item in _outcome_paths(index, trigger, outcome):
                        target = steps_by_id.get(item.to)
                        if (
                            target is not None
                            and item.to not in TERMINALS
                            and target.agency != step.to_agency
                        ):
                            report.add(
                                "handoff-wrong-next",
                                path,
                                f"hand-off {step.id!r} sends the dossier to {step.to_agency!r}"
                                f", but the next step {target.id!r} is held by "
                                f"{target.agency!r}",
                                f"lead to a step held by {step.to_agency!r}, or fix to_agency",
                            )
        elif step.to_agency is not None:
            report.add(
                "to-agency-not-handoff",
                (*base, "to_agency"),
                f"step {step.id!r} names to_agency but is of kind {step.kind.value!r}; "
                "to_agency is only used by hand-off steps",
                "use kind: handoff if the dossier moves between agencies, or remove to_agency",
            )

        if step.kind is StepKind.APPLICANT:
            if step.clock is ClockPolicy.RUN:
                report.add(
                    "applicant-clock-run",
                    (*base, "clock"),
                    f"applicant step {step.id!r} keeps the statutory clock running while "
                    "the applicant acts",
                    "the applicant's time normally does not count: use clock: pause "
                    "(the default) unless the law says otherwise",
                )
        else:
            if step.clock in (ClockPolicy.PAUSE, ClockPolicy.RESTART):
                report.add(
                    "clock-on-agency-step",
                    (*base, "clock"),
                    f"step {step.id!r} ({step.kind.value}) sets clock: {step.clock.value}; "
                    "only applicant steps may stop or restart the statutory clock",
                    "remove 'clock:', or make this an applicant step (kind: applicant)",
                )
            if step.time is None:
                report.add(
                    "step-no-time",
                    base,
                    f"step {step.id!r} has no time allotted; it counts as 0 in the time budget",
                    "add e.g. 'time: 0.5 working days' (its share of the statutory total)",
                )

        if (
            desk_id is not None
            and step.kind in (StepKind.RECEPTION, StepKind.RETURN)
            and step.agency != desk_id
            and step.agency in agency_ids
        ):
            report.add(
                "desk-step-elsewhere",
                (*base, "agency"),
                f"{step.kind.value} step {step.id!r} is held by {step.agency!r}, not by the "
                f"one-stop desk {desk_id!r}",
                "dossiers are received and results returned at the desk agency; check the "
                "agency, or mark the right agency desk: true",
            )

        for trigger, outcome in step.outcomes.items():
            branches = outcome if isinstance(outcome, list) else [outcome]
            for j, item in enumerate(branches[:-1]):
                if item.when is None and item.unless is None:
                    report.add(
                        "shadowed-branch",
                        ("steps", index, "outcomes", trigger, j + 1),
                        f"trigger {trigger!r} of step {step.id!r}: branch {j + 1} comes after "
                        f"the unconditional branch {j} and is never taken (the first "
                        "matching branch wins)",
                        "put the unconditional branch last, or give it a when/unless",
                    )
                    break
            last = branches[-1] if branches else None
            if last is not None and (last.when is not None or last.unless is not None):
                path = ("steps", index, "outcomes", trigger)
                if isinstance(outcome, list):
                    path = (*path, len(branches) - 1)
                report.add(
                    "no-default-branch",
                    path,
                    f"every branch of trigger {trigger!r} of step {step.id!r} is conditional; "
                    "the trigger is refused when no condition holds",
                    "add a last branch without when/unless if the trigger should always work",
                )


# --- the flow graph -------------------------------------------------------------


def _check_flow(proc: Procedure, report: _Report, flow: Flow) -> None:
    start = flow.start
    owners = flow.steps
    # A mistyped target (unknown-step) would also make steps unreachable and
    # 'returned' unreachable: report the typo alone, not its echoes.
    start_ok = start in owners and not flow.dangling
    reachable: set[str] = set()
    if start_ok:
        reachable = flow.reachable_from(start)
        for node, index in owners.items():
            if node not in reachable:
                report.add(
                    "unreachable-step",
                    ("steps", index, "id"),
                    f"step {node!r} cannot be reached from the start step {start!r}",
                    "lead an outcome of an earlier step to it, or remove it",
                )

    reaches_end = flow.reaching(TERMINALS)
    for node, index in owners.items():
        step = proc.steps[index]
        if not step.outcomes:
            report.add(
                "no-outcomes",
                ("steps", index, "id"),
                f"step {node!r} has no outcomes: a dossier that gets here can never leave",
                "add 'outcomes:' with at least one trigger, e.g. 'done: returned'",
            )
        elif node not in reaches_end:
            dangling = any(item.to not in flow.succ for _, item in step.branches())
            if not dangling:
                report.add(
                    "no-way-out",
                    ("steps", index, "outcomes"),
                    f"no end (returned, refused, withdrawn, stopped) can be reached from "
                    f"step {node!r}",
                    "lead one of the outcomes, directly or through later steps, to an end",
                )

    if start_ok and "returned" not in reachable:
        report.add(
            "returned-unreachable",
            ("start",) if proc.start is not None else ("steps", owners[start], "id"),
            "no path from the start step leads to 'returned': the applicant never gets a result",
            "lead the last step's outcome to 'returned', e.g. 'hand_over: returned'",
        )

    # A cycle that passes through no applicant step lies wholly among the
    # agency steps: look for loop-closing edges there.
    agency_nodes = set(owners) - flow.applicant
    for loop in flow.loops(agency_nodes):
        source, target = loop.source, loop.target
        names = loop.describe()
        trigger = flow.triggers[source, target][0]
        index = owners[source]
        outcome = proc.steps[index].outcomes[trigger]
        path: KeyPath = ("steps", index, "outcomes", trigger)
        if isinstance(outcome, list):
            for j, item in enumerate(outcome):
                if item.to == target:
                    path = (*path, j)
                    break
        report.add(
            "illegal-cycle",
            path,
            f"the steps loop {names} without passing through an applicant step; a "
            "dossier could go round for ever while the clock runs",
            "only loops through an applicant step (kind: applicant, e.g. supplementing "
            "documents) are allowed; send this outcome forward or to an applicant step",
        )


# --- time ---------------------------------------------------------------------


def _working_day(calendar: WorkCalendar | None) -> str:
    """``a working day is 7.5 working hours on the calendar '…' (office hours …)``."""
    cal = calendar if calendar is not None else standard_calendar()
    return (
        f"a working day is {_fmt(working_day_hours(cal))} working hours on the calendar "
        f"{cal.name!r} (office hours {', '.join(cal.hours.as_strings())})"
    )


def _days(value: float, unit_word: str) -> str:
    """``1 working day``, ``1.5 working days``."""
    return f"{_fmt(value)} {unit_word[:-1] if _fmt(value) == '1' else unit_word}"


def _unit_ok(duration: Duration, proc: Procedure, calendar: WorkCalendar | None) -> str | None:
    """Why ``duration`` cannot be added to the procedure's total (None if it can)."""
    total = proc.time_limit.unit
    unit = duration.unit
    if total is TimeUnit.CALENDAR_DAYS and unit is not TimeUnit.CALENDAR_DAYS:
        return (
            f"it is in {unit.label}, but the statutory total is in calendar days; "
            "working time cannot be added to calendar days without a calendar"
        )
    if total is not TimeUnit.CALENDAR_DAYS and unit is TimeUnit.CALENDAR_DAYS:
        return (
            f"it is in calendar days, but the statutory total is in {total.label}; "
            "calendar days cannot be added to working time"
        )
    if total is TimeUnit.SAME_DAY:
        days = duration_days(duration, TimeUnit.WORKING_DAYS, calendar)
        if days is not None and days > 1.0 + 1e-9:
            return (
                f"it is {duration}, but the procedure is settled within the same day "
                f"(1 working day at most; {_working_day(calendar)})"
            )
    return None


def _total(proc: Procedure, limit: float, unit_word: str) -> str:
    """The statutory total as published, with its value in ``unit_word`` if different."""
    as_days = _days(limit, unit_word)
    text = str(proc.time_limit)
    return text if text == as_days else f"{text} ({as_days})"


def _in_hours(proc: Procedure, path: CriticalPath) -> bool:
    """Whether the total or a counted step of ``path`` is in hours (or same day).

    Then the length of a working day decides whether the path fits, and the
    finding says so, in hours.
    """
    if path.unit is not TimeUnit.WORKING_DAYS:
        return False
    if proc.time_limit.unit in (TimeUnit.WORKING_HOURS, TimeUnit.SAME_DAY):
        return True
    for step_id in path.steps:
        step = proc.step(step_id)
        if (
            step.kind is not StepKind.APPLICANT
            and step.time is not None
            and step.time.unit is TimeUnit.WORKING_HOURS
        ):
            return True
    return False


def _check_time(
    proc: Procedure, report: _Report, path: CriticalPath, calendar: WorkCalendar | None
) -> None:
    basis = time_basis(proc)
    unit_word = "working days" if basis is TimeUnit.WORKING_DAYS else "calendar days"
    for index, step in enumerate(proc.steps):
        if step.time is not None and step.kind is not StepKind.APPLICANT:
            why = _unit_ok(step.time, proc, calendar)
            if why:
                report.add(
                    "unit-mismatch",
                    ("steps", index, "time"),
                    f"the time of step {step.id!r} cannot be counted: {why}",
                    f"write the time in {proc.time_limit.unit.label}, like the total"
                    + (
                        ", at most one working day"
                        if proc.time_limit.unit is TimeUnit.SAME_DAY
                        and step.time.unit is not TimeUnit.CALENDAR_DAYS
                        else ""
                    ),
                )
    shares: list[tuple[int, float]] = []
    for index, agency in enumerate(proc.agencies):
        if agency.share is None:
            continue
        why = _unit_ok(agency.share, proc, calendar)
        if why:
            report.add(
                "unit-mismatch",
                ("agencies", index, "share"),
                f"the share of agency {agency.id!r} cannot be counted: {why}",
                f"write the share in {proc.time_limit.unit.label}, like the total",
            )
            continue
        days = duration_days(agency.share, basis, calendar)
        if days is not None:
            shares.append((index, days))

    limit = path.limit
    if limit is None:
        return
    if path.steps and path.days > limit + 1e-9:
        parts = []
        for step_id in path.steps:
            step = proc.step(step_id)
            if step.time is not None and step.kind is not StepKind.APPLICANT:
                parts.append(f"{step_id} {step.time}")
        if _in_hours(proc, path):
            # The day's length decides: say it, and give the figures in hours.
            hours = working_day_hours(calendar)

            def hour_count(days: float) -> str:
                return _fmt(round(days * hours, 6))

            def in_hours(days: float) -> str:
                return f"{hour_count(days)} working hours"

            if proc.time_limit.unit in (TimeUnit.WORKING_HOURS, TimeUnit.SAME_DAY):
                taken = f"{in_hours(path.days)}, {hour_count(path.overrun)}"
                total = str(proc.time_limit)
                if proc.time_limit.unit is TimeUnit.SAME_DAY:
                    total += ", that is 1 working day"
                most = in_hours(limit)
            else:
                taken = (
                    f"{_days(path.days, unit_word)} ({in_hours(path.days)}), "
                    f"{_fmt(path.overrun)} ({in_hours(path.overrun)})"
                )
                total = f"{_total(proc, limit, unit_word)} ({in_hours(limit)})"
                most = f"{_days(limit, unit_word)} ({in_hours(limit)})"
            message = (
                f"the longest path from the start to 'returned' takes {taken} over the "
                f"statutory total of {total}; {_working_day(calendar)}"
            )
            hint = (
                f"shorten the steps on the critical path so that they add up to at most "
                f"{most}, {in_hours(path.overrun)} less, counting {_fmt(hours)} working hours "
                "to the working day as the calendar does; or, if the law allows more time, "
                "raise time_limit"
            )
        else:
            message = (
                f"the longest path from the start to 'returned' takes {_fmt(path.days)} "
                f"{unit_word}, {_fmt(path.overrun)} over the statutory total of "
                f"{_total(proc, limit, unit_word)}"
            )
            hint = "shorten the steps on the critical path so their times fit in the total"
        report.add(
            "time-overrun",
            ("time_limit",),
            f"{message}; critical path: "
            + _chain(list(path.steps))
            + (f" ({_some(parts)})" if parts else ""),
            hint,
        )
    total_share = sum(days for _, days in shares)
    if shares and total_share > limit + 1e-9:
        report.add(
            "share-overrun",
            ("agencies",),
            f"the agencies' shares add up to {_fmt(total_share)} {unit_word}, more than the "
            f"statutory total of {_total(proc, limit, unit_word)}",
            "the shares of the agencies must add up to at most the statutory total",
        )
    if path.steps:
        spent: dict[str, float] = {}
        for step_id in path.steps:
            step = proc.step(step_id)
            if step.kind is StepKind.APPLICANT:
                continue
            spent[step.agency] = spent.get(step.agency, 0.0) + (
                duration_days(step.time, basis, calendar) or 0.0
            )
        for index, days in shares:
            agency = proc.agencies[index]
            used = spent.get(agency.id, 0.0)
            if used > days + 1e-9:
                report.add(
                    "agency-share-overrun",
                    ("agencies", index, "share"),
                    f"agency {agency.id!r} has a share of {_fmt(days)} {unit_word}, but its "
                    f"steps on the critical path take {_fmt(used)}",
                    "fit the agency's step times in its share, or change the share",
                )


# --- durations chosen by facts ---------------------------------------------------


def _check_cases(proc: Procedure, report: _Report) -> None:
    """Each case of a duration names a fact, can apply, and is not hidden by an
    earlier case with the same condition (the first matching case wins, as
    the first matching branch does)."""
    for path, duration in proc.durations():
        seen: dict[tuple[str | None, str | None], int] = {}
        for j, case in enumerate(duration.cases):
            where: KeyPath = (*path, "cases", j)
            name = ".".join(str(p) for p in path)
            if case.when is None and case.unless is None:
                report.add(
                    "case-no-condition",
                    where,
                    f"{name}.cases[{j}] names no fact: a case applies when: a fact is true "
                    f"or unless: it is; the figure of every other dossier is {name}'s own "
                    "value",
                )
                continue
            if case.when is not None and case.when == case.unless:
                report.add(
                    "case-contradictory",
                    (*where, "unless"),
                    f"{name}.cases[{j}] applies when {case.when!r} is true and unless it is "
                    "true: it never applies",
                )
                continue
            condition = (case.when, case.unless)
            if condition in seen:
                report.add(
                    "case-shadowed",
                    where,
                    f"{name}.cases[{j}] has the condition of {name}.cases[{seen[condition]}] "
                    f"({case.condition}), which comes first and always wins: it is never chosen",
                )
            else:
                seen[condition] = j


def _case_path(proc: Procedure, path: KeyPath, facts: dict[str, bool]) -> KeyPath:
    """``path`` of a finding on the procedure resolved for ``facts``, pointed at
    the case that gave the figure (``time_limit.cases.0``) when one did."""
    for head, duration in proc.durations():
        if tuple(path[: len(head)]) == head:
            index = duration.case_for(facts)
            if index is not None:
                return (*head, "cases", index, *path[len(head) :])
            break
    return path


def _facts_text(names: tuple[str, ...], group: list[dict[str, bool]], every: int) -> str:
    """The dossiers a finding holds for: the facts fixed across ``group`` when
    it is every combination with them (``needs_verification true``), else the
    combinations themselves, a few of them."""
    fixed = {n: group[0][n] for n in names if all(c[n] == group[0][n] for c in group)}
    if len(group) * 2 ** len(fixed) == every:

        def word(n: str) -> str:
            return f"{n} {'true' if fixed[n] else 'false'}"

        return ", ".join(word(n) for n in fixed)
    combos = [", ".join(f"{n} {'true' if c[n] else 'false'}" for n in names) for c in group]
    return "; or ".join(combos[:4]) + (f"; and {len(combos) - 4} more" if len(combos) > 4 else "")


def _check_time_by_facts(proc: Procedure, report: _Report, calendar: WorkCalendar | None) -> None:
    """The time checks (:func:`_check_time`) on the procedure each combination
    of the facts its cases name gives (:func:`resolve_durations`): the
    allotments must fit the time limit, and the shares add up within it, that
    apply to the same dossiers. A finding that holds for every combination is
    reported once, as for a procedure without cases; one that holds for some
    says for which facts."""
    names = proc.case_facts
    combos = list(fact_combinations(proc))
    every = len(combos)
    groups: dict[tuple[str, KeyPath, str, str | None], list[dict[str, bool]]] = {}
    for facts in combos:
        variant = resolve_durations(proc, facts)
        sub = _Report(report.file, None)
        path = critical_path(variant, step_flow(variant, calendar), calendar)
        _check_time(variant, sub, path, calendar)
        for f in sub.findings:
            key = (f.code, _case_path(proc, f.path, facts), f.message, f.hint)
            groups.setdefault(key, []).append(facts)
    for (code, where, message, hint), group in groups.items():
        if len(group) < every:
            message += f" (for a dossier with {_facts_text(names, group, 2 ** len(names))})"
        report.add(code, where, message, hint)


def _check_basis(proc: Procedure, report: _Report) -> None:
    if not proc.legal_basis:
        report.add(
            "missing-legal-basis",
            ("legal_basis",),
            "the procedure lists no legal basis (căn cứ pháp lý); every administrative "
            "procedure must rest on a published legal text",
            "add 'legal_basis:' with at least one document, e.g. "
            "'- {number: 63/2024/NĐ-CP, date: 2024-06-10}'",
        )


# --- alerts: warnings and escalation ------------------------------------------


def _known_roles(proc: Procedure) -> set[str]:
    """Every role the procedure names: its steps' and its authority rules'."""
    roles = {s.role for s in proc.steps if s.role}
    authority = proc.rules.authority
    for rule in (authority.stop, authority.apologise, authority.set_facts, authority.assign):
        if isinstance(rule, list):
            roles.update(rule)
    return roles


def _check_alerts(proc: Procedure, report: _Report) -> None:
    """Escalation rules name steps, roles and moves that exist, and their moves
    cannot carry a dossier round a loop; warnings sit on steps with deadlines."""
    for i, step in enumerate(proc.steps):
        if step.warning is not None and step.time is None:
            report.add(
                "warning-without-deadline",
                ("steps", i, "warning"),
                f"step {step.id!r} has warning: {step.warning} but no time: to warn before",
            )
    step_ids = {s.id for s in proc.steps}
    roles = _known_roles(proc)
    # The moves escalation rules fire, as edges (step, step entered, rule):
    # few procedures have any, and networkx, a tenth of a second to import,
    # is loaded only for those that do.
    loops: list[tuple[str, str, int]] = []
    for r, rule in enumerate(proc.alerts.escalate):
        base: KeyPath = ("alerts", "escalate", r)
        for j, sid in enumerate(rule.steps or ()):
            if sid not in step_ids:
                report.add(
                    "escalation-unknown-step",
                    (*base, "steps", j),
                    f"escalation rule {r} names step {sid!r}, which does not exist",
                    f"steps are: {_some(sorted(step_ids))}",
                )
        named: list[tuple[str, int | None, str]] = [
            ("notify", j, role) for j, role in enumerate(rule.notify)
        ]
        if rule.reassign is not None:
            named.append(("reassign", None, rule.reassign))
        for key, k, role in named:
            if role not in roles:
                report.add(
                    "escalation-unknown-role",
                    (*base, key) if k is None else (*base, key, k),
                    f"escalation rule {r} names role {role!r}, which no step or "
                    "authority rule of the procedure uses",
                    f"roles are: {_some(sorted(roles))}" if roles else None,
                )
        if rule.fire is None:
            continue
        acting = [
            s
            for s in proc.steps
            if (rule.steps is None or s.id in rule.steps)
            and (rule.scope != "step" or s.time is not None)
            and s.kind is not StepKind.APPLICANT  # the clock stops there: no alerts
        ]
        lacking = [s.id for s in acting if rule.fire not in s.outcomes]
        if lacking:
            report.add(
                "escalation-unknown-move",
                (*base, "fire"),
                f"escalation rule {r} fires {rule.fire!r}, which step(s) "
                f"{_some(lacking)} do not have",
            )
        for s in acting:
            for trigger, outcome in s.branches():
                if trigger == rule.fire and outcome.to not in TERMINALS:
                    loops.append((s.id, outcome.to, r))
    if not loops:
        return
    import networkx as nx

    graph = nx.DiGraph()
    for source, dest, r in loops:
        graph.add_edge(source, dest, rule=r)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    names = [edge[0] for edge in cycle] + [cycle[0][0]]
    report.add(
        "escalation-loop",
        ("alerts", "escalate", graph.edges[cycle[0][0], cycle[0][1]]["rule"], "fire"),
        f"escalation moves lead round a loop: {_chain(names)}",
    )


# --- documents and fees at reception ------------------------------------------


def _check_documents(proc: Procedure, report: _Report) -> None:
    """Documents have distinct ids (callers refer to them by id), and no
    document or fee is made impossible by ``when`` and ``unless`` on one fact.

    Their fact names are written as outcome branches' are (the models check
    the form, lower-case identifiers); the engine reads them the same way.
    """
    seen: dict[str, int] = {}
    for index, doc in enumerate(proc.documents):
        ref = doc.ref
        if ref in seen:
            written = doc.id is not None
            report.add(
                "duplicate-document",
                ("documents", index, "id" if written else "name"),
                f"document {index} ({doc.name.vi!r}) has the id {ref!r}, "
                + ("which" if written else "derived from its name, which")
                + f" documents[{seen[ref]}] already has; the desk could not tell them apart",
                f"give documents[{index}] an id of its own, e.g. id: {ref}-2",
            )
        else:
            seen[ref] = index
    items: list[tuple[str, int, str | None, str | None, str]] = [
        ("documents", i, d.when, d.unless, d.name.vi) for i, d in enumerate(proc.documents)
    ]
    items += [("fees", i, f.when, f.unless, f.name.vi) for i, f in enumerate(proc.fees)]
    for key, index, when, unless, name in items:
        if when is not None and when == unless:
            report.add(
                "contradictory-condition",
                (key, index, "unless"),
                f"{key}[{index}] ({name!r}) applies when {when!r} is true and unless it is "
                "true: it never applies",
            )
