"""Shared helpers of the scenario-toolkit tests (a uniquely named module)."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = ROOT / "procedures"
DEATH = PROCEDURES / "lien-thong" / "death.yaml"


def write(folder: Path, name: str, text: str) -> Path:
    """Write a scenario file (dedented) under ``folder``/tests/ and return its path."""
    target = folder / "tests" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return target


FRIDAY_13 = f"""
scenario: Received Friday 13 February 2026 at 10:00, due 27 February
procedure: {DEATH}
start: 2026-02-13T10:00
steps:
  - receive:
    expect:
      appointment: 2026-02-27
      state: reception
"""
"""The issue's example, passing: 5 working days across Tết 2026."""

WRONG_DUE = f"""
scenario: A deliberately wrong expectation
procedure: {DEATH}
start: 2026-02-13T10:00
steps:
  - receive:
    expect:
      state: reception
      appointment: 2026-02-20
"""
"""Line 8 expects 20 February, a Tết day off: it must fail naming line 8."""
