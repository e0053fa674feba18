"""Many engine processes on one PostgreSQL database, for real.

- 4 worker processes fire random valid triggers at the same 200 dossiers for
  a bounded time: afterwards every dossier's chain verifies, replay equals
  the stored state, and the successful fires are exactly the events beyond
  the receipts (no lost update, no duplicated event);
- 4 sweepers at once: every overdue deadline gets exactly one overdue event,
  the same alerts one sweeper alone would write.

This file is also the worker: ``python test_workers_postgres.py fire|sweep
URL ...`` (so the child runs exactly the code under test, ``open_engine`` on
a ``postgresql://`` URL). Each test uses a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))

from procflow.audit.log import check_log
from procflow.engine import Actor, Engine, VirtualClock
from procflow.errors import (
    ConflictError,
    DossierClosed,
    InvalidTrigger,
    NotPermitted,
    RuleViolation,
)
from procflow.model.events import EventType
from procflow.runtime import open_engine

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 3, 3, 8, 0, tzinfo=VN)
CHILD = "vn.lien-thong.child-under-6"
PROCS = str(Path(__file__).resolve().parents[2] / "procedures" / "lien-thong")
DESK = Actor("lan", "commune-pc", "desk-officer")
ACTORS = [DESK, Actor("binh", "commune-police"), Actor("an", "social-insurance")]
WORKERS = 4
DOSSIERS = 200
CLOSING = {"refuse", "withdraw", "stop"}
SECONDS = 6.0
"""How long the fire workers run at most (they stop earlier once every dossier is closed)."""


# --- the worker processes ----------------------------------------------------------------


def fire_worker(url: str, seed: int, seconds: float) -> dict[str, int]:
    """Fire random valid triggers at random dossiers until time is up or all are closed."""
    rng = random.Random(seed)
    engine = open_engine(url, procedures=[PROCS], clock=VirtualClock(START + timedelta(hours=1)))
    codes = list(engine.store.codes())
    fired = lost = 0
    closed: set[str] = set()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and len(closed) < len(codes):
            code = rng.choice(codes)
            dossier = engine.get(code)
            if not dossier.is_open:
                closed.add(code)
                continue
            options = [(t, a) for a in ACTORS for t in engine.available(code, a)]
            if not options:
                continue
            moving = [o for o in options if o[0] not in CLOSING]
            if moving and rng.random() > 0.05:
                options = moving  # mostly move on, so dossiers live long enough to race over
            trigger, actor = rng.choice(options)
            try:
                engine.fire(code, trigger, actor, expected_version=dossier.version)
                fired += 1
            except (ConflictError, InvalidTrigger, NotPermitted, DossierClosed, RuleViolation):
                # Another worker moved it between our read and our fire.
                lost += 1
    finally:
        engine.store.close()
    return {"fired": fired, "lost": lost}


def sweep_worker(url: str, now: datetime) -> dict[str, int]:
    """Sweep until a round emits nothing; report what this process emitted."""
    engine = open_engine(url, procedures=[PROCS], clock=VirtualClock(START))
    emitted: Counter[str] = Counter()
    try:
        while events := engine.sweep(now, limit=50):
            emitted.update(e.type.value for e in events)
    finally:
        engine.store.close()
    return dict(emitted)


def _child_main(argv: list[str]) -> None:
    mode, url = argv[0], argv[1]
    print("ready", flush=True)
    sys.stdin.readline()  # the parent starts all workers at once
    if mode == "fire":
        result = fire_worker(url, int(argv[2]), float(argv[3]))
    else:
        result = sweep_worker(url, datetime.fromisoformat(argv[2]))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    _child_main(sys.argv[1:])
    sys.exit(0)


# --- the tests ------------------------------------------------------------------------------

import pytest  # noqa: E402
from store_postgres import PostgresSchema, postgres_url  # noqa: E402

from procflow.calendar import WorkCalendar  # noqa: E402
from procflow.catalogue import Catalogue  # noqa: E402
from procflow.store import MemoryStore  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_schema() -> Iterator[PostgresSchema]:
    schema = PostgresSchema(postgres_url())
    yield schema
    schema.drop()


def run_together(args: list[list[str]], timeout: float = 60) -> list[dict[str, int]]:
    """Start one child per argument list, release them at once, return their JSON lines."""
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, *a],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for a in args
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def receive_all(engine: Engine, n: int) -> list[str]:
    return [engine.receive(CHILD, actor=DESK).code for _ in range(n)]


def test_four_workers_fire_at_the_same_200_dossiers(pg_schema: PostgresSchema) -> None:
    engine = open_engine(pg_schema.url, procedures=[PROCS], clock=VirtualClock(START))
    try:
        codes = receive_all(engine, DOSSIERS)
        results = run_together(
            [["fire", pg_schema.url, str(seed), str(SECONDS)] for seed in range(WORKERS)]
        )
        fired = sum(r["fired"] for r in results)
        assert fired > DOSSIERS  # they really did work...
        assert sum(r["lost"] for r in results) > 0  # ...and really did race

        report = engine.verify()  # every chain, and replay == stored state
        assert report.ok, report.problems[:10]
        assert report.checked == DOSSIERS
        events = [e for code in codes for e in engine.history(code)]
        receipts = sum(1 for e in events if e.type is EventType.RECEIVED)
        assert receipts == DOSSIERS
        assert len(events) - receipts == fired  # each success wrote one event, no more
        for code in codes:
            assert engine.replay(code).to_dict() == engine.get(code).to_dict()
        # The log numbered every committed event once, in a total order with
        # no gaps, however the workers raced: one position per event.
        assert check_log(engine.store, codes) == []
        top, count = engine.store.log_extent()  # type: ignore[attr-defined]
        assert top == count == len(events)
    finally:
        engine.store.close()


def test_four_sweepers_write_each_overdue_alert_exactly_once(pg_schema: PostgresSchema) -> None:
    n = 300
    engine = open_engine(pg_schema.url, procedures=[PROCS], clock=VirtualClock(START))
    # The same dossiers in memory, swept by one sweeper alone: what must be written.
    reference = Engine(
        MemoryStore(), Catalogue.from_paths([PROCS]), WorkCalendar.vietnam(), VirtualClock(START)
    )
    try:
        codes = receive_all(engine, n)
        assert receive_all(reference, n) == codes
        now = START + timedelta(days=10)  # every deadline has passed

        results = run_together([["sweep", pg_schema.url, now.isoformat()]] * WORKERS)
        written: Counter[str] = Counter()
        for r in results:
            written.update(r)
        expected = Counter(e.type.value for e in reference.sweep(now, limit=10_000))
        assert expected["overdue"] >= n and written == expected
        assert sum(1 for r in results if r) > 1  # the work really was shared

        alerts: Counter[tuple[str, str]] = Counter()
        for code in codes:
            for e in engine.history(code):
                if e.type in (EventType.OVERDUE, EventType.WARNED):
                    alerts[(code, e.data["alert"])] += 1
        assert max(alerts.values()) == 1  # no alert written twice
        overdue = Counter(code for code, key in alerts if key.startswith("overdue:dossier"))
        assert set(overdue) == set(codes) and set(overdue.values()) == {1}
        assert engine.sweep(now) == []  # nothing left to say
        report = engine.verify()
        assert report.ok, report.problems[:10]
    finally:
        engine.store.close()
