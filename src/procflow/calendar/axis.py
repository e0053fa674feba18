"""The working-time axis: office seconds since an opening, to wall-clock instants.

The simulator keeps its time as office seconds since ``origin``, the opening
of a working day, so officers work only in office hours and Tết, weekends
and swapped days drop out by themselves. Its instant is
``calendar.add_working_seconds(origin, t)``; the simulator asks for it before
every engine call, so :class:`WorkingAxis` answers the same way with less
work: the working day is ``t // day_seconds`` counted from the origin's, and
the instant comes from the calendar's own conversion (``DayTables.instant``,
the calendar's rounding), so there is one rounding rule, not two. The axis
reads the calendar's day tables through its public read-only view
(``calendar.day_tables``, :mod:`procflow.calendar.days`), once, into its own
attributes: ``wall``/``wall_ts`` then make no attribute look-up on the view.

Instants within a millisecond of the turn of a working day, and the first
day, go to ``add_working_seconds`` itself: that is where the calendar decides
between one day's closing and the next day's opening. The tests check the
axis against ``add_working_seconds`` on the turns of days, the lunch break
and random instants.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from procflow.calendar.hours import advance_in

if TYPE_CHECKING:
    from procflow.calendar.workcalendar import WorkCalendar

_MARGIN = 1e-3  # seconds around the turn of a working day left to the calendar


class WorkingAxis:
    __slots__ = (
        "_at",
        "_calendar",
        "_day",
        "_first",
        "_nwd",
        "_off",
        "_origin",
        "_periods",
        "_ts_at",
        "_wd_idx",
    )

    def __init__(self, calendar: WorkCalendar, origin: dt.datetime) -> None:
        self._calendar = calendar
        self._origin = origin
        self._day = calendar.day_seconds
        self._periods = calendar.hours.periods
        days = calendar.day_tables
        self._at = days.instant
        self._ts_at = days.instant_ts
        self._off = calendar.fixed_offset
        self._wd_idx = days.working_day_index
        self._nwd = days.working_day_count
        # The working-day position of the origin's day (a working day: the
        # origin is an opening) plus one: the position of axis day 1.
        self._first = days.rank[days.index(origin)] + 1

    @property
    def origin(self) -> dt.datetime:
        return self._origin

    def wall(self, t: float) -> dt.datetime:
        """``calendar.add_working_seconds(origin, t)``."""
        place = self._place(t)
        if place is not None:
            return self._at(*place)
        return self._calendar.add_working_seconds(self._origin, t)

    def wall_ts(self, t: float) -> float:
        """``calendar.to_ts(self.wall(t))``: the same instant as POSIX seconds
        (an int on a whole second), with no datetime on the way when the
        calendar's zone has one offset."""
        off = self._off
        if off is not None:
            place = self._place(t)
            if place is not None:
                return self._ts_at(place[0], place[1], off)
        return self._calendar.to_ts(self.wall(t))

    def _place(self, t: float) -> tuple[int, float] | None:
        """(day index, time of day) of axis time ``t``, or None near the turn
        of a working day and on the first day (the calendar's own call)."""
        day = self._day
        s = t - day
        if s > _MARGIN:
            k = int(s // day)
            r = s - k * day
            pos = self._first + k
            if r > _MARGIN and pos < self._nwd:
                return self._wd_idx[pos], advance_in(self._periods, 0.0, r)
        return None
