"""The simulator: queueing theory, determinism, scenarios, results database."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from simtest import single_queue

from procflow.calendar import WorkCalendar
from procflow.compiler import compile_procedure
from procflow.definition.loader import read_procedure
from procflow.definition.model import Procedure
from procflow.errors import DefinitionError, ProcflowError
from procflow.simulation import Scenario, Simulation, compare, read_scenario, save_results
from procflow.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml"
CAL = WorkCalendar.vietnam()


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean time in the system of an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam) + 1 / mu


def test_matches_mmc_queueing_theory() -> None:
    # lambda = 0.6 dossiers per working hour (4.5 a working day), service mean
    # 2 h (mu = 0.5/h), 2 officers: rho = 0.6, mean time in system 3.125 h.
    scenario = Scenario.model_validate(
        {
            "procedure": "-",
            "start": "2026-03-02",
            "dossiers": 6000,
            "seed": 7,
            "arrivals": {"per_working_day": 0.6 * 7.5, "process": "poisson"},
            "officers": {"office": 2},
            "steps": {"work": {"work": {"exponential": 2}}},
        }
    )
    sim = Simulation(scenario, single_queue(), CAL, keep=True)
    sim.run()
    times = [d["visits"][0]["used_seconds"] / 3600 for d in sim.store.iter_dossier_dicts()]
    expected = erlang_c_wait(0.6, 0.5, 2)
    assert expected == pytest.approx(3.125, rel=1e-3)
    assert sum(times) / len(times) == pytest.approx(expected, rel=0.08)


def _scenario(**update: object) -> Scenario:
    scenario, _ = read_scenario(SCENARIO)
    return scenario.model_copy(update={"period": None, "start": scenario.first_day, **update})


def test_same_seed_same_results_byte_for_byte() -> None:
    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    scenario = _scenario(dossiers=150)
    one = json.dumps(Simulation(scenario, proc, CAL).run().to_dict(), sort_keys=True)
    two = json.dumps(Simulation(scenario, proc, CAL).run().to_dict(), sort_keys=True)
    assert one == two
    other = json.dumps(
        Simulation(scenario.model_copy(update={"seed": 43}), proc, CAL).run().to_dict(),
        sort_keys=True,
    )
    assert other != one


def test_more_officers_raise_the_on_time_rate(tmp_path: Path) -> None:
    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    base = _scenario(dossiers=400)
    tight = base.model_copy(update={"officers": {**base.officers, "commune-pc": 1}})
    ample = base.model_copy(
        update={"officers": {"commune-pc": 3, "commune-police": 2, "social-insurance": 2}}
    )
    low = Simulation(tight, proc, CAL).run()
    sim = Simulation(ample, proc, CAL, keep=True)
    high = sim.run()
    assert low.on_time_rate is not None and high.on_time_rate is not None
    assert high.on_time_rate > low.on_time_rate
    assert (
        high.per_agency["commune-pc"]["utilisation"] < low.per_agency["commune-pc"]["utilisation"]
    )
    assert sum(high.outcomes.values()) == high.arrivals == 400
    # The results database reads like a real desk's, and verifies.
    db = tmp_path / "sim.db"
    assert save_results(sim.store, str(db)) == 400
    with SQLiteStore(db) as store:
        from procflow.catalogue import Catalogue
        from procflow.engine import Engine

        engine = Engine(store, Catalogue([proc]), CAL)
        report = engine.verify()
        assert report.ok and report.checked == 400


def test_compare_uses_common_random_numbers() -> None:
    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    scenario = _scenario(dossiers=120)
    same = compare(scenario, proc, proc, CAL, replications=2)
    # The same procedure on the same dossiers: exactly no difference.
    assert same.mean_difference == 0.0
    assert same.ci95 == (0.0, 0.0)


def test_compare_runs_a_proposal_that_takes_effect_after_the_period() -> None:
    # A reform proposal usually starts next year; the what-if runs it on this
    # year's dossiers all the same, each dossier under the version compared.
    path = ROOT / "procedures/lien-thong/child-under-6.yaml"
    current = compile_procedure(read_procedure(path))
    data = current.procedure.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.update(version="proposal-2027", effective_from="2027-01-01")
    proposal = compile_procedure(Procedure.model_validate(data))
    scenario = _scenario(dossiers=60)
    assert proposal.procedure.effective_from is not None
    assert proposal.procedure.effective_from > scenario.first_day
    result = compare(scenario, current, proposal, CAL, replications=1)
    (run,) = result.results_b
    assert run.arrivals == 60 and run.procedure.endswith("proposal-2027")
    sim = Simulation(scenario, proposal, CAL, keep=True)
    sim.run()
    versions = {sim.store.get(code).procedure_version for code in sim.store.codes()}
    assert versions == {"proposal-2027"}


def test_compare_in_parallel_gives_the_same_results() -> None:
    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    tight = _scenario(
        dossiers=100, officers={"commune-pc": 1, "commune-police": 1, "social-insurance": 1}
    )
    one = compare(tight, proc, proc, CAL, replications=2)
    two = compare(tight, proc, proc, CAL, replications=2, jobs=2)
    assert one.to_dict() == two.to_dict()
    assert [r.to_dict() for r in one.results_a] == [r.to_dict() for r in two.results_a]


def test_scenario_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "simulation: 1\nprocedure: ../x.yaml\ndossiers: 10\narrivals:\n  per_working_day: -1\n"
        "officers: {a: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as info:
        read_scenario(bad)
    text = str(info.value)
    assert f"{bad}:5" in text and "per_working_day" in text


def test_missing_officers_is_a_clear_error() -> None:
    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    scenario = _scenario(dossiers=5, officers={"commune-pc": 1})
    with pytest.raises(
        ProcflowError, match="no officers for agency 'commune-police', 'social-insurance'"
    ):
        Simulation(scenario, proc, CAL)


def test_staffing_example_runs() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "staffing.py"), "--dossiers", "120"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    assert "on-time rate by staffing" in run.stdout
    assert run.stdout.count("│      120 │") == 5  # five staffing options, 120 dossiers each


def test_the_simulation_store_keeps_the_copy_an_act_moved() -> None:
    """Acts off the hot path (facts, apologies) move a copy of the record and
    hand the store the copy: the simulation's store keeps it, as the other
    stores do, and the replayed state agrees."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from simtest import single_queue

    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.simulation.store import SimulationStore

    store = SimulationStore()
    clock = VirtualClock(datetime(2025, 3, 3, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    engine = Engine(store, Catalogue([single_queue()]), WorkCalendar.vietnam(), clock)
    lan = Actor("lan", "office", "officer")
    code = engine.receive("test.single-queue", actor=lan).code
    before = store.record(code, clock.now().tzinfo)
    assert engine.set_facts(code, {"urgent": True}, lan).version == 2
    after = store.record(code, clock.now().tzinfo)
    assert after is not before and after.version == 2 and after.facts == {"urgent": True}
    assert engine.verify().ok


def test_the_summary_is_what_reading_every_dossier_at_the_end_gives() -> None:
    """The summary is counted as dossiers close, out of receipt order; it must
    equal the figures of every dossier read at the end, in receipt order, to
    the last bit of the hours late (float sums depend on their order)."""
    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    # few officers: most dossiers close late, out of order, with late visits
    scenario = _scenario(dossiers=400, seed=5, withdraw=0.05)
    scenario = scenario.model_copy(update={"officers": {agency: 1 for agency in scenario.officers}})
    sim = Simulation(scenario, proc, CAL, keep=True)
    result = sim.run()
    expected: dict[str, dict[str, float]] = {}
    late_steps: dict[str, dict[str, float]] = {}
    outcomes: dict[str, int] = {}
    for d in sim.store.iter_dossier_dicts():  # receipt order
        outcomes[d["outcome"]] = outcomes.get(d["outcome"], 0) + 1
        for v in d["visits"]:
            if v["timeliness"] is None or v["agency"] is None:
                continue
            acc = expected.setdefault(
                v["agency"], {"steps": 0, "early": 0, "on_time": 0, "late": 0, "late_hours": 0.0}
            )
            acc["steps"] += 1
            acc[v["timeliness"]] += 1
            acc["late_hours"] += v["late_seconds"] / 3600
            if v["timeliness"] == "late":
                row = late_steps.setdefault(v["step"], {"late": 0, "late_hours": 0.0})
                row["late"] += 1
                row["late_hours"] += v["late_seconds"] / 3600
    assert sum(acc["late"] for acc in expected.values()) > 50  # the case is exercised
    assert result.outcomes == dict(sorted(outcomes.items()))
    for agency, acc in expected.items():
        got = result.per_agency[agency]
        assert {k: got[k] for k in ("steps", "early", "on_time", "late")} == {
            k: acc[k] for k in ("steps", "early", "on_time", "late")
        }
        assert got["late_hours"] == round(acc["late_hours"], 3)
    assert sim._late_hours == {a: acc["late_hours"] for a, acc in expected.items() if acc["late"]}
    assert {r["step"]: r["late"] for r in result.late_steps} == {
        s: r["late"] for s, r in late_steps.items()
    }
    assert sim._late_steps == late_steps
