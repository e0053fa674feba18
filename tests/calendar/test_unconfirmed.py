"""Unconfirmed calendar entries: which lie in an interval, with their source.

The shipped calendar carries one unconfirmed entry, Ngày Văn hóa Việt Nam on
Tuesday 24/11/2026 (vn.yaml: chosen by Resolution 80-NQ/TW, not yet in the
Labour Code). It is applied by default; ``include_unconfirmed=False`` ignores
it. Either way a deadline counted across it rests on it, and
``unconfirmed_between`` says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar, load_overlay, national_overlay_path, parse_overlay
from procflow.calendar.overlay import OverlayDay

CULTURE_DAY = date(2026, 11, 24)


def _shipped_unconfirmed() -> list[OverlayDay]:
    """The unconfirmed entries of the shipped file, read from the file itself."""
    return [e for e in load_overlay(national_overlay_path()).days if not e.confirmed]


def test_the_shipped_file_has_the_culture_day_unconfirmed() -> None:
    assert CULTURE_DAY in {e.date for e in _shipped_unconfirmed()}


def test_an_interval_over_24_11_2026_lists_it_with_its_source(cal: WorkCalendar) -> None:
    entry = next(e for e in _shipped_unconfirmed() if e.date == CULTURE_DAY)
    found = cal.unconfirmed_between(date(2026, 11, 20), date(2026, 11, 26))
    assert [u.date for u in found] == [CULTURE_DAY]
    day = found[0]
    assert (day.name, day.source, day.note, day.kind) == (
        entry.name,
        entry.source,
        entry.note,
        "day_off",
    )
    assert day.applied and not day.working
    assert not cal.is_working_day(CULTURE_DAY)
    data = day.to_dict()
    assert data["date"] == "2026-11-24"
    assert data["source"] == entry.source
    assert data["calendar_file"] == "vn.yaml"
    assert entry.source in day.describe()


def test_the_ends_are_included_and_other_intervals_list_nothing(cal: WorkCalendar) -> None:
    assert [u.date for u in cal.unconfirmed_between(CULTURE_DAY, CULTURE_DAY)] == [CULTURE_DAY]
    assert cal.unconfirmed_between(date(2026, 11, 25), date(2026, 12, 31)) == []
    assert cal.unconfirmed_between(date(2026, 1, 1), date(2026, 11, 23)) == []
    # an interval given backwards is empty, not an error
    assert cal.unconfirmed_between(date(2026, 11, 30), date(2026, 11, 20)) == []


def test_instants_count_by_their_local_date(cal: WorkCalendar) -> None:
    # 23/11 23:30 in Hà Nội is 16:30 UTC: the local date ends before 24/11.
    before = datetime(2026, 11, 23, 23, 30, tzinfo=cal.tz)
    assert cal.unconfirmed_between(before - timedelta(days=3), before) == []
    # 24/11 00:30 local is still 23/11 in UTC, but the calendar reads it locally.
    after = datetime(2026, 11, 24, 0, 30, tzinfo=cal.tz)
    utc = after.astimezone(UTC)
    assert utc.date() == date(2026, 11, 23)
    assert [u.date for u in cal.unconfirmed_between(utc, utc)] == [CULTURE_DAY]


def test_ignored_entries_are_listed_as_not_applied() -> None:
    """With the confirmed-only policy the day is worked, and a deadline over it
    rests on that opposite assumption: still listed, with applied false."""
    strict = WorkCalendar.vietnam(include_unconfirmed=False)
    assert strict.is_working_day(CULTURE_DAY)
    (day,) = strict.unconfirmed_between(date(2026, 11, 1), date(2026, 11, 30))
    assert day.date == CULTURE_DAY and not day.applied and day.working
    assert "entry ignored" in day.describe()


def test_a_later_overlay_that_confirms_the_date_removes_it() -> None:
    local = parse_overlay(
        """
version: 1
name: local
years:
  2026:
    working_days:
      - {date: 2026-11-24, name: worked here, source: local decision 1, confirmed: true}
""",
        "local.yaml",
    )
    cal = WorkCalendar([load_overlay(national_overlay_path()), local], country="VN")
    assert cal.unconfirmed_between(date(2026, 11, 1), date(2026, 11, 30)) == []


def test_an_unconfirmed_swap_gives_both_of_its_dates() -> None:
    local = parse_overlay(
        """
version: 1
name: local
years:
  2027:
    swaps:
      - day_off: 2027-04-30
        working_day: 2027-04-24
        name: proposed swap
        source: draft dispatch (not signed)
        confirmed: false
""",
        "local.yaml",
    )
    cal = WorkCalendar([local], country="VN")
    found = cal.unconfirmed_between(date(2027, 4, 1), date(2027, 5, 31))
    assert [(u.date, u.kind, u.working) for u in found] == [
        (date(2027, 4, 24), "working_day", True),
        (date(2027, 4, 30), "day_off", False),
    ]
    assert {u.source for u in found} == {"draft dispatch (not signed)"}
    assert {u.file for u in found} == {"local.yaml"}


@given(
    start=st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)),
    length=st.integers(min_value=0, max_value=400),
)
def test_the_answer_is_every_date_an_unconfirmed_entry_decides(start: date, length: int) -> None:
    """Against a day-by-day oracle: day_info says which entry decided each date."""
    cal = WorkCalendar.vietnam()
    end = start + timedelta(days=length)
    expected = [
        start + timedelta(days=k)
        for k in range(length + 1)
        if cal.day_info(start + timedelta(days=k)).confirmed is False
    ]
    assert [u.date for u in cal.unconfirmed_between(start, end)] == expected
