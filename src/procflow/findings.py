"""Findings: what the loader and the checks say about a procedure file.

A finding is data, not an exception, so that every problem in a file can be
reported together: a reform officer fixing a YAML file wants the whole list in
one run, each item pointing at a file, line and key path, saying what is wrong
and how to fix it.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    """How bad a finding is. Only errors make a procedure unusable."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or remark) about one place in one file.

    ``code`` is a stable identifier (``unknown-agency``, ``unreachable-step``...)
    that tests and tools can match on; ``message`` is for people and ``hint``
    says how to fix it.
    """

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[str | int, ...] = field(default_factory=tuple)
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def key_path(self) -> str:
        """The key path in dotted form, e.g. ``steps[2].outcomes.accept``."""
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + str(part)
        return out

    @property
    def location(self) -> str:
        """``file:line:column`` as editors and compilers print it."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location
        if self.path:
            where += f" ({self.key_path})"
        text = f"{where}: {self.severity.value} [{self.code}] {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["path"] = self.key_path
        return data


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
