"""Benchmark an agency's worklist against loading its open dossiers in Python.

    python bench/bench_worklist.py [--dossiers N] [--open M] [--repeat R] [--json]

Builds a SQLite file of N dossiers (default 1,000,000), M of them open
(default 200,000), spread over the child-under-6 liên thông bundle's steps
and its three agencies, then times, in the same run:

(w) ``engine.worklist(agency=..., limit=50)``: the agency's first page,
    soonest deadline first, from the worklist columns and their partial index;
(p) what a desk did before: read every open dossier
    (``store.iter_dossier_dicts(open_only=True)``), keep the agency's, sort
    them by their nearest deadline in Python, take the first 50.

Both give the same page (checked). Quoted: medians in milliseconds and
(p)/(w). Target (issue 22): (p)/(w) >= 50.

The file is built from real dossiers: a few are run through the engine, and
their stored rows are copied with new codes and deadlines (the worklist
columns and the JSON body agree, as the engine writes them).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
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
CHILD = "vn.lien-thong.child-under-6"
AGENCIES = ("commune-pc", "commune-police", "social-insurance")


def templates() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Open dossiers at each agency's steps, and one closed dossier, as the
    engine stores them (``Dossier.to_dict()``)."""
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.store import MemoryStore

    catalogue = Catalogue.from_paths([ROOT / "procedures" / "lien-thong"])
    clock = VirtualClock(datetime(2026, 3, 3, 8, tzinfo=VN))
    engine = Engine(MemoryStore(), catalogue, WorkCalendar.vietnam(), clock)
    desk = Actor("lan", "commune-pc", "desk-officer")
    officers = {a: Actor("x", a) for a in AGENCIES}
    opened: list[dict[str, Any]] = []
    closed: dict[str, Any] | None = None
    for _ in range(6):
        code = engine.receive(CHILD, actor=desk).code
        while True:
            d = engine.get(code)
            if not d.is_open:
                closed = d.to_dict()
                break
            opened.append(d.to_dict())
            holder = d.holder or "commune-pc"
            actor = desk if d.state == "reception" else officers[holder]
            moves = [
                m
                for m in engine.available(code, actor)
                if m not in ("withdraw", "stop", "refuse", "request_supplement")
            ]
            if not moves:
                break
            clock.advance(timedelta(hours=2))
            engine.fire(code, moves[0], actor)
    assert closed is not None
    return opened, closed


def build(path: Path, n: int, n_open: int, seed: int = 1) -> None:
    """The database: ``n`` dossiers, ``n_open`` open, rows as the engine writes them."""
    from procflow.model.dossier import Dossier
    from procflow.store import SQLiteStore
    from procflow.store.records import DOSSIER_COLUMNS, dossier_row

    SQLiteStore(path).close()  # the schema
    opened, closed = templates()
    rng = random.Random(seed)
    base = datetime(2026, 3, 3, 8, tzinfo=VN)
    insert = (
        f"INSERT INTO dossiers ({', '.join(DOSSIER_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in DOSSIER_COLUMNS)})"
    )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    closed_text = json.dumps(closed, ensure_ascii=False)
    closed_row = dossier_row(Dossier.from_dict(closed), None)
    open_every = n // max(n_open, 1)
    batch: list[tuple[Any, ...]] = []
    made_open = 0
    for i in range(n):
        code = f"BENCH-{i:08d}"
        if made_open < n_open and i % open_every == 0:
            made_open += 1
            data = dict(rng.choice(opened))
            data["code"] = code
            shift = timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            for key in ("received_at", "due_at", "state_entered_at", "step_due_at"):
                if data.get(key):
                    data[key] = (datetime.fromisoformat(data[key]) + shift).isoformat()
            row = dossier_row(Dossier.from_dict(data), None)
        else:
            row = (
                code,
                *closed_row[1:12],
                closed_text.replace(closed["code"], code),
                *closed_row[13:],
            )
        batch.append(row)
        if len(batch) >= 20_000:
            conn.executemany(insert, batch)
            conn.commit()
            batch.clear()
    if batch:
        conn.executemany(insert, batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    _ = base


def first_page_python(store: Any, agency: str, limit: int) -> list[str]:
    """(p): the open dossiers read and sorted in Python."""
    from procflow.model.dossier import Dossier

    mine = []
    for data in store.iter_dossier_dicts(open_only=True):
        d = Dossier.from_dict(data)
        if d.holder != agency:
            continue
        deadline = d.due_at if d.step_due_at is None or d.due_at < d.step_due_at else d.step_due_at
        mine.append((deadline, d.code))
    mine.sort()
    return [code for _, code in mine[:limit]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=200_000, dest="n_open")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Engine, VirtualClock
    from procflow.store import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "worklist.db"
        t0 = time.perf_counter()
        build(path, args.dossiers, args.n_open)
        built = time.perf_counter() - t0
        print(f"built {args.dossiers:,} dossiers ({args.n_open:,} open) in {built:.0f} s",
              file=sys.stderr)  # fmt: skip
        store = SQLiteStore(path, read_only=True)
        catalogue = Catalogue.from_paths([ROOT / "procedures" / "lien-thong"])
        now = datetime(2026, 4, 1, 9, tzinfo=VN)
        engine = Engine(store, catalogue, WorkCalendar.vietnam(), VirtualClock(now))
        agency = "commune-police"
        lean, python = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            page = engine.worklist(agency=agency, limit=args.limit, now=now)
            lean.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            slow = first_page_python(store, agency, args.limit)
            python.append((time.perf_counter() - t) * 1000)
            assert [i.code for i in page] == slow, "the two pages differ"
        store.close()
    w, p = statistics.median(lean), statistics.median(python)
    result = {
        "dossiers": args.dossiers,
        "open": args.n_open,
        "page": args.limit,
        "worklist_ms": round(w, 2),
        "python_ms": round(p, 1),
        "ratio": round(p / w, 1),
        "target_ratio": 50,
        "met": p / w >= 50,
        "build_s": round(built, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"(w) worklist, first page of {args.limit}: {w:.2f} ms (median of {args.repeat})\n"
            f"(p) load the open dossiers, sort in Python: {p:.0f} ms\n"
            f"(p)/(w) = {p / w:.0f}  (target >= 50): {'met' if p / w >= 50 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
