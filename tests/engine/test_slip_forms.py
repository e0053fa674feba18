"""Slips from a real engine on a real SQLite file: the form of the circular in
force on each slip's date, the notice to stop processing, and the unconfirmed
calendar days each date rests on.

Dates, worked by hand on the shipped calendar (vn.yaml):

* Ngày Văn hóa Việt Nam, Tuesday 24/11/2026, is a day off there, marked
  ``confirmed: false`` (Resolution 80-NQ/TW; not yet in the Labour Code).
* The children-under-6 bundle has 3 working days, the day of receipt not
  counted. Received Friday 20/11/2026: Mon 23 (1), Tue 24 off, Wed 25 (2),
  Thu 26 (3) -> due Thursday 26/11 17:00, resting on 24/11. Received
  Wednesday 25/11/2026: Thu 26 (1), Fri 27 (2), Mon 30 (3) -> Monday 30/11,
  resting on nothing unconfirmed.
* Ignoring unconfirmed entries (``include_unconfirmed=False``), 20/11 gives
  Mon 23 (1), Tue 24 (2), Wed 25 (3) -> Wednesday 25/11: still listed, as
  not applied.
* Circular 03/2025/TT-VPCP takes effect on 15/09/2025 (domain notes): a
  receipt on Sunday 14/09/2025 (an online submission) is Form 01 of Circular
  01/2018/TT-VPCP, one on Monday 15/09/2025 Form 01 of Circular 03/2025.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from enginetest import CHILD, DESK, PC, PC_HEAD, ROOT, TO_RETURN, VN

from procflow.calendar import WorkCalendar, load_overlay, national_overlay_path
from procflow.catalogue import Catalogue
from procflow.cli.main import cli
from procflow.engine import Engine, VirtualClock
from procflow.errors import RuleViolation
from procflow.store import SQLiteStore

CULTURE_DAY = date(2026, 11, 24)
OLD, NEW = "01/2018/TT-VPCP", "03/2025/TT-VPCP"


def culture_day_source() -> str:
    """The source the shipped file gives for 24/11/2026 (read, not copied)."""
    return next(
        e.source for e in load_overlay(national_overlay_path()).days if e.date == CULTURE_DAY
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


NOV_20 = datetime(2026, 11, 20, 9, 0, tzinfo=VN)


@pytest.fixture
def clock() -> VirtualClock:
    # Early enough for every test to move it forward to its own dates.
    return VirtualClock(datetime(2025, 9, 1, 8, 0, tzinfo=VN))


def _engine(db: Path, catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock) -> Engine:
    return Engine(SQLiteStore(db), catalogue, calendar, clock)


@pytest.fixture
def engine(
    db: Path, catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock
) -> Iterator[Engine]:
    opened = _engine(db, catalogue, calendar, clock)
    yield opened
    opened.store.close()


def test_a_receipt_over_24_11_2026_lists_that_day_with_its_source(
    engine: Engine, clock: VirtualClock
) -> None:
    clock.set(NOV_20)
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2026, 11, 26, 17, 0, tzinfo=VN)
    assert [u.date for u in slip.unconfirmed_days] == [CULTURE_DAY]
    day = slip.unconfirmed_days[0]
    assert day.source == culture_day_source() and day.applied and not day.working
    data = slip.to_dict()
    assert [d["date"] for d in data["unconfirmed_days"]] == ["2026-11-24"]
    assert data["unconfirmed_days"][0]["source"] == culture_day_source()
    assert (data["form"], data["legal_basis"]) == ("01", NEW)


def test_a_receipt_after_it_lists_nothing(engine: Engine, clock: VirtualClock) -> None:
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2026, 11, 30, 17, 0, tzinfo=VN)
    assert slip.unconfirmed_days == []
    assert slip.to_dict()["unconfirmed_days"] == []


def test_ignoring_unconfirmed_entries_moves_the_date_and_still_lists_the_day(
    db: Path, catalogue: Catalogue, clock: VirtualClock
) -> None:
    clock.set(NOV_20)
    strict = _engine(db, catalogue, WorkCalendar.vietnam(include_unconfirmed=False), clock)
    try:
        slip = strict.receive(CHILD, actor=DESK)
    finally:
        strict.store.close()
    assert slip.appointment == datetime(2026, 11, 25, 17, 0, tzinfo=VN)
    (day,) = slip.unconfirmed_days
    assert day.date == CULTURE_DAY and not day.applied and day.working


@pytest.mark.parametrize(
    ("received", "basis"),
    [
        (datetime(2025, 9, 14, 10, 0, tzinfo=VN), OLD),
        (datetime(2025, 9, 14, 23, 59, tzinfo=VN), OLD),
        (datetime(2025, 9, 15, 0, 0, tzinfo=VN), NEW),
        (datetime(2025, 9, 15, 8, 0, tzinfo=VN), NEW),
    ],
)
def test_the_receipts_form_switches_on_15_september_2025(
    engine: Engine, clock: VirtualClock, received: datetime, basis: str
) -> None:
    clock.set(received)
    slip = engine.receive(CHILD, actor=DESK)
    assert (slip.form, slip.legal_basis) == ("01", basis)


def test_the_apology_is_form_04_with_the_new_title_and_its_unconfirmed_days(
    engine: Engine, clock: VirtualClock
) -> None:
    # Received Thursday 19/11/2026: Fri 20 (1), Mon 23 (2), Wed 25 (3; 24 is off).
    clock.set(datetime(2026, 11, 19, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2026, 11, 25, 17, 0, tzinfo=VN)
    clock.set(datetime(2026, 11, 20, 10, 0, tzinfo=VN))
    apology = engine.apologise(
        slip.code,
        PC_HEAD,
        reason="waiting for the hospital's birth notice",
        new_appointment=datetime(2026, 11, 27, 17, 0, tzinfo=VN),
    )
    assert (apology.form, apology.legal_basis) == ("04", NEW)
    assert apology.form_title == "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    assert [u.date for u in apology.unconfirmed_days] == [CULTURE_DAY]
    assert apology.to_dict()["unconfirmed_days"][0]["source"] == culture_day_source()


def test_an_apology_clear_of_unconfirmed_days_lists_none(
    engine: Engine, clock: VirtualClock
) -> None:
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=VN))
    apology = engine.apologise(
        slip.code, PC_HEAD, reason="late", new_appointment=datetime(2026, 12, 2, 17, tzinfo=VN)
    )
    assert apology.unconfirmed_days == []


def test_the_control_slip_keeps_the_form_of_its_receipt_and_lists_unconfirmed_days(
    engine: Engine, clock: VirtualClock
) -> None:
    # Received Friday 12/09/2025 under Circular 01/2018; shown after 15/09.
    clock.set(datetime(2025, 9, 12, 9, 0, tzinfo=VN))
    old = engine.receive(CHILD, actor=DESK)
    clock.set(datetime(2025, 9, 16, 9, 0, tzinfo=VN))
    engine.fire(old.code, "forward", PC)
    control = engine.control_slip(old.code)
    assert (control.form, control.legal_basis) == ("05", OLD)
    assert control.unconfirmed_days == []

    clock.set(NOV_20)
    new = engine.receive(CHILD, actor=DESK)
    control = engine.control_slip(new.code)
    assert (control.form, control.legal_basis) == ("06", NEW)
    assert [u.date for u in control.unconfirmed_days] == [CULTURE_DAY]
    assert control.to_dict()["unconfirmed_days"][0]["date"] == "2026-11-24"


def test_a_late_step_past_the_unconfirmed_day_brings_it_onto_the_control_slip(
    engine: Engine, clock: VirtualClock
) -> None:
    """Received Monday 16/11/2026: due Thu 19/11, before 24/11. The desk
    forwards it only on Wednesday 25/11: the control slip's hand-over dates
    now reach past 24/11, and the working time counted across it rests on it."""
    clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2026, 11, 19, 17, 0, tzinfo=VN)
    assert slip.unconfirmed_days == []
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    engine.fire(slip.code, "forward", PC)
    assert [u.date for u in engine.control_slip(slip.code).unconfirmed_days] == [CULTURE_DAY]


def test_the_stop_notice_of_a_stopped_dossier(engine: Engine, clock: VirtualClock) -> None:
    clock.set(NOV_20)
    slip = engine.receive(CHILD, actor=DESK, applicant={"name": "Trần Văn Nam"})
    clock.advance(hours=1)
    engine.fire(slip.code, "forward", PC)
    clock.advance(hours=1)
    engine.fire(slip.code, "stop", PC_HEAD, note="the birth was already registered elsewhere")
    notice = engine.stop_notice(slip.code)
    assert notice.cause == "stopped"
    assert notice.reason == "the birth was already registered elsewhere"
    assert notice.step == "birth-registration"
    assert notice.agency == "commune-pc"
    assert notice.signed_by == str(PC_HEAD)
    assert notice.issued_at == datetime(2026, 11, 20, 11, 0, tzinfo=VN)
    assert notice.applicant == {"name": "Trần Văn Nam"}
    assert (notice.form, notice.legal_basis) == ("05", NEW)
    assert notice.form_title == "Thông báo dừng giải quyết hồ sơ"


def test_a_withdrawal_gets_a_notice_too_and_before_03_2025_no_form(
    engine: Engine, clock: VirtualClock
) -> None:
    clock.set(datetime(2025, 9, 10, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    clock.advance(hours=2)
    engine.fire(slip.code, "withdraw", DESK, note="the applicant's written request")
    notice = engine.stop_notice(slip.code)
    assert (notice.cause, notice.step) == ("withdrawn", "reception")
    assert (notice.form, notice.legal_basis) == (None, OLD)


def test_no_stop_notice_for_a_dossier_still_in_progress_or_returned(
    engine: Engine, clock: VirtualClock
) -> None:
    clock.set(NOV_20)
    slip = engine.receive(CHILD, actor=DESK)
    with pytest.raises(RuleViolation, match="neither stopped nor withdrawn"):
        engine.stop_notice(slip.code)
    for trigger, actor in TO_RETURN:
        clock.advance(hours=1)
        engine.fire(slip.code, trigger, actor)
    with pytest.raises(RuleViolation, match=r"\(returned\)"):
        engine.stop_notice(slip.code)


# --- the command line prints them -----------------------------------------------


def _procflow(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cli_prints_the_form_and_the_unconfirmed_day(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    procs = str(ROOT / "procedures")
    lan = ("--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer")
    text = _procflow(
        "dossier", "receive", db, CHILD, *lan, "--at", "2026-11-20T09:00", "--procedures", procs
    )
    assert "Mẫu số 01, Thông tư 03/2025/TT-VPCP" in text
    assert "24/11/2026" in text and culture_day_source() in text.replace("\n", " ")
    code = "COMMUNE-PC-261120-00001"
    data = json.loads(
        _procflow("dossier", "show", db, code, "--procedures", procs, "--format", "json")
    )
    control = data["control_slip"]
    assert (control["form"], control["legal_basis"]) == ("06", NEW)
    assert [d["date"] for d in control["unconfirmed_days"]] == ["2026-11-24"]
    assert "stop_notice" not in data

    minh = ("--actor", "minh", "--agency", "commune-pc", "--role", "leader")
    stopped = _procflow(
        "dossier", "fire", db, code, "stop", *minh, "--note", "duplicate",
        "--at", "2026-11-20T10:00", "--procedures", procs,
    )  # fmt: skip
    assert "Thông báo dừng giải quyết hồ sơ" in stopped and "Mẫu số 05" in stopped
    data = json.loads(
        _procflow("dossier", "show", db, code, "--procedures", procs, "--format", "json")
    )
    assert data["stop_notice"]["cause"] == "stopped"
    assert data["stop_notice"]["reason"] == "duplicate"
    assert data["stop_notice"]["form"] == "05"
