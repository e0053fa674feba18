"""Civil status: birth registration and copy extract, same day with the 15:00 cut-off.

2026 calendar facts used (src/procflow/calendar/data/vn.yaml): Tết days off
Sat 14 - Sun 22 Feb (weekdays Mon 16 - Fri 20 off); Fri 2 Jan off, swapped
for Sat 10 Jan (a make-up working day).
"""

from __future__ import annotations

from librarytest import Desk, at

from procflow.engine import Timeliness

BIRTH = "vn.civil-status.birth-registration"
COPY = "vn.civil-status.copy-extract"


def test_birth_registration_same_day_before_cutoff() -> None:
    # Mon 2 Mar 2026, 14:00: a working day, before 15:00 -> due the same day
    # at the close of office (17:00).
    desk = Desk(at(2026, 3, 2, 14))
    code = desk.receive(BIRTH)
    assert desk.engine.get(code).due_at == at(2026, 3, 2, 17)
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.outcome == "returned"
    assert done.timeliness is Timeliness.ON_TIME  # same day = the due date


def test_birth_registration_after_cutoff_before_tet_is_due_after_tet() -> None:
    # Fri 13 Feb 2026, 15:30: after the cut-off, so it counts from the next
    # working day. Sat 14 - Sun 22 Feb are Tết (weekdays 16-20 off by
    # 9859/VPCP-KGVX), so the next working day is Mon 23 Feb.
    desk = Desk(at(2026, 2, 13, 15, 30))
    code = desk.receive(BIRTH)
    assert desk.engine.get(code).due_at == at(2026, 2, 23, 17)
    desk.clock.set(at(2026, 2, 23, 8))
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.ON_TIME


def test_birth_registration_returned_after_tet_week_is_late() -> None:
    desk = Desk(at(2026, 2, 13, 15, 30))
    code = desk.receive(BIRTH)
    desk.clock.set(at(2026, 2, 24, 9))  # Tue 24 Feb: a day after the due date
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.LATE


def test_copy_extract_on_the_make_up_saturday() -> None:
    # Sat 10 Jan 2026 is a make-up working day (swap for Fri 2 Jan,
    # 12729/VPCP-KGVX): a request at 09:00 is due the same day.
    desk = Desk(at(2026, 1, 10, 9))
    code = desk.receive(COPY)
    assert desk.engine.get(code).due_at == at(2026, 1, 10, 17)
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.outcome == "returned" and done.timeliness is Timeliness.ON_TIME


def test_copy_extract_on_the_swapped_friday_counts_from_monday() -> None:
    # Fri 2 Jan 2026 is a day off (swapped): a request left that day is
    # handled on the next working day, Mon 5 Jan.
    desk = Desk(at(2026, 1, 2, 9))
    code = desk.receive(COPY)
    assert desk.engine.get(code).due_at == at(2026, 1, 5, 17)


def test_copy_extract_supplement_pauses_the_same_day_clock() -> None:
    # Received Tue 3 Mar 2026 08:00, due 17:00. The officer asks for the
    # missing details at 09:00; the applicant comes back at 10:30 (1.5
    # working hours paused), so the due instant moves by 1.5 h of office
    # time: from Tue 17:00 to Wed 4 Mar 07:30 + 1.5 h = 09:00.
    desk = Desk(at(2026, 3, 3, 8))
    code = desk.receive(COPY)
    desk.fire(code, "forward")
    paused = desk.fire(code, "request_supplement", at(2026, 3, 3, 9), missing=["Số đăng ký"])
    assert paused.is_paused
    resumed = desk.fire(code, "resubmit", at(2026, 3, 3, 10, 30))
    assert resumed.paused_seconds == 1.5 * 3600
    assert resumed.due_at == at(2026, 3, 4, 9)
    done = desk.run(code, "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.EARLY  # returned Tue 3, due Wed 4
