"""What a diagram shows, independent of how it is drawn.

:func:`build_diagram` turns a procedure (and optionally one dossier) into a
:class:`Diagram`: one lane per agency, a node per step with its allotted time,
the ends the procedure can reach, an edge per (step, next step) with its
triggers, and the marks every renderer draws the same way:

* **hand-offs**: edges from a step of one agency to a step of another
  (liên thông), and hand-off steps themselves;
* **applicant steps** (supplement, payment): the statutory clock does not run
  for the agencies there;
* **the critical path** (:func:`procflow.checks.graph.critical_path`): the
  longest chain of step times from the start to ``returned``;
* for a dossier: the **path it took** (from its step visits), the **working
  time it spent** in each step, which steps ran late, and where it is now.

The graph comes from :func:`procflow.checks.graph.procedure_graph`, the one the
checks and the compiler use, so the picture cannot disagree with what runs.
Renderers (one module per format) only lay this out.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from procflow.checks.graph import critical_path, procedure_graph, step_flow
from procflow.contrib.labels import (
    Lang,
    duration_text,
    end_text,
    hours_text,
    kind_text,
    move_label,
    number_text,
)
from procflow.definition.model import Procedure, StepKind, Terminal

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.model.dossier import Dossier

__all__ = [
    "Diagram",
    "DossierTrace",
    "Edge",
    "Lane",
    "Node",
    "build_diagram",
    "tooltip",
    "words_of",
]


@dataclass(frozen=True, slots=True)
class Node:
    """A step or an end."""

    id: str
    label: str
    kind: StepKind | None
    agency: str | None
    time: str | None
    """The allotted time, as text (None for ends and applicant steps)."""
    terminal: bool = False
    applicant: bool = False
    handoff: bool = False
    start: bool = False
    critical: bool = False
    visits: int = 0
    """How many times the dossier entered this step (dossier diagrams)."""
    spent: str | None = None
    """The working time the dossier spent here, as text (dossier diagrams)."""
    late: bool = False
    current: bool = False

    @property
    def visited(self) -> bool:
        return self.visits > 0

    def lines(self, width: int = 30) -> list[str]:
        """The label's lines: the name wrapped at ``width``, the allotted time in
        brackets, then the time spent after an arrow."""
        out = textwrap.wrap(self.label, width) or [self.label]
        if self.time:
            out.append(f"[{self.time}]")
        if self.spent:
            out.append(f"→ {self.spent}")
        return out


@dataclass(frozen=True, slots=True)
class Edge:
    """The triggers leading from ``source`` to ``target``."""

    source: str
    target: str
    label: str
    handoff: bool = False
    """From a step of one agency to a step of another."""
    critical: bool = False
    back: bool = False
    """Closes a loop (e.g. back from a supplement to the review)."""
    taken: int = 0
    """How many times the dossier went this way (dossier diagrams)."""


@dataclass(frozen=True, slots=True)
class Lane:
    """One agency's swimlane."""

    id: str
    label: str
    desk: bool
    nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DossierTrace:
    code: str
    state: str
    open: bool
    path: tuple[str, ...]
    """The steps in the order the dossier entered them (then its end, if closed)."""
    outcome: str | None = None


@dataclass(frozen=True)
class Diagram:
    title: str
    subtitle: str
    lang: Lang
    lanes: tuple[Lane, ...]
    nodes: dict[str, Node]
    ends: tuple[str, ...]
    """The end nodes drawn (outside every lane)."""
    edges: tuple[Edge, ...]
    ranks: dict[str, int] = field(default_factory=dict)
    """Column of each node in a left-to-right layered layout (0 = start)."""
    dossier: DossierTrace | None = None
    legend: tuple[tuple[str, str], ...] = ()
    """(mark, meaning) pairs for the legend."""

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def lane_of(self, node_id: str) -> Lane | None:
        for lane in self.lanes:
            if node_id in lane.nodes:
                return lane
        return None


_WORDS = {
    "vi": {
        "critical": "đường găng (chuỗi bước dài nhất)",
        "handoff": "chuyển liên thông giữa các cơ quan",
        "applicant": "người dân thực hiện (không tính thời hạn)",
        "taken": "đường đi của hồ sơ",
        "late": "bước quá hạn",
        "current": "hồ sơ đang ở đây",
        "limit": "Thời hạn",
        "path": "đường găng",
        "desk": "một cửa",
        "dossier": "Hồ sơ",
        "if": "nếu",
        "unless": "nếu không",
        "legend": "Chú giải",
        "step": "bước xử lý của cơ quan",
        "handoff_step": "bước chuyển hồ sơ sang cơ quan khác",
        "end": "kết thúc (trả kết quả, từ chối, rút hồ sơ...)",
        "start": "bước bắt đầu (viền đôi)",
        "back": "quay lại (vòng lặp, ví dụ sau khi bổ sung)",
    },
    "en": {
        "critical": "critical path (longest chain of steps)",
        "handoff": "hand-off between agencies",
        "applicant": "applicant acts (clock paused)",
        "taken": "path the dossier took",
        "late": "step finished late",
        "current": "the dossier is here",
        "limit": "Time limit",
        "path": "critical path",
        "desk": "one-stop desk",
        "dossier": "Dossier",
        "if": "if",
        "unless": "unless",
        "legend": "Legend",
        "step": "step of an agency",
        "handoff_step": "hand-off step (sends the dossier on)",
        "end": "end (returned, refused, withdrawn...)",
        "start": "start step (double border)",
        "back": "way back (a loop, e.g. after a supplement)",
    },
}


def words_of(lang: Lang) -> dict[str, str]:
    """The diagram's own words (legend, subtitle) in ``lang``; renderers use
    them so that every format says the same thing in the same language."""
    return _WORDS["en" if lang == "en" else "vi"]


def _edge_labels(proc: Procedure, lang: Lang) -> dict[tuple[str, str], str]:
    """The moves per edge in words, with their conditions (``Chuyển xử lý [nếu
    needs x]``): the diagram is read by people, who never type the trigger."""
    words = words_of(lang)
    out: dict[tuple[str, str], list[str]] = {}
    for step in proc.steps:
        for trigger, outcome in step.branches():
            text = move_label(proc, trigger, lang, step.id)
            if outcome.when:
                text += f" [{words['if']} {_fact(outcome.when)}]"
            if outcome.unless:
                text += f" [{words['unless']} {_fact(outcome.unless)}]"
            names = out.setdefault((step.id, outcome.to), [])
            if text not in names:
                names.append(text)
    return {edge: ", ".join(names) for edge, names in out.items()}


def _fact(name: str) -> str:
    """A dossier fact as words: ``needs_verification`` → ``needs verification``."""
    return name.replace("_", " ")


def _ranks(
    order: list[str], succ: dict[str, list[str]], back: set[tuple[str, str]], start: str
) -> dict[str, int]:
    """Longest-path layering on the graph without its loop-closing edges."""
    forward = {n: [t for t in succ.get(n, []) if (n, t) not in back] for n in order}
    indegree = dict.fromkeys(order, 0)
    for n in order:
        for t in forward[n]:
            if t in indegree:
                indegree[t] += 1
    rank: dict[str, int] = {}
    ready = [n for n in order if indegree[n] == 0]
    # The start first, then the rest in file order, so unreachable steps sit at 0.
    ready.sort(key=lambda n: (n != start, order.index(n)))
    while ready:
        n = ready.pop(0)
        rank.setdefault(n, 0)
        for t in forward[n]:
            if t not in indegree:
                continue
            rank[t] = max(rank.get(t, 0), rank[n] + 1)
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    for n in order:  # nodes left on an (illegal) cycle: after everything else
        rank.setdefault(n, max(rank.values(), default=0) + 1)
    return rank


def build_diagram(
    proc: Procedure,
    *,
    lang: Lang = "vi",
    dossier: Dossier | None = None,
    calendar: WorkCalendar | None = None,
    now: datetime | None = None,
) -> Diagram:
    """The picture of ``proc``, or of ``dossier`` running through it.

    For a dossier still open, the working time of the step it is in is counted
    up to ``now`` on ``calendar`` when both are given (otherwise only closed
    visits count).
    """
    graph = procedure_graph(proc)
    flow = step_flow(proc)
    path = critical_path(proc, flow)
    on_path = set(path.steps)
    critical_edges = set(zip(path.steps, (*path.steps[1:], Terminal.RETURNED.value), strict=True))
    if not path.steps:
        critical_edges = set()
    back = set(flow.back_edges())
    labels = _edge_labels(proc, lang)
    words = words_of(lang)

    # --- the dossier's trace ------------------------------------------------
    visits: dict[str, int] = {}
    spent: dict[str, float] = {}
    late: set[str] = set()
    taken: dict[tuple[str, str], int] = {}
    trace: DossierTrace | None = None
    if dossier is not None:
        for visit in dossier.visits:
            visits[visit.step] = visits.get(visit.step, 0) + 1
            used = visit.used_seconds
            is_applicant = (
                visit.step in flow.steps
                and proc.steps[flow.steps[visit.step]].kind is StepKind.APPLICANT
            )
            if (
                visit.left_at is None
                and dossier.is_open
                and calendar is not None
                and now is not None
                and not is_applicant
            ):
                used = max(0.0, calendar.working_seconds_between(visit.entered_at, now))
                if dossier.step_due_at is not None and now > dossier.step_due_at:
                    late.add(visit.step)  # still there, past the step's own deadline
            spent[visit.step] = spent.get(visit.step, 0.0) + used
            if visit.timeliness is not None and visit.timeliness.value == "late":
                late.add(visit.step)
            if visit.to_step is not None:
                edge = (visit.step, visit.to_step)
                taken[edge] = taken.get(edge, 0) + 1
        order = [v.step for v in dossier.visits]
        if not dossier.is_open and dossier.outcome:
            order.append(dossier.outcome)
        trace = DossierTrace(
            dossier.code, dossier.state, dossier.is_open, tuple(order), dossier.outcome
        )

    # --- nodes --------------------------------------------------------------
    nodes: dict[str, Node] = {}
    step_ids = [n for n in graph.nodes if not graph.nodes[n]["terminal"]]
    step_ids.sort(key=lambda n: graph.nodes[n]["index"])
    for step_id in step_ids:
        step = proc.steps[graph.nodes[step_id]["index"]]
        applicant = step.kind is StepKind.APPLICANT
        time = duration_text(step.time, lang) if step.time is not None and not applicant else None
        spent_here = spent.get(step_id)
        nodes[step_id] = Node(
            id=step_id,
            label=step.name.get(lang),
            kind=step.kind,
            agency=step.agency,
            time=time,
            applicant=applicant,
            handoff=step.kind is StepKind.HANDOFF,
            start=step_id == proc.start_step,
            critical=step_id in on_path,
            visits=visits.get(step_id, 0),
            spent=(
                hours_text(spent_here, lang) if spent_here is not None and not applicant else None
            ),
            late=step_id in late,
            current=trace is not None and trace.open and trace.state == step_id,
        )
    # Ends: those the procedure leads to, plus the one the dossier reached.
    used_ends = {t for (_, t) in graph.edges if graph.nodes[t]["terminal"]}
    if trace is not None and trace.outcome:
        used_ends.add(trace.outcome)
    ends = tuple(t.value for t in Terminal if t.value in used_ends)
    for end in ends:
        nodes[end] = Node(
            id=end,
            label=end_text(end, lang),
            kind=None,
            agency=None,
            time=None,
            terminal=True,
            critical=end == Terminal.RETURNED.value and bool(path.steps),
            visits=1 if trace is not None and trace.outcome == end else 0,
        )

    # --- edges --------------------------------------------------------------
    edges: list[Edge] = []
    for source, target in graph.edges:
        if target not in nodes:
            continue
        source_agency = graph.nodes[source]["agency"]
        target_agency = graph.nodes[target]["agency"]
        edges.append(
            Edge(
                source=source,
                target=target,
                label=labels.get((source, target), ""),
                handoff=target_agency is not None and source_agency != target_agency,
                critical=(source, target) in critical_edges,
                back=(source, target) in back,
                taken=taken.pop((source, target), 0),
            )
        )
    # The dossier may have left by an engine trigger (withdraw, stop) that the
    # procedure does not draw: draw that edge too.
    for (source, target), count in taken.items():
        if source in nodes and target in nodes:
            edges.append(Edge(source, target, "", taken=count))

    # --- lanes --------------------------------------------------------------
    lanes = []
    for agency in proc.agencies:
        members = tuple(n for n in step_ids if nodes[n].agency == agency.id)
        label = agency.name.get(lang)
        if agency.desk:
            label += f" ({words['desk']})"
        lanes.append(Lane(agency.id, label, agency.desk, members))
    # Steps naming an unknown agency (the checks report it) still get drawn.
    known = {a.id for a in proc.agencies}
    for step_id in step_ids:
        agency_id = nodes[step_id].agency
        if agency_id not in known and agency_id is not None:
            known.add(agency_id)
            members = tuple(n for n in step_ids if nodes[n].agency == agency_id)
            lanes.append(Lane(agency_id, agency_id, False, members))

    order = [*step_ids, *ends]
    succ = {n: [e.target for e in edges if e.source == n] for n in order}
    ranks = _ranks(order, succ, {(e.source, e.target) for e in edges if e.back}, proc.start_step)

    limit = duration_text(proc.time_limit, lang)
    subtitle = f"{proc.key} · {words['limit']}: {limit}"
    if path.steps:
        subtitle += f" · {words['path']}: {_path_days(path.days, path.unit.value, lang)}"
    title = proc.name.get(lang)
    if trace is not None:
        title = f"{words['dossier']} {trace.code} — {title}"
    legend = [
        ("critical", words["critical"]),
        ("handoff", words["handoff"]),
        ("applicant", words["applicant"]),
    ]
    if trace is not None:
        legend += [("taken", words["taken"]), ("late", words["late"])]
        if trace.open:
            legend.append(("current", words["current"]))
    return Diagram(
        title=title,
        subtitle=subtitle,
        lang=lang,
        lanes=tuple(lanes),
        nodes=nodes,
        ends=ends,
        edges=tuple(edges),
        ranks=ranks,
        dossier=trace,
        legend=tuple(legend),
    )


def _path_days(days: float, unit: str, lang: Lang) -> str:
    if unit == "calendar_days":
        return f"{number_text(days, lang)} {'ngày' if lang == 'vi' else 'calendar days'}"
    return f"{number_text(days, lang)} {'ngày làm việc' if lang == 'vi' else 'working days'}"


def kind_label(node: Node, lang: Lang) -> str:
    """The kind of a step as a short word (for tooltips)."""
    return kind_text(node.kind, lang) if node.kind is not None else end_text(node.id, lang)


def tooltip(node: Node, lang: Lang) -> str:
    """What a box says under the pointer: its name and its kind in words
    (``Tiếp nhận hồ sơ (Tiếp nhận)``), never the step id a reader does not know."""
    if node.kind is None:  # an end: its name says what it is
        return node.label
    return f"{node.label} ({kind_text(node.kind, lang)})"
