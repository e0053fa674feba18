"""SVG: graphviz's layout when the ``dot`` program is installed, else a
swimlane layout drawn in pure Python.

``dot`` (Debian/Ubuntu: ``apt-get install graphviz``) lays out the DOT source
of :mod:`procflow.contrib.diagram.dot`. Without it, :func:`render_python`
draws the same marks on horizontal swimlanes, one column per layer of the
procedure, so the command works everywhere; the result is plainer but
complete.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from html import escape, unescape
from typing import Literal

from procflow.contrib.diagram import dot
from procflow.contrib.diagram.model import Diagram, Edge, Node, tooltip, words_of
from procflow.contrib.labels import Lang
from procflow.errors import ProcflowError

__all__ = ["FORMAT", "MEDIA_TYPE", "Layout", "render", "render_graphviz", "render_python"]

FORMAT = "svg"
MEDIA_TYPE = "image/svg+xml"

Layout = Literal["auto", "graphviz", "python"]


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render(diagram: Diagram, layout: Layout = "auto") -> str:
    """The diagram as an SVG document.

    ``layout``: ``graphviz`` (needs ``dot``), ``python`` (no dependency), or
    ``auto`` (graphviz when installed).
    """
    if layout == "graphviz" or (layout == "auto" and graphviz_available()):
        return render_graphviz(diagram)
    return render_python(diagram)


def render_graphviz(diagram: Diagram) -> str:
    program = shutil.which("dot")
    if program is None:
        raise ProcflowError(
            "the graphviz 'dot' program is not installed (apt-get install graphviz); "
            "leave the layout on auto to draw without it"
        )
    done = subprocess.run(
        [program, "-Tsvg"],
        input=dot.render(diagram).encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise ProcflowError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return _readable_titles(done.stdout.decode("utf-8"), diagram)


_TITLE = re.compile(r"<title>([^<]*)</title>")


def _readable_titles(svg: str, diagram: Diagram) -> str:
    """graphviz titles each shape with its DOT name (``reception``,
    ``reception->review``, ``cluster_0``), which screen readers and some
    viewers show; put the names people read in their place."""
    lanes = {f"cluster_{i}": lane.label for i, lane in enumerate(diagram.lanes)}
    lanes.update({dot.lane_title_name(i): lane.label for i, lane in enumerate(diagram.lanes)})
    lanes[dot.LEGEND_ID] = words_of(diagram.lang)["legend"]
    edges = {(e.source, e.target): e.label for e in diagram.edges}
    nodes = diagram.nodes

    def readable(raw: str) -> str | None:
        if raw in nodes:
            return tooltip(nodes[raw], diagram.lang)
        if raw in lanes:
            return lanes[raw]
        source, arrow, target = raw.partition("->")
        if arrow and source in nodes and target in nodes:
            text = f"{nodes[source].label} → {nodes[target].label}"
            label = edges.get((source, target))
            return f"{text}: {label}" if label else text
        if raw == "procedure":  # the DOT graph's own name
            return diagram.title
        return None

    def swap(match: re.Match[str]) -> str:
        text = readable(unescape(match.group(1)))
        return match.group(0) if text is None else f"<title>{escape(text)}</title>"

    return _TITLE.sub(swap, svg)


# --- the pure-Python layout ---------------------------------------------------

COL = 200  # column width
BOX_W = 166
ROW = 96  # height of one row of boxes in a lane
BOX_H = 64
LANE_HEAD = 150  # width of the lane title column
TOP = 64  # room for the title
PAD = 14
FONT = "DejaVu Sans, Arial, sans-serif"


def _wrap(node: Node) -> list[str]:
    return node.lines(24)


def _box(node: Node, x: float, y: float, lang: Lang) -> list[str]:
    fill, stroke, width, dash = "#ffffff", "#4a5568", 1.2, ""
    if node.terminal:
        fill, stroke = "#edf2f7", "#718096"
    elif node.applicant:
        fill, stroke, dash = "#fff8e1", "#b7791f", ' stroke-dasharray="5 3"'
    elif node.handoff:
        fill, stroke = "#ebf4ff", dot.HANDOFF
    if node.critical:
        stroke, width = dot.RED, 2.5
    if node.visited:
        fill, width = "#e6f0ff", 2.5
        if not node.critical:
            stroke = dot.BLUE
    if node.late:
        fill, stroke, width = "#fde8e8", dot.RED, 3
    if node.current:
        fill, stroke, width = "#fefcbf", dot.RED if node.late else dot.BLUE, 4
    lines = _wrap(node)
    h = max(BOX_H, 14 * len(lines) + 12)
    top = y - h / 2
    radius = 18 if node.terminal else 6
    cls = "applicant" if node.applicant else ("handoff" if node.handoff else "step")
    out = [
        f'<g class="node {cls}" id="node-{escape(node.id)}">',
        f"<title>{escape(tooltip(node, lang))}</title>",
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{BOX_W}" height="{h}" rx="{radius}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>',
    ]
    if node.start:
        out.append(
            f'<rect x="{x - 3:.1f}" y="{top - 3:.1f}" width="{BOX_W + 6}" height="{h + 6}" '
            f'rx="{radius + 2}" fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    for i, line in enumerate(lines):
        weight = ""
        ty = top + 16 + 14 * i
        out.append(
            f'<text x="{x + BOX_W / 2:.1f}" y="{ty:.1f}" text-anchor="middle" '
            f'font-size="10.5"{weight}>{escape(line)}</text>'
        )
    out.append("</g>")
    return out


def _edge(edge: Edge, a: tuple[float, float], b: tuple[float, float]) -> list[str]:
    (ax, ay), (bx, by) = a, b
    color, width, dash = "#4a5568", 1.2, ""
    marker = "arrow"
    if edge.handoff:
        color, width, marker = dot.HANDOFF, 2.5, "arrow-handoff"
    if edge.back:
        dash = ' stroke-dasharray="6 4"'
    if edge.critical:
        color, width, marker = dot.RED, 3, "arrow-critical"
    if edge.taken:
        color, width, marker = dot.BLUE, 4, "arrow-taken"
    if bx > ax:  # forward: leave by the right side, enter by the left
        x1, y1, x2, y2 = ax + BOX_W, ay, bx, by
        mid = (x1 + x2) / 2
        path = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2 - 2:.1f},{y2:.1f}"
        lx, ly = mid, (y1 + y2) / 2 - 4
    else:  # backwards or same column: loop above the boxes
        x1, y1 = ax + BOX_W / 2, ay - BOX_H / 2
        x2, y2 = bx + BOX_W / 2, by - BOX_H / 2
        lift = min(y1, y2) - 34
        path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{lift:.1f} {x2:.1f},{lift:.1f} {x2:.1f},{y2 - 2:.1f}"
        lx, ly = (x1 + x2) / 2, lift + 14
    label = edge.label
    if edge.handoff:
        label = f"⇄ {label}" if label else "⇄"
    if edge.taken > 1:
        label += f" ×{edge.taken}"
    out = [
        f'<g class="edge{" handoff" if edge.handoff else ""}'
        f'{" critical" if edge.critical else ""}">',
        f'<path d="{path}" fill="none" stroke="{color}" stroke-width="{width}"{dash} '
        f'marker-end="url(#{marker})"/>',
    ]
    if label:
        out.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" font-size="9" '
            f'fill="{color}" paint-order="stroke" stroke="#ffffff" stroke-width="3">'
            f"{escape(label)}</text>"
        )
    out.append("</g>")
    return out


def render_python(diagram: Diagram) -> str:
    """Swimlanes as horizontal bands, one column per layer; no dependency."""
    ranks = diagram.ranks
    columns = max(ranks.values(), default=0) + 1
    bands: list[tuple[str, bool, list[str]]] = [
        (lane.label, lane.desk, list(lane.nodes)) for lane in diagram.lanes if lane.nodes
    ]
    if diagram.ends:
        bands.append(("Kết thúc" if diagram.lang == "vi" else "End", False, list(diagram.ends)))
    # Within a band, nodes sharing a column stack in sub-rows.
    where: dict[str, tuple[float, float]] = {}
    band_boxes: list[tuple[str, bool, float, float]] = []
    y = TOP
    for label, desk, members in bands:
        slot: dict[int, int] = {}
        for node_id in members:
            column = ranks.get(node_id, 0)
            row = slot.get(column, 0)
            slot[column] = row + 1
            where[node_id] = (LANE_HEAD + PAD + column * COL, y + PAD + ROW * row + ROW / 2)
        height = ROW * max(slot.values(), default=1) + 2 * PAD
        band_boxes.append((label, desk, y, height))
        y += height
    width = LANE_HEAD + PAD * 2 + columns * COL
    legend_y = y + 24
    height = legend_y + 24

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" '
        f'lang="{diagram.lang}">',
        f"<title>{escape(diagram.title)}</title>",
        "<defs>",
    ]
    for name, color in (
        ("arrow", "#4a5568"),
        ("arrow-handoff", dot.HANDOFF),
        ("arrow-critical", dot.RED),
        ("arrow-taken", dot.BLUE),
    ):
        out.append(
            f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" '
            f'fill="{color}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    out.append(
        f'<text x="{PAD}" y="26" font-size="16" font-weight="bold">{escape(diagram.title)}</text>'
    )
    out.append(
        f'<text x="{PAD}" y="46" font-size="11" fill="#4a5568">{escape(diagram.subtitle)}</text>'
    )
    for label, desk, top, h in band_boxes:
        fill = "#f0fff4" if desk else "#f7fafc"
        out.append(
            f'<g class="lane"><rect x="2" y="{top:.1f}" width="{width - 4:.0f}" height="{h:.1f}" '
            f'fill="{fill}" stroke="#a0aec0"/>'
        )
        for i, line in enumerate(textwrap.wrap(label, 20)[:4]):
            out.append(
                f'<text x="{PAD}" y="{top + 22 + 15 * i:.1f}" font-size="12" '
                f'font-weight="bold" fill="#2d3748">{escape(line)}</text>'
            )
        out.append("</g>")
    for edge in diagram.edges:
        if edge.source in where and edge.target in where:
            out.extend(_edge(edge, where[edge.source], where[edge.target]))
    for node_id, (x, y_mid) in where.items():
        out.extend(_box(diagram.nodes[node_id], x, y_mid, diagram.lang))
    x = PAD
    swatches = {
        "critical": dot.RED,
        "handoff": dot.HANDOFF,
        "applicant": "#b7791f",
        "taken": dot.BLUE,
        "late": dot.RED,
        "current": "#d69e2e",
    }
    for mark, meaning in diagram.legend:
        color = swatches.get(mark, "#4a5568")
        out.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="22" height="8" fill="{color}"/>'
            f'<text x="{x + 28}" y="{legend_y}" font-size="10">{escape(meaning)}</text>'
        )
        x += 40 + 6 * len(meaning)
    out.append("</svg>")
    return "\n".join(out) + "\n"
