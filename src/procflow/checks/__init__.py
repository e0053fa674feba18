"""Whole-procedure checks (networkx): references, reachability, cycles, time.

The graph (:mod:`procflow.checks.graph`) is shared with the compiler and the
diagrams; the rules (:mod:`procflow.checks.rules`) turn it into findings with
the stable codes of :mod:`procflow.checks.codes`.
"""

from procflow.checks.codes import CODES, CodeInfo
from procflow.checks.graph import CriticalPath, critical_path, procedure_graph
from procflow.checks.rules import check_procedure

__all__ = [
    "CODES",
    "CodeInfo",
    "CriticalPath",
    "check_procedure",
    "critical_path",
    "procedure_graph",
]
