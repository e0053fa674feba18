"""Issue 19, rule 1: an agency is charged its working time across all its steps
against its share of the statutory time, on the control slip and in the
accountability report alike (procflow.model.shares).

Office hours 07:30-11:30 and 13:30-17:00: a working day is 27,000 s (7.5 h).
The under-6 bundle (procedures/lien-thong/child-under-6.yaml) gives each of
its three agencies a share of 1 working day (27,000 s); the commune police
hold ``residence`` (allotted 0.75 day, 20,250 s) and ``to-insurance`` (0.25
day, 6,750 s).

The held-out dossier, received Tuesday 3 March 2026 at 08:00 (due Friday 6
March, 17:00: 3 working days, the day of receipt not counted):

* the desk: reception 08:00-08:30, birth-registration -10:00, to-police
  -10:30: 1,800 + 5,400 + 1,800 = 9,000 s;
* the police receive it Tuesday 10:30. ``residence``'s own due instant is
  10:30 + 20,250 s of office time = Wednesday 08:37:30 (1 h to 11:30, 3.5 h
  to 17:00, 1 h 7 min 30 s from 07:30).
  - Case *net over-run*: they register Wednesday 11:00 (Tuesday 16,200 s +
    Wednesday 07:30-11:00 12,600 s = 28,800 s; the step is late by 08:37:30
    -> 11:00 = 8,550 s) and send Wednesday 11:15 (900 s of a 6,750 s
    allotment). Their use: 29,700 s against 27,000: charged 2,700 s (0.75 h),
    not the step's 8,550 s. Late as an agency: 1.1 days is 2 days begun.
  - Case *saved on the next step*: they register Wednesday 10:00 (16,200 +
    9,000 = 25,200 s; the step is late by 4,950 s) and send Wednesday 10:15
    (900 s). Their use: 26,100 s, within the share: charged nothing, on time.
* social insurance takes it when the police send it and issues the card
  Wednesday 14:15, sending it back to the desk at 14:30: from 11:15, 900 +
  2,700 + 900 = 4,500 s (from 10:15, 4,500 + 2,700 + 900 = 8,100 s);
* the desk hands the result over Thursday 09:00: the dossier is early (ready
  Wednesday 14:30), and the return step is the applicant's time, no agency's.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from enginetest import BHXH, CHILD, DESK, PC, POLICE, VN, load
from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.model.dossier import Timeliness
from procflow.model.shares import ShareTerms, agency_use, classify_use
from procflow.reports import build_report
from procflow.store import SQLiteStore

DAY = 27000.0


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


def _engine(tmp_path: Path, procedure: Procedure) -> tuple[Engine, VirtualClock]:
    clock = VirtualClock(at(3, 8))
    catalogue = Catalogue([compile_procedure(procedure)])
    store = SQLiteStore(tmp_path / "shares.db")
    return Engine(store, catalogue, WorkCalendar.vietnam(), clock), clock


def _run_bundle(engine: Engine, clock: VirtualClock, register: datetime) -> str:
    """The held-out dossier: the police register at ``register`` and send 15
    minutes later; social insurance and the desk as in the module's story."""
    code = engine.receive(CHILD, actor=DESK).code
    steps: list[tuple[datetime, str, Actor]] = [
        (at(3, 8, 30), "forward", DESK),
        (at(3, 10), "register", PC),
        (at(3, 10, 30), "send", PC),
        (register, "register", POLICE),
        (register.replace(minute=register.minute + 15), "send", POLICE),
        (at(4, 14, 15), "issue", BHXH),
        (at(4, 14, 30), "send", BHXH),
        (at(5, 9), "hand_over", DESK),
    ]
    for when, trigger, actor in steps:
        clock.set(when)
        engine.fire(code, trigger, actor)
    return code


@pytest.mark.parametrize(
    ("register", "used", "charged", "step_late", "timeliness"),
    [
        (at(4, 11), 29700.0, 2700.0, 8550.0, Timeliness.LATE),
        (at(4, 10), 26100.0, 0.0, 4950.0, Timeliness.ON_TIME),
    ],
    ids=["net-over-run", "saved-on-the-next-step"],
)
def test_an_agency_is_charged_its_net_over_run_on_the_slip_and_in_the_report(
    tmp_path: Path,
    register: datetime,
    used: float,
    charged: float,
    step_late: float,
    timeliness: Timeliness,
) -> None:
    procedure = load("procedures/lien-thong/child-under-6.yaml")
    engine, clock = _engine(tmp_path, procedure)
    code = _run_bundle(engine, clock, register)
    slip = engine.control_slip(code)

    police = next(a for a in slip.agencies if a.agency == "commune-police")
    assert (police.steps, police.used_seconds, police.share_seconds) == (2, used, DAY)
    assert (police.overrun_seconds, police.timeliness) == (charged, timeliness)
    assert (police.share_from, police.by_day, police.holding) == ("share", True, False)
    # The step figure stays, as an internal target: residence alone ran over.
    residence = next(r for r in slip.rows if r.step == "residence")
    assert residence.timeliness is Timeliness.LATE
    assert residence.late_working_hours == round(step_late / 3600, 4)
    assert slip.per_agency["commune-police"]["late_hours"] == round(step_late / 3600, 4)
    # The desk: 9,000 s before the hand-off; its return step is not its time.
    desk = next(a for a in slip.agencies if a.agency == "commune-pc")
    assert (desk.steps, desk.used_seconds, desk.overrun_seconds) == (3, 9000.0, 0.0)
    # Social insurance: Wednesday 11:15 (or 10:15) -> 14:15, and 14:15 -> 14:30.
    si = next(a for a in slip.agencies if a.agency == "social-insurance")
    assert si.used_seconds == engine.calendar.working_seconds_between(
        register.replace(minute=register.minute + 15), at(4, 14, 30)
    )
    assert [a.agency for a in slip.agencies] == ["commune-pc", "commune-police", "social-insurance"]

    # The accountability report charges the same figure, dossier by dossier
    # and summed, from the store it reads (not from the engine).
    report = build_report(
        engine.store,
        calendar=engine.calendar,
        procedures=[procedure],
        per_dossier=True,
        now=at(31, 12),
    )
    row = report.accountability.dossiers[code]["agencies"]
    assert row == {a.agency: a.to_dict() for a in slip.agencies}
    account = report.accountability.agencies["commune-police"]
    assert (account.share_used_seconds, account.share_overrun_seconds) == (used, charged)
    assert account.share_late == (1 if timeliness is Timeliness.LATE else 0)
    assert account.late_seconds == step_late  # the per-step figure, unchanged
    data = report.accountability.to_dict()
    police_row = next(a for a in data["agencies"] if a["agency"] == "commune-police")
    assert police_row["share_overrun_seconds"] == charged
    assert police_row["share_days"] == 1.0
    # Scoring judges the police's part by its share too (a step was late in both).
    score = report.scores.by_agency["commune-police"]
    assert (score.late, score.on_time) == ((1, 0) if charged else (0, 1))
    # The dossier itself: ready Wednesday 14:30, handed over Thursday: early.
    assert engine.get(code).timeliness is Timeliness.EARLY


TWO_AGENCIES = """
procflow: 1
id: test.no-shares
version: "1"
name: {vi: Thủ tục thử không chia thời gian}
legal_basis: [{number: test}]
time_limit: 5 working days
agencies:
  - {id: desk, name: {vi: Bộ phận một cửa}, desk: true}
  - {id: office, name: {vi: Phòng chuyên môn}}
steps:
  - {id: reception, name: {vi: Tiếp nhận}, kind: reception, agency: desk,
     time: 0.5 working days, outcomes: {forward: work}}
  - id: work
    name: {vi: Xử lý}
    kind: processing
    agency: office
    time: 1 working days
    outcomes:
      done: [{to: inspect, when: needs_inspection}, {to: check}]
  - {id: inspect, name: {vi: Kiểm tra thực địa}, kind: review, agency: office,
     time: 2 working days, outcomes: {done: check}}
  - {id: check, name: {vi: Kiểm tra}, kind: review, agency: office,
     time: 0.5 working days, outcomes: {send: return}}
  - {id: return, name: {vi: Trả kết quả}, kind: return, agency: desk,
     time: 0.5 working days, outcomes: {hand_over: returned}}
"""


def test_without_a_share_an_agency_has_the_sum_of_the_steps_it_held(tmp_path: Path) -> None:
    """No ``share`` in the procedure: the office's is the allotments of the steps
    it held in this dossier (work 1 day + check 0.5 day = 40,500 s), not of the
    inspection it never did; 1.5 days is judged by the second."""
    procedure = Procedure.model_validate(yaml.safe_load(TWO_AGENCIES))
    engine, clock = _engine(tmp_path, procedure)
    desk, office = Actor("lan", "desk"), Actor("mai", "office")
    code = engine.receive("test.no-shares", actor=desk).code
    # Tue 08:00 -> 09:00 reception; work Tue 09:00 -> Wed 15:00 (9,000 + 12,600
    # Tue, 14,400 + 5,400 Wed = 41,400 s); check Wed 15:00 -> 16:00 (3,600 s).
    for when, trigger, actor in [
        (at(3, 9), "forward", desk),
        (at(4, 15), "done", office),
        (at(4, 16), "send", office),
    ]:
        clock.set(when)
        engine.fire(code, trigger, actor)
    slip = engine.control_slip(code)
    office_use = next(a for a in slip.agencies if a.agency == "office")
    assert (office_use.share_from, office_use.share_seconds) == ("steps", 40500.0)
    assert office_use.used_seconds == 45000.0
    assert (office_use.overrun_seconds, office_use.timeliness) == (4500.0, Timeliness.LATE)
    assert office_use.by_day is False
    # The desk held only the reception (its return step is the applicant's wait).
    desk_use = next(a for a in slip.agencies if a.agency == "desk")
    assert (desk_use.share_seconds, desk_use.used_seconds) == (13500.0, 3600.0)
    assert desk_use.timeliness is Timeliness.ON_TIME
    # The dossier waits at the desk: ready, not handed over.
    assert slip.ready_at == at(4, 16) and slip.returned_at is None
    assert slip.ready_by_due is True and slip.collection_seconds is None


def test_a_share_in_calendar_days_is_not_judged_and_scoring_falls_back(tmp_path: Path) -> None:
    """Calendar days are not working time: no share figure, no timeliness; the
    report scores that agency by its steps, as without the procedure."""
    data: dict[str, Any] = yaml.safe_load(TWO_AGENCIES)
    data["time_limit"] = "10 calendar days"
    data["agencies"][1]["share"] = "6 calendar days"
    for step in data["steps"]:
        step["time"] = "2 calendar days"
    procedure = Procedure.model_validate(data)
    engine, clock = _engine(tmp_path, procedure)
    desk, office = Actor("lan", "desk"), Actor("mai", "office")
    code = engine.receive("test.no-shares", actor=desk).code
    for when, trigger, actor in [
        (at(3, 9), "forward", desk),
        (at(4, 15), "done", office),
        (at(4, 16), "send", office),
        (at(5, 9), "hand_over", desk),
    ]:
        clock.set(when)
        engine.fire(code, trigger, actor)
    slip = engine.control_slip(code)
    office_use = next(a for a in slip.agencies if a.agency == "office")
    assert office_use.share_seconds is None and office_use.timeliness is None
    assert office_use.share_from is None and office_use.overrun_seconds == 0.0
    report = build_report(engine.store, calendar=engine.calendar, procedures=[procedure])
    account = report.accountability.agencies["office"]
    assert account.share_dossiers == 0 and report.accountability.share_dossiers == 1
    # work and check were both within their 2 calendar days: early by its steps.
    assert report.scores.by_agency["office"].early == 1


def test_a_slip_without_its_procedure_file_still_lists_every_step(tmp_path: Path) -> None:
    """A catalogue without the dossier's version: the slip keeps its rows and
    leaves the share figures out instead of failing."""
    procedure = load("procedures/lien-thong/child-under-6.yaml")
    engine, clock = _engine(tmp_path, procedure)
    code = _run_bundle(engine, clock, at(4, 10))
    other = Engine(
        engine.store,
        Catalogue([compile_procedure(Procedure.model_validate(yaml.safe_load(TWO_AGENCIES)))]),
        engine.calendar,
    )
    slip = other.control_slip(code)
    assert len(slip.rows) == 8 and slip.agencies == [] and slip.ready_at is None
    report = build_report(engine.store, calendar=engine.calendar, now=at(31, 12))
    assert report.accountability.unknown_procedure == 1
    assert report.accountability.share_dossiers == 0


# --- the rule as a property ---------------------------------------------------

seconds = st.floats(min_value=0, max_value=20 * DAY, allow_nan=False)


@given(used=seconds, days=st.integers(min_value=0, max_value=10))
def test_judged_by_day_or_by_the_second_a_whole_day_share_agrees(used: float, days: int) -> None:
    """For a share in whole days, counting the working days begun and comparing
    the seconds give the same class and the same charge; late exactly when
    something is charged."""
    share = days * DAY
    by_day, charge = classify_use(used, share, True, DAY)
    by_second, charge2 = classify_use(used, share, False, DAY)
    assert (by_day, charge) == (by_second, charge2)
    assert (by_day is Timeliness.LATE) == (charge > 0)
    # Away from the boundaries, the days begun tell the same story.
    if abs(used - share) > 1e-3 and abs(share - used - DAY) > 1e-3:
        begun = math.ceil(used / DAY) if used > 0 else 0
        expected = "late" if begun > days else "on_time" if begun == days else "early"
        assert by_day.value == expected
    assert charge == pytest.approx(max(0.0, used - share), abs=1e-6)
    if by_day is Timeliness.EARLY:
        assert share - used >= DAY - 1e-3


@settings(max_examples=60)
@given(
    parts=st.lists(st.integers(min_value=0, max_value=40000), min_size=1, max_size=6),
    cut=st.integers(min_value=0, max_value=40000),
)
def test_how_an_agency_splits_its_time_between_steps_does_not_change_its_charge(
    parts: list[int], cut: int
) -> None:
    """The charge is the net of the agency's steps: splitting one stay into two
    (one step over its allotment, the next under) charges the same."""
    terms = ShareTerms.of(load("procedures/lien-thong/child-under-6.yaml"), DAY)

    def dossier(used: list[int]) -> dict[str, Any]:
        visits = [
            {
                "step": "residence" if i % 2 == 0 else "to-insurance",
                "agency": "commune-police",
                "left_at": "2026-03-04T10:00:00+07:00",
                "used_seconds": float(u),
                "late_seconds": 0.0,
            }
            for i, u in enumerate(used)
        ]
        return {"visits": visits, "status": "closed"}

    split = [*parts[:-1], min(cut, parts[-1]), parts[-1] - min(cut, parts[-1])]
    one = agency_use(dossier(parts), terms)["commune-police"]
    two = agency_use(dossier(split), terms)["commune-police"]
    assert (one.used_seconds, one.overrun_seconds, one.timeliness) == (
        two.used_seconds,
        two.overrun_seconds,
        two.timeliness,
    )
    assert one.overrun_seconds == max(0.0, sum(parts) - DAY)
