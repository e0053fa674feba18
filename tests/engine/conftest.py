from __future__ import annotations

from datetime import datetime

import pytest
from enginetest import VN, load

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.engine import Engine, VirtualClock
from procflow.store import MemoryStore


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
