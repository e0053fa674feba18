"""The integer core: the datetime methods and the POSIX-seconds methods agree,
to the last bit, with the datetime-only implementation they replaced
(``calref.RefCalendar``, a frozen copy).

"Agree" means: the same float (compared by ``repr``, so ``-0.0`` and
``0.0`` differ), the same instant and the same ``isoformat()`` for
datetimes, the same value *and type* (an ``int`` on a whole second) for POSIX
seconds, and the same exception with the same message for bad input. A POSIX
float is read as ``datetime.fromtimestamp`` reads it; the reference for a
``*_ts`` method is the reference datetime method on that datetime.

Instants cover 2024-2028 on the national calendar (Tết, swapped days,
make-up Saturdays), with times of day drawn to hit the edges: the opening,
11:30, 13:30, 17:00 and the cut-off, a microsecond either side, midnight,
fractions of a microsecond; and other calendars: three office periods with
odd bounds, a 24:00 closing, the cut-off for day units, a zone with daylight
saving time (where the POSIX methods take the datetime path).
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from calref import RefCalendar, RefHours
from hypothesis import example, given
from hypothesis import strategies as st

from procflow.calendar import OfficeHours, TimeUnit, WorkCalendar, parse_overlay
from procflow.errors import CalendarError

CAL = WorkCalendar.vietnam()
REF = RefCalendar(CAL)
TZ = CAL.tz
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)

SYNTHETIC = parse_overlay(
    """
version: 1
name: synthetic
years:
  2030:
    days_off:
      - {date: 2030-01-01, name: New Year, source: test, confirmed: true}
      - {date: 2030-01-09, name: Local day off, source: test, confirmed: true}
    working_days:
      - {date: 2030-01-12, name: Make-up Saturday, source: test, confirmed: true}
""",
    "synthetic.yaml",
)

# Calendars whose arithmetic differs from the national one's in some way.
OTHERS = {
    "three periods": WorkCalendar(
        [SYNTHETIC],
        years=(2029, 2031),
        office_hours=["06:59:59-08:00:01", "09:15-12:00", "12:00:30-18:45:17"],
        cutoff="11:45",
    ),
    "until midnight": WorkCalendar(
        [SYNTHETIC], years=(2029, 2031), office_hours=["08:00-12:00", "13:00-24:00"]
    ),
    "cut-off for days": WorkCalendar([SYNTHETIC], years=(2029, 2031), cutoff_applies_to_days=True),
    "fractional periods": WorkCalendar(
        [SYNTHETIC],
        years=(2029, 2031),
        office_hours=OfficeHours(((27000.25, 41400.5), (48600.125, 61200.75))),
    ),
    "daylight saving": WorkCalendar(years=(2024, 2027), timezone="Europe/Paris"),
    "UTC, weekend Fri-Sat": WorkCalendar(
        years=(2024, 2027), timezone="UTC", weekend=["fri", "sat"], cutoff="16:30"
    ),
}
OTHER_REFS = {name: RefCalendar(cal) for name, cal in OTHERS.items()}


def ts_of(dt: datetime) -> float:
    """The reference conversion: exact microseconds, an int on a whole second."""
    us = (dt - EPOCH) // US
    return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000


def same_instant(got: datetime, want: datetime) -> bool:
    return (
        got == want
        and got.isoformat() == want.isoformat()
        and got.tzinfo is want.tzinfo
        and got.fold == want.fold
    )


def same_ts(got: float, want: float) -> bool:
    return type(got) is type(want) and repr(got) == repr(want)


def outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except Exception as exc:  # compared by type and message
        return type(exc).__name__, str(exc)


def check_dt(got: tuple[str, Any], want: tuple[str, Any]) -> None:
    assert got[0] == want[0], (got, want)
    if got[0] != "ok":
        assert got[1] == want[1]
    elif isinstance(want[1], datetime):
        assert same_instant(got[1], want[1]), (got, want)
    else:
        assert repr(got[1]) == repr(want[1]), (got, want)


def check_ts(got: tuple[str, Any], want: tuple[str, Any]) -> None:
    """``want`` is the reference datetime method's outcome."""
    assert got[0] == want[0], (got, want)
    if got[0] != "ok":
        assert got[1] == want[1]
    elif isinstance(want[1], datetime):
        assert same_ts(got[1], ts_of(want[1])), (got, want, ts_of(want[1]))
    else:
        assert repr(got[1]) == repr(want[1]), (got, want)


# --- strategies ------------------------------------------------------------------

SPECIAL_DAYS = [
    d.date
    for year in range(2024, 2029)
    for d in CAL.special_days(year)
    if date(2024, 1, 1) <= d.date <= date(2028, 12, 31)
]


def edge_times(cal: WorkCalendar) -> list[float]:
    """Times of day (seconds) at and around every office bound and the cut-off."""
    marks = {0.0, 86399.0, 86399.999999, 12 * 3600.0}
    for start, end in cal.hours.periods:
        marks.update((start, end))
    marks.add(cal.hours.periods[0][0])
    marks.add(cal.cutoff.hour * 3600.0 + cal.cutoff.minute * 60 + cal.cutoff.second)
    out: set[float] = set()
    for m in marks:
        for d in (0.0, 1e-6, -1e-6, 1.0, -1.0, 0.5, -0.5, 2e-6):
            if 0 <= m + d < 86400:
                out.add(m + d)
    return sorted(out)


def instants(cal: WorkCalendar, first: date, last: date) -> st.SearchStrategy[datetime]:
    special = [d for d in SPECIAL_DAYS if first <= d <= last] or [first]
    days = st.one_of(st.dates(first, last), st.sampled_from(special))
    tods = st.one_of(
        st.sampled_from(edge_times(cal)),
        st.integers(0, 86399).map(float),
        st.floats(0, 86399.999999, allow_nan=False),
    )

    def build(day: date, tod: float) -> datetime:
        whole = int(tod)
        micro = min(999_999, round((tod - whole) * 1e6))
        return datetime.combine(day, time(0), tzinfo=cal.tz) + timedelta(0, whole, micro)

    return st.builds(build, days, tods)


NATIONAL = instants(CAL, date(2024, 1, 1), date(2028, 12, 31))
DAY = CAL.day_seconds
durations = st.one_of(
    st.floats(0, 60 * DAY, allow_nan=False),
    st.integers(0, 60 * 27000),
    st.sampled_from(
        [0, 0.0, 1e-7, 1e-6, 2e-6, 0.5, 1.0, 1800.0, 12600.0, 14400.0, 14400.0 + 1e-7]
        + [k * DAY + e for k in (1, 2, 5, 20) for e in (-1e-6, -1e-7, 0.0, 1e-7, 1e-6)]
    ),
)
limits = st.one_of(
    st.integers(0, 60),
    st.floats(0, 40, allow_nan=False),
    st.sampled_from([0.5, 0.25, 1.0, 2.0, 0.0, 7.5, 1e-9, 3.0000001]),
)
units = st.sampled_from(["working_days", "working_hours", "calendar_days", "same_day", *TimeUnit])
cutoffs = st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0)))


def posix(dt: datetime) -> st.SearchStrategy[float]:
    """POSIX seconds for ``dt``: the int or float itself, or a float off by a
    fraction of a microsecond (read back as the same microsecond, or the next)."""
    t = ts_of(dt)
    return st.one_of(
        st.just(t),
        st.just(float(t)),
        st.floats(-4.9e-7, 4.9e-7).map(lambda e: float(t) + e),
    )


# --- the national calendar, datetime methods ---------------------------------------


@given(NATIONAL, limits, units, cutoffs)
@example(datetime(2026, 2, 13, 15, 0, 0, 1, tzinfo=TZ), 0, "same_day", None)
@example(datetime(2026, 2, 13, 16, 59, 59, 999999, tzinfo=TZ), 0.5, "working_days", None)
@example(datetime(2026, 1, 10, 11, 30, tzinfo=TZ), 3.5, "working_hours", None)
@example(datetime(2024, 2, 7, 17, 0, tzinfo=TZ), 1, "working_days", None)
def test_due(start: datetime, value: float, unit: str, cutoff: time | None) -> None:
    want = outcome(lambda: REF.due(start, value, unit, cutoff))
    check_dt(outcome(lambda: CAL.due(start, value, unit, cutoff)), want)
    check_ts(outcome(lambda: CAL.due_ts(ts_of(start), value, unit, cutoff)), want)


@given(NATIONAL, NATIONAL)
@example(datetime(2026, 2, 13, 11, 30, tzinfo=TZ), datetime(2026, 2, 23, 13, 30, tzinfo=TZ))
@example(datetime(2026, 1, 9, 17, 0, tzinfo=TZ), datetime(2026, 1, 10, 7, 30, 0, 1, tzinfo=TZ))
def test_working_seconds_between(a: datetime, b: datetime) -> None:
    want = outcome(lambda: REF.working_seconds_between(a, b))
    check_dt(outcome(lambda: CAL.working_seconds_between(a, b)), want)
    check_ts(outcome(lambda: CAL.working_seconds_between_ts(ts_of(a), ts_of(b))), want)
    days = outcome(lambda: REF.working_days_between(a, b))
    check_dt(outcome(lambda: CAL.working_days_between(a, b)), days)
    check_ts(outcome(lambda: CAL.working_days_between_ts(ts_of(a), ts_of(b))), days)


@given(NATIONAL, NATIONAL, st.lists(st.tuples(NATIONAL, NATIONAL), max_size=4))
def test_working_seconds_between_paused(
    a: datetime, b: datetime, paused: list[tuple[datetime, datetime]]
) -> None:
    want = outcome(lambda: REF.working_seconds_between(a, b, paused))
    check_dt(outcome(lambda: CAL.working_seconds_between(a, b, paused)), want)
    paused_ts = [(ts_of(s), ts_of(e)) for s, e in paused]
    check_ts(outcome(lambda: CAL.working_seconds_between_ts(ts_of(a), ts_of(b), paused_ts)), want)


@given(NATIONAL, durations)
@example(datetime(2026, 2, 13, 13, 30, tzinfo=TZ), 12600.0)  # lands on 17:00
@example(datetime(2026, 2, 13, 7, 30, tzinfo=TZ), 14400.0)  # lands on 11:30
@example(datetime(2026, 2, 13, 11, 30, tzinfo=TZ), 0)  # the lunch break: 13:30
@example(datetime(2026, 2, 13, 17, 0, tzinfo=TZ), 27000.0)  # Friday before Tết
def test_add_and_subtract_working_seconds(start: datetime, seconds: float) -> None:
    for ref, new, new_ts in (
        (REF.add_working_seconds, CAL.add_working_seconds, CAL.add_working_seconds_ts),
        (
            REF.subtract_working_seconds,
            CAL.subtract_working_seconds,
            CAL.subtract_working_seconds_ts,
        ),
    ):
        want = outcome(lambda ref=ref: ref(start, seconds))  # type: ignore[misc]
        check_dt(outcome(lambda new=new: new(start, seconds)), want)  # type: ignore[misc]
        check_ts(outcome(lambda f=new_ts: f(ts_of(start), seconds)), want)  # type: ignore[misc]


# --- POSIX floats that are not whole microseconds ----------------------------------


@given(NATIONAL.flatmap(posix), limits, units, durations)
def test_posix_floats_read_as_fromtimestamp(t: float, value: float, unit: str, s: float) -> None:
    start = datetime.fromtimestamp(t, TZ)
    check_ts(
        outcome(lambda: CAL.due_ts(t, value, unit)), outcome(lambda: REF.due(start, value, unit))
    )
    check_ts(
        outcome(lambda: CAL.add_working_seconds_ts(t, s)),
        outcome(lambda: REF.add_working_seconds(start, s)),
    )
    check_ts(
        outcome(lambda: CAL.subtract_working_seconds_ts(t, s)),
        outcome(lambda: REF.subtract_working_seconds(start, s)),
    )
    other = t + s
    check_ts(
        outcome(lambda: CAL.working_seconds_between_ts(t, other)),
        outcome(lambda: REF.working_seconds_between(start, datetime.fromtimestamp(other, TZ))),
    )
    assert same_instant(CAL.from_ts(t), start)
    assert CAL.ordinal_ts(t) == start.toordinal()
    assert CAL.date_ts(t) == start.date()
    assert CAL.is_working_day_ts(t) == CAL.is_working_day(start)


UNPROBED = WorkCalendar.vietnam(include_unconfirmed=True)  # to_ts before the zone is probed


@given(NATIONAL)
def test_conversions(dt: datetime) -> None:
    CAL._offset()
    t = CAL.to_ts(dt)
    assert same_ts(t, ts_of(dt))
    assert t == dt.timestamp()
    assert same_instant(CAL.from_ts(t), dt)
    assert same_instant(CAL.from_ts(t), datetime.fromtimestamp(t, TZ))
    assert same_ts(CAL.to_ts(dt.astimezone(UTC)), t)
    assert same_ts(CAL.to_ts(datetime.fromisoformat(dt.isoformat())), t)  # a fixed +07:00
    assert same_ts(UNPROBED.to_ts(dt), t)
    assert not UNPROBED._off_known


def test_conversions_outside_the_range() -> None:
    for dt in (datetime(1960, 6, 1, 9, 30, 0, 250, tzinfo=TZ), datetime(2100, 1, 1, tzinfo=TZ)):
        t = CAL.to_ts(dt)
        assert same_ts(t, ts_of(dt)) and t == dt.timestamp()
        assert same_instant(CAL.from_ts(t), datetime.fromtimestamp(t, TZ))
    with pytest.raises(CalendarError, match="has no time zone"):
        CAL.to_ts(datetime(2026, 1, 5, 9))
    with pytest.raises(CalendarError, match="expected a datetime"):
        CAL.to_ts(date(2026, 1, 5))  # type: ignore[arg-type]


@given(NATIONAL, st.integers(-30, 60))
def test_add_working_days_ts_is_moved_due(start: datetime, n: int) -> None:
    """engine.timing.moved_due: the same wall-clock time, n working days on."""

    def moved() -> datetime:
        d = CAL.add_working_days(start.date(), n)
        return start.replace(year=d.year, month=d.month, day=d.day)

    check_ts(outcome(lambda: CAL.add_working_days_ts(ts_of(start), n)), outcome(moved))


# --- other calendars --------------------------------------------------------------

OTHER = st.sampled_from(sorted(OTHERS))


@st.composite
def other_case(draw: st.DrawFn) -> tuple[WorkCalendar, RefCalendar, datetime, datetime]:
    name = draw(OTHER)
    cal = OTHERS[name]
    first, last = (
        (date(2029, 12, 20), date(2030, 2, 10))
        if cal.years[0] == 2029
        else (date(2024, 1, 1), date(2027, 12, 31))
    )
    strategy = instants(cal, first, last)
    if name == "daylight saving":  # the days the clocks change
        strategy = st.one_of(
            strategy,
            instants(cal, date(2025, 3, 29), date(2025, 3, 31)),
            instants(cal, date(2025, 10, 25), date(2025, 10, 27)),
        )
    return cal, OTHER_REFS[name], draw(strategy), draw(strategy)


@given(other_case(), limits, units, durations, cutoffs)
def test_other_calendars(
    case: tuple[WorkCalendar, RefCalendar, datetime, datetime],
    value: float,
    unit: str,
    seconds: float,
    cutoff: time | None,
) -> None:
    cal, ref, a, b = case
    ta, tb = ts_of(a), ts_of(b)
    want = outcome(lambda: ref.due(a, value, unit, cutoff))
    check_dt(outcome(lambda: cal.due(a, value, unit, cutoff)), want)
    check_ts(outcome(lambda: cal.due_ts(ta, value, unit, cutoff)), want)
    want = outcome(lambda: ref.working_seconds_between(a, b, [(a, b)]))
    check_dt(outcome(lambda: cal.working_seconds_between(a, b, [(a, b)])), want)
    want = outcome(lambda: ref.working_seconds_between(a, b))
    check_dt(outcome(lambda: cal.working_seconds_between(a, b)), want)
    check_ts(outcome(lambda: cal.working_seconds_between_ts(ta, tb)), want)
    want = outcome(lambda: ref.add_working_seconds(a, seconds))
    check_dt(outcome(lambda: cal.add_working_seconds(a, seconds)), want)
    check_ts(outcome(lambda: cal.add_working_seconds_ts(ta, seconds)), want)
    want = outcome(lambda: ref.subtract_working_seconds(a, seconds))
    check_dt(outcome(lambda: cal.subtract_working_seconds(a, seconds)), want)
    check_ts(outcome(lambda: cal.subtract_working_seconds_ts(ta, seconds)), want)


def test_fixed_offset_detection() -> None:
    assert CAL._offset() == 7 * 3600
    assert OTHERS["UTC, weekend Fri-Sat"]._offset() == 0
    assert OTHERS["daylight saving"]._offset() is None


# --- office hours -----------------------------------------------------------------


@st.composite
def office_hours(draw: st.DrawFn) -> tuple[tuple[float, float], ...]:
    bounds = sorted(
        draw(
            st.lists(
                st.one_of(st.integers(0, 86400).map(float), st.floats(0, 86400)),
                min_size=2,
                max_size=8,
                unique=True,
            )
        )
    )
    if len(bounds) % 2:
        bounds = bounds[:-1]
    return tuple((bounds[k], bounds[k + 1]) for k in range(0, len(bounds), 2))


@given(
    office_hours(),
    st.one_of(st.floats(-1, 86401, allow_nan=False), st.integers(0, 86400)),
    st.floats(0, 90000, allow_nan=False),
)
def test_office_hours_table(
    periods: tuple[tuple[float, float], ...], t: float, seconds: float
) -> None:
    new, ref = OfficeHours(periods), RefHours(periods)
    for probe in (t, *[b for p in periods for b in p]):
        assert repr(new.before(probe)) == repr(ref.before(probe))
        assert repr(new.after(probe)) == repr(ref.after(probe))
        s = min(seconds, ref.after(probe))
        assert repr(new.advance(probe, s)) == repr(ref.advance(probe, s))
        s = min(seconds, ref.before(probe))
        assert repr(new.retreat(probe, s)) == repr(ref.retreat(probe, s))
    assert repr(new.day_seconds) == repr(ref.day_seconds)
    for odd in (math.nan, math.inf, -math.inf):
        assert repr(new.before(odd)) == repr(ref.before(odd))


# --- errors and edges -------------------------------------------------------------


BAD_INSTANTS: list[Any] = [math.nan, math.inf, -math.inf, "1770000000", None, True, 1e300]


@pytest.mark.parametrize("t", BAD_INSTANTS)
def test_bad_posix_instants_are_clear_errors(t: Any) -> None:
    for call in (
        lambda: CAL.due_ts(t, 1),
        lambda: CAL.working_seconds_between_ts(t, 1770000000),
        lambda: CAL.add_working_seconds_ts(t, 60),
        lambda: CAL.subtract_working_seconds_ts(t, 60),
        lambda: CAL.add_working_days_ts(t, 1),
        lambda: CAL.from_ts(t),
        lambda: CAL.ordinal_ts(t),
    ):
        with pytest.raises(CalendarError):
            call()


def test_out_of_range_posix_instants_name_the_date() -> None:
    before = ts_of(datetime(1999, 12, 31, 9, tzinfo=TZ))
    after = ts_of(datetime(2061, 1, 3, 9, tzinfo=TZ))
    inside = ts_of(datetime(2026, 1, 5, tzinfo=TZ))
    for t, day in ((before, "1999-12-31"), (after, "2061-01-03")):
        for call, args in (
            (CAL.due_ts, (t, 1)),
            (CAL.working_seconds_between_ts, (inside, t)),
            (CAL.add_working_seconds_ts, (t, 60)),
            (CAL.subtract_working_seconds_ts, (t, 60)),
            (CAL.add_working_days_ts, (t, 1)),
            (CAL.is_working_day_ts, (t,)),
        ):
            with pytest.raises(CalendarError, match=f"{day} lies outside this calendar's range"):
                call(*args)  # type: ignore[operator]
    with pytest.raises(CalendarError, match="ends beyond what this calendar can count"):
        CAL.due_ts(ts_of(datetime(2060, 12, 1, 9, tzinfo=TZ)), 100)
    with pytest.raises(CalendarError, match="outside this calendar's range"):
        CAL.due_ts(10**15, 1)
    # an instant outside the range still converts
    assert CAL.from_ts(before) == datetime(1999, 12, 31, 9, tzinfo=TZ)


def test_numpy_scalars_are_instants() -> None:
    np = pytest.importorskip("numpy")
    t = ts_of(datetime(2026, 2, 10, 9, tzinfo=TZ))
    assert CAL.due_ts(np.int64(t), 15) == CAL.due_ts(t, 15)
    assert CAL.due_ts(np.float64(t), 15) == CAL.due_ts(t, 15)


def test_results_are_ints_on_whole_seconds() -> None:
    t = ts_of(datetime(2026, 2, 10, 9, tzinfo=TZ))
    due = CAL.due_ts(t, 15)
    assert type(due) is int and CAL.from_ts(due) == datetime(2026, 3, 10, 17, tzinfo=TZ)
    assert type(CAL.due_ts(t, 4, "working_hours")) is int
    assert type(CAL.due_ts(t + 0.25, 4, "working_hours")) is float
    assert CAL.due_ts(t, 0.5) == ts_of(datetime(2026, 2, 10, 14, 45, tzinfo=TZ))


def test_pickled_calendar_keeps_answering() -> None:
    t = ts_of(datetime(2026, 2, 10, 9, tzinfo=TZ))
    CAL.due_ts(t, 1)
    again = pickle.loads(pickle.dumps(CAL))
    assert again.due_ts(t, 15) == CAL.due_ts(t, 15)
    assert again.due(CAL.from_ts(t), 15) == CAL.due(CAL.from_ts(t), 15)
    assert again.add_working_days(date(2026, 2, 10), 15) == date(2026, 3, 10)
