"""Benchmark the reports on a database of finished dossiers.

    python bench/bench_reports.py [--dossiers 100000] [--db PATH] [--repeat 3] [--json]

1. Build (or reuse) an SQLite database of ``--dossiers`` dossiers of the
   lien-thong procedure (8 steps, 3 agencies), run through the real engine on
   virtual clocks in batches of 5,000 on a MemoryStore, then written with
   every event into SQLite in one transaction per batch (the same rows the
   SQLite store writes). Seeded: about 12 % get a supplement request, 3 % an
   apology, 2 % are withdrawn, 1 % refused; step times vary so that some
   steps and dossiers are late; receipts spread over 2025-2026 (Tết included).
2. In a fresh subprocess, time the full report (``build_report`` on the whole
   database, no filters: every dossier streamed) ``--repeat`` times and the
   HTML rendering once, and report the median and the peak memory
   (``ru_maxrss``) of that subprocess.

Target (issue 6): under 5 s for 100,000 finished dossiers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
VN = ZoneInfo("Asia/Ho_Chi_Minh")
BATCH = 5000


def build_db(path: Path, n: int, seed: int = 6) -> None:
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.compiler import compile_procedure
    from procflow.definition.loader import read_procedure
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.store import MemoryStore
    from procflow.store.records import DOSSIER_COLUMNS, EVENT_COLUMNS, dossier_row, event_row
    from procflow.store.sqlite import SQLiteStore

    proc = compile_procedure(read_procedure(ROOT / "procedures/lien-thong/child-under-6.yaml"))
    catalogue = Catalogue([proc])
    calendar = WorkCalendar.vietnam()
    desk = Actor("lan", "commune-pc", "desk-officer")
    pc = Actor("hoa", "commune-pc", "justice-officer")
    police = Actor("binh", "commune-police", "residence-officer")
    bhxh = Actor("an", "social-insurance", "card-officer")
    rng = random.Random(seed)
    days = [
        d
        for d in (date(2025, 1, 2) + timedelta(i) for i in range(700))
        if calendar.is_working_day(d)
    ]

    SQLiteStore(path).close()  # create the schema
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    ins_d = (
        f"INSERT INTO dossiers ({', '.join(DOSSIER_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in DOSSIER_COLUMNS)})"
    )
    ins_e = (
        f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
    )

    def step(clock: VirtualClock, mean_hours: float) -> None:
        clock.advance(minutes=max(5.0, rng.expovariate(1 / mean_hours) * 60))

    started = time.perf_counter()
    done = 0
    batch_no = 0
    while done < n:
        size = min(BATCH, n - done)
        store = MemoryStore()
        engine = Engine(store, catalogue, calendar, agency_codes={"commune-pc": f"B{batch_no:03d}"})
        for _ in range(size):
            day = rng.choice(days)
            start = datetime(day.year, day.month, day.day, 7, 30, tzinfo=VN) + timedelta(
                minutes=rng.randrange(0, 540)
            )
            clock = engine.clock = VirtualClock(start)
            code = engine.receive(proc.id, actor=desk, applicant={"name": "A"}).code
            step(clock, 1)
            engine.fire(code, "forward", desk)
            r = rng.random()
            if r < 0.02:
                step(clock, 2)
                engine.fire(code, "withdraw", desk)
                continue
            step(clock, 3)
            if r < 0.03:
                engine.fire(code, "refuse", pc)
                continue
            if r < 0.15:
                engine.fire(code, "request_supplement", pc, missing=["Giấy chứng sinh"])
                step(clock, 20)
                engine.fire(code, "resubmit", pc)
                step(clock, 2)
            engine.fire(code, "register", pc)
            step(clock, 1)
            engine.fire(code, "send", pc)
            if rng.random() < 0.03:
                with contextlib.suppress(Exception):
                    engine.apologise(
                        code,
                        police,
                        reason="verification",
                        new_appointment=engine.get(code).due_at + timedelta(days=3),
                    )
            step(clock, 6 if rng.random() < 0.85 else 30)
            engine.fire(code, "register", police)
            step(clock, 1)
            engine.fire(code, "send", police)
            step(clock, 4)
            engine.fire(code, "issue", bhxh)
            step(clock, 1)
            engine.fire(code, "send", bhxh)
            step(clock, 10)
            engine.fire(code, "hand_over", desk)
        drows, erows = [], []
        for code in store.codes():
            d = store.get(code)
            assert d is not None and not d.is_open
            drows.append(dossier_row(d, None))
            erows.extend(event_row(e) for e in store.events(code))
        conn.execute("BEGIN")
        conn.executemany(ins_d, drows)
        conn.executemany(ins_e, erows)
        conn.execute("COMMIT")
        done += size
        batch_no += 1
        print(f"  {done:>7} dossiers ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    conn.close()


def measure(db: str, repeat: int, workers: int) -> dict[str, object]:
    from procflow.calendar import WorkCalendar
    from procflow.reports import build_report
    from procflow.reports.html import render_html
    from procflow.store.sqlite import SQLiteStore

    calendar = WorkCalendar.vietnam()
    store = SQLiteStore(db)
    times, cpu = [], []
    report = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_report(store, calendar=calendar, workers=workers)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert report is not None
    t0 = time.perf_counter()
    html = render_html(report)
    html_s = time.perf_counter() - t0
    t = report.rates.total
    return {
        "dossiers": store.count(),
        "finished": t.finished,
        "rate": t.rate,
        "late": t.late,
        "step_visits": sum(s.visits for s in report.bottlenecks.steps),
        "seconds": times,
        "median_s": statistics.median(times),
        "cpu_s": cpu,
        "median_cpu_s": statistics.median(cpu),
        "load_average": os.getloadavg()[0],
        "html_s": html_s,
        "html_bytes": len(html.encode()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers": workers,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--db", default=None, help="database to build or reuse")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--workers", type=int, default=2, help="processes for the report (1 = one pass)"
    )
    ap.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat, args.workers)))
        return 0
    db = Path(args.db or f"/tmp/procflow-bench-reports-{args.dossiers}.db")
    if not db.exists():
        print(f"building {db} with {args.dossiers} dossiers ...", file=sys.stderr)
        t0 = time.perf_counter()
        build_db(db, args.dossiers)
        print(f"built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            str(db),
            "--repeat",
            str(args.repeat),
            "--workers",
            str(args.workers),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["db_mb"] = round(db.stat().st_size / 2**20, 1)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"report on {result['dossiers']:,} dossiers ({result['finished']:,} finished, "
            f"{result['step_visits']:,} step visits; db {result['db_mb']} MB): "
            f"median {result['median_s']:.2f} s of {args.repeat} "
            f"({', '.join(f'{s:.2f}' for s in result['seconds'])}); "
            f"CPU median {result['median_cpu_s']:.2f} s (load average "
            f"{result['load_average']:.1f} on {os.cpu_count()} cores); "
            f"HTML {result['html_s'] * 1000:.0f} ms; peak RSS {result['peak_rss_mb']:.0f} MB; "
            f"target < 5 s: {'met' if result['median_s'] < 5 else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
