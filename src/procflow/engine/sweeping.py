"""The sweep: warnings and overdue events for deadlines near or past, written
once each however many sweepers run.
"""

from __future__ import annotations

from datetime import datetime

from procflow.engine.core import EngineCore, dated_before_last, log
from procflow.errors import ConflictError
from procflow.model.actor import SYSTEM
from procflow.model.events import Event, EventType
from procflow.model.timefmt import iso


class Sweeping(EngineCore):
    """Emit warnings and overdue events."""

    def sweep(self, now: datetime | None = None, *, limit: int = 1000) -> list[Event]:
        """Emit warnings and overdue events for deadlines near or past.

        Safe to run again and again, and from several processes: each alert
        is recorded on the dossier, so it is emitted once; a dossier another
        worker (or an officer) changed meanwhile is skipped this round.
        """
        now = now or self.clock.now()
        emitted: list[Event] = []
        # A store that hands each due dossier to one sweeper (PostgreSQL's SKIP
        # LOCKED) saves the others wasted work; without it the version check
        # alone keeps alerts from being written twice.
        codes = self.store.claim_for_alert(now, limit)
        for code in codes:
            dossier = self.store.get(code)
            if dossier is None or not dossier.is_open:
                continue
            early = dated_before_last(dossier, now)
            if early:
                # The same guard as an officer's move: a sweep "as of" an instant
                # before the dossier's last event would date alerts before it.
                log.warning("sweep skipped %s: %s", code, early)
                continue
            proc = self.procedure_of(dossier)
            for at, key, scope in sorted(self._alerts(proc, dossier)):
                if at > now:
                    break
                type_ = EventType.WARNED if key.startswith("warn:") else EventType.OVERDUE
                due = dossier.step_due_at if scope == "step" else dossier.due_at
                data = {
                    "alert": key,
                    "scope": scope,
                    "due_at": iso(due) if due else None,
                    "state": dossier.state,
                    "holder": proc.states[dossier.state].agency,
                }
                try:
                    written, event = self.write_event(proc, dossier, type_, now, SYSTEM, data)
                except ConflictError:
                    break  # someone else moved it; the next sweep looks again
                emitted.append(event)
                dossier = written.clone()  # the store now holds ``written``
        return emitted
