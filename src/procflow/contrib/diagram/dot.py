"""Graphviz DOT: one ``cluster`` per agency (the swimlane), for ``dot -Tsvg``,
``-Tpng`` or ``-Tpdf``.

Hand-off arrows are thick and blue and cross the lanes; applicant steps are
dashed amber hexagons; hand-off steps are blue arrow-shaped boxes; the critical
path is red; a dossier's path is blue with the time spent in each step.
"""

from __future__ import annotations

import textwrap

from procflow.contrib.diagram.model import Diagram, Node, tooltip
from procflow.contrib.labels import Lang

__all__ = ["FORMAT", "MEDIA_TYPE", "render"]

FORMAT = "dot"
MEDIA_TYPE = "text/vnd.graphviz"

FONT = "DejaVu Sans"
RED = "#c53030"
BLUE = "#1f4fb8"
HANDOFF = "#2b6cb0"


def quote(text: str) -> str:
    """A DOT double-quoted string; ``\\n`` in ``text`` becomes a centred line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attrs(**attrs: str | int | float) -> str:
    return "[" + ", ".join(f"{k}={quote(str(v))}" for k, v in attrs.items()) + "]"


def _node_attrs(node: Node, lang: Lang) -> dict[str, str | int | float]:
    attrs: dict[str, str | int | float] = {"label": "\n".join(node.lines())}
    if node.terminal:
        attrs.update(shape="box", style="rounded,filled", fillcolor="#edf2f7", color="#718096")
    elif node.applicant:
        attrs.update(shape="hexagon", style="dashed,filled", fillcolor="#fff8e1", color="#b7791f")
    elif node.handoff:
        attrs.update(shape="cds", style="filled", fillcolor="#ebf4ff", color=HANDOFF)
    else:
        attrs.update(shape="box", style="rounded,filled", fillcolor="white", color="#4a5568")
    if node.start:
        attrs["peripheries"] = 2
    if node.critical:
        attrs.update(color=RED, penwidth=2.5)
    if node.visited:
        attrs.update(fillcolor="#e6f0ff", penwidth=2.5)
        if not node.critical:
            attrs["color"] = BLUE
    if node.late:
        attrs.update(fillcolor="#fde8e8", color=RED, penwidth=3)
    if node.current:
        attrs.update(fillcolor="#fefcbf", color=RED if node.late else BLUE, penwidth=4)
    attrs["tooltip"] = tooltip(node, lang)
    return attrs


def render(diagram: Diagram) -> str:
    """The diagram as DOT source."""
    out = [
        "digraph procedure {",
        "    graph "
        + _attrs(
            rankdir="TB",
            newrank="true",
            nodesep=0.4,
            ranksep=0.55,
            fontname=FONT,
            fontsize=16,
            labelloc="t",
            labeljust="l",
            label="\n".join([*textwrap.wrap(diagram.title, 90), diagram.subtitle]),
        )
        + ";",
        "    node " + _attrs(fontname=FONT, fontsize=11, margin="0.15,0.07") + ";",
        "    edge " + _attrs(fontname=FONT, fontsize=9, color="#4a5568") + ";",
    ]
    for index, lane in enumerate(diagram.lanes):
        if not lane.nodes:
            continue
        out.append(f"    subgraph cluster_{index} {{")
        out.append(
            "        graph "
            + _attrs(
                label=lane.label,
                style="rounded,filled",
                fillcolor="#f7fafc" if not lane.desk else "#f0fff4",
                color="#a0aec0",
                fontsize=13,
            )
            + ";"
        )
        for node_id in lane.nodes:
            node = diagram.nodes[node_id]
            out.append(f"        {quote(node.id)} {_attrs(**_node_attrs(node, diagram.lang))};")
        out.append("    }")
    for end in diagram.ends:
        node = diagram.nodes[end]
        out.append(f"    {quote(node.id)} {_attrs(**_node_attrs(node, diagram.lang))};")
    for edge in diagram.edges:
        attrs: dict[str, str | int | float] = {}
        label = edge.label
        if edge.handoff:
            label = f"⇄ {label}" if label else "⇄"
            attrs.update(color=HANDOFF, penwidth=2.5, style="bold")
        if edge.back:
            attrs.update(style="dashed", constraint="false")
        if edge.critical:
            # A critical hand-off keeps both marks: red and blue side by side.
            # (Not on a dossier's picture, where blue means the path taken.)
            double = edge.handoff and diagram.dossier is None
            attrs.update(color=f"{RED}:{HANDOFF}" if double else RED, penwidth=3)
        if edge.taken:
            attrs.update(color=BLUE, penwidth=4)
            if edge.taken > 1:
                label += f" ×{edge.taken}"
        if label:
            attrs["label"] = label
        attrs_text = f" {_attrs(**attrs)}" if attrs else ""
        out.append(f"    {quote(edge.source)} -> {quote(edge.target)}{attrs_text};")
    out.append("}")
    return "\n".join(out) + "\n"
