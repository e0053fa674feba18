"""Overlay files: strict parsing, clear errors, composition."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from procflow.calendar import WorkCalendar, load_overlay, national_overlay_path, parse_overlay
from procflow.errors import CalendarError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "procedures" / "calendars" / "example-province.yaml"


def test_shipped_files_parse() -> None:
    national = load_overlay(national_overlay_path())
    assert national.spec.base is not None and national.spec.base.holidays == "VN"
    assert {d.date.year for d in national.days} == {2024, 2025, 2026}
    assert load_overlay(EXAMPLE).days
    # procedures/calendars/vn.yaml is the same file as the package data
    assert (REPO / "procedures" / "calendars" / "vn.yaml").read_text(
        encoding="utf-8"
    ) == national_overlay_path().read_text(encoding="utf-8")


def test_regional_calendar_composes_national_and_local() -> None:
    local = load_overlay(EXAMPLE)
    day = local.days[0].date
    national = WorkCalendar.vietnam()
    regional = WorkCalendar.vietnam([EXAMPLE])
    assert national.is_working_day(day) and not regional.is_working_day(day)
    info = regional.day_info(day)
    assert info.origin.endswith("example-province.yaml")
    # from_files with the national file first gives the same calendar
    same = WorkCalendar.from_files(national_overlay_path(), EXAMPLE)
    assert same.working_days(date(2026, 1, 1), date(2026, 12, 31)) == regional.working_days(
        date(2026, 1, 1), date(2026, 12, 31)
    )


def test_later_overlay_wins() -> None:
    undo = parse_overlay(
        """
version: 1
name: local
years:
  2026:
    working_days:
      - {date: 2026-11-24, name: worked here, source: local decision 1, confirmed: true}
""",
        "local.yaml",
    )
    national = load_overlay(national_overlay_path())
    cal = WorkCalendar([national, undo], country="VN")
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.day_info(date(2026, 11, 24)).source == "local decision 1"


def test_yaml_no_stays_a_string_and_dates_are_not_converted() -> None:
    ov = parse_overlay(
        """
version: 1
name: no
years:
  2030:
    days_off:
      - {date: 2030-01-02, name: on, source: off, confirmed: true}
""",
        "x.yaml",
    )
    assert ov.name == "no"
    assert ov.days[0].name == "on" and ov.days[0].source == "off"
    assert ov.days[0].date == date(2030, 1, 2)


def _error(text: str) -> str:
    with pytest.raises(CalendarError) as exc:
        parse_overlay(text, "bad.yaml")
    return str(exc.value)


def test_error_names_file_line_field_and_fix() -> None:
    msg = _error(
        """version: 1
name: bad
years:
  2026:
    days_off:
      - date: 02/01/2026
        name: x
        source: y
        confirmed: true
"""
    )
    assert "bad.yaml:6" in msg and "years.2026.days_off[0].date" in msg
    assert "YYYY-MM-DD" in msg


def test_errors() -> None:
    assert "this field is required" in _error(
        "version: 1\nname: n\nyears:\n  2026:\n    days_off:\n"
        "      - {date: 2026-01-02, name: x, source: y}\n"
    )
    assert "unknown field" in _error("version: 1\nname: n\nyers: {}\n")
    assert "only 'version: 1'" in _error("version: 2\nname: n\n")
    assert "duplicate key" in _error("version: 1\nname: n\nname: m\n")
    assert "bad.yaml:4: YAML" in _error("version: 1\nname: n\nyears: [\n")
    assert "is not in 2026" in _error(
        "version: 1\nname: n\nyears:\n  2026:\n    days_off:\n"
        "      - {date: 2025-01-02, name: x, source: y, confirmed: true}\n"
    )
    assert "already set" in _error(
        "version: 1\nname: n\nyears:\n  2026:\n    days_off:\n"
        "      - {date: 2026-01-02, name: x, source: y, confirmed: true}\n"
        "    working_days:\n"
        "      - {date: 2026-01-02, name: x, source: y, confirmed: true}\n"
    )
    assert "not a real calendar date" in _error(
        "version: 1\nname: n\nyears:\n  2026:\n    days_off:\n"
        "      - {date: 2026-02-30, name: x, source: y, confirmed: true}\n"
    )
    assert "same date" in _error(
        "version: 1\nname: n\nyears:\n  2026:\n    swaps:\n"
        "      - {day_off: 2026-01-02, working_day: 2026-01-02, name: x, source: y,"
        " confirmed: true}\n"
    )
    # 'yes' is not a boolean in an overlay
    assert "confirmed" in _error(
        "version: 1\nname: n\nyears:\n  2026:\n    days_off:\n"
        "      - {date: 2026-01-02, name: x, source: y, confirmed: yes}\n"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="not found"):
        WorkCalendar.from_files(tmp_path / "nope.yaml")


def test_bad_base_country(tmp_path: Path) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("version: 1\nname: x\nbase: {holidays: XX}\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="no calendar for country"):
        WorkCalendar.from_files(p, years=(2030, 2030))
