"""Benchmark the audit log: a checkpoint of a log of a million events, and proofs.

    python bench/bench_audit.py [--events N] [--repeat R] [--json]

A SQLite database (the real store, its migrations) gets N log entries
written straight into its log table (synthetic hashes: a checkpoint reads
only the log), then a few real dossiers through the engine on top. Measured,
medians of R:

- ``read``: reading the N entries' hashes and making their leaves, nothing
  else: the floor of any checkpoint that reads the log;
- ``checkpoint (cold)``: procflow checkpoint on a database that never gave
  one (every subtree hashed, the remembered nodes written);
- ``checkpoint (warm)``: the next one, 1,000 events later;
- ``proof``: ``procflow prove`` of a real dossier (its events and their
  inclusion proofs against the latest checkpoint), from a fresh store
  object, as the command runs it;
- ``consistency``: a consistency proof between the two checkpoints.

Targets (issue 20): a checkpoint of 1,000,000 events under 2 s, a proof under 10 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def build(path: Path, n: int) -> list[str]:
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.store.sqlite import SQLiteStore

    store = SQLiteStore(path)
    conn = store._connection()
    rows = (
        (i, f"SYNTH-{i // 10:07d}", i % 10 + 1, hashlib.sha256(i.to_bytes(8, "big")).hexdigest())
        for i in range(n)
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO log (position, code, seq, hash) VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(
        store, Catalogue.from_paths([ROOT / "procedures"]), WorkCalendar.vietnam(), clock
    )
    desk = Actor("lan", "commune-pc", "desk-officer")
    codes = []
    for _ in range(5):
        slip = engine.receive("vn.lien-thong.child-under-6", actor=desk)
        clock.advance(timedelta(minutes=5))
        engine.fire(slip.code, "forward", desk)
        codes.append(slip.code)
    store.close()
    return codes


def more(path: Path, k: int) -> None:
    from procflow.store.sqlite import SQLiteStore

    store = SQLiteStore(path)
    conn = store._connection()
    top = conn.execute("SELECT MAX(position) + 1 FROM log").fetchone()[0]
    rows = (
        (top + i, f"MORE-{i // 10:07d}", i % 10 + 1, hashlib.sha256(b"m" + bytes(i)).hexdigest())
        for i in range(k)
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO log (position, code, seq, hash) VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    store.close()


def run(n: int) -> dict[str, Any]:
    from procflow.audit.log import StoreLeaves, make_checkpoint, tree
    from procflow.audit.proof import prove
    from procflow.store.sqlite import SQLiteStore

    out: dict[str, Any] = {"events": n}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.db"
        codes = build(path, n)
        store = SQLiteStore(path)
        size = store.log_extent()[0]
        t = time.perf_counter()
        leaves = StoreLeaves(store)
        for start in range(0, size, 65536):
            leaves.leaves(start, min(start + 65536, size))
        out["read_s"] = time.perf_counter() - t
        now = datetime(2026, 12, 2, tzinfo=VN)
        t = time.perf_counter()
        first = make_checkpoint(store, "bench", now)
        out["checkpoint_cold_s"] = time.perf_counter() - t
        store.close()
        more(path, 1000)
        store = SQLiteStore(path)
        t = time.perf_counter()
        second = make_checkpoint(store, "bench", now + timedelta(days=1))
        out["checkpoint_warm_s"] = time.perf_counter() - t
        store.close()
        proofs = []
        for i in range(30):
            t = time.perf_counter()
            s = SQLiteStore(path, cache_size=0)
            prove(s, codes[i % len(codes)])
            s.close()
            proofs.append(time.perf_counter() - t)
        out["proof_ms"] = statistics.median(proofs) * 1000
        s = SQLiteStore(path)
        t = time.perf_counter()
        tree(s).consistency_proof(first.size, second.size)
        out["consistency_ms"] = (time.perf_counter() - t) * 1000
        s.close()
        out["size"] = second.size
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    runs = [run(args.events) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "events"}
    med["events"] = args.events
    if args.json:
        print(json.dumps(med, indent=2))
        return 0
    print(f"log of {args.events:,} events (medians of {args.repeat}):")
    print(f"  reading the log's leaves (the floor):  {med['read_s']:.2f} s")
    cold = med["checkpoint_cold_s"]
    print(f"  checkpoint, first (every node hashed): {cold:.2f} s (target < 2 s)")
    print(f"  checkpoint, 1,000 events later:        {med['checkpoint_warm_s'] * 1000:.1f} ms")
    print(f"  proof of a dossier (procflow prove):   {med['proof_ms']:.1f} ms (target < 10 ms)")
    print(f"  consistency proof between the two:     {med['consistency_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
