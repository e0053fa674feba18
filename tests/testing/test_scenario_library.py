"""The library's own scenarios: every procedure has one, Tết and a pause are covered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scenariotest import PROCEDURES

from procflow.definition.loader import discover, read_procedure
from procflow.testing import ScenarioRunner, Status, find_scenarios, load_scenario

SCENARIOS = find_scenarios([PROCEDURES])


def test_every_scenario_passes_and_every_procedure_file_has_one() -> None:
    runner = ScenarioRunner()
    covered: set[Path] = set()
    procedures = {path.resolve(): read_procedure(path) for path in discover([PROCEDURES])}
    for path in SCENARIOS:
        result = runner.run_file(path)
        assert result.status is Status.PASSED, result.details()
        scenario = load_scenario(path).scenario
        assert scenario is not None
        ref = scenario.procedure
        if ref.endswith(".yaml"):
            covered.add((path.parent / ref).resolve())
            continue
        for file, proc in procedures.items():  # by id: the version that runs
            if proc.id != ref:
                continue
            if scenario.version == proc.version or (
                scenario.version is None and proc.in_force_on(scenario.start.date())
            ):
                covered.add(file)
    missing = sorted(str(p.relative_to(PROCEDURES.resolve())) for p in set(procedures) - covered)
    assert not missing, f"procedure files without a scenario: {missing}"


@pytest.mark.parametrize("kind", ["tet", "supplement"])
def test_the_library_covers_tet_and_a_supplement_pause(kind: str) -> None:
    found = []
    for path in SCENARIOS:
        loaded = load_scenario(path)
        assert loaded.scenario is not None
        s = loaded.scenario
        if kind == "tet":
            if s.start.date() <= date(2026, 2, 13) and s.start.date() >= date(2026, 2, 1):
                found.append(path)
        elif any(step.fire == "request_supplement" for step in s.steps):
            found.append(path)
    assert found
