"""A procedure version's effective window, as a receipt and a reader see it.

Below the catalogue (which refuses a receipt on a day two versions share)
and :mod:`procflow.versions.windows` (which checks a set of windows for
overlaps and gaps before they are loaded): both describe a window the same
way, from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from procflow.definition.model import Procedure

__all__ = ["VersionWindow", "ambiguity_message"]


@dataclass(frozen=True, slots=True)
class VersionWindow:
    """One version's window, and where it is written (file and line), if known."""

    procedure_id: str
    version: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    file: str | None = None
    line: int | None = None

    @classmethod
    def of(
        cls, procedure: Procedure, file: str | None = None, line: int | None = None
    ) -> VersionWindow:
        return cls(
            procedure.id,
            procedure.version,
            procedure.effective_from,
            procedure.effective_to,
            file,
            line,
        )

    @property
    def label(self) -> str:
        """``version 2021-01 (household-2021.yaml:31)``"""
        where = ""
        if self.file:
            where = f" ({self.file}" + (f":{self.line}" if self.line else "") + ")"
        return f"version {self.version}{where}"

    @property
    def span(self) -> str:
        start = self.effective_from.isoformat() if self.effective_from else "the beginning"
        end = self.effective_to.isoformat() if self.effective_to else "no end date"
        return f"{start} to {end}"


def ambiguity_message(procedure_id: str, procedures: Iterable[Procedure], on: dt.date) -> str:
    """Why receipt on ``on`` is refused when several versions are in force then."""
    windows = [VersionWindow.of(p) for p in procedures]
    listed = "; ".join(f"{w.label}: {w.span}" for w in windows)
    return (
        f"{len(windows)} versions of {procedure_id!r} are in force on {on.isoformat()} "
        f"({listed}): the windows overlap, so the version to receive under is ambiguous. "
        "Fix effective_from / effective_to (procflow validate shows where)"
    )
