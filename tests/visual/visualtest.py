"""Helpers shared by the tests of diagrams, sheets and the desk example."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.definition.loader import discover, read_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = ROOT / "procedures"
DESK = ROOT / "examples" / "one_stop_desk"
BUNDLE_FILE = PROCEDURES / "lien-thong" / "child-under-6.yaml"
BUNDLE = "vn.lien-thong.child-under-6"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
#: Tuesday 3 March 2026, 08:00: the bundle's 3 working days end Friday 6 March 17:00.
MONDAY_MORNING = datetime(2026, 3, 3, 8, 0, tzinfo=VN)
APPOINTMENT_TEXT = "17:00 06/03/2026"

LAN = Actor("lan", "commune-pc", "desk-officer")
MINH = Actor("minh", "commune-police", "residence-officer")


def procedure_files() -> list[Path]:
    """Every procedure file under procedures/ (others add files concurrently)."""
    return discover([PROCEDURES])


def bundle() -> Procedure:
    return read_procedure(BUNDLE_FILE)


def bundle_engine(start: datetime = MONDAY_MORNING) -> tuple[Engine, VirtualClock]:
    clock = VirtualClock(start)
    engine = Engine(MemoryStore(), Catalogue([bundle()]), WorkCalendar.vietnam(), clock)
    return engine, clock


def desk_module(name: str) -> ModuleType:
    """Import a module of examples/one_stop_desk (app, desk_browser)."""
    if str(DESK) not in sys.path:
        sys.path.insert(0, str(DESK))
    return __import__(name)
