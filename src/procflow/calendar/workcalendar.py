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
counting them; :attr:`WorkCalendar.day_tables` hands these tables out,
read-only, to the simulator's working-time axis and the numpy bulk functions
(:mod:`procflow.calendar.days`). Dates outside the range raise
:class:`CalendarError` (build the calendar with a wider ``years=`` range if
you need them); the calendar never changes after construction, so it is safe
to share between threads and cheap to pickle.

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

Instants come as aware datetimes or as POSIX seconds (``due_ts``,
``working_seconds_between_ts``, ``add_working_seconds_ts``... with
``to_ts``/``from_ts`` at the edges): both run one core on (day index, seconds
after local midnight), with the working seconds at the start of a day read
as ``day_seconds * rank[i]`` and the office periods as a precomputed table,
so every method is a few look-ups and a bisection, and both give the same
results, to the last bit, as the datetime-only implementation they replaced.
The engine's hot calls on int POSIX seconds (``working_seconds_between_ts``,
``due_ts`` in parts of a day, ``add``/``subtract_working_seconds_ts``,
``received_at_ts``) go further when the office hours are whole seconds: they
read tables per second of the day (:class:`_SecondTables`), built on first
use, with the same results again (tests/calendar/test_table_lookups.py).
"""

from __future__ import annotations

import functools
import math
import operator
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, SupportsIndex
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from procflow.calendar.days import DayTables
from procflow.calendar.hours import (
    DEFAULT_CUTOFF,
    OfficeHours,
    advance_in,
    parse_clock,
    retreat_in,
    seconds_of,
)
from procflow.calendar.overlay import (
    WEEKDAY_NAMES,
    Overlay,
    OverlayDay,
    OverlaySettings,
    load_overlay,
)
from procflow.calendar.unconfirmed import UnconfirmedDay
from procflow.calendar.units import DEFAULT_YEARS, TimeUnit
from procflow.errors import CalendarError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from procflow.calendar.axis import WorkingAxis
    from procflow.calendar.bulk import BulkCalendar

__all__ = [
    "DEFAULT_TIMEZONE",
    "DEFAULT_YEARS",
    "DayInfo",
    "UnconfirmedDay",
    "WorkCalendar",
    "national_overlay_path",
]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_DEFAULT_WEEKEND = (5, 6)
_EPS = 1e-6  # seconds: below datetime's resolution
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_BIG = float(2**1000)  # a limit below it is a finite float once in seconds (or _seconds decides)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def national_overlay_path() -> Path:
    """Path of the shipped national overlay, ``procflow/calendar/data/vn.yaml``.

    Package data is installed as files next to this module, and the overlay
    is read as a file; ``importlib.resources`` would give the same path for
    5 ms of imports, which every one-shot command would pay."""
    path = Path(__file__).with_name("data") / "vn.yaml"
    if not path.is_file():
        raise CalendarError(
            f"{path}: the national calendar overlay is missing from this installation; "
            "reinstall procflow (package data 'calendar/data/*.yaml' must be included)"
        )
    return path


def _holidays_class(country: str) -> Any:
    """The ``holidays`` package's class for ``country``, or ``None`` if it is not
    plainly one module of ``holidays.countries``.

    ``holidays.country_holidays`` imports the package ``holidays.countries``,
    whose ``__init__`` imports all of its ~250 country modules (about 0.12 s
    of CPU, most of what a one-shot ``procflow calendar due`` costs). The
    package's own registry says which module defines the class; that one
    module is loaded by itself, under a private name, and its class is called
    exactly as ``country_holidays`` calls it. Same code, same results
    (tests/calendar/test_startup.py compares them); anything unexpected gives
    ``None`` and the caller uses ``country_holidays``. If ``holidays.countries``
    is imported already (by someone else), the ordinary module is used.
    """
    import importlib
    import importlib.util
    import sys

    import holidays
    from holidays.registry import COUNTRIES

    module = next((m for m, names in COUNTRIES.items() if country in names), None)
    if module is None:
        return None
    if "holidays.countries" in sys.modules:
        return getattr(importlib.import_module(f"holidays.countries.{module}"), country, None)
    private = f"procflow.calendar._holidays_{module}"
    loaded = sys.modules.get(private)
    if loaded is None:
        path = Path(holidays.__file__).parent / "countries" / f"{module}.py"
        spec = importlib.util.spec_from_file_location(private, path)
        if spec is None or spec.loader is None or not path.is_file():
            return None
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[private] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[private]
            raise
    return getattr(loaded, country, None)


@functools.lru_cache(maxsize=16)
def _base_holidays(
    country: str, subdiv: str | None, first: int, last: int
) -> tuple[dict[date, str], frozenset[date]]:
    import holidays

    years = range(first, last + 1)
    try:
        try:
            entity = _holidays_class(country)
        except Exception:  # any surprise in the shortcut: the ordinary way decides
            entity = None
        if entity is not None:
            h = entity(
                years=years,
                subdiv=subdiv,
                expand=True,
                observed=True,
                prov=None,
                state=None,
                language="vi",
                categories=None,
            )
        else:
            h = holidays.country_holidays(country, subdiv=subdiv, years=years, language="vi")
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


def _office_hours(
    given: Sequence[str] | OfficeHours | None, specs: Sequence[OverlaySettings]
) -> OfficeHours:
    """A calendar's office hours: those given, else the last overlay's that
    sets them, else the default."""
    if isinstance(given, OfficeHours):
        return given
    oh = given
    if oh is None:
        oh = next((s.office_hours for s in reversed(specs) if s.office_hours is not None), None)
    return OfficeHours.default() if oh is None else OfficeHours.parse(oh)


def national_office_hours() -> OfficeHours:
    """The office hours of :meth:`WorkCalendar.vietnam`, read from the
    national overlay without building the calendar: the procedure checks
    need the length of a working day, not the holidays, whose package and
    sixty years of dates cost a command a sixth of a CPU second."""
    return _office_hours(None, [_load(national_overlay_path()).settings])


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
        defer_receipts_outside_hours: bool = True,
        name: str | None = None,
    ) -> None:
        self.overlays: tuple[Overlay, ...] = tuple(overlays)
        specs = [o.settings for o in self.overlays]

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

        self.hours = _office_hours(office_hours, specs)

        cut = cutoff if cutoff is not None else last("same_day_cutoff")
        if cut is None:
            self.cutoff: time = DEFAULT_CUTOFF
        elif isinstance(cut, time):
            self.cutoff = cut
        else:
            self.cutoff = parse_clock(cut, "same_day_cutoff")
        self.cutoff_applies_to_days = cutoff_applies_to_days
        self.include_unconfirmed = include_unconfirmed
        # A receipt outside office hours counts from the next opening (received_at).
        self.defer_receipts_outside_hours = defer_receipts_outside_hours

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
        # The weekly rule repeats every 7 days (ordinal 1, 0001-01-01, is a
        # Monday): one week's pattern, repeated, instead of a date per day.
        week = [(lo + k - 1) % 7 in self.weekend for k in range(7)]
        weekly = (week * (n // 7 + 1))[:n]
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
        working = [not x for x in off]
        self._lo = lo
        self._n = n
        self._working: tuple[bool, ...] = tuple(working)
        self._base_working: tuple[bool, ...] = tuple([not x for x in base_off])
        self._weekly_off: tuple[bool, ...] = tuple(weekly)
        self._info = info
        # rank[i]: working days before day i (rank[n]: all of them); the
        # k-th working day is day wd_idx[k], ordinal wd_ord[k].
        self._rank: tuple[int, ...] = tuple(accumulate(working, initial=0))
        self._wd_idx: tuple[int, ...] = tuple(compress(range(n), working))
        self._wd_ord: tuple[int, ...] = tuple(compress(range(lo, lo + n), working))
        self._nwd: int = self._rank[n]
        # Built on first use (a one-shot command needs a handful of them):
        # the working days as dates, the close of office of each, the (year,
        # month, day) of days, the UTC offset of the POSIX-seconds API.
        self._wd_dates: tuple[date, ...] = ()
        self._closes: dict[int, datetime] = {}
        self._ymd: dict[int, tuple[int, int, int]] = {}
        self._off: int | None = None
        self._off_known = False
        self._bulk: BulkCalendar | None = None
        self._days: DayTables | None = None
        self._unconfirmed: tuple[tuple[int, ...], tuple[UnconfirmedDay, ...]] | None = None
        self._day_seconds = self.hours.day_seconds
        self._open_s = self.hours.opening
        self._close_s = self.hours.closing
        self._cut_s = seconds_of(self.cutoff)
        self._periods = self.hours.periods
        self._bounds = self.hours._bounds
        self._cum = self.hours._cum
        # the close of office in whole seconds (None if it is not whole)
        close = float(self._close_s)
        self._close_int: int | None = int(close) if close.is_integer() else None
        self._day0 = lo - _EPOCH_ORDINAL  # day 0 of the range, in days since 1970-01-01
        # The POSIX-seconds fast path's tables (int instants, whole-second
        # office hours), built on first use by _ts_tables.
        self._ts_tab: _SecondTables | None = None
        self._ts_known = False
        self._ts_shift = 0
        self._ts_cum: array[float] = array("d")
        self._ts_bef: tuple[array[int] | bytes, ...] = ()

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
        state["_wd_dates"] = ()
        state["_closes"] = {}
        state["_bulk"] = None
        state["_days"] = None
        state["_ymd"] = {}
        state.update(_TS_UNBUILT)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(_TS_UNBUILT)  # a pickle of an older version lacks them
        self._days = None  # and this cache
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

    @property
    def day_tables(self) -> DayTables:
        """The working-day index of this calendar as a read-only view (built
        once, on first use; dropped from a pickle and built again after).

        For the calendar's fast companions, which read the day tables directly
        rather than ask a method per day: the simulator's working-time axis
        (:meth:`axis`) and the numpy functions (:attr:`bulk`). The view, not
        the calendar's private attributes, is what they may rely on."""
        t = self._days
        if t is None:
            t = self._days = DayTables(
                first_ordinal=self._lo,
                day_count=self._n,
                working=self._working,
                rank=self._rank,
                working_day_index=self._wd_idx,
                working_day_count=self._nwd,
                index=self._index,
                range_error=self._range_error,
                instant=self._at,
                instant_ts=self._ts_at,
            )
        return t

    def _range_error(self, what: object) -> CalendarError:
        first, last = self.years
        return CalendarError(
            f"{what} lies outside this calendar's range {first}-{last}; build the calendar "
            f"with a wider range, e.g. WorkCalendar.vietnam(years=({first - 20}, {last + 20}))"
        )

    def _limit_error(self, start: date, value: float, unit: TimeUnit | str) -> CalendarError:
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
            f"a time limit of {amount} {label} from {start.isoformat()} ends beyond "
            f"what this calendar can count: it covers the years {first}-{last}, up to "
            f"{self.last_day.isoformat()}; give a time limit that ends by then"
        )

    def _check_limit(self, start: date, value: float, unit: TimeUnit | str) -> None:
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
        """The instant ``tod`` seconds after local midnight of day ``i`` (wall
        clock, rounded to the microsecond as :func:`time_of` rounds).

        Runs for most results, so it calls the datetime constructor with a
        cached (year, month, day): the same datetime as ``midnight +
        timedelta(seconds=tod)`` (aware arithmetic is wall-clock arithmetic),
        for less than half the cost of building the timedelta and adding it.
        """
        whole = int(tod)
        if whole == tod:
            micro = 0
        else:
            micro = round((tod - whole) * 1e6)
            if micro == 1_000_000:
                whole, micro = whole + 1, 0
        if whole >= 86400:  # an office day ending at 24:00
            i, whole = i + whole // 86400, whole % 86400
        ymd = self._ymd.get(i)
        if ymd is None:
            if len(self._ymd) >= 8192:
                self._ymd.clear()
            d = date.fromordinal(self._lo + i)
            ymd = self._ymd[i] = (d.year, d.month, d.day)
        h, rest = divmod(whole, 3600)
        m, sec = divmod(rest, 60)
        return datetime(ymd[0], ymd[1], ymd[2], h, m, sec, micro, self.tz)

    def _close_of(self, pos: int) -> datetime:
        """The close of office of the ``pos``-th working day (cached per position:
        most deadlines fall at one of a few hundred closes)."""
        close = self._closes.get(pos)
        if close is None:
            if not 0 <= pos < self._nwd:
                raise self._range_error("the due date")
            close = self._closes[pos] = self._at(self._wd_idx[pos], self._close_s)
        return close

    def _day(self, i: int) -> date:
        return date.fromordinal(self._lo + i)

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
        return (self._wd_dates or self._dates())[pos]

    def _dates(self) -> tuple[date, ...]:
        """The working days as dates, built on first use (15,000 dates: a few ms
        that a command computing one deadline need not spend)."""
        dates = self._wd_dates = tuple(map(date.fromordinal, self._wd_ord))
        return dates

    def working_days(self, start: date | datetime, end: date | datetime) -> list[date]:
        """The working days from ``start`` to ``end``, both included."""
        ia, ib = self._index(start), self._index(end)
        if ib < ia:
            return []
        return list((self._wd_dates or self._dates())[self._rank[ia] : self._rank[ib + 1]])

    def add_working_days(self, start: date | datetime, n: int) -> date:
        """The ``n``-th working day after ``start`` (the start day does not count;
        a start on a day off counts from the next working day). ``n`` may be 0
        (the start rolled forward) or negative (working days before)."""
        i = start.toordinal() - self._lo if type(start) is date else self._index(start)
        if 0 <= i < self._n:
            try:
                j = self._rank[i] + n
                if 0 <= j < self._nwd:
                    return (self._wd_dates or self._dates())[j]
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

    def unrecorded_years(self, start: date | datetime, end: date | datetime) -> list[int]:
        """The years from ``start`` to ``end`` (both included) that no overlay
        has a block for: their days off are the ``holidays`` package's
        statutory ones alone.

        Each year the Prime Minister decides the public sector's Tết days and
        swaps (a VPCP-KGVX dispatch, usually in the autumn before); until
        someone records that decision in an overlay, a deadline counted across
        the year may move by several days (Tết alone has run from five to nine
        days off). So a deadline that rests on such a year says so, as one
        resting on an unconfirmed entry does. Any overlay's block counts,
        an empty one included (``years: 2027: {}``: checked, nothing to add).
        Local dates of aware instants, as :meth:`unconfirmed_between`; empty
        when ``end`` is before ``start``.
        """
        ia, ib = self._index(start), self._index(end)
        if ib < ia:
            return []
        first, last = (date.fromordinal(self._lo + i).year for i in (ia, ib))
        recorded = {y for o in self.overlays for y in o.years}
        return [y for y in range(first, last + 1) if y not in recorded]

    def unconfirmed_between(
        self, start: date | datetime, end: date | datetime
    ) -> list[UnconfirmedDay]:
        """The dates from ``start`` to ``end`` (both included; local dates of
        aware datetimes) that an unconfirmed overlay entry decides, in date order.

        A deadline counted from ``start`` that falls on ``end`` rests on these
        days: if a decision is confirmed differently, the deadline moves. Only
        the entry that decides a date counts (a later overlay confirming or
        overriding a date removes it from the answer); entries the calendar
        ignores (``include_unconfirmed=False``) are listed too, with
        ``applied`` false, since the deadline then rests on the opposite
        assumption. Empty when ``end`` is before ``start``.
        """
        ia, ib = self._index(start), self._index(end)
        if ib < ia:
            return []
        index, days = self._unconfirmed or self._unconfirmed_table()
        return list(days[bisect_left(index, ia) : bisect_left(index, ib + 1)])

    def _unconfirmed_table(self) -> tuple[tuple[int, ...], tuple[UnconfirmedDay, ...]]:
        """Day indexes and entries of the unconfirmed entries that decide a date
        of the range, built on first use (later overlays win, as in ``_build``)."""
        deciding: dict[int, OverlayDay] = {}
        for ov in self.overlays:
            for e in ov.days:
                i = e.date.toordinal() - self._lo
                if 0 <= i < self._n:
                    deciding[i] = e
        found = sorted(
            ((i, e) for i, e in deciding.items() if not e.confirmed), key=operator.itemgetter(0)
        )
        table = (
            tuple(i for i, _ in found),
            tuple(
                UnconfirmedDay(
                    e.date,
                    e.kind,
                    e.name,
                    e.source,
                    e.note,
                    e.file,
                    self.include_unconfirmed,
                    self._working[i],
                )
                for i, e in found
            ),
        )
        self._unconfirmed = table
        return table

    # --- instants: the core --------------------------------------------------------
    #
    # Every instant method runs on a day index ``i`` of the range and a time of
    # day ``tod``: seconds after local midnight, an int, or a float carrying the
    # microseconds as ``us / 1e6``. The datetime methods read them from a
    # datetime's fields and build their result with ``_at``; the POSIX-seconds
    # methods (``*_ts``) get them by one ``divmod`` and return ``midnight +
    # tod`` in seconds (midnight: one multiplication). The working
    # seconds at the start of day ``i`` are ``day_seconds * rank[i]`` and the
    # office periods are a precomputed table (OfficeHours), so each method is
    # a few look-ups; and because both kinds share this core, they give the
    # same floats and the same instants (tests/calendar/test_integer_core.py
    # checks both against a copy of the datetime-only implementation).
    #
    # A core method returns ``(i, tod)`` of its result, or ``None`` for "the
    # start instant itself" (a start inside office hours plus no time); the
    # deadline rules return a plain int ``pos`` for "the close of office of
    # the pos-th working day", which the datetime methods take from a cache.

    def _late(self, tod: float, cutoff: time | None) -> bool:
        cut = self._cut_s if cutoff is None else seconds_of(cutoff)
        return tod > cut

    def _due_at(
        self, i: int, tod: float, value: float, unit: TimeUnit | str, cutoff: time | None
    ) -> int | tuple[int, float] | None:
        """The deadline from day ``i`` at ``tod``: the rules of :meth:`due`."""
        if isinstance(value, float) and not math.isfinite(value):
            self._check_limit(self._day(i), value, unit)
        if unit == "working_days":
            if type(value) is int or (isinstance(value, float) and value.is_integer()):
                n = int(value)
                if n <= 0:
                    if n < 0:
                        raise CalendarError(f"a time limit cannot be negative, got {value!r}")
                    return self._same_day_at(i, tod, cutoff)  # 0 days: same day
                late = self.cutoff_applies_to_days and self._late(tod, cutoff)
                pos = self._rank[i + 1 if late else i] + n
                if pos >= self._nwd:
                    raise self._limit_error(self._day(i), value, unit)
                return pos
            return self._limit_at(i, tod, value, unit, self._day_seconds)
        if unit == "working_hours":
            return self._limit_at(i, tod, value, unit, 3600.0)
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
                return self._same_day_at(i, tod, cutoff)  # 0 days: same day
            j = i + n
            if j >= self._n or self._rank[j] >= self._nwd:
                # Not the date i + n in the message: past 999,999,999 days that
                # overflows, and the date is beyond the calendar anyway.
                raise self._limit_error(self._day(i), value, unit)
            return self._rank[j]
        if unit == "same_day":
            return self._same_day_at(i, tod, cutoff)
        raise CalendarError(
            f"unit: {unit!r} is not a time unit; use one of {', '.join(u.value for u in TimeUnit)}"
        )

    def _same_day_at(self, i: int, tod: float, cutoff: time | None) -> int:
        late = tod > (self._cut_s if cutoff is None else seconds_of(cutoff))  # _late()
        pos = self._rank[i + 1 if late else i]
        if pos >= self._nwd:
            raise self._range_error("the due date")
        return pos

    def _limit_at(
        self, i: int, tod: float, value: float, unit: TimeUnit | str, unit_seconds: float
    ) -> tuple[int, float] | None:
        """``value`` units of ``unit_seconds`` office seconds after day ``i`` at
        ``tod``; a limit running past the calendar is named as such (not as a
        result "outside the range", nor as an infinite number of seconds)."""
        if (type(value) is float or type(value) is int) and 0 <= value < _BIG:
            seconds = float(value) * unit_seconds  # what _seconds() returns, without the call
        else:
            seconds = self._seconds(value, unit_seconds)
        if not math.isfinite(seconds):  # e.g. 1e308 working hours: finite, but not in seconds
            raise self._limit_error(self._day(i), value, unit)
        try:
            return self._add_at(i, tod, seconds)
        except CalendarError:
            # the start lies in the calendar (checked by the caller): the result is beyond it
            raise self._limit_error(self._day(i), value, unit) from None

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

    def _ws_at(self, ia: int, ta: float, ib: int, tb: float) -> float:
        """Office seconds from day ``ia`` at ``ta`` to day ``ib`` at ``tb`` (in order).

        ``OfficeHours.before`` is written out here (a bisection of the period
        bounds and a look-up of the office time before them): this runs on
        every transition of every dossier, and a call costs as much as the
        arithmetic. Same floats: ``after(ta) + before(tb)`` for two days, and
        ``before(tb) - before(ta)`` within one."""
        working = self._working
        bounds, cum = self._bounds, self._cum
        if working[ib]:
            k = bisect_left(bounds, tb)
            bb = cum[k >> 1] + (tb - bounds[k - 1]) if k & 1 else cum[k >> 1]
        else:
            bb = 0.0
        if working[ia]:
            k = bisect_left(bounds, ta)
            ba = cum[k >> 1] + (ta - bounds[k - 1]) if k & 1 else cum[k >> 1]
            if ia == ib:
                return bb - ba
            total = self._day_seconds - ba
            if working[ib]:
                total += bb
        elif ia == ib:
            return 0.0
        else:
            total = 0.0 + bb
        return total + self._day_seconds * (self._rank[ib] - self._rank[ia + 1])

    def _add_at(self, i: int, t: float, seconds: float) -> tuple[int, float] | None:
        """``seconds`` (checked: finite, >= 0) of office time from day ``i`` at ``t``."""
        moved = False
        if not self._working[i] or t >= self._close_s:
            moved = True
            pos = self._rank[i + 1]
            if pos >= self._nwd:
                raise self._range_error("the result")
            i, t = self._wd_idx[pos], self._open_s
        bounds = self._bounds
        k = bisect_left(bounds, t)  # rem = hours.after(t), written out
        rem = self._day_seconds - (
            self._cum[k >> 1] + (t - bounds[k - 1]) if k & 1 else self._cum[k >> 1]
        )
        if seconds <= rem + _EPS:  # below a microsecond, datetime cannot tell
            tod = advance_in(self._periods, t, rem if rem < seconds else seconds)  # min()
            return None if tod == t and not moved else (i, tod)
        seconds -= rem
        day = self._day_seconds
        k = int(seconds // day)
        r = seconds - k * day
        pos = self._rank[i] + k
        if r <= _EPS and k > 0:
            tod = self._close_s
        else:
            pos += 1
            tod = advance_in(self._periods, 0.0, r)
        if pos >= self._nwd:
            raise self._range_error("the result")
        return self._wd_idx[pos], tod

    def _sub_at(self, i: int, t: float, seconds: float) -> tuple[int, float] | None:
        """``seconds`` (checked: finite, >= 0) of office time back from day ``i`` at ``t``."""
        moved = False
        if not self._working[i] or t <= self._open_s:
            moved = True
            pos = self._rank[i] - 1
            if pos < 0:
                raise self._range_error("the result")
            i, t = self._wd_idx[pos], self._close_s
        bounds = self._bounds
        k = bisect_left(bounds, t)  # used = hours.before(t), written out
        used = self._cum[k >> 1] + (t - bounds[k - 1]) if k & 1 else self._cum[k >> 1]
        if seconds <= used + _EPS:
            tod = retreat_in(self._periods, t, used if used < seconds else seconds)  # min()
            return None if tod == t and not moved else (i, tod)
        seconds -= used
        day = self._day_seconds
        k = int(seconds // day)
        r = seconds - k * day
        pos = self._rank[i] - k
        if r <= _EPS and k > 0:
            tod = self._open_s
        else:
            pos -= 1
            tod = retreat_in(self._periods, self._close_s, r)
        if pos < 0:
            raise self._range_error("the result")
        return self._wd_idx[pos], tod

    @staticmethod
    def _check_seconds(seconds: float) -> None:
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            raise CalendarError(f"seconds must be a finite number >= 0, got {seconds!r}")

    # --- instants: aware datetimes -------------------------------------------------

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
        if type(value) is int and value > 0:
            # Whole days, which need no time of day: _due_at's branches for
            # them, without building it (the engine's usual limits).
            if unit == "working_days" and not self.cutoff_applies_to_days:
                pos = self._rank[i] + value
                if pos < self._nwd:
                    return self._close_of(pos)
            elif unit == "calendar_days":
                j = i + value
                if j < self._n and self._rank[j] < self._nwd:
                    return self._close_of(self._rank[j])
        tod = loc.hour * 3600 + loc.minute * 60 + loc.second + loc.microsecond / 1e6
        if unit == "same_day" and type(value) is int:  # _due_at's last branch, directly
            return self._close_of(self._same_day_at(i, tod, cutoff))
        r = self._due_at(i, tod, value, unit, cutoff)
        if r is None:
            return loc
        if isinstance(r, int):
            return self._close_of(r)
        return self._at(*r)

    def due_date(
        self,
        start: datetime,
        value: float,
        unit: TimeUnit | str = TimeUnit.WORKING_DAYS,
        cutoff: time | None = None,
    ) -> date:
        """The local date of :meth:`due` (what an appointment slip shows)."""
        return self.due(start, value, unit, cutoff).date()

    # --- receipt outside office hours ----------------------------------------------------

    def _received_at(self, i: int, tod: float) -> tuple[int, float] | None:
        """Where a receipt on day ``i`` at ``tod`` counts from: None when it lies in
        an office period (both ends included: 17:00:00 is in, 17:00:01 is not),
        else the next start of a period (13:30 after a lunch-time receipt, the
        next working day's opening after a night, a weekend or a holiday)."""
        if self._working[i]:
            bounds = self._bounds
            k = bisect_left(bounds, tod)
            if k & 1 or (k < len(bounds) and bounds[k] == tod):
                return None
            if k < len(bounds):
                return i, bounds[k]
        pos = self._rank[i + 1]
        if pos >= self._nwd:
            raise self._range_error("the next working day")
        return self._wd_idx[pos], self._open_s

    def received_at(self, instant: datetime) -> datetime:
        """The instant a dossier received at ``instant`` counts as received: the
        clock starts there.

        A dossier submitted online at night, at a weekend or on a holiday
        counts as received at the next opening of office hours, and the day it
        counts as received on is "the day of receipt" that whole-day limits do
        not count (Decree 45/2020/NĐ-CP on administrative procedures in the
        electronic environment [recalled], see docs/calendar.md). Inside office
        hours, and with ``defer_receipts_outside_hours=False``, it is
        ``instant`` itself (in :attr:`tz`).
        """
        loc = self._localize(instant)
        if not self.defer_receipts_outside_hours:
            return loc
        r = self._received_at(*self._split(loc))
        return loc if r is None else self._at(*r)

    def _split(self, loc: datetime) -> tuple[int, float]:
        i = loc.toordinal() - self._lo
        if not 0 <= i < self._n:
            raise self._range_error(loc.date())
        return i, loc.hour * 3600 + loc.minute * 60 + loc.second + loc.microsecond / 1e6

    def _ws(self, la: datetime, lb: datetime) -> float:
        ia, ta = self._split(la)
        ib, tb = self._split(lb)
        return self._ws_at(ia, ta, ib, tb)

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
            for s, e in _merged(spans):
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
        if type(seconds) is not float or not 0.0 <= seconds < math.inf:
            self._check_seconds(seconds)
        i, t = self._split(loc)
        r = self._add_at(i, t, seconds)
        return loc if r is None else self._at(*r)

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
        if type(seconds) is not float or not 0.0 <= seconds < math.inf:
            self._check_seconds(seconds)
        i, t = self._split(loc)
        r = self._sub_at(i, t, seconds)
        return loc if r is None else self._at(*r)

    # --- instants: POSIX seconds -----------------------------------------------------
    #
    # The same methods on instants held as POSIX seconds (what a lean engine
    # stores): an int, or a float whose fraction is read to the microsecond
    # (rounded half to even, as datetime.fromtimestamp reads it; a float has
    # that resolution up to the year 2106, an int always). Results are ints
    # when they fall on a whole second (every day-based deadline), else floats
    # equal to ``to_ts`` of the datetime method's result. The calendar's zone
    # must keep one UTC offset over the calendar's years (Viet Nam: +07:00
    # since 1975) for the one-divmod path; in any other zone these methods go
    # through the datetime methods, with the same results, only slower.

    def _offset(self) -> int | None:
        """The zone's UTC offset in seconds if it is the same over the whole
        range, else ``None``; probed once, on first use (10 ms for 61 years)."""
        if not self._off_known:
            self._off = _fixed_offset(self.tz, self._lo, self._n)
            self._off_known = True
        return self._off

    def _ts_tables(self) -> _SecondTables | None:
        """The fast path's tables, built on first use; ``None`` when the office
        hours have a bound that is not a whole second.

        Beside the shared tables of the office hours (:func:`_second_tables`),
        two per day of the range: the working seconds before the day
        (``day * rank[i]``, as floats, since the results are floats) and the
        ``before`` table of the day, the shared zeros on a day off, so that the
        working seconds up to an instant are ``cum[i] + bef[i][tod]`` with no
        test of the day. All the figures are whole numbers far below 2**53,
        so the floats are exact whatever the order of the sums, and equal to
        the general path's to the last bit.

        Only in a zone of one UTC offset over the range (the POSIX methods'
        one-divmod path; elsewhere they go through datetimes): then
        ``divmod(t + shift, 86400)`` is (day index, time of day) of an int
        instant ``t`` directly, with ``shift`` the offset less the range's
        first day in seconds since the epoch."""
        if not self._ts_known:
            off = self._offset()
            tab = None if off is None else _second_tables(self._periods)
            if off is not None and tab is not None:
                self._ts_shift = off - self._day0 * 86400
                n = self._n
                self._ts_cum = array("d", map(float(tab.day).__mul__, self._rank[:n]))
                self._ts_bef = tuple(map((tab.zeros, tab.before).__getitem__, self._working))
            self._ts_tab = tab
            self._ts_known = True
        return self._ts_tab

    def _add_fast(self, tab: _SecondTables, i: int, t: int, s: int) -> int | None:
        """:meth:`_add_at` for a whole second ``t`` of day ``i`` and a whole
        number of seconds ``s > 0``, as POSIX seconds; ``None`` when the result
        lies beyond the calendar (the general path raises its error).

        With ``s > 0`` the result is never the start itself, and counting from
        a time of day ``t`` is counting from its office position ``before[t]``:
        ``advance_in(periods, t, s) == advance[before[t] + s]`` (both stop at a
        period's end rather than skip to the next start). ``s == 0`` differs
        (from 11:30, ``advance_in`` gives 13:30), so the callers send it to the
        general path."""
        rank = self._rank
        if not self._working[i] or t >= tab.closing:
            pos = rank[i + 1]
            if pos >= self._nwd:
                return None
            i = self._wd_idx[pos]
            target = s
        else:
            pos = rank[i]
            target = tab.before[t] + s
        day = tab.day
        if target <= day:
            return i * 86400 - self._ts_shift + tab.advance[target]
        k, r = divmod(target - day, day)
        if r:
            pos += k + 1
            tod = tab.advance[r]
        else:  # exactly k more days: the close of the k-th working day on
            pos += k
            tod = tab.closing
        if pos >= self._nwd:
            return None
        return self._wd_idx[pos] * 86400 - self._ts_shift + tod

    def _sub_fast(self, tab: _SecondTables, i: int, t: int, s: int) -> int | None:
        """:meth:`_sub_at` as :meth:`_add_fast` is :meth:`_add_at` (``s > 0``):
        ``retreat_in(periods, t, s) == retreat[before[t] - s]``, which lands on a
        period's start rather than on the previous end."""
        rank = self._rank
        day = tab.day
        if not self._working[i] or t <= tab.opening:
            pos = rank[i] - 1
            if pos < 0:
                return None
            i = self._wd_idx[pos]
            target = day - s
        else:
            pos = rank[i]
            target = tab.before[t] - s
        if target >= 0:
            return i * 86400 - self._ts_shift + tab.retreat[target]
        k, r = divmod(-target, day)
        if r:
            pos -= k + 1
            tod = tab.retreat[day - r]
        else:  # exactly k more days back: the opening of the k-th working day before
            pos -= k
            tod = tab.opening
        if pos < 0:
            return None
        return self._wd_idx[pos] * 86400 - self._ts_shift + tod

    @property
    def fixed_offset(self) -> int | None:
        """The zone's UTC offset in seconds when it is the same over the
        calendar's whole range (Viet Nam: 25200), else None: engines working
        on POSIX seconds read local dates with one addition when it is."""
        return self._offset()

    def _split_ts(self, t: object, off: int) -> tuple[int, float]:
        """(local day number since 1970-01-01, seconds after local midnight) of ``t``."""
        if type(t) is int:
            return divmod(t + off, 86400)
        if isinstance(t, float):
            if not math.isfinite(t):
                raise CalendarError(
                    f"{t!r} is not an instant; give POSIX seconds as a finite int or float"
                )
            whole = math.floor(t)
            micro = round((t - whole) * 1e6)
            if micro == 1_000_000:
                whole, micro = whole + 1, 0
            q, r = divmod(whole + off, 86400)
            return q, r + micro / 1e6
        if isinstance(t, bool) or not isinstance(t, SupportsIndex):  # e.g. numpy.int64 passes
            raise CalendarError(
                f"expected POSIX seconds (an int or a float), got {type(t).__name__} {t!r}; "
                "convert an aware datetime with cal.to_ts(dt)"
            )
        return divmod(operator.index(t) + off, 86400)

    def _ts_index(self, q: int) -> int:
        i = q - self._day0
        if not 0 <= i < self._n:
            o = q + _EPOCH_ORDINAL
            what = date.fromordinal(o) if 1 <= o <= _MAX_ORDINAL else f"day {q:,} after 1970-01-01"
            raise self._range_error(what)
        return i

    def _ts_at(self, i: int, tod: float, off: int) -> float:
        """POSIX seconds of day ``i`` at ``tod``, rounded to the microsecond as :meth:`_at`."""
        whole = int(tod)
        base = (self._day0 + i) * 86400 - off + whole
        if whole == tod:
            return base
        micro = round((tod - whole) * 1e6)
        if micro == 0:
            return base
        if micro == 1_000_000:
            return base + 1
        return (base * 1_000_000 + micro) / 1_000_000

    def to_ts(self, dt: datetime) -> float:
        """POSIX seconds of an aware datetime: an int on a whole second, else
        the float ``dt.timestamp()`` gives. Naive datetimes are rejected, as
        everywhere in the calendar."""
        off = self._off
        if off is not None and getattr(dt, "tzinfo", None) is self.tz and type(dt) is datetime:
            o = dt.toordinal()
            if 0 <= o - self._lo < self._n:  # where the offset is known to be ``off``
                s = (o - _EPOCH_ORDINAL) * 86400 + dt.hour * 3600 + dt.minute * 60 + dt.second
                us = dt.microsecond
                return s - off if not us else ((s - off) * 1_000_000 + us) / 1_000_000
        elif not isinstance(dt, datetime) or dt.utcoffset() is None:
            self._localize(dt)  # raises: a naive datetime, or not a datetime
        d = dt - _EPOCH
        s = d.days * 86400 + d.seconds
        us = d.microseconds
        return s if not us else (s * 1_000_000 + us) / 1_000_000

    def from_ts(self, t: float) -> datetime:
        """The aware datetime, in :attr:`tz`, of POSIX seconds ``t``: the same
        object a datetime method returns for that instant."""
        off = self._off
        if off is None:
            off = self._offset()
        if off is not None:
            tod: float
            if type(t) is int:
                q, tod = divmod(t + off, 86400)
            else:
                q, tod = self._split_ts(t, off)
            i = q - self._day0
            if 0 <= i < self._n:
                return self._at(i, tod)
        else:
            self._split_ts(t, 0)  # the same error for a wrong type as in a fixed zone
        try:
            return datetime.fromtimestamp(t, self.tz)
        except (OverflowError, OSError, ValueError) as exc:
            raise CalendarError(f"{t!r} is not an instant a datetime can hold ({exc})") from None

    def ordinal_ts(self, t: float) -> int:
        """The proleptic ordinal (``date.toordinal()``) of the local date of ``t``:
        what by-date comparisons (early, on time, late) need."""
        off = self._offset()
        if off is None:
            return self.from_ts(t).toordinal()
        ordinal = self._split_ts(t, off)[0] + _EPOCH_ORDINAL
        if not 1 <= ordinal <= _MAX_ORDINAL:
            raise CalendarError(f"{t!r} is not an instant a datetime can hold")
        return ordinal

    def date_ts(self, t: float) -> date:
        """The local date of ``t``."""
        return date.fromordinal(self.ordinal_ts(t))

    def is_working_day_ts(self, t: float) -> bool:
        """Whether the local date of ``t`` is worked."""
        off = self._offset()
        if off is None:
            return self.is_working_day(self.from_ts(t))
        return self._working[self._ts_index(self._split_ts(t, off)[0])]

    def due_ts(
        self,
        start: float,
        value: float,
        unit: TimeUnit | str = TimeUnit.WORKING_DAYS,
        cutoff: time | None = None,
    ) -> float:
        """:meth:`due` on POSIX seconds: ``to_ts(due(from_ts(start), ...))``."""
        off = self._off
        if off is None:
            off = self._offset()
            if off is None:
                return self.to_ts(self.due(self.from_ts(start), value, unit, cutoff))
        tod: float
        if type(start) is int:
            q, tod = divmod(start + off, 86400)
        else:
            q, tod = self._split_ts(start, off)
        i = q - self._day0
        if not 0 <= i < self._n:
            self._ts_index(q)
        close = self._close_int
        if type(value) is int and value > 0 and close is not None:
            # as in due(): whole days need no time of day
            pos = -1
            if unit == "working_days" and not self.cutoff_applies_to_days:
                pos = self._rank[i] + value
            elif unit == "calendar_days" and i + value < self._n:
                pos = self._rank[i + value]
            if 0 <= pos < self._nwd:
                return (self._day0 + self._wd_idx[pos]) * 86400 - off + close
        if unit == "same_day" and type(value) is int and close is not None:
            pos = self._same_day_at(i, tod, cutoff)
            return (self._day0 + self._wd_idx[pos]) * 86400 - off + close
        r: int | tuple[int, float] | None
        if _part_of_a_day(value, unit):
            # part of a day (half a day for a hand-off): _limit_at's work,
            # without the checks a finite positive float passes anyway
            seconds = value * self._day_seconds
            if type(tod) is int and seconds.is_integer() and seconds < _EXACT:
                tab = self._ts_tab or self._ts_tables()
                if tab is not None:  # a whole second plus whole seconds: the tables
                    got = self._add_fast(tab, i, tod, int(seconds))
                    if got is not None:
                        return got
            try:
                r = self._add_at(i, tod, seconds)
            except CalendarError:
                raise self._limit_error(self._day(i), value, unit) from None
        else:
            r = self._due_at(i, tod, value, unit, cutoff)
        if r is None:
            return self._ts_at(i, tod, off)
        if isinstance(r, int):
            return self._ts_at(self._wd_idx[r], self._close_s, off)
        j, tod = r
        whole = int(tod)
        if whole == tod:  # _ts_at's first case, inline: a result on a whole second
            return (self._day0 + j) * 86400 - off + whole
        return self._ts_at(j, tod, off)

    def deadline_ts(
        self,
        value: float,
        unit: TimeUnit | str = TimeUnit.WORKING_DAYS,
        cutoff: time | None = None,
    ) -> Callable[[float], float]:
        """``lambda start: due_ts(start, value, unit, cutoff)``, made once for a
        fixed limit (the engine keeps one per step's allotment and per time
        limit) and quicker per call for the usual ones: whole working days,
        and parts of a day on the seconds tables, from a whole second in the
        calendar's range. Anything else, and any start the quick form does
        not cover, goes to :meth:`due_ts` itself, so the answers are its own.
        """
        due_ts = self.due_ts

        def general(start: float) -> float:
            return due_ts(start, value, unit, cutoff)

        off = self._offset()
        close = self._close_int
        if off is None or close is None:
            return general
        day0, n = self._day0, self._n
        if (
            type(value) is int
            and value > 0
            and unit == "working_days"
            and not self.cutoff_applies_to_days
        ):
            rank, wd_idx, nwd = self._rank, self._wd_idx, self._nwd

            def whole_days(start: float) -> float:
                # due_ts's whole-day case: the close of the value-th working day on
                if type(start) is int:
                    i = (start + off) // 86400 - day0
                    if 0 <= i < n:
                        pos = rank[i] + value
                        if pos < nwd:
                            return (day0 + wd_idx[pos]) * 86400 - off + close
                return due_ts(start, value, unit, cutoff)

            return whole_days
        if _part_of_a_day(value, unit):
            seconds = value * self._day_seconds
            tab = self._ts_tab or self._ts_tables()
            if tab is None or not seconds.is_integer() or seconds >= _EXACT:
                return general
            s, add = int(seconds), self._add_fast

            def part_day(start: float) -> float:
                # due_ts's part-of-a-day case on the tables
                if type(start) is int:
                    q, tod = divmod(start + off, 86400)
                    i = q - day0
                    if 0 <= i < n:
                        got = add(tab, i, tod, s)
                        if got is not None:
                            return got
                return due_ts(start, value, unit, cutoff)

            return part_day
        return general

    def received_at_ts(self, t: float) -> float:
        """:meth:`received_at` on POSIX seconds: ``t`` itself inside office hours
        (or with the rule off), else the next opening."""
        if not self.defer_receipts_outside_hours:
            return t
        if type(t) is int:
            tab = self._ts_tab or self._ts_tables()
            if tab is not None:  # _received_at on the tables
                j, second = divmod(t + self._ts_shift, 86400)
                if 0 <= j < self._n:
                    if self._working[j]:
                        code = tab.receipt[second]
                        if not code:
                            return t
                        if code != 255:  # before a period of the day: its start
                            return j * 86400 - self._ts_shift + tab.starts[code - 1]
                    pos = self._rank[j + 1]
                    if pos < self._nwd:  # else the general path raises
                        return self._wd_idx[pos] * 86400 - self._ts_shift + tab.opening
        off = self._off
        if off is None:
            off = self._offset()
            if off is None:
                return self.to_ts(self.received_at(self.from_ts(t)))
        tod: float
        if type(t) is int:
            q, tod = divmod(t + off, 86400)
        else:
            q, tod = self._split_ts(t, off)
        i = q - self._day0
        if not 0 <= i < self._n:
            self._ts_index(q)
        if self._working[i]:  # _received_at's first test, inline: most receipts pass it
            bounds = self._bounds
            k = bisect_left(bounds, tod)
            if k & 1 or (k < len(bounds) and bounds[k] == tod):
                return t
        r = self._received_at(i, tod)
        return t if r is None else self._ts_at(r[0], r[1], off)

    def between_ts(self) -> Callable[[float, float], float]:
        """``lambda a, b: working_seconds_between_ts(a, b)``, made once (the
        engine keeps one per step on its compiled moves): whole seconds in
        order and in the calendar's range take the seconds tables with
        nothing looked up on the calendar; anything else goes to the method
        itself, so the answers are its own."""
        general = self.working_seconds_between_ts
        if self._ts_tables() is None:
            return general
        shift, n, bef, cum = self._ts_shift, self._n, self._ts_bef, self._ts_cum

        def between(a: float, b: float) -> float:
            # working_seconds_between_ts's first case: the working seconds up
            # to b less those up to a
            if type(a) is int and type(b) is int and a <= b:
                ia, ta = divmod(a + shift, 86400)
                ib, tb = divmod(b + shift, 86400)
                if ia >= 0 and ib < n:
                    return cum[ib] - cum[ia] + bef[ib][tb] - bef[ia][ta]
            return general(a, b)

        return between

    def working_seconds_between_ts(
        self,
        a: float,
        b: float,
        paused: Sequence[tuple[float, float]] = (),
    ) -> float:
        """:meth:`working_seconds_between` on POSIX seconds (``paused`` too)."""
        if type(a) is int and type(b) is int and a <= b and not paused:
            # whole seconds in order, the engine's usual question: on the tables,
            # the working seconds up to b less those up to a (_ws_at's sums)
            tab = self._ts_tab or self._ts_tables()
            if tab is not None:
                shift = self._ts_shift
                ia, ta = divmod(a + shift, 86400)
                ib, tb = divmod(b + shift, 86400)
                if ia >= 0 and ib < self._n:
                    bef = self._ts_bef
                    cum = self._ts_cum
                    return cum[ib] - cum[ia] + bef[ib][tb] - bef[ia][ta]
        off = self._off
        if off is None:
            off = self._offset()
            if off is None:
                return self.working_seconds_between(
                    self.from_ts(a),
                    self.from_ts(b),
                    [(self.from_ts(s), self.from_ts(e)) for s, e in paused],
                )
        if type(a) is int and type(b) is int and a <= b and not paused:
            # whole seconds in order, the engine's usual question
            qa, ta = divmod(a + off, 86400)
            qb, tb = divmod(b + off, 86400)
            day0 = self._day0
            if qa >= day0 and qb - day0 < self._n:
                return self._ws_at(qa - day0, ta, qb - day0, tb)
        ka = self._split_ts(a, off)
        kb = self._split_ts(b, off)
        if kb < ka:
            return -self.working_seconds_between_ts(b, a, paused)
        total = self._ws_at(self._ts_index(ka[0]), ka[1], self._ts_index(kb[0]), kb[1])
        if paused:
            spans: list[tuple[tuple[int, float], tuple[int, float]]] = []
            for k, (ps, pe) in enumerate(paused):
                s, e = self._split_ts(ps, off), self._split_ts(pe, off)
                if e < s:
                    raise CalendarError(
                        f"paused[{k}]: ends ({self.from_ts(pe).isoformat()}) before it starts "
                        f"({self.from_ts(ps).isoformat()}); swap the two instants"
                    )
                s, e = max(s, ka), min(e, kb)
                if s < e:
                    spans.append((s, e))
            day0 = self._day0
            for s, e in _merged(spans):
                total -= self._ws_at(s[0] - day0, s[1], e[0] - day0, e[1])
        return total

    def working_days_between_ts(
        self,
        a: float,
        b: float,
        paused: Sequence[tuple[float, float]] = (),
    ) -> float:
        """:meth:`working_days_between` on POSIX seconds."""
        return self.working_seconds_between_ts(a, b, paused) / self._day_seconds

    def add_working_seconds_ts(self, start: float, seconds: float) -> float:
        """:meth:`add_working_seconds` on POSIX seconds."""
        got = self._table_shift(start, seconds, self._add_fast)
        if got is not None:
            return got
        return self._shift_ts(start, seconds, self._add_at, self.add_working_seconds)

    def subtract_working_seconds_ts(self, end: float, seconds: float) -> float:
        """:meth:`subtract_working_seconds` on POSIX seconds."""
        got = self._table_shift(end, seconds, self._sub_fast)
        if got is not None:
            return got
        return self._shift_ts(end, seconds, self._sub_at, self.subtract_working_seconds)

    def _table_shift(
        self,
        t: float,
        seconds: float,
        fast: Callable[[_SecondTables, int, int, int], int | None],
    ) -> int | None:
        """``t`` moved by ``seconds`` on the tables (``fast``: :meth:`_add_fast`
        or :meth:`_sub_fast`) when both are whole seconds, ``seconds > 0``, and
        the result lies in the calendar; else ``None``, for the general path."""
        if type(t) is int:
            tab = self._ts_tab or self._ts_tables()
            if tab is not None:
                s = _whole_seconds(seconds)
                if s:
                    i, tod = divmod(t + self._ts_shift, 86400)
                    if 0 <= i < self._n:
                        return fast(tab, i, tod, s)
        return None

    def _shift_ts(
        self,
        t: float,
        seconds: float,
        step: Callable[[int, float, float], tuple[int, float] | None],
        fallback: Callable[[datetime, float], datetime],
    ) -> float:
        """Move ``t`` by ``seconds`` of working time, forwards or backwards as
        ``step`` (``_add_at``/``_sub_at``) does; ``fallback`` is the datetime
        method, for zones whose offset changes over the calendar's years."""
        off = self._off
        if off is None:
            off = self._offset()
            if off is None:
                return self.to_ts(fallback(self.from_ts(t), seconds))
        tod: float
        if type(t) is int:
            q, tod = divmod(t + off, 86400)
        else:
            q, tod = self._split_ts(t, off)
        if type(seconds) is not float or not 0.0 <= seconds < math.inf:
            self._check_seconds(seconds)
        i = q - self._day0
        if not 0 <= i < self._n:
            self._ts_index(q)
        r = step(i, tod, seconds)
        if r is None:
            return self._ts_at(i, tod, off)
        j, tod = r
        whole = int(tod)
        if whole == tod:  # _ts_at's first case, inline
            return (self._day0 + j) * 86400 - off + whole
        return self._ts_at(j, tod, off)

    def add_working_days_ts(self, t: float, n: int) -> float:
        """The same local time of day as ``t``, on ``add_working_days(local date
        of t, n)``: how a deadline of whole days moves when the clock was
        paused for ``n`` working days (engine.timing.moved_due)."""
        off = self._offset()
        if off is None:
            local = self.from_ts(t)
            d = self.add_working_days(local.date(), n)
            return self.to_ts(local.replace(year=d.year, month=d.month, day=d.day))
        q, tod = self._split_ts(t, off)
        i = q - self._day0
        if 0 <= i < self._n:
            try:
                j = self._rank[i] + n
                if 0 <= j < self._nwd:
                    return self._ts_at(self._wd_idx[j], tod, off)
            except TypeError:
                raise CalendarError(f"n must be a whole number of days, got {n!r}") from None
            raise self._range_error(f"{self._day(i)} + {n} working days")
        return self._ts_index(q)  # raises: the date lies outside the range

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


_MAX_ORDINAL = date.max.toordinal()


def _merged(spans: list[tuple[Any, Any]]) -> list[list[Any]]:
    """Sorted, overlapping or touching ``(start, end)`` spans merged into one."""
    spans.sort()
    merged: list[list[Any]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1][1] = e
        else:
            merged.append([s, e])
    return merged


#: Below this a float holds every whole number, so a whole float of seconds
#: converts to an int exactly (the fast path's limit; above it, the general path).
_EXACT = float(2**53)


def _part_of_a_day(value: float, unit: TimeUnit | str) -> bool:
    """Whether a limit is part of a working day, or days and a part (half a day
    for a hand-off): a finite positive float that is not whole, which counts
    as working seconds rather than whole days."""
    return (
        type(value) is float
        and unit == "working_days"
        and 0.0 < value < _BIG
        and not value.is_integer()
    )


def _whole_seconds(seconds: object) -> int:
    """``seconds`` as an int when it is a whole number of seconds above 0 (an int,
    or a whole float below 2**53), else 0: the cases the tables answer.
    0 itself is left to the general path (``advance_in`` treats it apart)."""
    if type(seconds) is int:
        return seconds if seconds > 0 else 0
    if type(seconds) is float and 0.0 < seconds < _EXACT and seconds.is_integer():
        return int(seconds)
    return 0


def _fixed_offset(tz: ZoneInfo, lo: int, n: int) -> int | None:
    """The UTC offset of ``tz`` in whole seconds if it is the same at the
    midnight and the noon of every day ordinal ``lo`` .. ``lo + n`` (wall
    clock), else ``None``.

    Then an instant ``t`` of those days is the wall-clock time ``t + offset``,
    and local days and times come from one divmod. (No zone changes its offset
    and back within half a day; a zone with daylight saving time gives ``None``.)
    """
    first = tz.utcoffset(datetime.fromordinal(lo))
    if first is None or first.microseconds:
        return None
    offset = tz.utcoffset
    noon = timedelta(hours=12)
    for o in range(lo, lo + n + 1):
        midnight = datetime.fromordinal(o)
        if offset(midnight) != first or offset(midnight + noon) != first:
            return None
    return first.days * 86400 + first.seconds


class _SecondTables(NamedTuple):
    """Office hours in whole seconds, tabulated per second of the day.

    What the POSIX-seconds methods read for an int instant instead of
    bisecting the period bounds and walking the periods (``advance_in`` /
    ``retreat_in``): each answer is one index. Arrays of int32, not tuples:
    a tuple is faster to index (no int object to build) when the same few
    entries are read again and again, but on instants spread over the day
    the cache misses of its pointers and int objects (2-3 MB) cost as much
    (measured: the same time per call), and the arrays and bytes take about
    0.75 MB for the default hours, shared by every calendar with the same
    hours (plus 0.36 MB per calendar of 2000-2060, see ``_ts_tables``).
    """

    before: array[int]
    """``before[s]``: office seconds of the day before second ``s`` (0..86400),
    ``OfficeHours.before(s)``."""
    zeros: bytes
    """86,401 zeros: ``before`` of a day off (no office time on it); bytes,
    whose items are cached small ints."""
    advance: array[int]
    """``advance[k]``: the second of the day at which ``k`` office seconds have
    run from the opening (0..day): ``advance_in(periods, 0, k)``, so a ``k``
    that completes a period gives its end (11:30, not 13:30)."""
    retreat: array[int]
    """``retreat[k]``: the same, for counting back: ``retreat_in(periods, close,
    day - k)``, so a ``k`` on the seam of two periods gives the later one's start
    (13:30, not 11:30)."""
    receipt: bytes
    """``receipt[s]`` (0..86399) for a working day: 0 when ``s`` lies in an
    office period (both ends in), ``k + 1`` when the next one is period ``k``,
    255 after the last (bytes: indexing gives a cached small int)."""
    starts: tuple[int, ...]
    """The periods' starts."""
    day: int
    """Office seconds in a working day."""
    opening: int
    closing: int


@functools.lru_cache(maxsize=8)
def _second_tables(periods: tuple[tuple[float, float], ...]) -> _SecondTables | None:
    """The tables of office hours ``periods`` (cached: calendars with the same
    hours share them), or ``None`` when a bound is not a whole second (or there
    are more periods than a byte counts), where the general path runs.

    Built from ranges in about 5 ms; tests/calendar/test_table_lookups.py
    checks every entry against ``OfficeHours.before``, ``advance_in``,
    ``retreat_in`` and ``_received_at``.
    """
    if len(periods) > 254 or not all(float(b).is_integer() for p in periods for b in p):
        return None
    ps = [(int(a), int(b)) for a, b in periods]
    before = array("i")
    advance = array("i", [ps[0][0]])
    retreat = array("i")
    receipt = bytearray(b"\xff" * 86400)
    c = 0
    seen = 0  # seconds of the day whose receipt code is set
    for k, (a, b) in enumerate(ps):
        before.extend(array("i", [c]) * (a + 1 - len(before)))  # up to the start: c
        before.extend(range(c + 1, c + b - a + 1))  # a+1 .. b: c + (s - a)
        advance.extend(range(a + 1, b + 1))
        retreat.extend(range(a, b))
        if a > seen:
            receipt[seen:a] = bytes([k + 1]) * (a - seen)
        hi = min(b + 1, 86400)
        if hi > a:
            receipt[a:hi] = bytes(hi - a)
        seen = max(seen, hi)
        c += b - a
    before.extend(array("i", [c]) * (86401 - len(before)))
    retreat.append(ps[-1][1])
    return _SecondTables(
        before=before,
        zeros=bytes(86401),
        advance=advance,
        retreat=retreat,
        receipt=bytes(receipt),
        starts=tuple(a for a, _ in ps),
        day=c,
        opening=ps[0][0],
        closing=ps[-1][1],
    )


#: The fast path's per-calendar state before its first use (and in a pickle).
_TS_UNBUILT: dict[str, Any] = {
    "_ts_tab": None,
    "_ts_known": False,
    "_ts_shift": 0,
    "_ts_cum": array("d"),
    "_ts_bef": (),
}


@functools.lru_cache(maxsize=1)
def _default_vietnam() -> WorkCalendar:
    # WorkCalendar is immutable: the default national calendar is built once
    # per process (about 20 ms) and shared.
    return WorkCalendar([_load(national_overlay_path())], country="VN")
