"""Issue 19, rule 3 (reporting): the control slip and the report show both
instants of a result, when it was ready at the desk and when it was handed
over, and the applicant's time to collect it is charged to no agency.

A 3-working-day procedure received on Tuesday 3 March 2026 at 08:00 is due
on Friday 6 March at 17:00 (the day of receipt not counted; no holiday in
March 2026). Office hours 07:30-11:30 and 13:30-17:00 (27,000 s a day).

* The desk receives it and forwards it at 09:00 (3,600 s of its 1-day share).
* The office processes it from Tuesday 09:00 to Thursday 5 March 09:00:
  Tuesday 9,000 + 12,600, Wednesday 27,000, Thursday 5,400 = 54,000 s,
  exactly its 2-day share: on time, charged nothing.
* The result reaches the return step Thursday 09:00 (*ready*); the applicant
  collects it Monday 9 March at 09:00 (*returned*), after the due date.
  Collection: Thursday 09:00-17:00 21,600 + Friday 27,000 + Monday
  07:30-09:00 5,400 = 54,000 s (2 working days), charged to no agency.
* With ``rules.result_counts: ready`` (the default) the dossier is early
  (ready Thursday, due Friday); with ``returned`` it is late, and the report
  finds no agency over its share: the lateness is the applicant's collection.
  Under ``ready`` the return step, left after its own 0.5-day allotment, is
  not judged (its row has no timeliness and no late time: the wait is the
  applicant's); under
  ``returned`` the hand-over counts, and the row shows late.
"""

from __future__ import annotations

import json
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
from procflow.model.dossier import Timeliness
from procflow.reports import build_report
from procflow.store import SQLiteStore

PROCEDURE = """
procflow: 1
id: test.collection
version: "1"
name: {vi: Thủ tục thử nhận kết quả muộn, en: Late collection test}
legal_basis: [{number: 118/2025/NĐ-CP, title: Nghị định một cửa, date: 2025-06-09}]
time_limit: 3 working days
agencies:
  - {id: desk, name: {vi: Bộ phận một cửa}, desk: true, share: 1 working days}
  - {id: office, name: {vi: Phòng chuyên môn}, share: 2 working days}
steps:
  - {id: reception, name: {vi: Tiếp nhận}, kind: reception, agency: desk,
     time: 0.5 working days, outcomes: {forward: processing}}
  - {id: processing, name: {vi: Giải quyết}, kind: processing, agency: office,
     time: 2 working days, outcomes: {finish: return}}
  - {id: return, name: {vi: Trả kết quả}, kind: return, agency: desk,
     time: 0.5 working days, outcomes: {hand_over: returned}}
"""

DESK = Actor("lan", "desk", "officer")
OFFICE = Actor("mai", "office", "officer")
DAY = 27000.0


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


def _procedure(rule: str | None) -> Procedure:
    data: dict[str, Any] = yaml.safe_load(PROCEDURE)
    if rule is not None:
        data["rules"] = {"result_counts": rule}
    return Procedure.model_validate(data)


def _run(db: Path, procedure: Procedure, hand_over: datetime) -> tuple[Engine, str]:
    clock = VirtualClock(at(3, 8))
    catalogue = Catalogue([compile_procedure(procedure)])
    engine = Engine(SQLiteStore(db), catalogue, WorkCalendar.vietnam(), clock)
    code = engine.receive("test.collection", actor=DESK).code
    for when, trigger, actor in [
        (at(3, 9), "forward", DESK),
        (at(5, 9), "finish", OFFICE),
        (hand_over, "hand_over", DESK),
    ]:
        clock.set(when)
        engine.fire(code, trigger, actor)
    return engine, code


@pytest.mark.parametrize(
    ("rule", "timeliness"),
    [(None, Timeliness.EARLY), ("ready", Timeliness.EARLY), ("returned", Timeliness.LATE)],
)
def test_both_instants_and_the_collection_are_shown_and_never_charged(
    tmp_path: Path, rule: str | None, timeliness: Timeliness
) -> None:
    procedure = _procedure(rule)
    engine, code = _run(tmp_path / "d.db", procedure, at(9, 9))
    assert engine.get(code).timeliness is timeliness

    slip = engine.control_slip(code)
    assert (slip.ready_at, slip.returned_at) == (at(5, 9), at(9, 9))
    assert slip.result_counts == (rule or "ready")
    assert slip.collected_after_due and slip.ready_by_due
    assert slip.collection_seconds == 2 * DAY
    # No agency is charged for the wait: the desk's use is its reception hour,
    # the office used exactly its share.
    charged = {a.agency: (a.used_seconds, a.overrun_seconds, a.timeliness) for a in slip.agencies}
    assert charged == {
        "desk": (3600.0, 0.0, Timeliness.ON_TIME),
        "office": (2 * DAY, 0.0, Timeliness.ON_TIME),
    }
    # The per-step row of the return step: judged only when the hand-over counts.
    row = slip.rows[-1]
    assert row.step == "return"
    if timeliness is Timeliness.LATE:
        assert row.timeliness is Timeliness.LATE and row.late_working_hours > 0
    else:
        assert row.timeliness is None and row.late_working_hours == 0.0
        assert slip.per_agency["desk"]["late_hours"] == 0.0
    data = slip.to_dict()
    assert data["ready_at"] == "2026-03-05T09:00:00+07:00"
    assert data["returned_at"] == "2026-03-09T09:00:00+07:00"
    assert data["collection_seconds"] == 54000.0

    report = build_report(engine.store, calendar=engine.calendar, procedures=[procedure])
    acc = report.accountability
    collection = acc.to_dict()["collection"]
    assert collection == {
        "ready": 1,
        "collected_after_due": 1,
        "ready_by_due": 1,
        "collection_seconds": 54000.0,
        "collection_days": 2.0,
    }
    late = timeliness is Timeliness.LATE
    assert acc.late_dossiers == int(late)
    # Late only by the applicant's collection: no agency over its share.
    assert acc.unattributed_by_share == int(late)
    assert all(a.late_dossiers_over_share == 0 for a in acc.agencies.values())


def test_collected_by_the_due_date_shows_both_instants_and_no_collection(tmp_path: Path) -> None:
    engine, code = _run(tmp_path / "d.db", _procedure(None), at(6, 16))
    slip = engine.control_slip(code)
    assert (slip.ready_at, slip.returned_at) == (at(5, 9), at(6, 16))
    assert not slip.collected_after_due and slip.collection_seconds is None
    report = build_report(
        engine.store, calendar=engine.calendar, procedures=[_procedure(None)], per_dossier=True
    )
    row = report.accountability.dossiers[code]
    assert row["ready_at"] == "2026-03-05T09:00:00+07:00"
    assert row["returned_at"] == "2026-03-06T16:00:00+07:00"
    assert row["collection_seconds"] is None
    assert report.accountability.collection.collected_after_due == 0


def test_the_cli_shows_the_instants_and_the_shares(tmp_path: Path) -> None:
    """``procflow dossier show`` (text and JSON) and ``procflow report --format
    json`` carry the same figures, from the procedure files given."""
    procs = tmp_path / "procedures"
    procs.mkdir()
    (procs / "collection.yaml").write_text(PROCEDURE, "utf-8")
    db = tmp_path / "d.db"
    engine, code = _run(db, _procedure(None), at(9, 9))
    engine.store.close()
    common = ["--procedures", str(procs)]

    r = procflow("dossier", "show", str(db), code, "--format", "json", *common, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    slip = json.loads(r.stdout)["control_slip"]
    assert slip["ready_at"] == "2026-03-05T09:00:00+07:00"
    assert slip["collection_seconds"] == 54000.0
    office = next(a for a in slip["agencies"] if a["agency"] == "office")
    assert (office["used_seconds"], office["share_seconds"], office["timeliness"]) == (
        54000.0,
        54000.0,
        "on_time",
    )
    # ready (the default): the result's wait at the desk is charged to nobody
    assert slip["per_agency"]["desk"]["late_hours"] == 0

    r = procflow("dossier", "show", str(db), code, *common, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "result ready at the desk: 09:00 05/03/2026" in r.stdout
    assert "handed over: 09:00 09/03/2026" in r.stdout
    assert "waited 15 working hours for the applicant" in r.stdout

    r = procflow("report", str(db), "--format", "json", *common, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    acc = json.loads(r.stdout)["accountability"]
    assert acc["collection"]["collection_seconds"] == 54000.0
    row = next(a for a in acc["agencies"] if a["agency"] == "office")
    assert (row["share_used_seconds"], row["share_overrun_seconds"]) == (54000.0, 0.0)
