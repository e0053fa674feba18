"""Scenario tests for procedures: check that a procedure does what the law says.

* :mod:`~procflow.testing.scenario`: the scenario file (YAML) and its loader;
* :mod:`~procflow.testing.runner`: runs scenarios against the real engine;
* :mod:`~procflow.testing.clock`: :class:`WorkingClock`, a virtual clock that
  advances in working days and hours;
* :mod:`~procflow.testing.report`: text, JSON and JUnit XML reports;
* :mod:`~procflow.testing.pytest_plugin`: scenario files as pytest tests,
  and fixtures (``procflow_engine``, ``procflow_clock``, ``procflow_calendar``).

See docs/testing.md.
"""

from procflow.testing.clock import WorkingClock
from procflow.testing.discover import find_scenarios, is_scenario_file
from procflow.testing.result import Failure, ScenarioResult, Status
from procflow.testing.runner import ScenarioRunner, run_scenario
from procflow.testing.scenario import LoadedScenario, Scenario, load_scenario

__all__ = [
    "Failure",
    "LoadedScenario",
    "Scenario",
    "ScenarioResult",
    "ScenarioRunner",
    "Status",
    "WorkingClock",
    "find_scenarios",
    "is_scenario_file",
    "load_scenario",
    "run_scenario",
]
