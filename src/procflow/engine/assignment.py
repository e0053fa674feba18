"""Assigning a dossier to an officer (phân công): who works on it in its step.

An assignment is an event, like everything that happens to a dossier: the
log says who was given the dossier, by whom and when, and a reassignment is
a second event. It lasts while the dossier stays in its step; a move clears
it, since the next step's agency assigns its own officer. A step with
``assigned_only: true`` lets only the assigned officer move the dossier out.
"""

from __future__ import annotations

from procflow.engine.authority import Act
from procflow.engine.core import EngineCore
from procflow.errors import RuleViolation
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.events import EventType


class Assignment(EngineCore):
    """Assign and reassign dossiers within the holding agency."""

    def assign(
        self,
        code: str,
        actor: Actor,
        *,
        officer: str | None = None,
        role: str | None = None,
        note: str | None = None,
    ) -> Dossier:
        """Assign the dossier to ``officer`` (an officer id of the agency holding
        it) or to ``role`` (any officer with that role there), or both; a
        second call reassigns it. ``officer=None, role=None`` clears the
        assignment. ``actor`` must be an officer of the holding agency with a
        role ``rules.authority.assign`` allows (by default any).
        """
        for name, value in (("officer", officer), ("role", role)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise RuleViolation(f"{name}: give an id, not {value!r}")
        dossier = self._current(code)
        self._require_open(dossier, "assign")
        proc = self.procedure_of(dossier)
        info = self._require(proc, dossier, Act.ASSIGN, actor)
        data = {
            "officer": officer,
            "role": role,
            "agency": info.agency or dossier.desk_agency,
            "step": dossier.state,
            "previous": dossier.assignee,
            "note": note,
        }
        return self._append(proc, dossier, EventType.ASSIGNED, self.clock.now(), actor, data)
