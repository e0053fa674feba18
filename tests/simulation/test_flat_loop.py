"""The flat event loop against the generator core it replaced.

``Simulation`` runs on a flat loop (a heap, arrivals merged from sorted
lists, a deque for the same instant, a record per dossier);
``GeneratorSimulation`` is the same simulator on the generator-per-dossier
core. Same scenario and seed: the same dossiers, events and figures, byte
for byte, including when many events fall on one instant (fixed work times,
evenly spread arrivals), where only the order of events decides which
officer takes which dossier. And, as the issue asks, the on-time rates over
several seeds agree within their confidence intervals: the check that would
still hold if the draws were ever taken differently (in blocks, say).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest

from procflow.calendar import WorkCalendar
from procflow.compiler import CompiledProcedure, compile_procedure
from procflow.definition.loader import read_procedure
from procflow.simulation import Scenario, Simulation, read_scenario
from procflow.simulation.compare import t975
from procflow.simulation.reference import GeneratorSimulation

ROOT = Path(__file__).resolve().parents[2]
PROCEDURE = ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"
SCENARIO = ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml"
CAL = WorkCalendar.vietnam()
TIGHT = {"commune-pc": 1, "commune-police": 1, "social-insurance": 1}


@pytest.fixture(scope="module")
def proc() -> CompiledProcedure:
    return compile_procedure(read_procedure(PROCEDURE))


def _scenario(**update: Any) -> Scenario:
    scenario, _ = read_scenario(SCENARIO)
    data = scenario.model_dump(by_alias=True)
    data.update({"period": None, "start": scenario.first_day, **update})
    return Scenario.model_validate(data)


def _ties() -> dict[str, Any]:
    """Every step and answer a fixed quarter hour, arrivals evenly spread,
    many supplement requests: a crowd of ties, among them an applicant's
    answer and an officer's work ending at one instant, whose order depends
    on when the work was scheduled (when the officer took the dossier, not
    when it joined the queue)."""
    base, _ = read_scenario(SCENARIO)
    steps = {}
    for state, load in base.steps.items():
        row = load.model_dump(exclude_none=True)
        if load.work is not None:
            row["work"] = {"fixed": 0.25}
        if load.response is not None:
            row["response"] = {"fixed": 0.25}
        if load.supplement:
            row["supplement"] = 0.4
        steps[state] = row
    return {
        "arrivals": {"per_working_day": 24, "process": "constant"},
        "steps": steps,
        "officers": {"commune-pc": 2, "commune-police": 3, "social-insurance": 2},
        "withdraw": 0.05,
    }


def _everything(sim: Simulation) -> list[tuple[Any, list[Any]]]:
    """Every dossier with its full event log (actors, times, hashes)."""
    out = []
    for code in sim.store.codes():
        dossier = sim.store.get(code)
        assert dossier is not None
        out.append((dossier.to_dict(), [e.to_dict() for e in sim.store.events(code)]))
    return out


@pytest.mark.parametrize(
    "update",
    [
        pytest.param({"dossiers": 250}, id="shipped-scenario"),
        pytest.param({"dossiers": 250, "officers": TIGHT, "withdraw": 0.05}, id="understaffed"),
        pytest.param({"dossiers": 400, **_ties()}, id="same-instant-ties"),
    ],
)
def test_flat_loop_gives_the_generator_cores_results_byte_for_byte(
    proc: CompiledProcedure, update: dict[str, Any]
) -> None:
    scenario = _scenario(**update)
    flat = Simulation(scenario, proc, CAL, keep=True)
    gen = GeneratorSimulation(scenario, proc, CAL, keep=True)
    assert flat.run().to_dict() == gen.run().to_dict()
    assert _everything(flat) == _everything(gen)
    assert flat.now == gen.core.now  # the run stops at the same chunk boundary


def test_period_scenario_and_progress_match(proc: CompiledProcedure) -> None:
    # A period instead of a number of dossiers: the arrivals end with the
    # period, and the progress callback sees the same counts.
    scenario = _scenario(dossiers=None, period={"from": "2026-01-05", "to": "2026-02-27"})
    seen_flat: list[int] = []
    seen_gen: list[int] = []
    flat = Simulation(scenario, proc, CAL).run(progress=seen_flat.append)
    gen = GeneratorSimulation(scenario, proc, CAL).run(progress=seen_gen.append)
    assert flat.to_dict() == gen.to_dict()
    assert seen_flat == seen_gen and seen_flat[-1] == flat.arrivals > 100


def _ci95(rates: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(rates)
    half = t975(len(rates) - 1) * statistics.stdev(rates) / math.sqrt(len(rates))
    return mean - half, mean + half


def test_on_time_rates_agree_with_the_generator_core_within_confidence_intervals(
    proc: CompiledProcedure,
) -> None:
    # Understaffed, so the on-time rate is far from 0 and 1 and varies by seed.
    seeds = range(11, 16)
    runs = [_scenario(dossiers=150, officers=TIGHT, seed=s) for s in seeds]
    flat = [Simulation(sc, proc, CAL).run().on_time_rate or 0.0 for sc in runs]
    gen = [GeneratorSimulation(sc, proc, CAL).run().on_time_rate or 0.0 for sc in runs]
    assert statistics.stdev(gen) > 0  # the check below is not vacuous
    lo, hi = _ci95(gen)
    assert lo <= statistics.fmean(flat) <= hi
    lo, hi = _ci95(flat)
    assert lo <= statistics.fmean(gen) <= hi
    # The paired differences (common random numbers): a CI that holds 0.
    diffs = [f - g for f, g in zip(flat, gen, strict=True)]
    if any(diffs):
        lo, hi = _ci95(diffs)
        assert lo <= 0.0 <= hi
    else:  # today: the same draws in the same order, so exactly the same rates
        assert flat == gen
