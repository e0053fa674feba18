"""Counting rules, on a synthetic calendar where every fact is visible.

The synthetic calendar is built from an inline overlay (no holidays package):
weekends off, plus the days set below, in January 2030 (a Tuesday 1st).
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta

import pytest

from procflow.calendar import TimeUnit, WorkCalendar, parse_overlay
from procflow.errors import CalendarError

OVERLAY = """
version: 1
name: test
years:
  2030:
    days_off:
      - {date: 2030-01-01, name: New Year, source: test, confirmed: true}
      - {date: 2030-01-09, name: Local day off, source: test, confirmed: true}
    working_days:
      - {date: 2030-01-12, name: Make-up Saturday, source: test, confirmed: true}
"""
# January 2030: Tue 1 off, Wed 2, Thu 3, Fri 4, [Sat 5, Sun 6], Mon 7, Tue 8,
# Wed 9 off, Thu 10, Fri 11, Sat 12 worked, [Sun 13], Mon 14 ...


@pytest.fixture(scope="module")
def tcal() -> WorkCalendar:
    return WorkCalendar([parse_overlay(OVERLAY, "test.yaml")], years=(2029, 2031))


def at(cal: WorkCalendar, d: int, h: int = 9, m: int = 0) -> datetime:
    return datetime(2030, 1, d, h, m, tzinfo=cal.tz)


def test_days(tcal: WorkCalendar) -> None:
    assert not tcal.is_working_day(date(2030, 1, 1))
    assert tcal.is_working_day(date(2030, 1, 12))
    assert tcal.next_working_day(date(2030, 1, 8)) == date(2030, 1, 10)
    assert tcal.previous_working_day(date(2030, 1, 10)) == date(2030, 1, 8)
    assert tcal.roll_forward(date(2030, 1, 5)) == date(2030, 1, 7)
    assert tcal.roll_forward(date(2030, 1, 7)) == date(2030, 1, 7)
    assert tcal.working_days(date(2030, 1, 8), date(2030, 1, 14)) == [
        date(2030, 1, d) for d in (8, 10, 11, 12, 14)
    ]
    assert tcal.working_days(date(2030, 1, 14), date(2030, 1, 8)) == []


def test_day_of_receipt_does_not_count(tcal: WorkCalendar) -> None:
    # Civil Code 2015 Art. 147 [recalled]: count from the next day.
    assert tcal.add_working_days(date(2030, 1, 2), 1) == date(2030, 1, 3)
    assert tcal.add_working_days(date(2030, 1, 2), 3) == date(2030, 1, 7)
    assert tcal.add_working_days(date(2030, 1, 8), 1) == date(2030, 1, 10)  # skips 9
    assert tcal.add_working_days(date(2030, 1, 11), 1) == date(2030, 1, 12)  # make-up Sat


def test_receipt_on_day_off_counts_from_next_working_day(tcal: WorkCalendar) -> None:
    # Sat 5 -> received Mon 7, which does not count: 1 working day -> Tue 8.
    assert tcal.add_working_days(date(2030, 1, 5), 1) == date(2030, 1, 8)
    assert tcal.add_working_days(date(2030, 1, 5), 0) == date(2030, 1, 7)
    assert tcal.add_working_days(date(2030, 1, 5), -1) == date(2030, 1, 4)


def test_count_is_inverse_of_add(tcal: WorkCalendar) -> None:
    assert tcal.count_working_days(date(2030, 1, 2), date(2030, 1, 14)) == 8
    assert tcal.add_working_days(date(2030, 1, 2), 8) == date(2030, 1, 14)
    assert tcal.count_working_days(date(2030, 1, 14), date(2030, 1, 2)) == -8
    assert (
        tcal.add_working_days_ordinal(date(2030, 1, 2).toordinal(), 8)
        == date(2030, 1, 14).toordinal()
    )


def test_due_working_days_is_close_of_office(tcal: WorkCalendar) -> None:
    assert tcal.due(at(tcal, 2, 16, 30), 3, TimeUnit.WORKING_DAYS) == at(tcal, 7, 17)
    assert tcal.due(at(tcal, 2), 0, "working_days") == at(tcal, 2, 17)
    assert tcal.due(at(tcal, 2, 16), 0, "working_days") == at(tcal, 3, 17)  # as same-day
    assert tcal.due_date(at(tcal, 5), 1) == date(2030, 1, 8)


def test_due_cutoff_for_day_units_is_opt_in(tcal: WorkCalendar) -> None:
    late = at(tcal, 2, 16)
    assert tcal.due(late, 1) == at(tcal, 3, 17)
    rolling = WorkCalendar(tcal.overlays, years=(2029, 2031), cutoff_applies_to_days=True)
    assert rolling.due(late, 1) == at(tcal, 4, 17)
    assert rolling.due(at(tcal, 2, 14), 1) == at(tcal, 3, 17)


def test_same_day(tcal: WorkCalendar) -> None:
    assert tcal.due(at(tcal, 2, 14, 59), 0, "same_day") == at(tcal, 2, 17)
    assert tcal.due(at(tcal, 2, 15, 0), 0, "same_day") == at(tcal, 2, 17)  # not after 15:00
    assert tcal.due(at(tcal, 2, 15, 1), 0, "same_day") == at(tcal, 3, 17)
    assert tcal.due(at(tcal, 8, 16), 0, "same_day") == at(tcal, 10, 17)  # skips day off 9
    assert tcal.due(at(tcal, 5, 10), 0, "same_day") == at(tcal, 7, 17)  # Saturday
    assert tcal.due(at(tcal, 2, 16), 0, "same_day", cutoff=time(16, 30)) == at(tcal, 2, 17)


def test_calendar_days_end_on_day_off_moves(tcal: WorkCalendar) -> None:
    # Civil Code 2015 Art. 148 [recalled]: a period ending on a day off moves on.
    assert tcal.due(at(tcal, 2), 3, "calendar_days") == at(tcal, 7, 17)  # Sat 5 -> Mon 7
    assert tcal.due(at(tcal, 2), 1, "calendar_days") == at(tcal, 3, 17)
    assert tcal.due(at(tcal, 2), 7, "calendar_days") == at(tcal, 10, 17)  # Wed 9 off
    with pytest.raises(CalendarError, match="whole number"):
        tcal.due(at(tcal, 2), 1.5, "calendar_days")


def test_working_hours(tcal: WorkCalendar) -> None:
    # Office 07:30-11:30, 13:30-17:00 (7.5 h).
    assert tcal.due(at(tcal, 2, 9), 2, "working_hours") == at(tcal, 2, 11)
    assert tcal.due(at(tcal, 2, 9), 2.5, "working_hours") == at(tcal, 2, 11, 30)
    assert tcal.due(at(tcal, 2, 9), 3, "working_hours") == at(tcal, 2, 14)
    assert tcal.due(at(tcal, 2, 12), 1, "working_hours") == at(tcal, 2, 14, 30)
    assert tcal.due(at(tcal, 2, 16), 2, "working_hours") == at(tcal, 3, 8, 30)
    assert tcal.due(at(tcal, 4, 16), 2, "working_hours") == at(tcal, 7, 8, 30)
    assert tcal.due(at(tcal, 2, 7, 30), 7.5, "working_hours") == at(tcal, 2, 17)
    assert tcal.due(at(tcal, 2, 7, 30), 15, "working_hours") == at(tcal, 3, 17)
    assert tcal.due(at(tcal, 2, 7, 30), 16, "working_hours") == at(tcal, 4, 8, 30)
    assert tcal.due(at(tcal, 5, 10), 1, "working_hours") == at(tcal, 7, 8, 30)


def test_fractional_working_days_use_office_time(tcal: WorkCalendar) -> None:
    # 0.5 day = 3.75 h from 09:00: 2.5 h to 11:30, 1.25 h from 13:30.
    assert tcal.due(at(tcal, 2, 9), 0.5, "working_days") == at(tcal, 2, 14, 45)
    assert tcal.due(at(tcal, 2, 9), 1.0, "working_days") == at(tcal, 3, 17)


def test_working_seconds_between(tcal: WorkCalendar) -> None:
    h = 3600.0
    assert tcal.working_seconds_between(at(tcal, 2, 9), at(tcal, 2, 14)) == 3 * h
    assert tcal.working_seconds_between(at(tcal, 2, 9), at(tcal, 3, 9)) == 7.5 * h
    assert tcal.working_seconds_between(at(tcal, 3, 9), at(tcal, 2, 9)) == -7.5 * h
    # Fri 4 09:00 -> Mon 7 09:00: weekend does not count.
    assert tcal.working_seconds_between(at(tcal, 4, 9), at(tcal, 7, 9)) == 7.5 * h
    # Tue 8 09:00 -> Thu 10 09:00: Wed 9 off.
    assert tcal.working_days_between(at(tcal, 8, 9), at(tcal, 10, 9)) == 1.0


def test_paused_intervals_overlap_and_clip(tcal: WorkCalendar) -> None:
    h = 3600.0
    a, b = at(tcal, 2, 7, 30), at(tcal, 3, 17)  # 15 h of office time
    paused = [
        (at(tcal, 2, 8), at(tcal, 2, 10)),
        (at(tcal, 2, 9), at(tcal, 2, 11)),  # overlaps the first
        (at(tcal, 1, 8), at(tcal, 2, 7, 45)),  # starts before a
    ]
    # merged: 07:45-11:00 on day 2 = 3.25 h
    assert tcal.working_seconds_between(a, b, paused) == 15 * h - 3.25 * h
    with pytest.raises(CalendarError, match="before it starts"):
        tcal.working_seconds_between(a, b, [(at(tcal, 2, 10), at(tcal, 2, 9))])


def test_add_working_seconds(tcal: WorkCalendar) -> None:
    assert tcal.add_working_seconds(at(tcal, 2, 9), 0) == at(tcal, 2, 9)
    assert tcal.add_working_seconds(at(tcal, 1, 7, 30), 0) == at(tcal, 2, 7, 30)  # day off
    assert tcal.add_working_seconds(at(tcal, 2, 12), 0) == at(tcal, 2, 13, 30)  # lunch
    assert tcal.add_working_seconds(at(tcal, 2, 11, 30), 1) == at(tcal, 2, 13, 30) + timedelta(
        seconds=1
    )
    assert tcal.add_working_seconds(at(tcal, 8, 17), 60) == at(tcal, 10, 7, 31)
    with pytest.raises(CalendarError):
        tcal.add_working_seconds(at(tcal, 2), -1)


def test_aware_results_in_calendar_zone(tcal: WorkCalendar) -> None:
    utc_start = datetime(2030, 1, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    due = tcal.due(utc_start, 1)
    assert due == at(tcal, 3, 17) and due.tzinfo is tcal.tz


def test_naive_datetimes_are_rejected(tcal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="no time zone"):
        tcal.due(datetime(2030, 1, 2, 9), 1)
    with pytest.raises(CalendarError, match="no time zone"):
        tcal.working_seconds_between(datetime(2030, 1, 2), at(tcal, 3))
    assert tcal.localize(datetime(2030, 1, 2, 9)) == at(tcal, 2, 9)


def test_out_of_range_raises_with_advice(tcal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="outside this calendar's range 2029-2031"):
        tcal.add_working_days(date(2040, 1, 1), 1)
    with pytest.raises(CalendarError, match="years="):
        tcal.add_working_days(date(2031, 12, 30), 10)
    with pytest.raises(CalendarError):
        tcal.add_working_days(date(2029, 1, 2), -5)


def test_bad_inputs(tcal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="not a time unit"):
        tcal.due(at(tcal, 2), 1, "fortnights")
    with pytest.raises(CalendarError, match="negative"):
        tcal.due(at(tcal, 2), -1, "working_days")
    with pytest.raises(CalendarError, match="whole number"):
        tcal.add_working_days(date(2030, 1, 2), 1.5)  # type: ignore[arg-type]


def test_configuration() -> None:
    cal = WorkCalendar(
        timezone="Asia/Bangkok",
        weekend=["fri", "sat"],
        office_hours=["08:00-12:00", "13:00-17:00"],
        cutoff="16:00",
        years=(2030, 2030),
    )
    assert cal.tz.key == "Asia/Bangkok"
    assert cal.day_seconds == 8 * 3600
    assert not cal.is_working_day(date(2030, 1, 4))  # Friday
    assert cal.is_working_day(date(2030, 1, 6))  # Sunday
    assert cal.cutoff == time(16, 0)
    with pytest.raises(CalendarError, match="time zone"):
        WorkCalendar(timezone="Mars/Olympus")
    with pytest.raises(CalendarError, match="overlap"):
        WorkCalendar(office_hours=["08:00-12:00", "11:00-17:00"])
    with pytest.raises(CalendarError, match="HH:MM"):
        WorkCalendar(office_hours=["8h-12h"])
    with pytest.raises(CalendarError, match="weekday"):
        WorkCalendar(weekend=["caturday"])


def test_pickle_round_trip(tcal: WorkCalendar) -> None:
    tcal.due(at(tcal, 2), 1)  # fill the lazy caches
    _ = tcal.bulk
    clone = pickle.loads(pickle.dumps(tcal))
    assert clone.due(at(tcal, 2), 3) == tcal.due(at(tcal, 2), 3)
    assert clone.working_days(date(2030, 1, 1), date(2030, 1, 31)) == tcal.working_days(
        date(2030, 1, 1), date(2030, 1, 31)
    )


def test_national_calendar_is_built_once(cal: WorkCalendar) -> None:
    assert WorkCalendar.vietnam() is WorkCalendar.vietnam()
    assert cal.tz.key == "Asia/Ho_Chi_Minh"


def test_subtract_working_seconds(tcal: WorkCalendar) -> None:
    h = 3600
    assert tcal.subtract_working_seconds(at(tcal, 3, 17), 4 * h) == at(tcal, 3, 11)
    assert tcal.subtract_working_seconds(at(tcal, 3, 14), h) == at(tcal, 3, 11)  # lunch
    assert tcal.subtract_working_seconds(at(tcal, 3, 14, 30), h) == at(tcal, 3, 13, 30)
    assert tcal.subtract_working_seconds(at(tcal, 10, 8), h) == at(tcal, 8, 16, 30)  # Wed 9 off
    assert tcal.subtract_working_seconds(at(tcal, 7, 17), 7.5 * h) == at(tcal, 7, 7, 30)
    assert tcal.subtract_working_seconds(at(tcal, 7, 17), 15 * h) == at(tcal, 4, 7, 30)
    assert tcal.subtract_working_seconds(at(tcal, 6, 12), 0) == at(tcal, 4, 17)  # Sunday
