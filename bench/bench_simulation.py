"""Benchmark the simulator: the real engine on a virtual clock, and its event core.

    python bench/bench_simulation.py [--dossiers N] [--repeat R]

Variants, each in a fresh subprocess (peak memory is its own):

- ``simulator``: procflow's simulator on an 8-step, three-agency procedure
  (the bench procedure of bench_engine.py), N dossiers, real calendar and
  engine: the figure that matters. Extrapolated to 1,000,000 dossiers.
- ``simpy-core``: the same dossier processes and officer queues in SimPy with
  no engine calls: the cost of the discrete-event core alone.
- ``heap-core``: the same with a plain heapq event loop (FIFO officer pools
  by hand): the baseline a hand-written core would give.

Target (issue 7): 1,000,000 dossiers in under 60 s and 1 GB.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEPS = [  # (agency, mean work hours): the bench procedure's 8 steps, supplement aside
    ("desk", 0.25), ("land", 1.0), ("land", 0.5), ("land", 0.25),
    ("tax", 0.75), ("tax", 0.25), ("desk", 0.25), ("desk", 0.2),
]  # fmt: skip
OFFICERS = {"desk": 3, "land": 3, "tax": 2}
DAY = 7.5 * 3600
PER_DAY = 40.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_simulator(n: int) -> dict[str, Any]:
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
                state: {"work": {"exponential": 0.4}, "supplement": 0.1}
                for state in proc.states
                if not proc.states[state].terminal and not proc.states[state].is_applicant
            },
        }
    )
    t0 = time.perf_counter()
    result = Simulation(scenario, proc, WorkCalendar.vietnam()).run()
    return {"elapsed": time.perf_counter() - t0, "arrivals": result.arrivals}


def run_simpy_core(n: int) -> dict[str, Any]:
    import simpy

    env = simpy.Environment()
    pools = {a: simpy.Resource(env, capacity=c) for a, c in OFFICERS.items()}

    def dossier(rng: random.Random) -> Any:
        for agency, mean in STEPS:
            with pools[agency].request() as req:
                yield req
                yield env.timeout(rng.expovariate(1 / (mean * 3600)))

    def source() -> Any:
        rng = random.Random(1)
        for i in range(n):
            yield env.timeout(rng.expovariate(PER_DAY / DAY))
            env.process(dossier(random.Random(i)))

    t0 = time.perf_counter()
    env.process(source())
    env.run()
    return {"elapsed": time.perf_counter() - t0, "arrivals": n}


def run_heap_core(n: int) -> dict[str, Any]:
    free = dict(OFFICERS)
    waiting: dict[str, deque[tuple[int, int]]] = {a: deque() for a in OFFICERS}
    heap: list[tuple[float, int, str, int, int]] = []
    rngs: dict[int, random.Random] = {}
    seq = 0

    def start(now: float, d: int, k: int) -> None:
        nonlocal seq
        agency, mean = STEPS[k]
        if free[agency]:
            free[agency] -= 1
            seq += 1
            heapq.heappush(heap, (now + rngs[d].expovariate(1 / (mean * 3600)), seq, "done", d, k))
        else:
            waiting[agency].append((d, k))

    rng = random.Random(1)
    t = 0.0
    for i in range(n):
        t += rng.expovariate(PER_DAY / DAY)
        seq += 1
        heap.append((t, seq, "arrive", i, 0))
    heapq.heapify(heap)
    t0 = time.perf_counter()
    while heap:
        now, _, kind, d, k = heapq.heappop(heap)
        if kind == "arrive":
            rngs[d] = random.Random(d)
            start(now, d, 0)
            continue
        agency = STEPS[k][0]
        free[agency] += 1
        if waiting[agency]:
            start(now, *waiting[agency].popleft())
        if k + 1 < len(STEPS):
            start(now, d, k + 1)
        else:
            del rngs[d]
    return {"elapsed": time.perf_counter() - t0, "arrivals": n}


CHILDREN = {"simulator": run_simulator, "simpy-core": run_simpy_core, "heap-core": run_heap_core}


def spawn(variant: str, n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--dossiers", str(n)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=20_000, help="N for the simulator")
    ap.add_argument("--core-dossiers", type=int, default=1_000_000, help="N for the bare cores")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=sorted(CHILDREN))
    args = ap.parse_args()
    if args.child:
        result = CHILDREN[args.child](args.dossiers)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    rows = []
    for variant, n in (
        ("simulator", args.dossiers),
        ("simpy-core", args.core_dossiers),
        ("heap-core", args.core_dossiers),
    ):
        runs = [spawn(variant, n) for _ in range(args.repeat)]
        elapsed = statistics.median(r["elapsed"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        rate = n / elapsed
        rows.append((variant, n, elapsed, rate, 1_000_000 / rate, peak))
    print(f"{'variant':12} {'dossiers':>10} {'median s':>9} {'dossiers/s':>11} "
          f"{'1M in s':>8} {'peak MB':>8}")  # fmt: skip
    for variant, n, elapsed, rate, million, peak in rows:
        print(f"{variant:12} {n:>10,} {elapsed:>9.2f} {rate:>11,.0f} {million:>8.0f} {peak:>8.0f}")
    sim = rows[0]
    print(
        f"\nsimulator: 1,000,000 dossiers would take ~{sim[4]:.0f} s (target < 60 s): "
        + ("met" if sim[4] < 60 else "NOT met")
    )
    print(f"simpy-core / heap-core time: {rows[1][2] / rows[2][2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
