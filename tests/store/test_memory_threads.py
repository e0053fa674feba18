"""Threads sharing one in-memory store, through one engine or several.

The in-memory store hands the engine its records to move in place; without
the store's act lock, two threads could both read a dossier at one version,
both move it and both succeed, and the second would hash its event onto a
chain the first had already moved (measured before the lock: 3,004 moves
succeeded for 3,000 dossiers, and ``verify`` found three chains broken).
These tests race threads on purpose, with the interpreter switching threads
every microsecond, and check that each dossier moves once, numbering gives
each receipt its own code, and every chain verifies. Where a race is rare
by nature, a store that pauses after handing out a record (the real
in-memory store, slowed) makes it certain: two threads then read every
dossier at one version unless the engine holds the store's lock.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.errors import ConflictError, InvalidTrigger, ProcflowError
from procflow.model.record import Record
from procflow.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "vn.lien-thong.child-under-6"
DESK = Actor("lan", "commune-pc", "desk-officer")
START = datetime(2026, 3, 3, 8, 0, tzinfo=VN)
THREADS = 6


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_paths([ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"])


@pytest.fixture(autouse=True)
def switch_often() -> Iterator[None]:
    """Switch threads every microsecond, so that the races happen."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _race(work: Callable[[int], None], n: int = THREADS) -> None:
    """Run ``work(i)`` in ``n`` threads started together; re-raise what they raised."""
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


class SlowStore(MemoryStore):
    """The in-memory store, pausing after it hands out a record: another
    thread runs meanwhile, as a busy machine would let it."""

    def record(self, code: str, tz: tzinfo) -> Record | None:
        rec = super().record(code, tz)
        time.sleep(0.0002)
        return rec


def _engine(store: MemoryStore, catalogue: Catalogue) -> Engine:
    return Engine(store, catalogue, WorkCalendar.vietnam(), VirtualClock(START))


@pytest.mark.parametrize("store", [MemoryStore, SlowStore])
def test_racing_moves_on_one_engine_each_move_a_dossier_once(
    catalogue: Catalogue, store: type[MemoryStore]
) -> None:
    engine = _engine(store(), catalogue)
    codes = [
        engine.receive(CHILD, actor=DESK).code for _ in range(300 if store is MemoryStore else 40)
    ]
    engine.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    # one counter per thread (``+=`` on a shared one can lose counts), added up after
    won = [Counter[str]() for _ in range(THREADS)]
    lost = [Counter[str]() for _ in range(THREADS)]

    def work(i: int) -> None:
        for code in codes:
            try:
                engine.fire(code, "forward", DESK)
                won[i][code] += 1
            except (InvalidTrigger, ConflictError) as exc:
                lost[i][type(exc).__name__] += 1

    _race(work)
    moves = sum(won, Counter[str]())
    assert set(moves.values()) == {1} and len(moves) == len(codes)
    assert sum(sum(c.values()) for c in lost) == len(codes) * (THREADS - 1)
    assert engine.verify().problems == []
    for code in codes:
        assert [e.type.value for e in engine.history(code)] == ["received", "moved"]


def test_engines_sharing_a_store_receive_and_move_without_clashing(
    catalogue: Catalogue,
) -> None:
    """Each thread its own engine on one store: receipts get distinct codes,
    numbered 1..N with no gap, and every thread's moves land once."""
    store = MemoryStore()
    engines = [_engine(store, catalogue) for _ in range(THREADS)]
    received: list[list[str]] = [[] for _ in range(THREADS)]

    def receive(i: int) -> None:
        for _ in range(100):
            received[i].append(engines[i].receive(CHILD, actor=DESK).code)

    _race(receive)
    codes = [c for mine in received for c in mine]
    assert len(set(codes)) == len(codes) == 100 * THREADS
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, len(codes) + 1))
    for e in engines:
        e.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    moved = [Counter[str]() for _ in range(THREADS)]  # one per thread, as above

    def move(i: int) -> None:
        for code in codes:  # every engine tries every dossier
            try:
                engines[i].fire(code, "forward", DESK)
                moved[i][code] += 1
            except ProcflowError:
                pass

    _race(move)
    moves = sum(moved, Counter[str]())
    assert set(moves.values()) == {1} and len(moves) == len(codes)
    assert engines[0].verify().problems == []


def test_readers_see_whole_dossiers_while_others_write(catalogue: Catalogue) -> None:
    """Reading (get, history, codes) while another thread receives and moves:
    no error from a dict changing under a reader, and each dossier read is
    whole: the step it is at is the one its own version's event led to."""
    store = MemoryStore()
    writer = _engine(store, catalogue)
    step_after = {1: "reception", 2: "birth-registration"}
    done = threading.Event()
    seen: Counter[int] = Counter()

    def work(i: int) -> None:
        if i == 0:
            for _ in range(400):
                code = writer.receive(CHILD, actor=DESK).code
                writer.fire(code, "forward", DESK)
            done.set()
            return
        reader = _engine(store, catalogue)
        while not done.is_set():
            for code in list(store.codes())[-20:]:
                d = reader.get(code)
                assert d.state == step_after[d.version], (d.code, d.version, d.state)
                assert len(reader.history(code)) >= d.version
                seen[d.version] += 1

    _race(work, 3)
    assert seen[1] + seen[2] > 0
    assert writer.verify().problems == []


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copy_of_the_store_is_a_store_of_its_own(catalogue: Catalogue, how: str) -> None:
    """A copy keeps the dossiers and gets a lock of its own (a lock cannot be
    copied): moving a dossier in the copy leaves the original as it was."""
    import copy
    import pickle

    store = MemoryStore()
    engine = _engine(store, catalogue)
    code = engine.receive(CHILD, actor=DESK).code
    other = copy.deepcopy(store) if how == "deepcopy" else pickle.loads(pickle.dumps(store))
    assert other.act_lock is not store.act_lock
    twin = _engine(other, catalogue)
    twin.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    twin.fire(code, "forward", DESK)
    assert (twin.get(code).version, engine.get(code).version) == (2, 1)
    assert twin.verify().problems == [] and engine.verify().problems == []
