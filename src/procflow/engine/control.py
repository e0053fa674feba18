"""Slips built from a dossier's record after the fact: the processing control
slip (Form 05; Form 06 under Circular 03/2025), one row per stay in a step,
each agency's working time against its share of the statutory time
(:mod:`procflow.model.shares`, the figure the reports add up too) and the two
instants of the result; and the notice to stop processing (Form 05 under
Circular 03/2025) of a stopped or withdrawn dossier.
"""

from __future__ import annotations

from dataclasses import replace

from procflow.engine.core import EngineCore
from procflow.errors import RuleViolation, UnknownProcedure
from procflow.model.events import EventType
from procflow.model.shares import ShareTerms, agency_use, result_instants
from procflow.model.slips import ControlRow, ControlSlip, StopNotice

_STOPS = {EventType.STOPPED: "stopped", EventType.WITHDRAWN: "withdrawn"}


class ControlSlips(EngineCore):
    """Build the control slip and the stop notice of a dossier."""

    def control_slip(self, code: str) -> ControlSlip:
        dossier = self.get(code)
        rows: list[ControlRow] = []
        per_agency: dict[str, dict[str, float]] = {}
        visits = dossier.visits
        for i, v in enumerate(visits):
            receiver = visits[i + 1].sender if i + 1 < len(visits) else None
            rows.append(
                ControlRow(
                    step=v.step,
                    from_agency=v.agency,
                    to_step=v.to_step,
                    to_agency=v.to_agency,
                    sender=v.sender,
                    receiver=receiver,
                    entered_at=v.entered_at,
                    left_at=v.left_at,
                    due_at=v.due_at,
                    timeliness=v.timeliness,
                    used_working_hours=round(v.used_seconds / 3600, 4),
                    late_working_hours=round(v.late_seconds / 3600, 4),
                )
            )
            if v.agency is not None and v.left_at is not None:
                acc = per_agency.setdefault(v.agency, {"used_hours": 0.0, "late_hours": 0.0})
                acc["used_hours"] = round(acc["used_hours"] + v.used_seconds / 3600, 4)
                acc["late_hours"] = round(acc["late_hours"] + v.late_seconds / 3600, 4)
        # Every date on the slip (the due date, the appointment, each step's
        # deadline and hand-over) is counted on the calendar from receipt: the
        # slip rests on the unconfirmed days up to the latest of them.
        dated = [dossier.due_at, dossier.appointment]
        dated.extend(d for v in visits for d in (v.due_at, v.left_at) if d is not None)
        # What each agency is charged, and when the result was ready and handed
        # over: the shared rule, on the dossier's stored form as the reports read it.
        calendar = self.calendar
        slip = ControlSlip(
            code=code,
            procedure_id=dossier.procedure_id,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            rows=rows,
            per_agency=per_agency,
            unconfirmed_days=calendar.unconfirmed_between(dossier.received_at, max(dated)),
        )
        try:
            procedure = self.procedure_of(dossier).procedure
        except UnknownProcedure:
            # The slip records the past: without the version's file at hand it
            # still shows every step, only not the shares the file gives.
            return slip
        terms = ShareTerms.of(procedure, calendar.day_seconds)
        stored = dossier.to_dict()
        result = result_instants(stored, terms, calendar.working_seconds_between, calendar.tz)
        return replace(
            slip,
            agencies=list(agency_use(stored, terms).values()),
            ready_at=result.ready_at,
            returned_at=result.returned_at,
            result_counts=result.counts,
            collected_after_due=result.collected_after_due,
            ready_by_due=result.ready_by_due,
            collection_seconds=result.collection_seconds,
        )

    def stop_notice(self, code: str) -> StopNotice:
        """The notice to stop processing of a stopped or withdrawn dossier
        (thông báo dừng giải quyết hồ sơ), read from its history: who stopped
        it, at which step, when and why (the note given with the move).

        Raises :class:`~procflow.errors.RuleViolation` for a dossier that was
        neither stopped nor withdrawn: it has no such notice.
        """
        dossier = self.get(code)
        events = self.history(code)
        stop = next((e for e in reversed(events) if e.type in _STOPS), None)
        if stop is None:
            state = dossier.outcome or f"open, at step {dossier.state}"
            raise RuleViolation(
                f"{code} was neither stopped nor withdrawn ({state}); a notice to stop "
                "processing is issued only when processing stops: fire 'stop' or 'withdraw' first"
            )
        actor = stop.actor
        return StopNotice(
            code=code,
            procedure_id=dossier.procedure_id,
            cause=_STOPS[stop.type],
            reason=stop.data.get("note"),
            step=str(stop.data.get("from", "")),
            agency=actor.agency if actor is not None else None,
            applicant=dict(dossier.applicant),
            received_at=dossier.received_at,
            issued_at=stop.at,
            signed_by=str(actor) if actor is not None else "",
        )
