"""The pytest plugin: scenario files become test items; other YAML is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scenariotest import DEATH, FRIDAY_13, WRONG_DUE, write

from procflow.testing.discover import is_scenario_file


class _Reports:
    def __init__(self) -> None:
        self.reports: list[Any] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call":
            self.reports.append(report)


def _run(folder: Path, *extra: str) -> tuple[int, _Reports]:
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    reports = _Reports()
    code = pytest.main(
        [str(folder), "-p", "no:cacheprovider", "-q", "--rootdir", str(folder), *extra],
        plugins=[reports],
    )
    return int(code), reports


def test_scenarios_are_collected_and_failures_name_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "friday.yaml", FRIDAY_13)
    wrong = write(tmp_path, "wrong.yaml", WRONG_DUE)
    # Not scenarios: a procedure, a simulation file, YAML outside tests/.
    (tmp_path / "death.yaml").write_text(DEATH.read_text("utf-8"), encoding="utf-8")
    write(tmp_path, "simulation.yaml", "scenario: 1\nseed: 4\n")
    (tmp_path / "loose.yaml").write_text("scenario: outside a tests folder\n", encoding="utf-8")
    code, reports = _run(tmp_path)
    out = capsys.readouterr().out
    assert code == 1
    outcomes = {Path(r.fspath).name: r.outcome for r in reports.reports}
    assert outcomes == {"friday.yaml": "passed", "wrong.yaml": "failed"}
    assert f"{wrong}:8: step 1 (receive): appointment" in out
    assert "expected: 2026-02-20" in out
    assert "Traceback" not in out and "raise ScenarioFailed" not in out


def test_collection_can_be_turned_off(tmp_path: Path) -> None:
    write(tmp_path, "friday.yaml", FRIDAY_13)
    code, reports = _run(tmp_path, "-o", "procflow_scenarios=false")
    assert code == 5 and not reports.reports  # nothing collected


def test_is_scenario_file_rule(tmp_path: Path) -> None:
    good = write(tmp_path, "x.yaml", "# comment\nscenario: a title\n")
    sim = write(tmp_path, "y.yaml", "scenario: 1  # format\n")
    outside = tmp_path / "z.yaml"
    outside.write_text("scenario: a title\n")
    assert is_scenario_file(good)
    assert not is_scenario_file(sim)
    assert not is_scenario_file(outside)
    assert not is_scenario_file(DEATH)
