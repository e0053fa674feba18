"""Writing one event through the engine's own write path.

Migration and recalculation write events the engine has no public call for.
They go through the same path as every transition: one event and the new
state in one atomic ``Store.append`` with the version read (optimistic
concurrency), the sweep's next-alert column recomputed, listeners told
afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procflow.compiler import CompiledProcedure
from procflow.engine import Actor, Dossier, Engine, Event, EventType

__all__ = ["write_event"]


def write_event(
    engine: Engine,
    proc: CompiledProcedure,
    dossier: Dossier,
    type_: EventType,
    at: datetime,
    actor: Actor | None,
    data: dict[str, Any],
) -> tuple[Dossier, Event]:
    """Append one event to ``dossier`` (as read) and return the new state and event.

    Raises :class:`~procflow.errors.ConflictError`, writing nothing, when the
    dossier changed since it was read. ``proc`` is the version the dossier
    runs under after the event.
    """
    return engine.write_event(proc, dossier, type_, at, actor, data)
