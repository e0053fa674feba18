"""pytest plugin shipped with procflow (entry point ``pytest11``).

* **Scenario files are collected as tests.** A YAML file in a folder named
  ``tests`` whose top-level ``scenario:`` key holds text becomes one test
  item; procedure, calendar and simulation files (``scenario: 1``) are never
  collected. A failure shows what was expected, what happened, and
  the scenario file's line. With ``--junitxml``, the report validates
  against Jenkins' JUnit schema in pytest's default ``junit_family=xunit2``
  (the scenario's title is a test-case property only under ``xunit1``).
  Turn collection off with the ini option
  ``procflow_scenarios = false``; ``procflow_procedures`` (paths) says where
  procedures named by id are looked up.
* **Fixtures** for developers embedding procflow:

  - ``procflow_calendar``: Viet Nam's working-day calendar (session);
  - ``procflow_start``: when the clock starts (override it in a conftest);
  - ``procflow_clock``: a :class:`~procflow.testing.WorkingClock`
    (``clock.advance(working_days=3)``);
  - ``procflow_procedures``: paths of procedure files (override it);
  - ``procflow_catalogue``: the procedures, loaded once per session;
  - ``procflow_engine``: an :class:`~procflow.engine.Engine` on an in-memory
    store, with that clock.

The plugin imports procflow lazily, so it costs nothing to test runs that do
not use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Engine
    from procflow.testing.clock import WorkingClock
    from procflow.testing.result import ScenarioResult
    from procflow.testing.runner import ScenarioRunner

_RUNNER_KEY = pytest.StashKey["ScenarioRunner"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "procflow_scenarios",
        "collect procflow scenario YAML files as tests (default: true)",
        type="bool",
        default=True,
    )
    parser.addini(
        "procflow_procedures",
        "folders where procflow looks up procedures named by id (default: the "
        "'procedures' folder above each scenario, or ./procedures for the fixtures)",
        type="paths",
        default=[],
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    if not parent.config.getini("procflow_scenarios"):
        return None
    from procflow.testing.discover import is_scenario_file

    if not is_scenario_file(file_path):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


def _junit_family(config: pytest.Config) -> str:
    """pytest's ``junit_family`` ini option (``legacy`` means ``xunit1``), or
    ``xunit2`` when the junitxml plugin is off and the option undeclared."""
    try:
        family = str(config.getini("junit_family"))
    except ValueError:
        return "xunit2"
    return "xunit1" if family in ("legacy", "xunit1") else family


def _runner(config: pytest.Config) -> ScenarioRunner:
    runner = config.stash.get(_RUNNER_KEY, None)
    if runner is None:
        from procflow.testing.runner import ScenarioRunner

        runner = ScenarioRunner(config.getini("procflow_procedures"))
        config.stash[_RUNNER_KEY] = runner
    return runner


class ScenarioFile(pytest.File):
    """A scenario YAML file: one test item."""

    def collect(self) -> Iterator[pytest.Item]:
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioFailed(Exception):
    """A scenario failed or could not run; the message says where and why."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.details())
        self.result = result


class ScenarioItem(pytest.Item):
    """Runs one scenario file against the real engine."""

    def runtest(self) -> None:
        result = _runner(self.config).run_file(self.path)
        if _junit_family(self.config) == "xunit1":
            # xunit1 keeps properties on the test case; xunit2 (pytest's default)
            # allows them only on the suite, and Jenkins' JUnit schema refuses
            # them here: the title is in the failure report instead.
            self.user_properties.append(("scenario", result.name))
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            result = excinfo.value.result
            head = f"scenario: {result.name}"
            if result.status.value == "failed":
                head += f" (stopped after step {result.steps_run} of {result.steps_total})"
            else:
                head += " (could not run)"
            return f"{head}\n{result.details()}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario: {self.name}"


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def procflow_calendar() -> WorkCalendar:
    """Viet Nam's public-sector calendar (holidays + the shipped overlay)."""
    from procflow.calendar import WorkCalendar

    return WorkCalendar.vietnam()


@pytest.fixture
def procflow_start(procflow_calendar: WorkCalendar) -> datetime:
    """When ``procflow_clock`` starts: Monday 5 January 2026, 08:00. Override to change."""
    return datetime(2026, 1, 5, 8, 0, tzinfo=procflow_calendar.tz)


@pytest.fixture
def procflow_clock(procflow_start: datetime, procflow_calendar: WorkCalendar) -> WorkingClock:
    """A virtual clock that advances in working days and hours on the calendar."""
    from procflow.testing.clock import WorkingClock

    return WorkingClock(procflow_start, procflow_calendar)


@pytest.fixture(scope="session")
def procflow_procedures(pytestconfig: pytest.Config) -> list[Path]:
    """Procedure files or folders for ``procflow_catalogue``. Override to choose."""
    configured: list[Path] = pytestconfig.getini("procflow_procedures")
    if configured:
        return configured
    default = pytestconfig.rootpath / "procedures"
    return [default] if default.is_dir() else []


@pytest.fixture(scope="session")
def procflow_catalogue(procflow_procedures: list[Path]) -> Catalogue:
    """Every procedure under ``procflow_procedures``, loaded and checked once."""
    from procflow.catalogue import Catalogue

    return Catalogue.from_paths(procflow_procedures)


@pytest.fixture
def procflow_engine(
    procflow_catalogue: Catalogue,
    procflow_calendar: WorkCalendar,
    procflow_clock: WorkingClock,
) -> Engine:
    """An engine on a fresh in-memory store, driven by ``procflow_clock``."""
    from procflow.engine import Engine
    from procflow.store import MemoryStore

    return Engine(MemoryStore(), procflow_catalogue, procflow_calendar, procflow_clock)
