"""Limits: durations a calendar can count, reserved trigger names, bounded reports.

* Absurd durations (``inf``, ``1e308``, a 5,000-digit number...) used to pass
  ``validate``; a calendar-day limit of 1e308 then made every receipt fail
  with an OverflowError. They are refused, each with a located finding.
* ``withdraw`` and ``stop`` are the engine's own triggers: a procedure may not
  define them (the engine would grant its trigger the built-ins' exemptions).
* A file with thousands of problems gets the first ``max_findings`` and a
  count of the rest, in time linear in the size of the file.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import click
import pytest
from click.testing import CliRunner

from procflow.checks import CODES, check_procedure
from procflow.cli.definition import register
from procflow.compiler.compiled import ENGINE_TRIGGERS
from procflow.definition.loader import DEFAULT_MAX_FINDINGS, load_procedure
from procflow.definition.model import (
    MAX_DURATION,
    MAX_DURATION_YEARS,
    RESERVED_TRIGGERS,
    Outcome,
    Procedure,
    Step,
)
from procflow.findings import Finding, Severity

from .conftest import ROOT
from .test_loader import MINIMAL

LIMIT_LINE = "time_limit: 1 working days"
assert LIMIT_LINE in MINIMAL


@pytest.fixture(scope="module")
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        pass

    register(group)
    return group


def _only(findings: list[Finding], code: str) -> Finding:
    assert [f.code for f in findings] == [code], "\n".join(map(str, findings))
    return findings[0]


def _located(finding: Finding, line: int, column: int) -> None:
    assert (finding.line, finding.column) == (line, column), str(finding)
    assert finding.file and finding.hint, str(finding)


# --- durations ------------------------------------------------------------------

ABSURD = {
    "inf": "{value: inf, unit: working_days}",
    "Infinity": "{value: Infinity, unit: working_days}",
    "1e308": "{value: 1e308, unit: calendar_days}",
    "1e20": "{value: 1e20, unit: working_days}",
    "1e6": "{value: 1e6, unit: working_hours}",
    "5000 digits": "{value: " + "9" * 5000 + ", unit: working_days}",
    "NaN": "{value: NaN, unit: working_days}",
}


@pytest.mark.parametrize("value", list(ABSURD), ids=list(ABSURD))
def test_absurd_time_limits_are_refused_at_the_value(value: str) -> None:
    text = MINIMAL.replace(LIMIT_LINE, f"time_limit: {ABSURD[value]}")
    result = load_procedure("m.yaml", text=text)
    assert not result.ok and result.procedure is None
    finding = _only(result.findings, "invalid-value")
    _located(finding, 9, 21)  # the value inside {value: ..., unit: ...}
    assert finding.path == ("time_limit", "value")
    if value != "NaN":
        assert "cannot be counted" in finding.message
        assert f"longer than {MAX_DURATION_YEARS} years" in finding.message
        assert len(finding.message) < 400  # 5,000 digits are not repeated


def test_short_forms_beyond_the_bound_are_refused() -> None:
    for short in ("3651 calendar days", "2501 working days", "20001 working hours"):
        text = MINIMAL.replace(LIMIT_LINE, f"time_limit: {short}")
        finding = _only(load_procedure("m.yaml", text=text).findings, "invalid-value")
        _located(finding, 9, 13)
        assert "cannot be counted" in finding.message
    digits = "9" * 5000 + " working days"
    text = MINIMAL.replace(LIMIT_LINE, f"time_limit: {digits}")
    finding = _only(load_procedure("m.yaml", text=text).findings, "invalid-value")
    assert "5,000 characters" in finding.message and len(finding.message) < 400


def test_the_bound_itself_is_accepted() -> None:
    assert MAX_DURATION == {
        "calendar_days": 3650,
        "working_days": 2500,
        "working_hours": 20000,
        "same_day": 2500,
    }
    text = MINIMAL.replace(LIMIT_LINE, "time_limit: 2500 working days")
    assert load_procedure("m.yaml", text=text).ok
    text = MINIMAL.replace(LIMIT_LINE, "time_limit: {value: 20000, unit: working_hours}")
    assert load_procedure("m.yaml", text=text).ok


def test_step_times_and_shares_are_bounded_too() -> None:
    text = MINIMAL.replace(
        "    time: 4 working hours\n", "    time: {value: 1e308, unit: working_days}\n"
    )
    finding = _only(load_procedure("m.yaml", text=text).findings, "invalid-value")
    assert finding.path == ("steps", 0, "time", "value")
    _located(finding, 19, 19)
    text = MINIMAL.replace("    desk: true\n", "    desk: true\n    share: 99999 working days\n")
    finding = _only(load_procedure("m.yaml", text=text).findings, "invalid-value")
    assert finding.path == ("agencies", 0, "share")
    _located(finding, 14, 12)


@pytest.mark.parametrize("lead", ["1e308", "inf", "9" * 5000, "2501"])
def test_apology_lead_days_is_bounded(lead: str) -> None:
    text = MINIMAL + f"rules:\n  apology_lead_days: {lead}\n"
    finding = _only(load_procedure("m.yaml", text=text).findings, "invalid-value")
    assert finding.path == ("rules", "apology_lead_days")
    _located(finding, 24, 22)
    assert "cannot be counted" in finding.message


def test_a_bounded_limit_can_be_counted_on_the_calendar() -> None:
    """The bound is what the calendar can count: its due date exists."""
    from datetime import date

    from procflow.calendar import WorkCalendar

    cal = WorkCalendar()
    first, last = cal.years
    assert last - first >= 5 * MAX_DURATION_YEARS
    due = cal.add_working_days(date(first, 1, 3), int(MAX_DURATION["working_days"]))
    assert due.year < first + MAX_DURATION_YEARS + 1


@pytest.mark.parametrize("value", list(ABSURD), ids=list(ABSURD))
def test_validate_refuses_absurd_limits(cli: click.Group, tmp_path: Path, value: str) -> None:
    path = tmp_path / "absurd.yaml"
    path.write_text(MINIMAL.replace(LIMIT_LINE, f"time_limit: {ABSURD[value]}"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "9:21" in result.output and "invalid-value" in result.output
    assert "hint:" in result.output and "Traceback" not in result.output


def test_validate_command_in_a_subprocess(tmp_path: Path) -> None:
    """The real entry point: exit 1, located findings, no traceback."""
    (tmp_path / "inf.yaml").write_text(
        MINIMAL.replace(LIMIT_LINE, "time_limit: {value: 1e308, unit: calendar_days}"),
        encoding="utf-8",
    )
    (tmp_path / "stop.yaml").write_text(
        MINIMAL.replace("      on: returned\n", "      on: returned\n      STOP: stopped\n"),
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "procflow.cli.main", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "9:21" in run.stdout and "invalid-value" in run.stdout
    assert "23:7" in run.stdout and "trigger-reserved" in run.stdout


# --- reserved trigger names ----------------------------------------------------


def test_reserved_triggers_are_the_engines() -> None:
    assert RESERVED_TRIGGERS == ENGINE_TRIGGERS
    assert CODES["trigger-reserved"].severity is Severity.ERROR


@pytest.mark.parametrize(
    "name", ["withdraw", "stop", "Withdraw", "STOP", '"STOP "', '" stop"', "ｓｔｏｐ", "WITHDRAW"]
)
def test_reserved_trigger_names_are_refused(name: str) -> None:
    text = MINIMAL.replace("      on: returned\n", f"      on: returned\n      {name}: refused\n")
    result = load_procedure("m.yaml", text=text)
    assert not result.ok
    finding = _only(result.findings, "trigger-reserved")
    _located(finding, 23, 7)  # the key
    assert "reserved" in finding.message and "rename" in (finding.hint or "")


def test_other_triggers_leading_to_the_ends_are_fine() -> None:
    text = MINIMAL.replace(
        "      on: returned\n", "      on: returned\n      cancel: withdrawn\n      halt: stopped\n"
    )
    assert load_procedure("m.yaml", text=text).ok


def test_checks_refuse_reserved_triggers_on_unvalidated_procedures() -> None:
    """A procedure built without validation (model_construct) is caught by the checks."""
    proc = load_procedure("m.yaml", text=MINIMAL).procedure
    assert proc is not None
    step = proc.steps[0]
    outcomes = {**step.outcomes, "withdraw": Outcome.model_construct(to="withdrawn")}
    bad_step = Step.model_construct(**{**dict(step), "outcomes": outcomes})
    bad = Procedure.model_construct(**{**dict(proc), "steps": [bad_step]})
    findings = check_procedure(bad)
    assert [f.code for f in findings if f.is_error] == ["trigger-reserved"]
    assert findings[0].path == ("steps", 0, "outcomes", "withdraw")


def test_library_procedures_still_validate(samples: list[Path]) -> None:
    for path in samples:
        result = load_procedure(path)
        assert result.ok, "\n".join(map(str, result.findings))


# --- bounded reports -----------------------------------------------------------


def _unknown_keys(count: int) -> str:
    keys = "".join(f"unknwon_{i}: 1\n" for i in range(count))
    return MINIMAL.replace("procflow: 1\n", "procflow: 1\n" + keys)


def test_findings_are_capped_with_a_count_of_the_rest() -> None:
    result = load_procedure("m.yaml", text=_unknown_keys(1000))
    assert len(result.findings) == DEFAULT_MAX_FINDINGS + 1
    last = result.findings[-1]
    assert last.code == "too-many-findings" and last.severity is Severity.INFO
    assert result.omitted == {"unknown-key": 1000 - DEFAULT_MAX_FINDINGS}
    assert f"{1000 - DEFAULT_MAX_FINDINGS:,} more findings" in last.message
    # the first finding left out is where the summary points
    assert (last.line, last.column) == (DEFAULT_MAX_FINDINGS + 2, 1)
    assert [f.line for f in result.findings[:-1]] == list(range(2, DEFAULT_MAX_FINDINGS + 2))
    everything = load_procedure("m.yaml", text=_unknown_keys(1000), max_findings=None)
    assert len(everything.findings) == 1000 and everything.omitted == {}
    few = load_procedure("m.yaml", text=_unknown_keys(1000), max_findings=5)
    assert len(few.findings) == 6 and few.omitted == {"unknown-key": 995}
    with pytest.raises(ValueError):
        load_procedure("m.yaml", text=MINIMAL, max_findings=0)


def test_duplicate_keys_are_capped_and_name_both_lines() -> None:
    dup = "    note: again\n" * 500
    text = MINIMAL.replace("    kind: reception\n", "    kind: reception\n" + dup)
    result = load_procedure("m.yaml", text=text)
    assert result.omitted == {"duplicate-key": 499 - DEFAULT_MAX_FINDINGS}
    first = result.findings[0]
    assert first.code == "duplicate-key" and "on line 18 and on line 19" in first.message


def test_the_cap_keeps_errors_first_so_the_verdict_holds() -> None:
    """A valid model with many warnings and one error late in the file still fails."""
    steps = "".join(
        f"  - id: s{i}\n    name: B\n    kind: review\n    agency: {'desk' if i < 299 else 'x'}\n"
        f"    outcomes:\n      go: {'s' + str(i + 1) if i < 299 else 'returned'}\n"
        for i in range(300)
    )
    text = MINIMAL.replace("      on: returned\n", "      on: returned\n      go: s0\n") + steps
    result = load_procedure("m.yaml", text=text, max_findings=10)
    assert not result.ok
    assert [f.code for f in result.findings[:-1]] == ["step-no-time"] * 9 + ["unknown-agency"]
    assert result.omitted == {"step-no-time": 291}
    assert result.findings[-1].code == "too-many-findings"


# --- linear time ----------------------------------------------------------------


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_validate", ROOT / "bench/bench_validate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu(texts: list[str]) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        for text in texts:
            load_procedure("t.yaml", text=text)
        best = min(best, time.process_time() - start)
    return best


def test_hostile_files_cost_about_as_much_as_valid_ones() -> None:
    """250 KB of hostile YAML within 6x of 250 KB of valid procedures.

    Quadratic validation made these 30-100x; bench/bench_validate.py measures
    1 MiB files against the 3x target.
    """
    bench = _bench()
    size = 250_000
    base = _cpu(bench.valid_catalogue(size))
    for make in (
        bench.unknown_keys,
        bench.invalid_steps,
        bench.duplicate_keys,
        bench.broken_graph,
        bench.absurd_numbers,
        bench.valid_big,
    ):
        cost = _cpu([make(size)])
        assert cost < 6 * base + 0.05, (make.__name__, cost, base)
