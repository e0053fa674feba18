"""The day tables of a :class:`~procflow.calendar.WorkCalendar`, as a read-only view.

Two companions of the calendar read its day tables directly, for speed: the
simulator's working-time axis (:class:`~procflow.calendar.axis.WorkingAxis`,
asked for an instant ~10 million times in a simulation) and the numpy bulk
functions (:class:`~procflow.calendar.bulk.BulkCalendar`, which turn the tables
into arrays once). Rather than reach into the calendar's private attributes,
they read :class:`DayTables`, which ``WorkCalendar.day_tables`` hands out:
this view is the contract, so the calendar may change its internals as long
as it still fills the view with the same answers.

Days are numbered by their *day index*: 0 is the calendar's first day
(``first_ordinal``, ``WorkCalendar.first_day``), ``day_count - 1`` its last.
tests/calendar/test_day_tables.py checks every table against the calendar's
public methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procflow.errors import CalendarError

__all__ = ["DayTables"]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class DayTables:
    """The working-day index of one calendar, by day index, and the calendar's
    own conversions from (day index, time of day) to instants.

    The tables are the calendar's (tuples: immutable, and not copied); the
    callables are the calendar's bound methods, so a caller that copies one
    into its own attribute calls the calendar's code with nothing in between.
    Built once per calendar and cached (``WorkCalendar.day_tables``); not
    pickled with the calendar, but built again on first use after unpickling.
    """

    first_ordinal: int
    """The proleptic ordinal (``date.toordinal()``) of day index 0."""
    day_count: int
    """Days in the calendar's range: day indexes run from 0 to ``day_count - 1``."""
    working: tuple[bool, ...]
    """``working[i]``: whether day ``i`` is a working day (``day_count`` entries)."""
    rank: tuple[int, ...]
    """``rank[i]``: the working days before day ``i`` (``day_count + 1`` entries:
    ``rank[day_count]`` is ``working_day_count``). For a working day ``i``,
    ``rank[i]`` is its position ``k`` among the working days; for a day off,
    the position of the next working day."""
    working_day_index: tuple[int, ...]
    """``working_day_index[k]``: the day index of the ``k``-th working day
    (counted from 0; ``working_day_count`` entries)."""
    working_day_count: int
    """Working days in the calendar's range."""
    index: Callable[[date | datetime], int]
    """The day index of a date, or of an aware datetime's local date; a date
    outside the range raises :class:`~procflow.errors.CalendarError` (the
    calendar's usual message), anything else that is not a date too."""
    range_error: Callable[[object], CalendarError]
    """``range_error(what)``: the :class:`~procflow.errors.CalendarError` (not
    raised) saying that ``what`` (a date, or words like ``"a result"``) lies
    outside the calendar's range, with the calendar's usual advice."""
    instant: Callable[[int, float], datetime]
    """``instant(i, tod)``: the aware datetime (in the calendar's zone) ``tod``
    seconds after local midnight of day ``i``, rounded to the microsecond as
    every result of the calendar is."""
    instant_ts: Callable[[int, float, int], float]
    """``instant_ts(i, tod, offset)``: the same instant as POSIX seconds (an
    int on a whole second), with ``offset`` the calendar's
    ``fixed_offset``; only for a calendar whose ``fixed_offset`` is not None."""

    def __repr__(self) -> str:
        first = date.fromordinal(self.first_ordinal)
        return (
            f"DayTables(first={first.isoformat()}, days={self.day_count}, "
            f"working_days={self.working_day_count})"
        )
