"""Helpers for the simulation tests (a uniquely named module)."""

from __future__ import annotations

from typing import Any

from procflow.compiler import CompiledProcedure, compile_procedure
from procflow.definition.model import Procedure


def single_queue(agency: str = "office") -> CompiledProcedure:
    """One step, one agency: the M/M/c queue of the textbooks."""
    data: dict[str, Any] = {
        "id": "test.single-queue",
        "version": "1",
        "name": "Single queue",
        "legal_basis": [{"number": "test", "title": "queueing test"}],
        "time_limit": "5 working days",
        "agencies": [{"id": agency, "name": "Office", "desk": True}],
        "steps": [
            {
                "id": "work",
                "name": "Work",
                "kind": "processing",
                "agency": agency,
                "time": "5 working days",
                "outcomes": {"done": "returned"},
            }
        ],
    }
    return compile_procedure(Procedure.model_validate(data))
