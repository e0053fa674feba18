"""A dossier's statutory due date, recomputed from its event log.

The engine computes the due date when it writes an event and stores it, so a
stored dossier keeps the date it was given even if the calendar changes.
This module recomputes it from the facts in the log, on any calendar and with
any time limit: the receipt instant, each pause (from the step that paused
the clock to the answer that resumed it), each restart of the clock, and
migrations that asked for a new due date. It follows the engine's rules:

- receipt: the time limit counted from the receipt instant (from the next
  opening of office hours for one outside them: ``WorkCalendar.received_at``);
- an answer after a pause: the due date moves by the working time paused
  (measured on the given calendar), by the engine's own rule;
- an answer in a ``clock: restart`` step: the time limit counted again from
  the answer;
- a migration with a new due date: the new version's time limit counted from
  the receipt, with every pause and restart so far applied again.

With the calendar the dossier was processed on, the result equals the stored
``due_at`` (the tests check this); with a changed calendar, the difference is
what ``procflow recalc`` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procflow.definition.cases import resolve_durations
from procflow.definition.model import Duration
from procflow.engine import timing
from procflow.errors import StoreError
from procflow.model.events import TRANSITIONS, Event, EventType

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue

__all__ = ["ClockOp", "fold", "limits_of", "move_due", "recompute_due"]

#: ("start", at, None) | ("restart", at, None) | ("pause", start, end)
ClockOp = tuple[str, datetime, datetime | None]
Limit = Duration | timing.Deadline
"""A time limit: a Duration, or a Deadline carrying the procedure's pause rule
(:meth:`procflow.engine.timing.Deadline.of_procedure`)."""


def move_due(
    calendar: WorkCalendar, due: datetime, paused_seconds: float, limit: Limit
) -> datetime:
    """The due date after a pause, by the rule the engine applies when the
    applicant answers (:func:`procflow.engine.timing.moved_due`)."""
    return timing.moved_due(calendar, due, paused_seconds, limit)


def fold(calendar: WorkCalendar, ops: Iterable[ClockOp], limit: Limit) -> datetime | None:
    """The due date the clock operations ``ops`` give with ``limit``."""
    due: datetime | None = None
    for kind, at, end in ops:
        if kind in ("start", "restart"):
            due = timing.deadline(calendar, at, limit)
        elif due is not None and end is not None:
            due = move_due(calendar, due, calendar.working_seconds_between(at, end), limit)
    return due


def recompute_due(
    calendar: WorkCalendar,
    events: Iterable[Event],
    limit_of: Callable[[str], Limit],
    *,
    to_version: tuple[str, bool] | None = None,
    limit_for: Callable[[str, Mapping[str, Any]], Limit] | None = None,
    new_facts: Mapping[str, Any] | None = None,
) -> datetime:
    """The statutory due date of the dossier whose log is ``events``, on ``calendar``.

    ``limit_of(version)`` gives the time limit of a version of the dossier's
    procedure. ``to_version=(version, keep_due)`` computes the due date as a
    migration to ``version`` now would set it: unchanged when ``keep_due``,
    otherwise the new limit counted from the receipt with the pauses so far.

    A time limit chosen by facts (``cases``): ``limit_for(version, facts)``,
    when given, replaces ``limit_of`` and the dossier's facts are followed
    through the log (those given at receipt, then each ``facts_set``); a
    ``facts_set`` that carries ``due_at`` recounts the due date under the
    limit of the facts it leaves, as the engine did. ``new_facts`` are facts
    about to be set: the result is the due date setting them gives
    (:func:`limits_of` makes ``limit_for`` from a catalogue).
    """
    due: datetime | None = None
    limit: Limit | None = None
    ops: list[ClockOp] = []
    paused_at: datetime | None = None
    facts: dict[str, Any] = {}
    version = ""

    def limit_in(version: str) -> Limit:
        return limit_for(version, facts) if limit_for is not None else limit_of(version)

    for event in events:
        data = event.data
        if event.type is EventType.RECEIVED:
            version = data["procedure_version"]
            facts = dict(data.get("facts") or {})
            limit = limit_in(version)
            # the clock starts when the receipt counts (the next opening, after hours)
            start = calendar.received_at(event.at)
            ops.append(("start", start, None))
            due = timing.deadline(calendar, start, limit)
        elif due is None or limit is None:
            continue
        elif event.type is EventType.FACTS_SET:
            facts.update(data["facts"])
            limit = limit_in(version)
            if "due_at" in data:
                due = fold(calendar, ops, limit) or due
        elif event.type in TRANSITIONS:
            if event.type is EventType.RESUMED and paused_at is not None:
                if "paused_seconds" in data:
                    ops.append(("pause", paused_at, event.at))
                    paused = calendar.working_seconds_between(paused_at, event.at)
                    due = move_due(calendar, due, paused, limit)
                elif "due_at" in data:
                    ops.append(("restart", event.at, None))
                    due = timing.deadline(calendar, event.at, limit)
            value = data.get("paused_at")
            paused_at = datetime.fromisoformat(value) if value else None
        elif event.type is EventType.MIGRATED:
            version = data["to_version"]
            limit = limit_in(version)
            if "due_at" in data:
                due = fold(calendar, ops, limit) or due
    if due is None or limit is None:
        raise StoreError("the log has no receipt: there is no due date to compute")
    if new_facts is not None:
        facts.update(new_facts)
        due = fold(calendar, ops, limit_in(version)) or due
    if to_version is not None and not to_version[1]:
        limit = limit_in(to_version[0])
        due = fold(calendar, ops, limit) or due
    return due


def limits_of(catalogue: Catalogue, procedure_id: str) -> Callable[[str, Mapping[str, Any]], Limit]:
    """``limit_for`` of :func:`recompute_due` from a catalogue: the time limit
    of a version of ``procedure_id`` for a dossier's facts, with its pause rule
    (:func:`procflow.definition.cases.resolve_durations`, as the engine)."""

    def limit_for(version: str, facts: Mapping[str, Any]) -> Limit:
        procedure = catalogue.get(procedure_id, version).procedure
        return timing.Deadline.of_procedure(resolve_durations(procedure, facts))

    return limit_for
