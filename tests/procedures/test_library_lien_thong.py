"""The inter-agency bundles (liên thông): a typical run and a late hand-off
charged to the agency that held the dossier (control slip, per agency)."""

from __future__ import annotations

from librarytest import Desk, at

from procflow.engine import Timeliness

CHILD = "vn.lien-thong.child-under-6"
DEATH = "vn.lien-thong.death"
CHILD_RUN = ("forward", "register", "send", "register", "send", "issue", "send", "hand_over")
DEATH_RUN = ("forward", "register", "send", "deregister", "send", "decide", "send", "hand_over")


def test_child_bundle_typical_run_is_early() -> None:
    # Tue 3 Mar 2026 09:00 + 3 working days = Fri 6 Mar.
    desk = Desk(at(2026, 3, 3, 9))
    code = desk.receive(CHILD)
    assert desk.engine.get(code).due_at == at(2026, 3, 6, 17)
    done = desk.run(code, *CHILD_RUN)
    assert done.outcome == "returned" and done.timeliness is Timeliness.EARLY


def test_child_bundle_across_tet_police_late() -> None:
    # Thu 12 Feb 2026 09:00. 3 working days: Fri 13 Feb (1), Tết 14-22 Feb,
    # Mon 23 (2), Tue 24 Feb (3).
    desk = Desk(at(2026, 2, 12, 9))
    code = desk.receive(CHILD)
    assert desk.engine.get(code).due_at == at(2026, 2, 24, 17)
    desk.run(code, "forward", "register", "send")  # commune PC, Thu 12 Feb
    # The police step has 0.75 working day: due Fri 13 Feb. They register
    # only on Tue 24 Feb 10:00, after Tết.
    desk.fire(code, "register", at(2026, 2, 24, 10))
    done = desk.run(code, "send", "issue", "send", "hand_over")
    assert done.timeliness is Timeliness.ON_TIME  # returned on the due date
    slip = desk.engine.control_slip(code).per_agency
    assert slip["commune-police"]["late_hours"] > 7.5
    assert slip["commune-pc"]["late_hours"] == 0
    assert slip["social-insurance"]["late_hours"] == 0


def test_death_bundle_across_national_day_social_insurance_late() -> None:
    # Fri 28 Aug 2026 09:00 (5 working days, figure unconfirmed). Mon 31 Aug
    # is off (swapped for Sat 22 Aug), Tue 1 and Wed 2 Sep are Quốc khánh:
    # Thu 3 (1), Fri 4 (2), Mon 7 (3), Tue 8 (4), Wed 9 Sep (5).
    desk = Desk(at(2026, 8, 28, 9))
    code = desk.receive(DEATH)
    assert desk.engine.get(code).due_at == at(2026, 9, 9, 17)
    desk.run(code, "forward", "register", "send", "deregister", "send")  # Fri 28 Aug
    # Social insurance has 2.5 working days (due Fri 4 Sep); it decides on
    # Wed 9 Sep 09:00.
    desk.fire(code, "decide", at(2026, 9, 9, 9))
    done = desk.run(code, "send", "hand_over")
    assert done.outcome == "returned" and done.timeliness is Timeliness.ON_TIME
    control = desk.engine.control_slip(code)
    assert control.per_agency["social-insurance"]["late_hours"] > 7.5
    assert control.per_agency["commune-police"]["late_hours"] == 0
    assert control.per_agency["commune-pc"]["late_hours"] == 0
    late = [r.step for r in control.rows if r.timeliness is Timeliness.LATE]
    assert late == ["funeral-allowance"]


def test_death_bundle_supplement_pauses() -> None:
    # Mon 4 May 2026 09:00 (1 May holiday was the Friday before): due Mon 11 May.
    desk = Desk(at(2026, 5, 4, 9))
    code = desk.receive(DEATH)
    assert desk.engine.get(code).due_at == at(2026, 5, 11, 17)
    desk.fire(code, "forward")
    desk.fire(code, "request_supplement", at(2026, 5, 4, 10), missing=["Giấy báo tử"])
    # Back Tue 5 May 10:00: one working day paused -> due Tue 12 May.
    resumed = desk.fire(code, "resubmit", at(2026, 5, 5, 10))
    assert resumed.due_at == at(2026, 5, 12, 17)
    done = desk.run(code, *DEATH_RUN[1:])
    assert done.timeliness is Timeliness.EARLY
