"""The row body the SQL stores write on every act of an open dossier is the
record as one JSON list; a closed dossier's, its public form.

:func:`row_body` writes every slot of the record (instants as POSIX seconds,
the zone named once), and :func:`record_of_row` reads them back. These tests
hold every body written, at every version, to the record rebuilt from the
events alone, and any record to its own round trip.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.model.record import VISIT_WIDTH, Record, record_dict, record_of_row, row_body
from procflow.model.reducer import replay_record
from procflow.store.records import dict_from_body, dossier_from_body, record_from_body
from procflow.store.sqlite import SQLiteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))
import golden

SLOTS = [s for s in Record.__slots__ if s != "tz"]


class Recording(SQLiteStore):
    """A real SQLite store that also keeps every dossier row it writes."""

    bodies: dict[tuple[str, int], str]

    def _write_rows(self, drow: Any, erow: Any, expected_version: int, **kw: Any) -> None:
        super()._write_rows(drow, erow, expected_version, **kw)
        self.bodies[(drow[0], drow[10])] = drow[12]

    def _insert_numbered(self, scope: str, rows_for: Any, attempts: int = 5) -> Any:
        def keep(number: int) -> Any:
            drow, erow, made = rows_for(number)
            self.bodies[(drow[0], drow[10])] = drow[12]
            return drow, erow, made

        return super()._insert_numbered(scope, keep, attempts)


def _same(a: Record, b: Record) -> list[str]:
    """The slots in which two records differ (the zone by what it tells)."""
    differ = [s for s in SLOTS if getattr(a, s) != getattr(b, s)]
    at = datetime.fromtimestamp(a.received, UTC)
    if a.tz.utcoffset(at) != b.tz.utcoffset(at):
        differ.append("tz")
    return differ


@pytest.mark.parametrize("first", [0, 40, 80])
def test_every_body_written_is_the_record_replayed_from_the_events(
    tmp_path: Path, first: int
) -> None:
    catalogue = golden._catalogue()
    stores: list[Recording] = []

    def store() -> Recording:
        s = Recording(tmp_path / f"body-{len(stores)}.db")
        s.bodies = {}
        stores.append(s)
        return s

    opened = closed = 0
    for number in range(first, first + 40):
        golden.random_case(catalogue, number, store)
    for s in stores:
        for code in s.codes():
            events = s.events(code)
            for k in range(1, len(events) + 1):
                written = s.bodies.get((code, k))
                if written is None:  # an act written in the public form
                    continue
                replayed = replay_record(events[:k])
                if replayed.is_open:  # the record's list, slot for slot
                    read = record_of_row(orjson.loads(written))
                    assert _same(read, replayed) == [], f"{code} version {k}"
                    assert record_dict(read) == record_dict(replayed)
                    opened += 1
                else:  # closed: the public form, as reports read it
                    assert orjson.loads(written) == record_dict(replayed), f"{code} version {k}"
                    closed += 1
        s.close()
    assert opened > 100 and closed > 10  # moves and receipts of 40 schedules


_instant = st.integers(min_value=0, max_value=4_102_444_800) | st.floats(
    min_value=0, max_value=4_102_444_800, allow_nan=False
).map(lambda x: round(x, 6))
_text = st.text(max_size=12)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_zones: list[tzinfo] = [
    UTC,
    timezone(timedelta(hours=7)),
    ZoneInfo("Asia/Ho_Chi_Minh"),
    ZoneInfo("Europe/Berlin"),
]


@st.composite
def records(draw: st.DrawFn) -> Record:
    rec = Record(
        draw(_text),
        draw(_text),
        draw(_text),
        draw(_text),
        draw(_text),
        draw(_instant),
        draw(_instant),
        draw(st.sampled_from(_zones)),
        draw(st.dictionaries(_text, _json, max_size=3)),
        draw(st.dictionaries(_text, _json, max_size=3)),
    )
    maybe = st.none() | _instant
    word = st.none() | _text
    rec.entered, rec.is_open = draw(_instant), draw(st.booleans())
    rec.step_due, rec.paused = draw(maybe), draw(maybe)
    rec.paused_seconds = draw(st.floats(0, 1e9, allow_nan=False))
    rec.supplements = draw(st.integers(0, 9))
    rec.appointments = draw(st.lists(st.tuples(_instant, _instant, word, word, word), max_size=3))
    judged = st.sampled_from([None, "early", "on_time", "late"])
    seconds_used = st.floats(0, 1e9, allow_nan=False)
    visit = st.tuples(
        _text,
        word,
        _instant,
        maybe,
        maybe,
        word,
        word,
        word,
        word,
        judged,
        seconds_used,
        seconds_used,
    )
    rec.cells = [cell for v in draw(st.lists(visit, max_size=3)) for cell in v]
    assert len(rec.cells) % VISIT_WIDTH == 0
    rec.alerts = tuple(draw(st.lists(_text, max_size=3)))
    rec.outcome, rec.closed, rec.timeliness = draw(word), draw(maybe), draw(judged)
    rec.version, rec.last_hash = draw(st.integers(0, 10**6)), draw(st.binary(max_size=32))
    rec.updated = draw(maybe)
    seconds = st.fixed_dictionaries(
        {"count": st.integers(0, 9), "seconds": st.floats(0, 1e9, allow_nan=False)}
    )
    rec.pauses = draw(st.dictionaries(_text, seconds, max_size=2))
    rec.pause_reason, rec.assignee, rec.assigned_role = draw(word), draw(word), draw(word)
    return rec


@given(records())
def test_a_record_reads_back_from_its_row_body_slot_for_slot(rec: Record) -> None:
    body = row_body(rec)
    assert body is not None
    read = record_of_row(orjson.loads(body))
    assert _same(read, rec) == []
    assert type(read.tz) is type(rec.tz)
    assert record_dict(read) == record_dict(rec)
    text = body.decode()
    assert dossier_from_body(rec.code, text, "here").to_dict() == record_dict(rec)
    assert dict_from_body(rec.code, text, "here") == record_dict(rec)
    assert _same(record_from_body(rec.code, text, "here", rec.tz), rec) == []


class Unnamed(tzinfo):
    """A zone with no key and no fixed offset a body could name."""

    def utcoffset(self, dt: Any) -> timedelta:
        return timedelta(hours=7)

    def dst(self, dt: Any) -> timedelta:
        return timedelta(0)


def test_a_record_in_a_zone_with_no_name_is_kept_in_the_public_form() -> None:
    rec = Record("X-1", "p", "1", "desk", "a", 0, 86400, Unnamed(), {"name": "Lan"}, {})
    rec.open_visit("a", "desk", 0, 100)
    assert row_body(rec) is None
    public = orjson.dumps(record_dict(rec)).decode()
    assert dict_from_body("X-1", public, "here") == record_dict(rec)
    read = record_from_body("X-1", public, "here", UTC)
    assert [s for s in _same(read, rec) if s != "tz"] == []
