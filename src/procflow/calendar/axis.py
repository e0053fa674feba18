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

A whole number of working days is the closing of the last of them, as
``add_working_seconds`` decides; other instants within a millisecond of the
turn of a working day, and every instant of an axis whose origin is not an
opening, go to ``add_working_seconds`` itself: that is where the calendar
decides between one day's closing and the next day's opening. The tests check the
axis against ``add_working_seconds`` on the turns of days, the lunch break
and random instants.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from procflow.calendar.hours import advance_in

if TYPE_CHECKING:
    from procflow.calendar.workcalendar import WorkCalendar

_MARGIN = 1e-3  # seconds around the turn of a working day left to the calendar


class WorkingAxis:
    __slots__ = (
        "_at",
        "_base",
        "_calendar",
        "_closing",
        "_day",
        "_first",
        "_low",
        "_nwd",
        "_off",
        "_origin",
        "_periods",
        "_steps",
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
        day = days.index(origin)
        self._first = days.rank[day] + 1
        # Axis day k is the k-th working day from the origin's only when the
        # origin is an opening; from another instant every call is the
        # calendar's own (which counts what is left of the origin's day).
        opening = self._periods[0][0]
        self._low = -self._day if days.instant(day, opening) == origin else math.inf
        self._base, self._steps, self._closing = self._whole_second_tables()

    def _whole_second_tables(
        self,
    ) -> tuple[list[int] | None, tuple[tuple[int, int], ...], int]:
        """What :meth:`wall_ts` needs for a whole second: the POSIX seconds of
        the midnight of each working day from the origin's (axis day ``q`` is
        ``base[q]``), and the office hours as ``(limit, shift)`` pairs: an
        office second ``w`` of a day, ``w <= limit`` of the first pair it
        fits, is ``w + shift`` seconds after midnight. Simulated durations
        are whole seconds, so the simulator's clock takes this path before
        every engine call (about six a dossier); it is an index and an
        addition where :meth:`_place` steps through ``advance_in`` and the
        calendar's rounding. None when the zone has more than one offset,
        the origin is no opening, or office hours do not fall on whole
        seconds: then every call takes :meth:`_place`."""
        off, periods = self._off, self._periods
        bounds = [b for p in periods for b in p]
        if off is None or self._low == math.inf or any(b != int(b) for b in bounds):
            return None, (), 0
        steps, used = [], 0
        for start, end in periods:
            steps.append((used + int(end - start), int(start) - used))
            used += int(end - start)
        ts_at, idx = self._ts_at, self._wd_idx
        base = [int(ts_at(idx[pos], 0.0, off)) for pos in range(self._first - 1, self._nwd)]
        return base, tuple(steps), int(periods[-1][1])

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
        base = self._base
        if base is not None and t > 0:
            q, r = divmod(t, self._day)
            i, w = int(q), int(r)
            if w == r and i < len(base):  # a whole second, within the calendar
                if w:
                    for limit, shift in self._steps:
                        if w <= limit:
                            return base[i] + w + shift
                elif i:  # a whole number of working days: the last one's closing
                    return base[i - 1] + self._closing
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
        if s > self._low:
            k = int(s // day)  # -1 on the origin's day
            r = s - k * day
            pos = self._first + k
            if pos < self._nwd:
                if r > _MARGIN:
                    return self._wd_idx[pos], advance_in(self._periods, 0.0, r)
                if r == 0.0 and k >= 0:
                    # A whole number of working days: the closing of the last
                    # of them, as add_working_seconds decides (a deadline
                    # that lands at 17:00 stays there). The simulator lands
                    # here at every opening, where officers start work.
                    return self._wd_idx[pos - 1], self._periods[-1][1]
        return None
