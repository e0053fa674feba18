"""Every Mermaid diagram of the library renders in mermaid-cli (issue 21).

Mermaid's own parser, in a real (headless, system) Chromium, reads each
procedure's diagram in both languages and draws it; the drawing holds every
lane and step name and the title. This is how the front-matter bug of issue
21 was found (an unquoted ``title:`` with a colon: YAMLException).

All diagrams go to mermaid-cli in one Markdown file, so Chromium starts once;
when that run fails, each diagram is run alone so that each test names its
own error. Skipped, with the reason, when npm, mermaid-cli or Chromium cannot
be had, unless ``PROCFLOW_REQUIRE_BROWSER=1`` (set by .ci/run), which makes
it fail.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from mermaidcli import Mmdc, ready
from visualtest import procedure_files

from procflow.contrib.diagram import Diagram, build_diagram, render
from procflow.contrib.labels import Lang
from procflow.definition.loader import read_procedure

CASES: list[tuple[Path, Lang]] = [(p, lang) for p in procedure_files() for lang in ("vi", "en")]


def _case_id(case: tuple[Path, Lang]) -> str:
    return f"{case[0].stem}-{case[1]}"


@dataclass(frozen=True)
class Drawn:
    diagram: Diagram
    svg: str | None
    error: str | None


@pytest.fixture(scope="session")
def mermaid_drawings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Drawn]:
    workdir = tmp_path_factory.mktemp("mermaid")
    mmdc = ready(workdir)
    if isinstance(mmdc, str):
        if os.environ.get("PROCFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PROCFLOW_REQUIRE_BROWSER=1 but {mmdc}")
        pytest.skip(f"mermaid-cli test skipped: {mmdc}")
    diagrams = {
        _case_id(case): build_diagram(read_procedure(case[0]), lang=case[1]) for case in CASES
    }
    sources = {key: render(diagram, "mermaid") for key, diagram in diagrams.items()}
    return _draw_all(mmdc, workdir, diagrams, sources)


def _draw_all(
    mmdc: Mmdc, workdir: Path, diagrams: dict[str, Diagram], sources: dict[str, str]
) -> dict[str, Drawn]:
    keys = list(sources)
    book = workdir / "all.md"
    book.write_text(
        "".join(f"## {key}\n\n```mermaid\n{sources[key]}```\n\n" for key in keys),
        encoding="utf-8",
    )
    done = mmdc.run(book, workdir / "all-out.md")
    if done.returncode == 0:
        # mmdc numbers the charts of a Markdown file in order: all-out-1.svg, ...
        return {
            key: Drawn(
                diagrams[key],
                (workdir / f"all-out-{i}.svg").read_text(encoding="utf-8"),
                None,
            )
            for i, key in enumerate(keys, start=1)
        }
    out = {}
    for key in keys:
        source = workdir / f"{key}.mmd"
        source.write_text(sources[key], encoding="utf-8")
        alone = mmdc.run(source, workdir / f"{key}.svg")
        if alone.returncode == 0:
            out[key] = Drawn(diagrams[key], (workdir / f"{key}.svg").read_text("utf-8"), None)
        else:
            error = (alone.stderr or alone.stdout).strip()[:1500]
            out[key] = Drawn(diagrams[key], None, error)
    return out


def _text(svg: str) -> str:
    """All the text the drawing shows, markup and line breaks aside."""
    root = ET.fromstring(svg.encode("utf-8"))
    return " ".join(" ".join(root.itertext()).split())


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_mermaid_cli_draws_the_diagram(
    case: tuple[Path, Lang], mermaid_drawings: dict[str, Drawn]
) -> None:
    drawn = mermaid_drawings[_case_id(case)]
    assert drawn.error is None, f"mermaid-cli refused {case[0]} --lang {case[1]}:\n{drawn.error}"
    assert drawn.svg is not None
    shown = _text(drawn.svg)
    diagram = drawn.diagram
    assert " ".join(diagram.title.split()) in shown
    for lane in diagram.lanes:
        if lane.nodes:
            assert lane.label in shown, lane.label
    for node in diagram.nodes.values():
        assert " ".join(node.label.split()) in shown, node.label
    assert "Syntax error" not in shown
