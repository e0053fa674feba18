"""Absurd time limits end with a clear error, never an OverflowError.

A limit the calendar cannot count to (a billion calendar days, 1e308
working hours, infinity) is named as such, with the years the calendar
covers, by the library (a CalendarError) and so by ``procflow calendar due``.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from procflow.calendar import WorkCalendar
from procflow.cli.main import cli
from procflow.errors import CalendarError

CAL = WorkCalendar.vietnam()
START = datetime(2026, 2, 10, 9, 0, tzinfo=CAL.tz)
BEYOND = "ends beyond what this calendar can count: it covers the years 2000-2060"

ABSURD = [
    ("calendar_days", 1_000_000_000),
    ("calendar_days", 10**30),
    ("calendar_days", 1e308),
    ("calendar_days", float("inf")),
    ("calendar_days", 100_000),
    ("working_days", 1_000_000_000),
    ("working_days", 1e308),
    ("working_days", 1e15 + 0.5),
    ("working_days", float("inf")),
    ("working_hours", 1e308),
    ("working_hours", 1e18),
    ("working_hours", float("inf")),
]


@pytest.mark.parametrize(("unit", "value"), ABSURD)
def test_the_library_names_a_limit_beyond_the_calendar(unit: str, value: float) -> None:
    with pytest.raises(CalendarError, match=BEYOND):
        CAL.due(START, value, unit)


def test_the_library_still_counts_up_to_its_last_day() -> None:
    last = CAL.due(START, 12_700, "calendar_days")
    assert last.year == 2060
    with pytest.raises(CalendarError, match=BEYOND):
        CAL.due(START, 12_800, "calendar_days")


def test_nan_and_negative_infinity_are_not_limits() -> None:
    with pytest.raises(CalendarError, match="must be a number"):
        CAL.due(START, float("nan"), "working_days")
    with pytest.raises(CalendarError, match="cannot be negative"):
        CAL.due(START, float("-inf"), "working_hours")


@pytest.mark.parametrize(
    "option",
    [
        ("--calendar-days", "1000000000"),
        ("--calendar-days", "99999999999999999999999"),
        ("--working-days", "1e308"),
        ("--working-days", "inf"),
        ("--working-hours", "1e308"),
        ("--working-hours", "1e999"),
    ],
)
def test_the_cli_says_the_same(option: tuple[str, str]) -> None:
    args = ["calendar", "due", "2026-02-10T09:00", *option]
    runner = CliRunner()
    text = runner.invoke(cli, args, catch_exceptions=False)
    assert text.exit_code == 1
    assert text.stderr.startswith("error: a time limit of ") and BEYOND in text.stderr
    as_json = runner.invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    error = json.loads(as_json.stdout)["error"]
    assert as_json.exit_code == 1 and error["type"] == "CalendarError"
    assert BEYOND in error["message"]


def test_the_cli_refuses_nan_as_a_usage_error() -> None:
    args = ["calendar", "due", "2026-02-10T09:00", "--working-days", "nan"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2 and "nan is not a time limit" in result.stderr
