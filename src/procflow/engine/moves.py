"""Moving a dossier: who may fire what, where it goes, and the time used, late
and left on every step it leaves and enters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from procflow.compiler import CompiledProcedure, MoveKind, StateInfo
from procflow.definition.model import ClockPolicy
from procflow.engine.authority import ACT_OF_MOVE, refusal
from procflow.engine.core import RESOLVED, EngineCore
from procflow.engine.timing import by_day, classify, deadline, moved_due
from procflow.errors import ConflictError, InvalidTrigger, NotPermitted, RuleViolation
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier, Timeliness
from procflow.model.events import EVENT_TYPES, EventType
from procflow.model.timefmt import iso


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
            if actor is not None and self._refusal(proc, dossier, info, trigger, actor):
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
