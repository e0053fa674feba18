"""procflow: administrative procedures as state machines, held to their legal deadlines.

The package follows the flow of a procedure from paper to figures::

    definition  ->  checks  ->  compiler  ->  engine  ->  store  ->  reports / simulation
    (YAML, models)  (graph)     (machines)     (dossiers)  (SQLite)

and ``calendar`` under all of them counts working time on Vietnam's calendar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from procflow.errors import (
    CalendarError,
    ConflictError,
    DefinitionError,
    DossierClosed,
    DossierNotFound,
    EngineError,
    InvalidTrigger,
    NotPermitted,
    ProcflowError,
    RuleViolation,
    StoreError,
    TamperDetected,
    UnknownProcedure,
)
from procflow.findings import Finding, Severity

if TYPE_CHECKING:  # what the lazy names below are, for type checkers
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.compiler import compile_procedure
    from procflow.definition.loader import read_procedure
    from procflow.engine import Actor, Engine, SystemClock, VirtualClock
    from procflow.reports import build_report
    from procflow.runtime import open_engine
    from procflow.store import open_store

# The main entry points, imported on first use so that ``import procflow``
# stays light (the calendar pulls in numpy and holidays, the stores sqlite3).
_LAZY = {
    "Actor": "procflow.engine",
    "Catalogue": "procflow.catalogue",
    "Engine": "procflow.engine",
    "SystemClock": "procflow.engine",
    "VirtualClock": "procflow.engine",
    "WorkCalendar": "procflow.calendar",
    "build_report": "procflow.reports",
    "compile_procedure": "procflow.compiler",
    "open_engine": "procflow.runtime",
    "open_store": "procflow.store",
    "read_procedure": "procflow.definition.loader",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'procflow' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Actor",
    "CalendarError",
    "Catalogue",
    "ConflictError",
    "DefinitionError",
    "DossierClosed",
    "DossierNotFound",
    "Engine",
    "EngineError",
    "Finding",
    "InvalidTrigger",
    "NotPermitted",
    "ProcflowError",
    "RuleViolation",
    "Severity",
    "StoreError",
    "SystemClock",
    "TamperDetected",
    "UnknownProcedure",
    "VirtualClock",
    "WorkCalendar",
    "__version__",
    "build_report",
    "compile_procedure",
    "open_engine",
    "open_store",
    "read_procedure",
]
