"""The sweep: warnings and overdue events for deadlines near or past, written
once each however many sweepers run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procflow.engine.core import EngineCore, dated_before, log
from procflow.errors import ConflictError
from procflow.model.actor import SYSTEM
from procflow.model.events import Event, EventType
from procflow.model.instant import dt_of, ts_of
from procflow.model.timefmt import iso


class Sweeping(EngineCore):
    """Emit warnings and overdue events."""

    def sweep(self, now: datetime | None = None, *, limit: int = 1000) -> list[Event]:
        """Emit warnings and overdue events for deadlines near or past.

        Safe to run again and again, and from several processes: each alert
        is recorded on the dossier, so it is emitted once; a dossier another
        worker (or an officer) changed meanwhile is skipped this round. A
        deadline already past when the sweep first finds it gets its overdue
        event only: the warning is superseded (the overdue event's data lists
        its key under ``supersedes``) and never emitted.
        """
        now = now or self.clock.now()
        emitted: list[Event] = []
        # A store that hands each due dossier to one sweeper (PostgreSQL's SKIP
        # LOCKED) saves the others wasted work; without it the version check
        # alone keeps alerts from being written twice.
        codes = self.store.claim_for_alert(now, limit)
        t = ts_of(now)
        tz = self._tz
        for code in codes:
            rec = self.store.record(code, tz)
            if rec is None or not rec.is_open:
                continue
            early = dated_before(rec, t, now.tzinfo)
            if early:
                # The same guard as an officer's move: a sweep "as of" an instant
                # before the dossier's last event would date alerts before it.
                log.warning("sweep skipped %s: %s", code, early)
                continue
            proc = self.catalogue.get(rec.procedure_id, rec.procedure_version)
            due_now = [a for a in sorted(self._alerts(rec)) if a[0] <= t]
            keys = {key for _, key, _ in due_now}
            for _, key, scope in due_now:
                # A sweep that comes after a deadline has passed does not warn
                # of it first: the overdue event supersedes the warning and
                # carries its key, so no later sweep gives the warning either.
                if key.startswith("warn:"):
                    if "overdue:" + key.removeprefix("warn:") in keys:
                        continue
                    type_, superseded = EventType.WARNED, None
                else:
                    warn = "warn:" + key.removeprefix("overdue:")
                    type_, superseded = EventType.OVERDUE, warn if warn in keys else None
                due = rec.step_due if scope == "step" else rec.due
                data: dict[str, Any] = {
                    "alert": key,
                    "scope": scope,
                    "due_at": iso(dt_of(due, tz)) if due is not None else None,
                    "state": rec.state,
                    "holder": proc.states[rec.state].agency,
                }
                if superseded is not None:
                    data["supersedes"] = [superseded]
                try:
                    event, rec = self._write(proc, rec, type_, now, SYSTEM, data)
                except ConflictError:
                    break  # someone else moved it; the next sweep looks again
                emitted.append(event)
        return emitted
