"""Model-based test: random receives, fires, sweeps and clock jumps against a
reference model written straight from the procedure file (not from the
compiler), checking that replay equals live state and that no forbidden actor
ever changes anything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from enginetest import BHXH, CHILD, DESK, PC, PC_HEAD, POLICE, POLICE_HEAD, VN, load
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.errors import (
    DossierClosed,
    InvalidTrigger,
    NotPermitted,
    RuleViolation,
)
from procflow.store import MemoryStore

PROCEDURE = load("procedures/lien-thong/child-under-6.yaml")
CALENDAR = WorkCalendar.vietnam()
CATALOGUE = Catalogue([compile_procedure(PROCEDURE)])
ACTORS = [DESK, PC, PC_HEAD, POLICE, POLICE_HEAD, BHXH, Actor("stranger", "tax-office")]
ENDS = {"returned", "refused", "withdrawn", "stopped"}

# The reference model, read directly from the definition.
STEPS = {s.id: s for s in PROCEDURE.steps}
ARROWS: dict[tuple[str, str], str] = {
    (s.id, trigger): outcome.to for s in PROCEDURE.steps for trigger, outcome in s.branches()
}
TRIGGERS = sorted({t for (_, t) in ARROWS} | {"withdraw", "stop", "bogus"})


def may_act(state: str, trigger: str, actor: Actor) -> bool:
    step = STEPS[state]
    if trigger == "withdraw":
        return actor.agency in {"commune-pc", step.agency}
    if actor.agency != step.agency:
        return False
    if trigger == "stop":  # the head of the agency issues the notice to stop processing
        return actor.role in PROCEDURE.rules.authority.stop
    return step.role is None or actor.role == step.role


def expected_target(state: str, trigger: str) -> str | None:
    if trigger == "withdraw":
        return "withdrawn"
    if trigger == "stop":
        return "stopped"
    return ARROWS.get((state, trigger))


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        from datetime import datetime

        self.clock = VirtualClock(datetime(2026, 1, 5, 8, 0, tzinfo=VN))
        self.engine = Engine(MemoryStore(), CATALOGUE, CALENDAR, self.clock)
        self.model: dict[str, dict[str, Any]] = {}

    @rule()
    def receive(self) -> None:
        slip = self.engine.receive(CHILD, actor=DESK)
        assert slip.code not in self.model
        self.model[slip.code] = {"state": PROCEDURE.start_step, "supplements": 0}

    @precondition(lambda self: bool(self.model))
    @rule(
        data=st.data(),
        trigger=st.sampled_from(TRIGGERS),
        actor=st.sampled_from(ACTORS),
    )
    def fire(self, data: st.DataObject, trigger: str, actor: Actor) -> None:
        code = data.draw(st.sampled_from(sorted(self.model)))
        entry = self.model[code]
        before = self.engine.get(code).to_dict()
        state = entry["state"]
        target = expected_target(state, trigger) if state not in ENDS else None
        try:
            self.engine.fire(code, trigger, actor)
        except DossierClosed:
            assert state in ENDS
            self._unchanged(code, before)
            return
        except NotPermitted:
            assert state not in ENDS and not may_act(state, trigger, actor)
            self._unchanged(code, before)
            return
        except InvalidTrigger:
            assert state not in ENDS and may_act(state, trigger, actor) and target is None
            self._unchanged(code, before)
            return
        except RuleViolation:
            # Only the second trip into the supplement step is refused.
            assert target == "supplement" and entry["supplements"] >= 1
            self._unchanged(code, before)
            return
        assert state not in ENDS and may_act(state, trigger, actor) and target is not None
        entry["state"] = target
        if target == "supplement":
            entry["supplements"] += 1

    @precondition(lambda self: any(e["state"] not in ENDS for e in self.model.values()))
    @rule(data=st.data())
    def progress(self, data: st.DataObject) -> None:
        """Fire a move the model says is allowed, so runs reach the later steps."""
        open_codes = sorted(c for c, e in self.model.items() if e["state"] not in ENDS)
        code = data.draw(st.sampled_from(open_codes))
        state = self.model[code]["state"]
        triggers = sorted(t for (s, t) in ARROWS if s == state)
        trigger = data.draw(st.sampled_from(triggers))
        actors = [a for a in ACTORS if may_act(state, trigger, a)]
        self._fire_as(code, trigger, actors[0])

    def _fire_as(self, code: str, trigger: str, actor: Actor) -> None:
        entry = self.model[code]
        target = expected_target(entry["state"], trigger)
        if target == "supplement" and entry["supplements"] >= 1:
            try:
                self.engine.fire(code, trigger, actor)
            except RuleViolation:
                return
            raise AssertionError("a second supplement request was accepted")
        self.engine.fire(code, trigger, actor)
        entry["state"] = target
        if target == "supplement":
            entry["supplements"] += 1

    def _unchanged(self, code: str, before: dict[str, Any]) -> None:
        assert self.engine.get(code).to_dict() == before

    @rule(hours=st.integers(min_value=0, max_value=80))
    def wait(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @rule()
    def sweep(self) -> None:
        self.engine.sweep()

    @invariant()
    def matches_model(self) -> None:
        for code, entry in self.model.items():
            dossier = self.engine.get(code)
            assert dossier.state == entry["state"]
            assert dossier.is_open == (entry["state"] not in ENDS)
            assert dossier.is_paused == (entry["state"] == "supplement")
            assert dossier.supplements == entry["supplements"]
            # Day-based deadlines never land on a day off.
            assert CALENDAR.is_working_day(dossier.due_at.astimezone(VN).date())

    def teardown(self) -> None:
        report = self.engine.verify()
        assert report.ok, report.problems


TestEngineStateful = EngineMachine.TestCase
