"""``procflow calendar`` through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from procflow.cli import calendar as calendar_cli
from procflow.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "calendars" / "example-province.yaml"


@pytest.fixture(scope="module")
def run() -> object:
    calendar_cli.register(cli)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, list(args))
        return result.exit_code, result.output

    return invoke


def test_due_issue_example(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "due", "2026-02-10T09:00", "--working-days", "15")
    assert code == 0, out
    assert "17:00 10/03/2026" in out


def test_due_json(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "due", "2026-02-13T16:00", "--same-day", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    # received after 15:00 on the last day before Tết 2026 (9859/VPCP-KGVX)
    assert data["due"] == "2026-02-23T17:00:00+07:00"
    assert data["unit"] == "same_day"


def test_due_other_units(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run(
        "calendar", "due", "2026-02-13T14:00+07:00", "--working-hours", "8", "--format", "json"
    )
    assert code == 0 and json.loads(out)["due"] == "2026-02-23T14:30:00+07:00"
    code, out = run("calendar", "due", "2026-08-20", "--calendar-days", "2", "--format", "json")
    # Sat 22/8/2026 is a make-up working day (9859/VPCP-KGVX)
    assert code == 0 and json.loads(out)["due_date"] == "2026-08-22"


def test_due_usage_errors(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "due", "2026-02-10", "--same-day", "--working-days", "2")
    assert code == 2 and "exactly one" in out
    code, out = run("calendar", "due", "10/02/2026", "--same-day")
    assert code == 1 and "YYYY-MM-DD" in out


def test_show(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "show", "2026", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["working_day_count"] == 249
    assert data["differs_from_holidays_package"] == ["2026-01-02", "2026-01-10"]
    assert [u["date"] for u in data["unconfirmed"]] == ["2026-11-24"]
    code, out = run("calendar", "show", "2025")
    assert code == 0 and "Hoán đổi" in out


def test_show_with_local_overlay(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run(
        "calendar", "show", "2026", "--calendar", str(EXAMPLE), "--format", "json", "--days"
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["working_day_count"] == 248
    assert len(data["working_days"]) == 248


def test_count(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("calendar", "count", "2026-02-10", "2026-03-10", "--format", "json")
    assert code == 0 and json.loads(out)["working_days"] == 15


def test_bad_overlay_reports_cleanly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nyears:\n  2026:\n    days_of: []\n", encoding="utf-8")
    code, out = run("calendar", "show", "2026", "--calendar", str(bad))
    assert code == 1
    assert "bad.yaml:5" in out and "unknown field" in out
