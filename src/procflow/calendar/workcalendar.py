"""The working-day calendar: which days are worked, and deadlines counted on them.

A :class:`WorkCalendar` is built from three layers, later ones winning:

1. the weekly rule (Saturday and Sunday off for the public sector);
2. the statutory holidays of the ``holidays`` package (country VN by default:
   the lunar Tết and Hùng Kings' days, the carry-over rules, and its table of
   swaps with make-up Saturdays, which it honours in ``is_working_day()``);
3. overlay files (:mod:`procflow.calendar.overlay`) with each year's decisions
   of the Prime Minister, each entry with its source.

At construction every day of a range of years (2000-2060 by default) is
classified once, and a working-day index is built: ``rank[i]`` is the number
of working days before day ``i`` of the range, ``wd[k]`` is the ``k``-th
working day. Adding ``n`` working days is then two list look-ups, and so is
counting them. Dates outside the range raise :class:`CalendarError` (build the
calendar with a wider ``years=`` range if you need them); the calendar never
changes after construction, so it is safe to share between threads and cheap
to pickle.

Counting rules (see docs/calendar.md):

* the day of receipt does not count, and a receipt on a day off counts as a
  receipt on the next working day: ``n`` working days from day ``D`` is the
  ``n``-th working day after ``D`` rolled forward to a working day (Civil Code
  2015, Art. 147-148 [recalled]; the roll-forward is the rule of the one-stop
  portals [recalled], and the semantics of ``numpy.busday_offset(roll="forward")``);
* a period in calendar days ending on a day off moves to the next working day;
* same day: received on a working day up to the cut-off (15:00 by default) →
  due that day; after it, or on a day off → due the next working day;
* day-based deadlines fall due at the close of office of the due date;
* working hours and fractional working days run on office time only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from procflow.calendar.hours import DEFAULT_CUTOFF, OfficeHours, parse_clock, seconds_of
from procflow.calendar.overlay import WEEKDAY_NAMES, Overlay, OverlayDay, load_overlay
from procflow.calendar.units import TimeUnit
from procflow.errors import CalendarError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from procflow.calendar.axis import WorkingAxis
    from procflow.calendar.bulk import BulkCalendar

__all__ = ["DEFAULT_TIMEZONE", "DEFAULT_YEARS", "DayInfo", "WorkCalendar", "national_overlay_path"]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
#: The range of years indexed by default.
DEFAULT_YEARS = (2000, 2060)
_DEFAULT_WEEKEND = (5, 6)
_EPS = 1e-6  # seconds: below datetime's resolution


def national_overlay_path() -> Path:
    """Path of the shipped national overlay, ``procflow/calendar/data/vn.yaml``."""
    ref = resources.files("procflow.calendar").joinpath("data", "vn.yaml")
    path = Path(str(ref))
    if not path.is_file():
        raise CalendarError(
            f"{path}: the national calendar overlay is missing from this installation; "
            "reinstall procflow (package data 'calendar/data/*.yaml' must be included)"
        )
    return path


@functools.lru_cache(maxsize=16)
def _base_holidays(
    country: str, subdiv: str | None, first: int, last: int
) -> tuple[dict[date, str], frozenset[date]]:
    import holidays

    try:
        h = holidays.country_holidays(
            country, subdiv=subdiv, years=range(first, last + 1), language="vi"
        )
    except (NotImplementedError, KeyError) as exc:
        raise CalendarError(
            f"base: the holidays package has no calendar for country {country!r}"
            f"{f' subdivision {subdiv!r}' if subdiv else ''} ({exc}); use an ISO code such as 'VN'"
        ) from None
    days = {d: str(name) for d, name in h.items() if first <= d.year <= last}
    workdays = frozenset(d for d in getattr(h, "weekend_workdays", ()) if first <= d.year <= last)
    return days, workdays


@functools.lru_cache(maxsize=64)
def _cached_overlay(path: str, mtime_ns: int, size: int) -> Overlay:
    return load_overlay(path)


def _load(path: str | Path) -> Overlay:
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return load_overlay(p)  # raises the clear "not found" error
    return _cached_overlay(str(p), st.st_mtime_ns, st.st_size)


def _weekday_number(value: int | str) -> int:
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.lower()[:3] in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(value.lower()[:3])
    raise CalendarError(
        f"weekend: {value!r} is not a weekday; use mon..sun or 0 (Monday) .. 6 (Sunday)"
    )


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Why a date is, or is not, a working day."""

    date: date
    working: bool
    weekend: bool
    """The date falls on a weekly rest day."""
    name: str | None
    origin: str
    """``weekly rule``, ``holidays:VN`` or the overlay file that decided."""
    source: str | None
    confirmed: bool | None
    package_working: bool
    """The verdict of the weekly rule and the ``holidays`` package alone."""

    @property
    def kind(self) -> str:
        if self.working:
            return "make-up day" if self.weekend else "working day"
        if self.name is None and self.weekend:
            return "weekend"
        return "holiday"

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "weekday": self.date.strftime("%a"),
            "working": self.working,
            "kind": self.kind,
            "name": self.name,
            "origin": self.origin,
            "source": self.source,
            "confirmed": self.confirmed,
            "differs_from_package": self.working != self.package_working,
        }


class WorkCalendar:
    """Working days, office hours and statutory deadlines on one calendar.

    Build one with :meth:`vietnam` (the national calendar, plus any local
    overlays) or :meth:`from_files`; the constructor takes loaded overlays.
    All returned instants are timezone-aware, in :attr:`tz`. Naive datetimes
    are rejected with :class:`CalendarError`: a receipt time without a zone is
    ambiguous, and guessing it wrong moves deadlines.
    """

    def __init__(
        self,
        overlays: Sequence[Overlay] = (),
        *,
        country: str | None = None,
        subdiv: str | None = None,
        timezone: str | None = None,
        weekend: Iterable[int | str] | None = None,
        office_hours: Sequence[str] | OfficeHours | None = None,
        cutoff: time | str | None = None,
        years: tuple[int, int] = DEFAULT_YEARS,
        include_unconfirmed: bool = True,
        cutoff_applies_to_days: bool = False,
        name: str | None = None,
    ) -> None:
        self.overlays: tuple[Overlay, ...] = tuple(overlays)
        specs = [o.spec for o in self.overlays]

        def last(attr: str) -> Any:
            for s in reversed(specs):
                v = getattr(s, attr)
                if v is not None:
                    return v
            return None

        base = last("base")
        self.country: str | None = country or (base.holidays if base else None)
        self.subdiv: str | None = subdiv if country else (subdiv or (base.subdiv if base else None))
        self.name: str = name or (" + ".join(s.name for s in specs) if specs else "weekly rule")

        tzname = timezone or last("timezone") or DEFAULT_TIMEZONE
        try:
            self.tz: ZoneInfo = ZoneInfo(tzname)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(
                f"timezone: {tzname!r} is not a known time zone; use an IANA name "
                "such as 'Asia/Ho_Chi_Minh'"
            ) from None

        wk = weekend if weekend is not None else last("weekend")
        self.weekend: frozenset[int] = (
            frozenset(_weekday_number(w) for w in wk)
            if wk is not None
            else frozenset(_DEFAULT_WEEKEND)
        )
        if len(self.weekend) == 7:
            raise CalendarError("weekend: all seven days are rest days; leave at least one workday")

        if isinstance(office_hours, OfficeHours):
            self.hours = office_hours
        else:
            oh = office_hours if office_hours is not None else last("office_hours")
            self.hours = OfficeHours.default() if oh is None else OfficeHours.parse(oh)

        cut = cutoff if cutoff is not None else last("same_day_cutoff")
        if cut is None:
            self.cutoff: time = DEFAULT_CUTOFF
        elif isinstance(cut, time):
            self.cutoff = cut
        else:
            self.cutoff = parse_clock(cut, "same_day_cutoff")
        self.cutoff_applies_to_days = cutoff_applies_to_days
        self.include_unconfirmed = include_unconfirmed

        first, last_year = years
        if not (1900 <= first <= last_year <= 2200):
            raise CalendarError(
                f"years: {years!r} is not a range of years; give (first, last), e.g. (2000, 2060)"
            )
        self.years: tuple[int, int] = (first, last_year)
        self._build()

    # --- construction -----------------------------------------------------------

    def _build(self) -> None:
        first, last = self.years
        lo = date(first, 1, 1).toordinal()
        hi = date(last, 12, 31).toordinal()
        n = hi - lo + 1
        weekend = self.weekend
        weekly = [(date.fromordinal(lo + i).weekday() in weekend) for i in range(n)]
        off = list(weekly)
        info: dict[int, tuple[str | None, str, str | None, bool | None]] = {}

        base_off = list(weekly)
        if self.country:
            days, workdays = _base_holidays(self.country, self.subdiv, first, last)
            origin = f"holidays:{self.country}" + (f"-{self.subdiv}" if self.subdiv else "")
            for d, hname in days.items():
                i = d.toordinal() - lo
                base_off[i] = True
                info[i] = (hname, origin, None, None)
            for d in workdays:
                i = d.toordinal() - lo
                base_off[i] = False
                info[i] = ("ngày làm bù (make-up day)", origin, None, None)
            off = list(base_off)

        for ov in self.overlays:
            for e in ov.days:
                i = e.date.toordinal() - lo
                if not 0 <= i < n:
                    continue
                if e.confirmed or self.include_unconfirmed:
                    off[i] = e.kind == "day_off"
                    info[i] = (e.name, e.file, e.source, e.confirmed)
                else:
                    off[i] = weekly[i]
                    info[i] = (
                        f"{e.name} (unconfirmed entry ignored)",
                        e.file,
                        e.source,
                        e.confirmed,
                    )

        # Tuples, not lists: a tuple of ints, bools and dates is untracked by
        # the cyclic garbage collector, so these tables (tens of thousands of
        # entries) are not walked again at every full collection of a long run.
        self._lo = lo
        self._n = n
        self._working: tuple[bool, ...] = tuple(not x for x in off)
        self._base_working: tuple[bool, ...] = tuple(not x for x in base_off)
        self._weekly_off: tuple[bool, ...] = tuple(weekly)
        self._info = info
        rank = [0] * (n + 1)
        wd_idx: list[int] = []
        c = 0
        for i in range(n):
            rank[i] = c
            if not off[i]:
                wd_idx.append(i)
                c += 1
        rank[n] = c
        self._rank: tuple[int, ...] = tuple(rank)
        self._wd_idx: tuple[int, ...] = tuple(wd_idx)
        self._wd_ord: tuple[int, ...] = tuple(lo + i for i in wd_idx)
        self._wd_dates: tuple[date, ...] = tuple(date.fromordinal(o) for o in self._wd_ord)
        self._nwd = c
        self._closes: tuple[datetime, ...] | None = None
        self._midnights: dict[int, datetime] = {}
        self._bulk: BulkCalendar | None = None
        self._day_seconds = self.hours.day_seconds
        self._close_s = self.hours.closing
        self._cut_s = seconds_of(self.cutoff)

    @classmethod
    def vietnam(
        cls,
        overlays: Sequence[str | Path] | None = None,
        *,
        include_national: bool = True,
        **kwargs: Any,
    ) -> WorkCalendar:
        """Viet Nam's public-sector calendar: the ``holidays`` package (VN), the
        shipped national overlay ``vn.yaml``, then ``overlays`` (e.g. a province's
        extra holiday) in order. Keyword arguments go to the constructor."""
        if not overlays and not include_national and not kwargs:
            return cls(country="VN")
        if not overlays and include_national and not kwargs:
            return _default_vietnam()
        paths: list[str | Path] = [national_overlay_path()] if include_national else []
        paths.extend(overlays or ())
        kwargs.setdefault("country", "VN")
        return cls([_load(p) for p in paths], **kwargs)

    @classmethod
    def from_files(cls, *paths: str | Path, **kwargs: Any) -> WorkCalendar:
        """Compose overlay files in order (later files win), e.g. the national
        ``vn.yaml`` then a local one. The ``holidays`` base is the country the
        files' ``base:`` names (none: weekly rule plus the files only)."""
        return cls([_load(p) for p in paths], **kwargs)

    # --- pickling: drop the lazy caches -------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_closes"] = None
        state["_bulk"] = None
        state["_midnights"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return (
            f"WorkCalendar({self.name!r}, tz={self.tz.key!r}, years={self.years}, "
            f"office_hours={self.hours.as_strings()}, cutoff={self.cutoff.strftime('%H:%M')})"
        )

    # --- helpers -------------------------------------------------------------------

    @property
    def day_seconds(self) -> float:
        """Office seconds in a standard working day."""
        return self._day_seconds

    @property
    def first_day(self) -> date:
        return date.fromordinal(self._lo)

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
        """A time limit that runs past the last day this calendar counts.

        Separate from :meth:`_range_error`: the date given is fine, the limit
        is what is too long (1,000,000,000 calendar days, 1e308 working
        hours, inf...), and building a calendar of more years is seldom the
        fix; the message says how far the calendar counts."""
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
        """A NaN or infinite limit, before any arithmetic on it: always an error."""
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

    def localize(self, naive: datetime) -> datetime:
        """Attach the calendar's zone to a naive local datetime (for input parsing)."""
        if naive.tzinfo is not None:
            return naive.astimezone(self.tz)
        return naive.replace(tzinfo=self.tz)

    def _index(self, d: date | datetime) -> int:
        if isinstance(d, datetime):
            d = self._localize(d).date()
        elif not isinstance(d, date):
            raise CalendarError(f"expected a date or datetime, got {type(d).__name__} {d!r}")
        i = d.toordinal() - self._lo
        if not 0 <= i < self._n:
            raise self._range_error(d)
        return i

    def _at(self, i: int, tod: float) -> datetime:
        """The instant ``tod`` seconds after local midnight of day ``i``.

        Runs for most deadlines the engine computes, so it adds a timedelta to
        a cached local midnight (aware arithmetic is wall-clock arithmetic,
        the same as ``datetime.combine``) instead of building date, time and
        datetime afresh; the rounding to microseconds is :func:`time_of`'s.
        """
        if tod >= 86400:
            i, tod = i + 1, tod - 86400
        base = self._midnights.get(i)
        if base is None:
            if len(self._midnights) >= 8192:
                self._midnights.clear()
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

    # --- days ------------------------------------------------------------------------

    def is_working_day(self, d: date | datetime) -> bool:
        """Whether ``d`` (a date, or the local date of an aware datetime) is worked."""
        return self._working[self._index(d)]

    def roll_forward(self, d: date | datetime) -> date:
        """``d`` if it is a working day, else the next working day."""
        return self._wd_at(self._rank[self._index(d)])

    def next_working_day(self, d: date | datetime) -> date:
        """The first working day strictly after ``d``."""
        return self._wd_at(self._rank[self._index(d) + 1])

    def previous_working_day(self, d: date | datetime) -> date:
        """The last working day strictly before ``d``."""
        return self._wd_at(self._rank[self._index(d)] - 1)

    def _wd_at(self, pos: int) -> date:
        if not 0 <= pos < self._nwd:
            raise self._range_error("the result")
        return self._wd_dates[pos]

    def working_days(self, start: date | datetime, end: date | datetime) -> list[date]:
        """The working days from ``start`` to ``end``, both included."""
        ia, ib = self._index(start), self._index(end)
        if ib < ia:
            return []
        return list(self._wd_dates[self._rank[ia] : self._rank[ib + 1]])

    def add_working_days(self, start: date | datetime, n: int) -> date:
        """The ``n``-th working day after ``start`` (the start day does not count;
        a start on a day off counts from the next working day). ``n`` may be 0
        (the start rolled forward) or negative (working days before)."""
        i = start.toordinal() - self._lo if type(start) is date else self._index(start)
        if 0 <= i < self._n:
            try:
                j = self._rank[i] + n
                if 0 <= j < self._nwd:
                    return self._wd_dates[j]
            except TypeError:
                raise CalendarError(f"n must be a whole number of days, got {n!r}") from None
        raise self._range_error(f"{start} + {n} working days")

    def add_working_days_ordinal(self, ordinal: int, n: int) -> int:
        """Lean path of :meth:`add_working_days` on proleptic ordinals
        (``date.toordinal()``), for hot loops."""
        i = ordinal - self._lo
        if 0 <= i < self._n:
            j = self._rank[i] + n
            if 0 <= j < self._nwd:
                return self._wd_ord[j]
        raise self._range_error(f"{date.fromordinal(max(1, ordinal))} + {n} working days")

    def count_working_days(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after ``start`` up to and including ``end``; negative if
        ``end`` is before ``start``. Inverse of :meth:`add_working_days` for a
        working-day ``start``: ``count(d, add(d, n)) == n``."""
        ia, ib = self._index(start), self._index(end)
        return self._rank[ib + 1] - self._rank[ia + 1]

    def day_info(self, d: date) -> DayInfo:
        """Why ``d`` is or is not a working day, and on whose authority."""
        i = self._index(d)
        weekend = self._weekly_off[i]
        rec = self._info.get(i)
        if rec is None:
            return DayInfo(
                d, self._working[i], weekend, None, "weekly rule", None, None, self._base_working[i]
            )
        name, origin, source, confirmed = rec
        return DayInfo(
            d, self._working[i], weekend, name, origin, source, confirmed, self._base_working[i]
        )

    def special_days(self, year: int) -> list[DayInfo]:
        """The days of ``year`` that differ from the plain weekly rule, or that
        an overlay or the ``holidays`` package names (holidays, swaps, make-up days)."""
        start = max(date(year, 1, 1).toordinal(), self._lo) - self._lo
        end = min(date(year, 12, 31).toordinal(), self._lo + self._n - 1) - self._lo
        if end < start:
            raise self._range_error(year)
        return [
            self.day_info(date.fromordinal(self._lo + i))
            for i in range(start, end + 1)
            if i in self._info or self._working[i] == self._weekly_off[i]
        ]

    def overlay_entries(self, year: int | None = None) -> list[OverlayDay]:
        """Every overlay entry (all files, in order), optionally of one year."""
        return [e for o in self.overlays for e in o.days if year is None or e.date.year == year]

    # --- instants -------------------------------------------------------------------

    def due(
        self,
        start: datetime,
        value: float,
        unit: TimeUnit | str = TimeUnit.WORKING_DAYS,
        cutoff: time | None = None,
    ) -> datetime:
        """The deadline instant for a time limit of ``value`` ``unit`` counted
        from the receipt instant ``start`` (aware).

        Day-based units fall due at the close of office of the due date;
        working hours at the exact instant. Zero (working or calendar) days is
        the same-day rule. A non-whole number of working days
        is converted to office time (``value * day_seconds``) and added from
        ``start`` as working hours are. ``cutoff`` overrides the calendar's
        same-day cut-off (a receipt strictly after it counts from the next
        working day)."""
        if getattr(start, "tzinfo", None) is self.tz and type(start) is datetime:
            loc = start  # fast path: already in the calendar's zone
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
                    return self.due(loc, 0, TimeUnit.SAME_DAY, cutoff)  # 0 days: same day
                if self.cutoff_applies_to_days and self._late(loc, cutoff):
                    i += 1
                pos = self._rank[i] + n
                closes = self._closes
                if closes is not None and pos < self._nwd:
                    return closes[pos]
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
                return self.due(loc, 0, TimeUnit.SAME_DAY, cutoff)  # 0 days: same day
            j = i + n
            if j >= self._n or self._rank[j] >= self._nwd:
                # Not loc + timedelta(days=n) in the message: past 999,999,999
                # days that overflows, and the date is beyond the calendar anyway.
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
        """``value`` units of ``unit_seconds`` office seconds after ``loc``; a
        limit running past the calendar is named as such (not as a result
        "outside the range", nor as an infinite number of seconds)."""
        seconds = self._seconds(value, unit_seconds)
        if not math.isfinite(seconds):  # e.g. 1e308 working hours: finite, but not in seconds
            raise self._limit_error(loc, value, unit)
        try:
            return self.add_working_seconds(loc, seconds)
        except CalendarError:
            # ``loc`` lies in the calendar (checked by due()): the result is beyond it.
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

    def due_date(
        self,
        start: datetime,
        value: float,
        unit: TimeUnit | str = TimeUnit.WORKING_DAYS,
        cutoff: time | None = None,
    ) -> date:
        """The local date of :meth:`due` (what an appointment slip shows)."""
        return self.due(start, value, unit, cutoff).date()

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
        """Office seconds from ``a`` to ``b`` (negative if ``b`` is before ``a``),
        leaving out the ``paused`` intervals (which may overlap each other)."""
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
        """:meth:`working_seconds_between` in standard working days (a float)."""
        return self.working_seconds_between(a, b, paused) / self._day_seconds

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` of office time have run from ``start``.

        A start outside office hours (a day off, the lunch break, after closing)
        begins at the next office period, so ``seconds == 0`` gives the first
        office instant at or after ``start``. A result landing exactly on the end
        of a period is that end (17:00, not the next morning)."""
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
        if seconds <= rem + _EPS:  # below a microsecond, datetime cannot tell
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

    def axis(self, origin: datetime) -> WorkingAxis:
        """A fast :meth:`add_working_seconds` from a fixed ``origin`` (an office
        opening): what a simulation on working time asks for at every step."""
        from procflow.calendar.axis import WorkingAxis

        return WorkingAxis(self, self._localize(origin))

    def subtract_working_seconds(self, end: datetime, seconds: float) -> datetime:
        """The latest instant from which ``seconds`` of office time run until
        ``end``: the inverse of :meth:`add_working_seconds` (e.g. "warn 4
        working hours before the deadline"). An ``end`` outside office hours
        counts back from the previous office period's end; a result landing on
        the start of a period is that start (13:30, not 11:30)."""
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

    # --- bulk (numpy) ------------------------------------------------------------------

    @property
    def bulk(self) -> BulkCalendar:
        """The numpy view of this calendar (built once, on first use)."""
        b = self._bulk
        if b is None:
            from procflow.calendar.bulk import BulkCalendar

            b = self._bulk = BulkCalendar(self)
        return b

    def add_working_days_bulk(
        self, starts: npt.ArrayLike, n: npt.ArrayLike, method: str = "index"
    ) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        """Vectorised :meth:`add_working_days` on ``datetime64[D]`` arrays
        (``n`` a scalar or an array); ``method`` is ``"index"`` or ``"busday"``."""
        return self.bulk.add_working_days(starts, n, method)

    def count_working_days_bulk(
        self, a: npt.ArrayLike, b: npt.ArrayLike, method: str = "index"
    ) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Vectorised :meth:`count_working_days` (working days in ``(a, b]``)."""
        return self.bulk.count_working_days(a, b, method)

    def is_working_day_bulk(self, days: npt.ArrayLike) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return self.bulk.is_working_day(days)


@functools.lru_cache(maxsize=1)
def _default_vietnam() -> WorkCalendar:
    # WorkCalendar is immutable: the default national calendar is built once
    # per process (about 20 ms) and shared.
    return WorkCalendar([_load(national_overlay_path())], country="VN")
