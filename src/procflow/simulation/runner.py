"""Run a stream of dossiers through the real engine on a virtual clock.

The simulator is a discrete-event model whose events are the real engine's
calls: each simulated dossier is received by ``Engine.receive`` and moved by
``Engine.fire``, so the deadlines, pauses, hand-offs and lateness it reports
are computed by exactly the code that runs a real desk. Its event loop is
flat (:meth:`Simulation._advance`): one heap of timed events, the arrivals
merged in from sorted lists, a deque for what happens at the same instant,
and a small record per dossier in flight instead of a generator.

Memory stays bounded: the summary is folded in as each dossier closes, and
closed dossiers leave the engine's store (:mod:`procflow.simulation.store`),
written to the results database in batches when one is given.

Time runs on a *working-time axis*: simulation time ``t`` is working seconds
since the first office hour of the period, and ``calendar.add_working_seconds``
maps it to the wall clock (worked out per day by
:mod:`procflow.calendar.axis`). Officers only work in office hours,
applicants' answers are counted in working time too, and Tết, weekends and
swapped days fall out of the axis by themselves.

Each dossier draws from its own random numbers (fixed by the scenario seed
and its arrival number, drawn in blocks: :mod:`procflow.simulation.draws`),
so two procedures run on the same scenario and seed see the same dossiers
with the same work: common random numbers, which is what makes
:func:`procflow.simulation.compare.compare` sharp.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import math
import time as _time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, count
from typing import TYPE_CHECKING, Any

import numpy as np

from procflow.catalogue import Catalogue
from procflow.compiler import WITHDRAW, CompiledProcedure
from procflow.definition.model import Terminal
from procflow.engine import Actor, Engine
from procflow.errors import ProcflowError, RuleViolation
from procflow.model.record import V_AGENCY, V_LATE, V_STEP, V_TIMELINESS, VISIT_WIDTH, Record
from procflow.simulation.distributions import whole_seconds
from procflow.simulation.draws import DossierDraws, Draws
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
    work: Callable[[Draws], float] | None
    response: Callable[[Draws], float] | None
    p_refuse: float
    p_supplement: float
    officers: Officers | None
    actors: list[Actor]


class Officers:
    """An agency's officers: ``capacity`` of them, ``busy`` at work, and the
    dossiers waiting for one, first come first served."""

    __slots__ = ("busy", "capacity", "queue")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("an agency needs at least one officer")
        self.capacity = capacity
        self.busy = 0
        self.queue: deque[_Open] = deque()


class _Open:
    """A dossier in flight: what a generator per dossier used to keep in its
    frame, in a record a third of the size (~100 bytes) with no frame to
    resume."""

    __slots__ = ("code", "count", "number", "rng", "state", "step", "supplements", "withdraw_at")

    step: _Step  # the step it waits in (set before its first wait)

    def __init__(self, number: int, rng: Draws, code: str, state: str, withdraw_at: int) -> None:
        self.number = number
        self.rng = rng  # its own stream: common random numbers across versions
        self.code = code
        self.state = state
        self.withdraw_at = withdraw_at  # the step count at which it withdraws, or -1
        self.count = 0  # steps entered so far
        self.supplements: dict[str, int] | None = None  # requests per applicant step


class SimulationClock:
    """The engine's clock during a simulation: the instant of the loop's
    current time, set before each engine call, as POSIX seconds (``ts``).

    A :class:`~procflow.engine.TimestampClock`: a move reads ``ts`` as it is
    (the loop's time is a whole second on the calendar's axis), and the
    datetime of :meth:`now` is made only when an act asks for it (a
    receipt's date and numbering). A :class:`~procflow.engine.VirtualClock`
    checks on every ``set`` that the instant is aware and not in the past;
    here the instants come from the calendar's axis in time order, so the
    loop writes ``ts`` directly.
    """

    __slots__ = ("_at", "_at_ts", "_calendar", "ts")
    _at: dt.datetime
    _at_ts: float
    ts: float
    """The loop's current instant, as POSIX seconds."""

    def __init__(self, calendar: WorkCalendar, at: dt.datetime) -> None:
        self._calendar = calendar
        self.set(at)

    def now(self) -> dt.datetime:
        if self._at_ts != self.ts:
            self._at = self._calendar.from_ts(self.ts)
            self._at_ts = self.ts
        return self._at

    def now_ts(self) -> float:
        return self.ts

    def set(self, instant: dt.datetime) -> None:
        self._at = instant
        self.ts = self._at_ts = self._calendar.to_ts(instant)


# The flat loop's actions. Ready deque (this instant): an officer takes a
# dossier, an officer is free. Heap (timed): work done, applicant's answer,
# queue sample. And the two sources the loop picks from besides the deque.
_GRANT, _RELEASE, _DONE, _ANSWER, _SAMPLE, _ARRIVAL, _TIMED = range(7)
#: No more arrivals; no event at this instant from that source.
_END = _NEVER = math.inf


# A visit of a closed dossier whose late time the summary adds in receipt
# order: (agency, timeliness, late seconds, step).
_Late = tuple[str, str, float, str]


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
        # A run that keeps no closed dossier and writes none keeps no event
        # logs either: its dossiers are counted and let go as they close.
        self.store: Store = (
            store if store is not None else SimulationStore(keep=keep, logs=keep or out is not None)
        )
        self.plans = plan_steps(compiled, scenario)
        first = dt.datetime.combine(scenario.first_day, dt.time(0, 0), tzinfo=calendar.tz)
        self.origin = calendar.add_working_seconds(first, 0.0)
        self.axis = calendar.axis(self.origin)
        self.clock = SimulationClock(calendar, self.origin)
        self.engine = Engine(self.store, Catalogue([compiled]), calendar, self.clock)
        self.pools = {a: Officers(n) for a, n in scenario.officers.items()}
        self._pool_list = list(self.pools.items())
        self._served: dict[str, int] = {}
        self._draws = DossierDraws(scenario.seed)  # each dossier's random numbers
        self._samples: dict[str, list[tuple[float, int, int]]] = {a: [] for a in self.pools}
        self._sample_every = scenario.sample_every_hours * 3600
        # The event loop's state (see _advance): simulation time, the heap of
        # (time, seq, action, dossier), the ready deque of (seq, action,
        # payload) at this instant, the next arrival and its sequence number.
        self.now = 0.0
        self._heap: list[tuple[float, int, int, Any]] = []
        self._ready: deque[tuple[int, int, Any]] = deque()
        self._seq = count()
        self._arrivals: Iterator[float] = iter(())
        self._arr_t = _END
        self._arr_seq = 0
        self.arrivals = 0
        self._active = 0
        self._synced_at = -1.0
        self._desk = Actor("desk-officer", compiled.procedure.desk.id, None)
        self._applicant = Actor("applicant", self._desk.agency)
        self._steps = self._prepare()
        # Summary figures, folded in receipt order as dossiers close (so sums
        # come out as they would from reading every dossier at the end).
        self._outcomes: dict[str, int] = defaultdict(int)
        self._timeliness: dict[str, int] = {"early": 0, "on_time": 0, "late": 0}
        self._visits: Counter[tuple[str | None, str | None]] = Counter()
        self._late_hours: dict[str, float] = {}
        self._late_steps: dict[str, dict[str, float]] = {}
        self._waiting: dict[int, list[_Late] | None] = {}
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
                officers=(
                    self.pools.get(info.agency) if info.agency and not info.is_applicant else None
                ),
                actors=staff,
            )
        return steps

    # --- time -------------------------------------------------------------------

    def wall(self, t: float) -> dt.datetime:
        """The instant of simulation time ``t``: ``add_working_seconds(origin, t)``."""
        return self.axis.wall(t)

    # --- arrivals -----------------------------------------------------------------

    def _arrival_times(self) -> Iterator[float]:
        """Arrival instants, day by day: each working day's draws, in order."""
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
                # to the whole second, as every draw (distributions.whole_seconds)
                yield whole_seconds(k * day_s + off)
            k += 1

    def _arrival_days(self) -> Iterator[list[float]]:
        """The arrival instants as the loop sees them, one sorted list a day.

        An instant is ``previous + (t - previous)``, not ``t``: the generator
        core reached each arrival by waiting that long from the previous one,
        and float rounding can make the two differ in the last bit; keeping
        its arithmetic keeps every run the same as before, event for event.
        Stops at the scenario's number of dossiers.
        """
        limit = self.scenario.dossiers
        left = -1 if limit is None else limit
        prev = 0.0
        day: list[float] = []
        today = -1
        day_s = self.calendar.day_seconds
        for t in self._arrival_times():
            if left == 0:
                break
            left -= 1
            k = int(t // day_s)
            if k != today and day:
                yield day
                day = []
            today = k
            prev = prev + (t - prev)
            day.append(prev)
        if day:
            yield day

    # --- the event loop ---------------------------------------------------------------

    def _advance(self, until: float) -> None:
        """Run every event before ``until``; then the time is ``until``.

        The loop is flat: no generator per dossier. A dossier in flight is an
        :class:`_Open` record; what happens next to it is an entry in one of
        three ordered sources, merged here:

        - the heap of timed events ``(time, seq, action, dossier)``: work
          that ends, an applicant's answer, the queue sampler;
        - the next arrival, from the sorted arrival lists (with the sequence
          number it would have had in a heap, taken when the previous
          arrival came in), so arrivals never go through the heap;
        - the *ready* deque ``(seq, action, payload)`` of what happens at
          this very instant: an officer taking a dossier (``_GRANT``) or
          becoming free (``_RELEASE``). They are ordered by sequence number
          like heap entries at ``now``, but a deque append and pop cost a
          fraction of a heap push and pop.

        The order of events is the generator core's, and so SimPy's: by
        time, then by sequence number, the number taken when the event is
        scheduled; a new dossier starts as it arrives, before anything else
        at that instant; a freed officer takes the head of the queue either
        when the dossier asks again at once or when the release comes up,
        whichever is first. Hence the same dossiers, events and figures as
        before, byte for byte (``procflow.simulation.reference`` keeps the
        generator core to check it).

        The handlers are written out inline, and everything they touch is a
        local variable: at a million dossiers the loop runs ~20 million
        times, and a method call or attribute lookup per event shows.
        """
        heap, ready = self._heap, self._ready
        push, pop, popleft, append = heapq.heappush, heapq.heappop, ready.popleft, ready.append
        seq = self._seq
        now, synced = self.now, self._synced_at
        arr_t, arr_seq, arrivals = self._arr_t, self._arr_seq, self._arrivals
        number, active = self.arrivals, self._active
        steps, served, initial = self._steps, self._served, self.compiled.initial
        engine = self.engine
        fire, receive = engine.move, engine.receive_record
        clock, wall = self.clock, self.axis.wall_ts
        closed, draws_of = self._closed, self._draws.of
        p_withdraw = self.scenario.withdraw
        cid, version = self.compiled.id, self.compiled.version
        desk, applicant = self._desk, self._applicant
        limit = self.compiled.procedure.rules.max_supplement_requests
        every, samples, pools = self._sample_every, self._samples, self._pool_list
        work_default = DEFAULT_WORK_HOURS * 3600
        response_default = DEFAULT_RESPONSE_HOURS * 3600
        rec: _Open
        d: Record | None
        try:
            while True:
                # What comes first: the ready deque, the heap or an arrival?
                if ready:
                    if (not heap or heap[0][0] > now) and arr_t > now:
                        _, action, payload = popleft()
                    else:  # a tie at this instant: by sequence number
                        top_seq = heap[0][1] if heap and heap[0][0] == now else _NEVER
                        arr_at_now = arr_seq if arr_t == now else _NEVER
                        first = ready[0][0]
                        if first < top_seq and first < arr_at_now:
                            _, action, payload = popleft()
                        else:
                            action = _ARRIVAL if arr_at_now < top_seq else _TIMED
                            payload = None
                else:
                    if heap:
                        top = heap[0]
                        t = top[0]
                        action = (
                            _ARRIVAL if arr_t < t or (arr_t == t and arr_seq < top[1]) else _TIMED
                        )
                    else:
                        action = _ARRIVAL
                    if (arr_t if action == _ARRIVAL else heap[0][0]) >= until:
                        break
                    payload = None

                if action == _GRANT:  # an officer takes the dossier: the work starts
                    rec = payload
                    work = rec.step.work
                    w = work(rec.rng) if work is not None else work_default
                    push(heap, (now + w, next(seq), _DONE, rec))
                    continue
                if action == _RELEASE:  # an officer is free: the head of the queue
                    off = payload
                    if off.queue and off.busy < off.capacity:
                        off.busy += 1
                        append((next(seq), _GRANT, off.queue.popleft()))
                    continue

                if action == _ARRIVAL:  # a dossier is received
                    now = arr_t
                    arr_seq = next(seq)
                    arr_t = next(arrivals, _END)
                    rng = draws_of(number)
                    if now != synced:
                        clock.ts = wall(now)
                        synced = now
                    # Under this version, whatever its effective window: a
                    # what-if runs a proposal that is not in force yet over a
                    # period of today's dossiers.
                    code = receive(cid, actor=desk, version=version, version_override=WHAT_IF).code
                    active += 1
                    withdraw_at = rng.randrange(8) if rng.random() < p_withdraw else -1
                    rec = _Open(number, rng, code, initial, withdraw_at)
                    number += 1
                    state, d = initial, None
                else:
                    entry = pop(heap)
                    now = entry[0]
                    kind = entry[2]
                    if kind == _SAMPLE:
                        for name, off in pools:
                            samples[name].append((now, len(off.queue), off.busy))
                        push(heap, (now + every, next(seq), _SAMPLE, None))
                        continue
                    rec = entry[3]
                    step = rec.step
                    agency = step.agency
                    assert agency is not None  # a step that waits belongs to an agency
                    if kind == _DONE:  # the officer's work ends: forward, ask for more, refuse
                        u = rec.rng.random()
                        trigger = step.forward
                        if step.refuse and u < step.p_refuse:
                            trigger = step.refuse
                        elif step.supplement and u < step.p_supplement:
                            dest = step.supplement_dest
                            if dest is not None:
                                asked = rec.supplements
                                if asked is None:
                                    asked = rec.supplements = {}
                                if asked.get(dest, 0) < limit:
                                    asked[dest] = asked.get(dest, 0) + 1
                                    trigger = step.supplement
                        off = step.officers
                        assert off is not None
                        if trigger is None:
                            off.busy -= 1
                            append((next(seq), _RELEASE, off))
                            raise ProcflowError(
                                f"step {rec.state!r} has no forward trigger to simulate"
                            )
                        if now != synced:
                            clock.ts = wall(now)
                            synced = now
                        n = served[agency] = served[agency] + 1
                        actor = step.actors[n % len(step.actors)]
                        try:
                            d = fire(rec.code, trigger, actor)
                        except RuleViolation:  # e.g. a second supplement request: carry on
                            d = fire(rec.code, step.forward or trigger, actor)
                        finally:
                            off.busy -= 1
                            append((next(seq), _RELEASE, off))
                    else:  # _ANSWER: the applicant answers
                        if now != synced:
                            clock.ts = wall(now)
                            synced = now
                        trigger = step.forward
                        assert trigger is not None
                        n = served[agency] = served[agency] + 1
                        d = fire(rec.code, trigger, step.actors[n % len(step.actors)])
                    state = d.state

                # The dossier moves on until it waits: for an officer, for the
                # applicant, or for nothing more (closed).
                while True:
                    step = steps[state]
                    if step.terminal:
                        active -= 1
                        assert d is not None
                        closed(rec.number, d)
                        break
                    if rec.count == rec.withdraw_at:
                        if now != synced:
                            clock.ts = wall(now)
                            synced = now
                        d = fire(rec.code, WITHDRAW, applicant)
                        state = d.state
                        continue
                    rec.count += 1
                    rec.state = state
                    rec.step = step
                    if step.applicant:
                        response = step.response
                        w = response(rec.rng) if response is not None else response_default
                        push(heap, (now + w, next(seq), _ANSWER, rec))
                        break
                    off = step.officers
                    assert off is not None
                    queue = off.queue
                    queue.append(rec)
                    if off.busy < off.capacity:
                        off.busy += 1
                        append((next(seq), _GRANT, queue.popleft()))
                    break
        finally:
            self.now, self._synced_at = now, synced
            self._arr_t, self._arr_seq = arr_t, arr_seq
            self.arrivals, self._active = number, active
        self.now = until

    # --- results as dossiers close ---------------------------------------------------

    def _closed(self, number: int, d: Record) -> None:
        """Count a closed dossier in the summary.

        Counts are whole numbers, the same in any order, so they are added at
        once: visits by (agency, timeliness) in one counter, from the columns
        of the record's visit cells (slices and a count made in C, no Python
        step per visit). Hours late are sums of floats, which depend on the
        order they are added in: a dossier's late visits wait in
        ``_waiting`` until every dossier received before it has closed, and
        are added in receipt order, so the sums come out as they would from
        reading every dossier at the end. A visit that was not late adds
        nothing to them (its late time is 0.0, and x + 0.0 is x): most
        dossiers wait with nothing.
        """
        self._outcomes[d.outcome or "open"] += 1
        if d.timeliness:
            self._timeliness[d.timeliness] += 1
        c = d.cells
        agencies, classes = c[V_AGENCY::VISIT_WIDTH], c[V_TIMELINESS::VISIT_WIDTH]
        self._visits.update(zip(agencies, classes, strict=True))
        late: list[_Late] | None = None
        if "late" in classes or any(c[V_LATE::VISIT_WIDTH]):
            late = [
                (agency, cls, c[i * VISIT_WIDTH + V_LATE], c[i * VISIT_WIDTH + V_STEP])
                for i, (agency, cls) in enumerate(zip(agencies, classes, strict=True))
                if cls is not None
                and agency is not None
                and (cls == "late" or c[i * VISIT_WIDTH + V_LATE])
            ]
        if number != self._next_fold:
            self._waiting[number] = late
            return
        if late is not None:
            self._fold(late)
        waiting, after = self._waiting, number + 1
        while after in waiting:
            held = waiting.pop(after)
            if held is not None:
                self._fold(held)
            after += 1
        self._next_fold = after

    def _fold(self, visits: list[_Late]) -> None:
        """Add late visits' hours, in receipt order (see :meth:`_closed`)."""
        hours, late_steps = self._late_hours, self._late_steps
        for agency, cls, late_seconds, step in visits:
            hours[agency] = hours.get(agency, 0.0) + late_seconds / 3600
            if cls == "late":
                row = late_steps.get(step)
                if row is None:
                    row = late_steps[step] = {"late": 0, "late_hours": 0.0}
                row["late"] += 1
                row["late_hours"] += late_seconds / 3600

    def _agency_figures(self) -> dict[str, dict[str, float]]:
        """Per agency: its classified visits (steps), by timeliness, and the
        hours they were late."""
        out: dict[str, dict[str, float]] = {}
        for (agency, cls), n in self._visits.items():
            if agency is None or cls is None:
                continue  # not judged (a result waiting at the desk), or no agency's
            acc = out.get(agency)
            if acc is None:
                acc = out[agency] = _empty_agency()
                acc["late_hours"] = self._late_hours.get(agency, 0.0)
            acc["steps"] += n
            acc[cls] += n
        return out

    # --- running ----------------------------------------------------------------------

    def _start(self) -> None:
        """The first arrival and the first queue sample, at time 0.

        The sequence numbers are taken in the generator core's order (the
        arrival source first, then the sampler), so ties come out the same.
        """
        self._arrivals = chain.from_iterable(self._arrival_days())
        self._arr_seq = next(self._seq)
        self._arr_t = next(self._arrivals, _END)
        for agency, off in self._pool_list:
            self._samples[agency].append((self.now, len(off.queue), off.busy))
        heapq.heappush(self._heap, (self.now + self._sample_every, next(self._seq), _SAMPLE, None))

    def run(self, progress: Callable[[int], None] | None = None) -> SimulationResult:
        """Run the scenario to its end (every dossier closed) and summarise it."""
        started = _time.perf_counter()
        store = self.store
        if self.out is not None:
            assert isinstance(store, SimulationStore)
            self._writer = ResultsWriter(self.out, batch=self._batch)
            store.on_close = self._writer
        self._start()
        step = self.calendar.day_seconds * 5
        # A run makes millions of short-lived objects and no reference cycles
        # worth collecting mid-run: pausing the cyclic GC saves ~15%.
        paused = gc.isenabled()
        gc.disable()
        done = False
        try:
            while True:  # in chunks of five working days, for the progress bar
                self._advance(self.now + step)
                if progress is not None:
                    progress(self.arrivals)
                if self._arr_t == _END and self._active == 0:
                    break
            done = True
        finally:
            if paused:
                gc.enable()
            if self._writer is not None:
                # A finished run records its period, so that a report on the
                # results judges them as of the end of the simulation.
                period = (self.origin, self.wall(self.now)) if done else None
                self._writer.close(flush=done, period=period)
                self.saved = self._writer.written
        result = self._summarise()
        result.wall_seconds = _time.perf_counter() - started
        return result

    def _summarise(self) -> SimulationResult:
        if self._waiting:  # only if a run was cut short: fold what closed
            for number in sorted(self._waiting):
                held = self._waiting.pop(number)
                if held is not None:
                    self._fold(held)
        timeliness = self._timeliness
        resolved = sum(timeliness.values())
        rate = (timeliness["early"] + timeliness["on_time"]) / resolved if resolved else None
        end = max((s[-1][0] for s in self._samples.values() if s), default=0.0)
        horizon = end or 1.0
        per_agency: dict[str, dict[str, float | None]] = {}
        figures = self._agency_figures()
        for agency, pool in self.pools.items():
            acc = figures.get(agency) or _empty_agency()
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
        return out.import_dossiers(items())
    finally:
        out.close()
