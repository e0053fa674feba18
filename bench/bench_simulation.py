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
  calendar and engine, on its flat event loop: the figure that matters.
  Extrapolated to 1,000,000 dossiers unless N is 1,000,000 (then measured).
- ``generator-simulator``: the same simulator on the generator-per-dossier
  core it ran on before (procflow.simulation.reference), same N.
- ``simpy-core``: the bench's dossier flow (below) and officer queues in
  SimPy with no engine calls: the core before procflow had its own.
- ``heap-core``: the same on procflow's generator core
  (procflow.simulation.des), a generator per dossier.
- ``flat-core``: the same on a flat loop built like the simulator's
  (Simulation._advance): a heap of (time, seq, action, dossier), arrivals
  merged from a sorted list, a deque for grants and releases at the same
  instant, a record per dossier, each dossier's own random.Random.
- ``flat-core-blocks``: the same, drawing from numpy blocks of uniforms
  fixed per dossier number instead of a random.Random per dossier.
- ``lean-simulator`` (asked for by name, N dossiers): the simulator's
  bound, as bench_engine.py's (f) is the engine's: flat-core-blocks
  driving bench_engine.lean_engine at every receipt and move, at whole
  seconds and the working axis's instants, with each closed dossier's
  visits counted. What a simulator on a lean core could reach here.

``--engine-share`` adds one simulator run that times Engine.receive_record and
Engine.move (what the simulator fires through; the wrapper costs a little;
the share is what matters), and a run of the simulator with a stub engine
(``loop-only``: the loop and the simulator's own work). ``--agreement R``
runs the simulator and the generator simulator on R seeds of the shipped
commune scenario and compares their on-time rates: means with 95%
confidence intervals, and the paired differences.

Target (issue 7, and the lean-core issue 18): 1,000,000 dossiers in under 60 s and 1 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
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


def _simulation(n: int, *, generator: bool = False) -> Any:
    import yaml

    sys.path.insert(0, str(HERE))
    import bench_engine

    from procflow.calendar import WorkCalendar
    from procflow.compiler import compile_procedure
    from procflow.definition.model import Procedure
    from procflow.simulation import Scenario, Simulation
    from procflow.simulation.reference import GeneratorSimulation

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
    kind = GeneratorSimulation if generator else Simulation
    return kind(scenario, proc, WorkCalendar.vietnam())


def run_simulator(n: int, *, generator: bool = False) -> dict[str, Any]:
    sim = _simulation(n, generator=generator)
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
    # the simulator moves through Engine.move and receives through receive_record
    fire, receive = Engine.move, Engine.receive_record
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

    Engine.move, Engine.receive_record = timed_fire, timed_receive  # type: ignore[method-assign,assignment]
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


def run_flat_core(
    n: int, *, blocks: bool = False, lean: LeanDriver | None = None
) -> dict[str, Any]:
    """The bench's dossier flow on a flat loop, built as Simulation._advance is
    (same sources, same tie rules), with no engine calls.

    Each dossier draws from its own ``random.Random`` (as the simulator
    does), or, with ``blocks``, from a row of uniforms drawn by numpy for
    4,096 dossiers at a time, a row fixed by the dossier's number (so common
    random numbers would still hold) and long enough for its 9 draws at most.

    ``lean`` (``lean-simulator``, :func:`run_lean_simulator`) is told of
    every receipt and move, and times are whole seconds, as the simulator's.
    """
    from collections import deque
    from itertools import count
    from math import log

    import numpy as np

    from procflow.simulation.runner import Officers

    grant, release, done, answer = range(4)
    never = float("inf")
    lambd = 1 / (WORK_HOURS * 3600)
    response = RESPONSE_HOURS * 3600
    officers = {a: Officers(c) for a, c in OFFICERS.items()}
    plan = [officers["desk" if s == "review" else s] for s in STEPS]
    last, review = len(STEPS) - 1, STEPS.index("review")

    block, width = 4096, 10
    rows: list[list[float]] = []
    mean = WORK_HOURS * 3600

    t0 = time.perf_counter()
    source = random.Random(1)
    arrivals: list[float] = []  # precomputed, sorted
    t = 0.0
    for _ in range(n):
        t += source.expovariate(PER_DAY / DAY)
        arrivals.append(t if lean is None else round(t))
    arrivals.append(never)
    heap: list[tuple[float, int, int, list[Any]]] = []
    ready: deque[tuple[int, int, Any]] = deque()
    push, pop, popleft, append = heapq.heappush, heapq.heappop, ready.popleft, ready.append
    seq = count()
    number, arr_seq, arr_t, now = 0, next(seq), arrivals[0], 0.0
    rec: list[Any]
    while True:
        if ready:
            if (not heap or heap[0][0] > now) and arr_t > now:
                _, action, payload = popleft()
            else:
                top_seq = heap[0][1] if heap and heap[0][0] == now else never
                at_now = arr_seq if arr_t == now else never
                first = ready[0][0]
                if first < top_seq and first < at_now:
                    _, action, payload = popleft()
                else:
                    action, payload = (-1 if at_now < top_seq else -2), None
        elif heap:
            top = heap[0]
            action = -1 if arr_t < top[0] or (arr_t == top[0] and arr_seq < top[1]) else -2
            payload = None
        elif arr_t < never:
            action, payload = -1, None
        else:
            break
        if action == grant:  # [rng or iterator of uniforms, step, asked, code]
            draws = payload[0]
            w = -log(1.0 - next(draws)) * mean if blocks else draws.expovariate(lambd)
            push(heap, (now + (w if lean is None else round(w)), next(seq), done, payload))
            continue
        if action == release:
            if payload.queue and payload.busy < payload.capacity:
                payload.busy += 1
                append((next(seq), grant, payload.queue.popleft()))
            continue
        if action == -1:
            now = arr_t
            arr_seq = next(seq)
            if not blocks:
                rec = [random.Random(number), 0, False, None]
            else:
                if number % block == 0:
                    gen = np.random.default_rng([1, number // block])
                    rows = gen.random((block, width)).tolist()
                rec = [iter(rows[number % block]), 0, False, None]
            number += 1
            arr_t = arrivals[number]
            if lean is not None:
                rec[3] = lean.receive(number, now)
        else:
            now, _, kind, rec = pop(heap)
            if kind == done:
                k = rec[1]
                off = plan[k]
                off.busy -= 1
                append((next(seq), release, off))
                if (
                    k == review
                    and not rec[2]
                    and (next(rec[0]) if blocks else rec[0].random()) < SUPPLEMENT
                ):
                    rec[2] = True
                    if lean is not None:
                        lean.ask(rec[3], now)
                    push(heap, (now + response, next(seq), answer, rec))
                    continue
                if lean is not None:
                    lean.move(rec[3], k, now)
                if k == last:
                    continue  # closed
                rec[1] = k + 1
            elif lean is not None:  # the applicant answers: reviewed again
                lean.answer(rec[3], now)
        off = plan[rec[1]]  # arrival, next step or reviewed again: queue for it
        off.queue.append(rec)
        if off.busy < off.capacity:
            off.busy += 1
            append((next(seq), grant, off.queue.popleft()))
    return {"elapsed": time.perf_counter() - t0, "arrivals": n, "end": now}


# The bench procedure's officer steps in STEPS order, and the trigger that
# moves a dossier on from each (the review's other outcome asks for more).
LEAN_STATES = ["reception", "review", "to-land", "appraisal", "to-tax", "tax-assessment", "return"]
LEAN_FORWARD = ["forward", "accept", "send", "appraise", "send", "send", "hand_over"]


class LeanDriver:
    """The flat core's calls into the engine benchmark's lean engine
    (``bench_engine.lean_engine``), at the wall-clock instant of each
    simulated time (the calendar's working axis, as the simulator's clock),
    and what it counts as dossiers close: each visit by agency and
    timeliness, each dossier's timeliness."""

    def __init__(self) -> None:
        from collections import Counter

        sys.path.insert(0, str(HERE))
        import bench_engine

        from procflow.calendar import WorkCalendar

        self.visits: Counter[tuple[str, str | None]] = Counter()
        self.outcomes: Counter[str | None] = Counter()
        holder = self._holder = bench_engine.HOLDER
        # no event logs kept, as the simulator keeps none when it writes none
        self.engine = bench_engine.lean_engine(on_close=self._closed, logs=False)
        actors = self.engine.actors
        self._by_step = [actors[holder[s]] for s in LEAN_STATES]
        self._desk = actors["desk"]
        cal = WorkCalendar.vietnam()
        origin = cal.add_working_seconds(dt.datetime(2025, 1, 2, tzinfo=cal.tz), 0.0)
        self.wall = cal.axis(origin).wall_ts

    def _closed(self, rec: list[Any]) -> None:
        holder = self._holder
        self.visits.update([(holder[v[0]], v[4]) for v in rec[5]])

    def open_records(self) -> int:
        """How many dossiers are still open."""
        return len(self.engine.records)

    def receive(self, number: int, now: float) -> str:
        code = f"DESK-{number:07d}"
        self.engine.receive(code, self.wall(now))
        return code

    def ask(self, code: str, now: float) -> None:
        self.engine.fire(code, "request_supplement", self._desk, self.wall(now))

    def answer(self, code: str, now: float) -> None:
        self.engine.fire(code, "resubmit", self._desk, self.wall(now))

    def move(self, code: str, k: int, now: float) -> None:
        outcome = self.engine.fire(code, LEAN_FORWARD[k], self._by_step[k], self.wall(now))
        if outcome is not None:
            self.outcomes[outcome] += 1


class LeanFullDriver(LeanDriver):
    """:class:`LeanDriver` on ``bench/lean_full.py``'s engine (g): the lean
    engine with the features procflow owes its callers, numbering and the
    act lock and the slip included, writing procflow's events. Its clock is
    set to each act's wall-clock instant; its store keeps no logs, as the
    simulator's keeps none, and counts what closes as :class:`LeanDriver`."""

    def __init__(self) -> None:
        from collections import Counter

        sys.path.insert(0, str(HERE))
        import bench_engine
        import lean_full

        from procflow.calendar import WorkCalendar

        self.visits: Counter[tuple[str, str | None]] = Counter()
        self.outcomes: Counter[str | None] = Counter()
        self._holder = bench_engine.HOLDER
        self.store = lean_full.LeanStore(on_close=self._closed_full)
        self.clock = lean_full.LeanClock(bench_engine.START)
        self._receive, self._fire = lean_full.lean_full_engine(self.store, self.clock)
        actors = {
            "desk": ("lan", "desk", "officer", None),
            "land": ("minh", "land", "officer", None),
            "tax": ("thu", "tax", "officer", None),
        }
        self._by_step = [actors[self._holder[s]] for s in LEAN_STATES]
        self._desk = actors["desk"]
        self._timeliness = lean_full.TIMELINESS
        self._visits_at = lean_full.VISITS
        cal = WorkCalendar.vietnam()
        origin = cal.add_working_seconds(dt.datetime(2025, 1, 2, tzinfo=cal.tz), 0.0)
        self.wall = cal.axis(origin).wall_ts

    def open_records(self) -> int:
        return len(self.store._records)

    def _closed_full(self, rec: list[Any]) -> None:
        holder = self._holder
        self.visits.update([(holder[v[0]], v[4]) for v in rec[self._visits_at]])
        self.outcomes[rec[self._timeliness]] += 1

    def receive(self, number: int, now: float) -> str:
        self.clock.t = self.wall(now)
        code: str = self._receive("bench.land-transfer", actor=self._desk).code
        return code

    def ask(self, code: str, now: float) -> None:
        self.clock.t = self.wall(now)
        self._fire(code, "request_supplement", self._desk)

    def answer(self, code: str, now: float) -> None:
        self.clock.t = self.wall(now)
        self._fire(code, "resubmit", self._desk)

    def move(self, code: str, k: int, now: float) -> None:
        self.clock.t = self.wall(now)
        self._fire(code, LEAN_FORWARD[k], self._by_step[k])


def run_lean_full_simulator(n: int) -> dict[str, Any]:
    """The simulator's bound with procflow's features: ``lean-simulator``'s
    flat loop driving (g) (``bench/lean_full.py``) instead of (f)."""
    return _drive(LeanFullDriver(), n)


def run_lean_simulator(n: int) -> dict[str, Any]:
    """The bound of the simulator, built as the engine benchmark's (f) is: the
    flat loop with block draws (``flat-core-blocks``) driving the lean
    engine (``bench_engine.lean_engine``: (a)'s required work per
    transition, hash chain included) at every receipt and move, with the
    simulator's own extras: whole-second times, the wall clock of each call
    from the calendar's working axis, and each closed dossier's visits
    counted by agency and timeliness, and its own timeliness (a method call
    a move, as the simulator's inline loop does not pay). What it leaves
    out is what (f) leaves out, and the simulator's queue samples; like the
    simulator when it keeps nothing, it keeps no event logs (each dossier's
    chain still runs to its last hash): the leanest CPython simulated year
    this benchmark knows of."""
    return _drive(LeanDriver(), n)


def _drive(lean: LeanDriver, n: int) -> dict[str, Any]:
    """A year of ``n`` dossiers on the flat loop with block draws, driving
    ``lean``; every dossier must close, and the on-time rate is counted."""
    out = run_flat_core(n, blocks=True, lean=lean)
    assert not lean.open_records() and sum(lean.outcomes.values()) == n
    late = sum(c for (_, left), c in lean.visits.items() if left == "late")
    out.update(on_time_rate=1 - lean.outcomes["late"] / n, late_visits=late)
    return out


class _StubDossier:
    """What the simulator reads of a dossier: its state, outcome and visits
    (as :class:`procflow.model.record.Record` keeps them, flat in ``cells``;
    the stub makes none)."""

    __slots__ = ("cells", "code", "outcome", "state", "timeliness")

    def __init__(self, code: str, state: str) -> None:
        self.code, self.state = code, state
        self.outcome: str | None = None
        self.timeliness = None
        self.cells: list[Any] = []


def run_loop_only(n: int) -> dict[str, Any]:
    """The simulator with Engine.receive(_record) and Engine.move replaced by a
    transition-table lookup: the loop and the simulator's own work (clock
    sync, draws, folding) without the engine."""
    from procflow.engine import Engine

    sim = _simulation(n)
    compiled = sim.compiled
    held: dict[str, _StubDossier] = {}
    moves: dict[tuple[str, str], str] = {}
    codes = iter(range(1 << 62))

    def receive(self: Engine, *args: Any, **kwargs: Any) -> Any:
        code = str(next(codes))
        d = held[code] = _StubDossier(code, compiled.initial)
        return d

    def fire(self: Engine, code: str, trigger: str, actor: Any) -> Any:
        d = held[code]
        key = (d.state, trigger)
        dest = moves.get(key)
        if dest is None:
            target = compiled.resolve(d.state, trigger, {})
            assert target is not None
            dest = moves[key] = target.dest
        d.state = dest
        if compiled.states[dest].terminal:
            d.outcome = dest
            del held[code]
        return d

    Engine.move = fire  # type: ignore[method-assign,assignment]
    Engine.receive = Engine.receive_record = receive  # type: ignore[method-assign,assignment]
    t0 = time.perf_counter()
    result = sim.run()
    return {"elapsed": time.perf_counter() - t0, "arrivals": result.arrivals}


def run_agreement(n: int, seeds: int) -> dict[str, Any]:
    """On-time rates of the flat-loop simulator and the generator simulator on
    ``seeds`` seeds of the shipped commune scenario, ``n`` dossiers each (the
    province load is never late at a bench's N: its rates are all 1.0)."""
    from procflow.calendar import WorkCalendar
    from procflow.compiler import compile_procedure
    from procflow.definition.loader import read_procedure
    from procflow.simulation import Simulation, read_scenario
    from procflow.simulation.reference import GeneratorSimulation

    folder = HERE.parent / "procedures" / "lien-thong"
    proc = compile_procedure(read_procedure(folder / "child-under-6.yaml"))
    base, _ = read_scenario(folder / "simulations" / "commune-desk-2026.yaml")
    calendar = WorkCalendar.vietnam()
    out: dict[str, list[float]] = {"flat": [], "generator": []}
    for seed in range(1, seeds + 1):
        sc = base.model_copy(
            update={"period": None, "start": base.first_day, "dossiers": n, "seed": seed}
        )
        for name, kind in (("flat", Simulation), ("generator", GeneratorSimulation)):
            out[name].append(kind(sc, proc, calendar).run().on_time_rate or 0.0)
    return out


def _ci95(xs: list[float]) -> tuple[float, float, float]:
    from procflow.simulation.compare import t975

    mean = statistics.fmean(xs)
    half = t975(len(xs) - 1) * statistics.stdev(xs) / len(xs) ** 0.5 if len(xs) > 1 else 0.0
    return mean, mean - half, mean + half


CHILDREN = {
    "simulator": run_simulator,
    "engine-share": run_engine_share,
    "simpy-core": run_simpy_core,
    "heap-core": run_heap_core,
    "flat-core": run_flat_core,
    "flat-core-blocks": lambda n: run_flat_core(n, blocks=True),
    "lean-simulator": run_lean_simulator,
    "lean-full-simulator": run_lean_full_simulator,
    "generator-simulator": lambda n: run_simulator(n, generator=True),
    "loop-only": run_loop_only,
}
#: Variants that run the simulator (N dossiers); the others run the bare cores (M).
SIMULATORS = (
    "simulator",
    "generator-simulator",
    "loop-only",
    "lean-simulator",
    "lean-full-simulator",
)


def spawn(variant: str, n: int, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--dossiers", str(n), *extra],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=20_000, help="N for the simulators")
    ap.add_argument("--core-dossiers", type=int, default=200_000, help="M for the bare cores")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--variants",
        default="simulator,generator-simulator,simpy-core,heap-core,flat-core,flat-core-blocks",
        help="comma-separated variants (also: loop-only, lean-simulator, lean-full-simulator)",
    )
    ap.add_argument(
        "--engine-share", action="store_true", help="also time the engine's calls and the loop"
    )
    ap.add_argument(
        "--agreement", type=int, default=0, metavar="R",
        help="compare on-time rates of both simulators on R seeds",
    )  # fmt: skip
    ap.add_argument(
        "--agreement-dossiers", type=int, default=2000, help="dossiers a run for --agreement"
    )
    ap.add_argument("--child", choices=[*sorted(CHILDREN), "agreement"])
    args = ap.parse_args()
    if args.child == "agreement":
        print(json.dumps(run_agreement(args.dossiers, args.agreement)))
        return 0
    if args.child:
        result = CHILDREN[args.child](args.dossiers)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    rows = []
    for variant in filter(None, args.variants.split(",")):
        n = args.dossiers if variant in SIMULATORS else args.core_dossiers
        # Interleaved would be fairer to a machine whose speed drifts, but each
        # variant's runs back to back keep the caches of one kind of run warm.
        runs = [spawn(variant, n) for _ in range(args.repeat)]
        elapsed = statistics.median(r["elapsed"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        rate = n / elapsed
        rows.append((variant, n, elapsed, rate, MILLION / rate, peak, runs))
    print(f"{'variant':20} {'dossiers':>10} {'median s':>9} {'dossiers/s':>11} "
          f"{'1M in s':>8} {'peak MB':>8}")  # fmt: skip
    for variant, n, elapsed, rate, million, peak, _ in rows:
        print(f"{variant:20} {n:>10,} {elapsed:>9.2f} {rate:>11,.0f} {million:>8.0f} {peak:>8.0f}")
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
    for slow, fast in (
        ("generator-simulator", "simulator"),
        ("simulator", "lean-simulator"),
        ("simulator", "lean-full-simulator"),
        ("lean-full-simulator", "lean-simulator"),
        ("lean-simulator", "flat-core-blocks"),
        ("simpy-core", "heap-core"),
        ("heap-core", "flat-core"),
        ("simpy-core", "flat-core"),
        ("flat-core", "flat-core-blocks"),
    ):
        if slow in by_name and fast in by_name:
            ratio = by_name[slow][2] / by_name[slow][1] / (by_name[fast][2] / by_name[fast][1])
            print(f"{slow} / {fast} time per dossier: {ratio:.2f}")
    if args.engine_share:
        share = spawn("engine-share", args.dossiers)
        loop = spawn("loop-only", args.dossiers)
        print(
            f"engine (receive + fire): {share['engine_share']:.0%} of the simulator's time, "
            f"{share['us_per_engine_call']:.1f} us a call, {share['calls_per_dossier']:.2f} "
            f"calls a dossier; the simulator without the engine (loop-only): "
            f"{loop['elapsed']:.2f} s, {loop['elapsed'] / args.dossiers * 1e6:.1f} us a dossier, "
            f"~{loop['elapsed'] / args.dossiers * MILLION:.0f} s a million"
        )
    if args.agreement:
        n = args.agreement_dossiers
        both = spawn("agreement", n, "--agreement", str(args.agreement))
        print(f"\non-time rates on {args.agreement} seeds of the commune scenario, "
              f"{n:,} dossiers each:")  # fmt: skip
        for name in ("flat", "generator"):
            mean, lo, hi = _ci95(both[name])
            print(f"  {name:9} mean {mean:.4f}, 95% CI [{lo:.4f}, {hi:.4f}]  {both[name]}")
        diffs = [a - b for a, b in zip(both["flat"], both["generator"], strict=True)]
        mean, lo, hi = _ci95(diffs)
        print(f"  paired difference flat - generator: mean {mean:.6f}, 95% CI [{lo:.6f}, {hi:.6f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
