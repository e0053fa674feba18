"""The POSIX-seconds fast path on tables (int instants, whole-second office
hours) gives what the general path gives, to the last bit.

The hot calls (``working_seconds_between_ts``, ``due_ts`` with part of a
working day, ``add_working_seconds_ts``/``subtract_working_seconds_ts``,
``received_at_ts``) read precomputed tables for an int instant instead of
bisecting the period bounds and walking the periods. The reference here is
the same calendar with the tables switched off (``general(cal)``), i.e. the
code every float instant still takes; the ``*_ts`` results are also held to
the frozen datetime-only implementation (``calref``) as test_integer_core.py
holds them. "The same" means the same value *and type* (an int on a whole
second, a float for working seconds; ``repr`` tells ``-0.0`` from ``0.0``),
and the same exception with the same message.

The tables themselves are checked entry by entry against ``OfficeHours.before``,
``advance_in``, ``retreat_in`` and ``_received_at``.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from calref import RefCalendar
from hypothesis import example, given
from hypothesis import strategies as st
from test_integer_core import SPECIAL_DAYS, SYNTHETIC, check_ts, outcome, same_ts, ts_of

from procflow.calendar import OfficeHours, WorkCalendar
from procflow.calendar.hours import advance_in, retreat_in
from procflow.calendar.workcalendar import _second_tables

CAL = WorkCalendar.vietnam()  # the shared national calendar (the conftest's ``cal``)
TZ = CAL.tz

# Calendars whose tables differ from the national one's, all of whole seconds
# (the fast path's case) but for the last two, where the general path runs.
OTHERS: dict[str, WorkCalendar] = {
    "national, 08:00-12:00 13:00-17:30": WorkCalendar.vietnam(
        office_hours=["08:00-12:00", "13:00-17:30"], years=(2023, 2029)
    ),
    "half days": WorkCalendar(
        [SYNTHETIC], years=(2029, 2031), office_hours=["07:30-11:30"], cutoff="10:00"
    ),
    "three periods, odd seconds": WorkCalendar(
        [SYNTHETIC],
        years=(2029, 2031),
        office_hours=["06:59:59-08:00:01", "09:15-12:00", "12:00:30-18:45:17"],
        cutoff="11:45",
    ),
    "touching periods": WorkCalendar(
        [SYNTHETIC], years=(2029, 2031), office_hours=["08:00-12:00", "12:00-16:00"]
    ),
    "until midnight": WorkCalendar(
        [SYNTHETIC], years=(2029, 2031), office_hours=["00:00-06:00", "13:00-24:00"]
    ),
    "UTC, weekend Fri-Sat": WorkCalendar(
        years=(2024, 2027), timezone="UTC", weekend=["fri", "sat"], cutoff="16:30"
    ),
    "fractional periods": WorkCalendar(
        [SYNTHETIC],
        years=(2029, 2031),
        office_hours=OfficeHours(((27000.25, 41400.5), (48600.125, 61200.75))),
    ),
    "daylight saving": WorkCalendar(years=(2024, 2027), timezone="Europe/Paris"),
}
NO_TABLES = {"fractional periods", "daylight saving"}
ALL = {"national": CAL, **OTHERS}
REFS = {name: RefCalendar(cal) for name, cal in ALL.items()}


def general(cal: WorkCalendar) -> WorkCalendar:
    """``cal`` with the tables off: every call takes the general path (the code
    before the tables, which float instants still run)."""
    slow = copy.copy(cal)
    slow._ts_tab, slow._ts_known = None, True
    return slow


GENERAL = {name: general(cal) for name, cal in ALL.items()}


def midnight_ts(cal: WorkCalendar, d: date) -> int:
    t = ts_of(datetime.combine(d, time(0), tzinfo=cal.tz))
    assert type(t) is int
    return t


def edge_seconds(cal: WorkCalendar) -> list[int]:
    """Seconds of the day at and next to every office bound and the cut-off."""
    marks = {0, 1, 43200, 86398, 86399}
    for start, end in cal.hours.periods:
        marks.update((int(start), int(end)))
    cut = cal.cutoff
    marks.add(cut.hour * 3600 + cut.minute * 60 + cut.second)
    return sorted({m + d for m in marks for d in (-2, -1, 0, 1, 2) if 0 <= m + d < 86400})


def days_of(cal: WorkCalendar) -> tuple[date, date, list[date]]:
    """The days to draw from: 2024-2028 of the national calendars (with Tết,
    swaps and make-up Saturdays), the synthetic year of the others, and the
    first and last days of each range."""
    if cal.years[0] <= 2024 and cal.years[1] >= 2028:
        first, last = date(2024, 1, 1), date(2028, 12, 31)
    elif cal.years[0] == 2029:
        first, last = date(2029, 12, 20), date(2030, 2, 10)
    else:
        first, last = date(cal.years[0], 1, 1), date(cal.years[1], 12, 31)
    special = [d for d in SPECIAL_DAYS if first <= d <= last]
    special += [date(2030, 1, 1), date(2030, 1, 9), date(2030, 1, 12)] if first.year == 2029 else []
    special += [
        cal.first_day,
        cal.first_day + timedelta(1),
        cal.last_day,
        cal.last_day - timedelta(1),
    ]
    return first, last, special


def int_instants(cal: WorkCalendar) -> st.SearchStrategy[int]:
    first, last, special = days_of(cal)
    days = st.one_of(st.dates(first, last), st.sampled_from(special))
    seconds = st.one_of(st.sampled_from(edge_seconds(cal)), st.integers(0, 86399))
    return st.builds(lambda d, s: midnight_ts(cal, d) + s, days, seconds)


def seconds_for(cal: WorkCalendar) -> st.SearchStrategy[float]:
    """Durations: whole numbers (ints and whole floats, the fast path's case),
    the lengths of the periods and of whole days (landing on a bound), zero,
    and a few that are not whole (the general path's)."""
    day = int(cal.day_seconds)
    lengths = [int(e - s) for s, e in cal.hours.periods]
    marks = [0, 1, *lengths, sum(lengths[:2]), day - 1, day, day + 1]
    marks += [k * day + e for k in (1, 2, 5, 20) for e in (-1, 0, 1)]
    whole = st.one_of(st.integers(0, 60 * day), st.sampled_from(marks))
    return st.one_of(
        whole,
        whole.map(float),
        st.sampled_from([0.0, 0.5, 1e-7, 14400.0 + 1e-7, float(day) - 1e-7, 2.0**53, 1e30]),
    )


FRACTIONS = st.one_of(
    st.sampled_from([0.5, 0.25, 0.75, 1.5, 2.5, 0.1, 0.3, 1 / 3, 7.25, 1e-9, 3.0000001]),
    st.floats(0.001, 40, allow_nan=False),
)


def same(got: tuple[str, Any], want: tuple[str, Any]) -> None:
    assert got[0] == want[0], (got, want)
    if got[0] == "ok":
        assert same_ts(got[1], want[1]), (got, want)
    else:
        assert got[1] == want[1], (got, want)


def compare(name: str, call: Callable[[WorkCalendar], Any]) -> tuple[str, Any]:
    """``call`` on the calendar and on its general copy: the same outcome."""
    got = outcome(lambda: call(ALL[name]))
    same(got, outcome(lambda: call(GENERAL[name])))
    return got


def as_dt(cal: WorkCalendar, t: int) -> datetime:
    return datetime.fromtimestamp(t, cal.tz)


# --- the tables, entry by entry ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL))
def test_tables_match_office_hours(name: str) -> None:
    cal = ALL[name]
    tab = cal._ts_tables()
    if name in NO_TABLES:
        assert tab is None
        return
    assert tab is not None and tab is _second_tables(cal.hours.periods)
    hours, periods = cal.hours, cal.hours.periods
    day = tab.day
    assert day == hours.day_seconds and tab.opening == hours.opening
    assert tab.closing == hours.closing
    assert list(tab.before) == [hours.before(float(s)) for s in range(86401)]
    assert len(tab.zeros) == 86401 and not any(tab.zeros)
    assert tab.advance[0] == advance_in(periods, 0.0, 0.0) == hours.opening
    assert list(tab.advance) == [advance_in(periods, 0.0, float(k)) for k in range(day + 1)]
    assert list(tab.retreat) == [
        retreat_in(periods, hours.closing, float(day - k)) for k in range(day + 1)
    ]
    # the receipt codes, against _received_at on a working day
    i = cal._wd_idx[cal._nwd // 2]
    for s in range(86400):
        code, r = tab.receipt[s], cal._received_at(i, float(s))
        if r is None:
            assert code == 0, s
        elif r[0] == i:
            assert code not in (0, 255) and tab.starts[code - 1] == r[1], s
        else:
            assert code == 255 and r[1] == hours.opening, s
    # per day: working seconds before it, and the day's own table
    assert len(cal._ts_cum) == len(cal._ts_bef) == cal._n
    for i in range(cal._n):
        assert cal._ts_cum[i] == day * cal._rank[i]
        assert cal._ts_bef[i] is (tab.before if cal._working[i] else tab.zeros)


def test_default_hours_landing_rules() -> None:
    """From the opening: 4 h end at 11:30 (not 13:30); back from the close:
    3.5 h start at 13:30 (not 11:30)."""
    tab = CAL._ts_tables()
    assert tab is not None
    assert tab.advance[4 * 3600] == 11 * 3600 + 1800
    assert tab.advance[4 * 3600 + 1] == 13 * 3600 + 1800 + 1
    assert tab.retreat[4 * 3600] == 13 * 3600 + 1800
    assert tab.retreat[4 * 3600 - 1] == 11 * 3600 + 1800 - 1


# --- the calls, against the general path and the reference ------------------------


@st.composite
def case(draw: st.DrawFn) -> tuple[str, int, int]:
    name = draw(st.sampled_from(sorted(ALL)))
    instants = int_instants(ALL[name])
    a, b = draw(instants), draw(instants)
    if draw(st.booleans()):  # mostly a short span, as between two transitions
        b = a + draw(st.integers(0, 40 * 86400))
    return name, a, b


NATIONAL_EXAMPLES = [
    (datetime(2026, 2, 13, 11, 30), datetime(2026, 2, 23, 13, 30)),  # Tết
    (datetime(2026, 1, 9, 17, 0), datetime(2026, 1, 10, 7, 30)),  # a Saturday
    (datetime(2024, 4, 27, 12, 0), datetime(2024, 5, 6, 8, 0)),
    (datetime(2025, 12, 31, 23, 59, 59), datetime(2026, 1, 1, 0, 0)),
    (datetime(2000, 1, 1, 0, 0), datetime(2000, 1, 4, 9, 0)),  # the first days of the range
    (datetime(2060, 12, 30, 16, 59, 59), datetime(2060, 12, 31, 23, 59, 59)),  # the last
]


def national(a: datetime, b: datetime) -> tuple[str, int, int]:
    return "national", ts_of(a.replace(tzinfo=TZ)), ts_of(b.replace(tzinfo=TZ))


@given(case())
@example(national(*NATIONAL_EXAMPLES[0]))
@example(national(*NATIONAL_EXAMPLES[1]))
@example(national(*NATIONAL_EXAMPLES[2]))
@example(national(*NATIONAL_EXAMPLES[3]))
@example(national(*NATIONAL_EXAMPLES[4]))
@example(national(*NATIONAL_EXAMPLES[5]))
def test_working_seconds_between(c: tuple[str, int, int]) -> None:
    name, a, b = c
    a, b = min(a, b), max(a, b)
    got = compare(name, lambda cal: cal.working_seconds_between_ts(a, b))
    cal, ref = ALL[name], REFS[name]
    check_ts(got, outcome(lambda: ref.working_seconds_between(as_dt(cal, a), as_dt(cal, b))))
    if got[0] == "ok":
        assert type(got[1]) is float
    compare(name, lambda cal: cal.working_days_between_ts(a, b))
    compare(name, lambda cal: cal.working_seconds_between_ts(b, a))  # reversed: general path


@given(case())
@example(national(*NATIONAL_EXAMPLES[0]))
@example(national(*NATIONAL_EXAMPLES[4]))
@example(national(*NATIONAL_EXAMPLES[5]))
def test_between_ts_answers_as_the_method(c: tuple[str, int, int]) -> None:
    """The function made once gives working_seconds_between_ts's answer, in
    either order, on whole seconds or not, in range or out of it, errors
    included (on a calendar with no seconds tables it is the method)."""
    name, a, b = c
    for cal in (ALL[name], GENERAL[name]):
        between = cal.between_ts()
        for x, y in ((a, b), (b, a), (a + 0.5, b), (a, b + 0.25)):
            made = outcome(lambda f=between, x=x, y=y: f(x, y))  # type: ignore[misc]
            want = outcome(lambda c=cal, x=x, y=y: c.working_seconds_between_ts(x, y))  # type: ignore[misc]
            same(made, want)
            if made[0] == "ok":
                assert type(made[1]) is float


@given(case(), FRACTIONS)
@example(national(datetime(2026, 2, 13, 16, 59, 59), datetime(2026, 1, 1)), 0.5)
@example(national(datetime(2026, 2, 13, 13, 30), datetime(2026, 1, 1)), 0.5)
@example(national(datetime(2024, 5, 3, 9, 45), datetime(2026, 1, 1)), 0.5)
@example(national(datetime(2060, 12, 31, 16, 0), datetime(2026, 1, 1)), 0.5)
@example(national(datetime(2060, 12, 31, 17, 0), datetime(2026, 1, 1)), 0.5)
def test_due_in_parts_of_a_day(c: tuple[str, int, int], value: float) -> None:
    name, t, _ = c
    cal, ref = ALL[name], REFS[name]
    for unit in ("working_days", "working_hours"):
        got = compare(name, lambda cal, unit=unit: cal.due_ts(t, value, unit))  # type: ignore[misc]
        want = outcome(lambda unit=unit: ref.due(as_dt(cal, t), value, unit))  # type: ignore[misc]
        check_ts(got, want)
    for whole in (1, 10, 0):
        compare(name, lambda cal, n=whole: cal.due_ts(t, n))  # type: ignore[misc]
        compare(name, lambda cal, n=whole: cal.due_ts(t, float(n)))  # type: ignore[misc]


LIMITS = st.one_of(
    st.tuples(st.one_of(FRACTIONS, st.integers(0, 30)), st.just("working_days")),
    st.tuples(st.integers(0, 12), st.sampled_from(["calendar_days", "same_day"])),
    st.tuples(FRACTIONS, st.just("working_hours")),
)


@given(case(), LIMITS, st.sampled_from([None, time(10, 0), time(15, 30)]))
@example(
    national(datetime(2026, 2, 13, 16, 59, 59), datetime(2026, 1, 1)), (0.5, "working_days"), None
)
@example(national(datetime(2060, 12, 29, 9, 0), datetime(2026, 1, 1)), (3, "working_days"), None)
@example(national(datetime(2026, 2, 13, 9, 0), datetime(2026, 1, 1)), (10, "working_days"), None)
def test_deadline_ts_answers_as_due_ts(
    c: tuple[str, int, int], limit: tuple[float, str], cutoff: time | None
) -> None:
    """The deadline made once for a limit gives due_ts's answer from every
    start, int or not, in range or out of it, errors included."""
    name, t, _ = c
    value, unit = limit
    for cal in (ALL[name], GENERAL[name]):
        due = cal.deadline_ts(value, unit, cutoff)
        for start in (t, t + 0.25):
            made = outcome(lambda d=due, s=start: d(s))  # type: ignore[misc]
            want = outcome(lambda c=cal, s=start: c.due_ts(s, value, unit, cutoff))  # type: ignore[misc]
            same(made, want)


@st.composite
def shift_case(draw: st.DrawFn) -> tuple[str, int, float]:
    name, t, _ = draw(case())
    return name, t, draw(seconds_for(ALL[name]))


def national_shift(dt: datetime, seconds: float) -> tuple[str, int, float]:
    return "national", ts_of(dt.replace(tzinfo=TZ)), seconds


@given(shift_case())
@example(national_shift(datetime(2026, 2, 13, 13, 30), 12600.0))  # lands on 17:00
@example(national_shift(datetime(2026, 2, 13, 7, 30), 14400))  # lands on 11:30
@example(national_shift(datetime(2026, 2, 13, 17, 0), 12600))  # back: lands on 13:30
@example(national_shift(datetime(2026, 2, 13, 11, 30), 0))  # zero: the general path
@example(national_shift(datetime(2026, 2, 13, 17, 0), 27000.0))  # Friday before Tết
@example(national_shift(datetime(2026, 2, 23, 7, 30), 27000.0))  # Monday after Tết
@example(national_shift(datetime(2026, 2, 23, 7, 30), 54000))
@example(national_shift(datetime(2000, 1, 3, 7, 30), 1))  # nothing before the range
@example(national_shift(datetime(2000, 1, 4, 7, 30), 27000))
@example(national_shift(datetime(2060, 12, 31, 16, 0), 3600))  # nothing after it
@example(national_shift(datetime(2060, 12, 31, 16, 0), 3601))
def test_add_and_subtract_working_seconds(c: tuple[str, int, float]) -> None:
    name, t, seconds = c
    cal, ref = ALL[name], REFS[name]
    got = compare(name, lambda cal: cal.add_working_seconds_ts(t, seconds))
    check_ts(got, outcome(lambda: ref.add_working_seconds(as_dt(cal, t), seconds)))
    got = compare(name, lambda cal: cal.subtract_working_seconds_ts(t, seconds))
    check_ts(got, outcome(lambda: ref.subtract_working_seconds(as_dt(cal, t), seconds)))


@given(case())
@example(national(datetime(2026, 2, 13, 17, 0, 1), datetime(2026, 1, 1)))  # after closing
@example(national(datetime(2026, 2, 13, 17, 0, 0), datetime(2026, 1, 1)))  # the close: in
@example(national(datetime(2026, 2, 13, 11, 30, 1), datetime(2026, 1, 1)))  # lunch
@example(national(datetime(2026, 2, 13, 7, 29, 59), datetime(2026, 1, 1)))  # before opening
@example(national(datetime(2026, 2, 16, 9, 0), datetime(2026, 1, 1)))  # Tết
@example(national(datetime(2060, 12, 31, 17, 0, 1), datetime(2026, 1, 1)))  # no next day
def test_received_at(c: tuple[str, int, int]) -> None:
    name, t, _ = c
    cal = ALL[name]
    got = compare(name, lambda cal: cal.received_at_ts(t))
    want = outcome(lambda: cal.received_at(as_dt(cal, t)))
    check_ts(got, want)


# --- every second of some days -------------------------------------------------------


EVERY_SECOND_DAYS = [
    date(2026, 2, 13),  # the Friday before Tết
    date(2026, 2, 16),  # Tết
    date(2024, 5, 4),  # a make-up Saturday
    date(2000, 1, 1),  # the first day of the range (a holiday)
    date(2060, 12, 31),  # the last day of the range
]


@pytest.mark.parametrize("day", EVERY_SECOND_DAYS, ids=str)
def test_every_second_of_a_day(day: date) -> None:
    """Every whole second of the office day (06:00-18:00) of the Friday before
    Tết, and of every 37th second plus those next to the bounds of other days,
    on the national calendar: the working seconds since the day's midnight and
    until the next morning, receipt, and shifts of an hour and of a working
    day (half a day for due_ts)."""
    fast, slow = CAL, GENERAL["national"]
    t0 = midnight_ts(CAL, day)
    next_morning = t0 + 86400 + 9 * 3600
    if day == EVERY_SECOND_DAYS[0]:
        seconds = list(range(6 * 3600, 18 * 3600 + 1))
    else:
        seconds = sorted({*range(0, 86400, 37), *edge_seconds(CAL)})
    calls: list[Callable[[WorkCalendar, int], Any]] = [
        lambda c, t: c.working_seconds_between_ts(t0, t),
        lambda c, t: c.working_seconds_between_ts(t, next_morning),
        lambda c, t: c.received_at_ts(t),
        lambda c, t: c.add_working_seconds_ts(t, 3600.0),
        lambda c, t: c.subtract_working_seconds_ts(t, 27000),
        lambda c, t: c.due_ts(t, 0.5, "working_days"),
    ]
    for t in (t0 + s for s in seconds):
        for call in calls:
            same(outcome(lambda: call(fast, t)), outcome(lambda: call(slow, t)))  # noqa: B023


# --- the rest -----------------------------------------------------------------------


def test_only_int_instants_and_whole_durations_take_the_tables() -> None:
    """Floats, numpy ints, zero and fractions keep the general path: their
    results (and types) are today's."""
    np = pytest.importorskip("numpy")
    t = ts_of(datetime(2026, 2, 10, 12, 0, tzinfo=TZ))
    calls: list[Callable[[WorkCalendar, Any, float], Any]] = [
        lambda c, start, s: c.add_working_seconds_ts(start, s),
        lambda c, start, s: c.subtract_working_seconds_ts(start, s),
        lambda c, start, s: c.received_at_ts(start),
        lambda c, start, s: c.due_ts(start, 0.5),
        lambda c, start, s: c.working_seconds_between_ts(start, t + 86400),
    ]
    for start in (t, float(t), t + 0.25, np.int64(t)):
        for seconds in (0, 0.0, 3600, 3600.0, 3600.5, 1e-7):
            for call in calls:
                got = compare("national", lambda c: call(c, start, seconds))  # noqa: B023
                assert got[0] == "ok"


def test_pickle_drops_the_tables_and_rebuilds_them() -> None:
    t = ts_of(datetime(2026, 2, 10, 12, 0, tzinfo=TZ))
    CAL.working_seconds_between_ts(t, t + 60)
    assert CAL._ts_tab is not None
    again = pickle.loads(pickle.dumps(CAL))
    assert again._ts_tab is None and not again._ts_known and len(again._ts_cum) == 0
    assert same_ts(
        again.working_seconds_between_ts(t, t + 86400 * 3),
        CAL.working_seconds_between_ts(t, t + 86400 * 3),
    )
    assert again._ts_tab is CAL._ts_tab  # the tables of the same hours are shared
    assert same_ts(again.due_ts(t, 0.5), CAL.due_ts(t, 0.5))
