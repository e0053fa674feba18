"""Run a stream of dossiers through the real engine on a virtual clock.

The simulator is a discrete-event model (a plain heap-based core,
:mod:`procflow.simulation.des`) whose events are the real engine's calls:
each simulated dossier is received by ``Engine.receive`` and moved by
``Engine.fire``, so the deadlines, pauses, hand-offs and lateness it reports
are computed by exactly the code that runs a real desk.

Memory stays bounded: the summary is folded in as each dossier closes, and
closed dossiers leave the engine's store (:mod:`procflow.simulation.store`),
written to the results database in batches when one is given.

Time runs on a *working-time axis*: simulation time ``t`` is working seconds
since the first office hour of the period, and ``calendar.add_working_seconds``
maps it to the wall clock (worked out per day by
:mod:`procflow.calendar.axis`). Officers only work in office hours,
applicants' answers are counted in working time too, and Tết, weekends and
swapped days fall out of the axis by themselves.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from procflow.catalogue import Catalogue
from procflow.compiler import WITHDRAW, CompiledProcedure
from procflow.definition.model import Terminal
from procflow.engine import Actor, Engine, VirtualClock
from procflow.engine.dossier import Dossier
from procflow.errors import ProcflowError, RuleViolation
from procflow.simulation.des import Core, Pool, Process
from procflow.simulation.scenario import Scenario, StepLoad
from procflow.simulation.store import ResultsWriter, SimulationStore

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.store.base import Store

#: Work assumed for an agency step the scenario says nothing about (hours).
DEFAULT_WORK_HOURS = 0.5
#: Applicant answer time assumed when the scenario says nothing (hours).
DEFAULT_RESPONSE_HOURS = 7.5
#: The ground a simulated receipt gives for a version outside its effective window.
WHAT_IF = "what-if simulation: a proposal run over a period it may not be in force in"


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


@dataclass(slots=True)
class _Step:
    """One state, with everything the inner loop needs worked out once."""

    terminal: bool
    applicant: bool
    agency: str | None
    forward: str | None
    supplement: str | None
    refuse: str | None
    supplement_dest: str | None
    work: Callable[[random.Random], float] | None
    response: Callable[[random.Random], float] | None
    p_refuse: float
    p_supplement: float
    pool: Pool | None
    actors: list[Actor]


# What a closed dossier adds to the summary: outcome, timeliness, and the
# (agency, timeliness, late seconds, step) of each classified visit.
_Folded = tuple[str, str | None, list[tuple[str, str, float, str]]]


class Simulation:
    """One run of one scenario through one procedure version.

    By default closed dossiers are counted and let go, so memory stays
    bounded whatever the number of dossiers. ``out`` (an SQLite path or a
    ``postgresql://`` URL) writes them with their event logs to a procflow
    database, ``batch`` at a time, as they close. ``keep=True`` keeps them in
    ``self.store`` instead (small runs: tests, :func:`save_results`). A
    ``store`` of your own keeps whatever that store keeps.
    """

    def __init__(
        self,
        scenario: Scenario,
        compiled: CompiledProcedure,
        calendar: WorkCalendar,
        *,
        store: Store | None = None,
        out: str | None = None,
        keep: bool = False,
        batch: int = 5000,
    ) -> None:
        needed = sorted({i.agency for i in compiled.states.values() if i.agency})
        missing = [a for a in needed if a not in scenario.officers]
        if missing:
            raise ProcflowError(
                f"scenario {scenario.name!r} gives no officers for agency "
                f"{', '.join(repr(a) for a in missing)} (add them under 'officers:')"
            )
        if store is not None and out is not None:
            raise ProcflowError("give either a store or an output database, not both")
        self.scenario = scenario
        self.compiled = compiled
        self.calendar = calendar
        self.out = out
        self._batch = batch
        self._writer: ResultsWriter | None = None
        self.saved = 0
        self.store: Store = store if store is not None else SimulationStore(keep=keep)
        self.plans = plan_steps(compiled, scenario)
        first = dt.datetime.combine(scenario.first_day, dt.time(0, 0), tzinfo=calendar.tz)
        self.origin = calendar.add_working_seconds(first, 0.0)
        self.axis = calendar.axis(self.origin)
        self.clock = VirtualClock(self.origin)
        self.engine = Engine(self.store, Catalogue([compiled]), calendar, self.clock)
        self.core = Core()
        self.pools = {a: Pool(self.core, n) for a, n in scenario.officers.items()}
        self._served: dict[str, int] = {}
        self._samples: dict[str, list[tuple[float, int, int]]] = {a: [] for a in self.pools}
        self.arrivals = 0
        self._active = 0
        self._source_alive = True
        self._synced_at = -1.0
        self._desk = Actor("desk-officer", compiled.procedure.desk.id, None)
        self._applicant = Actor("applicant", self._desk.agency)
        self._steps = self._prepare()
        # Summary figures, folded in receipt order as dossiers close (so sums
        # come out as they would from reading every dossier at the end).
        self._outcomes: dict[str, int] = defaultdict(int)
        self._timeliness: dict[str, int] = {"early": 0, "on_time": 0, "late": 0}
        self._agencies: dict[str, dict[str, float]] = {}
        self._late_steps: dict[str, dict[str, float]] = {}
        self._waiting: dict[int, _Folded] = {}
        self._next_fold = 0

    def _prepare(self) -> dict[str, _Step]:
        sc, compiled = self.scenario, self.compiled
        actors: dict[tuple[str, str | None], list[Actor]] = {}
        steps: dict[str, _Step] = {}
        for state, info in compiled.states.items():
            load = sc.steps.get(state) or StepLoad()
            plan = self.plans.get(state, StepPlan(None, None, None))
            dest = None
            if plan.supplement is not None:
                target = compiled.resolve(state, plan.supplement, {})
                dest = target.dest if target is not None else None
            staff: list[Actor] = []
            if info.agency is not None:
                self._served.setdefault(info.agency, 0)
                key = (info.agency, info.role)
                if key not in actors:
                    slots = sc.officers.get(info.agency, 1)
                    actors[key] = [
                        Actor(f"{info.agency}-{slot + 1}", info.agency, info.role)
                        for slot in range(slots)
                    ]
                staff = actors[key]
            steps[state] = _Step(
                terminal=info.terminal,
                applicant=info.is_applicant,
                agency=info.agency,
                forward=plan.forward,
                supplement=plan.supplement,
                refuse=plan.refuse,
                supplement_dest=dest,
                work=load.work.sampler() if load.work else None,
                response=load.response.sampler() if load.response else None,
                p_refuse=load.refuse,
                p_supplement=load.refuse + load.supplement,
                pool=self.pools.get(info.agency) if info.agency and not info.is_applicant else None,
                actors=staff,
            )
        return steps

    # --- time -------------------------------------------------------------------

    def wall(self, t: float) -> dt.datetime:
        """The instant of simulation time ``t``: ``add_working_seconds(origin, t)``."""
        return self.axis.wall(t)

    def _sync(self) -> None:
        t = self.core.now
        if t != self._synced_at:  # several calls at one instant map it once
            self.clock.set(self.axis.wall(t))
            self._synced_at = t

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

    def _source(self) -> Process:
        limit = self.scenario.dossiers
        core = self.core
        try:
            for t in self._arrival_times():
                if limit is not None and self.arrivals >= limit:
                    return
                yield t - core.now
                core.start(self._dossier(self.arrivals))
                self.arrivals += 1
        finally:
            self._source_alive = False

    # --- one dossier ----------------------------------------------------------------

    def _dossier(self, number: int) -> Process:
        sc = self.scenario
        rng = random.Random(sc.seed * 1_000_003 + number)
        engine, steps, served = self.engine, self._steps, self._served
        fire = engine.fire
        self._sync()
        # Under this version, whatever its effective window: a what-if runs a
        # proposal that is not in force yet over a period of today's dossiers.
        code = engine.receive(
            self.compiled.id,
            actor=self._desk,
            version=self.compiled.version,
            version_override=WHAT_IF,
        ).code
        self._active += 1
        withdraw_at = rng.randrange(8) if rng.random() < sc.withdraw else -1
        state, count = self.compiled.initial, 0
        supplements: dict[str, int] = {}
        limit = self.compiled.procedure.rules.max_supplement_requests
        d: Dossier | None = None
        while True:
            step = steps[state]
            if step.terminal:
                self._active -= 1
                assert d is not None
                self._closed(number, d)
                return
            if count == withdraw_at:
                self._sync()
                d = fire(code, WITHDRAW, self._applicant)
                state = d.state
                continue
            count += 1
            agency = step.agency
            assert agency is not None
            if step.applicant:
                yield step.response(rng) if step.response else DEFAULT_RESPONSE_HOURS * 3600
                self._sync()
                trigger = step.forward
                assert trigger is not None
                n = served[agency] = served[agency] + 1
                d = fire(code, trigger, step.actors[n % len(step.actors)])
                state = d.state
                continue
            pool = step.pool
            assert pool is not None
            yield pool
            yield step.work(rng) if step.work else DEFAULT_WORK_HOURS * 3600
            u = rng.random()
            trigger = step.forward
            if step.refuse and u < step.p_refuse:
                trigger = step.refuse
            elif step.supplement and u < step.p_supplement:
                dest = step.supplement_dest
                if dest is not None and supplements.get(dest, 0) < limit:
                    supplements[dest] = supplements.get(dest, 0) + 1
                    trigger = step.supplement
            if trigger is None:
                pool.release()
                raise ProcflowError(f"step {state!r} has no forward trigger to simulate")
            self._sync()
            n = served[agency] = served[agency] + 1
            actor = step.actors[n % len(step.actors)]
            try:
                d = fire(code, trigger, actor)
            except RuleViolation:  # e.g. a second supplement request: carry on instead
                d = fire(code, step.forward or trigger, actor)
            finally:
                pool.release()
            state = d.state

    def _sampler(self) -> Process:
        every = self.scenario.sample_every_hours * 3600
        core, pools, samples = self.core, self.pools, self._samples
        while True:
            for agency, pool in pools.items():
                samples[agency].append((core.now, len(pool.queue), pool.busy))
            yield every

    # --- results as dossiers close ---------------------------------------------------

    def _closed(self, number: int, d: Dossier) -> None:
        visits = [
            (v.agency, v.timeliness.value, v.late_seconds, v.step)
            for v in d.visits
            if v.timeliness is not None and v.agency is not None
        ]
        self._waiting[number] = (
            d.outcome or "open",
            d.timeliness.value if d.timeliness else None,
            visits,
        )
        waiting = self._waiting
        while self._next_fold in waiting:
            self._fold(waiting.pop(self._next_fold))
            self._next_fold += 1

    def _fold(self, item: _Folded) -> None:
        outcome, timeliness, visits = item
        self._outcomes[outcome] += 1
        if timeliness:
            self._timeliness[timeliness] += 1
        agencies, late_steps = self._agencies, self._late_steps
        for agency, cls, late_seconds, step in visits:
            acc = agencies.get(agency)
            if acc is None:
                acc = agencies[agency] = _empty_agency()
            acc["steps"] += 1
            acc[cls] += 1
            acc["late_hours"] += late_seconds / 3600
            if cls == "late":
                row = late_steps.get(step)
                if row is None:
                    row = late_steps[step] = {"late": 0, "late_hours": 0.0}
                row["late"] += 1
                row["late_hours"] += late_seconds / 3600

    # --- running ----------------------------------------------------------------------

    def run(self, progress: Callable[[int], None] | None = None) -> SimulationResult:
        started = _time.perf_counter()
        store = self.store
        if self.out is not None:
            assert isinstance(store, SimulationStore)
            self._writer = ResultsWriter(self.out, batch=self._batch)
            store.on_close = self._writer
        core = self.core
        core.start(self._source())
        core.start(self._sampler())
        step = self.calendar.day_seconds * 5
        # A run makes millions of short-lived objects and no reference cycles
        # worth collecting mid-run: pausing the cyclic GC saves ~15%.
        paused = gc.isenabled()
        gc.disable()
        done = False
        try:
            while self._source_alive or self._active > 0:
                core.run(core.now + step)
                if progress is not None:
                    progress(self.arrivals)
            done = True
        finally:
            if paused:
                gc.enable()
            if self._writer is not None:
                # A finished run records its period, so that a report on the
                # results judges them as of the end of the simulation.
                period = (self.origin, self.wall(core.now)) if done else None
                self._writer.close(flush=done, period=period)
                self.saved = self._writer.written
        result = self._summarise()
        result.wall_seconds = _time.perf_counter() - started
        return result

    def _summarise(self) -> SimulationResult:
        if self._waiting:  # only if a run was cut short: fold what closed
            for number in sorted(self._waiting):
                self._fold(self._waiting.pop(number))
        timeliness = self._timeliness
        resolved = sum(timeliness.values())
        rate = (timeliness["early"] + timeliness["on_time"]) / resolved if resolved else None
        end = max((s[-1][0] for s in self._samples.values() if s), default=0.0)
        horizon = end or 1.0
        per_agency: dict[str, dict[str, float | None]] = {}
        for agency, pool in self.pools.items():
            acc = self._agencies.get(agency) or _empty_agency()
            samples = self._samples.get(agency, [])
            busy = sum(s[2] for s in samples) / max(len(samples), 1)
            per_agency[agency] = {
                **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in acc.items()},
                "on_time_rate": _rate(acc),
                "officers": pool.capacity,
                "utilisation": round(busy / pool.capacity, 4),
                "mean_queue": round(sum(s[1] for s in samples) / max(len(samples), 1), 3),
            }
        queues = {agency: _daily(self, samples) for agency, samples in self._samples.items()}
        ranked: list[dict[str, Any]] = sorted(
            (
                {"step": k, **{kk: round(vv, 3) for kk, vv in v.items()}}
                for k, v in self._late_steps.items()
            ),
            key=lambda r: (-float(r["late_hours"]), str(r["step"])),
        )
        return SimulationResult(
            scenario=self.scenario.name,
            procedure=self.compiled.key,
            seed=self.scenario.seed,
            arrivals=self.arrivals,
            outcomes=dict(sorted(self._outcomes.items())),
            timeliness=dict(timeliness),
            on_time_rate=None if rate is None else round(rate, 6),
            per_agency=per_agency,
            late_steps=ranked,
            queues=queues,
            apologies_needed=timeliness["late"],
            simulated_until=self.wall(horizon).isoformat(),
        )


def _empty_agency() -> dict[str, float]:
    return {"steps": 0, "early": 0, "on_time": 0, "late": 0, "late_hours": 0.0}


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


def save_results(store: Store, target: str) -> int:
    """Copy every dossier of ``store`` with its event log into a procflow database
    (an SQLite file or a ``postgresql://`` URL), in one transaction, so
    ``procflow report`` and ``procflow export`` read it like a real desk's.

    For a run made with ``keep=True`` or a store of its own; a big run writes
    as it goes instead (``Simulation(..., out=target)``)."""
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
