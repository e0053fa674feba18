"""The in-memory store lets closed dossiers' records go and compacts their
logs in batches: what it gives back must be what a store that keeps
everything as it is gives, for every dossier, across many batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store import MemoryStore
from procflow.store.memory import _Shelf

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = Catalogue.from_paths([Path(__file__).resolve().parents[2] / "procedures"])


def run(store: MemoryStore, n: int) -> tuple[Engine, list[str]]:
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(store, CATALOGUE, WorkCalendar.vietnam(), clock)
    desk = Actor("lan", "commune-pc", "desk-officer")
    codes = []
    for i in range(n):
        slip = engine.receive("vn.lien-thong.child-under-6", actor=desk, applicant={"i": i})
        clock.advance(timedelta(minutes=3))
        if i % 3:
            engine.fire(slip.code, "forward", desk)
            clock.advance(timedelta(minutes=3))
        if i % 5:
            engine.fire(slip.code, "withdraw", desk, note=f"rút hồ sơ {i}")
        codes.append(slip.code)
    return engine, codes


def test_closed_dossiers_read_back_across_batches() -> None:
    n = 3 * _Shelf.BATCH + 17  # about two batches of closed dossiers, and some pending
    compact, codes = run(MemoryStore(), n)
    kept, same = run(MemoryStore(compress_closed=False), n)
    assert codes == same
    for code in codes:
        assert compact.get(code).to_dict() == kept.get(code).to_dict()
        assert [e.to_dict() for e in compact.history(code)] == [
            e.to_dict() for e in kept.history(code)
        ]
    report = compact.verify()
    assert report.ok and report.checked == n


def test_a_store_with_compacted_batches_copies_and_carries_on() -> None:
    """A copy (``deepcopy``, ``pickle``) of a store that has compacted batches
    reads them back, and compacts the next batch itself: the compressor, made
    on the first batch, is not part of the copy."""
    import copy
    import pickle

    n = 2 * _Shelf.BATCH  # four in five close: one batch compacted, some pending
    store = MemoryStore()
    _, codes = run(store, n)
    assert len(store._closed._batches) == 1 and store._closed._zc is not None
    for other in (copy.deepcopy(store), pickle.loads(pickle.dumps(store))):
        for code in codes:
            assert other.get(code).to_dict() == store.get(code).to_dict()
        engine, more = run(other, _Shelf.BATCH)  # enough closed for another batch
        assert len(other._closed._batches) > len(store._closed._batches)
        assert engine.verify().ok
        assert all(other.get(code) is not None for code in more)
