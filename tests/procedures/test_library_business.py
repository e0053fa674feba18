"""Business: household registration (two versions, district until 2025-06-30,
commune from 2025-07-01) and enterprise registration, across the 2025 swap
(Fri 2 May off, Sat 26 Apr worked: 8726/VPCP-KGVX)."""

from __future__ import annotations

from librarytest import Desk, at

from procflow.engine import Timeliness

HOUSEHOLD = "vn.business.household-registration"
ENTERPRISE = "vn.business.enterprise-registration"


def test_household_before_july_2025_uses_the_district_version_and_the_swap() -> None:
    # Thu 24 Apr 2025 09:00, district version (Decree 01/2021). 3 working
    # days: Fri 25 (1), Sat 26 (make-up working day, 2), Mon 28 (3).
    desk = Desk(at(2025, 4, 24, 9))
    code = desk.receive(HOUSEHOLD)
    dossier = desk.engine.get(code)
    assert dossier.procedure_version == "2021-01"
    assert dossier.holder == "district-pc"
    assert dossier.due_at == at(2025, 4, 28, 17)
    desk.clock.set(at(2025, 4, 26, 9))  # worked on the make-up Saturday
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.EARLY


def test_household_from_july_2025_goes_to_the_commune() -> None:
    # Tue 1 Jul 2025 09:00, commune version: Wed 2 (1), Thu 3 (2), Fri 4 (3).
    desk = Desk(at(2025, 7, 1, 9))
    code = desk.receive(HOUSEHOLD)
    dossier = desk.engine.get(code)
    assert dossier.procedure_version == "2025-07"
    assert dossier.holder == "commune-pc"
    assert dossier.due_at == at(2025, 7, 4, 17)
    desk.clock.set(at(2025, 7, 4, 9))
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.ON_TIME


def test_household_amended_dossier_restarts_the_three_days() -> None:
    # Received Mon 2 Mar 2026 (due Thu 5 Mar). Sent back for amendment Tue 3
    # Mar; the amended dossier comes Fri 6 Mar 09:00: clock: restart, so a
    # new 3 working days run from it: Mon 9, Tue 10, Wed 11 Mar.
    desk = Desk(at(2026, 3, 2, 9))
    code = desk.receive(HOUSEHOLD)
    assert desk.engine.get(code).due_at == at(2026, 3, 5, 17)
    desk.fire(code, "forward")
    desk.fire(code, "request_supplement", at(2026, 3, 3, 9), missing=["Tên hộ kinh doanh"])
    resumed = desk.fire(code, "resubmit", at(2026, 3, 6, 9))
    assert resumed.due_at == at(2026, 3, 11, 17)
    done = desk.run(code, "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.EARLY


def test_enterprise_registration_across_the_2025_holidays() -> None:
    # Tue 29 Apr 2025 10:00. Wed 30 Apr and Thu 1 May are holidays, Fri 2 May
    # is swapped off, then the weekend: Mon 5 (1), Tue 6 (2), Wed 7 May (3).
    desk = Desk(at(2025, 4, 29, 10))
    code = desk.receive(ENTERPRISE)
    assert desk.engine.get(code).due_at == at(2025, 5, 7, 17)
    desk.clock.set(at(2025, 5, 8, 9))  # Thu 8 May: one day late
    done = desk.run(code, "forward", "propose", "sign", "hand_over")
    assert done.timeliness is Timeliness.LATE
