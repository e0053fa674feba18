"""Slips built from a dossier's record after the fact: the processing control
slip (Form 05; Form 06 under Circular 03/2025), one row per stay in a step,
each agency's working time against its share of the statutory time
(:mod:`procflow.model.shares`, the figure the reports add up too) and the two
instants of the result; and the notice to stop processing (Form 05 under
Circular 03/2025) of a stopped or withdrawn dossier.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING

from procflow.engine.core import EngineCore
from procflow.errors import RuleViolation, UnknownProcedure
from procflow.model.events import EventType
from procflow.model.shares import ShareTerms, agency_use, result_instants
from procflow.model.slips import ControlRow, ControlSlip, StopNotice

if TYPE_CHECKING:
    from procflow.calendar import UnconfirmedDay
    from procflow.engine.calendars import ProcedureCalendars

_STOPS = {EventType.STOPPED: "stopped", EventType.WITHDRAWN: "withdrawn"}


class ControlSlips(EngineCore):
    """Build the control slip and the stop notice of a dossier."""

    def control_slip(self, code: str) -> ControlSlip:
        """The processing control slip of dossier ``code``.

        Every figure is counted on the calendar it was counted on when the
        dossier moved: a row's on its agency's, each agency's use and share on
        its own, the statutory due date and the result's instants on the
        procedure's (the desk's). The slip names them (``calendars``,
        ``statutory_calendar``, each row's ``calendar``), so that an agency
        with other office hours, or a province's local day off, is visible on
        the slip rather than a silent difference.
        """
        dossier = self.get(code)
        cals: ProcedureCalendars | None = None
        # the slip records the past: without the version's file, see below
        with suppress(UnknownProcedure):
            cals = self._plans_of(dossier.procedure_id, dossier.procedure_version)[1].calendars
        # An engine with one calendar has nothing to tell apart: the slip names
        # calendars when the engine has several or the procedure names one.
        named = cals if cals is not None and (self.calendars or cals.named) else None
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
                    calendar=named.name_of(v.agency) if named is not None else None,
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
        calendar = cals.statutory if cals is not None else self.calendar
        latest = max(dated)
        unconfirmed = calendar.unconfirmed_between(dossier.received_at, latest)
        if cals is not None:
            unconfirmed = _merged_unconfirmed(
                unconfirmed,
                (
                    c.unconfirmed_between(dossier.received_at, latest)
                    for c in {id(c): c for c in cals.agencies.values()}.values()
                    if c is not calendar
                ),
            )
        slip = ControlSlip(
            code=code,
            procedure_id=dossier.procedure_id,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            rows=rows,
            per_agency=per_agency,
            unconfirmed_days=unconfirmed,
        )
        if cals is None:
            # The slip records the past: without the version's file at hand it
            # still shows every step, only not the shares the file gives.
            return slip
        procedure = self.procedure_of(dossier).procedure
        days = {a: c.day_seconds for a, c in cals.agencies.items()}
        terms = ShareTerms.of(procedure, calendar.day_seconds, days)
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
            statutory_calendar=named.statutory_name if named is not None else None,
            calendars=(
                {
                    a: named.name_of(a)
                    for a in dict.fromkeys(
                        [v.agency for v in visits if v.agency is not None] + list(named.names)
                    )
                }
                if named is not None
                else None
            ),
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


def _merged_unconfirmed(
    first: list[UnconfirmedDay], others: Iterable[list[UnconfirmedDay]]
) -> list[UnconfirmedDay]:
    """``first`` and the other calendars' unconfirmed days, each once, by date
    (calendars laid over the same national file share its entries)."""
    out = list(first)
    seen = set(out)
    for days in others:
        for u in days:
            if u not in seen:
                seen.add(u)
                out.append(u)
    return sorted(out, key=lambda u: u.date)
