"""The working-time axis: simulation seconds to wall-clock instants, fast.

Simulation time ``t`` is office seconds since ``origin``, the opening of a
working day; its instant is ``calendar.add_working_seconds(origin, t)``. The
simulator asks for it before every engine call, so :class:`WorkingAxis`
answers the same way with less work: the day is ``t // day_seconds``, its
midnight is looked up once per day, and the time of day is the office hours'
``advance``, rounded to the microsecond as the calendar rounds it.

Instants within a millisecond of the turn of a working day, and the first
day, go to the calendar itself (that is where it decides between one day's
closing and the next day's opening). tests/simulation checks the axis
against ``add_working_seconds`` on the turns of days, the lunch break and
random instants.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar

_MARGIN = 1e-3  # seconds around the turn of a working day left to the calendar


class WorkingAxis:
    __slots__ = ("_advance", "_calendar", "_day", "_midnights", "_origin", "_origin_day")

    def __init__(self, calendar: WorkCalendar, origin: dt.datetime) -> None:
        self._calendar = calendar
        self._origin = origin
        self._origin_day = origin.astimezone(calendar.tz).date()
        self._day = calendar.day_seconds
        self._advance = calendar.hours.advance
        self._midnights: dict[int, dt.datetime] = {}

    def wall(self, t: float) -> dt.datetime:
        """``calendar.add_working_seconds(origin, t)``."""
        day = self._day
        s = t - day
        if s > _MARGIN:
            k = int(s // day)
            r = s - k * day
            if r > _MARGIN:
                midnight = self._midnights.get(k)
                if midnight is None:
                    midnight = self._midnight(k)
                tod = self._advance(0.0, r)
                whole = int(tod)
                return midnight + dt.timedelta(0, whole, round((tod - whole) * 1e6))
        return self._calendar.add_working_seconds(self._origin, t)

    def _midnight(self, k: int) -> dt.datetime:
        # Day k + 1 of the axis: the (k + 1)-th working day after the origin's.
        cal = self._calendar
        if len(self._midnights) >= 4096:
            self._midnights.clear()
        day = cal.add_working_days(self._origin_day, k + 1)
        midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=cal.tz)
        self._midnights[k] = midnight
        return midnight
