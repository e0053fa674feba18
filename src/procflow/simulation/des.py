"""A small discrete-event core: a time-ordered heap and FIFO officer pools.

This was the simulator's core until the flat event loop of
:meth:`procflow.simulation.runner.Simulation._advance` replaced it (no
generator per dossier: half the loop's time). It stays as the general-purpose
core that the loop's event order is defined by, for
:mod:`procflow.simulation.reference` (the simulator on this core, the
reference the flat loop is checked against) and bench/bench_simulation.py.

The processes are generators. A process yields a number to wait
that many (working) seconds, or a :class:`Pool` to queue for one of its
slots; it gives the slot back with :meth:`Pool.release`. Nothing else.

Every pending resumption sits in one heap ordered by ``(time, priority,
sequence)``. The sequence number is taken when the resumption is scheduled,
so events at the same instant run in the order they were scheduled and a
run is deterministic. The order is SimPy's, kept on purpose (the simulator
ran on SimPy before, and gives the same dossiers and events now):

- a new process starts before the ordinary events of the same instant
  (SimPy's ``Initialize`` is URGENT);
- a granted slot resumes its process through the heap, at the same instant,
  after what was scheduled before it (a SimPy ``Request`` event);
- a released slot goes to the head of the queue either when someone asks the
  pool again at that instant or when the release comes up in the heap,
  whichever is first (SimPy's ``Release`` event and its ``_trigger_put``).

It does a fraction of SimPy's work per event (no event objects, callbacks or
condition machinery), and the flat loop a fraction of its own: see
bench/bench_simulation.py.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Generator
from itertools import count
from typing import Union

#: Priorities within one instant: process starts first, then everything else.
URGENT = 0
NORMAL = 1

#: What a process yields: seconds to wait, or a pool to queue for.
Command = Union[float, "Pool"]
Process = Generator[Command, None, None]

# A heap entry: (time, priority, sequence, process to resume or None, pool to
# serve or None). The sequence is unique, so the tuple never compares further.
_Entry = tuple[float, int, int, "Process | None", "Pool | None"]


class Core:
    """The event loop. ``now`` is the simulation time of the event running."""

    __slots__ = ("_heap", "_seq", "now")

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[_Entry] = []
        self._seq = count()

    def start(self, process: Process) -> None:
        """Run ``process`` from its first line at the current instant."""
        heapq.heappush(self._heap, (self.now, URGENT, next(self._seq), process, None))

    def resume_now(self, process: Process) -> None:
        heapq.heappush(self._heap, (self.now, NORMAL, next(self._seq), process, None))

    def pending(self) -> int:
        """Events waiting in the heap."""
        return len(self._heap)

    def run(self, until: float) -> None:
        """Run every event before ``until``; then the time is ``until``.

        An event exactly at ``until`` waits for the next call, as with
        ``simpy.Environment.run(until=...)``.
        """
        heap, seq = self._heap, self._seq
        pop, push = heapq.heappop, heapq.heappush
        while heap and heap[0][0] < until:
            now, _, _, process, pool = pop(heap)
            self.now = now
            if pool is not None:
                pool.serve()
                continue
            assert process is not None
            try:
                command = process.send(None)
            except StopIteration:
                continue
            if command.__class__ is Pool:
                command.request(process)
            else:
                push(heap, (now + command, NORMAL, next(seq), process, None))  # type: ignore[operator]
        self.now = until


class Pool:
    """``capacity`` identical servers (officers) with one FIFO queue."""

    __slots__ = ("busy", "capacity", "core", "queue")

    def __init__(self, core: Core, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a pool needs at least one slot")
        self.core = core
        self.capacity = capacity
        self.busy = 0
        self.queue: deque[Process] = deque()

    def request(self, process: Process) -> None:
        """Queue ``process``; the head of the queue gets a free slot."""
        self.queue.append(process)
        self.serve()

    def serve(self) -> None:
        if self.queue and self.busy < self.capacity:
            self.busy += 1
            self.core.resume_now(self.queue.popleft())

    def release(self) -> None:
        """Give a slot back; the next in the queue gets it at this instant."""
        self.busy -= 1
        core = self.core
        heapq.heappush(core._heap, (core.now, NORMAL, next(core._seq), None, self))
