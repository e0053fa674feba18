"""Diagrams of procedures: every format for every procedure, and what they show."""

from __future__ import annotations

import dataclasses
import shutil
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from visualtest import LAN, bundle, bundle_engine, procedure_files

from procflow.checks.graph import critical_path
from procflow.compiler import ENGINE_TRIGGERS, compile_procedure
from procflow.contrib.diagram import FORMATS, build_diagram, render
from procflow.contrib.diagram import svg as svg_format
from procflow.contrib.labels import hours_text
from procflow.definition.loader import read_procedure
from procflow.definition.model import Procedure
from procflow.errors import ProcflowError

FILES = procedure_files()
HAS_DOT = shutil.which("dot") is not None


def _svg_ok(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag.endswith("svg")
    return root


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_procedure_renders_in_every_format(path: Path) -> None:
    proc = read_procedure(path)
    for lang in ("vi", "en"):
        diagram = build_diagram(proc, lang=lang)
        for fmt in FORMATS:
            assert render(diagram, fmt).strip()
        _svg_ok(svg_format.render_python(diagram))
    # Every step is drawn, in its agency's lane.
    for step in proc.steps:
        lane = diagram.lane_of(step.id)
        assert lane is not None and lane.id == step.agency


@pytest.mark.skipif(not HAS_DOT, reason="graphviz 'dot' is not installed")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_graphviz_lays_out_every_procedure(path: Path) -> None:
    root = _svg_ok(svg_format.render_graphviz(build_diagram(read_procedure(path))))
    assert root.find(".//{http://www.w3.org/2000/svg}g") is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_arrows_are_the_compiled_machines_transitions(path: Path) -> None:
    """The picture shows exactly what the transitions machine runs (bar the
    engine's own withdraw/stop, possible from every step)."""
    proc = read_procedure(path)
    config = compile_procedure(proc).machine_config()
    machine = {
        (t["source"], t["dest"])
        for t in config["transitions"]
        if t["trigger"] not in ENGINE_TRIGGERS
    }
    drawn = {(e.source, e.target) for e in build_diagram(proc).edges}
    assert drawn == machine


def test_bundle_marks_lanes_handoffs_times_applicant_and_critical_path() -> None:
    proc = bundle()
    diagram = build_diagram(proc, lang="vi")
    assert [lane.id for lane in diagram.lanes] == [
        "commune-pc",
        "commune-police",
        "social-insurance",
    ]
    assert diagram.lanes[0].desk and "một cửa" in diagram.lanes[0].label
    handoffs = {(e.source, e.target) for e in diagram.edges if e.handoff}
    assert handoffs == {
        ("to-police", "residence"),
        ("to-insurance", "insurance-card"),
        ("return-to-desk", "return"),
    }
    assert diagram.node("to-police").handoff
    assert diagram.node("supplement").applicant and diagram.node("supplement").time is None
    assert diagram.node("residence").time == "0,75 ngày làm việc"
    assert build_diagram(proc, lang="en").node("residence").time == "0.75 working days"
    path = critical_path(proc)
    assert {n.id for n in diagram.nodes.values() if n.critical and not n.terminal} == set(
        path.steps
    )
    critical = [(e.source, e.target) for e in diagram.edges if e.critical]
    assert critical == list(zip(path.steps, (*path.steps[1:], "returned"), strict=True))
    back = [(e.source, e.target) for e in diagram.edges if e.back]
    assert back == [("supplement", "birth-registration")]
    assert "3 ngày làm việc" in diagram.subtitle


def test_mermaid_source() -> None:
    text = render(build_diagram(bundle()), "mermaid")
    assert text.startswith('---\ntitle: "Liên thông')
    assert "flowchart LR" in text
    assert text.count("subgraph ") == 3 and 'subgraph lane1["Công an cấp xã"]' in text
    assert 'n_supplement{{"Người dân bổ sung hồ sơ"}}' in text  # applicant: hexagon
    assert 'n_to_police[/"Chuyển hồ sơ sang Công an xã' in text  # hand-off step
    assert 'n_to_police ==>|"⇄ Chuyển hồ sơ"| n_residence' in text  # hand-off arrow, in words
    assert "n_supplement -.->" in text  # the way back of the loop
    assert "[0,25 ngày làm việc]" in text
    assert "linkStyle " in text and "classDef critical" in text
    assert "class n_reception," in text


def _front_matter(mermaid: str) -> Any:
    """The YAML between the leading ``---`` lines, parsed as mermaid-cli would."""
    first, front, rest = mermaid.split("---\n", 2)
    assert first == "" and rest.startswith("flowchart LR\n")
    return yaml.safe_load(front)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_front_matter_gives_the_title_back_exactly(path: Path) -> None:
    """Issue 21: "title: Bundle for children under 6: ..." unquoted is a YAML
    error (mermaid-cli: YAMLException); quoted, every title reads back as is."""
    proc = read_procedure(path)
    for lang in ("vi", "en"):
        diagram = build_diagram(proc, lang=lang)
        assert _front_matter(render(diagram, "mermaid")) == {"title": diagram.title}


@pytest.mark.parametrize(
    "title",
    [
        "Bundle for children under 6: birth registration",
        'Say "hello" \\ back # not a comment',
        "- starts like a list item",
        "@&*!%{[ indicators",
        "two\nlines\tand a tab",
        "controls \x00\x07\x1b DEL \x7f NEL \x85 C1 \x9f",
        "separators \u2028 \u2029, BOM \ufeff, non-characters \ufffe \uffff",
        "emoji 👩‍👩‍👧, no-break\xa0space, Đăng ký: khai sinh",
        "",
        "yes",
        "null",
        "123",
        "'",
    ],
)
def test_front_matter_quotes_any_title(title: str) -> None:
    diagram = dataclasses.replace(build_diagram(bundle()), title=title)
    assert _front_matter(render(diagram, "mermaid")) == {"title": title}


def test_dot_source_has_one_cluster_per_agency() -> None:
    text = render(build_diagram(bundle(), lang="en"), "dot")
    assert text.startswith("digraph procedure {")
    assert text.count("subgraph cluster_") == 3
    assert 'label="Commune police"' in text
    assert 'shape="hexagon"' in text and 'shape="cds"' in text
    assert '"to-police" -> "residence"' in text and 'label="⇄ Send"' in text
    assert "#c53030" in text  # the critical path


def test_labels_are_escaped() -> None:
    data = bundle().model_dump(mode="json")
    data["steps"][0]["name"] = {"vi": 'Nhận "hồ sơ" <gấp> & \\ kiểm tra'}
    proc = Procedure.model_validate(data)
    diagram = build_diagram(proc)
    mermaid = render(diagram, "mermaid")
    assert '"' not in mermaid.split("n_reception[", 1)[1].split("]", 1)[0].strip('"')
    assert "#quot;hồ sơ#quot;" in mermaid and "#lt;gấp#gt;" in mermaid
    dot_text = render(diagram, "dot")
    assert 'Nhận \\"hồ sơ\\" <gấp> &' in dot_text and "\\\\" in dot_text
    _svg_ok(svg_format.render_python(diagram))
    if HAS_DOT:
        _svg_ok(svg_format.render_graphviz(diagram))


def test_dossier_path_and_time_per_step() -> None:
    engine, clock = bundle_engine()
    code = engine.receive("vn.lien-thong.child-under-6", actor=LAN).code
    engine.fire(code, "forward", LAN)
    clock.advance(timedelta(hours=1))
    engine.fire(code, "request_supplement", LAN, missing=["Giấy chứng sinh"])
    clock.advance(timedelta(days=1))
    engine.fire(code, "resubmit", LAN)
    clock.advance(timedelta(hours=2))
    engine.fire(code, "register", LAN)
    engine.fire(code, "send", LAN)
    clock.advance(timedelta(days=2))  # the police hold it past 0.75 day
    dossier = engine.get(code)
    diagram = build_diagram(
        bundle(), lang="en", dossier=dossier, calendar=engine.calendar, now=clock.now()
    )
    assert diagram.dossier is not None and diagram.dossier.code == code
    assert diagram.dossier.path == (
        "reception",
        "birth-registration",
        "supplement",
        "birth-registration",
        "to-police",
        "residence",
    )
    reg = diagram.node("birth-registration")
    assert reg.visits == 2 and reg.spent == "3 working hours"
    assert diagram.node("residence").current and diagram.node("residence").late
    held = engine.calendar.working_seconds_between(dossier.state_entered_at, clock.now())
    assert held > 8 * 3600
    assert diagram.node("residence").spent == hours_text(held, "en")
    assert not diagram.node("insurance-card").visited
    taken = {(e.source, e.target): e.taken for e in diagram.edges if e.taken}
    assert taken[("birth-registration", "supplement")] == 1
    assert taken[("to-police", "residence")] == 1
    assert ("residence", "to-insurance") not in taken
    assert code in diagram.title
    mermaid = render(diagram, "mermaid")
    assert f"→ {hours_text(held, 'en')}" in mermaid and "class n_residence current" in mermaid
    _svg_ok(render(diagram, "svg"))
    _svg_ok(svg_format.render_python(diagram))


def test_a_closed_dossier_shows_its_end_even_by_an_engine_trigger() -> None:
    engine, _ = bundle_engine()
    code = engine.receive("vn.lien-thong.child-under-6", actor=LAN).code
    engine.fire(code, "forward", LAN)
    engine.fire(code, "withdraw", LAN)
    diagram = build_diagram(bundle(), dossier=engine.get(code))
    assert "withdrawn" in diagram.ends
    assert diagram.node("withdrawn").visited
    assert [e.taken for e in diagram.edges if e.target == "withdrawn"] == [1]
    assert diagram.dossier is not None and diagram.dossier.path[-1] == "withdrawn"
    assert not any(n.current for n in diagram.nodes.values())
    render(diagram, "dot")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ProcflowError, match="mermaid, dot, svg"):
        render(build_diagram(bundle()), "png")


def test_svg_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svg_format.shutil, "which", lambda _: None)
    text = render(build_diagram(bundle()), "svg")
    root = _svg_ok(text)
    assert root.get("lang") == "vi"
    assert "Công an cấp xã" in text and 'class="node applicant"' in text
    with pytest.raises(ProcflowError, match="apt-get install graphviz"):
        svg_format.render(build_diagram(bundle()), layout="graphviz")
