"""What every export format is: a name, a file suffix and a streaming writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = ["ExportFormat", "ExportOptions", "ExportStats"]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    procedure: str | None = None
    """Only dossiers of this procedure."""
    alerts: bool = True
    """Include the sweep's ``warned``/``overdue`` events (off: a cleaner process map)."""


@dataclass(slots=True)
class ExportStats:
    cases: int = 0
    events: int = 0
    objects: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "events": self.events, "objects": self.objects}


Writer = Callable[["Store", IO[str], ExportOptions], ExportStats]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One format. A module of :mod:`procflow.export` that defines ``FORMAT``
    (an instance of this) is picked up by :func:`procflow.export.formats`."""

    name: str
    suffix: str
    description: str
    write: Writer
