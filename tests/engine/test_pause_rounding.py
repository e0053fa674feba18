"""rules.pause_rounding: what a supplement pause does to a limit of whole days,
each setting on dates worked out by hand.

A dossier is received on Monday 2 March 2026 at 08:00 under a limit of 10
working days. The day of receipt does not count: Tue 3 ... Fri 6, Mon 9 ...
Fri 13, Mon 16 March is the 10th working day, so it is due 16/03 17:00 (no
holiday falls in March 2026). At 09:00 the desk asks for a supplement; the
applicant answers the same day:

* at 14:00, after 3 working hours paused (09:00-11:30 and 13:30-14:00):
  whole_days rounds 3 h / 7.5 h = 0.4 to no day, due still 16/03 17:00;
  exact adds 3 h: 16/03 17:00 -> 17/03 07:30 + 3 h = 10:30.
* at 15:00, after 4 working hours (09:00-11:30, 13:30-15:00): whole_days
  rounds 0.53 to one day, due 17/03 17:00; exact adds 4 h: 17/03 11:30 (a
  deadline landing at the end of the morning stays there).
"""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store import MemoryStore

CAL = WorkCalendar.vietnam()
TZ = CAL.tz
DESK = Actor("lan", "desk", "officer")

PROCEDURE = """
procflow: 1
id: test.pause-rounding
version: "1"
name: {vi: Thủ tục thử, en: Test procedure}
level: district
time_limit: {value: 10, unit: working_days}
legal_basis:
  - {number: 63/2024/NĐ-CP, date: 2024-06-10}
agencies:
  - {id: desk, name: {vi: Bộ phận một cửa, en: One-stop desk}, level: district, desk: true}
steps:
  - id: review
    name: {vi: Kiểm tra hồ sơ, en: Review}
    kind: processing
    agency: desk
    time: 5 working days
    outcomes: {request_supplement: supplement, accept: return}
  - id: supplement
    name: {vi: Người dân bổ sung, en: Applicant supplements}
    kind: applicant
    agency: desk
    outcomes: {resubmit: review}
  - id: return
    name: {vi: Trả kết quả, en: Return the result}
    kind: return
    agency: desk
    time: 1 working days
    outcomes: {hand_over: returned}
"""


def engine(rounding: str | None) -> tuple[Engine, VirtualClock]:
    data = yaml.safe_load(PROCEDURE)
    if rounding is not None:
        data["rules"] = {"pause_rounding": rounding}
    proc = compile_procedure(Procedure.model_validate(data))
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    return Engine(MemoryStore(), Catalogue([proc]), CAL, clock), clock


@pytest.mark.parametrize(
    ("rounding", "answer", "due"),
    [
        (None, (14, 0), (16, 17, 0)),  # the default is whole_days
        ("whole_days", (14, 0), (16, 17, 0)),
        ("exact", (14, 0), (17, 10, 30)),
        ("whole_days", (15, 0), (17, 17, 0)),
        ("exact", (15, 0), (17, 11, 30)),
    ],
)
def test_a_pause_moves_the_due_date_by_the_procedures_rule(
    rounding: str | None, answer: tuple[int, int], due: tuple[int, int, int]
) -> None:
    eng, clock = engine(rounding)
    slip = eng.receive("test.pause-rounding", actor=DESK)
    assert slip.appointment == datetime(2026, 3, 16, 17, 0, tzinfo=TZ)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    eng.fire(slip.code, "request_supplement", DESK, missing=["Bản sao giấy tờ"])
    clock.set(datetime(2026, 3, 2, *answer, tzinfo=TZ))
    resumed = eng.fire(slip.code, "resubmit", DESK)
    day, hour, minute = due
    assert resumed.due_at == datetime(2026, 3, day, hour, minute, tzinfo=TZ)
    assert eng.verify().ok
    assert eng.replay(slip.code).due_at == resumed.due_at


def test_recalculation_applies_the_same_rule() -> None:
    from procflow.engine.timing import Deadline
    from procflow.versions.clock import recompute_due

    eng, clock = engine("exact")
    slip = eng.receive("test.pause-rounding", actor=DESK)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    eng.fire(slip.code, "request_supplement", DESK)
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=TZ))
    eng.fire(slip.code, "resubmit", DESK)
    proc = eng.catalogue.get("test.pause-rounding", "1").procedure
    due = recompute_due(CAL, eng.history(slip.code), lambda _: Deadline.of_procedure(proc))
    assert due == eng.get(slip.code).due_at == datetime(2026, 3, 17, 11, 30, tzinfo=TZ)


def test_an_unknown_setting_is_refused_with_the_field() -> None:
    data = yaml.safe_load(PROCEDURE)
    data["rules"] = {"pause_rounding": "nearest_hour"}
    with pytest.raises(Exception, match="pause_rounding"):
        Procedure.model_validate(data)
