"""The working-time axis answers exactly as ``add_working_seconds`` from its origin."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.calendar import OfficeHours, WorkCalendar

CAL = WorkCalendar.vietnam()


def test_axis_is_add_working_seconds() -> None:
    rng = random.Random(5)
    day = CAL.day_seconds
    for first in (dt.date(2026, 1, 5), dt.date(2026, 2, 14), dt.date(2025, 4, 26)):
        start = dt.datetime.combine(first, dt.time(0, 0), tzinfo=CAL.tz)
        origin = CAL.add_working_seconds(start, 0.0)
        axis = CAL.axis(origin)
        times = [rng.uniform(0, day * 300) for _ in range(3000)]
        for k in range(0, 300, 7):  # turns of days, the lunch break, microsecond edges
            for off in (0.0, 1e-7, 1e-6, 1e-3, 2e-3, 0.5, 14400.0, 14400 + 1e-7, day - 1e-7, day):
                times.append(k * day + off)
        for t in times:
            want = CAL.add_working_seconds(origin, t)
            got = axis.wall(t)
            assert got == want and got.isoformat() == want.isoformat(), t


def test_axis_from_an_instant_that_is_no_opening() -> None:
    """An origin in the middle of a morning, or on a day off: the axis still
    answers as ``add_working_seconds`` from it (what is left of the first
    day counts, not a whole day)."""
    rng = random.Random(7)
    day = CAL.day_seconds
    for origin in (
        dt.datetime(2026, 1, 5, 9, 0, tzinfo=CAL.tz),  # a Monday, after the opening
        dt.datetime(2026, 1, 4, 7, 30, tzinfo=CAL.tz),  # a Sunday
        dt.datetime(2026, 1, 5, 17, 0, tzinfo=CAL.tz),  # a closing
    ):
        axis = CAL.axis(origin)
        times = [rng.uniform(0, day * 40) for _ in range(300)]
        times += [k * day + off for k in range(40) for off in (0.0, 1.0, day - 1.0)]
        for t in times:
            assert axis.wall(t) == CAL.add_working_seconds(origin, t), (origin, t)


def test_wall_ts_is_the_posix_seconds_of_wall() -> None:
    """The simulator's clock reads ``wall_ts``: the same instant as ``wall``,
    an int on a whole second (the int path of the calendar), and the same
    microseconds otherwise."""
    rng = random.Random(6)
    day = CAL.day_seconds
    origin = CAL.add_working_seconds(dt.datetime(2026, 2, 2, tzinfo=CAL.tz), 0.0)
    axis = CAL.axis(origin)
    times = [float(rng.randrange(int(day * 400))) for _ in range(3000)]
    times += [rng.uniform(0, day * 400) for _ in range(1000)]
    times += [k * day + off for k in range(0, 400, 9) for off in (0.0, 1e-7, 1.0, 14400.0, day)]
    for t in times:
        got, want = axis.wall_ts(t), CAL.to_ts(axis.wall(t))
        assert got == want and type(got) is type(want), t
        assert CAL.from_ts(got) == axis.wall(t)


# Calendars whose office hours take the whole-second tables a different way,
# or not at all (fractional bounds, a zone with two offsets).
_AXIS_CALENDARS = {
    "national": CAL,
    "one period": WorkCalendar.vietnam(office_hours=["08:00-16:00"]),
    "three periods": WorkCalendar.vietnam(
        office_hours=["06:59:59-08:00:01", "09:15-12:00", "12:00:30-18:45:17"]
    ),
    "until midnight": WorkCalendar.vietnam(office_hours=["08:00-12:00", "13:00-24:00"]),
    "fractional periods": WorkCalendar.vietnam(
        office_hours=OfficeHours(((27000.25, 41400.5), (48600.125, 61200.75)))
    ),
    "daylight saving": WorkCalendar(years=(2024, 2027), timezone="Europe/Paris"),
}


def _turns(cal: WorkCalendar) -> list[int]:
    """Office seconds of a day at and around its turns: the opening, the end of
    each period (the lunch break), the closing."""
    marks, used = [0], 0.0
    for start, end in cal.hours.periods:
        used += end - start
        marks.append(int(used))
    return sorted({max(0, m + d) for m in marks for d in (-1, 0, 1)})


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(sorted(_AXIS_CALENDARS)),
    first=st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30)),
    days=st.integers(0, 250),
    data=st.data(),
    fraction=st.sampled_from([0.0, 0.0, 0.0, 1e-7, 0.25, 0.999_999_9]),
)
def test_wall_ts_is_add_working_seconds_on_any_calendar(
    name: str, first: dt.date, days: int, data: st.DataObject, fraction: float
) -> None:
    """``wall_ts`` of a whole second comes from the axis's own tables, not
    from ``wall``: checked here against the calendar's ``add_working_seconds``
    itself, on calendars with one, two and three office periods, a day that
    ends at midnight, fractional office hours and daylight saving, from
    openings on any day (Tết, swapped Saturdays), at the turns of days and
    periods and anywhere between. Seconds past a day's length land on the
    next day's."""
    cal = _AXIS_CALENDARS[name]
    second = data.draw(st.one_of(st.sampled_from(_turns(cal)), st.integers(0, 86_400)))
    start = dt.datetime.combine(first, dt.time(0, 0), tzinfo=cal.tz)
    origin = cal.add_working_seconds(start, 0.0)
    axis = cal.axis(origin)
    t = float(days * cal.day_seconds + second) + fraction
    want = cal.to_ts(cal.add_working_seconds(origin, t))
    got = axis.wall_ts(t)
    assert got == want and type(got) is type(want)
