"""Residence: permanent (7 working days) and temporary (3 working days) at the
commune police, across the 2025/2026 new-year swap (Thu 1 Jan 2026 holiday,
Fri 2 Jan off, Sat 10 Jan worked: 12729/VPCP-KGVX)."""

from __future__ import annotations

from librarytest import Desk, at

from procflow.engine import EventType, Timeliness

PERMANENT = "vn.residence.permanent-registration"
TEMPORARY = "vn.residence.temporary-registration"


def test_permanent_residence_across_new_year_with_a_supplement_pause() -> None:
    # Received Fri 26 Dec 2025 09:00. 7 working days, the day of receipt not
    # counted: Mon 29 (1), Tue 30 (2), Wed 31 (3), [Thu 1 Jan holiday, Fri 2
    # Jan swapped off, weekend], Mon 5 (4), Tue 6 (5), Wed 7 (6), Thu 8 (7).
    desk = Desk(at(2025, 12, 26, 9))
    code = desk.receive(PERMANENT)
    assert desk.engine.get(code).due_at == at(2026, 1, 8, 17)
    desk.fire(code, "forward", at(2025, 12, 26, 10))
    # The officer asks for the owner's consent on Mon 29 Dec 10:00; the
    # applicant brings it Tue 30 Dec 10:00: one working day (7.5 office
    # hours) paused, so the due date moves one working day to Fri 9 Jan.
    desk.fire(code, "request_supplement", at(2025, 12, 29, 10), missing=["Văn bản đồng ý"])
    resumed = desk.fire(code, "resubmit", at(2025, 12, 30, 10))
    assert resumed.paused_seconds == 7.5 * 3600
    assert resumed.due_at == at(2026, 1, 9, 17)
    types = [e.type for e in desk.engine.history(code)]
    assert EventType.PAUSED in types and EventType.RESUMED in types
    desk.clock.set(at(2026, 1, 9, 8))
    done = desk.run(code, "propose", "approve", "hand_over")
    assert done.outcome == "returned"
    assert done.timeliness is Timeliness.ON_TIME


def test_permanent_residence_refused() -> None:
    desk = Desk(at(2026, 3, 2, 9))
    code = desk.receive(PERMANENT)
    done = desk.run(code, "forward", "refuse")
    assert done.outcome == "refused" and done.timeliness is Timeliness.EARLY


def test_temporary_residence_received_on_the_make_up_saturday() -> None:
    # Sat 10 Jan 2026 is a working day (make-up for Fri 2 Jan); the day of
    # receipt does not count: Mon 12 (1), Tue 13 (2), Wed 14 (3).
    desk = Desk(at(2026, 1, 10, 9))
    code = desk.receive(TEMPORARY)
    assert desk.engine.get(code).due_at == at(2026, 1, 14, 17)
    desk.clock.set(at(2026, 1, 13, 9))
    done = desk.run(code, "forward", "propose", "approve", "hand_over")
    assert done.timeliness is Timeliness.EARLY


def test_each_residence_dossier_pays_the_fee_of_how_it_was_submitted() -> None:
    """Circular 75/2022/TT-BTC [recalled] sets a lower fee for a dossier
    submitted online; the receipt slip lists the one fee that applies, by the
    dossier's ``online`` fact, not both."""
    from librarytest import catalogue

    from procflow.engine import Actor

    desk = Desk(at(2026, 3, 2, 9))
    fees = {}
    for pid in (PERMANENT, TEMPORARY):
        version = catalogue().in_force(pid, desk.clock.now().date())
        actor = Actor("desk", version.procedure.desk.id, "desk-officer")
        for online in (False, True):
            slip = desk.engine.receive(pid, actor=actor, facts={"online": online})
            fees[(pid, online)] = [f.amount for f in slip.fees]
    assert fees == {
        (PERMANENT, False): [20000],
        (PERMANENT, True): [10000],
        (TEMPORARY, False): [15000],
        (TEMPORARY, True): [7000],
    }
