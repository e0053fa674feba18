"""Several calendars in one engine (issue 22, part 5), on every store.

A district's one-stop desk in a province with a local day off, and a tax
office that keeps other office hours:

* ``province``: the national calendar plus a local day off on Thursday
  5 March 2026 (office hours as the nation's: 07:30-11:30, 13:30-17:00,
  a working day of 7.5 h);
* ``long-hours``: the national calendar with office hours 08:00-12:00,
  13:00-17:00 (a working day of 8 h) and no local day off.

The procedure names ``calendar: province`` (the desk's) and the tax office
``calendar: long-hours``; the district people's committee names none, so it
works on the procedure's. Every date below is worked out by hand on those
rules (the calendar's: the day a period starts from does not count; a period
counted from a day off starts on the next working day, which does not count
either).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from enginetest import VN, procflow

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.engine.calendars import UnknownCalendar
from procflow.errors import CalendarError, ProcflowError
from procflow.store import Store
from procflow.versions.recalc import recalc

PERMIT = "test.calendars.permit"
WATCHED = "test.calendars.watched"

DESK = Actor("lan", "district-pc", "desk-officer")
HEAD = Actor("minh", "district-pc", "leader")
TAX = Actor("an", "tax-office")

PROVINCE_FILE = """\
version: 1
name: Test province
years:
  2026:
    days_off:
      - date: 2026-03-05
        name: Local commemoration (test)
        source: test decision 1/QD-UBND
        confirmed: true
"""

LONG_HOURS_FILE = """\
version: 1
name: Tax office hours
office_hours: ["08:00-12:00", "13:00-17:00"]
"""


def procedure(pid: str = PERMIT, *, step_warning: bool = False) -> dict[str, Any]:
    """A two-agency permit: reception at the district desk, assessment at the tax
    office (share: one working day), signing at the district, return."""
    assessment: dict[str, Any] = {
        "id": "assessment",
        "name": {"vi": "Chi cục thuế thẩm định"},
        "kind": "review",
        "agency": "tax-office",
        "time": "12 working hours",
        "outcomes": {"approve": "signing"},
    }
    if step_warning:
        assessment["warning"] = "5 working hours"
    return {
        "procflow": 1,
        "id": pid,
        "version": "2026-01",
        "name": {"vi": "Cấp phép thử"},
        "legal_basis": [{"number": "118/2025/NĐ-CP", "date": "2025-06-09"}],
        "time_limit": "3 working days",
        "calendar": "province",
        "agencies": [
            {"id": "district-pc", "name": {"vi": "UBND huyện"}, "desk": True},
            {
                "id": "tax-office",
                "name": {"vi": "Chi cục thuế"},
                "calendar": "long-hours",
                "share": "1 working days",
            },
        ],
        "steps": [
            {
                "id": "reception",
                "name": {"vi": "Tiếp nhận"},
                "kind": "reception",
                "agency": "district-pc",
                "role": "desk-officer",
                "time": "3 working hours",
                "outcomes": {"forward": "assessment", "request_supplement": "supplement"},
            },
            {
                "id": "supplement",
                "name": {"vi": "Bổ sung hồ sơ"},
                "kind": "applicant",
                "agency": "district-pc",
                "clock": "pause",
                "outcomes": {"resubmit": "reception"},
            },
            assessment,
            {
                "id": "signing",
                "name": {"vi": "Ký"},
                "kind": "approval",
                "agency": "district-pc",
                "role": "leader",
                "time": "1 working days",
                "outcomes": {"sign": "return"},
            },
            {
                "id": "return",
                "name": {"vi": "Trả kết quả"},
                "kind": "return",
                "agency": "district-pc",
                "role": "desk-officer",
                "outcomes": {"hand_over": "returned"},
            },
        ],
    }


def at(d: int, h: int, mi: int = 0) -> datetime:
    """An instant in March 2026, Viet Nam time."""
    return datetime(2026, 3, d, h, mi, tzinfo=VN)


@pytest.fixture(scope="module")
def calendar_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("calendars")
    files = {"province": folder / "province.yaml", "long-hours": folder / "long-hours.yaml"}
    files["province"].write_text(PROVINCE_FILE, encoding="utf-8")
    files["long-hours"].write_text(LONG_HOURS_FILE, encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def named(calendar_files: dict[str, Path]) -> dict[str, WorkCalendar]:
    return {name: WorkCalendar.vietnam([path]) for name, path in calendar_files.items()}


@pytest.fixture(scope="module")
def permits() -> Catalogue:
    return Catalogue(
        [
            compile_procedure(Procedure.model_validate(procedure())),
            compile_procedure(Procedure.model_validate(procedure(WATCHED, step_warning=True))),
        ]
    )


@pytest.fixture
def desk(
    store: Store, permits: Catalogue, calendar: WorkCalendar, named: dict[str, WorkCalendar]
) -> Iterator[tuple[Engine, VirtualClock]]:
    # Tuesday 3 March 2026, 08:00.
    clock = VirtualClock(at(3, 8))
    yield Engine(store, permits, calendar, clock, calendars=named), clock


def test_each_figure_follows_its_own_calendar(desk: tuple[Engine, VirtualClock]) -> None:
    engine, clock = desk
    slip = engine.receive(PERMIT, actor=DESK, applicant={"name": "Trần Văn Bình"})
    code = slip.code
    # Statutory 3 working days on the desk's (province) calendar, from Tue 3
    # 08:00 (a working instant: the clock starts then). Tue 3 does not count:
    # Wed 4 (1), Thu 5 is the province's day off, Fri 6 (2), Mon 9 (3).
    # (On the national calendar alone it would be Fri 6, 17:00.)
    assert slip.appointment == at(9, 17)
    dossier = engine.get(code)
    assert dossier.due_at == at(9, 17)
    # Reception, 3 working hours on the district's calendar (the procedure's):
    # 08:00-11:00, before the lunch break at 11:30.
    assert dossier.visits[0].due_at == at(3, 11)

    clock.set(at(3, 10))
    engine.fire(code, "forward", DESK)
    dossier = engine.get(code)
    # Used at reception: 08:00-10:00, 2 h (province hours).
    assert dossier.visits[0].used_seconds == 2 * 3600
    # Assessment: 12 working hours on the tax office's hours from Tue 10:00:
    # Tue 10:00-12:00 and 13:00-17:00 (6 h), Wed 08:00-12:00 (10 h), 13:00-15:00:
    # Wed 15:00. (On national hours: 5 h on Tue, 4 h Wed morning, then
    # 13:30-16:30: Wed 16:30.)
    assert dossier.visits[1].due_at == at(4, 15)

    # Thu 5, 10:00: the province's day off, an ordinary day for the tax office.
    clock.set(at(5, 10))
    engine.fire(code, "approve", TAX)
    dossier = engine.get(code)
    assessment = dossier.visits[1]
    # Its working time on its own hours: Tue 10:00-12:00 (2 h) + 13:00-17:00
    # (4 h), Wed 8 h, Thu 08:00-10:00 (2 h) = 16 h. On the province's hours it
    # would be 1.5 + 3.5 + 7.5 + 0 (Thu off) = 12.5 h.
    assert assessment.used_seconds == 16 * 3600
    # Late past Wed 15:00 by Wed 15:00-17:00 and Thu 08:00-10:00: 4 h.
    assert assessment.late_seconds == 4 * 3600
    assert assessment.timeliness is not None and assessment.timeliness.value == "late"
    # Signing: 1 working day on the province calendar from Thu 10:00, a day
    # off there: the period starts on Fri 6, which does not count; Mon 9.
    assert dossier.visits[2].due_at == at(9, 17)

    clock.set(at(6, 10))
    engine.fire(code, "sign", HEAD)
    clock.set(at(6, 14))
    engine.fire(code, "hand_over", DESK)
    dossier = engine.get(code)
    # Signing used Thu 5 (off) 0 + Fri 07:30-10:00 2.5 h, on province hours.
    assert dossier.visits[2].used_seconds == 2.5 * 3600
    # Handed over Fri 6, before the due date Mon 9: early.
    assert dossier.outcome == "returned"
    assert dossier.timeliness is not None and dossier.timeliness.value == "early"

    control = engine.control_slip(code)
    assert control.statutory_calendar == "province"
    assert control.calendars == {"district-pc": "province", "tax-office": "long-hours"}
    assert [r.calendar for r in control.rows] == ["province", "long-hours", "province", "province"]
    uses = {a.agency: a for a in control.agencies}
    tax = uses["tax-office"]
    # Its share, 1 working day, is a day of its own hours: 8 h. Used 16 h:
    # 8 h over, late.
    assert tax.share_seconds == 8 * 3600
    assert tax.used_seconds == 16 * 3600
    assert tax.overrun_seconds == 8 * 3600
    assert tax.timeliness is not None and tax.timeliness.value == "late"
    district = uses["district-pc"]
    # No share: the sum of its steps' time, on province days (7.5 h):
    # reception 3 h + signing 7.5 h = 10.5 h; used 2 h + 2.5 h = 4.5 h, 6 h
    # to spare (less than a working day of 7.5 h): on time.
    assert district.share_seconds == 10.5 * 3600
    assert district.used_seconds == 4.5 * 3600
    assert district.timeliness is not None and district.timeliness.value == "on_time"
    plain = control.to_dict()
    assert plain["calendars"] == {"district-pc": "province", "tax-office": "long-hours"}
    assert plain["statutory_calendar"] == "province"

    # The log alone gives the same state, and the chain holds.
    assert engine.replay(code).to_dict() == engine.get(code).to_dict()
    assert engine.verify([code]).ok


def test_a_pause_moves_the_due_date_on_the_desks_calendar(
    desk: tuple[Engine, VirtualClock], calendar: WorkCalendar
) -> None:
    engine, clock = desk
    code = engine.receive(PERMIT, actor=DESK).code  # Tue 3, 08:00: due Mon 9, 17:00
    waiting = engine.receive(PERMIT, actor=DESK).code  # the same, left at reception
    clock.set(at(4, 8))
    engine.fire(code, "request_supplement", DESK, missing=["Bản sao giấy tờ đất"])
    clock.set(at(6, 8))
    engine.fire(code, "resubmit", DESK)
    dossier = engine.get(code)
    # Paused Wed 4 08:00 - Fri 6 08:00 on the province calendar: Wed 08:00-11:30
    # and 13:30-17:00 (7 h), Thu off, Fri 07:30-08:00 (0.5 h) = 7.5 h, one
    # working day: the due date moves one working day, Mon 9 -> Tue 10. (On
    # the national calendar alone: due Fri 6, paused 15 h, two days: Tue 10
    # too, by another road.)
    assert dossier.due_at == at(10, 17)
    assert dossier.paused_seconds == 7.5 * 3600
    assert engine.replay(code).to_dict() == dossier.to_dict()
    assert engine.verify([code]).ok
    # Recomputed from the logs on the calendars the procedure names, nothing
    # moves. On the national calendar alone the dossier left waiting since
    # Tue 3 moves back to Fri 6 (Thu 5 is worked there); the paused one,
    # Tue 10 either way, does not.
    assert recalc(engine).changes == []
    national = recalc(engine, calendar).changes
    assert [(c.code, c.due_after) for c in national] == [(waiting, at(6, 17))]


def test_warnings_follow_the_dossiers_and_the_steps_calendars(
    desk: tuple[Engine, VirtualClock],
) -> None:
    engine, clock = desk
    code = engine.receive(WATCHED, actor=DESK).code  # due Mon 9, 17:00 (province)
    clock.set(at(3, 10))
    engine.fire(code, "forward", DESK)  # assessment due Wed 4, 15:00 (long-hours)

    def alerts(now: datetime) -> list[tuple[str, str]]:
        return [(e.type.value, e.data["scope"]) for e in engine.sweep(now) if e.code == code]

    # The step's warning, 5 working hours before Wed 15:00 on the tax office's
    # hours: 13:00-15:00 is 2 h, then 09:00-12:00 the other 3: Wed 09:00.
    # (On the national hours 5 h before the same instant would be Tue 16:30.)
    assert alerts(at(4, 8, 59)) == []
    assert alerts(at(4, 9)) == [("warned", "step")]
    # The dossier's warning, the engine's 8 working hours before Mon 9 17:00 on
    # the province calendar: Mon 07:30-17:00 is 7.5 h, the last 0.5 h is Fri
    # 16:30-17:00 (Thu 5 is off there): Fri 6, 16:30.
    assert alerts(at(6, 16, 29)) == [("overdue", "step")]
    assert alerts(at(6, 16, 30)) == [("warned", "dossier")]
    assert engine.verify([code]).ok


def test_a_procedure_naming_a_calendar_the_engine_lacks_is_refused(
    store: Store, permits: Catalogue, calendar: WorkCalendar, named: dict[str, WorkCalendar]
) -> None:
    engine = Engine(
        store, permits, calendar, VirtualClock(at(3, 8)), calendars={"province": named["province"]}
    )
    with pytest.raises(UnknownCalendar) as refused:
        engine.receive(PERMIT, actor=DESK)
    message = str(refused.value)
    assert PERMIT in message
    assert "'long-hours'" in message
    assert "agencies: tax-office" in message
    assert "--calendar long-hours=FILE" in message
    assert isinstance(refused.value, ProcflowError)
    assert list(store.codes()) == []  # nothing written


def test_calendar_names_are_checked(calendar: WorkCalendar, named: dict[str, WorkCalendar]) -> None:
    from procflow.store import MemoryStore

    with pytest.raises(CalendarError, match="lower-case id"):
        Engine(MemoryStore(), Catalogue([]), calendar, calendars={"Hà Nội": named["province"]})
    with pytest.raises(CalendarError, match="default calendar"):
        Engine(MemoryStore(), Catalogue([]), calendar, calendars={"vn": named["province"]})


def test_a_calendar_in_another_time_zone_is_refused(
    tmp_path: Path, calendar: WorkCalendar, permits: Catalogue
) -> None:
    from procflow.store import MemoryStore

    other = tmp_path / "elsewhere.yaml"
    other.write_text("version: 1\nname: Elsewhere\ntimezone: Asia/Tokyo\n", encoding="utf-8")
    cals = {"province": WorkCalendar.vietnam([other]), "long-hours": calendar}
    engine = Engine(MemoryStore(), permits, calendar, VirtualClock(at(3, 8)), calendars=cals)
    with pytest.raises(CalendarError, match="time zone"):
        engine.receive(PERMIT, actor=DESK)


def test_unnamed_procedures_run_on_the_default_calendar(
    store: Store, catalogue: Catalogue, calendar: WorkCalendar, named: dict[str, WorkCalendar]
) -> None:
    """A procedure that names no calendar is untouched by the engine's named
    ones: same due date as an engine without them; its slip names "vn"."""
    from enginetest import CHILD
    from enginetest import DESK as COMMUNE_DESK

    engine = Engine(store, catalogue, calendar, VirtualClock(at(3, 8)), calendars=named)
    slip = engine.receive(CHILD, actor=COMMUNE_DESK)
    # Child-under-6: 3 working days from Tue 3 on the national calendar
    # (Thursday 5 is worked there): Fri 6, 17:00.
    assert slip.appointment == at(6, 17)
    control = engine.control_slip(slip.code)
    assert control.statutory_calendar == "vn"
    assert control.calendars is not None and set(control.calendars.values()) == {"vn"}


def test_the_command_line_names_calendars(tmp_path: Path, calendar_files: dict[str, Path]) -> None:
    """``--calendar NAME=FILE`` gives the engine a named calendar (a file laid
    over the national one); without it the procedure is refused, clearly."""
    folder = tmp_path / "procedures"
    folder.mkdir()
    (folder / "permit.yaml").write_text(yaml.safe_dump(procedure(), allow_unicode=True))
    db = str(tmp_path / "desk.db")
    common = ["--procedures", str(folder), "--at", "2026-03-03T08:00:00+07:00"]
    actor = ["--agency", "district-pc", "--role", "desk-officer", "--actor", "lan"]

    missing = procflow(
        "dossier", "receive", db, PERMIT, *actor, *common,
        "--calendar", f"province={calendar_files['province']}",
        cwd=tmp_path,
    )  # fmt: skip
    assert missing.returncode != 0
    assert "'long-hours'" in missing.stderr
    assert "--calendar long-hours=FILE" in missing.stderr
    assert "Traceback" not in missing.stderr

    done = procflow(
        "dossier", "receive", db, PERMIT, *actor, *common, "--format", "json",
        "--calendar", f"province={calendar_files['province']}",
        "--calendar", f"long-hours={calendar_files['long-hours']}",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    import json

    receipt = json.loads(done.stdout)
    # 3 working days from Tue 3 on the province calendar: Mon 9 (see above).
    assert receipt["appointment"].startswith("2026-03-09T17:00")

    named = [
        "--procedures", str(folder),
        "--calendar", f"province={calendar_files['province']}",
        "--calendar", f"long-hours={calendar_files['long-hours']}",
    ]  # fmt: skip
    shown = procflow(
        "dossier", "show", db, receipt["code"], *named, "--format", "json", cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    control = json.loads(shown.stdout)["control_slip"]
    assert control["statutory_calendar"] == "province"
    assert control["calendars"] == {"district-pc": "province", "tax-office": "long-hours"}
    text = procflow("dossier", "show", db, receipt["code"], *named, cwd=tmp_path)
    assert "tax-office: long-hours" in text.stdout


def test_the_apology_lead_is_counted_on_the_desks_calendar(
    store: Store, calendar: WorkCalendar, named: dict[str, WorkCalendar]
) -> None:
    """``rules.apology_lead_days`` counts on the calendar the due date is
    counted on (the procedure's), not the engine's default one.

    Received Monday 2 March 08:00 on the province calendar (Thu 5 off): Tue 3,
    Wed 4, Fri 6 -> due Friday 6 March. With a lead of 2 working days, an
    apology on Wednesday 4 must reach the due date: Wed 4 + 2 working days is
    Fri 6 on the national calendar (allowed there) but Mon 9 on the
    province's (Thu 5 is off): too late.
    """
    from procflow.errors import RuleViolation

    data = procedure("test.calendars.apology")
    data["rules"] = {"apology_lead_days": 2}
    catalogue = Catalogue([compile_procedure(Procedure.model_validate(data))])
    clock = VirtualClock(at(2, 8))
    engine = Engine(store, catalogue, calendar, clock, calendars=named)
    early, late = (engine.receive("test.calendars.apology", actor=DESK).code for _ in "ab")
    assert engine.get(late).due_at == at(6, 17)
    clock.set(at(3, 10))  # Tue 3 + 2 working days: Wed 4, Fri 6: in time
    slip = engine.apologise(early, HEAD, reason="chờ xác minh", new_appointment=at(10, 17))
    assert slip.statutory_due == at(6, 17)
    clock.set(at(4, 10))
    with pytest.raises(RuleViolation, match="at least 2 working day"):
        engine.apologise(late, HEAD, reason="chờ xác minh", new_appointment=at(10, 17))
    assert engine.get(late).apologies == 0
