from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reportcase import Case, build

from procflow.calendar import WorkCalendar


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    path: Path = tmp_path_factory.mktemp("reports") / "case.db"
    built = build(path)
    yield built
    built.store.close()
