"""``CompiledProcedure.machine()`` builds a ``transitions`` machine that agrees with
the tables the engine runs on: for every procedure in the library, every step,
every trigger and every combination of the facts its branches test, firing the
trigger on the machine lands where ``resolve`` says (or nowhere, when no branch
applies)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from transitions import MachineError

from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure, FactsModel

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Catalogue.from_paths([ROOT / "procedures"])
COMPILED = sorted(CATALOGUE, key=lambda c: c.key)


def _facts_of(proc: CompiledProcedure, state: str, trigger: str) -> list[str]:
    names: set[str] = set()
    for t in proc.table[(state, trigger)]:
        names.update(n for n in (t.when, t.unless) if n)
    return sorted(names)


@pytest.mark.parametrize("proc", COMPILED, ids=[c.key for c in COMPILED])
def test_the_machine_and_the_engine_tables_agree(proc: CompiledProcedure) -> None:
    checked = 0
    for state, info in proc.states.items():
        if info.terminal:
            continue
        for trigger in proc.triggers(state):
            names = _facts_of(proc, state, trigger)
            for values in itertools.product([False, True], repeat=len(names)):
                facts = dict(zip(names, values, strict=True))
                expected = proc.resolve(state, trigger, facts)
                model = FactsModel(facts)
                machine = proc.machine(model)
                machine.set_state(state)
                moved = model.trigger(trigger)
                if expected is None:
                    assert not moved and model.state == state
                else:
                    assert moved and model.state == expected.dest, (state, trigger, facts)
                checked += 1
        # Triggers of other steps are refused here, by the machine as by the engine.
        elsewhere = {t.trigger for t in proc.transitions} - set(proc.triggers(state))
        for trigger in sorted(elsewhere):
            assert proc.resolve(state, trigger, {}) is None
            model = FactsModel({})
            machine = proc.machine(model)
            machine.set_state(state)
            with pytest.raises(MachineError):
                model.trigger(trigger)
            assert model.state == state
    assert checked >= len([s for s in proc.states.values() if not s.terminal])


def test_terminal_states_are_final_and_tagged() -> None:
    proc = CATALOGUE.get("vn.lien-thong.child-under-6", "2024-06")
    model = FactsModel({})
    machine = proc.machine(model)
    for end in ("returned", "refused", "withdrawn", "stopped"):
        state: Any = machine.get_state(end)
        assert state.is_terminal
    assert getattr(machine.get_state("residence"), "is_agency:commune-police")
