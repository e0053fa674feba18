"""The instant of an act: the clock's datetime as POSIX seconds.

In the calendar's zone, where it has one UTC offset over the calendar's days,
the engine reads the instant from the datetime's wall-clock fields less that
offset instead of asking the zone (``datetime.timestamp()``); outside those
days it asks the zone. Either way the instant is exactly ``ts_of`` of the
clock's datetime, microseconds included, and the log gives the clock's
datetime back.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
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


steps = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    st.integers(min_value=0, max_value=86_400 * 9).map(lambda s: timedelta(seconds=s)),
    st.sampled_from([timedelta(hours=1), timedelta(minutes=30), timedelta(days=1)]),
)
# Zones that change their offset (summer time; by half an hour on Lord Howe
# Island; Saigon's last change, in 1975) and one that keeps it.
ZONES = [
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),
    VN,
]


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(1974, 1, 1), max_value=datetime(2030, 12, 31)),
    zone=st.sampled_from(ZONES),
    moves=st.lists(st.tuples(st.booleans(), steps, st.sampled_from([VN, UTC])), max_size=40),
)
def test_the_virtual_clock_keeps_its_seconds_as_it_moves(
    start: datetime, zone: ZoneInfo, moves: list[tuple[bool, timedelta, tzinfo]]
) -> None:
    """A VirtualClock is a clock of numbers too: after any advances and sets,
    across changes of its zone's offset, its ``now_ts`` is ``ts_of`` its
    ``now`` (an int on a whole second), and it tells the time in its start's zone."""
    clock = VirtualClock(start.replace(tzinfo=zone))
    for by_set, step, other in moves:
        if by_set:
            clock.set((clock.now() + step).astimezone(other))
        else:
            clock.advance(step)
        now = clock.now()
        assert now.tzinfo is zone
        assert clock.now_ts() == ts_of(now) and type(clock.now_ts()) is type(ts_of(now))


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(1974, 1, 1), max_value=datetime(2030, 12, 31)),
    zone=st.sampled_from(ZONES),
    pool=st.lists(steps, min_size=1, max_size=3),
    moves=st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=60),
)
def test_the_same_step_object_again_and_again_moves_as_a_new_one_would(
    start: datetime, zone: ZoneInfo, pool: list[timedelta], moves: list[tuple[int, bool]]
) -> None:
    """A driver advances by one timedelta object again and again, and the
    clock remembers the last whole-second step it added: the same object
    next time, between sets and other steps (some with microseconds), and
    across changes of offset, moves the clock exactly as an equal step made
    anew moves a second clock."""
    reused = VirtualClock(start.replace(tzinfo=zone))
    fresh = VirtualClock(start.replace(tzinfo=zone))
    for index, by_set in moves:
        step = pool[index % len(pool)]
        if by_set:
            reused.set(reused.now() + step)
            fresh.set(fresh.now() + step)
        else:
            reused.advance(step)
            fresh.advance(
                timedelta(days=step.days, seconds=step.seconds, microseconds=step.microseconds)
            )
        assert reused.now() == fresh.now() and reused.now().tzinfo is zone
        assert reused.now_ts() == fresh.now_ts() == ts_of(reused.now())
        assert type(reused.now_ts()) is type(ts_of(reused.now()))


@pytest.mark.parametrize(
    "one_object", [False, True], ids=["a-new-step-each-time", "one-step-object"]
)
def test_the_virtual_clock_follows_a_change_of_summer_time_hour_by_hour(one_object: bool) -> None:
    """Berlin, 29 March and 25 October 2026. An hour of wall clock added to
    an aware datetime moves the instant by the difference of the two wall
    clocks' offsets as well (Python's arithmetic: 02:00 on 29 March, a time
    that does not exist, is read at +01:00, and 03:00 is the same instant),
    and the clock's seconds follow the instant, not the step."""
    berlin = ZoneInfo("Europe/Berlin")
    clock = VirtualClock(datetime(2026, 3, 1, 0, 0, tzinfo=berlin))
    moved: Counter[int | float] = Counter()
    hour = timedelta(hours=1)
    for _ in range(24 * 250):
        before = clock.now_ts()
        if one_object:
            clock.advance(hour)  # the step the clock remembers
        else:
            clock.advance(hours=1)
        assert clock.now_ts() == ts_of(clock.now())
        moved[clock.now_ts() - before] += 1
    assert moved[0] == 1 and moved[7200] == 1 and moved[3600] == 24 * 250 - 2


def test_a_virtual_clock_in_another_zone_dates_events_in_its_zone() -> None:
    """On a clock in the calendar's zone the engine reads ``now_ts``; on one
    in another zone it reads ``now()``, and the events keep that zone's offset."""
    at = datetime(2026, 3, 3, 8, 0, 0, 500_000, tzinfo=VN)
    logs = []
    for start in (at, at.astimezone(UTC)):
        clock = VirtualClock(start)
        engine = Engine(MemoryStore(), CATALOGUE, CAL, clock)
        code = engine.receive(CHILD, actor=DESK).code
        clock.advance(hours=3)
        engine.fire(code, "forward", PC)
        assert engine.verify([code]).ok
        logs.append(engine.history(code))
    ours, theirs = logs
    assert [e.at for e in ours] == [e.at for e in theirs] == [at, at + timedelta(hours=3)]
    assert {e.at.utcoffset() for e in ours} == {timedelta(hours=7)}
    assert {e.at.utcoffset() for e in theirs} == {timedelta(0)}


class _LateClock(VirtualClock):
    """An embedder's clock that changes ``now`` alone: always an hour on."""

    def now(self) -> datetime:
        return super().now() + timedelta(hours=1)


def test_a_clock_that_changes_now_alone_is_read_by_now() -> None:
    """Moves read a clock's seconds only where the class that tells ``now``
    tells ``now_ts`` too: a subclass changing ``now`` alone is read by it."""
    start = datetime(2026, 3, 3, 8, 0, tzinfo=VN)
    clock = _LateClock(start)
    engine = Engine(MemoryStore(), CATALOGUE, CAL, clock)
    code = engine.receive(CHILD, actor=DESK).code
    clock.advance(hours=1)
    engine.fire(code, "forward", PC)
    assert [e.at for e in engine.history(code)] == [
        start + timedelta(hours=1),
        start + timedelta(hours=2),
    ]
