"""Years no calendar file records: a deadline across one says so.

Each year the Prime Minister decides the public sector's Tết days and swaps;
the shipped file records 2024-2026. A deadline counted into 2027 rests on
the ``holidays`` package's statutory days alone until someone records
2027's decision in an overlay, and may move by days when they do. The
calendar names such years (``unrecorded_years``) and ``procflow calendar
due``, ``count`` and ``show`` tell the officer, with what to do.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar, load_overlay, national_overlay_path, parse_overlay
from procflow.cli import calendar as calendar_cli
from procflow.cli.main import cli

SHIPPED = set(load_overlay(national_overlay_path()).years)


def _with(years: list[int]) -> WorkCalendar:
    """The national calendar with an overlay that has an empty block per year."""
    national = load_overlay(national_overlay_path())
    return WorkCalendar([national, parse_overlay(_overlay(years), "checked.yaml")], country="VN")


def _overlay(years: list[int]) -> str:
    blocks = "".join(f"  {y}: {{}}\n" for y in years)
    return f"version: 1\nname: Checked\nyears:\n{blocks}" if years else "version: 1\nname: None\n"


def test_the_shipped_file_records_the_years_it_has_blocks_for() -> None:
    text = national_overlay_path().read_text(encoding="utf-8")
    assert {y for y in range(2000, 2061) if f"\n  {y}:\n" in text} == SHIPPED
    assert {2024, 2025, 2026} <= SHIPPED


@given(
    first=st.dates(date(2000, 1, 1), date(2060, 12, 31)),
    span=st.integers(0, 3 * 366),
    extra=st.lists(st.integers(2000, 2060), max_size=4, unique=True),
)
def test_unrecorded_years_are_those_of_the_interval_no_overlay_has(
    first: date, span: int, extra: list[int]
) -> None:
    cal = _with(sorted(extra))
    last = date.fromordinal(min(first.toordinal() + span, date(2060, 12, 31).toordinal()))
    recorded = SHIPPED | set(extra)
    expected = [y for y in range(first.year, last.year + 1) if y not in recorded]
    assert cal.unrecorded_years(first, last) == expected
    assert cal.unrecorded_years(last, first) == ([] if last > first else expected)


def test_an_instant_counts_in_the_calendars_zone(cal: WorkCalendar) -> None:
    new_year_local = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # 03:00 on 1/1/2027 in Hà Nội
    assert cal.unrecorded_years(new_year_local, new_year_local) == [2027]
    assert cal.unrecorded_years(datetime(2026, 12, 31, 16, 0, tzinfo=UTC), date(2026, 12, 31)) == []


def test_instants_count_by_their_year_and_an_empty_block_records_a_year(
    cal: WorkCalendar,
) -> None:
    received = datetime(2026, 12, 21, 9, 0, tzinfo=cal.tz)
    due = cal.due(received, 30)
    assert due.year == 2027
    assert cal.unrecorded_years(received, due) == [2027]
    assert cal.unrecorded_years(received, datetime(2026, 12, 31, 17, 0, tzinfo=cal.tz)) == []
    checked = _with([2027])
    assert checked.unrecorded_years(received, due) == []
    assert checked.due(received, 30) == due  # an empty block adds no day


@pytest.fixture(scope="module")
def run() -> object:
    calendar_cli.register(cli)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def test_due_across_an_unrecorded_year_says_so_and_how_to_fix_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "due", "2026-12-21T09:00", "--working-days", "30")
    assert code == 0, out
    assert "rests on 2027" in out and "--calendar FILE" in out
    code, out = run(
        "calendar", "due", "2026-12-21T09:00", "--working-days", "30", "--format", "json"
    )
    assert json.loads(out)["unrecorded_years"] == [2027]
    overlay = tmp_path / "2027.yaml"
    overlay.write_text(_overlay([2027]), encoding="utf-8")
    code, out = run(
        "calendar", "due", "2026-12-21T09:00", "--working-days", "30", "--calendar", str(overlay)
    )
    assert code == 0, out
    assert "rests on" not in out
    code, out = run("calendar", "due", "2026-03-03T09:00", "--working-days", "5")
    assert "rests on" not in out


def test_due_across_an_unconfirmed_day_names_it(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "due", "2026-11-20T09:00", "--working-days", "5")
    assert code == 0, out
    assert "rests on an unconfirmed entry: 24/11/2026 Ngày Văn hóa Việt Nam" in out
    data = json.loads(
        run("calendar", "due", "2026-11-20T09:00", "--working-days", "5", "--format", "json")[1]
    )
    assert [u["date"] for u in data["unconfirmed"]] == ["2026-11-24"]
    assert data["unrecorded_years"] == []


def test_count_and_show_name_unrecorded_years(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "count", "2026-12-01", "2027-01-10")
    assert code == 0, out
    assert "rests on 2027" in out
    code, out = run("calendar", "show", "2027")
    assert code == 0, out
    assert "not recorded" in out and "'years: 2027:'" in out
    assert json.loads(run("calendar", "show", "2027", "--format", "json")[1])["recorded"] is False
    assert json.loads(run("calendar", "show", "2026", "--format", "json")[1])["recorded"] is True
    assert "not recorded" not in run("calendar", "show", "2026")[1]
