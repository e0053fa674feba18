"""The simulator as it was before the flat loop: a generator per dossier.

:class:`GeneratorSimulation` runs the same scenario through the same engine
on the generator core of :mod:`procflow.simulation.des` (the simulator's
core until the flat loop of :meth:`Simulation._advance` replaced it). It is
kept as the reference the flat loop is checked against: same seed, same
dossiers, events and figures, byte for byte (tests/simulation), and the same
on-time rates within their confidence intervals (bench/bench_simulation.py
``--agreement``). It is slower (a simulated year of a province: 520 s
against 417 s, see docs/simulation.md); use :class:`Simulation`.
"""

from __future__ import annotations

import gc
import time as _time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from procflow.compiler import WITHDRAW, CompiledProcedure
from procflow.errors import ProcflowError, RuleViolation
from procflow.model.record import Record
from procflow.simulation.des import Core, Pool, Process
from procflow.simulation.runner import (
    DEFAULT_RESPONSE_HOURS,
    DEFAULT_WORK_HOURS,
    WHAT_IF,
    Simulation,
    SimulationResult,
)
from procflow.simulation.scenario import Scenario
from procflow.simulation.store import ResultsWriter, SimulationStore

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.store.base import Store


class GeneratorSimulation(Simulation):
    """:class:`Simulation` on the generator core: one generator per dossier."""

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
        super().__init__(scenario, compiled, calendar, store=store, out=out, keep=keep, batch=batch)
        self.core = Core()
        self.generator_pools = {a: Pool(self.core, n) for a, n in scenario.officers.items()}
        self._source_alive = True

    def _sync(self) -> None:
        t = self.core.now
        if t != self._synced_at:  # several calls at one instant map it once
            self.clock.set(self.axis.wall(t))
            self._synced_at = t

    def _times(self) -> Iterator[float]:
        limit = self.scenario.dossiers
        for n, t in enumerate(self._arrival_times()):
            if limit is not None and n >= limit:
                return
            yield t

    def _source(self) -> Process:
        core = self.core
        try:
            for t in self._times():
                yield t - core.now
                core.start(self._dossier(self.arrivals))
                self.arrivals += 1
        finally:
            self._source_alive = False

    def _dossier(self, number: int) -> Process:
        sc = self.scenario
        rng = self._draws.of(number)
        engine, steps, served = self.engine, self._steps, self._served
        fire = engine.move
        self._sync()
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
        d: Record | None = None
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
            pool = self.generator_pools[agency]
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
            except RuleViolation:
                d = fire(code, step.forward or trigger, actor)
            finally:
                pool.release()
            state = d.state

    def _sampler(self) -> Process:
        every = self.scenario.sample_every_hours * 3600
        core, pools, samples = self.core, self.generator_pools, self._samples
        while True:
            for agency, pool in pools.items():
                samples[agency].append((core.now, len(pool.queue), pool.busy))
            yield every

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
            self.now = core.now
            if self._writer is not None:
                period = (self.origin, self.wall(core.now)) if done else None
                self._writer.close(flush=done, period=period)
                self.saved = self._writer.written
        result = self._summarise()
        result.wall_seconds = _time.perf_counter() - started
        return result
