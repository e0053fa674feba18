"""What running a scenario gave: passed, failed (with every failing expectation), or error."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from procflow.findings import Finding

__all__ = ["Failure", "ScenarioResult", "Status"]


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    """An expectation did not hold (or an action failed unexpectedly)."""
    ERROR = "error"
    """The scenario could not run: a bad scenario file, or a bad procedure file."""


@dataclass(frozen=True)
class Failure:
    """One expectation that did not hold, with where it was written."""

    file: str
    line: int | None
    step: str
    """e.g. ``step 3 (fire send)``."""
    what: str
    """the expectation key, e.g. ``appointment`` or ``steps.deregistration``."""
    expected: str
    actual: str
    message: str = ""

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        head = f"{self.location}: {self.step}: {self.what}"
        if self.message:
            head += f": {self.message}"
        return f"{head}\n    expected: {self.expected}\n    actual:   {self.actual}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "step": self.step,
            "what": self.what,
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
        }


@dataclass
class ScenarioResult:
    """The result of one scenario file."""

    file: str
    name: str
    status: Status
    failures: list[Failure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """Why the scenario could not run (status ERROR), each with file:line."""
    duration: float = 0.0
    steps_run: int = 0
    steps_total: int = 0
    line: int = 1

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def details(self) -> str:
        """The failure or error text, as printed under FAILURES / ERRORS."""
        if self.status is Status.ERROR:
            errors = [f for f in self.findings if f.is_error] or self.findings
            return "\n".join(str(f) for f in errors)
        return "\n".join(str(f) for f in self.failures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "name": self.name,
            "status": self.status.value,
            "duration": round(self.duration, 4),
            "steps_run": self.steps_run,
            "steps_total": self.steps_total,
            "failures": [f.to_dict() for f in self.failures],
            "errors": [f.to_dict() for f in self.findings if f.is_error],
        }
