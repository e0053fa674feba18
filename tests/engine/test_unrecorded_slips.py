"""Slips whose dates reach into a year no calendar file records.

The shipped calendar records the Prime Minister's decisions for 2024-2026;
2027's were not known when it was written. Worked by hand on it: the
children-under-6 bundle has 3 working days, the day of receipt not counted.

* Received Wednesday 30/12/2026: Thu 31 (1), Fri 1/1/2027 off (New Year,
  Labour Code Art. 112), Mon 4 (2), Tue 5 (3) -> Tuesday 5/1/2027 17:00,
  resting on 2027.
* Received Thursday 24/12/2026: Fri 25 (1), Mon 28 (2), Tue 29 (3) ->
  Tuesday 29/12/2026: nothing unrecorded.

The receipt and the apology name the year, in their JSON, on the desk's
screen and on the printed form; an overlay that records 2027 (an empty
block: checked, nothing to add) clears it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from enginetest import CHILD, DESK, PC_HEAD, VN

from procflow.calendar import WorkCalendar, load_overlay, national_overlay_path, parse_overlay
from procflow.catalogue import Catalogue
from procflow.contrib.printing import receipt_slip, render_slip
from procflow.engine import Engine, VirtualClock
from procflow.store import MemoryStore

DEC_30 = datetime(2026, 12, 30, 9, 0, tzinfo=VN)


def _engine(catalogue: Catalogue, calendar: WorkCalendar, at: datetime) -> Engine:
    return Engine(MemoryStore(), catalogue, calendar, VirtualClock(at))


def test_a_receipt_into_2027_names_the_year_everywhere(
    catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    engine = _engine(catalogue, calendar, DEC_30)
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2027, 1, 5, 17, 0, tzinfo=VN)
    assert slip.unrecorded_years == [2027]
    assert slip.to_dict()["unrecorded_years"] == [2027]
    text = " ".join(render_slip(slip, format="text").split())  # as wrapped to the paper
    assert "Tết và ngày làm bù năm 2027 theo quyết định của Thủ tướng Chính phủ" in text
    html = render_slip(slip, format="html", lang="en")
    assert 'data-field="unrecorded"' in html and "2027" in html
    # rebuilt from the store for printing later, it says the same
    assert receipt_slip(engine, slip.code).unrecorded_years == [2027]


def test_a_receipt_within_2026_names_none(catalogue: Catalogue, calendar: WorkCalendar) -> None:
    engine = _engine(catalogue, calendar, datetime(2026, 12, 24, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2026, 12, 29, 17, 0, tzinfo=VN)
    assert slip.unrecorded_years == []
    assert 'data-field="unrecorded"' not in render_slip(slip, format="html")
    assert "Thủ tướng" not in " ".join(render_slip(slip, format="text").split())


def test_an_overlay_that_records_2027_clears_it(catalogue: Catalogue, tmp_path: Path) -> None:
    checked = parse_overlay("version: 1\nname: Checked 2027\nyears:\n  2027: {}\n", "2027.yaml")
    calendar = WorkCalendar([load_overlay(national_overlay_path()), checked], country="VN")
    slip = _engine(catalogue, calendar, DEC_30).receive(CHILD, actor=DESK)
    assert slip.appointment == datetime(2027, 1, 5, 17, 0, tzinfo=VN)
    assert slip.unrecorded_years == []


def test_an_apology_into_2027_names_it(catalogue: Catalogue, calendar: WorkCalendar) -> None:
    engine = _engine(catalogue, calendar, datetime(2026, 12, 22, 9, 0, tzinfo=VN))
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.unrecorded_years == []
    engine.clock.set(datetime(2026, 12, 23, 9, 0, tzinfo=VN))  # type: ignore[attr-defined]
    apology = engine.apologise(
        slip.code, PC_HEAD, reason="late", new_appointment=datetime(2027, 1, 6, 17, tzinfo=VN)
    )
    assert apology.unrecorded_years == [2027]
    assert apology.to_dict()["unrecorded_years"] == [2027]


def test_the_desk_sees_it_on_the_receipt(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import procflow.cli.main as entry

    register = getattr(entry, "_register", None)
    if register is not None:
        register()
    args = ["dossier", "receive", str(tmp_path / "desk.db"), CHILD, "--actor", "lan"]
    args += ["--agency", "commune-pc", "--role", "desk-officer", "--at", "2026-12-30T09:00"]
    root = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(entry.cli, [*args, "--procedures", str(root / "procedures")])
    assert result.exit_code == 0, result.output
    assert "appointment: 17:00 05/01/2027" in result.output
    assert "the dates rest on 2027" in " ".join(result.output.split())
