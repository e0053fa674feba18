"""The dossier register (sổ theo dõi hồ sơ) from dossiers run through a real
engine on a real SQLite file, and its CSV and JSON exports read back.

The desk's March 2026 (no holiday in March 2026; Labour Code 2019, Art. 112):

* A: children-under-6 bundle received Mon 02/03 08:00, run through all three
  agencies half an hour a step, returned the same day at 12:00 (due Thu
  05/03: Tue 3, Wed 4, Thu 5; early);
* B: the same bundle received 02/03 13:30, stopped by the commune's head;
* guidance given at the desk at 14:00 (incomplete, never received: not in
  the register);
* C: birth registration received 02/03 14:30, before the 15:00 cut-off, so
  due the same day; left at review (open, overdue in a register dated later);
* D: the bundle received 02/03 15:00 (due Thu 05/03 17:00), apologised for on
  Tue 03/03 with a new date of Mon 09/03 17:00, returned Tue 10/03 (late
  against Thu 05/03);
* E: the bundle received Fri 20/11/2026 09:00 (due Thu 26/11: Tue 24/11, the
  unconfirmed Ngày Văn hóa Việt Nam, is skipped), left open.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from enginetest import CHILD, DESK, PC_HEAD, ROOT, TO_RETURN, VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.cli.main import cli
from procflow.engine import Dossier, Engine, Timeliness, VirtualClock
from procflow.reports.register import (
    COLUMNS,
    build_register,
    iter_register_rows,
    write_register_csv,
    write_register_json,
)
from procflow.store import SQLiteStore

BIRTH = "vn.civil-status.birth-registration"
FULL_RUN = TO_RETURN


def _run(engine: Engine, clock: VirtualClock, code: str, script: list[tuple[str, object]]) -> None:
    for trigger, actor in script:
        clock.advance(minutes=30)
        engine.fire(code, trigger, actor)  # type: ignore[arg-type]


class Desk:
    """The database and what the test did to it."""

    def __init__(self, path: Path, engine: Engine, codes: dict[str, str]) -> None:
        self.path = path
        self.engine = engine
        self.codes = codes

    def dossier(self, code: str) -> Dossier:
        return self.engine.get(code)


@pytest.fixture
def desk(tmp_path: Path, catalogue: Catalogue, calendar: WorkCalendar) -> Iterator[Desk]:
    path = tmp_path / "register.db"
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(SQLiteStore(path), catalogue, calendar, clock)
    codes: dict[str, str] = {}
    codes["A"] = engine.receive(
        CHILD, actor=DESK, applicant={"name": "Nguyễn Thị Mai", "phone": "0912 345 678"}
    ).code
    _run(engine, clock, codes["A"], FULL_RUN)
    clock.set(datetime(2026, 3, 2, 13, 30, tzinfo=VN))
    codes["B"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Lê Văn B"}).code
    clock.advance(minutes=10)
    engine.fire(codes["B"], "stop", PC_HEAD, note="duplicate")
    clock.set(datetime(2026, 3, 2, 14, 0, tzinfo=VN))
    engine.guide(CHILD, actor=DESK, missing=["Giấy chứng sinh"])
    clock.set(datetime(2026, 3, 2, 14, 30, tzinfo=VN))
    codes["C"] = engine.receive(BIRTH, actor=DESK, applicant={"name": "Phạm C"}).code
    clock.advance(minutes=10)
    engine.fire(codes["C"], "forward", DESK)
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=VN))
    codes["D"] = engine.receive(
        CHILD, actor=DESK, applicant={"name": "Hoàng D", "address": "Thôn 3, xã Yên Sơn"}
    ).code
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=VN))
    engine.apologise(
        codes["D"],
        PC_HEAD,
        reason="waiting for verification",
        new_appointment=datetime(2026, 3, 9, 17, 0, tzinfo=VN),
    )
    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=VN))
    _run(engine, clock, codes["D"], FULL_RUN)
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=VN))
    codes["E"] = engine.receive(CHILD, actor=DESK).code
    yield Desk(path, engine, codes)
    engine.store.close()


AS_OF = date(2026, 12, 1)


def test_the_register_has_one_row_per_received_dossier_in_receipt_order(
    desk: Desk, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    book = build_register(desk.engine.store, catalogue=catalogue, calendar=calendar, as_of=AS_OF)
    assert [r.code for r in book.rows] == [desk.codes[k] for k in "ABCDE"]
    assert [r.no for r in book.rows] == [1, 2, 3, 4, 5]
    # The register of a date after 15/09/2025 is Form 07 of Circular 03/2025.
    assert book.form is not None
    assert (book.form.number, book.form.legal_basis) == ("07", "03/2025/TT-VPCP")
    before = build_register(desk.engine.store, as_of=date(2025, 9, 14))
    assert before.form is not None
    assert (before.form.number, before.form.legal_basis) == ("06", "01/2018/TT-VPCP")


def test_each_row_says_what_the_engine_knows(
    desk: Desk, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    rows = {
        r.code: r
        for r in iter_register_rows(
            desk.engine.store, catalogue=catalogue, calendar=calendar, as_of=AS_OF
        )
    }
    proc = catalogue.in_force(CHILD, date(2026, 3, 2)).procedure
    names = {a.id: a.name.vi for a in proc.agencies}
    for key, code in desk.codes.items():
        d, row = desk.dossier(code), rows[code]
        assert (row.received_at, row.due_at, row.appointment) == (
            d.received_at,
            d.due_at,
            d.appointment,
        ), key
        assert row.timeliness == d.timeliness and row.outcome == d.outcome, key
        assert row.returned_at == (d.closed_at if d.outcome == "returned" else None), key

    a, d = desk.dossier(desk.codes["A"]), desk.dossier(desk.codes["D"])
    row_a = rows[desk.codes["A"]]
    assert row_a.procedure_name == proc.name.vi
    assert row_a.applicant == "Nguyễn Thị Mai" and row_a.contact == "0912 345 678"
    assert row_a.handed_to == [names["commune-police"], names["social-insurance"]]
    # the result reached the desk when the dossier entered the return step
    assert row_a.result_at == next(v.entered_at for v in a.visits if v.step == "return")
    assert row_a.timeliness is Timeliness.EARLY
    row_d = rows[desk.codes["D"]]
    assert row_d.appointment == datetime(2026, 3, 9, 17, 0, tzinfo=VN)
    assert row_d.due_at == datetime(2026, 3, 5, 17, 0, tzinfo=VN)
    assert row_d.timeliness is Timeliness.LATE
    assert row_d.contact == "Thôn 3, xã Yên Sơn"
    assert any("apology" in n and "09/03/2026" in n for n in row_d.notes)
    assert d.closed_at == row_d.returned_at
    row_b = rows[desk.codes["B"]]
    assert (row_b.outcome, row_b.result_at, row_b.returned_at) == ("stopped", None, None)
    assert "stopped" in row_b.notes and row_b.handed_to == []
    row_c = rows[desk.codes["C"]]
    assert row_c.status == "open" and any("overdue" in n for n in row_c.notes)
    assert [u.date for u in rows[desk.codes["E"]].unconfirmed_days] == [date(2026, 11, 24)]
    assert all(rows[desk.codes[k]].unconfirmed_days == [] for k in "ABCD")


def _expected(desk: Desk, code: str) -> dict[str, str]:
    """The CSV cells a dossier must give, from the engine's own state."""
    d = desk.dossier(code)

    def cell(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    return {
        "code": d.code,
        "procedure_id": d.procedure_id,
        "received_at": cell(d.received_at),
        "appointment": cell(d.appointment),
        "due_at": cell(d.due_at),
        "returned_at": cell(d.closed_at if d.outcome == "returned" else None),
        "status": d.status.value,
        "outcome": d.outcome or "",
        "timeliness": d.timeliness.value if d.timeliness else "",
        "applicant": str(d.applicant.get("name", "")),
    }


def test_the_csv_export_round_trips_through_dictreader(
    desk: Desk, catalogue: Catalogue, calendar: WorkCalendar, tmp_path: Path
) -> None:
    target = tmp_path / "register.csv"
    rows = iter_register_rows(desk.engine.store, catalogue=catalogue, calendar=calendar)
    with target.open("w", encoding="utf-8", newline="") as out:
        assert write_register_csv(rows, out) == 5
    with target.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        read = list(reader)
    assert [r["code"] for r in read] == [desk.codes[k] for k in "ABCDE"]
    for r in read:
        want = _expected(desk, r["code"])
        assert {k: r[k] for k in want} == want
    by_code = {r["code"]: r for r in read}
    assert by_code[desk.codes["E"]]["unconfirmed_days"].startswith("2026-11-24 ")
    assert by_code[desk.codes["A"]]["handed_to"].count("; ") == 1


def test_the_json_export_round_trips(
    desk: Desk, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    book = build_register(desk.engine.store, catalogue=catalogue, calendar=calendar, as_of=AS_OF)
    out = io.StringIO()
    assert write_register_json(book, out) == 5
    data = json.loads(out.getvalue())
    assert data == book.to_dict()
    assert data["register"]["form"] == "07" and data["register"]["dossiers"] == 5
    assert data["columns"] == list(COLUMNS)
    for row in data["rows"]:
        want = _expected(desk, row["code"])
        got = {k: "" if row[k] is None else str(row[k]) for k in want}
        assert got == want
    e = next(r for r in data["rows"] if r["code"] == desk.codes["E"])
    assert [u["date"] for u in e["unconfirmed_days"]] == ["2026-11-24"]


def test_filters_by_procedure_and_period(desk: Desk) -> None:
    store = desk.engine.store
    assert [r.code for r in iter_register_rows(store, procedure=BIRTH)] == [desk.codes["C"]]
    march = iter_register_rows(store, received_from=date(2026, 3, 1), received_to=date(2026, 3, 31))
    assert [r.code for r in march] == [desk.codes[k] for k in "ABCD"]
    # without a catalogue: ids, and still the result date of returned dossiers
    rows = {r.code: r for r in iter_register_rows(store)}
    a = rows[desk.codes["A"]]
    assert a.procedure_name == "" and a.handed_to == ["commune-police", "social-insurance"]
    assert a.result_at == desk.dossier(desk.codes["A"]).visits[-1].entered_at


# --- the command line ------------------------------------------------------------------


def _procflow(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_procflow_register_json_csv_and_the_export_format(
    desk: Desk, catalogue: Catalogue, calendar: WorkCalendar, tmp_path: Path
) -> None:
    db, procs = str(desk.path), str(ROOT / "procedures")
    data = json.loads(
        _procflow(
            "register", db, "--procedures", procs, "--as-of", "2026-12-01", "--format", "json"
        )
    )
    assert [r["code"] for r in data["rows"]] == [desk.codes[k] for k in "ABCDE"]
    full = Catalogue.from_paths([procs])
    assert data == json.loads(
        json.dumps(build_register(desk.engine.store, catalogue=full, calendar=calendar,
                                  as_of=AS_OF).to_dict())
    )  # fmt: skip

    target = tmp_path / "out.csv"
    _procflow("register", db, "--procedures", procs, "--format", "csv", "-o", str(target))
    with target.open(encoding="utf-8", newline="") as f:
        read = list(csv.DictReader(f))
    assert [r["code"] for r in read] == [desk.codes[k] for k in "ABCDE"]
    assert read[0]["procedure_name"] == catalogue.get(CHILD, "2024-06").procedure.name.vi

    text = _procflow("register", db, "--procedures", procs, "--as-of", "2026-12-01")
    assert "Mẫu số 07 (03/2025/TT-VPCP)" in text and "5 dossier(s)" in text

    exported = tmp_path / "export.csv"
    _procflow("export", db, "--format", "register", "-o", str(exported))
    with exported.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["code"] for r in rows] == [desk.codes[k] for k in "ABCDE"]
    for r in rows:
        want = _expected(desk, r["code"])
        assert {k: r[k] for k in want} == want


def test_procflow_register_refuses_a_bad_date(desk: Desk) -> None:
    result = CliRunner().invoke(cli, ["register", str(desk.path), "--from", "2026-13-01"])
    assert result.exit_code != 0
    assert "--from" in result.output and "YYYY-MM-DD" in result.output
