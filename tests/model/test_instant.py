"""Instants: POSIX seconds inside, aware datetimes at the edges, exact both ways.

``dt_of`` takes a shortcut for whole seconds (``datetime.fromtimestamp``);
these properties hold it to the plain sum ``EPOCH + timedelta`` converted with
``astimezone``, in zones with and without summer time, on either side of a
fold, and to ``ts_of`` back again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from procflow.model.instant import EPOCH, dt_of, ts_of, us_of

ZONES = [
    ZoneInfo("Asia/Ho_Chi_Minh"),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour summer shift
    UTC,
    timezone(timedelta(hours=7)),
]
FIRST = ts_of(datetime(1, 1, 3, tzinfo=UTC))
LAST = ts_of(datetime(9999, 12, 29, tzinfo=UTC))
# A float of POSIX seconds keeps every microsecond apart, and rounds back to
# it, below 2**32 seconds either side of 1970 (1833 to 2106): there its step
# is at most 2**-21 s, under half a microsecond. From 2**32 s on the step is
# 2**-20 s and some microseconds come back one off (a quarter of those at
# 2**32 s itself); whole seconds, the ``int`` case, stay exact.
EXACT = 2**32


def _plain(t: int | float, tz: object) -> datetime:
    return (EPOCH + us_of(t) * timedelta(microseconds=1)).astimezone(tz)  # type: ignore[arg-type]


def _same(a: datetime, b: datetime) -> bool:
    return repr(a) == repr(b) and a.fold == b.fold and a.tzinfo is b.tzinfo


@given(st.integers(FIRST, LAST), st.sampled_from(ZONES))
def test_whole_seconds_convert_as_the_plain_sum_does(t: int, tz: object) -> None:
    got = dt_of(t, tz)  # type: ignore[arg-type]
    assert _same(got, _plain(t, tz))
    assert ts_of(got) == t and type(ts_of(got)) is int


@given(st.integers(1 - EXACT, EXACT - 2), st.integers(1, 999_999), st.sampled_from(ZONES))
def test_microseconds_convert_exactly(s: int, us: int, tz: object) -> None:
    t = (s * 1_000_000 + us) / 1_000_000
    got = dt_of(t, tz)  # type: ignore[arg-type]
    assert _same(got, _plain(t, tz))
    assert ts_of(got) == t


def test_a_fold_is_kept() -> None:
    paris = ZoneInfo("Europe/Paris")
    # 2025-10-26: 02:30 happens twice in Paris, at 00:30 and 01:30 UTC
    first = ts_of(datetime(2025, 10, 26, 0, 30, tzinfo=UTC))
    a, b = dt_of(first, paris), dt_of(first + 3600, paris)
    assert (a.hour, a.minute, a.fold) == (2, 30, 0)
    assert (b.hour, b.minute, b.fold) == (2, 30, 1)
    assert _same(a, _plain(first, paris)) and _same(b, _plain(first + 3600, paris))
