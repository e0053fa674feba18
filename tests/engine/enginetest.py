"""Shared constants and helpers of the engine tests (a module with a unique
name, so test files can import it whatever else is on sys.path)."""

from __future__ import annotations

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


def load(relpath: str) -> Procedure:
    return Procedure.model_validate(yaml.safe_load((ROOT / relpath).read_text("utf-8")))
