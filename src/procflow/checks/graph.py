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
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from procflow.calendar.units import TimeUnit
from procflow.definition.model import (
    TERMINALS,
    Duration,
    Procedure,
    StepKind,
    Terminal,
)

__all__ = [
    "HOURS_PER_DAY",
    "CriticalPath",
    "acyclic_view",
    "critical_path",
    "duration_days",
    "procedure_graph",
    "time_basis",
]

HOURS_PER_DAY = 8.0
"""Working hours in a working day, for adding hour-unit steps to day totals."""


def time_basis(proc: Procedure) -> TimeUnit:
    """The kind of day step times are added up in for this procedure.

    Working days for procedures published in working days, working hours or
    same-day (1 same day = 1 working day = 8 working hours); calendar days
    for calendar-day procedures. Working and calendar days cannot be added
    together without a calendar, so mixing them is a ``unit-mismatch``.
    """
    if proc.time_limit.unit is TimeUnit.CALENDAR_DAYS:
        return TimeUnit.CALENDAR_DAYS
    return TimeUnit.WORKING_DAYS


def duration_days(duration: Duration | None, basis: TimeUnit) -> float | None:
    """``duration`` in days of ``basis``; None when absent or not convertible."""
    if duration is None:
        return None
    if basis is TimeUnit.CALENDAR_DAYS:
        return duration.value if duration.unit is TimeUnit.CALENDAR_DAYS else None
    return duration.in_working_days(HOURS_PER_DAY)


def procedure_graph(proc: Procedure) -> nx.DiGraph:
    """Build the step graph of ``proc`` (see the module docstring)."""
    graph = nx.DiGraph(procedure=proc.key, start=proc.start_step, basis=time_basis(proc))
    basis = time_basis(proc)
    for terminal in Terminal:
        graph.add_node(terminal.value, terminal=True, kind=None, agency=None, index=None, days=0.0)
    owners: dict[str, int] = {}
    for index, step in enumerate(proc.steps):
        if step.id in TERMINALS or step.id in owners:
            continue
        owners[step.id] = index
        days = 0.0
        if step.kind is not StepKind.APPLICANT:
            days = duration_days(step.time, basis) or 0.0
        graph.add_node(
            step.id, terminal=False, kind=step.kind, agency=step.agency, index=index, days=days
        )
    for step_id, index in owners.items():
        for trigger, outcome in proc.steps[index].branches():
            if outcome.to not in graph:
                continue
            if graph.has_edge(step_id, outcome.to):
                graph.edges[step_id, outcome.to]["triggers"].append(trigger)
            else:
                graph.add_edge(step_id, outcome.to, triggers=[trigger])
    return graph


def acyclic_view(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``graph`` with the loop-closing edges removed.

    Declared applicant loops (review -> supplement -> review) are cut at the
    edges leaving the applicant step; whatever cycles remain (illegal ones, the
    checks report them) are cut at depth-first back edges, so that a longest
    path can always be computed.
    """
    dag = graph.copy()
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            (node,) = component
            if dag.has_edge(node, node):
                dag.remove_edge(node, node)
            continue
        for node in component:
            if graph.nodes[node]["kind"] is StepKind.APPLICANT:
                for target in list(graph.successors(node)):
                    if target in component:
                        dag.remove_edge(node, target)
    while True:
        try:
            cycle = nx.find_cycle(dag)
        except nx.NetworkXNoCycle:
            return dag
        source, target = cycle[-1][0], cycle[-1][1]
        dag.remove_edge(source, target)


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


def critical_path(proc: Procedure, graph: nx.DiGraph | None = None) -> CriticalPath:
    """The longest path by step time from the start step to ``returned``.

    Pass ``graph`` (from :func:`procedure_graph`) to avoid rebuilding it.
    When ``returned`` cannot be reached, the path is empty.
    """
    if graph is None:
        graph = procedure_graph(proc)
    basis = time_basis(proc)
    limit = duration_days(proc.time_limit, basis)
    start = proc.start_step
    end = Terminal.RETURNED.value
    empty = CriticalPath((), 0.0, basis, limit)
    if start not in graph or graph.nodes[start]["terminal"]:
        return empty
    dag = acyclic_view(graph)
    reachable = nx.descendants(dag, start) | {start}
    if end not in reachable:
        return empty
    useful = (nx.ancestors(dag, end) | {end}) & reachable
    sub = dag.subgraph(useful)
    best: dict[str, tuple[float, tuple[str, ...]]] = {}
    for node in nx.topological_sort(sub):
        days = float(graph.nodes[node]["days"])
        if node == start:
            best[node] = (days, (node,))
            continue
        candidates = [best[p] for p in sub.predecessors(node) if p in best]
        if not candidates:
            continue
        total, path = max(candidates, key=lambda c: c[0])
        best[node] = (total + days, (*path, node))
    if end not in best:  # pragma: no cover - end is reachable by construction
        return empty
    total, path = best[end]
    steps = tuple(node for node in path if node != end)
    untimed = tuple(
        s
        for s in steps
        if graph.nodes[s]["kind"] is not StepKind.APPLICANT
        and proc.steps[graph.nodes[s]["index"]].time is None
    )
    return CriticalPath(steps, round(total, 9), basis, limit, untimed)
