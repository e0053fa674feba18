"""Nobody acts where they don't belong.

A model-based test drives random procedures (the library's, with steps given
to random agencies and roles, random ``rules.authority`` and, now and then, a
move renamed to a built-in's name) with random actors, against a reference
written from the procedure's data, not from the engine: no act succeeds unless
the procedure's rules allow that actor, and a refused act changes nothing.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from enginetest import VN
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import ENGINE_TRIGGERS, compile_procedure
from procflow.definition.model import Procedure
from procflow.definition.yamlio import read_yaml
from procflow.engine import Actor, Engine, VirtualClock
from procflow.errors import DefinitionError, NotPermitted, ProcflowError
from procflow.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(
    p
    for p in (ROOT / "procedures").rglob("*.yaml")
    if "tests" not in p.parts and "simulations" not in p.parts and "calendars" not in p.parts
)
SOURCES: list[dict[str, Any]] = [read_yaml(p).data for p in LIBRARY]
CALENDAR = WorkCalendar.vietnam()
ROLES = [None, "leader", "desk-officer", "officer"]
HOSTILE = ["withdraw", "stop"]
ROLE_RULES = st.one_of(
    st.just("any"),
    st.just("step"),
    st.lists(st.sampled_from(["leader", "desk-officer", "officer"]), max_size=2, unique=True),
)


def _rule_roles(rule: Any, step: dict[str, Any]) -> set[str | None] | None:
    """The reference reading of a role rule: None means any officer."""
    if rule == "any":
        return None
    if rule == "step":
        return {step.get("role")} if step.get("role") else None
    return set(rule)


class AuthorityMachine(RuleBasedStateMachine):
    """Random procedures, random actors, random acts; the reference decides."""

    @initialize(data=st.data())
    def procedure(self, data: st.DataObject) -> None:
        source = copy.deepcopy(data.draw(st.sampled_from(SOURCES), label="procedure"))
        agencies = [a["id"] for a in source["agencies"]]
        for step in source["steps"]:
            if step.get("kind") != "applicant":
                step["agency"] = data.draw(st.sampled_from(agencies), label="agency")
            role = data.draw(st.sampled_from(ROLES), label="role")
            step.pop("role", None)
            if role is not None:
                step["role"] = role
        rules = source.setdefault("rules", {})
        rules["authority"] = {
            act: data.draw(ROLE_RULES, label=act) for act in ("stop", "apologise", "set_facts")
        }
        self.hostile = data.draw(st.integers(0, 4), label="hostile") == 0
        if self.hostile:  # rename one of a step's moves to a built-in's name
            step = data.draw(
                st.sampled_from([s for s in source["steps"] if s.get("outcomes")]), label="step"
            )
            old = data.draw(st.sampled_from(sorted(step["outcomes"])), label="trigger")
            step["outcomes"][data.draw(st.sampled_from(HOSTILE))] = step["outcomes"].pop(old)
        self.source = source
        self.steps = {s["id"]: s for s in source["steps"]}
        self.desk = next(a["id"] for a in source["agencies"] if a.get("desk"))
        try:
            procedure = Procedure.model_validate(source)
        except ValueError as exc:  # the model may refuse a reserved name itself
            assert self.hostile and "reserved" in str(exc), exc
            self.engine = None
            return
        if self.hostile:
            # A procedure cannot define a built-in move, checked or not.
            for check in (True, False):
                with pytest.raises(DefinitionError, match=r"trigger-reserved|reserved"):
                    compile_procedure(procedure, check=check)
            self.engine: Engine | None = None
            return
        compiled = compile_procedure(procedure, check=False)
        self.clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
        self.engine = Engine(MemoryStore(), Catalogue([compiled]), CALENDAR, self.clock)
        self.pid, self.start = procedure.id, procedure.start_step
        self.actors = [
            Actor(f"{agency}-{role}", agency, role)
            for agency in [*agencies, "stranger-agency"]
            for role in ROLES
        ]
        self.codes: list[str] = []
        self.triggers = sorted(
            {t for s in source["steps"] for t in s.get("outcomes", {})} | ENGINE_TRIGGERS
        )

    # --- the reference ---------------------------------------------------------------

    def allowed(self, act: str, state: str, actor: Actor, trigger: str | None = None) -> bool:
        step = self.steps[state]
        holder = step.get("agency")
        rules = self.source["rules"]
        if act == "fire" and trigger == "withdraw":
            return rules.get("withdrawal", True) and actor.agency in {self.desk, holder}
        if actor.agency != holder:
            return False
        if act == "fire" and trigger == "stop":
            roles = _rule_roles(rules["authority"]["stop"], step)
        elif act == "fire":
            roles = {step["role"]} if step.get("role") else None
        else:
            roles = _rule_roles(rules["authority"][act], step)
        return roles is None or actor.role in roles

    # --- acts --------------------------------------------------------------------

    def _act(self, act: str, code: str, actor: Actor, call: Any, trigger: str | None) -> None:
        assert self.engine is not None
        before = self.engine.get(code)
        ok = before.is_open and self.allowed(act, before.state, actor, trigger)
        self.clock.advance(minutes=37)
        try:
            call()
        except NotPermitted:
            assert not ok or not before.is_open, f"{actor} refused {act} {trigger} wrongly"
            after = self.engine.get(code)
            assert after.to_dict() == before.to_dict()
            return
        except ProcflowError:
            after = self.engine.get(code)
            assert after.to_dict() == before.to_dict()
            return
        assert ok, f"{actor} did {act} {trigger} at {before.state!r}: the rules forbid it"

    @rule()
    def nothing(self) -> None:
        """Always possible, so that a refused (hostile) procedure ends the run cleanly."""

    @precondition(lambda self: self.engine is not None)
    @rule()
    def receive(self) -> None:
        assert self.engine is not None
        role = self.steps[self.start].get("role")
        try:
            slip = self.engine.receive(self.pid, actor=Actor("desk", self.desk, role))
        except ProcflowError:
            return
        self.codes.append(slip.code)

    @precondition(lambda self: self.engine is not None and self.codes)
    @rule(data=st.data())
    def fire(self, data: st.DataObject) -> None:
        assert self.engine is not None
        code = data.draw(st.sampled_from(self.codes))
        engine = self.engine
        state = engine.get(code).state
        step = self.steps.get(state, {})
        here = sorted({*step.get("outcomes", {}), *ENGINE_TRIGGERS})
        # Mostly the moves of the dossier's step and officers of its agency, so
        # that many acts are possible and the allowed ones are really taken.
        trigger = data.draw(st.sampled_from(here) | st.sampled_from(self.triggers))
        near = [a for a in self.actors if a.agency in {step.get("agency"), self.desk}]
        actor = data.draw(st.sampled_from(near or self.actors) | st.sampled_from(self.actors))
        self._act("fire", code, actor, lambda: engine.fire(code, trigger, actor), trigger)

    @precondition(lambda self: self.engine is not None and self.codes)
    @rule(data=st.data())
    def fire_again(self, data: st.DataObject) -> None:
        """Moves are the most common act: give them twice the weight."""
        self.fire(data)

    @precondition(lambda self: self.engine is not None and self.codes)
    @rule(data=st.data())
    def set_facts(self, data: st.DataObject) -> None:
        assert self.engine is not None
        code = data.draw(st.sampled_from(self.codes))
        actor = data.draw(st.sampled_from(self.actors))
        engine = self.engine
        self._act(
            "set_facts", code, actor, lambda: engine.set_facts(code, {"x": True}, actor), None
        )

    @precondition(lambda self: self.engine is not None and self.codes)
    @rule(data=st.data())
    def apologise(self, data: st.DataObject) -> None:
        assert self.engine is not None
        code = data.draw(st.sampled_from(self.codes))
        actor = data.draw(st.sampled_from(self.actors))
        engine = self.engine
        later = engine.get(code).appointment + timedelta(days=10)
        self._act(
            "apologise",
            code,
            actor,
            lambda: engine.apologise(code, actor, reason="chờ xác minh", new_appointment=later),
            None,
        )

    @invariant()
    def the_log_rebuilds_every_dossier(self) -> None:
        if getattr(self, "engine", None) is None or not self.codes:
            return
        assert self.engine.verify(self.codes[-3:]).ok


TestAuthority = AuthorityMachine.TestCase
TestAuthority.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
