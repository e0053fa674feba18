"""Moves reach a ``BODIES`` store as bytes: the same log, with no entry made.

The in-memory and the simulator's stores keep each event as its body and
hash, so a move hands them those bytes (``Store.append_body``) and builds no
:class:`~procflow.model.entry.Entry`; a listener, or a store with an outbox,
still gets entries. Whichever way a move is written, the events, their
hashes and the dossier must be the same, and a write the store refuses must
leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from enginetest import CHILD, DESK, TO_RETURN, VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.errors import ConflictError, StoreError
from procflow.model.entry import Entry, apply_entry
from procflow.model.events import Event
from procflow.model.instant import Instant
from procflow.model.record import Record
from procflow.model.storage import Capability, StoreBase
from procflow.simulation.store import SimulationStore
from procflow.store import MemoryStore, Store
from procflow.store.sqlite import SQLiteStore

START = datetime(2026, 3, 3, 8, 0, tzinfo=VN)


def _run(store: Store, catalogue: Catalogue, moves: int = len(TO_RETURN)) -> tuple[Engine, str]:
    """Receive a dossier and fire the first ``moves`` of its way to the return."""
    clock = VirtualClock(START)
    engine = Engine(store, catalogue, WorkCalendar.vietnam(), clock)
    code = engine.receive(CHILD, actor=DESK, applicant={"name": "A"}).code
    for trigger, actor in TO_RETURN[:moves]:
        clock.advance(hours=5)
        engine.fire(code, trigger, actor)
    return engine, code


def _log(store: Store, code: str) -> list[tuple[int, str, str, str]]:
    return [(e.seq, e.type.value, e.hash, e.prev_hash) for e in store.events(code)]


def _kept() -> SimulationStore:
    return SimulationStore(keep=True)  # closed dossiers kept, to be read


BODIES = pytest.mark.parametrize("make", [MemoryStore, _kept], ids=["memory", "simulation"])


@BODIES
def test_a_bodies_store_gets_the_same_log_as_a_listened_engine(
    catalogue: Catalogue, make: Callable[[], MemoryStore | SimulationStore]
) -> None:
    store = make()
    assert Capability.BODIES in store.capabilities
    _, code = _run(store, catalogue)
    # A listener makes the engine build an entry for every move.
    listened = make()
    clock = VirtualClock(START)
    engine = Engine(listened, catalogue, WorkCalendar.vietnam(), clock)
    heard: list[Event] = []
    engine.subscribe(lambda event, dossier: heard.append(event))
    same = engine.receive(CHILD, actor=DESK, applicant={"name": "A"}).code
    for trigger, actor in TO_RETURN:
        clock.advance(hours=5)
        engine.fire(same, trigger, actor)
    assert same == code
    assert _log(store, code) == _log(listened, same)
    assert [e.hash for e in heard] == [h for _, _, h, _ in _log(store, code)]
    assert engine.verify([same]).ok


def test_an_outbox_store_takes_entries_and_keeps_the_same_log(catalogue: Catalogue) -> None:
    boxed = MemoryStore(outbox=True)
    assert Capability.BODIES not in boxed.capabilities  # its items are made from entries
    engine, code = _run(boxed, catalogue)
    plain = MemoryStore()
    _run(plain, catalogue)
    assert _log(boxed, code) == _log(plain, code)
    assert engine.verify([code]).ok


def _next_move(catalogue: Catalogue) -> tuple[Event, bytes, bytes]:
    """The second event of the dossier (its first move), from a run that got
    there: its public form, its body and its hash."""
    other = MemoryStore()
    _run(other, catalogue, moves=1)
    event = other.events(next(iter(other.codes())))[1]
    entry = Entry.of_event(event, bytes.fromhex(event.prev_hash))
    assert entry.hash.hex() == event.hash
    return event, entry.body, entry.hash


@BODIES
def test_a_body_out_of_step_is_refused_and_nothing_is_stored(
    catalogue: Catalogue, make: Callable[[], MemoryStore | SimulationStore]
) -> None:
    store = make()
    _, code = _run(store, catalogue, moves=0)
    _, body, hash_ = _next_move(catalogue)
    rec = store.record(code, VN)
    assert rec is not None
    before = _log(store, code)
    moved = rec.copy()
    moved.version = 2
    with pytest.raises((ConflictError, StoreError)):  # it says it follows version 5
        store.append_body(moved, body, rec.last_hash, hash_, 5, None)
    assert _log(store, code) == before
    assert store.record(code, VN) is rec and rec.version == 1


def test_the_default_stores_a_body_as_the_entry_it_encodes(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """A store without ``BODIES`` (SQLite) given a body: StoreBase reads the
    entry back from it, and the event stored is the one encoded."""
    store = SQLiteStore(tmp_path / "bodies.db")
    try:
        assert Capability.BODIES not in store.capabilities
        engine, code = _run(store, catalogue, moves=0)
        event, body, hash_ = _next_move(catalogue)
        rec = store.record(code, VN)
        assert rec is not None
        moved = rec.copy()
        apply_entry(moved, Entry.of_event(event, rec.last_hash), VN)
        StoreBase.append_body(store, moved, body, rec.last_hash, hash_, 1, None)
        stored = store.events(code)[1]
        assert (stored.seq, stored.type, stored.hash, stored.data) == (
            2,
            event.type,
            event.hash,
            event.data,
        )
        assert engine.verify([code]).ok
    finally:
        store.close()


class _Audited(MemoryStore):
    """An embedder's store that sees every entry stored (an audit hook)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int]] = []

    def append_record(
        self, rec: Record, entry: Entry, expected_version: int, next_alert: Instant | None
    ) -> Record:
        self.seen.append((entry.code, entry.seq))
        return super().append_record(rec, entry, expected_version, next_alert)


def test_a_store_that_changes_append_record_alone_still_sees_every_move(
    catalogue: Catalogue,
) -> None:
    """A subclass overriding ``append_record`` and not ``append_body`` does not
    claim ``BODIES`` (it would never be called for a move): it gets entries."""
    store = _Audited()
    assert Capability.BODIES not in store.capabilities
    assert Capability.BODIES in MemoryStore().capabilities
    _, code = _run(store, catalogue)
    assert store.seen == [(code, seq) for seq in range(2, 2 + len(TO_RETURN))]
