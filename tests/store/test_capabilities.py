"""Declared capabilities: every store answers every optional call, and what a
store does better than :class:`StoreBase`'s defaults gives the same answers as
the defaults would, on every backend."""

from __future__ import annotations

from datetime import timedelta

from store_testdata import T0, fill

from procflow.store.base import Capability, Store, StoreBase


def test_every_store_answers_the_optional_calls_as_the_defaults_do(store: Store) -> None:
    for i in range(5):
        fill(store, f"HS-{i}", steps=i)
    assert isinstance(store, StoreBase)
    assert store.count() == StoreBase.count(store) == 5
    assert store.count(open_only=True) == StoreBase.count(store, open_only=True)
    mine = [(e.code, e.seq, e.hash) for e in store.iter_events()]
    plain = [(e.code, e.seq, e.hash) for e in StoreBase.iter_events(store)]
    assert mine == plain and len(mine) == sum(range(1, 6))
    assert [e.seq for e in store.iter_events("HS-3")] == [1, 2, 3, 4]
    later = T0 + timedelta(days=365)
    assert sorted(store.claim_for_alert(later, 100)) == sorted(store.due_for_alert(later, 100))
    for i in range(5):
        current, read = store.get_current(f"HS-{i}"), store.get(f"HS-{i}")
        assert current is not None and read is not None
        assert current.to_dict() == read.to_dict()


def test_capabilities_are_declared_not_probed(store: Store) -> None:
    caps = store.capabilities
    assert all(isinstance(c, Capability) for c in caps)
    assert Capability.NUMBERED_RECEIPTS in caps  # every built-in store numbers in one go
    opener = store.reader_factory()
    assert (opener is not None) == (Capability.PARALLEL_SCANS in caps)
    if opener is not None:
        other = opener()
        try:
            assert list(other.codes()) == list(store.codes())
        finally:
            other.close()
