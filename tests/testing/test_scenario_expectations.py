"""The scenario language's keys for issue 19's rules: an agency's share figures,
pauses by reason, the result's two instants, unconfirmed calendar days, the
slip's form, and a scenario's own ``rules:`` and ``calendar_settings:``.

Each key is shown passing on dates worked out by hand, and failing, with the
figure it names, when the expectation is wrong.

The procedure below (10 working days; the desk holds every step, its share is
1 working day = 7.5 h on the national calendar, office hours 07:30-11:30 and
13:30-17:00) runs one story:

* received Monday 2 March 2026 at 08:00 (no holiday in March 2026): the day
  of receipt does not count, so Tue 3 ... Fri 13, Mon 16 March is the 10th
  working day: due 16/03 17:00;
* 09:00 the desk asks for a supplement (review used 1 h); the applicant
  answers at 15:00: 09:00-11:30 and 13:30-15:00 = 4 working hours paused.
  Under ``pause_rounding: whole_days`` (the default) 4 / 7.5 = 0.53 rounds to
  one day: due Tue 17/03 17:00; under ``exact`` 16/03 17:00 + 4 h = 17/03
  11:30;
* review again until Tuesday 3 March 15:00: Mon 15:00-17:00 2 h + Tue
  07:30-11:30 4 h + 13:30-15:00 1.5 h = 7.5 h. The desk used 1 + 7.5 = 8.5 h
  against its 7.5 h share: 1 h charged, late against its share;
* the result is at the desk (return step) Tue 3 March 15:00 and handed over
  Wednesday 4 March 09:00, well before the due date: no collection time.
"""

from __future__ import annotations

import tempfile
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenariotest import write

from procflow.calendar import WorkCalendar
from procflow.testing import ScenarioRunner, Status, run_scenario

PROCEDURE = """
procflow: 1
id: test.scenario-keys
version: "1"
name: {vi: Thủ tục thử, en: Test procedure}
level: district
effective_from: 2024-01-01
time_limit: {value: 10, unit: working_days}
legal_basis:
  - {number: 63/2024/NĐ-CP, date: 2024-06-10}
agencies:
  - id: desk
    name: {vi: Bộ phận một cửa, en: One-stop desk}
    level: district
    desk: true
    share: 1 working days
steps:
  - id: review
    name: {vi: Kiểm tra hồ sơ, en: Review}
    kind: processing
    agency: desk
    time: 0.5 working days
    outcomes: {request_supplement: supplement, accept: return}
  - id: supplement
    name: {vi: Người dân bổ sung, en: Applicant supplements}
    kind: applicant
    agency: desk
    outcomes: {resubmit: review}
  - id: return
    name: {vi: Trả kết quả, en: Return the result}
    kind: return
    agency: desk
    time: 1 working days
    outcomes: {hand_over: returned}
"""

STORY = """
  - receive:
  - {at: 2026-03-02T09:00, fire: request_supplement}
  - {at: 2026-03-02T15:00, fire: resubmit}
  - {at: 2026-03-03T15:00, fire: accept}
  - at: 2026-03-04T09:00
    fire: hand_over
    expect:
"""


def scenario(folder: Path, name: str, top: str, expect: str) -> Path:
    """A scenario of the story above with ``top`` keys and the last step's ``expect``."""
    proc = folder / "keys.yaml"
    proc.write_text(textwrap.dedent(PROCEDURE).lstrip(), encoding="utf-8")
    body = (
        f"scenario: {name}\nprocedure: ../keys.yaml\nstart: 2026-03-02T08:00\n"
        + textwrap.dedent(top)
        + "steps:"
        + textwrap.dedent(STORY)
        + textwrap.indent(textwrap.dedent(expect).strip(), "      ")
        + "\n"
    )
    return write(folder, f"{name}.yaml", body)


LAST_EXPECT_LINE = 12
"""The line of the last step's first expectation, with no top keys."""


def test_share_figures_pauses_and_result_instants_pass(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        "passing",
        "",
        """
        agencies:
          # used_hours sums its rows, the return step's 3.5 h too (Tue 15:00-17:00,
          # Wed 07:30-09:00): 1 + 7.5 + 3.5 = 12; its share counts 8.5 h of them.
          desk: {share_hours: 7.5, overrun_hours: 1, timeliness: late, share_from: share,
                 used_hours: 12}
        pauses: {supplement: {count: 1, hours: 4}}
        supplements: 1
        due: 2026-03-17T17:00
        ready_at: 2026-03-03T15:00
        returned_at: 2026-03-04T09:00
        timeliness: early
        unconfirmed_days: []
        """,
    )
    result = run_scenario(path)
    assert result.status is Status.PASSED, result.details()


def test_wrong_share_figures_fail_naming_each_figure(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        "share",
        "",
        """
        agencies:
          desk: {share_hours: 8, overrun_hours: 0.5, timeliness: on_time, share_from: steps}
        """,
    )
    result = run_scenario(path)
    assert result.status is Status.FAILED
    by_message = {f.message: f for f in result.failures}
    assert set(by_message) == {
        "share hours",
        "over-run hours",
        "timeliness against its share",
        "share from",
    }
    assert all(f.line == LAST_EXPECT_LINE + 1 for f in result.failures)
    assert all(f.what == "agencies.desk" for f in result.failures)
    assert (by_message["share hours"].expected, by_message["share hours"].actual) == (
        "8 h",
        "7.5 h",
    )
    overrun = by_message["over-run hours"]
    assert overrun.expected == "0.5 h" and overrun.actual == "1 h (used 8.5 h of 7.5 h)"
    assert by_message["timeliness against its share"].actual == "late"
    assert by_message["share from"].actual == "share"


def test_share_figures_of_an_agency_that_left_no_step_yet(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "early.yaml",
        """
        scenario: too early to judge the desk
        procedure: ../keys.yaml
        start: 2026-03-02T08:00
        steps:
          - receive:
            expect:
              agencies: {desk: {overrun_hours: 0}}
        """,
    )
    (tmp_path / "keys.yaml").write_text(textwrap.dedent(PROCEDURE).lstrip(), encoding="utf-8")
    [failure] = run_scenario(path).failures
    assert failure.line == 7
    assert failure.actual == "none: desk has left none of its counted steps yet"


def test_wrong_pauses_instants_and_unconfirmed_days_fail(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        "pauses",
        "",
        """
        pauses: {financial_obligations: 1}
        ready_at: 2026-03-04T09:00
        returned_at: 2026-03-03
        collection_hours: 2
        unconfirmed_days: [2026-11-24]
        """,
    )
    failures = {f.what: f for f in run_scenario(path).failures}
    assert set(failures) == {
        "pauses",
        "ready_at",
        "returned_at",
        "collection_hours",
        "unconfirmed_days",
    }
    assert failures["pauses"].expected == "[financial_obligations]"
    assert failures["pauses"].actual == "[supplement]"
    assert failures["ready_at"].actual.startswith("2026-03-03 15:00")
    assert failures["returned_at"].actual.startswith("2026-03-04 09:00")
    assert failures["collection_hours"].actual == "none (not collected after the due date)"
    assert failures["unconfirmed_days"].actual == "[]"


def test_a_wrong_pause_count_or_time_names_the_reason(tmp_path: Path) -> None:
    path = scenario(tmp_path, "count", "", "pauses: {supplement: {count: 2, hours: 3}}")
    failures = run_scenario(path).failures
    assert [(f.what, f.message, f.expected, f.actual) for f in failures] == [
        ("pauses.supplement", "count", "2", "1"),
        ("pauses.supplement", "hours", "3 h", "4 h"),
    ]


def test_an_unknown_pause_reason_is_an_error_before_running(tmp_path: Path) -> None:
    path = scenario(tmp_path, "reason", "", "pauses: {payment: 1}")
    result = run_scenario(path)
    assert result.status is Status.ERROR
    assert any("financial_obligations" in f.message for f in result.findings), result.details()


def test_scenario_rules_replace_the_procedures_for_the_run(tmp_path: Path) -> None:
    exact = scenario(tmp_path, "exact", "rules: {pause_rounding: exact}\n", "due: 2026-03-17T11:30")
    assert run_scenario(exact).status is Status.PASSED, run_scenario(exact).details()
    # The same expectation without the rule: whole days, due 17/03 17:00.
    default = scenario(tmp_path, "default", "", "due: 2026-03-17T11:30")
    [failure] = run_scenario(default).failures
    assert failure.actual.startswith("2026-03-17 17:00")


@pytest.mark.parametrize(("counts", "timeliness"), [("ready", "early"), ("returned", "late")])
def test_result_counts_for_a_result_collected_after_the_due_date(
    tmp_path: Path, counts: str, timeliness: str
) -> None:
    # The story's result is at the desk Tuesday 3 March 15:00; the applicant
    # collects it only on Wednesday 18 March at 09:00, after the due date
    # (Tue 17 March). Ready: early. Returned: late. The collection, charged
    # to nobody: Tue 3 15:00-17:00 2 h + Wed 4 ... Tue 17 (10 working days)
    # 75 h + Wed 18 07:30-09:00 1.5 h = 78.5 h; the desk's share leaves the
    # return step out, so it is still charged only its 1 h of review.
    path = scenario(
        tmp_path,
        counts,
        f"rules: {{result_counts: {counts}}}\n",
        f"timeliness: {timeliness}\nreturned_at: 2026-03-04T09:00",
    )
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("at: 2026-03-04T09:00", "at: 2026-03-18T09:00")
        .replace("returned_at: 2026-03-04T09:00", "returned_at: 2026-03-18T09:00")
        + "      collection_hours: 78.5\n      agencies: {desk: {overrun_hours: 1}}\n",
        encoding="utf-8",
    )
    result = run_scenario(path)
    assert result.status is Status.PASSED, result.details()
    other = "late" if timeliness == "early" else "early"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            f"timeliness: {timeliness}", f"timeliness: {other}"
        ),
        encoding="utf-8",
    )
    [failure] = run_scenario(path).failures
    assert (failure.what, failure.expected, failure.actual) == ("timeliness", other, timeliness)


def test_a_bad_rule_names_the_scenario_file_line_and_key(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        "badrule",
        "rules:\n  pause_roundin: exact\n  result_counts: collected\n",
        "timeliness: early",
    )
    result = run_scenario(path)
    assert result.status is Status.ERROR
    by_line = {f.line: f for f in result.findings}
    assert set(by_line) == {5, 6}
    assert by_line[5].code == "unknown-key" and str(path) == by_line[5].file
    assert "did you mean 'pause_rounding'" in (by_line[5].hint or "")
    assert "result_counts" in str(by_line[6].path) and "'ready'" in by_line[6].message


def test_unconfirmed_days_and_the_setting_that_ignores_them(tmp_path: Path) -> None:
    # Received Monday 23 November 2026 08:00, 10 working days. Tuesday 24 is
    # Ngày Văn hóa Việt Nam, an unconfirmed day off: Wed 25, Thu 26, Fri 27,
    # Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8 December. Ignoring the
    # unconfirmed entry, Tuesday 24 counts: due Monday 7 December. The slip
    # names the day either way.
    (tmp_path / "keys.yaml").write_text(textwrap.dedent(PROCEDURE).lstrip(), encoding="utf-8")
    text = """
        scenario: {name}
        procedure: ../keys.yaml
        start: 2026-11-23T08:00
        {settings}
        steps:
          - receive:
            expect:
              appointment: {due}
              unconfirmed_days: [2026-11-24]
        """
    applied = write(tmp_path, "a.yaml", text.format(name="a", settings="", due="2026-12-08"))
    assert run_scenario(applied).status is Status.PASSED, run_scenario(applied).details()
    ignored = write(
        tmp_path,
        "b.yaml",
        text.format(
            name="b",
            settings="calendar_settings: {include_unconfirmed: false}",
            due="2026-12-07",
        ),
    )
    assert run_scenario(ignored).status is Status.PASSED, run_scenario(ignored).details()


def test_the_slip_of_a_step_its_form_and_circular(tmp_path: Path) -> None:
    (tmp_path / "keys.yaml").write_text(textwrap.dedent(PROCEDURE).lstrip(), encoding="utf-8")
    path = write(
        tmp_path,
        "slip.yaml",
        """
        scenario: forms
        procedure: ../keys.yaml
        start: 2026-03-02T08:00
        steps:
          - receive:
            expect:
              slip: {form: 01, legal_basis: 03/2025/TT-VPCP,
                     title: Giấy tiếp nhận hồ sơ và hẹn trả kết quả}
          - fire: accept
            expect:
              slip: {form: "01"}
        """,
    )
    [failure] = run_scenario(path).failures
    assert failure.line == 11 and failure.what == "slip"
    assert failure.actual == "this step gave none"
    wrong = write(
        tmp_path,
        "wrong.yaml",
        """
        scenario: forms
        procedure: ../keys.yaml
        start: 2026-03-02T08:00
        steps:
          - receive:
            expect:
              slip: {form: "04", legal_basis: 01/2018/TT-VPCP}
        """,
    )
    failures = run_scenario(wrong).failures
    assert [(f.message, f.expected, f.actual) for f in failures] == [
        ("form", "04", "01 (ReceiptSlip)"),
        ("legal basis", "01/2018/TT-VPCP", "03/2025/TT-VPCP (ReceiptSlip)"),
    ]


def test_an_unknown_calendar_setting_is_an_error(tmp_path: Path) -> None:
    path = scenario(
        tmp_path, "cal", "calendar_settings: {defer_receipts: false}\n", "timeliness: early"
    )
    result = run_scenario(path)
    assert result.status is Status.ERROR
    [finding] = result.findings
    assert finding.line == 4 and "defer_receipts_outside_hours" in (finding.hint or "")


_RUNNER = ScenarioRunner()
_CALENDARS = {on: WorkCalendar.vietnam(defer_receipts_outside_hours=on) for on in (True, False)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minutes=st.integers(min_value=0, max_value=7 * 24 * 60 - 1),
    defer=st.booleans(),
)
def test_calendar_settings_reach_the_engine(minutes: int, defer: bool) -> None:
    """Whatever the instant of receipt in a week (night, weekend, lunch), the
    scenario's appointment is the calendar's with the same setting: due 10
    working days from ``received_at`` (the next opening, or the instant itself
    when the setting is off)."""
    cal = _CALENDARS[defer]
    received = cal.localize(datetime(2026, 3, 2)) + timedelta(minutes=minutes)
    due = cal.due(cal.received_at(received), 10)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "keys.yaml").write_text(textwrap.dedent(PROCEDURE).lstrip(), encoding="utf-8")
        path = write(
            root,
            "defer.yaml",
            f"""
            scenario: receipt at {received.isoformat()}
            procedure: ../keys.yaml
            start: {received.replace(tzinfo=None).isoformat()}
            calendar_settings: {{defer_receipts_outside_hours: {str(defer).lower()}}}
            steps:
              - receive:
                expect:
                  due: {due.replace(tzinfo=None).isoformat()}
            """,
        )
        result = _RUNNER.run_file(path)
    assert result.status is Status.PASSED, result.details()
