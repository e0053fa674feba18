"""Property tests (hypothesis) on the shipped national calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar

CAL = WorkCalendar.vietnam()
TZ = CAL.tz

days = st.dates(min_value=date(2001, 1, 1), max_value=date(2058, 12, 31))
counts = st.integers(min_value=0, max_value=400)
instants = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2058, 12, 31)).map(
    lambda d: d.replace(tzinfo=TZ)
)
units = st.sampled_from(["working_days", "working_hours", "calendar_days", "same_day"])


@given(days, counts)
def test_add_then_count_round_trips(d: date, n: int) -> None:
    due = CAL.add_working_days(d, n)
    assert CAL.count_working_days(CAL.roll_forward(d), due) == n
    if CAL.is_working_day(d):
        assert CAL.count_working_days(d, due) == n


@given(days, counts)
def test_due_never_on_a_day_off(d: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(d, n))


@given(instants, st.integers(0, 60), units)
def test_due_instant_is_close_of_office_on_working_day(start: datetime, n: int, unit: str) -> None:
    due = CAL.due(start, n, unit)
    assert due.tzinfo is TZ
    assert CAL.is_working_day(due)
    assert due >= start
    if unit != "working_hours":
        assert (due.hour, due.minute) == (17, 0)


@given(days, days, counts)
def test_monotonic_in_start_date(a: date, b: date, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.add_working_days(a, n) <= CAL.add_working_days(b, n)


@given(instants, instants, st.integers(0, 30), units)
def test_due_monotonic_in_start_instant(a: datetime, b: datetime, n: int, unit: str) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.due(a, n, unit) <= CAL.due(b, n, unit)


@given(st.lists(st.tuples(days, st.integers(-50, 300)), min_size=1, max_size=200))
def test_bulk_equals_scalar(pairs: list[tuple[date, int]]) -> None:
    starts = np.array([d for d, _ in pairs], dtype="datetime64[D]")
    ns = np.array([n for _, n in pairs])
    expected = np.array([CAL.add_working_days(d, n) for d, n in pairs], dtype="datetime64[D]")
    assert (CAL.add_working_days_bulk(starts, ns) == expected).all()
    assert (CAL.add_working_days_bulk(starts, ns, method="busday") == expected).all()
    ends = starts + np.array([abs(n) for _, n in pairs], dtype="timedelta64[D]")
    counted = np.array(
        [CAL.count_working_days(d, e.item()) for (d, _), e in zip(pairs, ends, strict=True)]
    )
    assert (CAL.count_working_days_bulk(starts, ends) == counted).all()
    assert (CAL.count_working_days_bulk(starts, ends, method="busday") == counted).all()
    assert (CAL.count_working_days_bulk(ends, starts) == -counted).all()
    flags = np.array([CAL.is_working_day(d) for d, _ in pairs])
    assert (CAL.is_working_day_bulk(starts) == flags).all()


@given(instants, instants, instants)
def test_working_seconds_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab = CAL.working_seconds_between(a, b)
    bc = CAL.working_seconds_between(b, c)
    assert abs(CAL.working_seconds_between(a, c) - (ab + bc)) < 1e-3
    assert ab >= 0


@given(instants, st.floats(min_value=0, max_value=3_000_000, allow_nan=False))
def test_add_working_seconds_round_trips(start: datetime, seconds: float) -> None:
    end = CAL.add_working_seconds(start, seconds)
    assert end >= start
    assert abs(CAL.working_seconds_between(start, end) - seconds) < 1e-3


@given(
    instants,
    st.integers(1, 2_000_000),
    st.lists(st.tuples(st.integers(-100_000, 3_000_000), st.integers(0, 500_000)), max_size=5),
)
def test_paused_time_is_never_counted(
    start: datetime, span: int, pauses: list[tuple[int, int]]
) -> None:
    end = start + timedelta(seconds=span)
    paused = [(start + timedelta(seconds=s), start + timedelta(seconds=s + d)) for s, d in pauses]
    full = CAL.working_seconds_between(start, end)
    net = CAL.working_seconds_between(start, end, paused)
    assert -1e-6 <= net <= full + 1e-6
    if paused:
        # removing one pause can only add time back
        assert CAL.working_seconds_between(start, end, paused[1:]) >= net - 1e-6


@given(instants, st.floats(min_value=0, max_value=3_000_000, allow_nan=False))
def test_subtract_working_seconds_round_trips(end: datetime, seconds: float) -> None:
    start = CAL.subtract_working_seconds(end, seconds)
    assert start <= end
    assert abs(CAL.working_seconds_between(start, end) - seconds) < 1e-3
    # going forward again lands at ``end`` up to time outside office hours
    again = CAL.add_working_seconds(start, seconds)
    assert abs(CAL.working_seconds_between(again, end)) < 1e-3
