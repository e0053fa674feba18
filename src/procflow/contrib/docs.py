"""Regenerate the sample outputs committed under ``docs/generated/``.

    python -m procflow.contrib.docs [--procedures procedures] [--out docs/generated]

Writes the bundle for children under 6 as a diagram in every format
(Mermaid, DOT, SVG), one dossier's path through it (SVG, from a scripted run
on a virtual clock, so the output is the same every time), and the public
sheet of permanent residence registration in HTML (vi) and Markdown (en).
``docs/generate.sh`` runs this and then takes the screenshots of the desk
example.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from procflow.contrib.diagram import FORMATS, build_diagram, render
from procflow.contrib.sheet import build_sheet
from procflow.contrib.sheet import render as render_sheet
from procflow.definition.loader import read_procedure

__all__ = ["DIAGRAM_PROCEDURE", "SHEET_PROCEDURE", "generate", "main"]

DIAGRAM_PROCEDURE = Path("lien-thong/child-under-6.yaml")
SHEET_PROCEDURE = Path("residence/permanent-residence.yaml")
EXTENSIONS = {"mermaid": "mmd", "dot": "dot", "svg": "svg"}


def _dossier_svg(procedures: Path) -> str:
    """The bundle dossier of examples/lien_thong.py's story, drawn with its path."""
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.store import MemoryStore

    calendar = WorkCalendar.vietnam()
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=calendar.tz))
    proc = read_procedure(procedures / DIAGRAM_PROCEDURE)
    engine = Engine(MemoryStore(), Catalogue([proc]), calendar, clock)
    desk = Actor("lan", "commune-pc", "desk-officer")
    police = Actor("minh", "commune-police")
    code = engine.receive(proc.id, actor=desk, applicant={"name": "Nguyễn Thị Mai"}).code
    engine.fire(code, "forward", desk)
    clock.advance(timedelta(hours=1))
    engine.fire(code, "request_supplement", desk, missing=["Giấy chứng sinh"])
    clock.advance(timedelta(days=1))
    engine.fire(code, "resubmit", desk)
    clock.advance(timedelta(hours=2))
    engine.fire(code, "register", desk)
    engine.fire(code, "send", desk)
    clock.set(datetime(2026, 3, 6, 10, 0, tzinfo=calendar.tz))  # the police sat on it
    engine.fire(code, "register", police)
    dossier = engine.get(code)
    diagram = build_diagram(proc, dossier=dossier, calendar=calendar, now=clock.now())
    return render(diagram, "svg")


def generate(procedures: Path, out: Path) -> list[Path]:
    """Write every sample into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    proc = read_procedure(procedures / DIAGRAM_PROCEDURE)
    diagram = build_diagram(proc, lang="vi")
    for fmt in FORMATS:
        write(f"child-under-6.{EXTENSIONS.get(fmt, fmt)}", render(diagram, fmt))
    write("child-under-6-dossier.svg", _dossier_svg(procedures))
    sheet_proc = read_procedure(procedures / SHEET_PROCEDURE)
    write("permanent-residence.vi.html", render_sheet(build_sheet(sheet_proc, "vi"), "html"))
    write("permanent-residence.en.md", render_sheet(build_sheet(sheet_proc, "en"), "md"))
    return written


BEGIN = "<!-- generated: mermaid sample -->"
END = "<!-- end of generated sample -->"


def embed_mermaid(page: Path, mermaid: str) -> bool:
    """Put ``mermaid`` in a fenced block between the markers of ``page``.

    Returns whether the page changed; a page without the markers is left alone.
    """
    text = page.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n```mermaid\n{mermaid}```\n{END}{tail}"
    if new == text:
        return False
    page.write_text(new, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--procedures", type=Path, default=Path("procedures"))
    parser.add_argument("--out", type=Path, default=Path("docs/generated"))
    parser.add_argument(
        "--page",
        type=Path,
        default=Path("docs/diagrams.md"),
        help="page whose Mermaid sample to update (between its markers)",
    )
    args = parser.parse_args(argv)
    for path in generate(args.procedures, args.out):
        print(f"wrote {path}")
        mermaid = path.read_text(encoding="utf-8") if path.suffix == ".mmd" else None
        if mermaid and args.page.is_file() and embed_mermaid(args.page, mermaid):
            print(f"updated {args.page}")


if __name__ == "__main__":  # pragma: no cover
    main()
