"""Calendar changes after the fact: an extra day off announced after
appointments were given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from versionstest import COMMUNE, COMMUNE_HEAD, PID, at, make_engine

from procflow.calendar import WorkCalendar
from procflow.engine import Engine, EventType
from procflow.model.reducer import replay
from procflow.store import MemoryStore
from procflow.store.base import Store
from procflow.versions.recalc import recalc

OVERLAY = """\
version: 1
name: Extra day off (test)
years:
  2026:
    days_off:
      - date: 2026-03-05
        name: Extra day off announced late
        source: test
        confirmed: true
"""


@pytest.fixture(scope="module")
def new_calendar(tmp_path_factory: pytest.TempPathFactory) -> WorkCalendar:
    path = tmp_path_factory.mktemp("calendars") / "extra.yaml"
    path.write_text(OVERLAY, "utf-8")
    return WorkCalendar.vietnam([path])


def _run(engine: Engine) -> dict[str, str]:
    """The same actions at the same instants, whatever the engine's calendar."""
    clock = engine.clock
    codes: dict[str, str] = {}

    def receive(when: str, name: str) -> str:
        clock.set(at(when))  # type: ignore[attr-defined]
        code = engine.receive(PID, actor=COMMUNE).code
        codes[name] = code
        return code

    receive("2026-03-02T09:00", "monday")  # due Fri 6 -> Mon 9
    closed = receive("2026-03-02T10:00", "closed")
    for trigger in ("forward", "refuse"):
        engine.fire(closed, trigger, COMMUNE)
    receive("2026-03-03T09:00", "tuesday")  # due Mon 9 -> Tue 10
    paused = receive("2026-03-03T10:00", "paused")
    clock.set(at("2026-03-03T11:00"))  # type: ignore[attr-defined]
    for trigger in ("forward", "request_supplement"):
        engine.fire(paused, trigger, COMMUNE)
    resumed = receive("2026-03-04T09:00", "resumed")
    engine.fire(resumed, "forward", COMMUNE)
    engine.fire(resumed, "request_supplement", COMMUNE)
    clock.set(at("2026-03-04T15:00"))  # type: ignore[attr-defined]
    engine.fire(resumed, "resubmit", COMMUNE)
    waiting = receive("2026-03-04T16:00", "waiting")
    engine.fire(waiting, "forward", COMMUNE)
    engine.fire(waiting, "request_supplement", COMMUNE)  # still paused
    clock.set(at("2026-03-06T14:00"))  # type: ignore[attr-defined]
    engine.fire(paused, "resubmit", COMMUNE)  # paused over the new day off
    receive("2026-03-06T14:30", "after")  # counted after the day off: no change
    clock.set(at("2026-03-06T15:00"))  # type: ignore[attr-defined]
    return codes


def _pair(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> tuple[Engine, Engine, dict[str, str]]:
    store: Store = MemoryStore()
    old = make_engine(store, calendar, "2026-03-01T08:00")
    codes = _run(old)
    # The same store, opened with the calendar as it is now.
    now = make_engine(store, new_calendar, "2026-03-06T15:00")
    return old, now, codes


def test_lists_the_dossiers_that_move_and_by_how_much(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> None:
    _, engine, codes = _pair(calendar, new_calendar)
    report = recalc(engine)
    moved = {c.code: c for c in report.changes}
    name = {v: k for k, v in codes.items()}
    # "paused" was paused over the new day off: the day counts neither way, so its
    # due date stays; "after" was received after it; "closed" is closed.
    assert {name[c] for c in moved} == {"monday", "tuesday", "resumed", "waiting"}
    assert report.checked == 6  # the closed dossier is not looked at
    monday = moved[codes["monday"]]
    assert monday.due_before == at("2026-03-06T17:00")  # 4 working days: Tue..Fri
    assert monday.due_after == at("2026-03-09T17:00")
    assert monday.shift_days == 3  # Friday to Monday
    assert moved[codes["tuesday"]].due_after - moved[codes["tuesday"]].due_before == timedelta(
        days=1
    )
    assert all(c.status == "would move" for c in report.changes)
    assert moved[codes["waiting"]].paused


def test_matches_an_engine_that_had_the_new_calendar_all_along(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> None:
    _, engine, codes = _pair(calendar, new_calendar)
    fresh = make_engine(MemoryStore(), new_calendar, "2026-03-01T08:00")
    fresh_codes = _run(fresh)
    report = recalc(engine)
    moved = {c.code: c.due_after for c in report.changes}
    for name, code in codes.items():
        if name == "closed":
            continue
        expected = fresh.get(fresh_codes[name]).due_at
        assert moved.get(code, engine.get(code).due_at) == expected, name


def test_nothing_moves_on_the_same_calendar(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> None:
    old, _, _ = _pair(calendar, new_calendar)
    assert recalc(old).changes == []


def test_apply_records_the_new_due_date_beside_the_old_appointment(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> None:
    _, engine, codes = _pair(calendar, new_calendar)
    before = {c: engine.get(c) for c in codes.values()}
    report = recalc(engine, apply=True, reason="Công văn 999/VPCP (test)")
    assert report.moved == len(report.changes) == 4
    for change in report.changes:
        d = engine.get(change.code)
        assert d.due_at == change.due_after
        assert [a.due_at for a in d.appointments] == [
            a.due_at for a in before[change.code].appointments
        ] + [change.due_after]
        assert d.appointments[-1].kind == "recalculated"
        assert d.appointments[-1].reason == "Công văn 999/VPCP (test)"
        assert d.apologies == 0  # not an apology
        assert d.appointment == change.due_after
        event = engine.history(change.code)[-1]
        assert event.type is EventType.RECALCULATED
        assert event.data["previous_due_at"] == change.due_before.isoformat()
        assert replay(engine.history(change.code)).to_dict() == d.to_dict()
    assert engine.verify().ok
    assert recalc(engine).changes == []  # applied: nothing left to move


def test_an_apology_date_later_than_the_new_due_date_stands(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> None:
    old, engine, codes = _pair(calendar, new_calendar)
    code = codes["tuesday"]
    old.fire(code, "forward", COMMUNE)
    old.apologise(
        code, COMMUNE_HEAD, reason="many dossiers", new_appointment=at("2026-03-13T17:00")
    )
    change = next(c for c in recalc(engine).changes if c.code == code)
    assert change.appointment_after is None
    engine.clock.set(at("2026-03-06T16:00"))  # type: ignore[attr-defined]
    recalc(engine, apply=True)
    d = engine.get(code)
    assert len(d.appointments) == 2 and d.appointment == at("2026-03-13T17:00")
    assert d.due_at == at("2026-03-10T17:00")


def test_the_current_steps_deadline_moves_too(
    calendar: WorkCalendar, new_calendar: WorkCalendar
) -> None:
    # "resumed" entered appraisal on Wed 4 March 15:00; its working-hours
    # allotment ran into Thu 5, now a day off: the step is due a working day later.
    _, engine, codes = _pair(calendar, new_calendar)
    fresh = make_engine(MemoryStore(), new_calendar, "2026-03-01T08:00")
    fresh_codes = _run(fresh)
    steps = {c.code: c for c in recalc(engine).changes if c.step_due_after is not None}
    assert set(steps) == {codes["resumed"]}
    change = steps[codes["resumed"]]
    assert change.state == "appraisal"
    assert change.step_due_before == at("2026-03-06T09:15")
    assert change.step_due_after == at("2026-03-09T09:15")
    assert change.step_due_after == fresh.get(fresh_codes["resumed"]).step_due_at
    assert "step appraisal" in change.describe()

    recalc(engine, apply=True)
    d = engine.get(codes["resumed"])
    assert d.step_due_at == d.visits[-1].due_at == at("2026-03-09T09:15")
    event = engine.history(codes["resumed"])[-1]
    assert event.data["previous_step_due_at"] == at("2026-03-06T09:15").isoformat()
    assert replay(engine.history(codes["resumed"])).to_dict() == d.to_dict()
    # Steps already left keep the deadline they were judged by.
    assert [v.due_at for v in d.visits[:-1]] == [
        v.due_at
        for v in make_engine(engine.store, calendar, "2026-03-06T15:00")
        .get(codes["resumed"])
        .visits[:-1]
    ]
    assert engine.verify().ok
    assert recalc(engine).changes == []
