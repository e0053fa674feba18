"""The fast RFC 3339 writer must write what ``datetime.isoformat`` writes.

Hashes, stored rows and event data all go through it; if the two forms ever
differed for a real offset, a log written by one release would not verify
under the next.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from procflow.model.timefmt import iso, iso_or_none

ZONES = [ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("Europe/Berlin"), UTC]


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)),
    st.sampled_from(ZONES),
)
def test_iso_is_isoformat_for_zones_in_use(naive: datetime, zone: object) -> None:
    value = naive.replace(tzinfo=zone)  # type: ignore[arg-type]
    assert iso(value) == value.isoformat()
    assert datetime.fromisoformat(iso(value)) == value


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_iso_is_isoformat_for_any_whole_minute_offset(naive: datetime, minutes: int) -> None:
    value = naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert iso(value) == value.isoformat()


def test_offsets_with_seconds_are_written_to_the_minute() -> None:
    # Local mean time (Saigon before 1906 was +07:06:30): RFC 3339 has no
    # seconds in offsets. Documented, and far outside any dossier's dates.
    value = datetime(1900, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert value.isoformat().endswith("+07:06:30")
    assert iso(value).endswith("+07:07")


def test_none_stays_none() -> None:
    assert iso_or_none(None) is None
