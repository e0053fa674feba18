"""Time on the process diagram: each step's box carries the time it took.

The report's table of time per step and the procedure's diagram exist apart;
a reform officer reads them together ("the police step takes 2 days where it
was given 0.75"). This draws the procedure with the diagram module's own
model and pure-Python SVG layout (:mod:`procflow.contrib.diagram`), unchanged,
and only annotates it:

* each step's box adds two lines: the median and p90 working hours of its
  visits in the period, and its late visits of all visits with the step's
  share of all the time past due;
* steps that caused at least :data:`RED_SHARE` of all the time past due are
  drawn as the diagram draws late steps (red); the critical path is not
  marked, so red means lateness only;
* move names (the procedure's triggers) are left off the arrows: the picture
  is about time, and the arrows keep their hand-off marks;
* the legend says what the marks mean in the page's language, and each box's
  tooltip gives the step's name with its figures instead of its id.

The annotated boxes are :class:`TimedNode`, a :class:`~procflow.contrib.diagram.Node`
whose :meth:`lines` end with the figures, so every renderer of the diagram
module draws them where it draws a node's text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from procflow.contrib.diagram.model import Diagram, Node, build_diagram
from procflow.contrib.diagram.svg import render_python
from procflow.contrib.labels import duration_text

if TYPE_CHECKING:
    from procflow.definition.model import Procedure
    from procflow.reports.words import Formats

__all__ = ["RED_SHARE", "TimedNode", "time_diagram"]

RED_SHARE = 0.10
"""A step is drawn red when it caused at least this share of all working time
past due [design]: in a year of dossiers nearly every step has a late visit,
and a diagram all in red says nothing."""


@dataclass(frozen=True, slots=True)
class TimedNode(Node):
    """A step box with the period's figures under its name and allotment."""

    figures: tuple[str, ...] = ()

    def lines(self, width: int = 30) -> list[str]:
        return [*Node.lines(self, width), *self.figures]


def _figures(step: Mapping[str, Any] | None, w: Mapping[str, str], f: Formats) -> tuple[str, ...]:
    if step is None or not step["visits"]:
        return (w["node_none"],)
    lines = [
        w["node_time"].format(
            median=f.hours(step["working_median"]), p90=f.hours(step["working_p90"])
        )
    ]
    if step["late_visits"]:
        lines.append(
            w["node_late"].format(
                late=step["late_visits"],
                visits=step["visits"],
                share=f.share(step["lateness_share"]),
            )
        )
    else:
        lines.append(w["node_ok"].format(visits=step["visits"]))
    return tuple(lines)


_NODE_TITLE = re.compile(r'(<g class="node [^"]*" id="node-([^"]*)">\s*<title>)([^<]*)(</title>)')


def time_diagram(
    proc: Procedure,
    steps: Sequence[Mapping[str, Any]],
    w: Mapping[str, str],
    f: Formats,
) -> str:
    """``proc``'s diagram as an inline ``<svg>``, annotated with ``steps``
    (the bottleneck figures of its steps, ``StepStats.to_dict()`` form)."""
    lang = f.lang
    base = build_diagram(proc, lang=lang)
    by_step = {s["step"]: s for s in steps}
    nodes: dict[str, Node] = {}
    tips: dict[str, str] = {}
    for node_id, node in base.nodes.items():
        if node.terminal:
            nodes[node_id] = dataclasses.replace(node, critical=False)
            tips[node_id] = node.label
            continue
        stats = None if node.applicant else by_step.get(node_id)
        figures = () if node.applicant else _figures(stats, w, f)
        fields = {fl.name: getattr(node, fl.name) for fl in dataclasses.fields(Node)}
        share = (stats["lateness_share"] or 0.0) if stats else 0.0
        fields.update(critical=False, late=share >= RED_SHARE, spent=None)
        nodes[node_id] = TimedNode(**fields, figures=figures)
        tips[node_id] = " · ".join([node.label, *figures])
    edges = tuple(dataclasses.replace(e, label="", critical=False) for e in base.edges)
    visits = sum(s["visits"] for s in steps)
    diagram: Diagram = dataclasses.replace(
        base,
        nodes=nodes,
        edges=edges,
        subtitle=w["diagram_subtitle"].format(
            limit=duration_text(proc.time_limit, lang), visits=f.count(visits)
        ),
        legend=(
            ("late", w["legend_late"].format(share=f.pct(RED_SHARE, 0))),
            ("handoff", w["legend_handoff"]),
            ("applicant", w["legend_applicant"]),
        ),
    )
    svg = render_python(diagram)
    svg = svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg

    def title(match: re.Match[str]) -> str:
        tip = tips.get(match.group(2))
        return match.group(1) + (escape(tip) if tip else match.group(3)) + match.group(4)

    # The layout titles a box with its step id: for a reader, the step's name.
    return _NODE_TITLE.sub(title, svg)
