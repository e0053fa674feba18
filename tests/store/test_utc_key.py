"""The ordered timestamp columns: ``utc_key`` writes what isoformat writes.

The stores compare and sort these strings (the sweep's ``next_alert_at <=
?``, receipt order), so the fast writer and its memory of instants it wrote
must give the same text as ``astimezone(UTC).isoformat(timespec=...)`` for
every instant, in any zone, and text order must be time order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.errors import StoreError
from procflow.store.schema import utc_key

ZONES = st.sampled_from(
    [ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/St_Johns"), UTC]
)
OFFSETS = st.integers(min_value=-14 * 3600, max_value=14 * 3600).map(
    lambda s: timezone(timedelta(seconds=s))
)
NAIVE = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30))


@given(NAIVE, st.one_of(ZONES, OFFSETS))
def test_utc_key_is_isoformat_in_utc_with_microseconds(naive: datetime, zone: object) -> None:
    value = naive.replace(tzinfo=zone)  # type: ignore[arg-type]
    expected = value.astimezone(UTC).isoformat(timespec="microseconds")
    assert utc_key(value) == expected
    assert utc_key(value) == expected  # and again, from memory
    # read back as the same instant: compared in UTC, since an aware time in a
    # repeated hour (fold) never equals another zone's time (PEP 495)
    assert datetime.fromisoformat(expected) == value.astimezone(UTC)


@given(NAIVE, NAIVE, ZONES, OFFSETS)
def test_text_order_is_time_order(a: datetime, b: datetime, za: object, zb: object) -> None:
    x, y = a.replace(tzinfo=za), b.replace(tzinfo=zb)  # type: ignore[arg-type]
    assert (utc_key(x) < utc_key(y)) == (x < y)
    # the same instant, compared in UTC (PEP 495: a time in a repeated hour
    # never equals another zone's time)
    assert (utc_key(x) == utc_key(y)) == (x.astimezone(UTC) == y.astimezone(UTC))


def test_naive_instants_are_refused() -> None:
    with pytest.raises(StoreError, match="no time zone"):
        utc_key(datetime(2026, 3, 3, 8, 0))
