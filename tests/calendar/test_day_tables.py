"""``WorkCalendar.day_tables``, the read-only view the axis and the bulk
functions read, agrees with the calendar's public answers on every day."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, date, datetime, time, timedelta

import pytest
from test_integer_core import SYNTHETIC as SYNTHETIC_OVERLAY

from procflow.calendar import WorkCalendar
from procflow.calendar.days import DayTables
from procflow.errors import CalendarError

SYNTHETIC = WorkCalendar(
    [SYNTHETIC_OVERLAY],  # test_integer_core's overlay, on another calendar
    years=(2029, 2031),
    timezone="UTC",
    weekend=["fri", "sat"],
)

CALENDARS = {"vietnam": WorkCalendar.vietnam(), "synthetic": SYNTHETIC}


@pytest.fixture(params=sorted(CALENDARS))
def calendar(request: pytest.FixtureRequest) -> WorkCalendar:
    return CALENDARS[request.param]


def test_tables_agree_with_the_calendar(calendar: WorkCalendar) -> None:
    days = calendar.day_tables
    assert isinstance(days, DayTables)
    assert days is calendar.day_tables  # built once
    first = calendar.first_day
    assert days.first_ordinal == first.toordinal()
    assert days.day_count == (calendar.last_day - first).days + 1
    assert len(days.working) == days.day_count
    assert len(days.rank) == days.day_count + 1
    assert len(days.working_day_index) == days.working_day_count == days.rank[-1]

    seen = 0  # working days before day i, counted here
    for i in range(days.day_count):
        d = first + timedelta(days=i)
        assert days.index(d) == i
        assert days.working[i] is calendar.is_working_day(d), d
        assert days.rank[i] == seen, d
        if i:
            assert calendar.count_working_days(first, d) == days.rank[i + 1] - days.rank[1]
        if days.working[i]:
            assert days.working_day_index[seen] == i
            seen += 1
    assert seen == days.working_day_count

    # the k-th working day: the k-th after the first day (rolled forward)
    for k, i in enumerate(days.working_day_index):
        assert calendar.add_working_days(first, k) == date.fromordinal(days.first_ordinal + i)


def test_index_of_an_aware_datetime_is_its_local_date(calendar: WorkCalendar) -> None:
    days = calendar.day_tables
    d = calendar.first_day + timedelta(days=400)
    late = datetime.combine(d, time(23, 30), tzinfo=calendar.tz)
    assert days.index(late) == 400
    assert days.index(late.astimezone(UTC)) == 400
    assert days.index(late + timedelta(hours=1)) == 401


def test_out_of_range_is_the_calendars_error(calendar: WorkCalendar) -> None:
    days = calendar.day_tables
    for d in (calendar.first_day - timedelta(days=1), calendar.last_day + timedelta(days=1)):
        with pytest.raises(CalendarError) as want:
            calendar.is_working_day(d)
        with pytest.raises(CalendarError) as got:
            days.index(d)
        assert str(got.value) == str(want.value)
    with pytest.raises(CalendarError, match="expected a date"):
        days.index("2030-01-02")  # type: ignore[arg-type]

    last = calendar.last_day
    with pytest.raises(CalendarError) as want:
        calendar.add_working_days(last, 10)
    error = days.range_error(f"{last} + 10 working days")
    assert isinstance(error, CalendarError)
    assert str(error) == str(want.value)


def test_instants_are_the_calendars(calendar: WorkCalendar) -> None:
    days = calendar.day_tables
    off = calendar.fixed_offset
    for k in (0, 1, 250, days.working_day_count // 2, days.working_day_count - 1):
        i = days.working_day_index[k]
        d = date.fromordinal(days.first_ordinal + i)
        opening = calendar.add_working_seconds(datetime.combine(d, time(0), tzinfo=calendar.tz), 0)
        tod = opening.hour * 3600 + opening.minute * 60 + opening.second
        for extra in (0, 1, 0.5, 3600.25):
            got = days.instant(i, tod + extra)
            assert got == calendar.add_working_seconds(opening, extra)
            assert got.tzinfo is calendar.tz
            if off is not None:
                ts = days.instant_ts(i, tod + extra, off)
                assert ts == calendar.to_ts(got) and type(ts) is type(calendar.to_ts(got))


def test_view_is_read_only_and_survives_pickling(calendar: WorkCalendar) -> None:
    days = calendar.day_tables
    with pytest.raises(dataclasses.FrozenInstanceError):
        days.day_count = 0  # type: ignore[misc]
    assert "DayTables(first=" in repr(days)

    data = pickle.dumps(calendar)
    assert b"DayTables" not in data  # not pickled: built again from the calendar
    again = pickle.loads(data)
    other = again.day_tables
    assert other is not days
    assert other.working == days.working
    assert other.rank == days.rank
    assert other.working_day_index == days.working_day_index
    i = days.working_day_index[3]
    assert other.instant(i, 30000) == days.instant(i, 30000)
