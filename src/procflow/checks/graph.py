"""The procedure as a directed graph, and its critical path.

One place builds the graph so that the checks, the compiler and the diagrams
all see the same thing: a node per step (first occurrence of an id wins; ids
that collide with a terminal are left out, the checks report both) plus one
node per terminal end (``returned``, ``refused``, ``withdrawn``, ``stopped``),
and an edge per (step, target) pair carrying the triggers that lead there.
References to unknown steps are not edges; the checks report them.

Node attributes: ``terminal`` (bool), ``kind`` (:class:`StepKind` or None),
``agency`` (str or None), ``index`` (position in ``steps``, or None) and
``days`` (the step's time in the procedure's kind of day, see
:func:`time_basis`; 0 for applicant steps, whose time does not count, and for
steps without a time or with a time in the wrong kind of day).
Edge attribute: ``triggers`` (list of trigger names, file order).

Working hours are turned into working days with the length of a working day
of a calendar (:func:`working_day_hours`): the office hours of the
:class:`~procflow.calendar.WorkCalendar` given, or of the standard Vietnamese
calendar (:meth:`WorkCalendar.vietnam() <procflow.calendar.WorkCalendar.vietnam>`)
when none is. That calendar is built on first need only (a procedure with no
time in working hours never needs it) and once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procflow.calendar.units import TimeUnit
from procflow.definition.model import (
    TERMINALS,
    Duration,
    Procedure,
    StepKind,
    Terminal,
)

if TYPE_CHECKING:
    import networkx as nx

    from procflow.calendar.workcalendar import WorkCalendar

__all__ = [
    "CriticalPath",
    "Flow",
    "Loop",
    "critical_path",
    "duration_days",
    "procedure_graph",
    "standard_calendar",
    "step_flow",
    "time_basis",
    "working_day_hours",
]


def standard_calendar() -> WorkCalendar:
    """The standard Vietnamese calendar: ``WorkCalendar.vietnam()``.

    The calendar keeps one per process; it is imported here, on first call,
    so that importing the checks does not load the calendar.
    """
    from procflow.calendar.workcalendar import WorkCalendar

    return WorkCalendar.vietnam()


@functools.cache
def _standard_day_hours() -> float:
    # standard_calendar().day_seconds / 3600, without building the calendar
    # (its holidays): loading a catalogue checks every procedure's times.
    from procflow.calendar.workcalendar import national_office_hours

    return national_office_hours().day_seconds / 3600


def working_day_hours(calendar: WorkCalendar | None = None) -> float:
    """Working hours in one working day of ``calendar``: its office time a day.

    This is the calendar's own figure (:attr:`WorkCalendar.day_seconds
    <procflow.calendar.WorkCalendar.day_seconds>`, from its office hours), so
    the checks add hours up to days exactly as the engine counts deadlines.
    Without ``calendar``, the standard Vietnamese calendar's
    (:func:`standard_calendar`).
    """
    if calendar is None:
        return _standard_day_hours()
    return calendar.day_seconds / 3600


def time_basis(proc: Procedure) -> TimeUnit:
    """The kind of day step times are added up in for this procedure.

    Working days for procedures published in working days, working hours or
    same-day (1 same day = 1 working day = the calendar's office hours of a
    day, see :func:`working_day_hours`); calendar days
    for calendar-day procedures. Working and calendar days cannot be added
    together without a calendar, so mixing them is a ``unit-mismatch``.
    """
    if proc.time_limit.unit is TimeUnit.CALENDAR_DAYS:
        return TimeUnit.CALENDAR_DAYS
    return TimeUnit.WORKING_DAYS


def duration_days(
    duration: Duration | None, basis: TimeUnit, calendar: WorkCalendar | None = None
) -> float | None:
    """``duration`` in days of ``basis``; None when absent or not convertible.

    Working hours count :func:`working_day_hours` of ``calendar`` to the day
    (the standard Vietnamese calendar's when None).
    """
    if duration is None:
        return None
    if basis is TimeUnit.CALENDAR_DAYS:
        return duration.value if duration.unit is TimeUnit.CALENDAR_DAYS else None
    if duration.unit is TimeUnit.WORKING_HOURS:
        return duration.in_working_days(working_day_hours(calendar))
    # Working days and same day are days already: no day length, no calendar.
    return duration.in_working_days()


@dataclass(slots=True)
class Flow:
    """The step graph as plain dicts: what the checks walk, many times a second.

    networkx is the exchange format (:func:`procedure_graph`), but its
    generality costs about a millisecond per call on a 20-step procedure,
    which adds up over a catalogue of thousands; the checks and the critical
    path therefore run on these dicts, built once per procedure.

    ``steps`` maps each usable step id (first occurrence; ids colliding with
    an end are left out) to its index in ``proc.steps``; ``succ`` maps every
    node (steps and ends) to its distinct known targets in file order;
    ``triggers`` gives the triggers of each edge; ``days`` the counted time.
    """

    start: str
    steps: dict[str, int]
    succ: dict[str, list[str]]
    triggers: dict[tuple[str, str], list[str]]
    applicant: frozenset[str]
    days: dict[str, float]
    dangling: bool = False
    """True when some outcome names neither a step nor an end."""

    def reachable_from(self, node: str) -> set[str]:
        """Every node reachable from ``node``, itself included."""
        seen = {node}
        todo = [node]
        succ = self.succ
        while todo:
            for target in succ.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    def reaching(self, targets: set[str] | frozenset[str]) -> set[str]:
        """Every node from which one of ``targets`` can be reached (targets included)."""
        pred: dict[str, list[str]] = {}
        for source, outs in self.succ.items():
            for target in outs:
                pred.setdefault(target, []).append(source)
        seen = set(targets)
        todo = list(targets)
        while todo:
            for source in pred.get(todo.pop(), ()):
                if source not in seen:
                    seen.add(source)
                    todo.append(source)
        return seen

    def path_between(self, source: str, target: str, nodes: set[str]) -> list[str]:
        """A shortest path ``source -> ... -> target`` through ``nodes`` ([] if none)."""
        parent: dict[str, str] = {}
        todo = [source]
        seen = {source}
        while todo:
            following = []
            for node in todo:
                for child in self.succ.get(node, ()):
                    if child in nodes and child not in seen:
                        seen.add(child)
                        parent[child] = node
                        following.append(child)
            todo = following
        if target not in seen:
            return []
        path = [target]
        while path[-1] != source:
            path.append(parent[path[-1]])
        return path[::-1]

    def back_edges(self, nodes: set[str] | None = None) -> list[tuple[str, str]]:
        """Loop-closing edges found by depth-first search in file order.

        Restricted to ``nodes`` when given. Every cycle of the (sub)graph
        contains at least one of them, so none means no cycle.
        """
        return [(loop.source, loop.target) for loop in self.loops(nodes)]

    def loops(self, nodes: set[str] | None = None, shown: int = 6) -> list[Loop]:
        """The loop each back edge closes, as the depth-first search walked it.

        Like :meth:`back_edges`, with each loop ``target -> ... -> source``
        read off the search's own stack: a path search per back edge made
        thousands of loops quadratic. Only the first and last ``shown``
        nodes of a long loop are kept (see :class:`Loop`).
        """
        allowed = set(self.succ) if nodes is None else nodes
        order = [self.start, *self.steps] if self.start in allowed else list(self.steps)
        state: dict[str, int] = {}  # 1 on the current path, 2 done
        depth: dict[str, int] = {}  # position on the current path, for nodes marked 1
        found: list[Loop] = []
        for root in order:
            if root not in allowed or root in state:
                continue
            state[root] = 1
            depth[root] = 0
            stack = [(root, iter(self.succ.get(root, ())))]
            while stack:
                node, children = stack[-1]
                for child in children:
                    if child not in allowed:
                        continue
                    mark = state.get(child)
                    if mark == 1:
                        found.append(_loop(stack, depth[child], node, child, shown))
                    elif mark is None:
                        state[child] = 1
                        depth[child] = len(stack)
                        stack.append((child, iter(self.succ.get(child, ()))))
                        break
                else:
                    state[node] = 2
                    stack.pop()
        return found

    def components(self) -> dict[str, int]:
        """The strongly connected component of every node (Tarjan, without recursion).

        Two nodes share a number when each can be reached from the other.
        """
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        component: dict[str, int] = {}
        counter = 0
        for root in self.succ:
            if root in index:
                continue
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            work = [(root, iter(self.succ.get(root, ())))]
            while work:
                node, children = work[-1]
                for child in children:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(self.succ.get(child, ()))))
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
                    if low[node] == index[node]:
                        number = index[node]
                        while True:
                            member = stack.pop()
                            on_stack.discard(member)
                            component[member] = number
                            if member == node:
                                break
        return component


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop closed by the back edge ``source -> target``.

    The loop runs ``target -> ... -> source -> target``; ``head`` and
    ``tail`` are its first and last nodes (``target`` first, ``source``
    last), ``length`` its number of distinct nodes; when it is longer than
    ``head`` and ``tail`` together, the nodes in between are left out, so a
    message about it stays short.
    """

    source: str
    target: str
    head: tuple[str, ...]
    tail: tuple[str, ...]
    length: int

    def describe(self) -> str:
        """``a -> b -> c -> a``, or ``a -> b -> … (96 more) … -> y -> z -> a`` when long."""
        hidden = self.length - len(self.head) - len(self.tail)
        names = list(self.head)
        if hidden > 0:
            names.append(f"… ({hidden:,} more) …")
        names.extend(self.tail)
        return " -> ".join([*names, self.target])


def _loop(
    stack: list[tuple[str, Iterator[str]]], start: int, source: str, target: str, shown: int
) -> Loop:
    """The :class:`Loop` of the path ``stack[start:]`` closed by ``source -> target``."""
    length = len(stack) - start
    if length <= 2 * shown:
        return Loop(source, target, tuple(n for n, _ in stack[start:]), (), length)
    head = tuple(n for n, _ in stack[start : start + shown])
    tail = tuple(n for n, _ in stack[len(stack) - shown :])
    return Loop(source, target, head, tail, length)


def step_flow(proc: Procedure, calendar: WorkCalendar | None = None) -> Flow:
    """Build the :class:`Flow` of ``proc``, step times counted on ``calendar``.

    ``calendar`` gives the length of a working day (see :func:`duration_days`).
    """
    basis = time_basis(proc)
    steps: dict[str, int] = {}
    for index, step in enumerate(proc.steps):
        if step.id not in TERMINALS and step.id not in steps:
            steps[step.id] = index
    succ: dict[str, list[str]] = {t: [] for t in TERMINALS}
    triggers: dict[tuple[str, str], list[str]] = {}
    days: dict[str, float] = dict.fromkeys(TERMINALS, 0.0)
    applicant: set[str] = set()
    for step_id, index in steps.items():
        step = proc.steps[index]
        outs: list[str] = []
        for trigger, outcome in step.branches():
            target = outcome.to
            if target not in steps and target not in TERMINALS:
                continue
            edge = (step_id, target)
            if edge in triggers:
                triggers[edge].append(trigger)
            else:
                triggers[edge] = [trigger]
                outs.append(target)
        succ[step_id] = outs
        if step.kind is StepKind.APPLICANT:
            applicant.add(step_id)
            days[step_id] = 0.0
        else:
            days[step_id] = duration_days(step.time, basis, calendar) or 0.0
    dangling = any(
        outcome.to not in steps and outcome.to not in TERMINALS
        for step in proc.steps
        for _, outcome in step.branches()
    )
    return Flow(proc.start_step, steps, succ, triggers, frozenset(applicant), days, dangling)


def procedure_graph(proc: Procedure, calendar: WorkCalendar | None = None) -> nx.DiGraph:
    """Build the step graph of ``proc`` as a networkx graph (see the module docstring).

    ``calendar`` gives the length of a working day (see :func:`duration_days`).
    """
    flow = step_flow(proc, calendar)
    import networkx as nx  # loaded here: the checks themselves walk plain dicts (Flow)

    graph = nx.DiGraph(procedure=proc.key, start=proc.start_step, basis=time_basis(proc))
    for terminal in Terminal:
        graph.add_node(terminal.value, terminal=True, kind=None, agency=None, index=None, days=0.0)
    for step_id, index in flow.steps.items():
        step = proc.steps[index]
        graph.add_node(
            step_id,
            terminal=False,
            kind=step.kind,
            agency=step.agency,
            index=index,
            days=flow.days[step_id],
        )
    for (source, target), names in flow.triggers.items():
        graph.add_edge(source, target, triggers=list(names))
    return graph


def _dag_edges(flow: Flow) -> dict[str, list[str]]:
    """The successor lists with loop-closing edges removed.

    Declared applicant loops (review -> supplement -> review) are cut at the
    edges leaving the applicant step; whatever cycles remain (illegal ones,
    the checks report them) are cut at depth-first back edges, so that a
    longest path can always be computed. Linear: an edge ``a -> b`` closes a
    loop exactly when ``a`` and ``b`` share a strongly connected component.
    """
    succ = {node: list(outs) for node, outs in flow.succ.items()}
    if flow.applicant:
        component = flow.components()
        for node in flow.applicant:
            outs = succ.get(node)
            if outs:
                succ[node] = [t for t in outs if component[t] != component[node]]
    cut = Flow(flow.start, flow.steps, succ, flow.triggers, flow.applicant, flow.days)
    remove: dict[str, set[str]] = {}
    for source, target in cut.back_edges():
        remove.setdefault(source, set()).add(target)
    for source, targets in remove.items():
        succ[source] = [t for t in succ[source] if t not in targets]
    return succ


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The longest chain of step times from the start to ``returned``.

    ``days`` is in ``unit`` (working days, or calendar days for calendar-day
    procedures); applicant steps count 0 since the clock does not run for
    the agencies while the applicant acts. ``limit`` is the statutory total
    in the same unit (a same-day procedure has 1 working day).
    """

    steps: tuple[str, ...]
    days: float
    unit: TimeUnit
    limit: float | None
    untimed: tuple[str, ...] = ()
    """Steps on the path that declare no time (counted as 0)."""

    @property
    def overrun(self) -> float:
        """How far the path runs over the statutory total (0 when it fits)."""
        if self.limit is None:
            return 0.0
        return max(0.0, round(self.days - self.limit, 9))

    @property
    def total_working_days(self) -> float | None:
        """The total in working days, or None for calendar-day procedures."""
        return self.days if self.unit is TimeUnit.WORKING_DAYS else None

    @property
    def reaches_end(self) -> bool:
        return bool(self.steps)


def critical_path(
    proc: Procedure, flow: Flow | None = None, calendar: WorkCalendar | None = None
) -> CriticalPath:
    """The longest path by step time from the start step to ``returned``.

    Pass ``flow`` (from :func:`step_flow`, with the same ``calendar``) to
    avoid rebuilding it. ``calendar`` gives the length of a working day (see
    :func:`duration_days`). When ``returned`` cannot be reached, the path is
    empty.
    """
    if flow is None:
        flow = step_flow(proc, calendar)
    basis = time_basis(proc)
    limit = duration_days(proc.time_limit, basis, calendar)
    start = flow.start
    end = Terminal.RETURNED.value
    empty = CriticalPath((), 0.0, basis, limit)
    if start not in flow.steps:
        return empty
    succ = _dag_edges(flow)
    dag = Flow(start, flow.steps, succ, flow.triggers, flow.applicant, flow.days)
    reachable = dag.reachable_from(start)
    if end not in reachable:
        return empty
    useful = dag.reaching({end}) & reachable
    # Kahn's algorithm over the useful part, in file order for stable ties.
    indegree = dict.fromkeys(useful, 0)
    for node in useful:
        for target in succ.get(node, ()):
            if target in useful:
                indegree[target] += 1
    # Parent links rather than a path per node: copying paths was quadratic
    # on a chain of thousands of steps.
    best: dict[str, float] = {start: flow.days[start]}
    parent: dict[str, str] = {}
    ready = [start] if indegree.get(start) == 0 else []
    while ready:
        node = ready.pop()
        total = best[node]
        for target in succ.get(node, ()):
            if target not in useful:
                continue
            candidate = total + flow.days[target]
            if target not in best or candidate > best[target]:
                best[target] = candidate
                parent[target] = node
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if end not in best:  # pragma: no cover - end is reachable by construction
        return empty
    total = best[end]
    path = [end]
    while path[-1] != start:
        path.append(parent[path[-1]])
    steps = tuple(node for node in reversed(path) if node != end)
    untimed = tuple(
        s for s in steps if s not in flow.applicant and proc.steps[flow.steps[s]].time is None
    )
    return CriticalPath(steps, round(total, 9), basis, limit, untimed)
