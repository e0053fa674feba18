"""Acting on remembered states: SQLite and PostgreSQL alike.

Both SQL stores keep the last states they committed themselves and hand them
to the engine after checking the row's version and last hash (one indexed
read instead of reading and parsing the JSON body). The checks here are what
makes that safe: another writer's change is never hidden, the caller never
shares the remembered object, and memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from store_postgres import PostgresSchema, postgres_url
from store_testdata import advance, fill

from procflow.errors import ConflictError
from procflow.model.entry import Entry
from procflow.store.sqlite import SQLiteStore

Opener = Callable[..., Any]


@pytest.fixture(params=["sqlite", "postgres"])
def open_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens store objects on one database (each call: another connection)."""
    opened: list[Any] = []
    if request.param == "sqlite":

        def opener(**kwargs: Any) -> Any:
            opened.append(SQLiteStore(tmp_path / "remembered.db", **kwargs))
            return opened[-1]

    else:
        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)

        def opener(**kwargs: Any) -> Any:
            opened.append(schema.open(**kwargs))
            return opened[-1]

    yield opener
    for store in opened:
        store.close()


def _from_memory(store: Any, got: Any, remembered: Any) -> bool:
    """``got`` is the remembered record: itself (SQLite: one thread per store
    object), or a copy of it with lists of its own (PostgreSQL: threads share
    the store)."""
    if isinstance(store, SQLiteStore):
        return got is remembered
    return (
        got is not remembered
        and got.version == remembered.version
        and got.last_hash == remembered.last_hash
        and got.cells == remembered.cells
        and got.cells is not remembered.cells
    )


def test_get_current_never_returns_a_state_another_writer_replaced(open_db: Opener) -> None:
    a, b = open_db(), open_db()
    d1 = fill(a, "HS-001", 1)  # a remembers version 2
    assert "HS-001" in a._written
    current = a.get_current("HS-001")
    assert current is not None and current.to_dict() == d1.to_dict()
    current.state = "changed by the caller"  # a copy: the memory is not touched
    again = a.get_current("HS-001")
    assert again is not None and again.state == d1.state
    d2, ev = advance(d1, "other-writer")
    b.append(d2, ev, d1.version, None)  # another connection moves it on
    seen = a.get_current("HS-001")
    assert seen is not None and seen.to_dict() == d2.to_dict()
    assert "HS-001" not in a._written  # the stale state is forgotten


def test_the_first_act_after_opening_takes_the_remembered_state(open_db: Opener) -> None:
    """A store just opened acts on the states it commits from memory at
    once, not only after some other read set its baseline; another writer's
    commit still makes it read the row again."""
    a = open_db()
    fill(a, "HS-300", 1)
    remembered = a._written["HS-300"]
    assert _from_memory(a, a.record("HS-300", remembered.tz), remembered)
    assert "HS-300" in a._written
    b = open_db()
    d, ev = advance(a.get("HS-300"), "other-writer")
    b.append(d, ev, remembered.version, None)
    fresh = a.record("HS-300", remembered.tz)
    assert fresh is not remembered and fresh.version == remembered.version + 1


def test_a_conflicting_append_is_not_remembered(open_db: Opener) -> None:
    a, b = open_db(), open_db()
    d1 = fill(a, "HS-002", 1)
    d2, ev = advance(d1, "b-wins")
    b.append(d2, ev, d1.version, None)
    loser, lev = advance(d1, "a-loses")
    with pytest.raises(Exception, match="changed since it was read"):
        a.append(loser, lev, d1.version, None)
    assert a._written.get("HS-002") is None or a._written["HS-002"].version == d1.version
    seen = a.get_current("HS-002")
    assert seen is not None and seen.to_dict() == d2.to_dict()


def test_remembered_states_are_bounded(open_db: Opener) -> None:
    store = open_db(cache_size=3)
    for i in range(10):
        fill(store, f"HS-{i:03d}", 2)
    assert list(store._written) == ["HS-007", "HS-008", "HS-009"]
    off = open_db(cache_size=0)
    fill(off, "HS-100", 1)
    assert off._written == {}
    got = off.get_current("HS-100")
    assert got is not None and got.version == 2


def test_closing_forgets(open_db: Opener) -> None:
    store = open_db()
    fill(store, "HS-200", 1)
    store.close()
    assert store._written == {}


def test_a_moved_record_whose_write_fails_is_let_go(open_db: Opener) -> None:
    """The engine moves the remembered record itself, then the store writes
    it. When the write fails (here another writer got there between the
    read and the write), the store lets that record go: the next act reads
    the row, not a moved record that nobody stored."""
    a, b = open_db(), open_db()
    d1 = fill(a, "HS-004", 1)
    tz = d1.received_at.tzinfo
    rec = a.record("HS-004", tz)
    assert _from_memory(a, rec, a._written["HS-004"])
    d2, ev = advance(d1, "b-wins")
    b.append(d2, ev, d1.version, None)  # after a read, before a writes
    _, mine = advance(d1, "a-loses")
    entry = Entry.of_event(mine, rec.last_hash)
    # what the engine does before append_record: the record moves
    rec.state, rec.version, rec.last_hash = "a-loses", entry.seq, entry.hash
    with pytest.raises(ConflictError, match="changed since it was read"):
        a.append_record(rec, entry, d1.version, None)
    assert "HS-004" not in a._written
    fresh = a.record("HS-004", tz)
    assert fresh is not rec and fresh.version == d2.version and fresh.state == d2.state
    assert [e.seq for e in a.events("HS-004")] == [e.seq for e in b.events("HS-004")]


def test_threads_sharing_a_store_never_share_a_record(open_db: Opener) -> None:
    """A PostgreSQL store is shared by threads, and the engine moves the
    record it is given before writing it: two acts on one dossier must not
    move one object. A SQLite store object belongs to one thread and hands
    out the remembered record itself."""
    a = open_db()
    d1 = fill(a, "HS-005", 1)
    tz = d1.received_at.tzinfo
    first, second = a.record("HS-005", tz), a.record("HS-005", tz)
    shared = isinstance(a, SQLiteStore)
    assert (first is second) is shared
    first.state = "moved by one thread"
    first.cells.append("a cell")
    assert (second.state == d1.state) is not shared
    assert (len(second.cells) == len(first.cells) - 1) is not shared
