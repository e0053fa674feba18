"""Bulk calendar arithmetic on numpy ``datetime64[D]`` arrays.

Built on :func:`numpy.busday_offset` and :func:`numpy.busday_count` with a
cached :class:`numpy.busdaycalendar`. numpy's calendar can only *remove* days
from a weekmask, while Viet Nam's make-up Saturdays *add* working days; so the
calendar uses the weekmask ``1111111`` (every day a business day) and lists as
holidays every day off of the indexed range, weekends included. That is exact
inside the range, and the range is checked (outside it, :class:`CalendarError`).

The functions take and return numpy arrays so that no per-element Python
object is ever built: converting Python datetimes to ``datetime64`` costs far
more than the arithmetic. Convert once, in bulk (``np.asarray(list_of_dates,
dtype="datetime64[D]")``), or keep dates as ``datetime64`` throughout.

``NaT`` inputs are skipped by the range check and handled as numpy does.
An index-based variant (:meth:`BulkCalendar.add_working_days_indexed`) does the
same with two fancy-indexing look-ups; the benchmark compares both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from procflow.errors import CalendarError

if TYPE_CHECKING:
    from procflow.calendar.workcalendar import WorkCalendar

__all__ = ["BulkCalendar"]

_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal(): datetime64[D] counts from here

DayArray = np.ndarray[Any, np.dtype[np.datetime64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def _days(values: npt.ArrayLike, what: str) -> DayArray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        if arr.dtype != np.dtype("datetime64[D]"):
            arr = arr.astype("datetime64[D]")
        return arr
    try:
        return np.asarray(values, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise CalendarError(
            f"{what}: cannot read as dates ({exc}); pass a numpy datetime64[D] array"
        ) from None


class BulkCalendar:
    """The numpy view of a :class:`~procflow.calendar.WorkCalendar`."""

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        lo = cal.first_day.toordinal() - _EPOCH_ORDINAL  # days since 1970-01-01
        self._lo = lo
        self._hi = lo + cal._n - 1
        working = np.asarray(cal._working, dtype=bool)
        self.working: BoolArray = working
        off = np.flatnonzero(~working).astype("int64") + lo
        self.holidays: DayArray = off.astype("datetime64[D]")
        self.busdaycalendar = np.busdaycalendar(weekmask="1111111", holidays=self.holidays)
        # index variant: rank[i] = working days before day i; wd[k] = k-th working day
        self.rank: IntArray = np.asarray(cal._rank, dtype=np.int64)
        self.wd: IntArray = np.asarray(cal._wd_idx, dtype=np.int64) + lo

    def _check(self, arr: DayArray, what: str) -> None:
        if arr.size == 0:
            return
        ints = arr.view("int64")
        nat = np.iinfo(np.int64).min
        mn = ints.min()
        if mn == nat:
            valid = ints[ints != nat]
            if valid.size == 0:
                return
            mn, mx = valid.min(), valid.max()
        else:
            mx = ints.max()
        if mn < self._lo or mx > self._hi:
            bad = np.datetime64(int(mn if mn < self._lo else mx), "D")
            raise self.cal._range_error(f"{what} {bad}")

    def add_working_days(self, starts: npt.ArrayLike, n: npt.ArrayLike) -> DayArray:
        """The ``n``-th working day after each start (rolled forward first)."""
        s = _days(starts, "starts")
        self._check(s, "start")
        out: DayArray = np.busday_offset(s, n, roll="forward", busdaycal=self.busdaycalendar)
        self._check(out, "result")
        return out

    def add_working_days_indexed(self, starts: npt.ArrayLike, n: npt.ArrayLike) -> DayArray:
        """Same as :meth:`add_working_days`, by index look-up instead of busday_offset."""
        s = _days(starts, "starts")
        self._check(s, "start")
        pos = self.rank[s.view("int64") - self._lo] + np.asarray(n, dtype=np.int64)
        if pos.size and (pos.min() < 0 or pos.max() >= self.wd.size):
            raise self.cal._range_error("a result")
        out: DayArray = self.wd[pos].astype("datetime64[D]")
        return out

    def count_working_days(self, a: npt.ArrayLike, b: npt.ArrayLike) -> IntArray:
        """Working days in ``(a, b]`` for each pair (negative when ``b < a``)."""
        da, db = _days(a, "a"), _days(b, "b")
        self._check(da, "a")
        self._check(db, "b")
        one = np.timedelta64(1, "D")
        return np.busday_count(da + one, db + one, busdaycal=self.busdaycalendar).astype(np.int64)

    def is_working_day(self, days: npt.ArrayLike) -> BoolArray:
        d = _days(days, "days")
        self._check(d, "day")
        return np.is_busday(d, busdaycal=self.busdaycalendar)

    def roll_forward(self, days: npt.ArrayLike) -> DayArray:
        d = _days(days, "days")
        self._check(d, "day")
        out: DayArray = np.busday_offset(d, 0, roll="forward", busdaycal=self.busdaycalendar)
        self._check(out, "result")
        return out
