"""House construction permit: 15 CALENDAR days (days off count; a period ending
on a day off moves to the next working day)."""

from __future__ import annotations

from librarytest import Desk, at

from procflow.engine import Timeliness

PERMIT = "vn.construction.house-permit"


def test_calendar_days_run_through_tet() -> None:
    # Thu 12 Feb 2026 09:00 + 15 calendar days (receipt day not counted) =
    # Fri 27 Feb, a working day. Tết (14-22 Feb) counts as calendar days;
    # in working days the same 15 would end on Tue 10 Mar.
    desk = Desk(at(2026, 2, 12, 9))
    code = desk.receive(PERMIT)
    assert desk.engine.get(code).due_at == at(2026, 2, 27, 17)
    desk.clock.set(at(2026, 2, 26, 9))
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.outcome == "returned" and done.timeliness is Timeliness.EARLY


def test_calendar_period_ending_on_national_day_moves_on() -> None:
    # Mon 17 Aug 2026 + 15 calendar days = Tue 1 Sep, a day off (Quốc khánh,
    # adjacent day); Wed 2 Sep is Quốc khánh, so the period ends Thu 3 Sep.
    # (Mon 31 Aug is off too: swapped for Sat 22 Aug.)
    desk = Desk(at(2026, 8, 17, 9))
    code = desk.receive(PERMIT)
    assert desk.engine.get(code).due_at == at(2026, 9, 3, 17)
    desk.clock.set(at(2026, 9, 4, 9))
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.LATE
