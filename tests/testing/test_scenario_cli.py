"""``procflow test``: summary, exit codes, JSON and JUnit reports (on a fresh click group)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from scenariotest import FRIDAY_13, PROCEDURES, WRONG_DUE, write

from procflow.cli.testing import register


@pytest.fixture
def cli() -> click.Group:
    group = click.Group()
    register(group)
    return group


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "a-friday.yaml", FRIDAY_13)
    write(tmp_path, "b-wrong.yaml", WRONG_DUE)
    (tmp_path / "notes.yaml").write_text("scenario: not in a tests folder\n")
    return tmp_path


def test_text_summary_and_exit_code(cli: click.Group, folder: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(folder)])
    assert result.exit_code == 1
    out = result.output
    assert "a-friday.yaml  PASSED" in out and "b-wrong.yaml  FAILED" in out
    assert f"{folder / 'tests' / 'b-wrong.yaml'}:8: step 1 (receive): appointment" in out
    assert "expected: 2026-02-20" in out
    assert "1 failed, 1 passed" in out
    assert "notes.yaml" not in out


def test_passing_run_exits_zero(cli: click.Group, folder: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(folder / "tests" / "a-friday.yaml")])
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output


def test_json_report(cli: click.Group, folder: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(folder), "--format", "json"])
    data = json.loads(result.output)
    assert data["summary"] == {**data["summary"], "passed": 1, "failed": 1, "total": 2}
    failed = next(s for s in data["scenarios"] if s["status"] == "failed")
    assert failed["failures"][0]["line"] == 8
    assert failed["failures"][0]["what"] == "appointment"


def test_junit_report_to_file(cli: click.Group, folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "junit.xml"
    result = CliRunner().invoke(cli, ["test", str(folder), "--format", "junit", "-o", str(target)])
    assert result.exit_code == 1
    assert "report:" in result.output
    suite = ET.parse(target).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    failure = suite.find("testcase/failure")
    assert failure is not None and "b-wrong.yaml:8" in (failure.get("message") or "")


def test_bad_file_is_an_error_without_traceback(cli: click.Group, tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "scenario: x\nprocedure: p.yaml\nstart: soon\nsteps: []\n")
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yaml:3:8 (start): error [invalid-value]" in result.output
    assert "Traceback" not in result.output


def test_no_scenarios_exits_5(cli: click.Group, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 5


def test_the_library_scenarios_pass(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["test", str(PROCEDURES)])
    assert result.exit_code == 0, result.output
