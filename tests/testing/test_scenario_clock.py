"""WorkingClock: advancing in working days and hours on Viet Nam's calendar."""

from __future__ import annotations

from datetime import datetime

import pytest

from procflow.calendar import WorkCalendar
from procflow.errors import ProcflowError
from procflow.testing import WorkingClock


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.vietnam()


def at(cal: WorkCalendar, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=cal.tz)


def test_working_days_skip_tet_and_keep_the_time_of_day(cal: WorkCalendar) -> None:
    clock = WorkingClock(at(cal, 2, 13, 10), cal)  # Friday before Tết
    assert clock.advance(working_days=1) == at(cal, 2, 23, 10)
    assert clock.advance(working_days=3) == at(cal, 2, 26, 10)


def test_working_days_from_a_day_off_start_on_the_next_working_day(cal: WorkCalendar) -> None:
    clock = WorkingClock(at(cal, 3, 7, 9), cal)  # a Saturday
    assert clock.advance(working_days=1) == at(cal, 3, 9, 9)


def test_working_hours_skip_the_lunch_break_and_nights(cal: WorkCalendar) -> None:
    clock = WorkingClock(at(cal, 3, 3, 10), cal)
    assert clock.advance(working_hours=2) == at(cal, 3, 3, 14)  # 10-11:30, 13:30-14:00
    assert clock.advance(working_hours=4) == at(cal, 3, 4, 8, 30)  # 3 h today, 1 h tomorrow


def test_fractional_days_are_office_time(cal: WorkCalendar) -> None:
    clock = WorkingClock(at(cal, 3, 3, 7, 30), cal)
    # half of the 7.5-hour office day: 3 h 45 min, 07:30-11:15
    assert clock.advance(working_days=0.5) == at(cal, 3, 3, 11, 15)


def test_plain_time_still_works_and_time_of_day(cal: WorkCalendar) -> None:
    clock = WorkingClock(at(cal, 3, 3, 8), cal)
    assert clock.advance(hours=1, minutes=30) == at(cal, 3, 3, 9, 30)
    assert clock.next_working_day("08:00") == at(cal, 3, 4, 8)
    assert clock.set_time_of_day("16:00") == at(cal, 3, 4, 16)
    with pytest.raises(ProcflowError, match="cannot go back"):
        clock.set_time_of_day("09:00")
    with pytest.raises(ProcflowError, match="forward"):
        clock.advance(working_days=-1)
    assert clock.shifted(working_days=1) == at(cal, 3, 5, 16)
    assert clock.now() == at(cal, 3, 4, 16)  # shifted does not move


def test_fixtures_give_an_engine_on_a_working_clock(
    procflow_engine: object, procflow_clock: WorkingClock
) -> None:
    from procflow.engine import Actor, Engine

    assert isinstance(procflow_engine, Engine)
    assert procflow_engine.clock is procflow_clock
    procflow_clock.set(datetime(2026, 2, 13, 10, tzinfo=procflow_clock.calendar.tz))
    slip = procflow_engine.receive(
        "vn.lien-thong.death", actor=Actor("lan", "commune-pc", "desk-officer")
    )
    assert slip.appointment.date().isoformat() == "2026-02-27"
    procflow_clock.advance(working_days=3)
    assert procflow_clock.now().date().isoformat() == "2026-02-25"
