"""The calendar's instant arithmetic as it was before the integer core: the reference.

A frozen copy of ``WorkCalendar``'s datetime methods (``due``,
``working_seconds_between``, ``add_working_seconds``,
``subtract_working_seconds``) and of ``OfficeHours``' arithmetic, as of the
commit before the working-second axis was introduced. The property tests
check the new implementation, on datetimes and on POSIX seconds, against
this copy: same floats, same instants, same errors.

It depends on nothing private of the calendar under test: the day tables
(which days are worked) are rebuilt from ``is_working_day`` over the
calendar's range, and the office periods, cut-off and zone are read from
its public attributes. Do not "fix" this file: it is the behaviour to keep.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from procflow.calendar import TimeUnit, WorkCalendar
from procflow.errors import CalendarError

_EPS = 1e-6


def seconds_of(t: time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


class RefHours:
    """``OfficeHours`` arithmetic before the precomputed tables."""

    def __init__(self, periods: tuple[tuple[float, float], ...]) -> None:
        self.periods = periods

    @property
    def day_seconds(self) -> float:
        return sum(end - start for start, end in self.periods)

    @property
    def opening(self) -> float:
        return self.periods[0][0]

    @property
    def closing(self) -> float:
        return self.periods[-1][1]

    def before(self, t: float) -> float:
        total = 0.0
        for start, end in self.periods:
            if t <= start:
                break
            total += (t if t < end else end) - start
        return total

    def after(self, t: float) -> float:
        return self.day_seconds - self.before(t)

    def between(self, t0: float, t1: float) -> float:
        return self.before(t1) - self.before(t0)

    def advance(self, t: float, seconds: float) -> float:
        for start, end in self.periods:
            if t >= end:
                continue
            begin = t if t > start else start
            avail = end - begin
            if seconds <= avail + _EPS:
                return begin + min(seconds, avail)
            seconds -= avail
        return self.closing

    def retreat(self, t: float, seconds: float) -> float:
        for start, end in reversed(self.periods):
            if t <= start:
                continue
            stop = t if t < end else end
            avail = stop - start
            if seconds <= avail + _EPS:
                return stop - min(seconds, avail)
            seconds -= avail
        return self.opening


class RefCalendar:
    """Today's datetime arithmetic over the days of ``cal``."""

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        self.tz = cal.tz
        self.years = cal.years
        self.hours = RefHours(cal.hours.periods)
        self.cutoff = cal.cutoff
        self.cutoff_applies_to_days = cal.cutoff_applies_to_days
        lo = cal.first_day.toordinal()
        n = cal.last_day.toordinal() - lo + 1
        self._lo, self._n = lo, n
        self._working = tuple(cal.is_working_day(date.fromordinal(lo + i)) for i in range(n))
        rank = [0] * (n + 1)
        wd_idx: list[int] = []
        c = 0
        for i in range(n):
            rank[i] = c
            if self._working[i]:
                wd_idx.append(i)
                c += 1
        rank[n] = c
        self._rank = tuple(rank)
        self._wd_idx = tuple(wd_idx)
        self._nwd = c
        self._day_seconds = self.hours.day_seconds
        self._close_s = self.hours.closing
        self._cut_s = seconds_of(self.cutoff)
        self._closes: tuple[datetime, ...] | None = None
        self._midnights: dict[int, datetime] = {}

    @property
    def last_day(self) -> date:
        return date.fromordinal(self._lo + self._n - 1)

    def _range_error(self, what: object) -> CalendarError:
        first, last = self.years
        return CalendarError(
            f"{what} lies outside this calendar's range {first}-{last}; build the calendar "
            f"with a wider range, e.g. WorkCalendar.vietnam(years=({first - 20}, {last + 20}))"
        )

    def _limit_error(self, start: datetime, value: float, unit: TimeUnit | str) -> CalendarError:
        first, last = self.years
        if isinstance(value, float) and not value.is_integer():
            amount = f"{value:g}"
        else:
            amount = f"{int(value):,}" if abs(value) < 1e15 else f"{value:.3g}"
        label = unit.label if isinstance(unit, TimeUnit) else str(unit).replace("_", " ")
        return CalendarError(
            f"a time limit of {amount} {label} from {start.date().isoformat()} ends beyond "
            f"what this calendar can count: it covers the years {first}-{last}, up to "
            f"{self.last_day.isoformat()}; give a time limit that ends by then"
        )

    def _check_limit(self, start: datetime, value: float, unit: TimeUnit | str) -> None:
        if math.isnan(value):
            raise CalendarError(f"a time limit must be a number, got {value!r}; give e.g. 3 or 0.5")
        if value < 0:
            raise CalendarError(f"a time limit cannot be negative, got {value!r}")
        raise self._limit_error(start, value, unit)

    def _localize(self, dt: datetime) -> datetime:
        if getattr(dt, "tzinfo", None) is self.tz and isinstance(dt, datetime):
            return dt
        if not isinstance(dt, datetime):
            raise CalendarError(
                f"expected a datetime with a time zone, got {type(dt).__name__} {dt!r}"
            )
        tz = dt.tzinfo
        if tz is None or dt.utcoffset() is None:
            raise CalendarError(
                f"{dt.isoformat()} has no time zone; give an aware datetime, e.g. "
                f"datetime(..., tzinfo=ZoneInfo({self.tz.key!r})) or cal.localize(naive)"
            )
        return dt if tz is self.tz else dt.astimezone(self.tz)

    def _at(self, i: int, tod: float) -> datetime:
        if tod >= 86400:
            i, tod = i + 1, tod - 86400
        base = self._midnights.get(i)
        if base is None:
            base = self._midnights[i] = datetime.combine(
                date.fromordinal(self._lo + i), time(0, 0), tzinfo=self.tz
            )
        whole = int(tod)
        micro = round((tod - whole) * 1e6)
        return base + timedelta(0, whole, micro)

    def _close_of(self, pos: int) -> datetime:
        closes = self._closes
        if closes is None:
            close = self._close_s
            closes = self._closes = tuple(self._at(i, close) for i in self._wd_idx)
        if not 0 <= pos < self._nwd:
            raise self._range_error("the due date")
        return closes[pos]

    def due(
        self,
        start: datetime,
        value: float,
        unit: TimeUnit | str = TimeUnit.WORKING_DAYS,
        cutoff: time | None = None,
    ) -> datetime:
        if getattr(start, "tzinfo", None) is self.tz and type(start) is datetime:
            loc = start
        else:
            loc = self._localize(start)
        i = loc.toordinal() - self._lo
        if not 0 <= i < self._n:
            raise self._range_error(loc.date())
        if isinstance(value, float) and not math.isfinite(value):
            self._check_limit(loc, value, unit)
        if unit == "working_days":
            if type(value) is int or (isinstance(value, float) and value.is_integer()):
                n = int(value)
                if n <= 0:
                    if n < 0:
                        raise CalendarError(f"a time limit cannot be negative, got {value!r}")
                    return self.due(loc, 0, TimeUnit.SAME_DAY, cutoff)
                if self.cutoff_applies_to_days and self._late(loc, cutoff):
                    i += 1
                pos = self._rank[i] + n
                if pos >= self._nwd:
                    raise self._limit_error(loc, value, unit)
                return self._close_of(pos)
            return self._add_limit(loc, value, unit, self._day_seconds)
        if unit == "working_hours":
            return self._add_limit(loc, value, unit, 3600.0)
        if unit == "calendar_days":
            if not (type(value) is int or (isinstance(value, float) and value.is_integer())):
                raise CalendarError(
                    f"calendar days must be a whole number, got {value!r}; use working_hours "
                    "for parts of a day"
                )
            n = int(value)
            if n <= 0:
                if n < 0:
                    raise CalendarError(f"a time limit cannot be negative, got {value!r}")
                return self.due(loc, 0, TimeUnit.SAME_DAY, cutoff)
            j = i + n
            if j >= self._n or self._rank[j] >= self._nwd:
                raise self._limit_error(loc, value, unit)
            return self._close_of(self._rank[j])
        if unit == "same_day":
            if self._late(loc, cutoff):
                i += 1
            return self._close_of(self._rank[i])
        raise CalendarError(
            f"unit: {unit!r} is not a time unit; use one of {', '.join(u.value for u in TimeUnit)}"
        )

    def _late(self, loc: datetime, cutoff: time | None) -> bool:
        cut = self._cut_s if cutoff is None else seconds_of(cutoff)
        tod = loc.hour * 3600 + loc.minute * 60 + loc.second + loc.microsecond / 1e6
        return tod > cut

    def _add_limit(
        self, loc: datetime, value: float, unit: TimeUnit | str, unit_seconds: float
    ) -> datetime:
        seconds = self._seconds(value, unit_seconds)
        if not math.isfinite(seconds):
            raise self._limit_error(loc, value, unit)
        try:
            return self.add_working_seconds(loc, seconds)
        except CalendarError:
            raise self._limit_error(loc, value, unit) from None

    @staticmethod
    def _seconds(value: float, unit_seconds: float) -> float:
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise CalendarError(f"a time limit must be a finite number, got {value!r}")
        if value < 0:
            raise CalendarError(f"a time limit cannot be negative, got {value!r}")
        return float(value) * unit_seconds

    def _split(self, loc: datetime) -> tuple[int, float]:
        i = loc.toordinal() - self._lo
        if not 0 <= i < self._n:
            raise self._range_error(loc.date())
        return i, loc.hour * 3600 + loc.minute * 60 + loc.second + loc.microsecond / 1e6

    def _ws(self, la: datetime, lb: datetime) -> float:
        ia, ta = self._split(la)
        ib, tb = self._split(lb)
        hours, working = self.hours, self._working
        if ia == ib:
            return hours.between(ta, tb) if working[ia] else 0.0
        total = hours.after(ta) if working[ia] else 0.0
        if working[ib]:
            total += hours.before(tb)
        return total + self._day_seconds * (self._rank[ib] - self._rank[ia + 1])

    def working_seconds_between(
        self,
        a: datetime,
        b: datetime,
        paused: Sequence[tuple[datetime, datetime]] = (),
    ) -> float:
        la, lb = self._localize(a), self._localize(b)
        if lb < la:
            return -self.working_seconds_between(b, a, paused)
        total = self._ws(la, lb)
        if paused:
            spans: list[tuple[datetime, datetime]] = []
            for k, (ps, pe) in enumerate(paused):
                s, e = self._localize(ps), self._localize(pe)
                if e < s:
                    raise CalendarError(
                        f"paused[{k}]: ends ({e.isoformat()}) before it starts "
                        f"({s.isoformat()}); swap the two instants"
                    )
                s, e = max(s, la), min(e, lb)
                if s < e:
                    spans.append((s, e))
            spans.sort()
            merged: list[list[datetime]] = []
            for s, e in spans:
                if merged and s <= merged[-1][1]:
                    if e > merged[-1][1]:
                        merged[-1][1] = e
                else:
                    merged.append([s, e])
            for s, e in merged:
                total -= self._ws(s, e)
        return total

    def working_days_between(
        self,
        a: datetime,
        b: datetime,
        paused: Sequence[tuple[datetime, datetime]] = (),
    ) -> float:
        return self.working_seconds_between(a, b, paused) / self._day_seconds

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        loc = self._localize(start)
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            raise CalendarError(f"seconds must be a finite number >= 0, got {seconds!r}")
        i, t = self._split(loc)
        moved = False
        hours = self.hours
        if not self._working[i] or t >= self._close_s:
            moved = True
            pos = self._rank[i + 1]
            if pos >= self._nwd:
                raise self._range_error("the result")
            i, t = self._wd_idx[pos], hours.opening
        rem = hours.after(t)
        if seconds <= rem + _EPS:
            tod = hours.advance(t, min(seconds, rem))
            return loc if tod == t and not moved else self._at(i, tod)
        seconds -= rem
        day = self._day_seconds
        k = int(seconds // day)
        r = seconds - k * day
        pos = self._rank[i] + k
        if r <= _EPS and k > 0:
            tod = self._close_s
        else:
            pos += 1
            tod = hours.advance(0.0, r)
        if pos >= self._nwd:
            raise self._range_error("the result")
        return self._at(self._wd_idx[pos], tod)

    def subtract_working_seconds(self, end: datetime, seconds: float) -> datetime:
        loc = self._localize(end)
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            raise CalendarError(f"seconds must be a finite number >= 0, got {seconds!r}")
        i, t = self._split(loc)
        moved = False
        hours = self.hours
        if not self._working[i] or t <= hours.opening:
            moved = True
            pos = self._rank[i] - 1
            if pos < 0:
                raise self._range_error("the result")
            i, t = self._wd_idx[pos], self._close_s
        used = hours.before(t)
        if seconds <= used + _EPS:
            tod = hours.retreat(t, min(seconds, used))
            return loc if tod == t and not moved else self._at(i, tod)
        seconds -= used
        day = self._day_seconds
        k = int(seconds // day)
        r = seconds - k * day
        pos = self._rank[i] - k
        if r <= _EPS and k > 0:
            tod = hours.opening
        else:
            pos -= 1
            tod = hours.retreat(self._close_s, r)
        if pos < 0:
            raise self._range_error("the result")
        return self._at(self._wd_idx[pos], tod)
