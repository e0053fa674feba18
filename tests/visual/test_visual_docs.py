"""The committed samples of docs/diagrams.md are what the generator writes today."""

from __future__ import annotations

from pathlib import Path

from visualtest import PROCEDURES, ROOT

from procflow.contrib.docs import generate

DOCS = ROOT / "docs"


def test_committed_samples_are_up_to_date(tmp_path: Path) -> None:
    written = generate(PROCEDURES, tmp_path)
    assert {p.name for p in written} <= {p.name for p in (DOCS / "generated").iterdir()}
    for path in written:
        committed = DOCS / "generated" / path.name
        if path.suffix == ".svg":
            # graphviz versions lay out differently: the SVG must only exist.
            assert committed.read_text(encoding="utf-8").strip()
            continue
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run docs/generate.sh"
        )


def test_page_embeds_the_mermaid_sample_and_screenshots() -> None:
    page = (DOCS / "diagrams.md").read_text(encoding="utf-8")
    mermaid = (DOCS / "generated" / "child-under-6.mmd").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid}```" in page, "docs/diagrams.md: paste the new .mmd sample"
    for name in ("desk-officer", "desk-dossier", "desk-lookup", "desk-overview"):
        assert f"img/{name}.png" in page
        assert (DOCS / "img" / f"{name}.png").stat().st_size > 10_000
    assert "docs/generate.sh" in page
