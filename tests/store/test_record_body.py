"""The row body the SQL stores write on every act is the record's own encoding.

:func:`record_body` encodes every visit but the last once and splices the
fragments into the body; these tests hold every body written, at every
version, to the plain encoding of the state rebuilt from the events alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from procflow.model.record import Record, record_body, record_dict
from procflow.model.reducer import apply
from procflow.store.sqlite import SQLiteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))
import golden


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


@pytest.mark.parametrize("first", [0, 40, 80])
def test_every_body_written_is_the_plain_encoding_of_the_replayed_state(
    tmp_path: Path, first: int
) -> None:
    catalogue = golden._catalogue()
    stores: list[Recording] = []

    def store() -> Recording:
        s = Recording(tmp_path / f"body-{len(stores)}.db")
        s.bodies = {}
        stores.append(s)
        return s

    checked = 0
    for number in range(first, first + 40):
        golden.random_case(catalogue, number, store)
    for s in stores:
        for code in s.codes():
            state = None
            for event in s.events(code):
                state = apply(state, event)
                written = s.bodies.get((code, event.seq))
                if written is None:  # an act written in the public form
                    continue
                plain = orjson.dumps(record_dict(Record.from_dossier(state))).decode()
                assert written == plain, f"{code} version {event.seq}"
                checked += 1
        s.close()
    assert checked > 100  # moves and receipts of 40 schedules


def test_the_spliced_body_is_the_dict_encoding_after_each_visit() -> None:
    """A record with no visit, one open visit, and many: the same bytes."""
    from datetime import UTC

    rec = Record("X-1", "p", "1", "desk", "a", 0, 86400, UTC, {"name": "Lan"}, {})
    assert record_body(rec) == orjson.dumps(record_dict(rec))
    rec.open_visit("a", "desk", 0, 100)
    assert record_body(rec) == orjson.dumps(record_dict(rec))
    for k in range(1, 6):
        rec.cells[-8:] = [k * 10, "go", f"s{k}", "desk", "lan", "early", 10.0, 0.0]  # left
        rec.open_visit(f"s{k}", "desk", k * 10, None)
        assert record_body(rec) == orjson.dumps(record_dict(rec))
    assert len(rec.encoded) == len(rec.visits) - 1
    rec.visits = rec.visits[:2]  # a shorter list: encoded again, not spliced stale
    assert record_body(rec) == orjson.dumps(record_dict(rec))


def test_the_appointments_are_encoded_again_when_they_change() -> None:
    """The appointments' fragment is kept while the list is the same; one
    added, or a list of the same length ending in another, is encoded anew."""
    from datetime import UTC

    rec = Record("X-1", "p", "1", "desk", "a", 0, 86400, UTC, {}, {})
    assert record_body(rec) == orjson.dumps(record_dict(rec))  # none yet
    rec.appointments.append((86400, 0, None, "desk", None))
    assert record_body(rec) == orjson.dumps(record_dict(rec))
    kept = rec.encoded_appointments
    assert record_body(rec) == orjson.dumps(record_dict(rec))
    assert rec.encoded_appointments is kept  # the same list: not encoded again
    rec.appointments.append((172800, 3600, "late", "desk", None))  # an apology
    assert record_body(rec) == orjson.dumps(record_dict(rec))
    rec.appointments = [rec.appointments[0], (259200, 7200, "again", "desk", None)]
    assert record_body(rec) == orjson.dumps(record_dict(rec))
    rec.appointments = []
    assert record_body(rec) == orjson.dumps(record_dict(rec))


def test_the_fragments_a_record_keeps_hold_no_more_than_their_bytes() -> None:
    """A SQL store remembers up to ``cache_size`` records with their encoded
    visits. Each fragment must own a buffer of its own length: orjson's
    output keeps the buffer orjson wrote into (4 KB and more in recent
    releases), which a kept fragment would hold for as long as the record."""
    import tracemalloc
    from datetime import UTC

    rec = Record("X-2", "p", "1", "desk", "a", 0, 86400, UTC, {}, {})
    rec.appointments.append((86400, 0, None, "desk", None))
    rec.open_visit("a", "desk", 0, 100)
    for k in range(1, 21):
        rec.cells[-8:] = [k * 10, "go", f"s{k}", "desk", "lan", "early", 10.0, 0.0]
        rec.open_visit(f"s{k}", "desk", k * 10, None)
    tracemalloc.start()
    try:
        body = record_body(rec)  # encodes the 20 visits left, and the appointments
        held = sum(stat.size for stat in tracemalloc.take_snapshot().statistics("filename"))
    finally:
        tracemalloc.stop()
    fragments = [*rec.encoded, rec.encoded_appointments[2]]
    assert len(fragments) == 21
    owned = sum(len(f) for f in fragments)
    # Still allocated after the call: the body (a fresh join), the fragments
    # and the lists holding them. 21 fragments in 4 KB buffers would be 86,000.
    assert held < 2 * owned + 2 * len(body) + 4096, (held, owned, len(body))
