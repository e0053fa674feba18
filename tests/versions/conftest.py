from __future__ import annotations

import pytest

from procflow.calendar import WorkCalendar


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()
