"""Run a stream of dossiers through the real engine on a virtual clock.

The simulator is a discrete-event model (SimPy) whose events are the real
engine's calls: each simulated dossier is received by ``Engine.receive`` and
moved by ``Engine.fire``, so the deadlines, pauses, hand-offs and lateness it
reports are computed by exactly the code that runs a real desk.

Time runs on a *working-time axis*: simulation time ``t`` is working seconds
since the first office hour of the period, and ``calendar.add_working_seconds``
maps it to the wall clock. Officers only work in office hours, applicants'
answers are counted in working time too, and Tết, weekends and swapped days
fall out of the axis by themselves.

Each dossier draws from its own random stream (seeded by the scenario seed
and its arrival number), so two procedures run on the same scenario and seed
see the same dossiers with the same work: common random numbers, which is
what makes :func:`procflow.simulation.compare.compare` sharp.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import random
import time as _time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from procflow.catalogue import Catalogue
from procflow.compiler import WITHDRAW, CompiledProcedure
from procflow.definition.model import Terminal
from procflow.engine import Actor, Engine, VirtualClock
from procflow.errors import ProcflowError, RuleViolation
from procflow.simulation.scenario import Scenario, StepLoad
from procflow.store.memory import MemoryStore

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar

#: Work assumed for an agency step the scenario says nothing about (hours).
DEFAULT_WORK_HOURS = 0.5
#: Applicant answer time assumed when the scenario says nothing (hours).
DEFAULT_RESPONSE_HOURS = 7.5


@dataclass
class StepPlan:
    """What the simulator fires from one state."""

    forward: str | None
    supplement: str | None
    refuse: str | None


@dataclass
class SimulationResult:
    """What a run predicts. Rates are shares of resolved dossiers."""

    scenario: str
    procedure: str
    seed: int
    arrivals: int
    outcomes: dict[str, int]
    timeliness: dict[str, int]
    on_time_rate: float | None
    per_agency: dict[str, dict[str, float | None]]
    late_steps: list[dict[str, Any]]
    queues: dict[str, list[dict[str, Any]]]
    apologies_needed: int
    simulated_until: str
    wall_seconds: float = field(default=0.0, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "procedure": self.procedure,
            "seed": self.seed,
            "arrivals": self.arrivals,
            "outcomes": self.outcomes,
            "timeliness": self.timeliness,
            "on_time_rate": self.on_time_rate,
            "per_agency": self.per_agency,
            "late_steps": self.late_steps,
            "queues": self.queues,
            "apologies_needed": self.apologies_needed,
            "simulated_until": self.simulated_until,
        }


def plan_steps(compiled: CompiledProcedure, scenario: Scenario) -> dict[str, StepPlan]:
    """For each step: the forward trigger, and the ones that ask for more or refuse."""
    plans: dict[str, StepPlan] = {}
    for state, info in compiled.states.items():
        if info.terminal:
            continue
        forward = supplement = refuse = None
        for trigger in compiled.triggers(state):
            t = compiled.resolve(state, trigger, {})
            if t is None or trigger in (WITHDRAW, "stop"):
                continue
            dest = compiled.states[t.dest]
            if dest.is_applicant and supplement is None:
                supplement = trigger
            elif t.dest == Terminal.REFUSED.value and refuse is None:
                refuse = trigger
            elif (not dest.is_applicant and not dest.terminal) or t.dest == Terminal.RETURNED.value:
                forward = forward or trigger
        load = scenario.steps.get(state)
        if load is not None and load.trigger is not None:
            if load.trigger not in compiled.triggers(state):
                raise ProcflowError(
                    f"scenario step {state!r}: trigger {load.trigger!r} does not exist there "
                    f"(possible: {', '.join(compiled.triggers(state))})"
                )
            forward = load.trigger
        plans[state] = StepPlan(forward, supplement, refuse)
    return plans


class Simulation:
    """One run of one scenario through one procedure version."""

    def __init__(
        self,
        scenario: Scenario,
        compiled: CompiledProcedure,
        calendar: WorkCalendar,
        *,
        store: MemoryStore | None = None,
    ) -> None:
        needed = sorted({i.agency for i in compiled.states.values() if i.agency})
        missing = [a for a in needed if a not in scenario.officers]
        if missing:
            raise ProcflowError(
                f"scenario {scenario.name!r} gives no officers for agency "
                f"{', '.join(repr(a) for a in missing)} (add them under 'officers:')"
            )
        self.scenario = scenario
        self.compiled = compiled
        self.calendar = calendar
        self.store = store if store is not None else MemoryStore()
        self.plans = plan_steps(compiled, scenario)
        first = dt.datetime.combine(scenario.first_day, dt.time(0, 0), tzinfo=calendar.tz)
        self.origin = calendar.add_working_seconds(first, 0.0)
        self.clock = VirtualClock(self.origin)
        self.engine = Engine(self.store, Catalogue([compiled]), calendar, self.clock)
        self.env = simpy.Environment()
        self.officers = {
            a: simpy.Resource(self.env, capacity=n) for a, n in scenario.officers.items()
        }
        self._served: dict[str, int] = defaultdict(int)
        self._samples: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
        self.arrivals = 0
        self._active = 0
        self._desk = Actor("desk-officer", compiled.procedure.desk.id, None)

    # --- time -------------------------------------------------------------------

    def wall(self, t: float) -> dt.datetime:
        return self.calendar.add_working_seconds(self.origin, t)

    def _sync(self) -> None:
        self.clock.set(self.wall(self.env.now))

    # --- arrivals -----------------------------------------------------------------

    def _arrival_times(self) -> Iterator[float]:
        sc, day_s = self.scenario, self.calendar.day_seconds
        rng = np.random.default_rng([sc.seed, 0xA221])
        k, carry = 0, 0.0
        while True:
            day = self.wall(k * day_s).date()
            if sc.period is not None and day > sc.period.end:
                return
            rate = sc.arrivals.rate(day)
            offsets: list[float]
            if sc.arrivals.process == "poisson":
                offsets = sorted(rng.uniform(0.0, day_s, rng.poisson(rate)).tolist())
            else:
                carry += rate
                n = int(carry)
                carry -= n
                offsets = [(i + 0.5) * day_s / n for i in range(n)]
            for off in offsets:
                yield k * day_s + off
            k += 1

    def _source(self) -> Generator[simpy.Event, None, None]:
        limit = self.scenario.dossiers
        for t in self._arrival_times():
            if limit is not None and self.arrivals >= limit:
                return
            yield self.env.timeout(t - self.env.now)
            self.env.process(self._dossier(self.arrivals))
            self.arrivals += 1

    # --- one dossier ----------------------------------------------------------------

    def _dossier(self, number: int) -> Generator[simpy.Event, None, None]:
        sc = self.scenario
        rng = random.Random(sc.seed * 1_000_003 + number)
        self._sync()
        code = self.engine.receive(self.compiled.id, actor=self._desk).code
        self._active += 1
        withdraw_at = rng.randrange(8) if rng.random() < sc.withdraw else -1
        state, steps = self.compiled.initial, 0
        supplements: dict[str, int] = defaultdict(int)
        limit = self.compiled.procedure.rules.max_supplement_requests
        while True:
            info = self.compiled.states[state]
            if info.terminal:
                self._active -= 1
                return
            load = sc.steps.get(state) or StepLoad()
            plan = self.plans[state]
            if steps == withdraw_at:
                self._sync()
                actor = Actor("applicant", self._desk.agency)
                state = self.engine.fire(code, WITHDRAW, actor).state
                continue
            steps += 1
            if info.is_applicant:
                response = load.response
                wait = response.sample_seconds(rng) if response else DEFAULT_RESPONSE_HOURS * 3600
                yield self.env.timeout(wait)
                self._sync()
                trigger = plan.forward
                assert trigger is not None
                state = self.engine.fire(code, trigger, self._actor(info.agency, info.role)).state
                continue
            agency = info.agency
            assert agency is not None
            with self.officers[agency].request() as request:
                yield request
                work = load.work.sample_seconds(rng) if load.work else DEFAULT_WORK_HOURS * 3600
                yield self.env.timeout(work)
                u = rng.random()
                trigger = plan.forward
                if plan.refuse and u < load.refuse:
                    trigger = plan.refuse
                elif plan.supplement and u < load.refuse + load.supplement:
                    target = self.compiled.resolve(state, plan.supplement, {})
                    if target is not None and supplements[target.dest] < limit:
                        supplements[target.dest] += 1
                        trigger = plan.supplement
                if trigger is None:
                    raise ProcflowError(f"step {state!r} has no forward trigger to simulate")
                self._sync()
                try:
                    d = self.engine.fire(code, trigger, self._actor(agency, info.role))
                except RuleViolation:  # e.g. a second supplement request: carry on instead
                    d = self.engine.fire(
                        code, plan.forward or trigger, self._actor(agency, info.role)
                    )
                state = d.state

    def _actor(self, agency: str | None, role: str | None) -> Actor:
        assert agency is not None
        n = self._served[agency] = self._served[agency] + 1
        slot = n % self.scenario.officers.get(agency, 1)
        return Actor(f"{agency}-{slot + 1}", agency, role)

    def _sampler(self) -> Generator[simpy.Event, None, None]:
        every = self.scenario.sample_every_hours * 3600
        while True:
            for agency, res in self.officers.items():
                self._samples[agency].append((self.env.now, len(res.queue), res.count))
            yield self.env.timeout(every)

    # --- running ----------------------------------------------------------------------

    def run(self, progress: Callable[[int], None] | None = None) -> SimulationResult:
        started = _time.perf_counter()
        source = self.env.process(self._source())
        self.env.process(self._sampler())
        step = self.calendar.day_seconds * 5
        # A run makes millions of short-lived objects and no reference cycles
        # worth collecting mid-run: pausing the cyclic GC saves ~15%.
        paused = gc.isenabled()
        gc.disable()
        try:
            while source.is_alive or self._open_work():
                self.env.run(until=self.env.now + step)
                if progress is not None:
                    progress(self.arrivals)
        finally:
            if paused:
                gc.enable()
        result = self._summarise()
        result.wall_seconds = _time.perf_counter() - started
        return result

    def _open_work(self) -> bool:
        return self._active > 0

    def _summarise(self) -> SimulationResult:
        outcomes: dict[str, int] = defaultdict(int)
        timeliness: dict[str, int] = {"early": 0, "on_time": 0, "late": 0}
        agencies: dict[str, dict[str, float]] = defaultdict(
            lambda: {"steps": 0, "early": 0, "on_time": 0, "late": 0, "late_hours": 0.0}
        )
        late_steps: dict[str, dict[str, float]] = defaultdict(
            lambda: {"late": 0, "late_hours": 0.0}
        )
        for d in self.store.iter_dossier_dicts():
            outcomes[d["outcome"] or "open"] += 1
            if d["timeliness"]:
                timeliness[d["timeliness"]] += 1
            for v in d["visits"]:
                cls = v["timeliness"]
                if cls is None or v["agency"] is None:
                    continue
                acc = agencies[v["agency"]]
                acc["steps"] += 1
                acc[cls] += 1
                acc["late_hours"] += v["late_seconds"] / 3600
                if cls == "late":
                    late_steps[v["step"]]["late"] += 1
                    late_steps[v["step"]]["late_hours"] += v["late_seconds"] / 3600
        resolved = sum(timeliness.values())
        rate = (timeliness["early"] + timeliness["on_time"]) / resolved if resolved else None
        end = max((s[-1][0] for s in self._samples.values() if s), default=0.0)
        horizon = end or 1.0
        per_agency: dict[str, dict[str, float | None]] = {}
        for agency, res in self.officers.items():
            acc = agencies.get(
                agency, {"steps": 0, "early": 0, "on_time": 0, "late": 0, "late_hours": 0.0}
            )
            samples = self._samples.get(agency, [])
            busy = sum(s[2] for s in samples) / max(len(samples), 1)
            per_agency[agency] = {
                **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in acc.items()},
                "on_time_rate": _rate(acc),
                "officers": res.capacity,
                "utilisation": round(busy / res.capacity, 4),
                "mean_queue": round(sum(s[1] for s in samples) / max(len(samples), 1), 3),
            }
        queues = {agency: _daily(self, samples) for agency, samples in self._samples.items()}
        ranked: list[dict[str, Any]] = sorted(
            (
                {"step": k, **{kk: round(vv, 3) for kk, vv in v.items()}}
                for k, v in late_steps.items()
            ),
            key=lambda r: (-float(r["late_hours"]), str(r["step"])),
        )
        return SimulationResult(
            scenario=self.scenario.name,
            procedure=self.compiled.key,
            seed=self.scenario.seed,
            arrivals=self.arrivals,
            outcomes=dict(sorted(outcomes.items())),
            timeliness=timeliness,
            on_time_rate=None if rate is None else round(rate, 6),
            per_agency=per_agency,
            late_steps=ranked,
            queues=queues,
            apologies_needed=timeliness["late"],
            simulated_until=self.wall(horizon).isoformat(),
        )


def _rate(acc: dict[str, float]) -> float | None:
    n = acc["early"] + acc["on_time"] + acc["late"]
    return round((acc["early"] + acc["on_time"]) / n, 6) if n else None


def _daily(sim: Simulation, samples: list[tuple[float, int, int]]) -> list[dict[str, Any]]:
    """Queue length and busy officers, averaged per working day."""
    day_s = sim.calendar.day_seconds
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for t, queue, busy in samples:
        by_day[math.floor(t / day_s)].append((queue, busy))
    out = []
    for k in sorted(by_day):
        rows = by_day[k]
        out.append(
            {
                "day": sim.wall(k * day_s).date().isoformat(),
                "queue": round(sum(r[0] for r in rows) / len(rows), 3),
                "busy": round(sum(r[1] for r in rows) / len(rows), 3),
            }
        )
    return out


def save_results(store: MemoryStore, target: str) -> int:
    """Copy every simulated dossier with its event log into a procflow database
    (an SQLite file or a ``postgresql://`` URL), in one transaction, so
    ``procflow report`` and ``procflow export`` read it like a real desk's."""
    from procflow.store.url import open_store

    def items() -> Iterator[tuple[Any, list[Any]]]:
        for code in store.codes():
            dossier = store.get(code)
            assert dossier is not None
            yield dossier, store.events(code)

    out = open_store(target)
    try:
        importer = getattr(out, "import_dossiers", None)
        if importer is None:
            raise ProcflowError(f"{target}: this store cannot import simulated dossiers")
        return int(importer(items()))
    finally:
        out.close()
