"""Graphviz DOT: one ``cluster`` per agency (the swimlane), for ``dot -Tsvg``,
``-Tpng`` or ``-Tpdf``.

Hand-off arrows are thick and blue and cross the lanes; applicant steps are
dashed amber hexagons; hand-off steps are blue arrow-shaped boxes; the critical
path is red; a dossier's path is blue with the time spent in each step. A
legend under the picture says so in the diagram's language.

[design] A lane's title is not the cluster's own label: graphviz puts that on
the cluster's top edge, which is exactly where hand-off arrows enter the lane,
so they ran through the agency's name. Each lane instead holds a title node
ranked above all of its steps (invisible edges keep it there); graphviz routes
arrows around nodes, so no arrow crosses a title. The node's SVG id is
``lane-title-N`` (``N`` as in ``cluster_N``), which the tests use to check
this on every procedure of the library.
"""

from __future__ import annotations

import textwrap
from html import escape

from procflow.contrib.diagram.model import Diagram, Node, tooltip, words_of
from procflow.contrib.labels import Lang

__all__ = ["FORMAT", "LANE_TITLE_ID", "LEGEND_ID", "MEDIA_TYPE", "lane_title_name", "render"]

FORMAT = "dot"
MEDIA_TYPE = "text/vnd.graphviz"

FONT = "DejaVu Sans"
RED = "#c53030"
BLUE = "#1f4fb8"
HANDOFF = "#2b6cb0"
AMBER = "#b7791f"

#: SVG id of lane N's title node (``N`` as in ``cluster_N``).
LANE_TITLE_ID = "lane-title-{index}"
#: SVG id of the legend node.
LEGEND_ID = "legend"


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
        title = lane_title_name(index)
        out.append(f"    subgraph cluster_{index} {{")
        out.append(
            "        graph "
            + _attrs(
                label="",
                style="rounded,filled",
                fillcolor="#f7fafc" if not lane.desk else "#f0fff4",
                color="#a0aec0",
            )
            + ";"
        )
        out.append(
            f"        {quote(title)} "
            + _attrs(
                shape="plaintext",
                label="\n".join(textwrap.wrap(lane.label, 32)),
                fontsize=13,
                fontcolor="#2d3748",
                margin="0.05,0.02",
                id=LANE_TITLE_ID.format(index=index),
                tooltip=lane.label,
            )
            + ";"
        )
        for node_id in lane.nodes:
            node = diagram.nodes[node_id]
            out.append(f"        {quote(node.id)} {_attrs(**_node_attrs(node, diagram.lang))};")
        # The title ranks above every step of its lane (weight 0: the edges
        # only say so), and just above the lane's first steps (weight 1).
        top = min(diagram.ranks.get(n, 0) for n in lane.nodes)
        for node_id in lane.nodes:
            weight = 1 if diagram.ranks.get(node_id, 0) == top else 0
            out.append(
                f"        {quote(title)} -> {quote(node_id)} [style=invis, weight={weight}];"
            )
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
    out.extend(_legend(diagram))
    out.append("}")
    return "\n".join(out) + "\n"


def lane_title_name(index: int) -> str:
    """The DOT name of lane ``index``'s title node (cannot clash with a step
    id: those are lower-case words and hyphens)."""
    return f"lane title {index}"


def _legend(diagram: Diagram) -> list[str]:
    """The legend as one HTML-like table on the bottom rank: the kinds of
    steps drawn as the boxes are (agency step, hand-off step, applicant step,
    end), then the marks of the arrows and of a dossier's picture, the same
    entries, in the same words, as the pure-Python SVG's legend."""
    words = words_of(diagram.lang)
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{escape(words["legend"])}</B></TD></TR>']

    def row(sample: str, meaning: str) -> None:
        rows.append(f'<TR>{sample}<TD ALIGN="LEFT">{escape(meaning)}</TD></TR>')

    def box(fill: str, stroke: str, style: str = "") -> str:
        styled = f' STYLE="{style}"' if style else ""
        return (
            f'<TD BGCOLOR="{fill}" COLOR="{stroke}" BORDER="1"{styled} WIDTH="40" HEIGHT="14"></TD>'
        )

    def line(color: str, text: str = "━━━━▶") -> str:
        return f'<TD><FONT COLOR="{color}">{escape(text)}</FONT></TD>'

    row(box("white", "#4a5568"), words["step"])
    row(box("#ebf4ff", HANDOFF), words["handoff_step"])
    row(box("#fff8e1", AMBER, "dashed"), words["applicant"])
    row(box("#edf2f7", "#718096"), words["end"])
    row(
        '<TD><TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2" CELLPADDING="0" COLOR="#4a5568">'
        '<TR><TD WIDTH="32" HEIGHT="8" COLOR="#4a5568"></TD></TR>'
        "</TABLE></TD>",
        words["start"],
    )
    samples = {
        "critical": line(RED),
        "handoff": line(HANDOFF, "━━⇄━▶"),
        "taken": line(BLUE),
        "late": box("#fde8e8", RED),
        "current": box("#fefcbf", BLUE),
    }
    for mark, meaning in diagram.legend:
        if mark in samples:
            row(samples[mark], meaning)
    row(line("#4a5568", "- - - -▶"), words["back"])
    table = (
        '<<TABLE BORDER="1" COLOR="#a0aec0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2" '
        f'BGCOLOR="white">{"".join(rows)}</TABLE>>'
    )
    out = [
        f"    {LEGEND_ID} [shape=plain, fontsize=10, id={quote(LEGEND_ID)}, "
        f"tooltip={quote(words['legend'])}, label={table}];"
    ]
    # Under the picture: below every end (the ends are the sinks of the
    # graph; without ends, below every step).
    for node_id in diagram.ends or tuple(diagram.nodes):
        out.append(f"    {quote(node_id)} -> {LEGEND_ID} [style=invis, weight=0];")
    return out
