"""Compile checked procedures into state machines the engine runs."""

from procflow.compiler.compile import compile_procedure
from procflow.compiler.compiled import (
    ENGINE_TRIGGERS,
    STOP,
    WITHDRAW,
    CompiledProcedure,
    FactsModel,
    MoveKind,
    StateInfo,
    Transition,
)

__all__ = [
    "ENGINE_TRIGGERS",
    "STOP",
    "WITHDRAW",
    "CompiledProcedure",
    "FactsModel",
    "MoveKind",
    "StateInfo",
    "Transition",
    "compile_procedure",
]
