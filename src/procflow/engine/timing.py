"""Deadlines and lateness: how the engine reads the calendar.

Rules, with their standing (see docs/engine.md):

- A deadline is counted from the instant a step (or the dossier) starts, by
  the calendar's counting rule: the day of receipt does not count and a
  period ending on a day off moves to the next working day (Civil Code 2015,
  Arts. 147-148 [recalled]).
- Early / on time / late [design]: a result before the due *date* is early,
  on the due date on time, after it late. Durations in whole days (working
  days, calendar days, same day) are compared by date, not by the second;
  durations in hours or fractions of a day are late as soon as the due
  instant has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from procflow.calendar.units import TimeUnit
from procflow.definition.model import Duration, Procedure
from procflow.model.instant import Instant, dt_of, ts_of

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar


def by_day(duration: Duration) -> bool:
    """Whether a duration is judged by date (whole days) rather than by instant."""
    if duration.unit is TimeUnit.WORKING_HOURS:
        return False
    return float(duration.value).is_integer()


@dataclass(frozen=True, slots=True)
class Deadline:
    """A duration as the calendar's ``due_ts`` takes it (``value`` an int when whole),
    with the two rules that depend on it worked out once."""

    value: int | float
    unit: str
    cutoff: time | None
    by_day: bool
    """Judged by date (whole days) rather than by instant (:func:`by_day`)."""
    exact_pause: bool
    """A pause moves it by the exact working time (:func:`moved_due_ts`)."""

    @classmethod
    def of(cls, d: Duration, pause_rounding: str = "whole_days") -> Deadline:
        """``d`` ready for the calendar; ``pause_rounding`` is the procedure's
        ``rules.pause_rounding`` (what a pause does to a limit of whole days)."""
        v = d.value
        value: int | float = int(v) if float(v).is_integer() else v
        day = by_day(d)
        exact = not day or d.unit is TimeUnit.SAME_DAY or v == 0 or pause_rounding == "exact"
        return cls(value, d.unit.value, d.cutoff, day, exact)

    @classmethod
    def of_procedure(cls, procedure: Procedure) -> Deadline:
        """The procedure's statutory time limit, with its pause rule."""
        return cls.of(procedure.time_limit, procedure.rules.pause_rounding)


def deadline(calendar: WorkCalendar, start: datetime, duration: Duration | Deadline) -> datetime:
    return calendar.due(start, duration.value, duration.unit, duration.cutoff)


def classify_ts(calendar: WorkCalendar, done: Instant, due: Instant, day_precision: bool) -> str:
    """Early / on time / late of a result at ``done`` against ``due`` (POSIX seconds)."""
    off = calendar.fixed_offset
    if off is not None:  # local day numbers with one addition
        done_day, due_day = (done + off) // 86400, (due + off) // 86400
    else:
        done_day, due_day = calendar.ordinal_ts(done), calendar.ordinal_ts(due)
    if done_day > due_day or (not day_precision and done > due):
        return "late"
    if done_day < due_day:
        return "early"
    return "on_time"


def moved_due_ts(
    calendar: WorkCalendar, due: Instant, paused_seconds: float, limit: Deadline
) -> Instant:
    """The due date after a pause of ``paused_seconds`` of working time.

    For limits of whole days the due date moves by whole working days: the
    paused time rounded to the nearest working day (half a day or more counts
    as one) [design]. Otherwise a twenty-minute pause would push a 17:00
    deadline to the next morning and change the due *date*. Limits in hours,
    in fractions of a day, and same-day limits (where the day is the whole
    budget) move by the exact working time, and so does every limit of a
    procedure whose ``rules.pause_rounding`` is ``exact``.
    """
    if limit.exact_pause:
        return calendar.add_working_seconds_ts(due, paused_seconds)
    days = int(paused_seconds / calendar.day_seconds + 0.5)
    if days == 0:
        return due
    return calendar.add_working_days_ts(due, days)


def moved_due(
    calendar: WorkCalendar, due: datetime, paused_seconds: float, limit: Duration | Deadline
) -> datetime:
    """:func:`moved_due_ts` on datetimes (recalculations, procflow.versions)."""
    zone = due.tzinfo
    assert zone is not None
    rule = limit if isinstance(limit, Deadline) else Deadline.of(limit)
    moved = moved_due_ts(calendar, ts_of(due), paused_seconds, rule)
    return dt_of(moved, zone)
