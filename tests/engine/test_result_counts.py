"""Issue 19, rule 3: when a result counts as delivered (``rules.result_counts``).

A 3-working-day procedure received on Tuesday 3 March 2026 at 08:00 is due
on Friday 6 March at 17:00 (the day of receipt not counted; no holiday in
March 2026). Its result reaches the desk's return step on Friday at 15:30,
before the due time, and the applicant collects it on Monday 9 March at
09:00. With ``ready`` (the default) the dossier is on time: the applicant's
delay in collecting is never charged to an agency. With ``returned`` it is
late. Either way the hand-over step itself is timed as before.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml
from enginetest import VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store import SQLiteStore

PROCEDURE = """
procflow: 1
id: test.result-counts
version: "1"
name: {vi: Thủ tục thử trả kết quả}
legal_basis: [{number: 118/2025/NĐ-CP}]
time_limit: 3 working days
agencies: [{id: desk, name: {vi: Bộ phận một cửa}, desk: true}]
steps:
  - {id: reception, name: {vi: Tiếp nhận}, kind: reception, agency: desk,
     time: 0.5 working days, outcomes: {forward: processing}}
  - {id: processing, name: {vi: Giải quyết}, kind: processing, agency: desk,
     time: 2 working days, outcomes: {finish: return}}
  - {id: return, name: {vi: Trả kết quả}, kind: return, agency: desk,
     time: 0.5 working days, outcomes: {hand_over: returned}}
"""

DESK = Actor("lan", "desk", "officer")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


def run(tmp_path, rule: str | None) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(PROCEDURE)
    if rule is not None:
        data["rules"] = {"result_counts": rule}
    catalogue = Catalogue([compile_procedure(Procedure.model_validate(data))])
    clock = VirtualClock(at(3, 8))
    engine = Engine(SQLiteStore(tmp_path / "d.db"), catalogue, WorkCalendar.vietnam(), clock)
    code = engine.receive("test.result-counts", actor=DESK).code
    assert engine.get(code).due_at == at(6, 17)
    clock.set(at(3, 9))
    engine.fire(code, "forward", DESK)
    clock.set(at(6, 15, 30))
    engine.fire(code, "finish", DESK)
    clock.set(at(9, 9))
    dossier = engine.fire(code, "hand_over", DESK)
    assert engine.verify().ok and engine.replay(code) == engine.get(code)
    left = dossier.visits[-1].timeliness
    return str(dossier.timeliness), str(left) if left else None


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(None, "on_time"), ("ready", "on_time"), ("returned", "late")],
)
def test_the_rule_decides_which_instant_counts(tmp_path, rule: str | None, expected: str) -> None:  # type: ignore[no-untyped-def]
    timeliness, return_step = run(tmp_path, rule)
    assert timeliness == expected
    # the return step's own half day (due Monday 9 March 09:45) is kept either way
    assert return_step == "on_time"
