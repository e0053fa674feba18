"""Issue 19, item 9, "Sweep after the deadline": a sweep that first finds a
dossier after its due date emits the overdue event only. The warning of that
deadline is superseded (the overdue event names it under ``supersedes``) and
no later sweep emits it; a sweep on time still warns first, then marks it
overdue. Logs written before the rule (a warning and an overdue event in one
pass, no ``supersedes``) read as before.

The child-under-6 procedure, received Tuesday 3 March 2026 08:00: the
reception step is overdue at 09:52 the same day, the dossier is due Friday
6 March 17:00 and warned 8 working hours before (Thursday 5 March 17:00).
March 2026 has no holiday in Vietnam.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from enginetest import CHILD, DESK, ROOT, VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import SYSTEM, Engine, Event, EventType, VirtualClock
from procflow.store import MemoryStore, SQLiteStore, Store

DUE = "2026-03-06T17:00:00+07:00"
WARN = f"warn:dossier:{DUE}"
OVERDUE = f"overdue:dossier:{DUE}"
STEP = "overdue:step:reception:1"


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=VN)


@pytest.fixture(scope="module")
def library() -> Catalogue:
    return Catalogue.from_paths([ROOT / "procedures"])


@pytest.fixture(params=["memory", "sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, library: Catalogue) -> Iterator[Engine]:
    opened: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "e.db")
    yield Engine(opened, library, WorkCalendar.vietnam(), VirtualClock(at(3, 8)))
    opened.close()


def consistent(engine: Engine, code: str) -> None:
    assert engine.verify().ok
    assert engine.replay(code) == engine.get(code)


def alerts(events: list[Event]) -> list[tuple[EventType, str]]:
    return [(e.type, e.data["alert"]) for e in events]


def test_a_sweep_two_weeks_late_emits_the_overdue_event_only(engine: Engine) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    assert alerts(engine.sweep(at(3, 11))) == [(EventType.OVERDUE, STEP)]  # the step, on time
    consistent(engine, code)

    late = engine.sweep(at(20))  # two weeks after the due date
    assert alerts(late) == [(EventType.OVERDUE, OVERDUE)]
    assert late[0].data["scope"] == "dossier"
    assert late[0].data["due_at"] == DUE
    assert list(late[0].data["supersedes"]) == [WARN]
    assert WARN in engine.get(code).alerts
    consistent(engine, code)

    assert engine.sweep(at(20)) == []
    assert engine.sweep(at(27)) == []
    types = [e.type for e in engine.history(code)]
    assert EventType.WARNED not in types
    assert types.count(EventType.OVERDUE) == 2  # the step's and the dossier's
    consistent(engine, code)


def test_one_late_sweep_marks_the_step_and_the_dossier_overdue_and_warns_of_neither(
    engine: Engine,
) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    late = engine.sweep(at(20))
    assert alerts(late) == [(EventType.OVERDUE, STEP), (EventType.OVERDUE, OVERDUE)]
    assert "supersedes" not in late[0].data  # a step deadline has no warning
    assert list(late[1].data["supersedes"]) == [WARN]
    assert engine.get(code).alerts == [STEP, WARN, OVERDUE]
    consistent(engine, code)
    assert engine.sweep(at(27)) == []
    consistent(engine, code)


def test_a_sweep_on_time_warns_and_a_later_one_marks_overdue(engine: Engine) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    assert alerts(engine.sweep(at(3, 11))) == [(EventType.OVERDUE, STEP)]
    assert engine.sweep(at(5, 16)) == []  # an hour before the warning is due
    consistent(engine, code)

    warned = engine.sweep(at(6))
    assert alerts(warned) == [(EventType.WARNED, WARN)]
    assert "supersedes" not in warned[0].data
    consistent(engine, code)

    overdue = engine.sweep(at(20))  # late, but the warning was given in time
    assert alerts(overdue) == [(EventType.OVERDUE, OVERDUE)]
    assert "supersedes" not in overdue[0].data
    assert engine.get(code).alerts == [STEP, WARN, OVERDUE]
    consistent(engine, code)
    assert engine.sweep(at(27)) == []
    consistent(engine, code)


def test_a_log_written_before_the_rule_reads_as_before(engine: Engine) -> None:
    """The old sweep wrote the warning and the overdue event in one pass, the
    overdue event without ``supersedes``: replay and later sweeps agree with it."""
    code = engine.receive(CHILD, actor=DESK).code
    dossier = engine.get(code)
    proc = engine.catalogue.get(dossier.procedure_id, dossier.procedure_version)

    def write_old(type_: EventType, key: str, scope: str, due: str) -> None:
        data = {"alert": key, "scope": scope, "due_at": due}
        data.update(state="reception", holder="commune-pc")  # no "supersedes"
        engine.write_event(proc, engine.get(code), type_, at(20), SYSTEM, data)

    write_old(EventType.WARNED, WARN, "dossier", DUE)
    write_old(EventType.OVERDUE, STEP, "step", "2026-03-03T09:52:30+07:00")
    write_old(EventType.OVERDUE, OVERDUE, "dossier", DUE)
    assert engine.get(code).alerts == [WARN, STEP, OVERDUE]
    consistent(engine, code)
    assert engine.sweep(at(27)) == []
    assert [e.type.value for e in engine.history(code)] == [
        "received",
        "warned",
        "overdue",
        "overdue",
    ]
    consistent(engine, code)
