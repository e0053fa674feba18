"""Shared constants and helpers of the engine tests (a module with a unique
name, so test files can import it whatever else is on sys.path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from procflow.definition.model import Procedure
from procflow.engine import Actor

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "vn.lien-thong.child-under-6"

DESK = Actor("lan", "commune-pc", "desk-officer")
PC = Actor("hoa", "commune-pc")
POLICE = Actor("binh", "commune-police")
BHXH = Actor("an", "social-insurance")
PC_HEAD = Actor("minh", "commune-pc", "leader")
POLICE_HEAD = Actor("tuan", "commune-police", "leader")

TO_RETURN: list[tuple[str, Actor]] = [
    ("forward", PC),
    ("register", PC),
    ("send", PC),
    ("register", POLICE),
    ("send", POLICE),
    ("issue", BHXH),
    ("send", BHXH),
    ("hand_over", PC),
]
"""A received child-under-6 dossier's moves, with who fires each, to its return."""


def load(relpath: str) -> Procedure:
    return Procedure.model_validate(yaml.safe_load((ROOT / relpath).read_text("utf-8")))


def procflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the ``procflow`` command as a user would, in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "procflow.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
