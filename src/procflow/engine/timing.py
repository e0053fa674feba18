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

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from procflow.calendar.units import TimeUnit
from procflow.definition.model import Duration
from procflow.engine.dossier import Timeliness

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


class WarningSchedule:
    """When to warn before a deadline: ``seconds`` of working time before it.

    The calendar only counts forward, so the instant is found by bisection on
    ``working_seconds_between`` and cached: most deadlines fall at the close
    of office on some day, so a few thousand entries cover a year of dossiers.
    """

    def __init__(self, calendar: WorkCalendar, seconds: float, size: int = 8192) -> None:
        self.calendar = calendar
        self.seconds = seconds
        self._cache: dict[datetime, datetime] = {}
        self._size = size

    def before(self, due: datetime) -> datetime:
        hit = self._cache.get(due)
        if hit is not None:
            return hit
        result = self._search(due)
        if len(self._cache) >= self._size:
            self._cache.clear()
        self._cache[due] = result
        return result

    def _search(self, due: datetime) -> datetime:
        if self.seconds <= 0:
            return due
        between = self.calendar.working_seconds_between
        span = timedelta(days=14)
        lo = due - span
        while between(lo, due) < self.seconds:
            span *= 2
            lo = due - span
            if span > timedelta(days=3660):
                return lo
        hi = due
        # Invariant: between(lo, due) >= seconds > between(hi, due) (or hi == due).
        while hi - lo > timedelta(seconds=1):
            mid = lo + (hi - lo) / 2
            if between(mid, due) >= self.seconds:
                lo = mid
            else:
                hi = mid
        return lo.replace(microsecond=0)
