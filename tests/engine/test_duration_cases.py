"""Durations chosen by facts in the engine (issue 19, rule 8): the time limit
the facts at receipt choose, recounted when set_facts changes it (and the
same after a rebuild from the log), the allotment chosen on entering a step,
the shares of the dossier's final facts, and what the slips and the public
sheet say.

Dates are in March 2026, a month without days off: Tuesday 3 is the receipt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from enginetest import CHILD, ROOT, VN
from enginetest import DESK as CHILD_DESK

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.contrib.printing import receipt_slip
from procflow.contrib.sheet.model import build_sheet
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.engine.timing import Deadline
from procflow.reports.report import _Shares
from procflow.store import MemoryStore
from procflow.versions.clock import limits_of, recompute_due

CAL = WorkCalendar.vietnam()
DESK = Actor("lan", "desk", "officer")
OFFICE = Actor("an", "office", "officer")
PID = "t.cases"


def days(n: float) -> dict[str, Any]:
    return {"value": n, "unit": "working_days"}


PROCEDURE = Procedure.model_validate(
    {
        "id": PID,
        "version": "1",
        "name": "Thử thời hạn theo trường hợp",
        "legal_basis": [{"number": "1/2025/NĐ-CP"}],
        "time_limit": {
            **days(3),
            "basis": "Decree 1, Art. 2",
            "cases": [{"when": "remote", "value": 5, "basis": "Decree 1, Art. 3"}],
        },
        "agencies": [
            {
                "id": "desk",
                "name": "Một cửa",
                "desk": True,
                "share": {**days(1), "cases": [{"when": "remote", "value": 2}]},
            },
            {"id": "office", "name": "Phòng", "share": days(2)},
        ],
        "steps": [
            {
                "id": "reception",
                "name": "Tiếp nhận",
                "kind": "reception",
                "agency": "desk",
                "time": {**days(0.5), "cases": [{"when": "remote", "value": 1}]},
                "outcomes": {"forward": "review"},
            },
            {
                "id": "review",
                "name": "Thẩm định",
                "kind": "review",
                "agency": "office",
                "time": {
                    **days(1),
                    "cases": [
                        {
                            "when": "remote",
                            "value": 2.5,
                            "label": {"vi": "xã vùng sâu", "en": "remote commune"},
                        }
                    ],
                },
                "outcomes": {"approve": "return", "request_supplement": "supplement"},
            },
            {
                "id": "supplement",
                "name": "Bổ sung",
                "kind": "applicant",
                "agency": "office",
                "outcomes": {"resubmit": "review"},
            },
            {
                "id": "return",
                "name": "Trả kết quả",
                "kind": "return",
                "agency": "desk",
                "time": "0.5 working days",
                "outcomes": {"hand_over": "returned"},
            },
        ],
    }
)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


def engine() -> tuple[Engine, VirtualClock]:
    clock = VirtualClock(at(3))
    return Engine(MemoryStore(), Catalogue([PROCEDURE]), CAL, clock), clock


def test_the_facts_at_receipt_choose_the_time_limit_and_the_slip_says_why() -> None:
    eng, _ = engine()
    far = eng.receive(PID, actor=DESK, facts={"remote": True})
    # 5 working days from Tuesday 3: Wed 4, Thu 5, Fri 6, Mon 9, Tue 10
    assert far.appointment == at(10, 17)
    assert (far.time_limit, far.time_limit_case) == ("5 working days", "remote")
    assert far.time_limit_shown == "5 working days (remote)"
    assert far.to_dict()["time_limit_case"] == "remote"
    # the first step's allotment by the same facts: 1 working day, Wed 4 (by date)
    assert eng.get(far.code).step_due_at == at(4, 17)
    near = eng.receive(PID, actor=DESK)
    assert near.appointment == at(6, 17)
    assert (near.time_limit_shown, near.time_limit_case) == ("3 working days", None)
    assert "time_limit_case" not in near.to_dict()  # the slip as before
    # half a day, 3.75 working hours: 09:00-11:30, then 13:30-14:45
    assert eng.get(near.code).step_due_at == at(3, 14, 45)
    assert eng.verify().problems == []
    # printed again from the log, the slip is the one issued
    rebuilt = receipt_slip(eng, far.code)
    assert (rebuilt.time_limit, rebuilt.time_limit_case) == ("5 working days", "remote")
    assert receipt_slip(eng, near.code).time_limit_case is None


def test_setting_the_fact_later_recounts_the_due_date_from_the_receipt() -> None:
    eng, clock = engine()
    code = eng.receive(PID, actor=DESK).code
    clock.set(at(3, 10))
    d = eng.set_facts(code, {"remote": True}, DESK)
    assert d.due_at == at(10, 17)
    assert d.appointment == at(6, 17)  # the receipt's promise is the desk's to change
    data = eng.history(code)[-1].data
    assert (data["due_at"], data["previous_due_at"]) == (
        "2026-03-10T17:00:00+07:00",
        "2026-03-06T17:00:00+07:00",
    )
    # the same fact again changes no limit: no due date in the event
    clock.set(at(3, 11))
    eng.set_facts(code, {"remote": True}, DESK)
    assert "due_at" not in eng.history(code)[-1].data
    # and back: 3 days again
    clock.set(at(4, 9))
    assert eng.set_facts(code, {"remote": False}, DESK).due_at == at(6, 17)
    # a rebuild from the log agrees with the stored dossier
    assert eng.verify().problems == []
    assert eng.replay(code).due_at == eng.get(code).due_at == at(6, 17)


def test_the_due_date_is_recounted_with_the_pauses_so_far() -> None:
    eng, clock = engine()
    code = eng.receive(PID, actor=DESK).code
    clock.set(at(3, 10))
    eng.fire(code, "forward", DESK)
    clock.set(at(3, 10, 30))
    eng.fire(code, "request_supplement", OFFICE)
    clock.set(at(5, 10, 30))  # two working days later
    assert eng.fire(code, "resubmit", OFFICE).due_at == at(10, 17)  # Fri 6 + 2 days
    clock.set(at(5, 11))
    # 5 days from the receipt (Tue 10) and the same 2 days paused: Thu 12
    assert eng.set_facts(code, {"remote": True}, OFFICE).due_at == at(12, 17)
    assert eng.verify().problems == []
    events = eng.history(code)
    limit_for = limits_of(eng.catalogue, PID)
    due = recompute_due(CAL, events, lambda v: limit_for(v, {}), limit_for=limit_for)
    assert due == at(12, 17)
    # without the facts the log gives, the old limit: what the engine no longer says
    plain = Deadline.of_procedure(PROCEDURE)
    assert recompute_due(CAL, events, lambda v: plain) == at(10, 17)


def test_the_allotment_is_chosen_by_the_facts_when_the_step_is_entered() -> None:
    eng, clock = engine()
    far = eng.receive(PID, actor=DESK, facts={"remote": True}).code
    near = eng.receive(PID, actor=DESK).code
    clock.set(at(3, 10))
    # 2.5 days, 18.75 working hours from Tue 10:00: 5 on Tue, 7.5 on Wed, Thu to 15:45
    assert eng.fire(far, "forward", DESK).step_due_at == at(5, 15, 45)
    assert eng.fire(near, "forward", DESK).step_due_at == at(4, 17)  # 1 day: Wed 4
    # set while in a step: the next step entered takes the new figure
    later = eng.receive(PID, actor=DESK).code
    eng.set_facts(later, {"remote": True}, DESK)
    assert eng.fire(later, "forward", DESK).step_due_at == at(5, 15, 45)


def test_shares_are_those_of_the_dossiers_final_facts() -> None:
    eng, clock = engine()
    code = eng.receive(PID, actor=DESK).code
    clock.set(at(3, 10))
    eng.fire(code, "forward", DESK)
    clock.set(at(3, 11))
    eng.set_facts(code, {"remote": True}, OFFICE)
    clock.set(at(4, 9))
    eng.fire(code, "approve", OFFICE)
    clock.set(at(4, 10))
    eng.fire(code, "hand_over", DESK)
    slip = eng.control_slip(code)
    desk = next(a for a in slip.agencies if a.agency == "desk")
    assert desk.share_seconds == 2 * CAL.day_seconds  # remote: 2 working days, not 1
    office = next(a for a in slip.agencies if a.agency == "office")
    assert office.share_seconds == 2 * CAL.day_seconds
    assert eng.get(code).timeliness == "early"
    # the report judges it by the same terms
    shares = _Shares.of([PROCEDURE], CAL, False)
    stored = eng.get(code).to_dict()
    terms = shares.terms_for(stored)
    assert terms is not None and terms.shares["desk"].seconds == 2 * CAL.day_seconds
    stored["facts"] = {}
    terms = shares.terms_for(stored)
    assert terms is not None and terms.shares["desk"].seconds == CAL.day_seconds


def test_the_public_sheet_lists_each_alternative_with_its_condition() -> None:
    vi = build_sheet(PROCEDURE, "vi")
    assert vi.time_limit.startswith("3 ngày làm việc")
    assert any(n.startswith("5 ngày làm việc (khi remote)") for n in vi.time_notes)
    review = next(r for r in vi.steps if r.cells[1] == "Thẩm định")
    assert review.cells[-1] == "1 ngày làm việc; 2,5 ngày làm việc (xã vùng sâu)"
    en = build_sheet(PROCEDURE, "en")
    assert any(n.startswith("5 working days (when remote)") for n in en.time_notes)
    desk = next(r for r in en.agencies if r.cells[0] == "Một cửa")
    assert desk.cells[-1] == "1 working day; 2 working days (when remote)"


def test_the_child_bundle_takes_five_days_where_verification_is_needed() -> None:
    catalogue = Catalogue.from_paths([ROOT / "procedures" / "lien-thong"])
    eng = Engine(MemoryStore(), catalogue, CAL, VirtualClock(at(3, 8)))
    slip = eng.receive(CHILD, actor=CHILD_DESK, facts={"needs_verification": True})
    assert slip.appointment == at(10, 17)
    assert slip.time_limit_shown == "5 working days (trường hợp phải xác minh)"
    assert eng.receive(CHILD, actor=CHILD_DESK).appointment == at(6, 17)
