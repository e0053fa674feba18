"""The engine: receive dossiers, move them through their procedure, time every step.

The engine holds no dossier between calls. Each call reads one dossier from
the store, checks who is acting and whether the move is allowed, computes the
deadlines with the calendar, writes one event and the new state in one
atomic store call, and only then tells the listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure, MoveKind, StateInfo
from procflow.definition.model import ClockPolicy, Terminal
from procflow.engine.actor import SYSTEM, Actor
from procflow.engine.authority import ACT_OF_MOVE, Act, refusal
from procflow.engine.clock import Clock, SystemClock
from procflow.engine.dossier import Dossier, Timeliness
from procflow.engine.events import (
    EVENT_TYPES,
    GENESIS,
    Event,
    EventType,
    frozen_event,
    make_event,
    verify_chain,
)
from procflow.engine.payload import check_payload
from procflow.engine.reducer import apply, replay
from procflow.engine.slips import (
    ApologySlip,
    ControlRow,
    ControlSlip,
    ReceiptSlip,
    RefusalSlip,
    SupplementRequest,
)
from procflow.engine.timefmt import iso
from procflow.engine.timing import by_day, classify, deadline, moved_due
from procflow.errors import (
    ConflictError,
    DossierClosed,
    DossierNotFound,
    InvalidTrigger,
    NotPermitted,
    RuleViolation,
)

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.store.base import Store

log = logging.getLogger("procflow.engine")

Listener = Callable[[Event, Dossier], None]

#: Results that count as "resolved" and are classified early / on time / late.
RESOLVED = frozenset({Terminal.RETURNED.value, Terminal.REFUSED.value})


@dataclass
class VerifyReport:
    """What ``verify`` found: chain problems and replay mismatches, per dossier."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "ok": self.ok, "problems": self.problems}


class Engine:
    """Run dossiers through compiled procedures.

    ``warning_hours`` is how many working hours before a deadline ``sweep``
    warns. ``agency_codes`` maps agency ids to the codes printed in dossier
    codes (agency code + date of receipt + sequence number).
    """

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        calendar: WorkCalendar,
        clock: Clock | None = None,
        *,
        warning_hours: float = 8.0,
        agency_codes: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.calendar = calendar
        self.clock: Clock = clock or SystemClock(calendar.tz)
        self.warning_seconds = warning_hours * 3600.0
        self._warn_cache: dict[datetime, datetime] = {}
        self.agency_codes = dict(agency_codes or {})
        self._listeners: list[tuple[Listener, frozenset[EventType] | None]] = []
        self.listener_errors = 0

    # --- listeners --------------------------------------------------------------

    def subscribe(
        self, listener: Listener, types: Iterable[EventType | str] | None = None
    ) -> Callable[[], None]:
        """Call ``listener(event, dossier)`` after each stored event (of ``types``).

        Listeners run after the write, in the order they subscribed, and get
        their own copies: the event's data is read-only (a listener that tries
        to change it gets a TypeError, counted as below) and the dossier is a
        private copy, so no listener can change what is stored or what the next
        listener sees.

        A listener that raises an ``Exception`` is logged and counted in
        ``listener_errors``; the call that wrote the event returns normally.
        A listener that raises ``KeyboardInterrupt`` or ``SystemExit`` stops
        the remaining listeners and the exception reaches the caller, but the
        event *was* written: the exception carries it as ``procflow_event``
        (and a note says so), so a caller that catches it knows the
        transition happened. Returns a function that unsubscribes.
        """
        entry = (listener, frozenset(EventType(t) for t in types) if types else None)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry)

    def _notify(self, event: Event, dossier: Dossier) -> None:
        if not self._listeners:
            return
        shown: Event | None = None
        for listener, types in list(self._listeners):
            if types is not None and event.type not in types:
                continue
            if shown is None:
                shown = frozen_event(event)
            try:
                listener(shown, dossier.clone())
            except Exception:
                self.listener_errors += 1
                log.exception("listener %r failed on %s #%d", listener, event.code, event.seq)
            except BaseException as exc:  # KeyboardInterrupt, SystemExit
                exc.procflow_event = event  # type: ignore[attr-defined]
                exc.add_note(
                    f"procflow: event {event.code} #{event.seq} ({event.type.value}) was "
                    "written before a listener raised this; the transition happened"
                )
                raise

    # --- reading ----------------------------------------------------------------

    def get(self, code: str) -> Dossier:
        dossier = self.store.get(code)
        if dossier is None:
            raise DossierNotFound(f"no dossier with code {code!r}")
        return dossier

    def _current(self, code: str) -> Dossier:
        """The state to act on: the store's ``get_current`` (SQLite and PostgreSQL
        remember what they wrote; other stores read it as ``get`` does)."""
        dossier = self.store.get_current(code)
        if dossier is None:
            raise DossierNotFound(f"no dossier with code {code!r}")
        return dossier

    def history(self, code: str) -> list[Event]:
        """The dossier's events, oldest first, with read-only data (it is the log)."""
        events = self.store.events(code)
        if not events:
            raise DossierNotFound(f"no dossier with code {code!r}")
        return [frozen_event(e) for e in events]

    def procedure_of(self, dossier: Dossier) -> CompiledProcedure:
        return self.catalogue.get(dossier.procedure_id, dossier.procedure_version)

    def available(self, code: str, actor: Actor | None = None) -> list[str]:
        """Triggers that can be fired on the dossier now (by ``actor``, if given)."""
        dossier = self.get(code)
        if not dossier.is_open:
            return []
        proc = self.procedure_of(dossier)
        info = proc.states[dossier.state]
        out = []
        for trigger in proc.triggers(dossier.state):
            if proc.resolve(dossier.state, trigger, dossier.facts) is None:
                continue
            if actor is not None and self._refusal(proc, dossier, info, trigger, actor):
                continue
            out.append(trigger)
        return out

    # --- reception --------------------------------------------------------------

    def receive(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        applicant: dict[str, Any] | None = None,
        documents: Sequence[dict[str, Any] | str] = (),
        facts: dict[str, Any] | None = None,
        version: str | None = None,
        version_override: str | None = None,
    ) -> ReceiptSlip:
        """Receive a complete, valid dossier: the clock starts now.

        Returns the receipt-and-appointment slip with the dossier code and the
        appointment date computed from the statutory time limit.

        The dossier is received under the version in force today, or under
        ``version``, which must be in force today as well; to receive under a
        version outside its effective window, ``version_override`` names the
        legal ground (e.g. "court judgment 12/2026/HC-ST orders re-receipt"),
        and the receipt event records it.
        """
        check_payload("applicant", applicant)
        check_payload("facts", facts)
        for i, doc in enumerate(documents):
            if not isinstance(doc, str):
                check_payload(f"documents[{i}]", doc)
        now = self.clock.now()
        proc = self._procedure_for_receipt(procedure_id, version, now, version_override)
        desk = self._require_desk(proc, actor)
        info = proc.states[proc.initial]
        due = deadline(self.calendar, now, proc.procedure.time_limit)
        step_due = deadline(self.calendar, now, info.allotment) if info.allotment else None
        docs = [d if isinstance(d, dict) else {"name": d} for d in documents]
        data: dict[str, Any] = {
            "procedure_id": proc.id,
            "procedure_version": proc.version,
            "desk_agency": desk,
            "state": proc.initial,
            "agency": info.agency,
            "due_at": iso(due),
            "step_due_at": iso(step_due) if step_due else None,
            "applicant": dict(applicant or {}),
            "facts": dict(facts or {}),
            "documents": docs,
        }
        if version_override is not None and not proc.procedure.in_force_on(
            now.astimezone(self.calendar.tz).date()
        ):
            data["version_override"] = version_override.strip()
        dossier, _ = self._open(proc, desk, now, EventType.RECEIVED, actor, data)
        return ReceiptSlip(
            code=dossier.code,
            procedure_id=proc.id,
            procedure_version=proc.version,
            procedure_name=proc.procedure.name.vi,
            applicant=dossier.applicant,
            documents=docs,
            received_at=now,
            appointment=due,
            time_limit=str(proc.procedure.time_limit),
            received_by=str(actor),
        )

    def guide(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        missing: Sequence[str],
        reason: str | None = None,
        applicant: dict[str, Any] | None = None,
    ) -> SupplementRequest:
        """Incomplete at reception: written guidance, once; no clock starts.

        The guidance is recorded (it counts in reports) under its own code;
        when the applicant comes back, :meth:`receive` gives a new receipt.
        """
        if not missing:
            raise RuleViolation("a supplement request must list what is missing")
        check_payload("applicant", applicant)
        now = self.clock.now()
        proc = self._procedure_for_receipt(procedure_id, None, now)
        desk = self._require_desk(proc, actor)
        data = self._not_received_data(proc, desk, "guided", applicant)
        data.update(missing=list(missing), reason=reason)
        dossier, _ = self._open(proc, desk, now, EventType.GUIDED, actor, data)
        return SupplementRequest(
            code=dossier.code,
            procedure_id=proc.id,
            missing=list(missing),
            reason=reason,
            contact_officer=str(actor),
            issued_at=now,
            during_processing=False,
        )

    def refuse_at_reception(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        reason: str,
        applicant: dict[str, Any] | None = None,
    ) -> RefusalSlip:
        """The desk refuses to receive the dossier (e.g. not within its competence)."""
        if not reason.strip():
            raise RuleViolation("a refusal must give its reason")
        check_payload("applicant", applicant)
        now = self.clock.now()
        proc = self._procedure_for_receipt(procedure_id, None, now)
        desk = self._require_desk(proc, actor)
        data = self._not_received_data(proc, desk, "refused_at_reception", applicant)
        data["reason"] = reason
        dossier, _ = self._open(proc, desk, now, EventType.REFUSED_AT_RECEPTION, actor, data)
        return RefusalSlip(dossier.code, proc.id, reason, str(actor), now)

    def _not_received_data(
        self, proc: CompiledProcedure, desk: str, state: str, applicant: dict[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "procedure_id": proc.id,
            "procedure_version": proc.version,
            "desk_agency": desk,
            "state": state,
            "applicant": dict(applicant or {}),
        }

    def _procedure_for_receipt(
        self,
        procedure_id: str,
        version: str | None,
        now: datetime,
        version_override: str | None = None,
    ) -> CompiledProcedure:
        """The version a dossier received now is received under.

        A version named explicitly must be in force today too, unless
        ``version_override`` gives the legal ground for receiving under another
        one (e.g. a court-ordered re-receipt); the receipt event records it.
        """
        day = now.astimezone(self.calendar.tz).date()
        if version is None:
            if version_override is not None:
                raise RuleViolation(
                    "version_override is the ground for receiving under a version outside "
                    "its effective window: name that version with version= too"
                )
            return self.catalogue.in_force(procedure_id, day)
        proc = self.catalogue.get(procedure_id, version)
        p = proc.procedure
        if p.in_force_on(day) or (version_override is not None and version_override.strip()):
            return proc
        window = f"from {p.effective_from or 'the start'} to {p.effective_to or 'further notice'}"
        raise RuleViolation(
            f"version {version!r} of {procedure_id!r} receives dossiers {window}, not on "
            f"{day.isoformat()}; receive under the version in force, or name the legal ground "
            "for an exception (e.g. a court-ordered re-receipt) with version_override="
        )

    def _require_desk(self, proc: CompiledProcedure, actor: Actor) -> str:
        desk = proc.procedure.desk.id
        if actor.agency != desk:
            raise NotPermitted(
                f"{actor} cannot receive dossiers of {proc.id!r}: they are received at the "
                f"one-stop desk of {desk!r}"
            )
        return desk

    def _open(
        self,
        proc: CompiledProcedure,
        desk: str,
        now: datetime,
        type_: EventType,
        actor: Actor,
        data: dict[str, Any],
    ) -> tuple[Dossier, Event]:
        local = now.astimezone(self.calendar.tz)
        prefix = self.agency_codes.get(desk, desk.upper())
        scope = f"{prefix}-{local:%y%m%d}"

        def make(number: int) -> tuple[Dossier, Event, datetime | None]:
            code = f"{scope}-{number:05d}"
            event = make_event(code, 1, type_, now, actor, data, GENESIS)
            dossier = apply(None, event)
            return dossier, event, self._next_alert(proc, dossier)

        # One transaction where the store can (every built-in one): one durable
        # commit per receipt, not two.
        dossier, event = self.store.create_numbered(scope, make)
        self._notify(event, dossier)
        return dossier, event

    # --- moving -----------------------------------------------------------------

    def fire(
        self,
        code: str,
        trigger: str,
        actor: Actor,
        *,
        note: str | None = None,
        missing: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Dossier:
        """Fire ``trigger`` on the dossier as ``actor``; returns the new state.

        Raises NotPermitted (wrong agency or role), InvalidTrigger (unknown,
        or not possible from the current step), DossierClosed, RuleViolation
        (e.g. a second supplement request) or ConflictError (someone else
        moved the dossier first, or ``expected_version`` is stale). On any
        error nothing is written.
        """
        dossier = self._current(code)
        if expected_version is not None and dossier.version != expected_version:
            raise ConflictError(
                f"{code} is at version {dossier.version}, not {expected_version}: "
                "it changed since you read it"
            )
        self._require_open(dossier, trigger)
        proc = self.procedure_of(dossier)
        info = proc.states[dossier.state]
        refusal = self._refusal(proc, dossier, info, trigger, actor)
        if refusal:
            raise NotPermitted(refusal)
        transition = proc.resolve(dossier.state, trigger, dossier.facts)
        if transition is None:
            self._raise_invalid(proc, dossier, trigger)
            raise AssertionError("unreachable")  # pragma: no cover
        dest = proc.states[transition.dest]
        now = self.clock.now()
        type_, data = self._transition_data(
            proc, dossier, info, dest, trigger, actor, now, note, list(missing)
        )
        return self._append(proc, dossier, type_, now, actor, data)

    def _require_open(self, dossier: Dossier, action: str) -> None:
        if not dossier.is_open:
            raise DossierClosed(
                f"dossier {dossier.code} is closed ({dossier.outcome}); {action!r} is not possible"
            )

    def _refusal(
        self,
        proc: CompiledProcedure,
        dossier: Dossier,
        info: StateInfo,
        trigger: str,
        actor: Actor,
    ) -> str | None:
        """Why ``actor`` may not fire ``trigger`` now, or None when it may.

        Who may fire it follows what the move is (:class:`MoveKind`), looked up
        in the compiled procedure, never its name; an unknown trigger is
        checked as a move of the step, so that nobody learns from the error
        which moves exist where they may not act.
        """
        kind = proc.kind_of(info.id, trigger) or MoveKind.STEP
        return refusal(
            proc, info, dossier.desk_agency, dossier.code, ACT_OF_MOVE[kind], actor, trigger
        )

    def _require(
        self, proc: CompiledProcedure, dossier: Dossier, act: Act, actor: Actor
    ) -> StateInfo:
        info = proc.states[dossier.state]
        why = refusal(proc, info, dossier.desk_agency, dossier.code, act, actor)
        if why:
            raise NotPermitted(why)
        return info

    def _raise_invalid(self, proc: CompiledProcedure, dossier: Dossier, trigger: str) -> None:
        possible = [
            t for t in proc.triggers(dossier.state) if proc.resolve(dossier.state, t, dossier.facts)
        ]
        if not any(t.trigger == trigger for t in proc.transitions):
            raise InvalidTrigger(
                f"{proc.id!r} has no trigger {trigger!r}; from step {dossier.state!r} "
                f"you can fire: {', '.join(possible)}"
            )
        facts = f" with facts {dossier.facts}" if dossier.facts else ""
        raise InvalidTrigger(
            f"{trigger!r} is not possible from step {dossier.state!r} of {dossier.code}"
            f"{facts}; possible now: {', '.join(possible)}"
        )

    def _transition_data(
        self,
        proc: CompiledProcedure,
        dossier: Dossier,
        info: StateInfo,
        dest: StateInfo,
        trigger: str,
        actor: Actor,
        now: datetime,
        note: str | None,
        missing: list[str],
    ) -> tuple[EventType, dict[str, Any]]:
        cal = self.calendar
        tz = cal.tz
        limit = proc.procedure.time_limit
        data: dict[str, Any] = {
            "trigger": trigger,
            "from": info.id,
            "to": dest.id,
            "to_agency": dest.agency,
            "sender": actor.id,
        }
        if note:
            data["note"] = note

        # The step being left: how much working time its agency used, and
        # whether it finished within its own allotment.
        entered = dossier.state_entered_at
        used = 0.0 if info.is_applicant else cal.working_seconds_between(entered, now)
        left: dict[str, Any] = {"used_seconds": used, "late_seconds": 0.0, "timeliness": None}
        if dossier.step_due_at is not None and info.allotment is not None:
            cls = classify(now, dossier.step_due_at, by_day(info.allotment), tz)
            left["timeliness"] = cls.value
            if cls is Timeliness.LATE:
                left["late_seconds"] = cal.working_seconds_between(dossier.step_due_at, now)
        data["left"] = left

        type_ = EventType.MOVED
        if dest.agency is not None and dest.agency != info.agency:
            type_ = EventType.HANDED_OFF

        # Leaving an applicant step: the clock runs again.
        if info.is_applicant and dossier.paused_at is not None:
            type_ = EventType.RESUMED
            if info.clock is ClockPolicy.RESTART:
                data["due_at"] = iso(deadline(cal, now, limit))
            else:
                paused = cal.working_seconds_between(dossier.paused_at, now)
                data["paused_seconds"] = paused
                data["due_at"] = iso(moved_due(cal, dossier.due_at, paused, limit))

        # Entering an applicant step: ask the applicant, stop the clock.
        if dest.is_applicant:
            self._check_supplement_rule(proc, dossier, dest)
            data["supplement"] = True
            if missing:
                data["missing"] = missing
            if dest.clock is not ClockPolicy.RUN:
                type_ = EventType.PAUSED
                data["paused_at"] = iso(now)

        if dest.terminal:
            data["outcome"] = dest.id
            type_ = EVENT_TYPES[dest.id]
            if dest.id in RESOLVED:
                statutory = (
                    datetime.fromisoformat(data["due_at"]) if "due_at" in data else dossier.due_at
                )
                data["timeliness"] = classify(now, statutory, by_day(limit), tz).value
        elif dest.allotment is not None:
            data["step_due_at"] = iso(deadline(cal, now, dest.allotment))
        return type_, data

    def _check_supplement_rule(
        self, proc: CompiledProcedure, dossier: Dossier, dest: StateInfo
    ) -> None:
        limit = proc.procedure.rules.max_supplement_requests
        times = sum(1 for v in dossier.visits if v.step == dest.id)
        if times >= limit:
            raise RuleViolation(
                f"{dossier.code} has already been sent to {dest.id!r} {times} time(s); the "
                f"procedure allows {limit} (rules.max_supplement_requests). The agency must "
                "decide on the dossier as it is, or refuse it with a reason"
            )

    def _append(
        self,
        proc: CompiledProcedure,
        dossier: Dossier,
        type_: EventType,
        now: datetime,
        actor: Actor | None,
        data: dict[str, Any],
    ) -> Dossier:
        """Write an officer's or applicant's event (the sweep writes its own)."""
        early = _dated_before_last(dossier, now)
        if early:
            raise RuleViolation(f"{early}; check the clock, or --at")
        return self._write(proc, dossier, type_, now, actor, data)[0]

    def _write(
        self,
        proc: CompiledProcedure,
        dossier: Dossier,
        type_: EventType,
        now: datetime,
        actor: Actor | None,
        data: dict[str, Any],
    ) -> tuple[Dossier, Event]:
        version = dossier.version
        event = make_event(dossier.code, version + 1, type_, now, actor, data, dossier.last_hash)
        new = apply(dossier, event)
        self.store.append(new, event, version, self._next_alert(proc, new))
        self._notify(event, new)
        return new, event

    # --- facts, apologies -------------------------------------------------------------

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
        return self._append(
            proc, dossier, EventType.FACTS_SET, self.clock.now(), actor, {"facts": dict(facts)}
        )

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
        cal = self.calendar
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
        )

    # --- the control slip -----------------------------------------------------------

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
        return ControlSlip(
            code=code,
            procedure_id=dossier.procedure_id,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            rows=rows,
            per_agency=per_agency,
        )

    # --- timers -------------------------------------------------------------------------

    def _alerts(self, proc: CompiledProcedure, d: Dossier) -> list[tuple[datetime, str, str]]:
        """Pending (instant, key, kind) alerts of an open, running dossier."""
        if not d.is_open or d.paused_at is not None or d.version == 0:
            return []
        out: list[tuple[datetime, str, str]] = []
        due_key = d.due_at.isoformat()
        warn_at = self._warn_at(d.due_at)
        out.append((warn_at, f"warn:dossier:{due_key}", "dossier"))
        out.append((d.due_at, f"overdue:dossier:{due_key}", "dossier"))
        if d.step_due_at is not None:
            out.append(
                (d.step_due_at, f"overdue:step:{d.state}:{len(d.visits)}", "step"),
            )
        done = set(d.alerts)
        return [a for a in out if a[1] not in done]

    def _warn_at(self, due: datetime) -> datetime:
        # Cached: most dossiers share their due instant (the close of office
        # on some day), and this runs on every transition.
        cache = self._warn_cache
        hit = cache.get(due)
        if hit is None:
            if len(cache) >= 4096:
                cache.clear()
            hit = cache[due] = self.calendar.subtract_working_seconds(due, self.warning_seconds)
        return hit

    def _next_alert(self, proc: CompiledProcedure, d: Dossier) -> datetime | None:
        """When ``sweep`` should next look at the dossier (an indexed column)."""
        if not d.is_open or d.paused_at is not None:
            return None
        if not d.alerts:  # the usual case: nothing emitted yet
            warn, step = self._warn_at(d.due_at), d.step_due_at
            return warn if step is None or warn <= step else step
        pending = self._alerts(proc, d)
        return min(a[0] for a in pending) if pending else None

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
            early = _dated_before_last(dossier, now)
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
                    written, event = self._write(proc, dossier, type_, now, SYSTEM, data)
                except ConflictError:
                    break  # someone else moved it; the next sweep looks again
                emitted.append(event)
                dossier = written.clone()  # the store now holds ``written``
        return emitted

    # --- verification ---------------------------------------------------------------------

    def replay(self, code: str) -> Dossier:
        """Rebuild the dossier from its event log alone."""
        return replay(self.history(code))

    def verify(self, codes: Iterable[str] | None = None) -> VerifyReport:
        """Check every dossier's hash chain, and that replay equals the stored state."""
        report = VerifyReport()
        for code in codes if codes is not None else self.store.codes():
            report.checked += 1
            events = self.store.events(code)
            problems = verify_chain(code, events)
            report.problems.extend(str(p) for p in problems)
            stored = self.store.get(code)
            if stored is None:
                report.problems.append(f"{code}: events without a dossier row")
                continue
            if not events:
                report.problems.append(f"{code}: dossier row without events")
                continue
            if stored.version != events[-1].seq or stored.last_hash != events[-1].hash:
                report.problems.append(
                    f"{code}: stored state is at version {stored.version} but the log ends at "
                    f"event {events[-1].seq} (an event was removed or the state edited)"
                )
            try:
                rebuilt = replay(events)
            except Exception as exc:  # a broken log must be reported, not crash verify
                report.problems.append(f"{code}: replay failed: {exc}")
                continue
            replayed, kept = rebuilt.to_dict(), stored.to_dict()
            if stored.updated_at is None:  # stored by a procflow that did not keep it
                replayed["updated_at"] = None
            if replayed != kept:
                diff = sorted(k for k, v in replayed.items() if kept.get(k) != v)
                report.problems.append(
                    f"{code}: stored state differs from the replayed log in {', '.join(diff)}"
                )
        return report


def _dated_before_last(dossier: Dossier, now: datetime) -> str | None:
    """Why an event at ``now`` would run the dossier's log backwards, or None.

    A clock set back (or a CLI ``--at`` in the past) would give negative
    working time and a log whose events are not in time order.
    """
    if now < dossier.state_entered_at:
        return (
            f"the clock reads {iso(now)}, before {dossier.code} entered step "
            f"{dossier.state!r} at {iso(dossier.state_entered_at)}; an event cannot be "
            "dated before the one it follows"
        )
    if dossier.updated_at is not None and now < dossier.updated_at:
        return (
            f"the clock reads {iso(now)}, before the last event of {dossier.code} "
            f"(#{dossier.version}, at {iso(dossier.updated_at)}); an event cannot be dated "
            "before the one it follows"
        )
    return None


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise RuleViolation(f"{instant.isoformat()} has no time zone; give an aware datetime")
