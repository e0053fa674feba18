"""What graphviz draws from the DOT output, read back from its SVG (issue 21).

* Hand-off arrows (and every other arrow) do not cross the lane titles: for
  every procedure of the library, in both languages, no edge path, arrowhead
  or edge label of ``dot -Tsvg`` meets the box of a lane title's text.
* The picture has a legend, under everything else, in the diagram's language.

Skipped when graphviz is missing, unless ``PROCFLOW_REQUIRE_BROWSER=1``
(set by .ci/run, which installs graphviz with Chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from visualtest import LAN, bundle, bundle_engine, procedure_files

from procflow.contrib.diagram import build_diagram, render
from procflow.contrib.diagram import dot as dot_format
from procflow.contrib.diagram import svg as svg_format
from procflow.contrib.diagram.model import Diagram, words_of
from procflow.contrib.labels import Lang
from procflow.definition.loader import read_procedure

SVG = "{http://www.w3.org/2000/svg}"
FILES = procedure_files()
#: Width of one character of DejaVu Sans, as a share of the font size: a
#: generous average (capitals and "m"/"w" are wider, "i"/"l" narrower), so the
#: boxes checked against the arrows are, if anything, larger than the text...
CHAR_WIDTH = 0.62
#: ...and a frugal one, for the boxes that must fit inside their lane.
NARROW_CHAR_WIDTH = 0.5


def _need_dot() -> None:
    if shutil.which("dot") is not None:
        return
    if os.environ.get("PROCFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail("PROCFLOW_REQUIRE_BROWSER=1 but graphviz 'dot' is not installed")
    pytest.skip("graphviz 'dot' is not installed (apt-get install graphviz)")


# --- geometry -----------------------------------------------------------------

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def contains(self, other: Box) -> bool:
        return (
            self.left <= other.left
            and self.right >= other.right
            and self.top <= other.top
            and self.bottom >= other.bottom
        )

    def meets(self, other: Box) -> bool:
        return not (
            other.left > self.right
            or other.right < self.left
            or other.top > self.bottom
            or other.bottom < self.top
        )


def segment_meets_box(a: Point, b: Point, box: Box) -> bool:
    """Liang-Barsky: does the segment a-b pass through ``box``?"""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in (
        (-dx, x0 - box.left),
        (dx, box.right - x0),
        (-dy, y0 - box.top),
        (dy, box.bottom - y0),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 32) -> list[Point]:
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def path_points(d: str) -> list[Point]:
    """The polyline of a graphviz edge path (``M x,y C x,y x,y x,y ...``):
    each cubic Bezier segment flattened to 32 pieces (under a pixel apart
    for the edges here)."""
    assert d.startswith("M") and "C" in d, d
    numbers = [float(n) for n in _NUMBER.findall(d)]
    points = list(zip(numbers[::2], numbers[1::2], strict=True))
    assert (len(points) - 1) % 3 == 0, d
    out = [points[0]]
    for i in range(1, len(points), 3):
        out.extend(_cubic(out[-1], points[i], points[i + 1], points[i + 2])[1:])
    return out


def polygon_points(points: str) -> list[Point]:
    numbers = [float(n) for n in _NUMBER.findall(points)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def text_box(text: ET.Element, char_width: float = CHAR_WIDTH) -> Box:
    """The box a graphviz ``<text>`` occupies (baseline ``y``, anchor ``x``)."""
    size = float(text.get("font-size", "14"))
    width = char_width * size * len(text.text or "")
    x, y = float(text.get("x", "0")), float(text.get("y", "0"))
    anchor = text.get("text-anchor", "start")
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, y - size, left + width, y + 0.3 * size)


def outline(points: list[Point]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Box(min(xs), min(ys), max(xs), max(ys))


# --- reading graphviz's SVG ----------------------------------------------------


@dataclass(frozen=True)
class Drawing:
    titles: dict[int, list[Box]]
    """Lane index -> the boxes of its title's lines (generous)."""
    narrow_titles: dict[int, list[Box]]
    """The same, measured frugally."""
    clusters: dict[int, Box]
    """Lane index -> the lane's outline."""
    edges: dict[str, tuple[list[list[Point]], list[Box]]]
    """Edge title -> its polylines (path and arrowheads) and its label boxes."""
    nodes: dict[str, Box]
    """Node DOT name -> outline of everything it draws."""


def graphviz_svg(diagram: Diagram) -> str:
    """What ``dot -Tsvg`` makes of procflow's DOT output, as is."""
    done = subprocess.run(
        ["dot", "-Tsvg"],
        input=render(diagram, "dot").encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def read_drawing(svg: str, diagram: Diagram) -> Drawing:
    root = ET.fromstring(svg.encode("utf-8"))
    titles: dict[int, list[Box]] = {}
    narrow: dict[int, list[Box]] = {}
    clusters: dict[int, Box] = {}
    edges: dict[str, tuple[list[list[Point]], list[Box]]] = {}
    nodes: dict[str, Box] = {}
    for group in root.iter(f"{SVG}g"):
        cls, gid = group.get("class"), group.get("id", "")
        title = group.findtext(f"{SVG}title") or ""
        if cls == "cluster":
            path = group.find(f"{SVG}path")
            assert path is not None
            # Each lane's own cluster label is empty: its title is a node.
            assert not [t for t in group.iter(f"{SVG}text") if (t.text or "").strip()], title
            clusters[int(title.removeprefix("cluster_"))] = outline(path_points(path.get("d", "")))
        elif cls == "node":
            boxes = [text_box(t) for t in group.iter(f"{SVG}text")]
            shapes = [
                p
                for shape in group.iter()
                if shape.tag in (f"{SVG}path", f"{SVG}polygon")
                for p in (
                    path_points(shape.get("d", ""))
                    if shape.tag == f"{SVG}path"
                    else polygon_points(shape.get("points", ""))
                )
            ]
            corners = [c for b in boxes for c in ((b.left, b.top), (b.right, b.bottom))]
            nodes[title] = outline(shapes + corners)
            match = re.fullmatch(dot_format.LANE_TITLE_ID.format(index=r"(\d+)"), gid)
            if match:
                titles[int(match.group(1))] = boxes
                narrow[int(match.group(1))] = [
                    text_box(t, NARROW_CHAR_WIDTH) for t in group.iter(f"{SVG}text")
                ]
        elif cls == "edge":
            lines = [path_points(p.get("d", "")) for p in group.iter(f"{SVG}path")]
            for polygon in group.iter(f"{SVG}polygon"):
                corners = polygon_points(polygon.get("points", ""))
                lines.append([*corners, corners[0]])
            labels = [text_box(t) for t in group.iter(f"{SVG}text")]
            edges[title] = (lines, labels)
    return Drawing(titles, narrow, clusters, edges, nodes)


def crossings(drawing: Drawing) -> list[str]:
    """Every (edge, lane title) pair where the edge's line or label meets the
    title's text."""
    out = []
    for index, boxes in drawing.titles.items():
        for box in boxes:
            for name, (lines, labels) in drawing.edges.items():
                hit = any(
                    segment_meets_box(a, b, box) for line in lines for a, b in pairwise(line)
                ) or any(label.meets(box) for label in labels)
                if hit:
                    out.append(f"edge {name!r} crosses the title of lane {index}")
    return out


# --- the geometry is right ------------------------------------------------------


def test_segment_and_box() -> None:
    box = Box(0, 0, 10, 5)
    assert segment_meets_box((-5, 2), (15, 2), box)  # straight through
    assert segment_meets_box((-5, -10), (15, 15), box)  # diagonally through
    assert segment_meets_box((2, 2), (3, 3), box)  # inside
    assert not segment_meets_box((-5, -1), (15, -1), box)  # above
    assert not segment_meets_box((-5, 25), (25, -5), box)  # past the corner
    assert not segment_meets_box((11, 0), (11, 5), box)  # beside


@given(
    st.tuples(st.floats(-50, 50), st.floats(-50, 50)),
    st.tuples(st.floats(-50, 50), st.floats(-50, 50)),
)
def test_segment_meets_box_as_walking_it_says(a: Point, b: Point) -> None:
    """Liang-Barsky agrees with walking the segment in 400 steps: a step
    inside the box means they meet, and if they meet, some step lands within
    one step's length of the box."""
    box = Box(-10, -5, 10, 5)
    step = max(abs(b[0] - a[0]), abs(b[1] - a[1])) / 400
    grown = Box(box.left - step, box.top - step, box.right + step, box.bottom + step)
    walk = [(a[0] + (b[0] - a[0]) * i / 400, a[1] + (b[1] - a[1]) * i / 400) for i in range(401)]

    def within(p: Point, area: Box) -> bool:
        return area.left <= p[0] <= area.right and area.top <= p[1] <= area.bottom

    if any(within(p, box) for p in walk):
        assert segment_meets_box(a, b, box)
    if segment_meets_box(a, b, box):
        assert any(within(p, grown) for p in walk)


def test_path_points_follow_the_curve() -> None:
    points = path_points("M0,0C0,10 10,10 10,0")
    assert points[0] == (0.0, 0.0) and points[-1] == (10.0, 0.0)
    assert max(y for _, y in points) == pytest.approx(7.5)  # the cubic's peak
    assert len(path_points("M0,0C1,1 2,2 3,3 4,4 5,5 6,6")) == 65


# --- every procedure of the library ------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_edge_crosses_a_lane_title(path: Path, lang: Lang) -> None:
    _need_dot()
    diagram = build_diagram(read_procedure(path), lang=lang)
    drawing = read_drawing(graphviz_svg(diagram), diagram)
    drawn = {i for i, lane in enumerate(diagram.lanes) if lane.nodes}
    assert set(drawing.titles) == drawn == set(drawing.clusters)
    handoffs = [e for e in diagram.edges if e.handoff]
    assert len(drawing.edges) >= len(diagram.edges)
    for index in drawn:
        lane = drawing.clusters[index]
        # The title names its lane: inside the lane, above all of its steps.
        for box in drawing.narrow_titles[index]:
            assert lane.contains(box), (path.name, index)
        title_bottom = max(b.bottom for b in drawing.titles[index])
        for node_id in diagram.lanes[index].nodes:
            assert drawing.nodes[node_id].top >= title_bottom, (path.name, node_id)
    assert crossings(drawing) == [], (path.name, f"{len(handoffs)} hand-offs")


# --- the legend ------------------------------------------------------------------


def _legend_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("id") == dot_format.LEGEND_ID)
    return [t.text or "" for t in legend.iter(f"{SVG}text")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_legend_names_every_kind_of_step_and_mark_in_the_diagrams_language(lang: Lang) -> None:
    _need_dot()
    diagram = build_diagram(bundle(), lang=lang)
    svg = graphviz_svg(diagram)
    texts = _legend_texts(svg)
    words = words_of(lang)
    expected = [
        words["legend"],
        words["step"],
        words["handoff_step"],
        words["applicant"],
        words["end"],
        words["start"],
        *(meaning for _, meaning in diagram.legend),
        words["back"],
    ]
    for text in expected:
        assert text in texts, (lang, text)
    # The same entries as the pure-Python SVG's legend, no others from there.
    python_svg = svg_format.render_python(diagram)
    for _, meaning in diagram.legend:
        assert meaning in python_svg
    other = words_of("en" if lang == "vi" else "vi")
    assert not set(texts) & set(other.values())
    # Under everything else.
    drawing = read_drawing(svg, diagram)
    legend = drawing.nodes[dot_format.LEGEND_ID]
    others = [box for name, box in drawing.nodes.items() if name != dot_format.LEGEND_ID]
    assert legend.top > max(box.bottom for box in others)


def test_a_dossiers_legend_says_path_lateness_and_where_it_is() -> None:
    _need_dot()
    engine, clock = bundle_engine()
    code = engine.receive("vn.lien-thong.child-under-6", actor=LAN).code
    engine.fire(code, "forward", LAN)
    clock.advance(timedelta(days=3))  # past the step's half day
    diagram = build_diagram(
        bundle(), dossier=engine.get(code), calendar=engine.calendar, now=clock.now()
    )
    assert diagram.node("birth-registration").late and diagram.node("birth-registration").current
    texts = _legend_texts(graphviz_svg(diagram))
    words = words_of("vi")
    for key in ("taken", "late", "current"):
        assert words[key] in texts
    # A procedure's own picture has no dossier entries.
    plain = _legend_texts(graphviz_svg(build_diagram(bundle())))
    assert words["taken"] not in plain and words["current"] not in plain
