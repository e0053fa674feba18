"""Moving a dossier: who may fire what, where it goes, and the time used, late
and left on every step it leaves and enters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, tzinfo

import orjson

from procflow.compiler import CompiledProcedure, MoveKind, StateInfo
from procflow.engine.authority import ACT_OF_MOVE, refusal
from procflow.engine.core import EngineCore, Snapshot, dated_before, new_snapshot
from procflow.engine.plans import MovePlan, Plans
from procflow.engine.timing import classify_ts, moved_due_ts
from procflow.errors import (
    ConflictError,
    DossierClosed,
    DossierNotFound,
    InvalidTrigger,
    NotPermitted,
    RuleViolation,
)
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.encoding import FORMAT
from procflow.model.entry import Entry
from procflow.model.events import EventType
from procflow.model.instant import EPOCH_ORDINAL, Instant, ts_of
from procflow.model.record import V_STEP, VISIT_WIDTH, Record
from procflow.model.reducer import apply_transition
from procflow.model.storage import Capability

_NO_MOVES: dict[str, MovePlan] = {}
_dumps = orjson.dumps
_sha256 = hashlib.sha256


class Moves(EngineCore):
    """Fire triggers; time each step left and entered."""

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
            why = actor is not None and self._refusal(
                proc, dossier.desk_agency, code, info, trigger, actor
            )
            if why:
                continue
            out.append(trigger)
        return out

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

        The dossier returned is built when first read (most callers of a
        busy desk never read it).
        """
        store = self.store
        lock = store.act_lock  # threads sharing an in-memory store act one at a time
        if lock is None:
            new = self._fire(code, trigger, actor, note, missing, expected_version)
        else:  # acquire and release: less than half the cost of ``with`` (docs/engine.md)
            lock.acquire()
            try:
                new = self._fire(code, trigger, actor, note, missing, expected_version)
            finally:
                lock.release()
        if store is not self._records_store:
            if Capability.RECORDS not in store.capabilities:
                # A store that may let the dossier go (the simulator's) or that
                # other writers share: the state as written, now.
                return new.to_dossier()
            self._records_store = store
        snap = new_snapshot(Snapshot)
        snap._of = (store, code, new.version, self)
        return snap

    def move(
        self,
        code: str,
        trigger: str,
        actor: Actor,
        *,
        note: str | None = None,
        missing: Sequence[str] = (),
    ) -> Record:
        """:meth:`fire` for procflow's own drivers (the simulator): the record
        the store keeps, after the move, instead of a dossier. Read it, never
        change it; it changes with the next act on the dossier."""
        lock = self.store.act_lock
        if lock is None:
            return self._fire(code, trigger, actor, note, missing, None)
        lock.acquire()
        try:
            return self._fire(code, trigger, actor, note, missing, None)
        finally:
            lock.release()

    def _fire(
        self,
        code: str,
        trigger: str,
        actor: Actor,
        note: str | None,
        missing: Sequence[str],
        expected_version: int | None,
        at: datetime | None = None,
        by_rule: bool = False,
    ) -> Record:
        """Check, compute, write and tell: the whole of a move, in one function.

        This is the engine's hot path, written out in one piece on purpose:
        reading the record, finding the compiled move, checking who acts and
        when, timing the step left and the step entered, building the entry
        and storing it. Every helper call costs as much as the arithmetic it
        would hide, and this runs on every transition of every dossier (the
        lean-core issue's benchmark: ten a dossier). Moves whose destination
        depends on facts, and anything refused, take :meth:`_general_plan`.

        ``at`` dates the move (the sweep's instant) instead of the clock;
        ``by_rule`` is the system firing a move for an escalation rule of the
        procedure, with no officer's authority to check.
        """
        store = self.store
        tz, off = self._zone or self._read_zone()
        rec = store.record(code, tz)
        if rec is None:
            raise DossierNotFound(f"no dossier with code {code!r}")
        version = rec.version
        if expected_version is not None and version != expected_version:
            raise ConflictError(
                f"{code} is at version {version}, not {expected_version}: "
                "it changed since you read it"
            )
        if not rec.is_open:
            raise DossierClosed(
                f"dossier {code} is closed ({rec.outcome}); {trigger!r} is not possible"
            )
        plans = self._plans.get((rec.procedure_id, rec.procedure_version))
        if plans is None:
            plans = self._plans_of(rec.procedure_id, rec.procedure_version)
        if plans[1].case_facts:  # durations chosen by the dossier's facts
            plans = self._variant(plans, rec.facts)
        plan = plans[1].moves.get(rec.state, _NO_MOVES).get(trigger)
        if plan is None or (by_rule and not plan.is_move):
            plan = self._general_plan(plans, rec, trigger, actor, by_rule)
        elif not by_rule and (
            not plan.is_move
            or actor.agency != (plan.holder or rec.desk_agency)
            or (plan.roles is not None and actor.role not in plan.roles)
            or (plan.assigned_only and rec.assignee != actor.id)
        ):
            plan = self._general_plan(plans, rec, trigger, actor)
        now_ts = None
        if at is None:  # the clock's now_ts, looked up again only for a new clock
            seen, now_ts = self._ts_clock
            if seen is not self.clock:
                now_ts = self._clock_ts()
        zone: tzinfo | None
        if now_ts is not None:  # a driver's clock of numbers: no datetime made
            t, offset, zone = now_ts(), off or 0, tz
        else:
            now = self.clock.now() if at is None else at
            zone = now.tzinfo
            if zone is tz and off is not None:  # the calendar's zone: _instant, inline
                # the wall clock (wall_seconds, inline) less the one offset,
                # where datetime.timestamp() asks the zone for it (0.7 us
                # against 0.25 us, 7% of a move's machine instructions)
                t = (
                    (now.toordinal() - EPOCH_ORDINAL) * 86400
                    + now.hour * 3600
                    + now.minute * 60
                    + now.second
                    - off
                )
                offset = off
                lo, hi = self._span
                if not lo <= t < hi:  # outside the calendar's days
                    t = ts_of(now)
                elif now.microsecond:
                    t = (t * 1_000_000 + now.microsecond) / 1_000_000
            else:
                t, offset = self._instant(now)
        entered = rec.entered
        if t < entered or (rec.updated is not None and t < rec.updated):
            raise RuleViolation(f"{dated_before(rec, t, zone)}; check the clock, or --at")

        # The calendars each figure is counted on (resolved once per version,
        # on the plan): the step left's agency's, the procedure's (the desk's).
        cal = plan.leaving_calendar
        between = plan.between
        dest = plan.dest
        day_t = (t + off) // 86400 if off is not None else cal.ordinal_ts(t)

        # The step being left: how much working time its agency used (on its
        # own calendar), and whether it finished within its own allotment
        # (classify_ts, inline).
        leaves_applicant = plan.leaves_applicant
        used = 0.0 if leaves_applicant else between(entered, t)
        late = 0.0
        left: str | None = None
        step_due = rec.step_due
        allot = plan.leaving_allotment
        if step_due is not None and allot is not None:
            due_day = (step_due + off) // 86400 if off is not None else cal.ordinal_ts(step_due)
            if day_t > due_day or (not allot.by_day and t > step_due):
                if not plan.ready_counts:
                    left = "late"
                    late = between(step_due, t)
                # else: a result ready at the desk, collected after the return
                # step's deadline: the wait is the applicant's (rules.result_counts:
                # ready), so the step is not judged and nobody is charged for it
            else:
                left = "early" if day_t < due_day else "on_time"

        type_ = plan.type
        due: Instant | None = None
        paused_s: float | None = None
        # Leaving an applicant step: the clock runs again (the statutory due
        # date, on the procedure's calendar).
        lcal = plan.limit_calendar
        if leaves_applicant and rec.paused is not None:
            type_ = EventType.RESUMED
            limit = plan.limit
            if plan.restart:
                due = lcal.due_ts(t, limit.value, limit.unit, limit.cutoff)
            else:
                paused_s = lcal.working_seconds_between_ts(rec.paused, t)
                due = moved_due_ts(lcal, rec.due, paused_s, limit)

        # Entering an applicant step: ask the applicant, stop the clock.
        supplement: bool | None = None
        asked: list[str] | None = None
        paused_at: Instant | None = None
        reason: str | None = None
        if plan.enters_applicant:
            # Why the clock stops: a supplement request is one reason among
            # others (paying taxes, an expert assessment...), and only it
            # counts against rules.max_supplement_requests.
            reason = dest.pause_reason or "supplement"
            if reason == "supplement":
                self._check_supplement_rule(plans[0], rec, dest)
                supplement = True
            asked = list(missing) if missing else None
            if plan.pauses:
                type_ = EventType.PAUSED
                paused_at = t

        outcome: str | None = None
        timeliness: str | None = None
        next_due: Instant | None = None
        if plan.closing is not None:
            outcome = dest.id
            type_ = plan.closing
            if plan.classified:
                statutory = due if due is not None else rec.due
                done = entered if plan.ready_counts else t
                timeliness = classify_ts(lcal, done, statutory, plan.limit.by_day)
        elif plan.next_due is not None:  # the allotment of the step entered
            next_due = plan.next_due(t)

        payload = [
            plan.trigger,
            plan.source.id,
            dest.id,
            dest.agency,
            actor.id,
            note or None,
            used,
            late,
            left,
            due,
            paused_s,
            supplement,
            asked,
            paused_at,
            outcome,
            timeliness,
            next_due,
            reason,
        ]
        # The event's body (encoding.body, inline: a call a move less) and its
        # hash, once; an Entry of them only for a store or listener that reads one.
        seq = version + 1
        prev = rec.last_hash
        body = _dumps([FORMAT, code, seq, type_, t, offset, actor.row, "T", *payload])
        hash_ = _sha256(prev + body).digest()
        # The sweep's next look, from the state the entry leaves.
        next_alert: Instant | None = None
        general = False
        if outcome is None and paused_at is None:
            if rec.alerts or plans[1].alerting:
                # The general rule reads the moved state (below): a copy
                # moves, so that nothing has changed if the alert cannot be
                # worked out, and the store keeps the copy.
                general = True
                rec = rec.copy()
            else:  # the engine's margin before the due date (_warn_at's cache first)
                until = due if due is not None else rec.due
                warn = self._warn_cache.get(until) if lcal is self.calendar else None
                if warn is None:
                    warn = self._warn_at(until, None, lcal)
                next_alert = warn if next_due is None or warn <= next_due else next_due
        # The record moves here, by the reducer's rule for a transition (the
        # one replay uses), with nothing after it that can fail before the
        # store keeps it (but the general rule's alert, on a copy); the store
        # only stores (and lets a remembered record go if the write fails).
        apply_transition(rec, t, payload)
        rec.version = seq
        rec.updated = t
        rec.last_hash = hash_
        if general:
            next_alert = self._next_alert(rec)
        listeners = self._listeners
        if not listeners and store is self._bodies_store:
            return store.append_body(rec, body, prev, hash_, version, next_alert)
        entry = Entry.encoded(code, seq, type_, t, offset, actor, payload, prev, body, hash_)
        entry.tz = zone  # ``offset`` is its offset at ``t``
        if plan.enters_result:
            entry.result_ready = True
        if not listeners and store is not self._entries_store:
            # what the store takes, asked once (this move has its entry)
            if Capability.BODIES in store.capabilities:
                self._bodies_store = store
            else:
                self._entries_store = store
        new = store.append_record(rec, entry, version, next_alert)
        if listeners:
            self._notify(entry, new)
        return new

    def _general_plan(
        self,
        plans: tuple[CompiledProcedure, Plans],
        rec: Record,
        trigger: str,
        actor: Actor,
        by_rule: bool = False,
    ) -> MovePlan:
        """The plan of a move with branches on facts, a withdrawal or a stop;
        or why the move is refused (NotPermitted, InvalidTrigger)."""
        proc = plans[0]
        info = proc.states[rec.state]
        why = (
            None
            if by_rule
            else self._refusal(proc, rec.desk_agency, rec.code, info, trigger, actor)
        )
        if why:
            raise NotPermitted(why)
        transition = proc.resolve(rec.state, trigger, rec.facts)
        if transition is None:
            self._raise_invalid(proc, rec, trigger)
            raise AssertionError("unreachable")  # pragma: no cover
        plan = plans[1].plan_for(proc, transition)
        if plan.assigned_only and rec.assignee != actor.id and not by_rule:
            who = f"to {rec.assignee}" if rec.assignee else "to no officer yet"
            raise NotPermitted(
                f"{rec.code} is assigned {who}; step {rec.state!r} lets only the assigned "
                f"officer move it (assign it to {actor.id} first: procflow dossier assign)"
            )
        return plan

    def _refusal(
        self,
        proc: CompiledProcedure,
        desk_agency: str,
        code: str,
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
        return refusal(proc, info, desk_agency, code, ACT_OF_MOVE[kind], actor, trigger)

    def _raise_invalid(self, proc: CompiledProcedure, rec: Record, trigger: str) -> None:
        possible = [t for t in proc.triggers(rec.state) if proc.resolve(rec.state, t, rec.facts)]
        if not any(t.trigger == trigger for t in proc.transitions):
            raise InvalidTrigger(
                f"{proc.id!r} has no trigger {trigger!r}; from step {rec.state!r} "
                f"you can fire: {', '.join(possible)}"
            )
        facts = f" with facts {rec.facts}" if rec.facts else ""
        raise InvalidTrigger(
            f"{trigger!r} is not possible from step {rec.state!r} of {rec.code}"
            f"{facts}; possible now: {', '.join(possible)}"
        )

    def _check_supplement_rule(self, proc: CompiledProcedure, rec: Record, dest: StateInfo) -> None:
        limit = proc.max_supplement_requests
        times = rec.cells[V_STEP::VISIT_WIDTH].count(dest.id)
        if times >= limit:
            raise RuleViolation(
                f"{rec.code} has already been sent to {dest.id!r} {times} time(s); the "
                f"procedure allows {limit} (rules.max_supplement_requests). The agency must "
                "decide on the dossier as it is, or refuse it with a reason"
            )
