"""The instant of an act: the clock's datetime as POSIX seconds.

In the calendar's zone, where it has one UTC offset over the calendar's days,
the engine reads the instant from the datetime's wall-clock fields less that
offset instead of asking the zone (``datetime.timestamp()``); outside those
days it asks the zone. Either way the instant is exactly ``ts_of`` of the
clock's datetime, microseconds included, and the log gives the clock's
datetime back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from enginetest import CHILD, DESK, PC, VN, load
from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.engine import Engine, VirtualClock
from procflow.model.instant import ts_of
from procflow.store import MemoryStore

CAL = WorkCalendar.vietnam()
CATALOGUE = Catalogue([compile_procedure(load("procedures/lien-thong/child-under-6.yaml"))])

instants = st.datetimes(min_value=datetime(2026, 1, 2), max_value=datetime(2026, 6, 30)).map(
    lambda d: d.replace(tzinfo=VN)
)
later = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))


@settings(max_examples=60, deadline=None)
@given(received=instants, after=later)
def test_a_receipt_and_a_move_are_dated_by_the_clock_to_the_microsecond(
    received: datetime, after: timedelta
) -> None:
    clock = VirtualClock(received)
    engine = Engine(MemoryStore(), CATALOGUE, CAL, clock)
    code = engine.receive(CHILD, actor=DESK).code
    clock.advance(after)
    engine.fire(code, "forward", PC)
    first, second = engine.history(code)
    assert first.at == received and second.at == received + after
    assert ts_of(first.at) == ts_of(received) and ts_of(second.at) == ts_of(received + after)
    assert first.at.utcoffset() == second.at.utcoffset() == timedelta(hours=7)


@given(
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(tzinfo=VN)
    )
)
def test_the_instant_is_ts_of_inside_and_outside_the_calendars_days(now: datetime) -> None:
    engine = Engine(MemoryStore(), CATALOGUE, CAL, VirtualClock(now))
    t, offset = engine._instant(now)
    assert t == ts_of(now) and type(t) is type(ts_of(now))
    if CAL.first_day <= now.date() <= CAL.last_day:
        assert offset == 25200


def test_the_zone_is_asked_outside_the_calendars_days() -> None:
    # Saigon kept UTC+8 until 1975: a wall clock less 7 hours would be an hour off
    now = datetime(1970, 6, 1, 9, 0, 0, 250_000, tzinfo=VN)
    assert now.utcoffset() == timedelta(hours=8)
    engine = Engine(MemoryStore(), CATALOGUE, CAL, VirtualClock(now))
    t, _ = engine._instant(now)
    assert t == ts_of(now) == datetime(1970, 6, 1, 1, 0, 0, 250_000, tzinfo=UTC).timestamp()
