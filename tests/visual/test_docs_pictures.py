"""The screenshots the docs show are there, shown, and small (issue 21)."""

from __future__ import annotations

import struct

import pytest
from visualtest import ROOT

DOCS = ROOT / "docs"
#: picture -> (the page showing it, its width in pixels or None for any)
PICTURES = {
    "report.png": ("reports.md", 1024),
    "diagram.png": ("diagrams.md", 1024),
    "printed-receipt.png": ("forms.md", None),
    "desk-officer.png": ("diagrams.md", None),
    "desk-dossier.png": ("diagrams.md", None),
    "desk-lookup.png": ("diagrams.md", None),
    "desk-overview.png": ("diagrams.md", None),
}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_picture_is_shown_and_small(name: str) -> None:
    page, width = PICTURES[name]
    assert f"](img/{name})" in (DOCS / page).read_text(encoding="utf-8"), f"{page} shows {name}"
    data = (DOCS / "img" / name).read_bytes()
    assert 10_000 < len(data) < 250_000, f"{name}: {len(data)} bytes"
    w, h = png_size(data)
    if width is not None:
        assert w == width
    assert 400 <= w <= 1400 and 300 <= h <= 4000, (name, w, h)


def test_generate_script_takes_every_picture() -> None:
    script = (ROOT / "examples" / "one_stop_desk" / "screenshots.py").read_text(encoding="utf-8")
    for name in PICTURES:
        assert f'"{name}"' in script, f"screenshots.py does not write {name}"
