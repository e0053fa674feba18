"""The working-time axis answers exactly as ``add_working_seconds`` from its origin."""

from __future__ import annotations

import datetime as dt
import random

from procflow.calendar import WorkCalendar

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
