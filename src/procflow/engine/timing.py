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

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from procflow.calendar.units import TimeUnit
from procflow.definition.model import Duration
from procflow.model.dossier import Timeliness

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar


def by_day(duration: Duration) -> bool:
    """Whether a duration is judged by date (whole days) rather than by instant."""
    if duration.unit is TimeUnit.WORKING_HOURS:
        return False
    return float(duration.value).is_integer()


def deadline(calendar: WorkCalendar, start: datetime, duration: Duration) -> datetime:
    return calendar.due(start, duration.value, duration.unit, duration.cutoff)


def classify(done: datetime, due: datetime, day_precision: bool, tz: tzinfo) -> Timeliness:
    done_day = done.astimezone(tz).date()
    due_day = due.astimezone(tz).date()
    if done_day > due_day or (not day_precision and done > due):
        return Timeliness.LATE
    if done_day < due_day:
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def moved_due(
    calendar: WorkCalendar, due: datetime, paused_seconds: float, limit: Duration
) -> datetime:
    """The due date after a pause of ``paused_seconds`` of working time.

    For limits of whole days the due date moves by whole working days: the
    paused time rounded to the nearest working day (half a day or more counts
    as one) [design]. Otherwise a twenty-minute pause would push a 17:00
    deadline to the next morning and change the due *date*. Limits in hours,
    in fractions of a day, and same-day limits (where the day is the whole
    budget) move by the exact working time.
    """
    if not by_day(limit) or limit.unit is TimeUnit.SAME_DAY or limit.value == 0:
        return calendar.add_working_seconds(due, paused_seconds)
    days = int(paused_seconds / calendar.day_seconds + 0.5)
    if days == 0:
        return due
    local = due.astimezone(calendar.tz)
    moved = calendar.add_working_days(local.date(), days)
    return local.replace(year=moved.year, month=moved.month, day=moved.day)
