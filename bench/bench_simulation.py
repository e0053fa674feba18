"""Benchmark the simulator: the real engine on a virtual clock, and its event core.

    python bench/bench_simulation.py [--dossiers N] [--core-dossiers M] [--repeat R]
    python bench/bench_simulation.py --dossiers 1000000 --repeat 1 --variants simulator

The load is province-sized: 4,000 dossiers a working day, so 1,000,000 make
one simulated year (2025), through the 8-step, three-agency procedure of
bench_engine.py (7 officer steps of exponential work, mean 0.4 h; 10% of
reviews ask the applicant for more), with officers for ~85% utilisation
(desk 1,000, land 500, tax 250).

Variants, each in a fresh subprocess (peak memory is its own), medians of R:

- ``simulator``: procflow's simulator on that scenario, N dossiers, real
  calendar and engine: the figure that matters. Extrapolated to 1,000,000
  dossiers unless N is 1,000,000 (then it is measured).
- ``simpy-core``: the same dossier processes and officer queues in SimPy with
  no engine calls: the cost of the old discrete-event core alone.
- ``heap-core``: the same on procflow's core (procflow.simulation.des): the
  cost of the core the simulator runs on now.

``--engine-share`` adds one simulator run that times Engine.receive and
Engine.fire (the wrapper costs a little; the share is what matters).

Target (issue 7): 1,000,000 dossiers in under 60 s and 1 GB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PER_DAY = 4000.0  # dossiers a working day: 1,000,000 in a year
OFFICERS = {"desk": 1000, "land": 500, "tax": 250}
WORK_HOURS = 0.4  # mean of each officer step
SUPPLEMENT = 0.1  # share of reviews that ask the applicant for more
RESPONSE_HOURS = 7.5  # the applicant's answer (the simulator's default)
DAY = 7.5 * 3600
# The procedure's officer steps in order; "review" may send the dossier back
# to the applicant once, after which it is reviewed again.
STEPS = ["desk", "review", "desk", "land", "land", "tax", "desk"]
MILLION = 1_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _simulation(n: int) -> Any:
    import yaml

    sys.path.insert(0, str(HERE))
    import bench_engine

    from procflow.calendar import WorkCalendar
    from procflow.compiler import compile_procedure
    from procflow.definition.model import Procedure
    from procflow.simulation import Scenario, Simulation

    proc = compile_procedure(
        Procedure.model_validate(yaml.safe_load(bench_engine.PROCEDURE_YAML)), check=False
    )
    scenario = Scenario.model_validate(
        {
            "start": "2025-01-02",
            "dossiers": n,
            "seed": 1,
            "arrivals": {"per_working_day": PER_DAY},
            "officers": OFFICERS,
            "steps": {
                state: {"work": {"exponential": WORK_HOURS}, "supplement": SUPPLEMENT}
                for state in proc.states
                if not proc.states[state].terminal and not proc.states[state].is_applicant
            },
        }
    )
    return Simulation(scenario, proc, WorkCalendar.vietnam())


def run_simulator(n: int) -> dict[str, Any]:
    sim = _simulation(n)
    t0 = time.perf_counter()
    result = sim.run()
    elapsed = time.perf_counter() - t0
    return {
        "elapsed": elapsed,
        "arrivals": result.arrivals,
        "on_time_rate": result.on_time_rate,
        "simulated_until": result.simulated_until,
        "utilisation": {a: v["utilisation"] for a, v in result.per_agency.items()},
    }


def run_engine_share(n: int) -> dict[str, Any]:
    from procflow.engine import Engine

    spent = {"receive": 0.0, "fire": 0.0, "fires": 0}
    fire, receive = Engine.fire, Engine.receive
    clock = time.perf_counter

    def timed_fire(self: Engine, *args: Any, **kwargs: Any) -> Any:
        t = clock()
        try:
            return fire(self, *args, **kwargs)
        finally:
            spent["fire"] += clock() - t
            spent["fires"] += 1

    def timed_receive(self: Engine, *args: Any, **kwargs: Any) -> Any:
        t = clock()
        try:
            return receive(self, *args, **kwargs)
        finally:
            spent["receive"] += clock() - t

    Engine.fire, Engine.receive = timed_fire, timed_receive  # type: ignore[method-assign]
    out = run_simulator(n)
    engine = spent["receive"] + spent["fire"]
    out.update(
        engine_seconds=engine,
        engine_share=engine / out["elapsed"],
        us_per_engine_call=engine / (spent["fires"] + n) * 1e6,
        calls_per_dossier=(spent["fires"] + n) / n,
    )
    return out


def _core_dossier(rng: random.Random, pools: dict[str, Any], wait: Any, request: Any) -> Any:
    """One dossier's officer steps (shared by both cores): yields what to wait for."""
    mean = WORK_HOURS * 3600
    asked = False
    k = 0
    while k < len(STEPS):
        agency = "desk" if STEPS[k] == "review" else STEPS[k]
        yield from request(pools[agency], rng.expovariate(1 / mean))
        if STEPS[k] == "review" and not asked and rng.random() < SUPPLEMENT:
            asked = True
            yield wait(RESPONSE_HOURS * 3600)
            continue  # reviewed again
        k += 1


def run_simpy_core(n: int) -> dict[str, Any]:
    import simpy

    env = simpy.Environment()
    pools = {a: simpy.Resource(env, capacity=c) for a, c in OFFICERS.items()}

    def request(pool: Any, work: float) -> Any:
        with pool.request() as req:
            yield req
            yield env.timeout(work)

    def source() -> Any:
        rng = random.Random(1)
        for i in range(n):
            yield env.timeout(rng.expovariate(PER_DAY / DAY))
            env.process(_core_dossier(random.Random(i), pools, env.timeout, request))

    t0 = time.perf_counter()
    env.process(source())
    env.run()
    return {"elapsed": time.perf_counter() - t0, "arrivals": n}


def run_heap_core(n: int) -> dict[str, Any]:
    from procflow.simulation.des import Core, Pool

    core = Core()
    pools = {a: Pool(core, c) for a, c in OFFICERS.items()}

    def request(pool: Pool, work: float) -> Any:
        yield pool
        yield work
        pool.release()

    def wait(seconds: float) -> float:
        return seconds

    def source() -> Any:
        rng = random.Random(1)
        for i in range(n):
            yield rng.expovariate(PER_DAY / DAY)
            core.start(_core_dossier(random.Random(i), pools, wait, request))

    t0 = time.perf_counter()
    core.start(source())
    core.run(float("inf"))
    return {"elapsed": time.perf_counter() - t0, "arrivals": n}


CHILDREN = {
    "simulator": run_simulator,
    "engine-share": run_engine_share,
    "simpy-core": run_simpy_core,
    "heap-core": run_heap_core,
}


def spawn(variant: str, n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--dossiers", str(n)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=20_000, help="N for the simulator")
    ap.add_argument("--core-dossiers", type=int, default=200_000, help="N for the bare cores")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--variants", default="simulator,simpy-core,heap-core", help="comma-separated variants"
    )
    ap.add_argument("--engine-share", action="store_true", help="also time the engine's calls")
    ap.add_argument("--child", choices=sorted(CHILDREN))
    args = ap.parse_args()
    if args.child:
        result = CHILDREN[args.child](args.dossiers)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    rows = []
    for variant in args.variants.split(","):
        n = args.dossiers if variant == "simulator" else args.core_dossiers
        runs = [spawn(variant, n) for _ in range(args.repeat)]
        elapsed = statistics.median(r["elapsed"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        rate = n / elapsed
        rows.append((variant, n, elapsed, rate, MILLION / rate, peak, runs))
    print(f"{'variant':12} {'dossiers':>10} {'median s':>9} {'dossiers/s':>11} "
          f"{'1M in s':>8} {'peak MB':>8}")  # fmt: skip
    for variant, n, elapsed, rate, million, peak, _ in rows:
        print(f"{variant:12} {n:>10,} {elapsed:>9.2f} {rate:>11,.0f} {million:>8.0f} {peak:>8.0f}")
    by_name = {r[0]: r for r in rows}
    sim = by_name.get("simulator")
    if sim is not None:
        measured = "measured" if sim[1] >= MILLION else "extrapolated"
        print(
            f"\nsimulator: 1,000,000 dossiers take ~{sim[4]:.0f} s ({measured}; target < 60 s): "
            + ("met" if sim[4] < 60 else "NOT met")
            + f"; peak {sim[5]:.0f} MB (target < 1024 MB)"
        )
        last = sim[6][-1]
        print(
            f"on-time rate {last['on_time_rate']}, utilisation {last['utilisation']}, "
            f"simulated until {last['simulated_until']}"
        )
    if "simpy-core" in by_name and "heap-core" in by_name:
        ratio = by_name["simpy-core"][2] / by_name["heap-core"][2]
        print(f"simpy-core / heap-core time: {ratio:.2f}")
    if args.engine_share:
        share = spawn("engine-share", args.dossiers)
        print(
            f"engine (receive + fire): {share['engine_share']:.0%} of the simulator's time, "
            f"{share['us_per_engine_call']:.1f} us a call, {share['calls_per_dossier']:.2f} "
            "calls a dossier"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
