"""A record keeps its visits flat (``Record.cells``); read as tuples they are
the visits given, in order, whichever way they are read."""

from __future__ import annotations

from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.model.record import VISIT_WIDTH, Record, new_visit

cell = st.one_of(st.none(), st.text(max_size=3), st.integers(-(10**9), 10**9), st.floats(0, 1e6))
visit = st.tuples(*[cell] * VISIT_WIDTH)


def _record() -> Record:
    return Record("X-1", "p", "1", "desk", "a", 0, 86400, UTC, {}, {})


@given(st.lists(visit, max_size=8))
def test_visits_read_back_as_given(visits: list[tuple[object, ...]]) -> None:
    rec = _record()
    rec.visits = visits
    assert rec.visits == visits
    assert rec.visit_count() == len(visits)
    for i in range(-len(visits), len(visits)):
        assert rec.visit(i) == visits[i]
    for i in (len(visits), -len(visits) - 1):
        with pytest.raises(IndexError):
            rec.visit(i)
    assert rec.copy().visits == visits


@given(st.lists(st.tuples(st.text(max_size=3), st.integers(0, 10**6)), max_size=6))
def test_an_opened_visit_is_new_visit(steps: list[tuple[str, int]]) -> None:
    rec = _record()
    for step, at in steps:
        rec.open_visit(step, "desk", at, at + 1)
    assert rec.visits == [new_visit(step, "desk", at, at + 1) for step, at in steps]
