"""The engine's lifecycle, authority and timing rules, on the real calendar.

Dates: March 2026 has no holiday in Vietnam (Labour Code 2019, Art. 112: the
next ones are Hùng Kings' day on 26 April 2026 and 30/4-1/5), so working days
there are Monday to Friday.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import datetime, timedelta

import pytest
from enginetest import BHXH, CHILD, DESK, PC, PC_HEAD, POLICE, POLICE_HEAD, TO_RETURN, VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Dossier, Engine, EventType, Timeliness, VirtualClock
from procflow.errors import (
    ConflictError,
    DossierClosed,
    DossierNotFound,
    InvalidTrigger,
    NotPermitted,
    RuleViolation,
)
from procflow.store import MemoryStore


def at(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


def run_to_return(
    engine: Engine, clock: VirtualClock, code: str, script: list[tuple[str, Actor]] = TO_RETURN
) -> Dossier:
    """Fire ``script`` on ``code``, an hour apart; the last dossier fire returned."""
    last = None
    for trigger, actor in script:
        clock.advance(hours=1)
        last = engine.fire(code, trigger, actor)
    assert last is not None
    return last


def test_receipt_slip_gives_code_and_appointment(engine: Engine) -> None:
    slip = engine.receive(CHILD, actor=DESK, applicant={"name": "Nguyễn Thị Mai"})
    # Received Tuesday 3 March 08:00; 3 working days not counting the day of
    # receipt: Wed 4, Thu 5, Fri 6 -> due Friday 6 March at the close of office.
    assert slip.appointment == at(6, 17)
    assert slip.code == "COMMUNE-PC-260303-00001"
    assert slip.applicant == {"name": "Nguyễn Thị Mai"}
    second = engine.receive(CHILD, actor=DESK)
    assert second.code == "COMMUNE-PC-260303-00002"
    dossier = engine.get(slip.code)
    assert dossier.state == "reception"
    assert dossier.holder == "commune-pc"


def test_receive_record_writes_what_receive_writes(engine: Engine, clock: VirtualClock) -> None:
    """The drivers' receipt (no slip) numbers, dates and logs a dossier as
    ``receive`` does, on every store: the same event data, appointment and state."""
    slip = engine.receive(CHILD, actor=DESK, applicant={"name": "Mai"})
    rec = engine.receive_record(CHILD, actor=DESK, applicant={"name": "Mai"})
    assert rec.code == "COMMUNE-PC-260303-00002"
    first, second = engine.get(slip.code), engine.get(rec.code)
    assert second.due_at == first.due_at == slip.appointment
    assert (second.state, second.holder, second.version) == (first.state, first.holder, 1)
    (a,), (b,) = engine.history(slip.code), engine.history(rec.code)
    assert (b.type, b.at, b.actor, b.data) == (a.type, a.at, a.actor, a.data)
    with pytest.raises(NotPermitted):
        engine.receive_record(CHILD, actor=POLICE)  # only the desk receives, here too
    assert engine.store.count() == 2


class NumberClock:
    """A TimestampClock, as the simulator's: time as POSIX seconds; counts how
    often the engine asks it for a datetime."""

    def __init__(self, calendar: WorkCalendar, start: datetime) -> None:
        self.calendar, self.ts, self.asked = calendar, calendar.to_ts(start), 0

    def now(self) -> datetime:
        self.asked += 1
        return self.calendar.from_ts(self.ts)

    def now_ts(self) -> float:
        return self.ts

    def advance(self, hours: float) -> None:
        self.ts += int(hours * 3600)


def test_a_timestamp_clock_moves_dossiers_as_a_datetime_clock_does(
    catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    """Moves read ``now_ts`` (no datetime made), and write the same events,
    states and hashes as an engine on a VirtualClock at the same instants."""
    plain_clock = VirtualClock(at(3))
    number_clock = NumberClock(calendar, at(3))
    plain = Engine(MemoryStore(), catalogue, calendar, plain_clock)
    numbers = Engine(MemoryStore(), catalogue, calendar, number_clock)
    a = plain.receive(CHILD, actor=DESK).code
    b = numbers.receive(CHILD, actor=DESK).code
    asked = number_clock.asked
    # a clock set back: refused alike, with the same words
    plain.clock, now = VirtualClock(at(2)), number_clock.ts
    number_clock.ts = calendar.to_ts(at(2))
    refusals = []
    for engine, code in ((plain, a), (numbers, b)):
        with pytest.raises(RuleViolation) as refused:
            engine.fire(code, "forward", PC)
        refusals.append(str(refused.value).replace(code, "CODE"))
    assert refusals[0] == refusals[1] and "before" in refusals[0]
    plain.clock, number_clock.ts = plain_clock, now
    for hours in (0.5, 17.25, 40, 3):  # nights and the weekend in between
        for clock in (plain_clock, number_clock):
            clock.advance(hours=hours)
        for engine, code in ((plain, a), (numbers, b)):
            engine.fire(code, engine.available(code, PC)[0], PC)
    assert number_clock.asked == asked  # the moves asked for no datetime
    assert [e.to_dict() for e in numbers.history(b)] == [e.to_dict() for e in plain.history(a)]
    assert numbers.get(b).to_dict() == plain.get(a).to_dict()


@pytest.mark.parametrize("digits", [1, 4, 9])
def test_the_sequence_number_has_the_width_asked(
    engine: Engine, clock: VirtualClock, digits: int
) -> None:
    """Circular 01/2018/TT-VPCP, Art. 19 writes the daily sequence with 4
    digits; procflow's default is 5, and the width is a setting."""
    four = Engine(MemoryStore(), engine.catalogue, engine.calendar, clock, sequence_digits=digits)
    codes = [four.receive(CHILD, actor=DESK).code for _ in range(2)]
    assert codes == [f"COMMUNE-PC-260303-{n:0{digits}d}" for n in (1, 2)]
    assert four.verify(codes).ok


@pytest.mark.parametrize("digits", [0, 10])
def test_a_sequence_width_out_of_range_is_refused(engine: Engine, digits: int) -> None:
    with pytest.raises(ValueError, match="1 to 9 digits"):
        Engine(MemoryStore(), engine.catalogue, engine.calendar, sequence_digits=digits)


def test_stores_without_numbered_receipts_still_number_and_skip_taken_codes(
    catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock
) -> None:
    # A store that declares no numbered receipts (a third party's, with only
    # next_sequence + create) gets StoreBase's two-step default, which also
    # skips a number whose code is already stored.
    from procflow.store.base import StoreBase

    class PlainStore(MemoryStore):
        CAPABILITIES = frozenset()
        create_numbered = StoreBase.create_numbered

    store = PlainStore()
    engine = Engine(store, catalogue, calendar, clock)
    first = engine.receive(CHILD, actor=DESK)
    assert first.code == "COMMUNE-PC-260303-00001"
    store._sequences["COMMUNE-PC-260303"] = 0  # as if restored from an older backup
    second = engine.receive(CHILD, actor=DESK)
    assert second.code == "COMMUNE-PC-260303-00002"
    assert engine.get(first.code).received_at == engine.get(second.code).received_at


def test_only_the_desk_receives(engine: Engine) -> None:
    with pytest.raises(NotPermitted, match="one-stop desk"):
        engine.receive(CHILD, actor=POLICE)


def test_full_flow_is_early_and_verifies(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    run_to_return(engine, clock, code)
    dossier = engine.get(code)
    assert dossier.outcome == "returned"
    assert not dossier.is_open
    assert dossier.timeliness is Timeliness.EARLY  # returned on 3 March, due 6 March
    types = [e.type for e in engine.history(code)]
    assert types.count(EventType.HANDED_OFF) == 3
    assert types[-1] is EventType.RETURNED
    report = engine.verify()
    assert report.ok, report.problems
    assert engine.replay(code).to_dict() == dossier.to_dict()


def test_wrong_agency_changes_nothing(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    before = engine.get(code).to_dict()
    with pytest.raises(NotPermitted, match="held by 'commune-pc'"):
        engine.fire(code, "forward", POLICE)
    assert engine.get(code).to_dict() == before
    assert len(engine.history(code)) == 1


def test_unknown_and_invalid_triggers(engine: Engine) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    with pytest.raises(InvalidTrigger, match="no trigger 'explode'"):
        engine.fire(code, "explode", PC)
    with pytest.raises(InvalidTrigger, match="not possible from step 'reception'"):
        engine.fire(code, "issue", PC)
    with pytest.raises(DossierNotFound):
        engine.fire("NOPE-1", "forward", PC)
    assert engine.get(code).version == 1


def test_closed_dossier_cannot_move(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "withdraw", DESK)
    assert engine.get(code).outcome == "withdrawn"
    with pytest.raises(DossierClosed):
        engine.fire(code, "forward", PC)


def test_supplement_pauses_clock_and_moves_due_date(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", PC)
    clock.set(at(3, 10))
    paused = engine.fire(code, "request_supplement", PC, missing=["Giấy chứng sinh"])
    assert paused.is_paused
    assert engine.history(code)[-1].type is EventType.PAUSED
    assert engine.history(code)[-1].data["missing"] == ["Giấy chứng sinh"]
    # The applicant comes back two working days later (Thu 5 March 10:00).
    # Office hours 07:30-11:30 and 13:30-17:00 make a 7.5-hour day, so 15
    # working hours were paused and the due date moves two working days,
    # from Fri 6 to Tue 10 March.
    clock.set(at(5, 10))
    resumed = engine.fire(code, "resubmit", PC)
    assert not resumed.is_paused
    assert resumed.paused_seconds == 15 * 3600
    assert resumed.due_at == at(10, 17)
    # The applicant is promised the later date; it is not an apology.
    assert resumed.appointment == at(10, 17)
    assert resumed.appointments[-1].kind == "resumed"
    assert resumed.apologies == 0
    assert resumed.supplements == 1
    # One supplement request only (rules.max_supplement_requests = 1).
    with pytest.raises(RuleViolation, match="max_supplement_requests"):
        engine.fire(code, "request_supplement", PC)
    assert engine.verify().ok


def test_late_handoff_is_charged_to_the_agency_that_held_it(
    engine: Engine, clock: VirtualClock
) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    for trigger in ("forward", "register", "send"):
        clock.advance(minutes=30)
        engine.fire(code, trigger, PC)
    # The police step has 0.75 working day (6 h); they keep it two days.
    clock.set(at(5, 16))
    engine.fire(code, "register", POLICE)
    slip = engine.control_slip(code)
    police_row = next(r for r in slip.rows if r.step == "residence")
    assert police_row.timeliness is Timeliness.LATE
    assert police_row.late_working_hours > 8
    assert slip.per_agency["commune-police"]["late_hours"] == police_row.late_working_hours
    assert slip.per_agency["commune-pc"]["late_hours"] == 0
    handoff = next(r for r in slip.rows if r.step == "to-police")
    assert (handoff.from_agency, handoff.to_agency) == ("commune-pc", "commune-police")
    assert handoff.receiver == POLICE.id


def test_late_dossier_stays_late_after_apology(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", PC)
    engine.fire(code, "register", PC)
    engine.fire(code, "send", PC)
    clock.set(at(4, 9))
    with pytest.raises(NotPermitted, match="held by 'commune-police'"):
        engine.apologise(code, PC_HEAD, reason="x", new_appointment=at(12, 17))
    with pytest.raises(NotPermitted, match=r"rules.authority.apologise .* role 'leader'"):
        engine.apologise(code, POLICE, reason="x", new_appointment=at(12, 17))
    apology = engine.apologise(
        code, POLICE_HEAD, reason="Chờ xác minh cư trú", new_appointment=at(12, 17)
    )
    assert apology.previous_appointment == at(6, 17)
    assert engine.get(code).appointment == at(12, 17)
    assert engine.get(code).due_at == at(6, 17)  # the statutory date does not move
    with pytest.raises(RuleViolation, match="max_reappointments"):
        engine.apologise(code, POLICE_HEAD, reason="again", new_appointment=at(13, 17))
    clock.set(at(11, 9))
    run = [("register", POLICE), ("send", POLICE), ("issue", BHXH), ("send", BHXH)]
    for trigger, actor in run:
        engine.fire(code, trigger, actor)
    final = engine.fire(code, "hand_over", PC)
    assert final.timeliness is Timeliness.LATE


def test_apology_too_close_to_due_date(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    clock.set(at(6, 9))  # the due date itself
    with pytest.raises(RuleViolation, match="apology_lead_days"):
        engine.apologise(code, PC_HEAD, reason="late", new_appointment=at(10, 17))


def test_returned_on_due_date_is_on_time(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    clock.set(at(6, 8))
    run_to_return(engine, clock, code)
    assert engine.get(code).timeliness is Timeliness.ON_TIME


def test_guidance_and_refusal_at_reception(engine: Engine) -> None:
    slip = engine.guide(CHILD, actor=DESK, missing=["Tờ khai CT01"], reason="thiếu tờ khai")
    assert slip.missing == ["Tờ khai CT01"]
    dossier = engine.get(slip.code)
    assert dossier.outcome == "guided" and not dossier.is_open
    refusal = engine.refuse_at_reception(CHILD, actor=DESK, reason="không thuộc thẩm quyền")
    assert engine.get(refusal.code).outcome == "refused_at_reception"
    with pytest.raises(RuleViolation):
        engine.guide(CHILD, actor=DESK, missing=[])


def test_sweep_warns_once_then_marks_overdue(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    assert engine.sweep(at(3, 9)) == []
    # The reception step has 0.25 working day (1.875 h of a 7.5-hour day):
    # overdue at 09:52.
    step = engine.sweep(at(3, 11))
    assert [(e.code, e.type) for e in step] == [(code, EventType.OVERDUE)]
    assert step[0].data["scope"] == "step"
    assert engine.sweep(at(3, 11)) == []  # idempotent
    # The dossier is due Fri 6 March 17:00; warned 8 working hours before.
    warned = engine.sweep(at(6, 9))
    assert [e.data["alert"].split(":")[0] for e in warned] == ["warn"]
    overdue = engine.sweep(at(9, 8))
    assert [(e.type, e.data["scope"]) for e in overdue] == [(EventType.OVERDUE, "dossier")]
    assert engine.sweep(at(9, 9)) == []
    assert engine.verify().ok


def test_no_event_is_dated_before_the_step_it_leaves(engine: Engine, clock: VirtualClock) -> None:
    # The CLI's --at (or a clock set back by hand) must not move a dossier
    # at an instant before it entered its step: negative working time, and a
    # log that runs backwards.
    code = engine.receive(CHILD, actor=DESK).code
    clock.advance(hours=2)
    engine.fire(code, "forward", PC)
    before, events = engine.get(code).to_dict(), len(engine.history(code))
    back = Engine(engine.store, engine.catalogue, engine.calendar, VirtualClock(at(2, 8)))
    with pytest.raises(RuleViolation, match=r"before .* entered step 'birth-registration'"):
        back.fire(code, "register", PC)
    with pytest.raises(RuleViolation, match="before"):
        back.set_facts(code, {"needs_verification": True}, PC)
    assert engine.get(code).to_dict() == before
    assert len(engine.history(code)) == events
    same_instant = Engine(
        engine.store, engine.catalogue, engine.calendar, VirtualClock(clock.now())
    )
    assert same_instant.fire(code, "register", PC).version == events + 1  # not before: allowed


@pytest.mark.parametrize(
    ("field", "value"),
    [("applicant", ["Nguyễn Văn A"]), ("applicant", "Nguyễn Văn A"), ("facts", [1, 2])],
)
def test_applicant_and_facts_must_be_mappings(engine: Engine, field: str, value: object) -> None:
    with pytest.raises(RuleViolation, match=f"{field} must be a mapping"):
        engine.receive(CHILD, actor=DESK, **{field: value})  # type: ignore[arg-type]
    assert list(engine.store.codes()) == []


def test_listener_errors_do_not_corrupt_state(engine: Engine) -> None:
    seen: list[str] = []

    def broken(event: object, dossier: object) -> None:
        raise RuntimeError("SMS gateway down")

    engine.subscribe(broken)
    engine.subscribe(lambda e, d: seen.append(e.type.value), types=["received", "moved"])
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", PC)
    assert seen == ["received", "moved"]
    assert engine.listener_errors == 2
    assert engine.get(code).state == "birth-registration"
    assert engine.verify().ok


def test_stale_version_conflicts(engine: Engine) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", PC, expected_version=1)
    with pytest.raises(ConflictError):
        engine.fire(code, "register", PC, expected_version=1)
    assert engine.get(code).version == 2


def test_branch_on_facts(engine: Engine, clock: VirtualClock) -> None:
    code = engine.receive(CHILD, actor=DESK, facts={"needs_verification": True}).code
    assert engine.get(code).facts == {"needs_verification": True}
    with pytest.raises(NotPermitted):
        engine.set_facts(code, {"x": True}, POLICE)
    engine.set_facts(code, {"needs_verification": False}, PC)
    assert engine.get(code).facts["needs_verification"] is False


def test_same_day_cutoff(engine: Engine, clock: VirtualClock) -> None:
    desk = DESK
    clock.set(at(3, 14, 30))
    before = engine.receive("vn.civil-status.birth-registration", actor=desk)
    assert before.appointment.date() == at(3).date()
    clock.set(at(3, 15, 30))
    after = engine.receive("vn.civil-status.birth-registration", actor=desk)
    assert after.appointment.date() == at(4).date()
    clock.advance(timedelta(minutes=1))
    assert engine.available(after.code, POLICE) == []
    # Reception needs the desk officer's role: a colleague may only record a
    # withdrawal, and only the head of the agency may stop processing.
    assert engine.available(after.code, PC) == ["withdraw"]
    assert engine.available(after.code, PC_HEAD) == ["withdraw", "stop"]
    assert "forward" in engine.available(after.code, desk)


def test_clone_copies_every_field(engine: Engine, clock: VirtualClock) -> None:
    # clone() lists the fields by hand for speed: a new field must be added there.
    code = engine.receive(CHILD, actor=DESK, applicant={"a": 1}, facts={"f": True}).code
    engine.fire(code, "forward", DESK)
    dossier = engine.get(code)
    copy = dossier.clone()
    assert copy.to_dict() == dossier.to_dict()
    # The lists and dicts are the copy's own; the frozen visits are shared.
    assert copy.visits is not dossier.visits and copy.visits == dossier.visits
    assert copy.appointments is not dossier.appointments
    assert copy.facts is not dossier.facts and copy.applicant is not dossier.applicant


def test_short_pause_does_not_move_a_day_based_due_date(
    engine: Engine, clock: VirtualClock
) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", DESK)
    clock.set(at(3, 9))
    engine.fire(code, "request_supplement", PC)
    clock.set(at(3, 9, 20))  # twenty minutes: rounds to no working day
    assert engine.fire(code, "resubmit", PC).due_at == at(6, 17)
    # Half a working day or more counts as a whole day.
    code2 = engine.receive(CHILD, actor=DESK).code
    engine.fire(code2, "forward", DESK)
    engine.fire(code2, "request_supplement", PC)
    clock.set(at(3, 15, 30))  # 09:20 -> 15:30 is 4.17 working hours of 7.5
    assert engine.fire(code2, "resubmit", PC).due_at == at(9, 17)


def test_stores_may_serialise_dossiers_directly(engine: Engine, clock: VirtualClock) -> None:
    # Stores write Dossier objects with orjson (fast); that must read back as
    # the same state as to_dict() does.
    import orjson

    from procflow.engine import Dossier

    code = engine.receive(CHILD, actor=DESK, applicant={"tên": "Mai"}).code
    engine.fire(code, "forward", DESK)
    clock.advance(hours=30)
    engine.apologise(code, PC_HEAD, reason="chờ xác minh", new_appointment=at(13, 17))
    dossier = engine.get(code)
    assert orjson.loads(orjson.dumps(dossier)) == orjson.loads(orjson.dumps(dossier.to_dict()))
    assert Dossier.from_dict(orjson.loads(orjson.dumps(dossier))).to_dict() == dossier.to_dict()


def test_top_level_names_are_the_real_ones() -> None:
    import procflow
    from procflow.engine import Engine as RealEngine
    from procflow.runtime import open_engine

    assert procflow.Engine is RealEngine
    assert procflow.open_engine is open_engine
    assert set(procflow.__all__) >= {"Engine", "Catalogue", "WorkCalendar", "open_engine"}
    with pytest.raises(AttributeError):
        _ = procflow.no_such_name


@pytest.mark.parametrize("read_first", [False, True], ids=["unread", "read"])
def test_a_dossier_fire_returned_copies_pickles_and_replaces_as_a_dossier(
    engine: Engine, clock: VirtualClock, read_first: bool
) -> None:
    """What ``fire`` returns is a Dossier in every way a caller uses one:
    ``dataclasses.replace`` (which calls its class with every field), ``copy``,
    ``deepcopy`` and ``pickle`` give the dossier as that fire left it, read
    or not, and a copy or a pickle is a plain Dossier that keeps no store or
    engine (they hold locks and the calendar's functions)."""
    code = engine.receive(CHILD, actor=DESK).code
    fired = run_to_return(engine, clock, code, TO_RETURN[:1])
    expected = engine.get(code).to_dict()
    if read_first:
        assert fired.state == engine.get(code).state
    run_to_return(engine, clock, code, TO_RETURN[1:2])  # the dossier moves on
    moved = dataclasses.replace(fired, assignee="lan")
    assert type(moved) is type(fired)
    assert {**moved.to_dict(), "assignee": None} == {**expected, "assignee": None}
    assert moved.assignee == "lan"
    for twin in (copy.copy(fired), copy.deepcopy(fired), pickle.loads(pickle.dumps(fired))):
        assert type(twin) is Dossier and twin.to_dict() == expected
        assert twin == fired and fired == twin
        assert not twin != fired  # noqa: SIM202 - != itself is tested
    assert fired.to_dict() == expected
    assert fired != engine.get(code) and engine.get(code) != fired  # it moved on since


def test_a_dossier_fire_returned_equals_what_get_reads_for_the_same_state(
    engine: Engine, clock: VirtualClock
) -> None:
    """``==`` compares a dossier by its fields, whichever act returned it:
    what ``fire`` returned equals what ``get`` reads until the next act,
    both ways round, and an earlier fire's no longer does."""
    code = engine.receive(CHILD, actor=DESK).code
    first = run_to_return(engine, clock, code, TO_RETURN[:1])
    assert first == engine.get(code) and engine.get(code) == first
    assert not first != engine.get(code)  # noqa: SIM202 - != itself is tested
    second = run_to_return(engine, clock, code, TO_RETURN[1:2])
    assert second == engine.get(code) and first != second and second != first
    assert first != "a dossier" and first != None  # noqa: E711 - the comparison itself is tested


def test_a_dossier_fire_returned_reads_as_it_stood_after_that_fire(
    engine: Engine, clock: VirtualClock
) -> None:
    """``fire`` returns a dossier built when first read: read after later
    moves (and after it closed, in a store that lets closed records go), it
    still shows the state that fire left, with the calendar zone's instants."""
    code = engine.receive(CHILD, actor=DESK).code
    first = run_to_return(engine, clock, code, TO_RETURN[:1])
    expected = engine.get(code)  # the state right after the first fire
    last = run_to_return(engine, clock, code, TO_RETURN[1:])
    assert first.version == 2 and first.state == expected.state
    assert first.to_dict() == expected.to_dict()
    assert first.state_entered_at.tzinfo is not None
    assert first.state_entered_at.utcoffset() == timedelta(hours=7)
    assert not last.is_open and last.to_dict() == engine.get(code).to_dict()
