"""Durability of the engine on real SQLite files, with real processes.

- kill -9 in the middle of a run loses no acknowledged transition and leaves
  no half-written dossier;
- two processes firing on the same dossiers: exactly one wins each move, no
  update is lost, no event is written twice;
- a dossier keeps the procedure version it was received under.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from enginetest import CHILD, DESK, PC, ROOT, VN, load

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.store import SQLiteStore

WORKER = str(Path(__file__).with_name("engine_worker.py"))
PROCS = str(ROOT / "procedures" / "lien-thong")


def test_kill_9_loses_no_acknowledged_transition(tmp_path: Path) -> None:
    db = str(tmp_path / "crash.db")
    for round_ in range(3):
        proc = subprocess.Popen(
            [sys.executable, WORKER, db, PROCS, "crash"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        acked: dict[str, int] = {}
        deadline = time.monotonic() + 60
        # Let it run for a while (more each round), then kill it mid-flight.
        while len(acked) < 3 + 2 * round_ or sum(acked.values()) < 20 * (round_ + 1):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "worker died"
            _, code, version = line.split()
            acked[code] = int(version)
            assert time.monotonic() < deadline
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # Lines acknowledged after we stopped reading are in the pipe: count them too.
        for line in proc.stdout.read().splitlines():
            _, code, version = line.split()
            acked[code] = int(version)

        store = SQLiteStore(db)
        try:
            engine = Engine(
                store,
                Catalogue([load("procedures/lien-thong/child-under-6.yaml")]),
                WorkCalendar.vietnam(),
            )
            for code, version in acked.items():
                stored = engine.get(code)
                assert stored.version >= version, (code, stored.version, version)
            report = engine.verify()
            assert report.ok, report.problems
            assert report.checked >= len(acked)
        finally:
            store.close()


def test_two_processes_race_on_the_same_dossiers(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    catalogue = Catalogue([load("procedures/lien-thong/child-under-6.yaml")])
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    with SQLiteStore(db) as store:
        engine = Engine(store, catalogue, WorkCalendar.vietnam(), clock)
        codes = [engine.receive(CHILD, actor=DESK).code for _ in range(40)]

    procs = [
        subprocess.Popen(
            [sys.executable, WORKER, str(db), PROCS, "race", "12"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:  # both are up before either gets its work
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(" ".join(codes))
        p.stdin.close()
    outputs = [(p.stdout.read(), p.stderr.read()) for p in procs if p.stdout and p.stderr]
    for p in procs:
        p.wait(timeout=120)
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err

    conflicts = sum(out.count("conflict") for out, _ in outputs)
    wins: dict[tuple[str, int], int] = {}
    for out, _ in outputs:
        for line in out.splitlines():
            verdict, code, version = line.split()
            if verdict == "won":
                wins[(code, int(version))] = wins.get((code, int(version)), 0) + 1
    assert all(n == 1 for n in wins.values()), "a move was won twice"
    assert conflicts > 0, "the two workers never raced; the test proves nothing"

    with SQLiteStore(db) as store:
        engine = Engine(store, catalogue, WorkCalendar.vietnam(), clock)
        for code in codes:
            dossier = engine.get(code)
            events = engine.history(code)
            # Every move either process won is in the log exactly once, and
            # nothing else is: no lost update, no duplicate.
            assert [e.seq for e in events] == list(range(1, dossier.version + 1))
            assert {v for (c, v) in wins if c == code} == set(range(2, dossier.version + 1))
            assert dossier.outcome == "returned"
        assert engine.verify().ok


def test_two_processes_receiving_at_once_never_share_a_number(tmp_path: Path) -> None:
    # Each receipt takes its number and stores its dossier in one transaction:
    # two desks' processes on one file get distinct, gapless numbers.
    db = tmp_path / "numbers.db"
    SQLiteStore(db).close()
    procs = [
        subprocess.Popen(
            [sys.executable, WORKER, str(db), PROCS, "receive", "100"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.close()
    outputs = [(p.stdout.read(), p.stderr.read()) for p in procs if p.stdout and p.stderr]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.wait(timeout=120) == 0, err
    codes = [code for out, _ in outputs for code in out.split()]
    assert len(codes) == len(set(codes)) == 200
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, 201))
    # The first code of each is its warm-up receipt; the rest were taken in the race.
    raced = [sorted(int(c.rsplit("-", 1)[1]) for c in out.split()[1:]) for out, _ in outputs]
    assert any(n[-1] - n[0] >= len(n) for n in raced), "they never overlapped; proves nothing"
    catalogue = Catalogue([load("procedures/lien-thong/child-under-6.yaml")])
    with SQLiteStore(db) as store:
        engine = Engine(store, catalogue, WorkCalendar.vietnam())
        assert store.count() == 200
        assert engine.verify().ok


def test_dossier_keeps_its_procedure_version(calendar: WorkCalendar) -> None:
    old = load("procedures/lien-thong/child-under-6.yaml")
    old = old.model_copy(update={"effective_to": date(2026, 3, 31)})
    # The new version drops the reception step: dossiers start at birth-registration.
    new = old.model_copy(
        update={
            "version": "2026-04",
            "effective_from": date(2026, 4, 1),
            "effective_to": None,
            "start": "birth-registration",
            "steps": old.steps[1:],
        }
    )
    catalogue = Catalogue([old, new])
    clock = VirtualClock(datetime(2026, 3, 31, 9, 0, tzinfo=VN))
    from procflow.store import MemoryStore

    engine = Engine(MemoryStore(), catalogue, calendar, clock)
    before = engine.receive(CHILD, actor=DESK)
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=VN))
    after = engine.receive(CHILD, actor=DESK)
    assert before.procedure_version == old.version
    assert after.procedure_version == "2026-04"
    assert engine.get(before.code).state == "reception"
    assert engine.get(after.code).state == "birth-registration"
    # The old dossier still runs by the old version's steps.
    engine.fire(before.code, "forward", DESK)
    assert engine.get(before.code).state == "birth-registration"
    engine.fire(after.code, "register", PC)
    assert engine.get(after.code).state == "to-police"


def test_engine_memory_does_not_grow_with_stored_dossiers(tmp_path: Path) -> None:
    import gc
    import tracemalloc

    catalogue = Catalogue([load("procedures/lien-thong/child-under-6.yaml")])
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    # The store remembers the states it wrote last, up to cache_size of them
    # (what makes the next fire on them cheap); past that, nothing grows.
    with SQLiteStore(tmp_path / "many.db", cache_size=50) as store:
        engine = Engine(store, catalogue, WorkCalendar.vietnam(), clock)

        def batch(n: int) -> None:
            for _ in range(n):
                code = engine.receive(CHILD, actor=DESK).code
                engine.fire(code, "forward", DESK)
                engine.fire(code, "register", PC)

        batch(100)  # warm up caches (warning instants, sequence scopes)
        gc.collect()
        tracemalloc.start()
        batch(100)
        gc.collect()
        after_first, _ = tracemalloc.get_traced_memory()
        batch(300)
        gc.collect()
        after_more, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # 300 more dossiers in the store; the engine itself holds none of them.
    assert after_more - after_first < 64 * 1024, (after_first, after_more)


def test_catalogue_cache_gives_the_same_procedures(tmp_path: Path) -> None:
    cold = Catalogue.from_paths([ROOT / "procedures"], cache_dir=tmp_path / "cache")
    assert any((tmp_path / "cache").rglob("*.json"))
    warm = Catalogue.from_paths([ROOT / "procedures"], cache_dir=tmp_path / "cache")
    assert sorted(c.key for c in warm) == sorted(c.key for c in cold)
    for compiled in cold:
        again = warm.get(compiled.id, compiled.version)
        assert again.procedure == compiled.procedure
        assert again.table == compiled.table
