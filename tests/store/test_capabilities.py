"""Declared capabilities: every store answers every optional call, and what a
store does better than :class:`StoreBase`'s defaults gives the same answers as
the defaults would, on every backend."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_testdata import T0, fill

from procflow.calendar import WorkCalendar
from procflow.compiler import compile_procedure
from procflow.definition.loader import read_procedure
from procflow.errors import StoreError
from procflow.model.dossier import Dossier
from procflow.model.events import Event
from procflow.simulation import Simulation, read_scenario
from procflow.store import MemoryStore
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


def _simulated(dossiers: int) -> list[tuple[Dossier, list[Event]]]:
    """Whole dossiers and their logs, as the simulator hands them to ``--out``."""
    root = Path(__file__).resolve().parents[2] / "procedures" / "lien-thong"
    proc = compile_procedure(read_procedure(root / "child-under-6.yaml"))
    scenario, _ = read_scenario(root / "simulations" / "commune-desk-2026.yaml")
    scenario = scenario.model_copy(
        update={"period": None, "start": scenario.first_day, "dossiers": dossiers}
    )
    sim = Simulation(scenario, proc, WorkCalendar.vietnam(), keep=True)
    sim.run()
    items = []
    for code in sorted(sim.store.codes()):
        dossier = sim.store.get(code)
        assert dossier is not None
        items.append((dossier, sim.store.events(code)))
    return items


def test_import_dossiers_natively_or_by_default_stores_what_the_logs_give(store: Store) -> None:
    items = _simulated(25)
    assert sum(len(events) for _, events in items) > 3 * len(items)
    assert store.import_dossiers(items) == 25
    plain = MemoryStore()  # no BULK_IMPORT: StoreBase's default, create then append
    assert Capability.BULK_IMPORT not in plain.capabilities
    assert plain.import_dossiers(items) == 25
    for dossier, events in items:
        for target in (store, plain):
            got = target.get(dossier.code)
            assert got is not None and got.to_dict() == dossier.to_dict()
            assert [e.hash for e in target.events(dossier.code)] == [e.hash for e in events]
    # A log cut short is refused before any of its dossier is written.
    first, log = items[0]
    empty = MemoryStore()
    with pytest.raises(StoreError, match="does not end at its state"):
        empty.import_dossiers([(first, log[:-1])])
    assert empty.get(first.code) is None
    # The default says what stayed written, and a log that ends right but
    # cannot be replayed (a second receipt in it) leaves nothing of its dossier.
    with pytest.raises(StoreError, match=r"1 dossier\(s\) before it were imported"):
        empty.import_dossiers([items[1], (first, log[:-1])])
    assert empty.get(items[1][0].code) is not None
    with pytest.raises(StoreError, match="a second received event"):
        empty.import_dossiers([(first, [*log[:2], log[0], *log[2:]])])
    assert empty.get(first.code) is None
