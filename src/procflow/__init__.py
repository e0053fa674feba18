"""procflow: administrative procedures as state machines, held to their legal deadlines.

The package follows the flow of a procedure from paper to figures::

    definition  ->  checks  ->  compiler  ->  engine  ->  store  ->  reports / simulation
    (YAML, models)  (graph)     (machines)     (dossiers)  (SQLite)

and ``calendar`` under all of them counts working time on Vietnam's calendar.
"""

from __future__ import annotations

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

__all__ = [
    "CalendarError",
    "ConflictError",
    "DefinitionError",
    "DossierClosed",
    "DossierNotFound",
    "EngineError",
    "Finding",
    "InvalidTrigger",
    "NotPermitted",
    "ProcflowError",
    "RuleViolation",
    "Severity",
    "StoreError",
    "TamperDetected",
    "UnknownProcedure",
    "__version__",
]
