"""``VirtualClock`` keeps its instant as POSIX seconds too (a TimestampClock
and a ZonedClock): moves read the seconds, and write what they wrote when
they converted ``now()``, in whatever zone the clock was set to.

The reference is a subclass that overrides ``now()`` only: it is no
TimestampClock, so the engine converts its ``now()`` on every move, as it
did for every VirtualClock before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from enginetest import BHXH, CHILD, DESK, PC, POLICE, VN, load
from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.engine import Engine, TimestampClock, VirtualClock, ZonedClock
from procflow.errors import ProcflowError
from procflow.model.instant import ts_of
from procflow.store import MemoryStore

START = datetime(2026, 3, 3, 8, 0, tzinfo=VN)
ZONES = [VN, UTC, timezone(timedelta(hours=-5))]
# Zones with summer time: aware arithmetic moves their wall clock, so an
# hour added across the change is two, or none, of POSIX seconds (the clock
# starts in March, and both change within 40 days of it).
SUMMER = [ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]


class ConvertedClock(VirtualClock):
    """The same clock, read only through ``now()``."""

    def now(self) -> datetime:
        return super().now()


def test_a_subclass_overriding_now_alone_is_no_timestamp_clock() -> None:
    assert isinstance(VirtualClock(START), TimestampClock)
    assert isinstance(VirtualClock(START), ZonedClock)
    assert not isinstance(ConvertedClock(START), TimestampClock)


steps = st.one_of(
    st.tuples(
        st.just("advance"),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    ),
    st.tuples(st.just("set"), st.sampled_from(ZONES + SUMMER), st.integers(0, 10**7)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=12))
def test_the_seconds_are_always_those_of_now(moves: list[tuple[object, ...]]) -> None:
    clock = VirtualClock(START)
    for move in moves:
        if move[0] == "advance":
            delta = move[1]
            assert isinstance(delta, timedelta)
            clock.advance(delta)
        else:
            zone, ahead = move[1], move[2]
            assert isinstance(ahead, int)
            target = (clock.now() + timedelta(seconds=ahead)).astimezone(zone)  # type: ignore[arg-type]
            clock.set(target)
        now = clock.now()
        assert clock.now_ts() == ts_of(now)
        assert type(clock.now_ts()) is (float if now.microsecond else int)
        assert clock.tz is now.tzinfo


def test_going_back_is_refused_and_changes_nothing() -> None:
    clock = VirtualClock(START)
    before = (clock.now(), clock.now_ts(), clock.tz)
    with pytest.raises(ProcflowError, match="cannot go back"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ProcflowError, match="cannot go back"):
        clock.set(START - timedelta(microseconds=1))
    assert (clock.now(), clock.now_ts(), clock.tz) == before


CATALOGUE = Catalogue([compile_procedure(load("procedures/lien-thong/child-under-6.yaml"))])
CALENDAR = WorkCalendar.vietnam()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ZONES), st.integers(1, 3 * 86400), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_moves_write_what_a_converted_clock_writes(
    hops: list[tuple[timezone, int, bool]],
) -> None:
    """Through the bundle's steps, with the clock set to other zones (events
    keep the clock's zone) and moved by fractions of a second."""
    fast, slow = VirtualClock(START), ConvertedClock(START)
    engines = [Engine(MemoryStore(), CATALOGUE, CALENDAR, c) for c in (fast, slow)]
    codes = [e.receive(CHILD, actor=DESK).code for e in engines]
    offsets = []
    for zone, seconds, fraction in hops:
        for clock in (fast, slow):
            clock.set((clock.now() + timedelta(seconds=seconds)).astimezone(zone))
            if fraction:
                clock.advance(microseconds=250_000)
        moved = False
        for engine, code in zip(engines, codes, strict=True):
            actor = next((a for a in (PC, POLICE, BHXH) if engine.available(code, a)), None)
            if actor is not None:
                engine.fire(code, engine.available(code, actor)[0], actor)
                moved = True
        if moved:
            offsets.append(fast.now().isoformat()[-6:])
    histories = [
        [e.to_dict() for e in engine.history(c)] for engine, c in zip(engines, codes, strict=True)
    ]
    assert histories[0] == histories[1]
    # each move is dated in the zone the clock was in
    assert [e["at"][-6:] for e in histories[0][1:]] == offsets


@pytest.mark.parametrize("zone", SUMMER)
def test_a_day_across_the_change_to_summer_time_is_23_hours(zone: ZoneInfo) -> None:
    # Europe 29 March 2026, the United States 8 March 2026: a wall-clock day.
    day = 28 if zone.key == "Europe/Paris" else 7
    clock = VirtualClock(datetime(2026, 3, day, 12, 0, tzinfo=zone))
    before = clock.now_ts()
    clock.advance(timedelta(days=1))
    assert clock.now() == datetime(2026, 3, day + 1, 12, 0, tzinfo=zone)
    assert clock.now_ts() == ts_of(clock.now()) == before + 23 * 3600
