"""The runner: passing and failing scenarios, bad files, error expectations."""

from __future__ import annotations

from pathlib import Path

from scenariotest import DEATH, FRIDAY_13, WRONG_DUE, write

from procflow.testing import ScenarioRunner, Status, load_scenario, run_scenario


def test_the_issue_example_passes(tmp_path: Path) -> None:
    result = run_scenario(write(tmp_path, "friday.yaml", FRIDAY_13))
    assert result.status is Status.PASSED, result.details()
    assert result.steps_run == 1


def test_a_wrong_expectation_names_file_line_expected_and_actual(tmp_path: Path) -> None:
    path = write(tmp_path, "wrong.yaml", WRONG_DUE)
    result = run_scenario(path)
    assert result.status is Status.FAILED
    [failure] = result.failures
    assert (failure.file, failure.line, failure.what) == (str(path), 8, "appointment")
    text = str(failure)
    assert text.startswith(f"{path}:8: step 1 (receive): appointment")
    assert "expected: 2026-02-20" in text
    assert "actual:   2026-02-27 17:00" in text


def test_every_failing_expectation_of_the_step_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two.yaml",
        f"""
        scenario: two wrong
        procedure: {DEATH}
        start: 2026-03-03T08:00
        steps:
          - receive:
            expect:
              state: death-registration
              holder: commune-police
              events: [received]
          - fire: forward
        """,
    )
    result = run_scenario(path)
    assert [(f.line, f.what) for f in result.failures] == [(7, "state"), (8, "holder")]
    assert result.steps_run == 1  # stopped at the failing step


def test_unexpected_engine_error_fails_the_step_with_a_hint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "police.yaml",
        f"""
        scenario: the police act on the commune's step
        procedure: {DEATH}
        start: 2026-03-03T08:00
        steps:
          - receive:
          - actor: commune-police
            fire: forward
        """,
    )
    [failure] = run_scenario(path).failures
    assert failure.line == 6
    assert "NotPermitted" in failure.actual and "held by 'commune-pc'" in failure.actual
    assert "expect: {error: NotPermitted}" in failure.message


def test_error_expectations_match_type_and_fragment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "errors.yaml",
        f"""
        scenario: errors
        procedure: {DEATH}
        start: 2026-03-03T08:00
        steps:
          - receive:
          - actor: commune-police
            fire: forward
            expect: {{error: "NotPermitted: held by", events: []}}
          - fire: explode
            expect: {{error: InvalidTrigger}}
          - fire: forward
            expect:
              error: {{type: RuleViolation}}
        """,
    )
    result = run_scenario(path)
    [failure] = result.failures
    assert failure.line == 13 and failure.what == "error"
    assert failure.expected == "RuleViolation" and failure.actual == "the action succeeded"


def test_bad_files_give_findings_with_lines_and_no_traceback(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        f"""
        scenario: bad
        procedure: {DEATH}
        start: 2026-02-30T10:00
        steps:
          - receive:
            expect:
              apointment: 2026-02-27
          - at: +2 wrking days
            fire: forward
        """,
    )
    result = run_scenario(path)
    assert result.status is Status.ERROR
    by_line = {f.line: f for f in result.findings}
    assert set(by_line) == {3, 7, 8}
    assert "did you mean 'appointment'" in (by_line[7].hint or "")
    assert "not a date or an instant" in by_line[3].message
    assert "'+2 wrking days'" in by_line[8].message
    assert "Traceback" not in result.details()


def test_key_mistakes_and_name_typos_are_reported_in_one_run(tmp_path: Path) -> None:
    # A reform officer fixes the file once, not once per kind of mistake: the
    # misspelt key in one step and the misspelt trigger in another both show.
    path = write(
        tmp_path,
        "typos.yaml",
        f"""
        scenario: typos
        procedure: {DEATH}
        start: 2026-02-13T10:00
        steps:
          - receive:
          - at: +30 minutes
            fire: foward
          - expect:
              apointment: 2026-02-27
          - fire: forward
            expect: {{state: recepton}}
        """,
    )
    result = run_scenario(path)
    assert result.status is Status.ERROR
    by_code = {f.code: f for f in result.findings}
    assert set(by_code) == {"unknown-key", "unknown-trigger", "unknown-step-or-end"}
    assert by_code["unknown-key"].line == 9
    assert by_code["unknown-trigger"].line == 7 and "'foward'" in by_code["unknown-trigger"].message
    assert by_code["unknown-step-or-end"].line == 11
    assert "Traceback" not in result.details()


def test_unknown_trigger_state_and_agency_are_caught_before_running(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "names.yaml",
        f"""
        scenario: typos
        procedure: {DEATH}
        start: 2026-03-03T08:00
        steps:
          - receive:
            expect: {{state: recepton}}
          - fire: foward
          - actor: {{agency: commune-polce}}
            fire: forward
            expect: {{late_agency: tax-office, events: [nothing]}}
        """,
    )
    result = run_scenario(path)
    codes = sorted((f.line, f.code) for f in result.findings)
    assert codes == [
        (6, "unknown-step-or-end"),
        (7, "unknown-trigger"),
        (8, "unknown-agency"),
        (10, "unknown-agency"),
        (10, "unknown-event"),
    ]
    trigger = next(f for f in result.findings if f.code == "unknown-trigger")
    assert "forward" in (trigger.hint or "") and str(path) == trigger.file


def test_other_yaml_is_refused_clearly(tmp_path: Path) -> None:
    sim = write(tmp_path, "sim.yaml", "scenario: 1\nname: a simulation\n")
    [finding] = load_scenario(sim).findings
    assert finding.code == "not-a-scenario" and "simulation" in finding.message
    proc = run_scenario(DEATH)
    assert proc.status is Status.ERROR and proc.findings[0].code == "not-a-scenario"


def test_missing_procedure_and_version(tmp_path: Path) -> None:
    missing = write(
        tmp_path,
        "m.yaml",
        "scenario: m\nprocedure: ../nope.yaml\nstart: 2026-03-03T08:00\nsteps: [{receive: }]\n",
    )
    [finding] = run_scenario(missing).findings
    assert finding.code == "unknown-procedure" and finding.line == 2
    version = write(
        tmp_path,
        "v.yaml",
        f'scenario: v\nprocedure: {DEATH}\nversion: "1999"\nstart: 2026-03-03T08:00\n'
        "steps: [{receive: }]\n",
    )
    [finding] = run_scenario(version).findings
    assert finding.code == "unknown-version" and finding.line == 3


def test_procedures_by_id_are_found_in_the_procedures_folder(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "byid.yaml",
        """
        scenario: by id
        procedure: vn.lien-thong.death
        start: 2026-03-03T08:00
        steps:
          - receive:
            expect: {appointment: 2026-03-10}
        """,
    )
    assert run_scenario(path).status is Status.ERROR  # no procedures folder above tmp
    runner = ScenarioRunner([DEATH.parent])
    result = runner.run_file(path)
    assert result.status is Status.PASSED, result.details()
