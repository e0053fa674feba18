"""A dossier submitted outside office hours (issue 19, rule 7), through the engine,
on every store: the receipt event keeps the real instant, the due date counts
from the instant the receipt counts (the next opening of office hours), and
replay, recomputation and recalculation agree with what was stored.

The child-under-6 bundle: 3 working days; its first step (reception) has 0.25
working days = 1 h 52 min 30 s of office time. Dates worked by hand on the
shipped calendar (office hours 07:30-11:30, 13:30-17:00).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from enginetest import CHILD, DESK, VN, load

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Duration
from procflow.engine import Engine, VirtualClock
from procflow.store import Store
from procflow.versions.clock import recompute_due
from procflow.versions.recalc import recalc

OFF = WorkCalendar.vietnam(defer_receipts_outside_hours=False)
PERMIT = "vn.construction.house-permit"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN)


@pytest.fixture(scope="module")
def desk_catalogue() -> Catalogue:
    return Catalogue(
        [
            compile_procedure(load("procedures/lien-thong/child-under-6.yaml")),
            compile_procedure(load("procedures/construction/house-permit.yaml")),
        ]
    )


def _engine(store: Store, catalogue: Catalogue, calendar: WorkCalendar, now: datetime) -> Engine:
    return Engine(store, catalogue, calendar, VirtualClock(now))


def _limit(catalogue: Catalogue, pid: str) -> Duration:
    return next(p for p in catalogue if p.id == pid).procedure.time_limit


def test_a_friday_night_receipt_counts_on_monday(
    store: Store, desk_catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    engine = _engine(store, desk_catalogue, calendar, at(2026, 3, 6, 20, 0))
    slip = engine.receive(CHILD, actor=DESK, applicant={"name": "Lê Thị Hoa"})
    # The code carries the date the dossier was submitted [design].
    assert slip.code == "COMMUNE-PC-260306-00001"
    assert slip.received_at == at(2026, 3, 6, 20, 0)
    # Counted as received Monday 09/03 07:30; Monday not counted: Tue 10, Wed 11,
    # Thu 12 -> Thursday 12/03 17:00.
    assert slip.clock_starts_at == at(2026, 3, 9, 7, 30)
    assert slip.appointment == at(2026, 3, 12, 17, 0)
    received = engine.history(slip.code)[0]
    assert received.at == at(2026, 3, 6, 20, 0)  # the log keeps the real instant
    dossier = engine.get(slip.code)
    assert dossier.received_at == at(2026, 3, 6, 20, 0)
    assert dossier.due_at == at(2026, 3, 12, 17, 0)
    # reception: 0.25 working days from Monday 07:30 -> 09:22:30
    assert dossier.step_due_at == at(2026, 3, 9, 9, 22, 30)
    # replay rebuilds the same state; recomputing the due date from the log on the
    # same calendar gives the stored one, so recalc finds nothing to move
    assert engine.verify().ok
    assert engine.replay(slip.code).due_at == dossier.due_at
    assert recompute_due(
        calendar, engine.history(slip.code), lambda v: _limit(desk_catalogue, CHILD)
    ) == (dossier.due_at)
    assert recalc(engine).changes == []
    # the same dossier counted from Friday itself (the rule off): Mon 09, Tue 10,
    # Wed 11 -> Wednesday 11/03, and recalc on that calendar says so
    moved = recalc(engine, OFF).changes
    assert [(c.code, c.due_after) for c in moved] == [(slip.code, at(2026, 3, 11, 17, 0))]


def test_with_the_rule_off_the_clock_starts_at_the_receipt(
    store: Store, desk_catalogue: Catalogue
) -> None:
    engine = _engine(store, desk_catalogue, OFF, at(2026, 3, 6, 20, 0))
    slip = engine.receive(CHILD, actor=DESK)
    assert slip.clock_starts_at == slip.received_at == at(2026, 3, 6, 20, 0)
    assert slip.appointment == at(2026, 3, 11, 17, 0)  # Mon 09, Tue 10, Wed 11
    assert recalc(engine).changes == []
    assert engine.verify().ok


@pytest.mark.parametrize(
    ("submitted", "counted", "due_on", "due_off"),
    [
        # Friday 09/01/2026 18:30 -> Saturday 10/01 07:30, a make-up working day, not
        # counted: Mon 12, Tue 13, Wed 14. Off: Sat 10, Mon 12, Tue 13.
        (at(2026, 1, 9, 18, 30), at(2026, 1, 10, 7, 30), at(2026, 1, 14, 17), at(2026, 1, 13, 17)),
        # Wednesday 03/02/2027 21:00, the eve of Tết 2027 (04-10/02 off) -> Thursday
        # 11/02 07:30: Fri 12, Mon 15, Tue 16. Off: Thu 11, Fri 12, Mon 15.
        (at(2027, 2, 3, 21, 0), at(2027, 2, 11, 7, 30), at(2027, 2, 16, 17), at(2027, 2, 15, 17)),
        # Sunday 08/03/2026 in the afternoon -> Monday 09/03 07:30: Tue 10, Wed 11, Thu
        # 12. Off: a day off counts as the next working day already: the same.
        (at(2026, 3, 8, 15, 0), at(2026, 3, 9, 7, 30), at(2026, 3, 12, 17), at(2026, 3, 12, 17)),
        # Tuesday 10/03/2026 14:00, in office hours: Wed 11, Thu 12, Fri 13 either way.
        (at(2026, 3, 10, 14, 0), at(2026, 3, 10, 14, 0), at(2026, 3, 13, 17), at(2026, 3, 13, 17)),
    ],
)
def test_hand_worked_receipts_on_both_settings(
    store: Store,
    desk_catalogue: Catalogue,
    calendar: WorkCalendar,
    submitted: datetime,
    counted: datetime,
    due_on: datetime,
    due_off: datetime,
) -> None:
    on = _engine(store, desk_catalogue, calendar, submitted).receive(CHILD, actor=DESK)
    assert (on.clock_starts_at, on.appointment) == (counted, due_on)
    off = _engine(store, desk_catalogue, OFF, submitted).receive(CHILD, actor=DESK)
    assert (off.clock_starts_at, off.appointment) == (submitted, due_off)


def test_calendar_days_count_from_the_day_the_receipt_counts_on(
    store: Store, desk_catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    # The house permit, 15 calendar days. Saturday 07/03/2026 10:00 -> counted Monday
    # 09/03 -> Tuesday 24/03. Off: Saturday + 15 = Sunday 22/03 -> Monday 23/03.
    saturday = at(2026, 3, 7, 10, 0)
    on = _engine(store, desk_catalogue, calendar, saturday).receive(PERMIT, actor=DESK)
    assert on.appointment == at(2026, 3, 24, 17, 0)
    off = _engine(store, desk_catalogue, OFF, saturday).receive(PERMIT, actor=DESK)
    assert off.appointment == at(2026, 3, 23, 17, 0)
