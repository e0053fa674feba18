"""A virtual clock that moves in working time, on a working-day calendar.

``WorkingClock`` is a :class:`~procflow.engine.VirtualClock` (the engine
accepts it as its clock) that also understands the calendar:

>>> clock = WorkingClock(datetime(2026, 2, 13, 10, 0, tzinfo=cal.tz), cal)  # doctest: +SKIP
>>> clock.advance(working_days=1)      # Tết 14-22/2 skipped: Mon 23 Feb 10:00  # doctest: +SKIP
>>> clock.advance(working_hours=2)     # 12:00 lands in the lunch break: 14:00  # doctest: +SKIP

Rules:

* ``working_days=n`` (a whole number) moves to the *n*-th working day after
  today and keeps the time of day: from Friday 10:00, one working day is
  Monday 10:00 (or the first working day after a holiday). A fractional
  number is office time, ``n × the calendar's working day`` (7.5 h by
  default), like ``working_hours``.
* ``working_hours`` / ``working_minutes`` count office time only; from
  outside office hours the count starts at the next office period.
* ``days``, ``hours``, ``minutes``, ``seconds`` (or a ``timedelta``) are
  plain elapsed time, as with ``VirtualClock``.
* ``set_time_of_day("08:00")`` and ``next_working_day("08:00")`` jump to a
  time of day (never backwards).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from procflow.engine.clock import VirtualClock
from procflow.errors import ProcflowError

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar

__all__ = ["WorkingClock"]


class WorkingClock(VirtualClock):
    """A :class:`VirtualClock` that can also advance in working days and hours."""

    def __init__(self, start: datetime, calendar: WorkCalendar) -> None:
        super().__init__(start)
        self.calendar = calendar

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        working_days: float = 0,
        working_hours: float = 0,
        working_minutes: float = 0,
        **kwargs: float,
    ) -> datetime:
        """Move forward; see the module docstring. Returns the new instant."""
        self.set(
            self.shifted(
                delta,
                working_days=working_days,
                working_hours=working_hours,
                working_minutes=working_minutes,
                **kwargs,
            )
        )
        return self.now()

    def shifted(
        self,
        delta: timedelta | None = None,
        *,
        working_days: float = 0,
        working_hours: float = 0,
        working_minutes: float = 0,
        **kwargs: float,
    ) -> datetime:
        """The instant :meth:`advance` would move to, without moving."""
        now = self.now().astimezone(self.calendar.tz)
        if min(working_days, working_hours, working_minutes) < 0:
            raise ProcflowError("the clock only moves forward: give positive amounts")
        if delta is not None or kwargs:
            now = now + (delta if delta is not None else timedelta(**kwargs))
        if working_days:
            if float(working_days).is_integer():
                day = now.date()
                for _ in range(int(working_days)):
                    day = self.calendar.next_working_day(day)
                now = now.replace(year=day.year, month=day.month, day=day.day)
            else:
                now = self.calendar.add_working_seconds(
                    now, working_days * self.calendar.day_seconds
                )
        office = working_hours * 3600 + working_minutes * 60
        if office:
            now = self.calendar.add_working_seconds(now, office)
        return now

    def set_time_of_day(self, at: time | str) -> datetime:
        """Move to ``at`` (``"08:00"``) on the current day; never backwards."""
        t = _time(at)
        now = self.now().astimezone(self.calendar.tz)
        self.set(now.replace(hour=t.hour, minute=t.minute, second=t.second, microsecond=0))
        return self.now()

    def next_working_day(self, at: time | str = "07:30") -> datetime:
        """Jump to the next working day after today, at ``at`` (07:30 by default)."""
        t = _time(at)
        day = self.shifted(working_days=1)
        self.set(day.replace(hour=t.hour, minute=t.minute, second=t.second, microsecond=0))
        return self.now()


def _time(value: time | str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ProcflowError(f"{value!r} is not a time of day; write HH:MM, e.g. 08:00") from None
