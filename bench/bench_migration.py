"""Benchmark migrating in-flight dossiers to a new procedure version.

    python bench/bench_migration.py [--dossiers N] [--store memory|sqlite|both] [--json]

Builds N open dossiers of the example procedure (examples/versions, version
2021-01) spread over its five open steps (reception, review, supplement with
the clock paused, approval, return), then migrates them to version 2025-07
with examples/versions/mapping.yaml: first a dry run, then the real run (one
``migrated`` event per dossier, each its own atomic store call), then
checks a sample with ``engine.verify``.

Each store variant runs in a fresh subprocess, so its peak memory is its own.
Reported: seconds for the dry run and the migration, dossiers per second,
peak memory of the migration alone (tracemalloc, Python allocations) and
the process's peak RSS (everything, including building the N dossiers).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "versions"
PID = "vn.example.household-business"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PATHS = [
    [],
    ["forward"],
    ["forward", "request_supplement"],
    ["forward", "propose"],
    ["forward", "propose", "sign"],
]


def run(n: int, store_kind: str) -> dict[str, object]:
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.store import MemoryStore, SQLiteStore
    from procflow.versions import load_mapping, migrate

    tmp = tempfile.TemporaryDirectory()
    store = MemoryStore() if store_kind == "memory" else SQLiteStore(Path(tmp.name) / "b.db")
    clock = VirtualClock(datetime(2025, 6, 2, 8, 0, tzinfo=VN))
    engine = Engine(store, Catalogue.from_paths([EXAMPLES]), WorkCalendar.vietnam(), clock)
    desk = Actor("lan", "district-pc")
    t0 = time.perf_counter()
    for i in range(n):
        code = engine.receive(PID, actor=desk).code
        for trigger in PATHS[i % len(PATHS)]:
            engine.fire(code, trigger, desk)
    build = time.perf_counter() - t0
    clock.set(datetime(2025, 7, 1, 8, 0, tzinfo=VN))
    mapping = load_mapping(EXAMPLES / "mapping.yaml")

    t0 = time.perf_counter()
    dry = migrate(engine, mapping, dry_run=True)
    dry_s = time.perf_counter() - t0
    del dry

    tracemalloc.start()
    t0 = time.perf_counter()
    report = migrate(engine, mapping, actor=Actor("hoa", "commune-pc"))
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert report.migrated == n, (report.migrated, report.skipped, report.conflicts)
    sample = [m.code for m in report.moves[:: max(1, n // 200)]]
    assert engine.verify(sample).ok
    by_state = {f"{a}->{b}": k for a, b, k in report.by_state()}
    store.close()
    tmp.cleanup()
    return {
        "store": store_kind,
        "dossiers": n,
        "build_seconds": round(build, 2),
        "dry_run_seconds": round(dry_s, 2),
        "migration_seconds": round(seconds, 2),
        "dossiers_per_second": round(n / seconds),
        "migration_peak_mb": round(peak / 2**20, 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "by_state": by_state,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--store", choices=["memory", "sqlite", "both"], default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.dossiers, args.child)))
        return
    kinds = ["memory", "sqlite"] if args.store == "both" else [args.store]
    results = []
    for kind in kinds:
        out = subprocess.run(
            [sys.executable, __file__, "--dossiers", str(args.dossiers), "--child", kind],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(
            f"{r['store']:>6}: {r['dossiers']:,} dossiers migrated in {r['migration_seconds']} s "
            f"({r['dossiers_per_second']:,}/s; dry run {r['dry_run_seconds']} s), "
            f"migration peak {r['migration_peak_mb']} MB (tracemalloc), "
            f"process peak RSS {r['process_peak_rss_mb']} MB; built in {r['build_seconds']} s"
        )
        print(f"        by step: {r['by_state']}")


if __name__ == "__main__":
    main()
