"""Land-use right transfer: land registration office + tax authority, the
applicant's tax payment pausing the clock, the late agency named on the
control slip, and the version boundary of 2025-07-01 (10 -> 8 working days)."""

from __future__ import annotations

from librarytest import Desk, at

from procflow.engine import Timeliness

LAND = "vn.land.transfer-registration"


def test_transfer_with_payment_pause_and_a_late_tax_office() -> None:
    # Received Mon 5 Jan 2026 09:00 (version 2025-07, 8 working days). Count:
    # Tue 6 (1), Wed 7 (2), Thu 8 (3), Fri 9 (4), Sat 10 (make-up working day
    # for Fri 2 Jan, 5), Mon 12 (6), Tue 13 (7), Wed 14 (8).
    desk = Desk(at(2026, 1, 5, 9))
    code = desk.receive(LAND)
    dossier = desk.engine.get(code)
    assert dossier.procedure_version == "2025-07"
    assert dossier.due_at == at(2026, 1, 14, 17)

    desk.run(code, "forward", "propose", "send")  # land office, Mon 5 Jan morning
    # The tax office has 2 working days for the notice (due about Wed 7 Jan
    # 10:00); it issues it Fri 9 Jan 10:00, about two working days late.
    notified = desk.fire(code, "notify", at(2026, 1, 9, 10))
    assert notified.is_paused  # the applicant now pays: the clock stops
    # The applicant pays on Mon 12 Jan 10:00. Paused office time: Fri 9 Jan
    # 10:00-11:30 and 13:30-17:00 (5 h), Sat 10 Jan (a working day, 7.5 h),
    # Mon 07:30-10:00 (2.5 h) = 15 h, two working days: the due date moves
    # from Wed 14 Jan to Fri 16 Jan 17:00.
    paid = desk.fire(code, "paid", at(2026, 1, 12, 10))
    assert paid.paused_seconds == 15 * 3600
    assert paid.due_at == at(2026, 1, 16, 17)
    done = desk.run(code, "send", "done", "hand_over")
    assert done.outcome == "returned"
    assert done.timeliness is Timeliness.EARLY  # Mon 12 Jan, before Fri 16 Jan

    slip = desk.engine.control_slip(code)
    assert slip.per_agency["tax-office"]["late_hours"] > 7.5
    assert slip.per_agency["land-registration"]["late_hours"] == 0
    late = [r for r in slip.rows if r.timeliness is Timeliness.LATE]
    assert [r.step for r in late] == ["tax-assessment"]
    assert late[0].from_agency == "tax-office"


def test_dossier_received_on_30_june_2025_keeps_the_10_day_version() -> None:
    # Mon 30 Jun 2025: version 2024-08 (Decree 101/2024, 10 working days):
    # Jul 1, 2, 3, 4 (4), 7, 8, 9, 10, 11 (9), Mon 14 Jul (10).
    desk = Desk(at(2025, 6, 30, 9))
    old = desk.receive(LAND)
    assert desk.engine.get(old).procedure_version == "2024-08"
    assert desk.engine.get(old).due_at == at(2025, 7, 14, 17)
    # The next day the 8-day version applies: Wed 2 .. Fri 11 Jul.
    desk.clock.set(at(2025, 7, 1, 9))
    new = desk.receive(LAND)
    assert desk.engine.get(new).procedure_version == "2025-07"
    assert desk.engine.get(new).due_at == at(2025, 7, 11, 17)
    desk.clock.set(at(2025, 7, 14, 9))
    done = desk.run(old, "forward", "propose", "send", "notify", "paid", "send", "done")
    done = desk.run(old, "hand_over")
    # Returned Mon 14 Jul, the due date: a 20-minute payment pause rounds to
    # no whole working day (engine.timing.moved_due), so it is on time.
    assert done.procedure_version == "2024-08" and done.timeliness is Timeliness.ON_TIME
