"""The sweep: warnings and overdue events for deadlines near or past, written
once each however many sweepers run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procflow.compiler import CompiledProcedure
from procflow.engine.core import dated_before, log
from procflow.engine.moves import Moves
from procflow.errors import ConflictError, InvalidTrigger, RuleViolation
from procflow.model.actor import SYSTEM
from procflow.model.events import Event, EventType, frozen_event
from procflow.model.instant import Instant, dt_of, ts_of
from procflow.model.record import Record
from procflow.model.timefmt import iso

_ROUNDS = 4
"""Rounds of alerts and escalations per dossier and sweep (a fired move can
make the next step's alerts due at once)."""


class Sweeping(Moves):
    """Emit warnings and overdue events; carry out the escalation rules."""

    def sweep(self, now: datetime | None = None, *, limit: int = 1000) -> list[Event]:
        """Emit warnings and overdue events for deadlines near or past.

        Safe to run again and again, and from several processes: each alert
        is recorded on the dossier, so it is emitted once; a dossier another
        worker (or an officer) changed meanwhile is skipped this round. A
        deadline already past when the sweep first finds it gets its overdue
        event only: the warning is superseded (the overdue event's data lists
        its key under ``supersedes``) and never emitted.

        Then the procedure's escalation rules (``alerts.escalate``) on the
        alerts given: each rule acts once per deadline, as an ``escalated``
        event that names the roles to notify and the role the dossier is
        reassigned to, followed by the rule's move when it names one (fired by
        the system, dated ``now``). Both kinds are in the list returned.
        """
        now = now or self.clock.now()
        emitted: list[Event] = []
        # A store that hands each due dossier to one sweeper (PostgreSQL's SKIP
        # LOCKED) saves the others wasted work; without it the version check
        # alone keeps alerts from being written twice.
        codes = self.store.claim_for_alert(now, limit)
        t = ts_of(now)
        for code in codes:
            with self._acting():  # one dossier's alerts and escalations: one act
                self._sweep_one(code, t, now, emitted)
        return emitted

    def _sweep_one(self, code: str, t: Instant, now: datetime, emitted: list[Event]) -> None:
        """The alerts due on one dossier, and the escalations they owe."""
        rec = self.store.record(code, self._tz)
        if rec is None or not rec.is_open:
            return
        early = dated_before(rec, t, now.tzinfo)
        if early:
            # The same guard as an officer's move: a sweep "as of" an instant
            # before the dossier's last event would date alerts before it.
            log.warning("sweep skipped %s: %s", code, early)
            return
        try:
            # An escalation that fires a move may make new alerts due
            # (the next step's); a few rounds settle any dossier.
            for _ in range(_ROUNDS):
                due_now = [a for a in sorted(self._alerts(rec)) if a[0] <= t]
                if not due_now:
                    break
                rec = self._carry_out(rec, due_now, now, emitted)
                if not rec.is_open:
                    break
        except ConflictError:
            return  # someone else moved it; the next sweep looks again

    def _carry_out(
        self,
        rec: Record,
        due_now: list[tuple[Instant, str, str]],
        now: datetime,
        emitted: list[Event],
    ) -> Record:
        """Write the alerts due now on one dossier, then the escalations owed."""
        proc = self.catalogue.get(rec.procedure_id, rec.procedure_version)
        tz = self._tz
        keys = {key for _, key, _ in due_now}
        escalations: list[str] = []
        for _, key, scope in due_now:
            if scope == "escalation":
                escalations.append(key)
                continue
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
            event, rec = self._write(proc, rec, type_, now, SYSTEM, data)
            emitted.append(event)
        for key in escalations:
            if not rec.is_open:
                break
            rec = self._escalate(proc, rec, key, now, emitted)
        return rec

    def _escalate(
        self, proc: CompiledProcedure, rec: Record, key: str, now: datetime, emitted: list[Event]
    ) -> Record:
        """Carry out one escalation rule on one alert: an ``escalated`` event
        (which the outbox turns into notices for the roles it names, and which
        reassigns the dossier when the rule says so), then the rule's move."""
        _, number, alert = key.split(":", 2)
        rule = proc.procedure.alerts.escalate[int(number)]
        data: dict[str, Any] = {
            "key": key,
            "alert": alert,
            "rule": int(number),
            "on": rule.alert,
            "state": rec.state,
            "holder": proc.states[rec.state].agency,
            "notify": list(rule.notify),
            "reassign": rule.reassign,
            "fire": rule.fire,
            "note": rule.note,
        }
        event, rec = self._write(proc, rec, EventType.ESCALATED, now, SYSTEM, data)
        emitted.append(event)
        if rule.fire is not None:
            try:
                rec = self._fire(
                    rec.code,
                    rule.fire,
                    SYSTEM,
                    f"escalation rule {number} on {alert}",
                    (),
                    rec.version,
                    at=now,
                    by_rule=True,
                )
            except (InvalidTrigger, RuleViolation) as exc:
                # The checks make sure the move exists where the rule acts; a
                # dossier the move cannot leave now is logged and left alone.
                log.warning(
                    "escalation %s on %s could not fire %r: %s", key, rec.code, rule.fire, exc
                )
            else:
                history = self.store.events(rec.code)
                emitted.append(frozen_event(history[-1]))
        return rec
