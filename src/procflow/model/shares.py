"""Each agency's working time against its share, and the two instants of a result.

One rule, one implementation: the processing control slip
(:meth:`procflow.engine.Engine.control_slip`) and the reports
(:func:`procflow.reports.build_report`) both call :func:`agency_use` and
:func:`result_instants` on a dossier in its stored form
(``Dossier.to_dict()``), so an agency is charged the same figure everywhere.
It lives in ``model`` because the engine may not import the reports, and both
sit above this layer.

The rules (docs/engine.md, "Rules the engine applies"; docs/reports.md):

* An agency's **use** in a dossier is the working time it held the dossier:
  the sum of ``used_seconds`` over its visits that are over (left), whatever
  their step allotments. Applicant steps are the applicant's time (the engine
  records none of it as the agency's); the return step is the result waiting
  at the desk for the applicant, never the agencies' time [design].
* Its **share** is the procedure's ``agencies[].share`` in working seconds on
  the agency's own calendar (the one it names, else the procedure's: see
  :mod:`procflow.engine.calendars`): working days x that calendar's working
  day (``WorkCalendar.day_seconds``), working hours x 3,600, a same-day share
  one working day. With no share in the procedure, the sum of the allotments
  (``time:``) of the distinct steps the agency held in the dossier, counted the
  same way, as the share's own description says ("the sum of its steps'
  time") [design]. Calendar days are not working time: such a figure is not
  counted, and the agency is not judged.
* **Over-run** = max(0, use - share). Step allotments stay internal targets:
  an agency that over-runs one of its steps and saves time on its next is
  charged only its net over-run.
* **Timeliness as an agency** follows the early / on time / late rule of
  :mod:`procflow.engine.timing`. A share in whole days is judged by day: the
  working days the agency began (its use rounded up to whole working days)
  against the days of its share, fewer early, as many on time, more late. A
  share in hours or fractions of a day is judged by the second: late as soon
  as the use passes the share, early with a whole working day of it to spare,
  on time otherwise. (The two agree wherever both apply: the rounding up makes
  any use past the share a day begun beyond it.)
* The **instants of a result**: *ready* when it entered the return step
  (``kind: return``) at the desk, *returned* when it was handed over. The
  procedure's ``rules.result_counts`` says which one classified the dossier.
  A dossier handed over after its due date shows the applicant's
  **collection** time separately (working time from ready to hand-over), and
  no agency is charged for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from procflow.calendar.units import TimeUnit
from procflow.model.dossier import Timeliness

if TYPE_CHECKING:
    from procflow.definition.model import Duration, Procedure

__all__ = [
    "AgencyTerms",
    "AgencyUse",
    "ResultInstants",
    "ShareTerms",
    "agency_use",
    "classify_use",
    "duration_seconds",
    "result_instants",
]

#: Tolerance when comparing sums of working seconds (floats).
_EPSILON = 1e-6

ShareSource = Literal["share", "steps"]


def duration_seconds(duration: Duration, day_seconds: float) -> float | None:
    """A share or an allotment in working seconds on a calendar whose working day
    is ``day_seconds`` long; None for calendar days, which are not working time."""
    unit = duration.unit
    if unit is TimeUnit.WORKING_DAYS:
        return float(duration.value) * day_seconds
    if unit is TimeUnit.WORKING_HOURS:
        return float(duration.value) * 3600.0
    if unit is TimeUnit.SAME_DAY:
        return day_seconds
    return None


def _whole_days(duration: Duration) -> bool:
    """Judged by day: a whole number of days (as ``procflow.engine.timing.by_day``)."""
    return duration.unit is not TimeUnit.WORKING_HOURS and float(duration.value).is_integer()


@dataclass(frozen=True, slots=True)
class AgencyTerms:
    """An agency's share of the statutory time, as the procedure gives it."""

    agency: str
    seconds: float | None
    """The share in working seconds; None when it is in calendar days."""
    by_day: bool
    """A share in whole days, judged by day."""


@dataclass(frozen=True, slots=True)
class ShareTerms:
    """What one procedure version gives its agencies, ready for :func:`agency_use`.

    Built once per procedure version and calendar (:meth:`of`).
    """

    procedure_id: str
    version: str
    day_seconds: float
    shares: Mapping[str, AgencyTerms]
    """Agencies with a ``share`` in the procedure."""
    allotments: Mapping[str, tuple[float | None, bool]]
    """Step -> (its allotment in working seconds, whether it is in whole days),
    for agency steps with a ``time:``: the fallback share adds them up."""
    uncounted_steps: frozenset[str]
    """Applicant and return steps: time that is never an agency's."""
    return_steps: frozenset[str]
    limit_by_day: bool
    """The statutory limit is judged by day (a late collection is one after
    the due *date*)."""
    result_counts: str = "ready"
    """``rules.result_counts``: which instant classified the dossier."""
    agency_day_seconds: Mapping[str, float] = field(default_factory=dict)
    """Agencies on a calendar whose working day is not ``day_seconds`` long
    (their own office hours) -> its length: their shares, allotments and
    timeliness are counted in their own working days."""

    def day_of(self, agency: str) -> float:
        """The working day, in seconds, of ``agency``'s calendar."""
        return self.agency_day_seconds.get(agency, self.day_seconds)

    @classmethod
    def of(
        cls,
        procedure: Procedure,
        day_seconds: float,
        agency_day_seconds: Mapping[str, float] | None = None,
    ) -> ShareTerms:
        """The terms of ``procedure`` on a calendar whose working day is
        ``day_seconds`` long; ``agency_day_seconds`` gives the working day of
        agencies on other calendars (several calendars in one engine)."""
        from procflow.definition.model import StepKind

        days = {a: d for a, d in (agency_day_seconds or {}).items() if d != day_seconds}

        def day_of(agency: str) -> float:
            return days.get(agency, day_seconds)

        shares = {
            a.id: AgencyTerms(a.id, duration_seconds(a.share, day_of(a.id)), _whole_days(a.share))
            for a in procedure.agencies
            if a.share is not None
        }
        allotments = {
            s.id: (duration_seconds(s.time, day_of(s.agency)), _whole_days(s.time))
            for s in procedure.steps
            if s.time is not None and s.kind not in (StepKind.APPLICANT, StepKind.RETURN)
        }
        returns = frozenset(s.id for s in procedure.steps if s.kind is StepKind.RETURN)
        applicant = frozenset(s.id for s in procedure.steps if s.kind is StepKind.APPLICANT)
        return cls(
            procedure_id=procedure.id,
            version=procedure.version,
            day_seconds=day_seconds,
            shares=shares,
            allotments=allotments,
            uncounted_steps=returns | applicant,
            return_steps=returns,
            limit_by_day=_whole_days(procedure.time_limit),
            result_counts=procedure.rules.result_counts,
            agency_day_seconds=days,
        )


@dataclass(frozen=True, slots=True)
class AgencyUse:
    """One agency's working time in one dossier against its share: a row of the
    control slip, and what the accountability report adds up."""

    agency: str
    steps: int
    """Visits counted (left, other than applicant and return steps)."""
    used_seconds: float
    """Working time it held the dossier, across all those steps."""
    share_seconds: float | None
    """Its share in working seconds; None when it cannot be counted."""
    share_from: ShareSource | None
    """``share``: the procedure's share; ``steps``: the sum of its steps'
    allotments (no share given); None: not counted."""
    overrun_seconds: float
    """max(0, used - share): what the agency is charged."""
    timeliness: Timeliness | None
    """Early / on time / late against its share; None without one."""
    by_day: bool
    """The share is in whole days and judged by day."""
    step_late_seconds: float
    """The per-step figure, for comparison: working time past the steps' own
    due dates (allotments are internal targets, not what it is charged)."""
    holding: bool = False
    """It holds the dossier now: its use may still grow."""

    @property
    def spare_seconds(self) -> float:
        """Share left unused (0 when over it, or without a share)."""
        if self.share_seconds is None:
            return 0.0
        return max(0.0, self.share_seconds - self.used_seconds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "steps": self.steps,
            "used_seconds": self.used_seconds,
            "share_seconds": self.share_seconds,
            "share_from": self.share_from,
            "overrun_seconds": self.overrun_seconds,
            "timeliness": self.timeliness.value if self.timeliness else None,
            "by_day": self.by_day,
            "step_late_seconds": self.step_late_seconds,
            "holding": self.holding,
        }


def classify_use(
    used: float, share: float, by_day: bool, day_seconds: float
) -> tuple[Timeliness, float]:
    """An agency's timeliness and over-run: ``used`` working seconds against a
    ``share`` (see the module for the rule).

    By day (``by_day``, a share in whole days) the agency is early when it
    began fewer working days than its share has, on time when as many, late
    when more; by the second, late past the share and early with a whole
    working day of it to spare. For a whole-day share the two are the same
    test (a day begun beyond the share is time past it; a day fewer is a day
    to spare), so one comparison of seconds serves both, with one tolerance:
    late exactly when something is charged.
    """
    del by_day  # the same comparison either way (above)
    over = used - share
    overrun = over if over > _EPSILON else 0.0
    if overrun:
        return Timeliness.LATE, overrun
    early = share - used >= day_seconds - _EPSILON
    return (Timeliness.EARLY if early else Timeliness.ON_TIME), overrun


@dataclass(slots=True)
class _Tally:
    steps: int = 0
    used: float = 0.0
    late: float = 0.0
    held: set[str] = field(default_factory=set)


def agency_use(d: Mapping[str, Any], terms: ShareTerms) -> dict[str, AgencyUse]:
    """Each agency's use of working time in dossier ``d`` (``Dossier.to_dict()``
    form) against its share, by agency, in the order the agencies first held it.

    Only agencies that left at least one counted step appear; an agency still
    holding the dossier is marked ``holding`` (its figure covers the steps it
    has left).
    """
    tallies: dict[str, _Tally] = {}
    uncounted = terms.uncounted_steps
    visits: Iterable[Mapping[str, Any]] = d["visits"]
    for v in visits:
        agency = v["agency"]
        if agency is None or v["left_at"] is None or v["step"] in uncounted:
            continue
        tally = tallies.get(agency)
        if tally is None:
            tally = tallies[agency] = _Tally()
        tally.steps += 1
        tally.used += v["used_seconds"]
        tally.late += v["late_seconds"]
        tally.held.add(v["step"])
    holder: str | None = None
    if d["status"] == "open" and d["visits"] and d["visits"][-1]["step"] not in uncounted:
        holder = d["visits"][-1]["agency"]
    out: dict[str, AgencyUse] = {}
    for agency, tally in tallies.items():
        share, by_day, source = _share_of(agency, tally.held, terms)
        timeliness: Timeliness | None = None
        overrun = 0.0
        if share is not None:
            timeliness, overrun = classify_use(tally.used, share, by_day, terms.day_of(agency))
        out[agency] = AgencyUse(
            agency=agency,
            steps=tally.steps,
            used_seconds=tally.used,
            share_seconds=share,
            share_from=source if share is not None else None,
            overrun_seconds=overrun,
            timeliness=timeliness,
            by_day=by_day,
            step_late_seconds=tally.late,
            holding=agency == holder,
        )
    return out


def _share_of(
    agency: str, held: set[str], terms: ShareTerms
) -> tuple[float | None, bool, ShareSource]:
    given = terms.shares.get(agency)
    if given is not None:
        return given.seconds, given.by_day, "share"
    total, whole, timed = 0.0, True, False
    for step in sorted(held):
        allotment = terms.allotments.get(step)
        if allotment is None:
            continue
        seconds, step_whole = allotment
        if seconds is None:
            return None, False, "steps"  # calendar days: not working time
        total += seconds
        whole = whole and step_whole
        timed = True
    if not timed:
        return None, False, "steps"
    day = terms.day_of(agency)
    by_day = whole and abs(total / day - round(total / day)) < 1e-9
    return total, by_day, "steps"


@dataclass(frozen=True, slots=True)
class ResultInstants:
    """When a dossier's result was ready at the desk and when it was handed over."""

    ready_at: datetime | None
    """Entry into the return step: the result is at the desk. None when the
    dossier has not reached a return step (or the procedure has none)."""
    returned_at: datetime | None
    """The hand-over (outcome ``returned``); None while not handed over."""
    counts: str
    """``rules.result_counts`` of the procedure: ``ready`` or ``returned``."""
    collected_after_due: bool
    """Handed over after the statutory due date (by date for limits in whole days)."""
    ready_by_due: bool | None
    """The result was at the desk by the due date (None: never ready at a
    return step). Ready in time and collected after: late only by the
    applicant's collection."""
    collection_seconds: float | None
    """For a dossier collected after its due date: the working time its result
    waited at the desk for the applicant (ready to hand-over), charged to no
    agency. None otherwise."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ready_at": self.ready_at.isoformat() if self.ready_at else None,
            "returned_at": self.returned_at.isoformat() if self.returned_at else None,
            "result_counts": self.counts,
            "collected_after_due": self.collected_after_due,
            "ready_by_due": self.ready_by_due,
            "collection_seconds": self.collection_seconds,
        }


def result_instants(
    d: Mapping[str, Any],
    terms: ShareTerms,
    between: Callable[[datetime, datetime], float],
    tz: tzinfo,
) -> ResultInstants:
    """The two instants of ``d``'s result (``Dossier.to_dict()`` form).

    ``between`` is working seconds between two instants on the calendar
    (``WorkCalendar.working_seconds_between``: the slip and the report pass
    the same, so the figure is the same to the last bit); ``tz`` the
    calendar's zone, whose dates decide a late collection for limits in whole
    days.
    """
    parse = datetime.fromisoformat
    visits = d["visits"]
    last = visits[-1] if visits else None
    ready: datetime | None = None
    if last is not None and last["step"] in terms.return_steps:
        ready = parse(last["entered_at"])
    returned: datetime | None = None
    if d["outcome"] == "returned" and d["closed_at"] is not None:
        returned = parse(d["closed_at"])
    due = parse(d["due_at"])

    def after_due(instant: datetime) -> bool:
        if terms.limit_by_day:
            return instant.astimezone(tz).date() > due.astimezone(tz).date()
        return instant > due

    late = returned is not None and after_due(returned)
    collection: float | None = None
    if late and ready is not None and returned is not None:
        collection = between(ready, returned)
    ready_by_due = None if ready is None else not after_due(ready)
    return ResultInstants(ready, returned, terms.result_counts, late, ready_by_due, collection)
