from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "vn.lien-thong.child-under-6"

DESK = Actor("lan", "commune-pc", "desk-officer")
PC = Actor("hoa", "commune-pc")
POLICE = Actor("binh", "commune-police")
BHXH = Actor("an", "social-insurance")


def load(relpath: str) -> Procedure:
    return Procedure.model_validate(yaml.safe_load((ROOT / relpath).read_text("utf-8")))


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue(
        [
            compile_procedure(load("procedures/lien-thong/child-under-6.yaml")),
            compile_procedure(load("procedures/civil-status/birth-registration.yaml")),
        ]
    )


@pytest.fixture
def clock() -> VirtualClock:
    # Tuesday 3 March 2026, 08:00: an ordinary working week after Tết.
    return VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))


@pytest.fixture
def engine(catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock) -> Engine:
    return Engine(MemoryStore(), catalogue, calendar, clock)
