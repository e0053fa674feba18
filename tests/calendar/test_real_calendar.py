"""The real public-sector calendar of 2024, 2025 and 2026.

Each expected date names its source. "Reported" means the dispatch was seen
through the government portal (baochinhphu.vn), national press or a
provincial notice implementing it, not in the dispatch text itself.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from procflow.calendar import WorkCalendar

D = date

# (date, is a working day, source)
FACTS = [
    # 2024
    (D(2024, 1, 1), False, "Labour Code 2019 Art. 112: Tết Dương lịch"),
    (D(2024, 2, 7), True, "8662/VPCP-KGVX (03/11/2023): Tết from Thu 8/2"),
    (D(2024, 2, 8), False, "8662/VPCP-KGVX (03/11/2023): Tết 8/2-14/2"),
    (D(2024, 2, 14), False, "8662/VPCP-KGVX (03/11/2023): Tết 8/2-14/2"),
    (D(2024, 2, 15), True, "8662/VPCP-KGVX (03/11/2023): back to work Thu 15/2"),
    (D(2024, 4, 18), False, "Labour Code 2019 Art. 112: Giỗ Tổ 10/3 lunar"),
    (D(2024, 4, 29), False, "2450/VPCP-KGVX (12/04/2024): Mon 29/4 off"),
    (D(2024, 4, 30), False, "Labour Code 2019 Art. 112: 30/4"),
    (D(2024, 5, 1), False, "Labour Code 2019 Art. 112: 1/5"),
    (D(2024, 5, 2), True, "2450/VPCP-KGVX (12/04/2024): holiday 27/4-1/5"),
    (D(2024, 5, 4), True, "2450/VPCP-KGVX (12/04/2024): Sat 4/5 worked"),
    (D(2024, 8, 30), True, "8662/VPCP-KGVX (03/11/2023): Quốc khánh 31/8-3/9"),
    (D(2024, 9, 2), False, "8662/VPCP-KGVX (03/11/2023): Quốc khánh 31/8-3/9"),
    (D(2024, 9, 3), False, "8662/VPCP-KGVX (03/11/2023): Quốc khánh 31/8-3/9"),
    (D(2024, 9, 4), True, "8662/VPCP-KGVX (03/11/2023): Quốc khánh 31/8-3/9"),
    # 2025
    (D(2025, 1, 1), False, "Labour Code 2019 Art. 112: Tết Dương lịch"),
    (D(2025, 1, 24), True, "8726/VPCP-KGVX (26/11/2024), 6150/TB-BLĐTBXH: Tết 25/1-2/2"),
    (D(2025, 1, 27), False, "8726/VPCP-KGVX (26/11/2024), 6150/TB-BLĐTBXH: Tết 25/1-2/2"),
    (D(2025, 1, 31), False, "8726/VPCP-KGVX (26/11/2024), 6150/TB-BLĐTBXH: Tết 25/1-2/2"),
    (D(2025, 2, 3), True, "8726/VPCP-KGVX (26/11/2024), 6150/TB-BLĐTBXH: Tết 25/1-2/2"),
    (D(2025, 4, 7), False, "Government portal 04/03/2025: Giỗ Tổ, days off 5-7/4"),
    (
        D(2025, 4, 26),
        True,
        "8726/VPCP-KGVX, 6150/TB-BLĐTBXH; Bắc Ninh 199/TB-UBND: Sat 26/4 worked",
    ),
    (D(2025, 4, 30), False, "Labour Code 2019 Art. 112: 30/4"),
    (D(2025, 5, 1), False, "Labour Code 2019 Art. 112: 1/5"),
    (D(2025, 5, 2), False, "8726/VPCP-KGVX, 6150/TB-BLĐTBXH; Bắc Ninh 199/TB-UBND: Fri 2/5 off"),
    (D(2025, 5, 5), True, "Bắc Ninh 199/TB-UBND (06/12/2024): holiday 30/4-4/5"),
    (D(2025, 8, 29), True, "Bắc Ninh 199/TB-UBND, Bình Thuận 377/TB-UBND: Quốc khánh 30/8-2/9"),
    (D(2025, 9, 1), False, "Bắc Ninh 199/TB-UBND, Bình Thuận 377/TB-UBND: Quốc khánh 30/8-2/9"),
    (D(2025, 9, 2), False, "Labour Code 2019 Art. 112: 2/9"),
    (D(2025, 9, 3), True, "Bắc Ninh 199/TB-UBND, Bình Thuận 377/TB-UBND: Quốc khánh 30/8-2/9"),
    # 2026
    (D(2026, 1, 1), False, "Labour Code 2019 Art. 112: Tết Dương lịch"),
    (D(2026, 1, 2), False, "12729/VPCP-KGVX (25/12/2025): Fri 2/1 off (not in holidays 0.109)"),
    (D(2026, 1, 5), True, "12729/VPCP-KGVX (25/12/2025): holiday 1/1-4/1"),
    (D(2026, 1, 10), True, "12729/VPCP-KGVX (25/12/2025): Sat 10/1 worked"),
    (D(2026, 2, 13), True, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Tết 14/2-22/2"),
    (D(2026, 2, 16), False, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Tết 14/2-22/2"),
    (D(2026, 2, 20), False, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Tết 14/2-22/2"),
    (D(2026, 2, 23), True, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Tết 14/2-22/2"),
    (D(2026, 4, 27), False, "Thanh Niên 23/02/2026: Giỗ Tổ on Sun 26/4, nghỉ bù Mon 27/4"),
    (D(2026, 4, 28), True, "Kenh14 11/03/2026: work 28-29/4 between the two holidays"),
    (D(2026, 4, 30), False, "Labour Code 2019 Art. 112: 30/4"),
    (D(2026, 5, 1), False, "Labour Code 2019 Art. 112: 1/5"),
    (D(2026, 5, 4), True, "Thanh Niên 23/02/2026: holiday 30/4-3/5"),
    (D(2026, 8, 22), True, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Sat 22/8 worked"),
    (D(2026, 8, 28), True, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Quốc khánh 29/8-2/9"),
    (D(2026, 8, 31), False, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Mon 31/8 off"),
    (D(2026, 9, 1), False, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Quốc khánh 29/8-2/9"),
    (D(2026, 9, 2), False, "Labour Code 2019 Art. 112: 2/9"),
    (D(2026, 9, 3), True, "9859/VPCP-KGVX (13/10/2025), 9441/TB-BNV: Quốc khánh 29/8-2/9"),
]


@pytest.mark.parametrize(("day", "working", "source"), FACTS, ids=[str(f[0]) for f in FACTS])
def test_day(cal: WorkCalendar, day: date, working: bool, source: str) -> None:
    assert cal.is_working_day(day) is working, source


def test_tet_2026_nine_days(cal: WorkCalendar) -> None:
    # 9859/VPCP-KGVX (13/10/2025): nine days off, Sat 14/2 to Sun 22/2/2026.
    days = [D(2026, 2, d) for d in range(14, 23)]
    assert not any(cal.is_working_day(d) for d in days)
    assert cal.working_days(D(2026, 2, 13), D(2026, 2, 23)) == [D(2026, 2, 13), D(2026, 2, 23)]


def test_tet_2025_nine_days(cal: WorkCalendar) -> None:
    # 8726/VPCP-KGVX (26/11/2024), 6150/TB-BLĐTBXH: Sat 25/1 to Sun 2/2/2025.
    assert cal.working_days(D(2025, 1, 25), D(2025, 2, 2)) == []


def test_issue_example_due(cal: WorkCalendar) -> None:
    # 15 working days from Tue 10/2/2026: 11-13/2 (3), Tết 14-22/2 off
    # (9859/VPCP-KGVX), 23/2-6/3 (13), 9/3 (14), 10/3 (15).
    start = datetime(2026, 2, 10, 9, 0, tzinfo=cal.tz)
    assert cal.due(start, 15, "working_days") == datetime(2026, 3, 10, 17, 0, tzinfo=cal.tz)


def test_due_across_30_4_2025(cal: WorkCalendar) -> None:
    # Received Fri 25/4/2025; Sat 26/4 is worked (8726/VPCP-KGVX), 30/4-4/5 off.
    # 3 working days: 26/4, 28/4, 29/4.
    assert cal.add_working_days(D(2025, 4, 25), 3) == D(2025, 4, 29)
    assert cal.add_working_days(D(2025, 4, 25), 4) == D(2025, 5, 5)


def test_due_across_new_year_2026(cal: WorkCalendar) -> None:
    # 12729/VPCP-KGVX (25/12/2025): 1-4/1 off, Sat 10/1 worked.
    assert cal.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)
    assert cal.add_working_days(D(2026, 1, 9), 1) == D(2026, 1, 10)


def test_working_day_counts(cal: WorkCalendar) -> None:
    # Weekdays of the year, minus weekday days off, plus make-up Saturdays,
    # from the sources above: 2024: 262 - 12 + 1; 2025: 261 - 12 + 1;
    # 2026: 261 - 14 + 2 (24/11 counted off, unconfirmed).
    assert len(cal.working_days(D(2024, 1, 1), D(2024, 12, 31))) == 251
    assert len(cal.working_days(D(2025, 1, 1), D(2025, 12, 31))) == 250
    assert len(cal.working_days(D(2026, 1, 1), D(2026, 12, 31))) == 249


def test_culture_day_2026_is_flagged_unconfirmed(cal: WorkCalendar) -> None:
    # Resolution 80-NQ/TW chose 24/11 as a paid holiday; no amending law in
    # force was found, so vn.yaml marks it confirmed: false. It is applied by
    # default (as the holidays package does) and dropped in confirmed-only mode.
    info = cal.day_info(D(2026, 11, 24))
    assert not info.working and info.confirmed is False
    strict = WorkCalendar.vietnam(include_unconfirmed=False)
    assert strict.is_working_day(D(2026, 11, 24))
    assert "unconfirmed" in (strict.day_info(D(2026, 11, 24)).name or "")


def test_overlay_fills_package_gap_only_for_new_year_2026(cal: WorkCalendar) -> None:
    # Against holidays 0.109, the overlay changes exactly the 2026 New Year swap.
    differs = [
        s.date
        for y in (2024, 2025, 2026)
        for s in cal.special_days(y)
        if s.working != s.package_working
    ]
    assert differs == [D(2026, 1, 2), D(2026, 1, 10)]


def test_every_overlay_entry_names_a_source(cal: WorkCalendar) -> None:
    for entry in cal.overlay_entries():
        assert entry.source.strip(), entry
