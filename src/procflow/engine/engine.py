"""The engine: receive dossiers, move them through their procedure, time every step.

The engine holds no dossier between calls. Each call reads one dossier from
the store, checks who is acting and whether the move is allowed, computes the
deadlines with the calendar, writes one event and the new state in one
atomic store call, and only then tells the listeners.
"""

from __future__ import annotations

from procflow.engine.acts import FactsAndApologies
from procflow.engine.assignment import Assignment
from procflow.engine.audit import Audit, VerifyReport
from procflow.engine.control import ControlSlips
from procflow.engine.core import Listener
from procflow.engine.moves import Moves
from procflow.engine.reception import Reception
from procflow.engine.sweeping import Sweeping
from procflow.engine.worklists import Worklists

__all__ = ["Engine", "Listener", "VerifyReport"]


class Engine(
    Reception, FactsAndApologies, Assignment, Worklists, Sweeping, Moves, ControlSlips, Audit
):
    """Run dossiers through compiled procedures.

    One class for callers, made of one part per job, each in its own module:
    :mod:`~procflow.engine.core` (state, listeners, reading, writing one
    event), :mod:`~procflow.engine.reception`, :mod:`~procflow.engine.moves`,
    :mod:`~procflow.engine.acts` (facts, apologies),
    :mod:`~procflow.engine.assignment` (who works on a dossier),
    :mod:`~procflow.engine.worklists` (whose open dossiers, soonest first),
    :mod:`~procflow.engine.sweeping`, :mod:`~procflow.engine.control` (the
    control slip) and :mod:`~procflow.engine.audit` (replay, verify).

    ``warning_hours`` is how many working hours before a deadline ``sweep``
    warns. ``agency_codes`` maps agency ids to the codes printed in dossier
    codes (agency code + date of receipt + sequence number), and
    ``sequence_digits`` is the sequence number's width (5 by default).
    """
