"""Issue 22, part 2: warning margins and escalation rules belong to the procedure,
and the sweep carries the rules out once per deadline, on every store.

The procedure below (10 working days; 25% warning margin) is received on
Tuesday 3 March 2026 at 08:00. March 2026 has no holiday in Vietnam; the
office day is 07:30-11:30 and 13:30-17:00 (7.5 working hours). Worked by hand:

- reception: 0.5 working day = 3 h 45 min from 08:00: 3 h 30 min to 11:30,
  then 15 min from 13:30, so the step is due at 13:45. Its warning, 25% of
  3 h 45 min = 56 min 15 s of working time before 13:45: 15 min back to
  13:30, then 41 min 15 s before 11:30, so 10:48:45.
- the dossier: 10 working days, the day of receipt not counted: due Tuesday
  17 March 17:00. Time allowed: 7 h on 3 March (08:00-17:00, less lunch) +
  10 x 7.5 h = 82 h; 25% is 20 h 30 min before the due date: 7.5 h on the
  17th, 7.5 h on the 16th, then 5 h 30 min back from Friday 13 March 17:00
  (3 h 30 min to 13:30, 2 h before 11:30): Friday 13 March 09:30.
- appraisal (3 working days) has its own margin, 4 working hours: the test
  reads the step's due date from the dossier and checks the warning against
  the calendar's own subtraction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from enginetest import VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.checks import check_procedure
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import SYSTEM, Actor, Engine, EventType, VirtualClock
from procflow.errors import NotPermitted
from procflow.store import MemoryStore, SQLiteStore, Store

PROCEDURE = """
procflow: 1
id: test.escalation
version: "1"
name: {vi: Thủ tục thử cảnh báo, en: Escalation test}
legal_basis: [{number: 118/2025/NĐ-CP}]
time_limit: 10 working days
agencies:
  - {id: desk, name: {vi: Bộ phận một cửa}, desk: true}
  - {id: dept, name: {vi: Phòng chuyên môn}}
alerts:
  warning: 25%
  escalate:
    - {alert: overdue, scope: step, steps: [reception, review], notify: [leader]}
    - {alert: overdue, scope: dossier, reassign: leader}
    - {alert: overdue, scope: step, steps: [appraisal], fire: apologise_late, notify: [leader]}
steps:
  - id: reception
    name: {vi: Tiếp nhận}
    kind: reception
    agency: desk
    time: 0.5 working days
    outcomes: {forward: review}
  - id: review
    name: {vi: Thẩm định}
    kind: review
    agency: desk
    time: 1 working day
    assigned_only: true
    outcomes: {send: appraisal}
  - id: appraisal
    name: {vi: Xử lý}
    kind: processing
    agency: dept
    time: 3 working days
    warning: 4 working hours
    outcomes: {decide: return, apologise_late: apology}
  - id: apology
    name: {vi: Chuẩn bị thư xin lỗi}
    kind: approval
    agency: dept
    role: leader
    time: 1 working day
    outcomes: {decide: return}
  - id: return
    name: {vi: Trả kết quả}
    kind: return
    agency: desk
    time: 0.5 working days
    outcomes: {hand_over: returned}
"""

DESK = Actor("lan", "desk", "officer")
DESK_2 = Actor("mai", "desk", "officer")
DEPT = Actor("binh", "dept", "officer")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=VN)


def procedure(text: str = PROCEDURE) -> Procedure:
    return Procedure.model_validate(yaml.safe_load(text))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store
    if request.param == "memory":
        opened = MemoryStore()
    elif request.param == "sqlite":
        opened = SQLiteStore(tmp_path / "e.db")
    else:
        from store_postgres import PostgresSchema, postgres_url

        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        opened = schema.open()
    yield opened
    opened.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    catalogue = Catalogue([compile_procedure(procedure())])
    return Engine(store, catalogue, WorkCalendar.vietnam(), VirtualClock(at(3, 8)))


def kinds(events: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e.type.value, e.data.get("alert") or e.data.get("trigger", "")) for e in events]


def test_the_procedure_margin_warns_a_quarter_before_each_deadline(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    assert engine.sweep(at(3, 10, 48, 44)) == []
    warned = engine.sweep(at(3, 10, 48, 45))
    assert kinds(warned) == [("warned", "warn:step:reception:1")]
    assert warned[0].data["scope"] == "step"
    # the dossier's own warning: Friday 13 March 09:30, not 8 hours before
    engine.clock.set(at(3, 11))  # type: ignore[attr-defined]
    engine.fire(code, "forward", DESK)
    engine.assign(code, DESK, officer="lan")
    engine.fire(code, "send", DESK)
    engine.fire(code, "decide", DEPT)

    def dossier_warnings(events: list) -> list[str]:  # type: ignore[type-arg]
        return [e.data["alert"] for e in events if e.data.get("alert", "").startswith("warn:dos")]

    assert dossier_warnings(engine.sweep(at(13, 9, 29))) == []
    assert dossier_warnings(engine.sweep(at(13, 9, 30))) == [
        "warn:dossier:2026-03-17T17:00:00+07:00"
    ]
    assert engine.verify().ok


def test_a_step_margin_overrides_the_procedure(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    engine.clock.set(at(3, 9))  # type: ignore[attr-defined]
    engine.fire(code, "forward", DESK)
    engine.assign(code, DESK, officer="lan")
    engine.fire(code, "send", DESK)
    dossier = engine.get(code)
    assert dossier.state == "appraisal" and dossier.step_due_at is not None
    cal = WorkCalendar.vietnam()
    warn = cal.subtract_working_seconds_ts(dossier.step_due_at.timestamp(), 4 * 3600)
    key = "warn:step:appraisal:3"
    before = datetime.fromtimestamp(warn - 1, VN)
    assert key not in [e.data.get("alert") for e in engine.sweep(before)]
    now = datetime.fromtimestamp(warn, VN)
    assert key in [e.data.get("alert") for e in engine.sweep(now)]


def test_an_overdue_step_notifies_its_head_once(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    first = engine.sweep(at(3, 13, 46))
    assert kinds(first) == [
        ("overdue", "overdue:step:reception:1"),
        ("escalated", "overdue:step:reception:1"),
    ]
    escalated = first[1]
    assert escalated.actor == SYSTEM
    assert escalated.data["notify"] == ["leader"] and escalated.data["holder"] == "desk"
    assert escalated.data["reassign"] is None and escalated.data["fire"] is None
    assert engine.sweep(at(3, 16)) == []
    assert engine.sweep(at(4, 9)) == []
    assert engine.replay(code) == engine.get(code)


def test_an_overdue_dossier_is_reassigned_to_the_head(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    engine.fire(code, "forward", DESK)
    engine.assign(code, DESK, officer="lan")
    assert engine.get(code).assignee == "lan"
    assert engine.get(code).assigned_role is None
    swept = engine.sweep(at(18, 8))
    reassigned = [
        e for e in swept if e.type is EventType.ESCALATED and e.data["reassign"] == "leader"
    ]
    assert len(reassigned) == 1
    dossier = engine.get(code)
    assert dossier.assigned_role == "leader" and dossier.assignee is None
    assert engine.replay(code) == dossier


def test_an_overdue_appraisal_fires_the_apology_move(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    engine.fire(code, "forward", DESK)
    engine.assign(code, DESK, officer="lan")
    engine.fire(code, "send", DESK)
    due = engine.get(code).step_due_at
    assert due is not None
    swept = engine.sweep(datetime.fromtimestamp(due.timestamp() + 60, VN))
    moved = [e for e in swept if e.type in (EventType.MOVED, EventType.HANDED_OFF)]
    assert len(moved) == 1 and moved[0].actor == SYSTEM
    assert moved[0].data["trigger"] == "apologise_late"
    assert "escalation rule 2" in moved[0].data["note"]
    dossier = engine.get(code)
    assert dossier.state == "apology"
    # the head of the department takes it from there; the sweep does not fire again
    assert not [e for e in engine.sweep(at(10, 8)) if e.type is EventType.MOVED]
    engine.clock.set(at(10, 9))  # type: ignore[attr-defined]
    engine.fire(code, "decide", Actor("tuan", "dept", "leader"))
    assert engine.verify().ok


def test_only_the_assigned_officer_moves_an_assigned_only_step(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    engine.fire(code, "forward", DESK)
    with pytest.raises(NotPermitted, match="assigned to no officer yet"):
        engine.fire(code, "send", DESK)
    engine.assign(code, DESK, officer="mai")
    with pytest.raises(NotPermitted, match="assigned to mai"):
        engine.fire(code, "send", DESK)
    engine.assign(code, DESK_2, officer="lan", note="mai is away")
    history = engine.history(code)
    assigned = [e for e in history if e.type is EventType.ASSIGNED]
    assert [(e.data["officer"], e.data["previous"], e.actor.id) for e in assigned] == [
        ("mai", None, "lan"),
        ("lan", "mai", "mai"),
    ]
    dossier = engine.fire(code, "send", DESK)
    assert dossier.state == "appraisal" and dossier.assignee is None  # a move clears it


def test_another_agency_cannot_assign(engine: Engine) -> None:
    code = engine.receive("test.escalation", actor=DESK).code
    with pytest.raises(NotPermitted, match="held by 'desk'"):
        engine.assign(code, DEPT, officer="binh")
    assert engine.get(code).version == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_sweepers_escalate_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Two sweepers at once, each with its own connection to one database:
    each alert and each escalation rule is carried out once."""
    if backend == "sqlite":

        def opener() -> Store:
            return SQLiteStore(tmp_path / "shared.db")
    else:
        from store_postgres import PostgresSchema, postgres_url

        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        opener = schema.open
    catalogue = Catalogue([compile_procedure(procedure())])
    first = opener()
    engine = Engine(first, catalogue, WorkCalendar.vietnam(), VirtualClock(at(3, 8)))
    codes = [engine.receive("test.escalation", actor=DESK).code for _ in range(20)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        own = opener()  # a store object belongs to the thread that opened it
        try:
            sweeper = Engine(own, catalogue, WorkCalendar.vietnam())
            barrier.wait()
            while sweeper.sweep(at(3, 14)):
                pass  # a dossier the other sweeper changed is looked at again
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for code in codes:
        history = engine.history(code)
        keys = [e.data.get("key") or e.data["alert"] for e in history[1:]]
        assert sorted(keys) == [
            "escalate:0:overdue:step:reception:1",
            "overdue:step:reception:1",
        ], code
    first.close()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("notify: [leader]", None),
        ("notify: [director]", "escalation-unknown-role"),
        ("reassign: nobody", "escalation-unknown-role"),
        ("steps: [nowhere], notify: [leader]", "escalation-unknown-step"),
        ("fire: jump", "escalation-unknown-move"),
    ],
)
def test_validate_checks_what_a_rule_names(change: str, code: str | None) -> None:
    text = PROCEDURE.replace(
        "    - {alert: overdue, scope: dossier, reassign: leader}",
        "    - {alert: overdue, scope: dossier, " + change + "}",
    )
    found = {f.code for f in check_procedure(procedure(text)) if f.is_error}
    assert found == ({code} if code else set())


def test_validate_finds_a_loop_of_escalation_moves() -> None:
    text = PROCEDURE.replace(
        "outcomes: {decide: return}\n  - id: return",
        "outcomes: {decide: return, apologise_late: appraisal}\n  - id: return",
    ).replace("steps: [appraisal], fire", "steps: [appraisal, apology], fire")
    findings = [f for f in check_procedure(procedure(text)) if f.code == "escalation-loop"]
    assert len(findings) == 1
    assert "appraisal" in findings[0].message and "apology" in findings[0].message


def test_a_move_whose_next_alert_fails_changes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A procedure with its own margins works out the sweep's next look from
    the moved state. The engine moves a copy for it and stores the copy; when
    the alert cannot be worked out (here the rule raises), the dossier is as
    it was, in the store and in the record the store remembers, and the same
    move then goes through once."""
    code = engine.receive("test.escalation", actor=DESK).code
    before = engine.get(code)
    real = engine._next_alert
    calls: list[str] = []

    def broken(rec):  # type: ignore[no-untyped-def]
        calls.append(rec.state)
        raise RuntimeError("the rule could not be read")

    monkeypatch.setattr(engine, "_next_alert", broken)
    with pytest.raises(RuntimeError, match="could not be read"):
        engine.fire(code, "forward", DESK)
    assert calls == ["review"]  # it was asked about the moved state
    assert engine.get(code) == before
    assert engine.store.record(code, VN).state == "reception"  # type: ignore[union-attr]
    assert [e.seq for e in engine.history(code)] == [1]
    monkeypatch.setattr(engine, "_next_alert", real)
    moved = engine.fire(code, "forward", DESK)
    assert moved.state == "review" and moved.version == 2
    assert engine.replay(code) == engine.get(code)
    assert engine.verify().ok
