"""The holding agency's other acts: facts that steer branches, and the apology
with a new appointment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procflow.engine.authority import Act
from procflow.engine.core import EngineCore
from procflow.errors import RuleViolation
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.events import EventType
from procflow.model.payload import check_payload
from procflow.model.slips import ApologySlip
from procflow.model.timefmt import iso


class FactsAndApologies(EngineCore):
    """Set facts; apologise with a new appointment."""

    def set_facts(self, code: str, facts: dict[str, Any], actor: Actor) -> Dossier:
        """Record facts that steer branches (e.g. ``needs_verification: true``).

        Only the agency holding the dossier may set them, and of its officers
        those ``rules.authority.set_facts`` names (by default, whoever may move
        the dossier out of its step).
        """
        check_payload("facts", facts)
        dossier = self._current(code)
        self._require_open(dossier, "set facts")
        proc = self.procedure_of(dossier)
        self._require(proc, dossier, Act.SET_FACTS, actor)
        data: dict[str, Any] = {"facts": dict(facts)}
        due = self._due_for_facts(dossier, facts)
        if due is not None:
            data["due_at"] = iso(due)
            data["previous_due_at"] = iso(dossier.due_at)
        return self._append(proc, dossier, EventType.FACTS_SET, self.clock.now(), actor, data)

    def _due_for_facts(self, dossier: Dossier, facts: dict[str, Any]) -> datetime | None:
        """The statutory due date once ``facts`` are set, when they change which
        time limit applies (its ``cases``); None when the limit stays.

        The new limit counts from the receipt, with the pauses and restarts
        so far, by the rules a version migration follows
        (:func:`procflow.versions.clock.recompute_due`). The appointment
        given on the receipt slip is left as it was: a later one is the
        desk's to give (an apology with a new appointment) [design].
        """
        plans = self._plans_of(dossier.procedure_id, dossier.procedure_version)
        if not plans[1].case_facts:
            return None
        merged = {**dossier.facts, **facts}
        if self._variant(plans, dossier.facts)[1].limit == self._variant(plans, merged)[1].limit:
            return None
        from procflow.versions.clock import limits_of, recompute_due

        limit_for = limits_of(self.catalogue, dossier.procedure_id)
        due = recompute_due(
            plans[1].calendar,
            self.store.events(dossier.code),
            lambda version: limit_for(version, {}),
            limit_for=limit_for,
            new_facts=facts,
        )
        return None if due == dossier.due_at else due

    def apologise(
        self, code: str, actor: Actor, *, reason: str, new_appointment: datetime
    ) -> ApologySlip:
        """Issue an apology with a new appointment date, before the dossier is late.

        The agency holding the dossier issues it, signed by an officer with a
        role ``rules.authority.apologise`` names (by default its head,
        ``leader``), at least
        ``rules.apology_lead_days`` working days before the due date, at most
        ``rules.max_reappointments`` times. The statutory due date does not
        move: a dossier returned after an apology is still judged against it.
        """
        dossier = self._current(code)
        self._require_open(dossier, "apologise")
        proc = self.procedure_of(dossier)
        rules = proc.procedure.rules
        self._require(proc, dossier, Act.APOLOGISE, actor)
        if not reason.strip():
            raise RuleViolation("an apology must give the reason for the delay")
        if dossier.apologies >= rules.max_reappointments:
            raise RuleViolation(
                f"{code} already has {dossier.apologies} new appointment(s); the rules allow "
                f"{rules.max_reappointments} (rules.max_reappointments)"
            )
        now = self.clock.now()
        # the desk's calendar (the procedure's): the one the due date is counted on
        cal = self._plans_of(dossier.procedure_id, dossier.procedure_version)[1].calendar
        tz = cal.tz
        due_day = dossier.due_at.astimezone(tz).date()
        latest = cal.add_working_days(now.astimezone(tz).date(), rules.apology_lead_days)
        if rules.apology_lead_days and latest > due_day:
            raise RuleViolation(
                f"too late to apologise for {code}: the apology must come at least "
                f"{rules.apology_lead_days} working day(s) before the due date "
                f"{due_day.isoformat()} (rules.apology_lead_days)"
            )
        _require_aware(new_appointment)
        previous = dossier.appointment
        if new_appointment <= previous:
            raise RuleViolation(
                f"the new appointment {new_appointment.isoformat()} must be after the current "
                f"one, {previous.isoformat()}"
            )
        data = {"new_due_at": iso(new_appointment), "reason": reason}
        self._append(proc, dossier, EventType.APOLOGISED, now, actor, data)
        return ApologySlip(
            code=code,
            agency=actor.agency,
            reason=reason,
            previous_appointment=previous,
            new_appointment=new_appointment,
            statutory_due=dossier.due_at,
            issued_at=now,
            signed_by=str(actor),
            unconfirmed_days=cal.unconfirmed_between(dossier.received_at, new_appointment),
            unrecorded_years=cal.unrecorded_years(dossier.received_at, new_appointment),
        )


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise RuleViolation(f"{instant.isoformat()} has no time zone; give an aware datetime")
