"""Migrating in-flight dossiers to a new procedure version."""

from __future__ import annotations

from pathlib import Path

import pytest
from versionstest import (
    COMMUNE,
    DISTRICT,
    MAPPING_FILE,
    NEW_FILE,
    OLD_FILE,
    PATHS,
    PID,
    at,
    make_engine,
    populate,
    snapshot,
)

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, EventType, VirtualClock
from procflow.model.reducer import replay
from procflow.store import MemoryStore, SQLiteStore
from procflow.versions.clock import recompute_due
from procflow.versions.mapping import load_mapping, parse_mapping
from procflow.versions.migrate import MigrationRefused, migrate

EXPECTED = {
    "reception": "reception",
    "review": "appraisal",
    "supplement": "supplement",
    "approval": "signing",
    "return": "return",
}


def _engine(
    calendar: WorkCalendar, n: int = 12, store: object | None = None
) -> tuple[Engine, dict[str, str]]:
    engine = make_engine(store or MemoryStore(), calendar, "2025-06-26T09:00")  # type: ignore[arg-type]
    states = populate(engine, n)
    engine.clock.set(at("2025-07-01T10:00"))  # type: ignore[attr-defined]
    return engine, states


def _mapping_text(drop: str | None = None, extra: str = "") -> str:
    lines = MAPPING_FILE.read_text("utf-8").splitlines()
    if drop:
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  {drop}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith("    "):
            end += 1
        del lines[start:end]
    return "\n".join(lines) + "\n" + extra


def test_dry_run_lists_and_writes_nothing(calendar: WorkCalendar) -> None:
    engine, states = _engine(calendar)
    before = snapshot(engine.store)
    report = migrate(engine, load_mapping(MAPPING_FILE), dry_run=True)
    assert snapshot(engine.store) == before
    open_codes = {c for c, s in states.items() if s != "returned"}
    assert {m.code for m in report.moves} == open_codes
    assert all(m.status == "planned" for m in report.moves)
    assert {(m.from_state, m.to_state) for m in report.moves} == set(EXPECTED.items())
    assert report.to_dict()["planned"] == len(open_codes)


def test_migration_moves_open_dossiers_and_keeps_the_clock(calendar: WorkCalendar) -> None:
    engine, states = _engine(calendar)
    before = {code: engine.get(code) for code in states}
    report = migrate(engine, load_mapping(MAPPING_FILE), actor=COMMUNE)
    assert report.migrated == sum(1 for s in states.values() if s != "returned")
    assert report.skipped == report.conflicts == 0
    for code, state in states.items():
        old, new = before[code], engine.get(code)
        if state == "returned":  # closed dossiers are not touched
            assert new.to_dict() == old.to_dict()
            continue
        assert new.procedure_version == "2025-07"
        assert new.state == EXPECTED[state]
        # The clock: receipt, due date, pauses carry over.
        assert new.received_at == old.received_at
        assert new.due_at == old.due_at
        assert new.paused_at == old.paused_at
        assert new.paused_seconds == old.paused_seconds
        assert new.appointments == old.appointments
        # The old visit is closed, a new one opened.
        assert len(new.visits) == len(old.visits) + 1
        closed = new.visits[-2]
        assert (closed.step, closed.trigger, closed.to_step) == (state, "migrate", new.state)
        assert closed.left_at == at("2025-07-01T10:00")
        assert new.visits[-1].agency == "commune-pc"
        if state != "supplement":
            assert closed.used_seconds > 0
        event = engine.history(code)[-1]
        assert event.type is EventType.MIGRATED
        assert event.actor == COMMUNE
        assert event.data["from_version"] == "2021-01"
        assert event.data["mapping"]["reason"].startswith("From 1 July 2025")
        assert "due_at" not in event.data
        # Replay of the log equals the stored state.
        assert replay(engine.history(code)).to_dict() == new.to_dict()
    assert engine.verify().ok
    # Running it again finds nothing to do.
    assert migrate(engine, load_mapping(MAPPING_FILE)).moves == []


def test_migrated_dossiers_run_on_the_new_version(calendar: WorkCalendar) -> None:
    engine, states = _engine(calendar)
    migrate(engine, load_mapping(MAPPING_FILE))
    by_state = {s: c for c, s in states.items()}
    code = by_state["review"]
    assert set(engine.available(code)) >= {"propose", "request_supplement"}
    engine.fire(code, "propose", COMMUNE)
    assert engine.get(code).state == "name-check"  # the new step
    paused = by_state["supplement"]
    due = engine.get(paused).due_at
    engine.clock.advance(hours=2)  # type: ignore[attr-defined]
    d = engine.fire(paused, "resubmit", COMMUNE)
    assert d.state == "appraisal" and d.paused_at is None
    assert d.due_at >= due  # the pause (begun under the old version) moved it
    assert engine.verify().ok


def test_keep_due_false_recomputes_with_the_new_time_limit(calendar: WorkCalendar) -> None:
    engine, _ = _engine(calendar)
    text = _mapping_text().replace("keep_due: true ", "keep_due: false")
    report = migrate(engine, parse_mapping("m.yaml", text=text))
    assert report.migrated
    for move in report.moves:
        d = engine.get(move.code)
        # Received 26-27 June, 3 -> 4 working days: one more working day.
        assert calendar.count_working_days(move.due_before, move.due_after) == 1
        assert d.due_at == move.due_after
        event = engine.history(move.code)[-1]
        assert event.data["previous_due_at"] == move.due_before.isoformat()
    assert engine.verify().ok


def test_refused_when_a_step_is_unmapped_and_nothing_changes(calendar: WorkCalendar) -> None:
    engine, states = _engine(calendar)
    before = snapshot(engine.store)
    mapping = parse_mapping("mapping.yaml", text=_mapping_text(drop="approval"))
    with pytest.raises(MigrationRefused) as info:
        migrate(engine, mapping)
    assert snapshot(engine.store) == before
    errors = [f for f in info.value.findings if f.is_error]
    assert [f.code for f in errors] == ["unmapped-step"]
    n = sum(1 for s in states.values() if s == "approval")
    assert f"{n} open dossier(s) are in step 'approval'" in errors[0].message
    assert errors[0].file == "mapping.yaml" and errors[0].line == 12  # the states: line
    assert "nothing was changed" in str(info.value)


def test_unknown_steps_targets_and_clock_mismatch(calendar: WorkCalendar) -> None:
    engine, _ = _engine(calendar, n=6)
    text = (
        _mapping_text()
        .replace("review: appraisal", "reveiw: appraisal")
        .replace("reception: reception", "reception: recepton")
        .replace("supplement: supplement", "supplement: appraisal")
    )
    with pytest.raises(MigrationRefused) as info:
        migrate(engine, parse_mapping("m.yaml", text=text))
    found = {(f.code, f.line) for f in info.value.findings if f.is_error}
    assert ("unknown-step", 14) in found  # reveiw
    assert ("unknown-target", 13) in found  # recepton
    assert ("clock-mismatch", 15) in found
    assert ("unmapped-step", 12) in found  # review now has no mapping
    messages = " ".join(f.hint or "" for f in info.value.findings)
    assert "did you mean 'review'?" in messages and "did you mean 'reception'?" in messages


def test_unknown_version_and_mapping_file_errors(calendar: WorkCalendar, tmp_path: Path) -> None:
    engine, _ = _engine(calendar, n=2)
    with pytest.raises(MigrationRefused, match="no version '2026-01'"):
        migrate(
            engine, parse_mapping("m.yaml", text=_mapping_text().replace('"2025-07"', '"2026-01"'))
        )
    bad = tmp_path / "bad.yaml"
    bad.write_text("procedure: x\nfrom: a\nto: b\nstates:\n  a: {to: b, keep: no}\n", "utf-8")
    with pytest.raises(Exception, match=r"bad.yaml:5:\d+.*unknown key 'keep'"):
        load_mapping(bad)


def test_recompute_due_equals_the_stored_due_date(calendar: WorkCalendar) -> None:
    engine, states = _engine(calendar)
    code = next(c for c, s in states.items() if s == "supplement")
    engine.clock.advance(days=1)  # type: ignore[attr-defined]
    engine.fire(code, "resubmit", DISTRICT)
    migrate(
        engine,
        parse_mapping("m.yaml", text=_mapping_text().replace("keep_due: true ", "keep_due: false")),
    )

    def limit_of(version: str):  # type: ignore[no-untyped-def]
        return engine.catalogue.get(PID, version).procedure.time_limit

    for c in states:
        assert recompute_due(calendar, engine.history(c), limit_of) == engine.get(c).due_at


def test_migration_on_sqlite_is_one_event_per_dossier(
    calendar: WorkCalendar, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "desk.db")
    engine, states = _engine(calendar, n=12, store=store)
    counts = {c: len(store.events(c)) for c in states}
    report = migrate(engine, load_mapping(MAPPING_FILE))
    for move in report.moves:
        assert len(store.events(move.code)) == counts[move.code] + 1
    assert engine.verify().ok
    store.close()


def test_a_smaller_bulk_migration(calendar: WorkCalendar) -> None:
    engine, states = _engine(calendar, n=1200)
    report = migrate(engine, load_mapping(MAPPING_FILE))
    assert report.migrated == sum(1 for s in states.values() if s != "returned")
    assert {s for s, _, _ in report.by_state()} == set(PATHS) - {"returned"}
    assert report.seconds < 20
    sample = list(states)[::97]
    assert engine.verify(sample).ok


def test_a_migrated_dossier_gets_the_allotment_its_facts_choose(
    calendar: WorkCalendar, tmp_path: Path
) -> None:
    """Issue 19, rule 8: the step a migration enters is given the allotment
    the dossier's facts choose (a step time with cases), as a move would.

    Received Thursday 26 June 2025 09:00 and forwarded to review; migrated
    Tuesday 1 July 10:00 into appraisal. Its deadline counts from when it
    entered the step (26 June 09:00): 1.5 working days = 11.25 h is Friday 27
    June 14:45 (Thu 09:00-11:30 2.5 h, 13:30-17:00 3.5 h, Fri 07:30-11:30 4 h,
    13:30-14:45 1.25 h); with ``simple`` true the case's 1 working day,
    a whole day, ends with the next working day: Friday 27 June 17:00.
    """
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / OLD_FILE.name).write_text(OLD_FILE.read_text("utf-8"), "utf-8")
    new_text = NEW_FILE.read_text("utf-8")
    plain = "    time: 1.5 working days\n"
    assert new_text.count(plain) == 1
    new_text = new_text.replace(
        plain,
        "    time:\n      value: 1.5\n      unit: working_days\n"
        "      cases: [{when: simple, value: 1}]\n",
    )
    (folder / NEW_FILE.name).write_text(new_text, "utf-8")
    engine = Engine(
        MemoryStore(),
        Catalogue.from_paths([folder]),
        calendar,
        VirtualClock(at("2025-06-26T09:00")),
    )
    codes = {}
    for simple in (False, True):
        facts = {"simple": True} if simple else {}
        code = engine.receive(PID, actor=DISTRICT, facts=facts).code
        engine.fire(code, "forward", DISTRICT)
        codes[simple] = code
    engine.clock.set(at("2025-07-01T10:00"))  # type: ignore[attr-defined]
    report = migrate(engine, load_mapping(MAPPING_FILE), actor=COMMUNE)
    assert report.migrated == 2
    assert engine.get(codes[False]).step_due_at == at("2025-06-27T14:45")
    assert engine.get(codes[True]).step_due_at == at("2025-06-27T17:00")
