"""Durable transitions per second on PostgreSQL, with 1, 2 and 4 engine processes.

    python bench/bench_postgres.py [--url URL] [--dossiers N] [--repeat R] [--json]

Every variant runs in fresh subprocesses, on the workload of
``bench_engine.py`` (an 8-step, three-agency procedure with one supplement
round: ten events per dossier, each one durable commit):

``pg-1``, ``pg-2``, ``pg-4``
    procflow on ``PostgresStore``: 1, 2 or 4 worker processes on one database
    (a fresh schema), each receiving and moving its own N dossiers, released
    at once. Rate = all transitions / (last worker's end - first worker's start).
``sqlite-1``
    procflow on ``SQLiteStore`` (WAL, ``synchronous=FULL``), one process.
``raw-psycopg``
    plain psycopg 3 writing the same rows into the same tables (same indexes
    and triggers): one transaction per transition holding the dossier insert
    or version-checked update (every column, the worklist's too), the event
    insert, its place in the log and, for an event that notifies, its outbox
    row, pipelined (the statements and the commit in one round trip). The
    rows are built by procflow's own row functions, untimed, and
    ``tests/bench/test_raw_rows.py`` checks they are the rows procflow writes.

Each figure is the median of R repeats. Targets (issue 8): pg-4 / pg-1 >= 2
on this 2-core machine; pg-1 / raw-psycopg >= 0.5.

The server is ``--url`` (default ``$PROCFLOW_TEST_POSTGRES`` or
``postgresql://postgres@127.0.0.1:5432/test``); every run uses a schema of
its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_engine as be  # noqa: E402  (the workload, shared with the engine benchmark)

DEFAULT_URL = (
    os.environ.get("PROCFLOW_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"
)


# --- children ------------------------------------------------------------------------------


def child_pg(url: str, schema: str, n: int) -> dict[str, Any]:
    import procflow.engine  # noqa: F401  (engine before store: import order)
    from procflow.store.postgres import PostgresStore

    store = PostgresStore(url, schema=schema, pool_size=1)
    engine, _, _ = be._engine(store)  # compile and warm up outside the timing
    del engine
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.time()
    out = be.run_procflow(n, store)
    out.update(start=start, end=time.time(), transitions=n * be.EVENTS_PER_DOSSIER)
    store.close()
    return out


def child_sqlite(n: int) -> dict[str, Any]:
    out = be.child_procflow_sqlite(n)
    out["transitions"] = n * be.EVENTS_PER_DOSSIER
    return out


def child_raw(url: str, schema: str, n: int) -> dict[str, Any]:
    import psycopg

    import procflow.engine  # noqa: F401
    from procflow.store.postgres import PostgresStore
    from procflow.store.records import DOSSIER_COLUMNS, EVENT_COLUMNS

    PostgresStore(url, schema=schema, pool_size=1).close()  # the same tables, indexes, triggers
    # The rows procflow writes, built by the SQL stores' own row functions
    # (bench_engine's (d) uses them too): every dossier column, the event,
    # its place in the log and, for an event that notifies, its outbox row.
    rows = be._rows_from_memory_run(n)
    ins_d = (
        f"INSERT INTO dossiers ({', '.join(DOSSIER_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(DOSSIER_COLUMNS))})"
    )
    upd_d = (
        "UPDATE dossiers SET "
        + ", ".join(f"{c} = %s" for c in DOSSIER_COLUMNS[1:])
        + ", alert_claimed_until = NULL WHERE code = %s AND version = %s"
    )
    ins_e = (
        f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"
    )
    # The next place in the log, as procflow takes it: the one-row head,
    # locked by the update until the commit.
    ins_l = (
        "WITH head AS (UPDATE log_head SET size = size + 1 RETURNING size) "
        "INSERT INTO log (position, code, seq, hash) SELECT size - 1, %s, %s, %s FROM head"
    )
    ins_o = "INSERT INTO outbox (code, seq, type, at) VALUES (%s, %s, %s, %s)"
    with psycopg.connect(url, options=f"-c search_path={schema}") as conn:
        t0 = time.perf_counter()
        for erow, drow, first, notes in rows:
            # Pipelined: the statements of a transaction go to the server
            # together, one round trip with the commit instead of one each.
            with conn.pipeline(), conn.transaction():
                if first:
                    conn.execute(ins_d, drow)
                else:
                    conn.execute(upd_d, (*drow[1:], drow[0], drow[10] - 1))
                conn.execute(ins_e, erow)
                conn.execute(ins_l, (erow[0], erow[1], erow[7]))
                if notes is not None:
                    conn.execute(ins_o, notes)
        elapsed = time.perf_counter() - t0
        stored = conn.execute("SELECT count(*) FROM events").fetchone()
    assert stored is not None and stored[0] == len(rows), (stored, len(rows))
    return {"elapsed": elapsed, "transitions": len(rows)}


# --- harness -------------------------------------------------------------------------------


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{err}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def run_pg(url: str, workers: int, n: int) -> float:
    schema = f"pf_bench_{uuid.uuid4().hex[:12]}"
    try:
        # Create the schema once, so the workers start on a ready database.
        import procflow.engine  # noqa: F401
        from procflow.store.postgres import PostgresStore

        PostgresStore(url, schema=schema, pool_size=1).close()
        procs = [_spawn("pg", url, schema, str(n)) for _ in range(workers)]
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit(f"benchmark worker failed:\n{proc.communicate()[1]}")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [_result(proc) for proc in procs]
    finally:
        _drop(url, schema)
    total = sum(r["transitions"] for r in results)
    return total / (max(r["end"] for r in results) - min(r["start"] for r in results))


def run_sqlite(n: int) -> float:
    result = _result(_spawn("sqlite", str(n)))
    return float(result["transitions"] / result["elapsed"])


def run_raw(url: str, n: int) -> float:
    schema = f"pf_bench_{uuid.uuid4().hex[:12]}"
    try:
        result = _result(_spawn("raw", url, schema, str(n)))
    finally:
        _drop(url, schema)
    return float(result["transitions"] / result["elapsed"])


def _server_settings(url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {
            name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("server_version", "synchronous_commit", "fsync", "wal_sync_method")
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--dossiers", type=int, default=300, help="dossiers per worker (x10 events)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    runs: dict[str, list[float]] = {
        k: [] for k in ("pg-1", "pg-2", "pg-4", "sqlite-1", "raw-psycopg")
    }
    for _ in range(args.repeat):
        # Interleaved, so a slow moment of the machine hits every variant alike.
        runs["raw-psycopg"].append(run_raw(args.url, args.dossiers))
        for w in (1, 2, 4):
            runs[f"pg-{w}"].append(run_pg(args.url, w, args.dossiers))
        runs["sqlite-1"].append(run_sqlite(args.dossiers))
    median = {k: statistics.median(v) for k, v in runs.items()}
    ratios = {
        "pg4_over_pg1": median["pg-4"] / median["pg-1"],
        "pg2_over_pg1": median["pg-2"] / median["pg-1"],
        "pg1_over_raw": median["pg-1"] / median["raw-psycopg"],
        "pg1_over_sqlite1": median["pg-1"] / median["sqlite-1"],
    }
    report = {
        "dossiers_per_worker": args.dossiers,
        "events_per_dossier": be.EVENTS_PER_DOSSIER,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "server": _server_settings(args.url),
        "transitions_per_s": {k: [round(x, 1) for x in v] for k, v in runs.items()},
        "median_transitions_per_s": {k: round(v, 1) for k, v in median.items()},
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "targets_met": {
            "pg4_at_least_2x_pg1": ratios["pg4_over_pg1"] >= 2.0,
            "pg1_at_least_half_raw": ratios["pg1_over_raw"] >= 0.5,
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{args.dossiers} dossiers x {be.EVENTS_PER_DOSSIER} durable transitions per worker, "
        f"median of {args.repeat}; {os.cpu_count()} CPUs; PostgreSQL "
        f"{report['server']['server_version']} (synchronous_commit="
        f"{report['server']['synchronous_commit']})"
    )
    for name, value in median.items():
        print(f"  {name:12} {value:9.0f} transitions/s   runs: {report['transitions_per_s'][name]}")
    ok = report["targets_met"]
    print(
        f"  pg-4 / pg-1        = {ratios['pg4_over_pg1']:.2f}  (target >= 2):   "
        f"{'met' if ok['pg4_at_least_2x_pg1'] else 'NOT met'}"
    )
    print(f"  pg-2 / pg-1        = {ratios['pg2_over_pg1']:.2f}")
    print(
        f"  pg-1 / raw psycopg = {ratios['pg1_over_raw']:.2f}  (target >= 0.5): "
        f"{'met' if ok['pg1_at_least_half_raw'] else 'NOT met'}"
    )
    print(f"  pg-1 / sqlite-1    = {ratios['pg1_over_sqlite1']:.2f}")
    return 0


def child_main(args: list[str]) -> None:
    kind = args[0]
    if kind == "pg":
        result = child_pg(args[1], args[2], int(args[3]))
    elif kind == "raw":
        result = child_raw(args[1], args[2], int(args[3]))
    else:
        with tempfile.TemporaryDirectory():
            result = child_sqlite(int(args[1]))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        sys.exit(main())
