"""The numpy bulk view."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from procflow.calendar import WorkCalendar, to_dates, to_datetime64
from procflow.errors import CalendarError


def test_bulk_on_real_dates(cal: WorkCalendar) -> None:
    # 9859/VPCP-KGVX: Tết 2026 14-22/2; 12729/VPCP-KGVX: Sat 10/1/2026 worked.
    starts = np.array(["2026-02-10", "2026-01-09", "2026-02-14"], dtype="datetime64[D]")
    out = cal.add_working_days_bulk(starts, np.array([15, 1, 1]))
    assert out.dtype == np.dtype("datetime64[D]")
    assert out.tolist() == [date(2026, 3, 10), date(2026, 1, 10), date(2026, 2, 24)]
    assert cal.add_working_days_bulk(starts, 1).tolist() == [
        date(2026, 2, 11),
        date(2026, 1, 10),
        date(2026, 2, 24),
    ]


def test_bulk_range_checked(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days_bulk(np.array(["1990-01-01"], dtype="datetime64[D]"), 1)
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days_bulk(np.array(["2060-12-30"], dtype="datetime64[D]"), 30)


def test_bulk_accepts_lists_and_other_units(cal: WorkCalendar) -> None:
    out = cal.add_working_days_bulk([date(2026, 2, 10)], 15)
    assert out.tolist() == [date(2026, 3, 10)]
    secs = np.array(["2026-02-10T09:00"], dtype="datetime64[s]")
    assert cal.add_working_days_bulk(secs, 15).tolist() == [date(2026, 3, 10)]
    with pytest.raises(CalendarError, match="cannot read"):
        cal.add_working_days_bulk(["not a date"], 1)


def test_empty_and_nat(cal: WorkCalendar) -> None:
    empty = np.array([], dtype="datetime64[D]")
    assert cal.add_working_days_bulk(empty, 1).size == 0
    nat = np.array(["NaT", "2026-02-10"], dtype="datetime64[D]")
    out = cal.add_working_days_bulk(nat, 15)
    assert np.isnat(out[0]) and out[1] == np.datetime64("2026-03-10")


def test_conversion_helpers(cal: WorkCalendar) -> None:
    days = [date(2026, 2, 10), date(2025, 4, 26)]
    arr = to_datetime64(days)
    assert arr.dtype == np.dtype("datetime64[D]") and to_dates(arr) == days
    with pytest.raises(CalendarError, match="NaT"):
        to_dates(np.array(["NaT"], dtype="datetime64[D]"))


def test_other_bulk_operations(cal: WorkCalendar) -> None:
    # 2450/VPCP-KGVX: Mon 29/4/2024 off, Sat 4/5/2024 worked.
    days = to_datetime64([date(2024, 4, 29), date(2024, 5, 4), date(2024, 4, 27)])
    assert cal.is_working_day_bulk(days).tolist() == [False, True, False]
    assert to_dates(cal.bulk.roll_forward(days)) == [
        date(2024, 5, 2),
        date(2024, 5, 4),
        date(2024, 5, 2),
    ]
    nat = np.array(["NaT"], dtype="datetime64[D]")
    assert cal.count_working_days_bulk(nat, days[:1]).tolist() == [0]
    with pytest.raises(CalendarError, match="method"):
        cal.add_working_days_bulk(days, 1, method="fast")
