#!/usr/bin/env python
"""Benchmark: due dates for many start dates on the national calendar.

Compares, in the same run and on the same inputs (random start dates in
2001-2058, random limits of 1-20 working days):

* ``naive``: a day-by-day loop over a Python set of days off (the baseline);
* ``scalar add_working_days``: :meth:`WorkCalendar.add_working_days` (date -> date);
* ``scalar add_working_days_ordinal``: the lean ordinal path (int -> int);
* ``scalar due()``: the full deadline instant (aware datetime -> aware datetime,
  close of office), on a tenth of the inputs;
* ``bulk index``: :meth:`WorkCalendar.add_working_days_bulk` on
  ``datetime64[D]`` arrays (the default engine, range checks included);
* ``bulk busday_offset``: the same through ``numpy.busday_offset``;
* ``bulk + conversion``: bulk plus converting a list of Python dates to
  ``datetime64[D]`` and back (what a caller holding Python objects pays), with
  procflow's helpers and with plain numpy.

Then, per call, the instant arithmetic the engine runs on every transition
(``due`` in each unit, ``working_seconds_between``, ``add_working_seconds``,
``subtract_working_seconds``, the move of a due date by whole working days)
on random instants of 2024-2028, three ways:

* ``before``: the datetime-only implementation this calendar had before its
  integer core (the frozen copy tests/calendar/calref.py, which the tests
  hold the calendar to);
* ``datetime``: today's datetime methods (aware datetimes in and out, on the
  integer core);
* ``POSIX``: the ``*_ts`` methods on POSIX seconds (ints in, ints out on whole
  seconds);

with the ratios of their medians, and a check that all three agree.

Each figure is the median of several repeats. Run::

    python bench/bench_calendar.py            # 1,000,000 start dates, 20,000 instants
    python bench/bench_calendar.py --n 200000 --repeats 3 --json
    python bench/bench_calendar.py --only instants --calls 50000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from procflow.calendar import WorkCalendar, to_dates, to_datetime64

# the reference implementation lives with the tests that compare against it
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "calendar"))
from calref import RefCalendar


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def interleaved(fns: list[Callable[[], Any]], repeats: int) -> list[tuple[float, Any]]:
    """Median time and last result of each function, run in turn ``repeats`` times."""
    times: list[list[float]] = [[] for _ in fns]
    results: list[Any] = [None] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            results[k] = fn()
            times[k].append(time.perf_counter() - t0)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def instant_rows(
    cal: WorkCalendar, calls: int, repeats: int, seed: int
) -> tuple[list[dict[str, Any]], bool]:
    """Per-call cost of the instant arithmetic: before / datetime / POSIX."""
    ref = RefCalendar(cal)
    tz = cal.tz
    rng = random.Random(seed)
    lo = datetime(2024, 1, 1, tzinfo=tz)
    span = (datetime(2028, 12, 31, tzinfo=tz) - lo) // timedelta(seconds=1)
    starts = [lo + timedelta(seconds=rng.randrange(span)) for _ in range(calls)]
    ends = [a + timedelta(seconds=rng.randrange(0, 40 * 86400)) for a in starts]
    seconds = [rng.uniform(0, 20 * cal.day_seconds) for _ in range(calls)]
    days = [rng.randrange(0, 10) for _ in range(calls)]
    ts = [cal.to_ts(a) for a in starts]
    ts_end = [cal.to_ts(b) for b in ends]

    def moved_before(c: Any) -> Callable[[], list[datetime]]:
        def run() -> list[datetime]:
            out = []
            for a, n in zip(starts, days, strict=True):  # engine.timing.moved_due
                d = c.add_working_days(a.date(), n)
                out.append(a.replace(year=d.year, month=d.month, day=d.day))
            return out

        return run

    cases: list[
        tuple[str, Callable[[], list[Any]], Callable[[], list[Any]], Callable[[], list[Any]]]
    ] = []
    for label, value, unit in [
        ("due 15 working days", 15, "working_days"),
        ("due 4 working hours", 4, "working_hours"),
        ("due 0.5 working day", 0.5, "working_days"),
        ("due 10 calendar days", 10, "calendar_days"),
        ("due same day", 0, "same_day"),
    ]:
        cases.append(
            (
                label,
                lambda v=value, u=unit: [ref.due(a, v, u) for a in starts],
                lambda v=value, u=unit: [cal.due(a, v, u) for a in starts],
                lambda v=value, u=unit: [cal.due_ts(t, v, u) for t in ts],
            )
        )
    cases += [
        (
            "working_seconds_between",
            lambda: [ref.working_seconds_between(a, b) for a, b in zip(starts, ends, strict=True)],
            lambda: [cal.working_seconds_between(a, b) for a, b in zip(starts, ends, strict=True)],
            lambda: [cal.working_seconds_between_ts(a, b) for a, b in zip(ts, ts_end, strict=True)],
        ),
        (
            "add_working_seconds",
            lambda: [ref.add_working_seconds(a, s) for a, s in zip(starts, seconds, strict=True)],
            lambda: [cal.add_working_seconds(a, s) for a, s in zip(starts, seconds, strict=True)],
            lambda: [cal.add_working_seconds_ts(t, s) for t, s in zip(ts, seconds, strict=True)],
        ),
        (
            "subtract_working_seconds",
            lambda: [
                ref.subtract_working_seconds(a, s) for a, s in zip(starts, seconds, strict=True)
            ],
            lambda: [
                cal.subtract_working_seconds(a, s) for a, s in zip(starts, seconds, strict=True)
            ],
            lambda: [
                cal.subtract_working_seconds_ts(t, s) for t, s in zip(ts, seconds, strict=True)
            ],
        ),
        (
            "due moved by n working days",
            moved_before(ref.cal),
            moved_before(cal),
            lambda: [cal.add_working_days_ts(t, n) for t, n in zip(ts, days, strict=True)],
        ),
    ]
    rows: list[dict[str, Any]] = []
    agree = True
    for label, before, now_dt, now_ts in cases:
        # round-robin, so that a change in the machine's load hits all three
        (t_before, r_before), (t_dt, r_dt), (t_ts, r_ts) = interleaved(
            [before, now_dt, now_ts], repeats
        )
        if isinstance(r_before[0], datetime):
            ok = r_dt == r_before and [cal.to_ts(x) for x in r_before] == r_ts
        else:
            ok = [repr(x) for x in r_dt] == [repr(x) for x in r_before] == [repr(x) for x in r_ts]
        agree = agree and ok
        rows.append(
            {
                "method": label,
                "calls": calls,
                "before_us": t_before / calls * 1e6,
                "datetime_us": t_dt / calls * 1e6,
                "posix_us": t_ts / calls * 1e6,
                "before_over_datetime": t_before / t_dt,
                "before_over_posix": t_before / t_ts,
                "agree": ok,
            }
        )
    # the edges: converting in and out
    (t_to, _), (t_from, _) = interleaved(
        [lambda: [cal.to_ts(a) for a in starts], lambda: [cal.from_ts(t) for t in ts]], repeats
    )
    rows.append(
        {
            "method": "to_ts(datetime) / from_ts(POSIX)",
            "calls": calls,
            "before_us": None,
            "datetime_us": t_to / calls * 1e6,
            "posix_us": t_from / calls * 1e6,
            "before_over_datetime": None,
            "before_over_posix": None,
            "agree": True,
        }
    )
    return rows, agree


def day_rows(cal: WorkCalendar, args: argparse.Namespace) -> tuple[list[dict[str, Any]], bool]:
    """Due dates for many start dates: naive loop, scalar, bulk (the first table)."""
    rng = np.random.default_rng(args.seed)
    lo = date(2001, 1, 1).toordinal()
    hi = date(2058, 12, 31).toordinal()
    ords = rng.integers(lo, hi, size=args.n)
    ns = rng.integers(1, 21, size=args.n)
    starts_py = [date.fromordinal(int(o)) for o in ords]
    ns_py = [int(x) for x in ns]
    ords_py = [int(o) for o in ords]
    starts64 = np.array(starts_py, dtype="datetime64[D]")

    # the baseline's data: a Python set of days off over the same range
    off = {
        date.fromordinal(o)
        for o in range(cal.first_day.toordinal(), cal.last_day.toordinal() + 1)
        if not cal.is_working_day(date.fromordinal(o))
    }
    one = timedelta(days=1)

    def naive() -> list[date]:
        out = []
        for d, n in zip(starts_py, ns_py, strict=True):
            while d in off:  # a receipt on a day off counts from the next working day
                d += one
            for _ in range(n):
                d += one
                while d in off:
                    d += one
            out.append(d)
        return out

    add = cal.add_working_days
    add_ord = cal.add_working_days_ordinal

    def scalar() -> list[date]:
        return [add(d, n) for d, n in zip(starts_py, ns_py, strict=True)]

    def scalar_ord() -> list[int]:
        return [add_ord(o, n) for o, n in zip(ords_py, ns_py, strict=True)]

    tenth = max(1, args.n // 10)
    tz = cal.tz
    starts_dt = [datetime(d.year, d.month, d.day, 9, 30, tzinfo=tz) for d in starts_py[:tenth]]
    due = cal.due

    def scalar_due() -> list[datetime]:
        return [due(s, n, "working_days") for s, n in zip(starts_dt, ns_py, strict=False)]

    def bulk() -> Any:
        return cal.add_working_days_bulk(starts64, ns)

    def bulk_busday() -> Any:
        return cal.add_working_days_bulk(starts64, ns, method="busday")

    def bulk_converted() -> list[date]:
        return to_dates(cal.add_working_days_bulk(to_datetime64(starts_py), ns))

    def bulk_converted_numpy() -> list[date]:
        arr = np.array(starts_py, dtype="datetime64[D]")
        out: list[date] = cal.add_working_days_bulk(arr, ns).tolist()
        return out

    cal.bulk  # noqa: B018 - build the numpy view outside the timings
    cal.due(starts_dt[0], 1)  # and the close-of-office cache

    rows: list[dict[str, Any]] = []
    t_naive, r_naive = median_time(naive, args.naive_repeats)
    checks = {}
    for label, fn, count, reps in [
        ("naive day-by-day loop (baseline)", None, args.n, args.naive_repeats),
        ("scalar add_working_days", scalar, args.n, args.repeats),
        ("scalar add_working_days_ordinal", scalar_ord, args.n, args.repeats),
        ("scalar due() -> aware datetime", scalar_due, tenth, args.repeats),
        ("bulk index (datetime64 in/out, default)", bulk, args.n, args.repeats),
        ("bulk busday_offset (datetime64 in/out)", bulk_busday, args.n, args.repeats),
        ("bulk + to_datetime64/to_dates", bulk_converted, args.n, args.repeats),
        ("bulk + np.array(list)/tolist()", bulk_converted_numpy, args.n, args.repeats),
    ]:
        if fn is None:
            seconds, result = t_naive, r_naive
        else:
            seconds, result = median_time(fn, reps)
        checks[label] = result
        rate = count / seconds
        rows.append(
            {
                "method": label,
                "items": count,
                "median_s": seconds,
                "per_second": rate,
                "vs_naive": rate / (args.n / t_naive),
                "repeats": reps,
            }
        )

    # every method must agree with the baseline
    ok = (
        checks["scalar add_working_days"] == r_naive
        and [date.fromordinal(o) for o in checks["scalar add_working_days_ordinal"]] == r_naive
        and checks["bulk index (datetime64 in/out, default)"].tolist() == r_naive
        and checks["bulk busday_offset (datetime64 in/out)"].tolist() == r_naive
        and checks["bulk + to_datetime64/to_dates"] == r_naive
        and checks["bulk + np.array(list)/tolist()"] == r_naive
        and [d.date() for d in checks["scalar due() -> aware datetime"]] == r_naive[:tenth]
    )
    return rows, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of start dates")
    parser.add_argument("--calls", type=int, default=20_000, help="instants per call timing")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fast methods")
    parser.add_argument("--naive-repeats", type=int, default=3, help="repeats of the baseline")
    parser.add_argument("--seed", type=int, default=20260210)
    parser.add_argument(
        "--only", choices=["all", "days", "instants"], default="all", help="which tables to run"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    cal = WorkCalendar.vietnam()
    build_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    WorkCalendar.vietnam(include_unconfirmed=True, years=(2000, 2060))  # uncached build
    build_again = time.perf_counter() - t0

    rows: list[dict[str, Any]] = []
    instants: list[dict[str, Any]] = []
    ok = True
    if args.only in ("all", "days"):
        rows, ok = day_rows(cal, args)
    if args.only in ("all", "instants"):
        cal.due_ts(cal.to_ts(datetime(2026, 2, 10, 9, tzinfo=cal.tz)), 1)  # probe the zone once
        instants, agree = instant_rows(cal, args.calls, args.repeats, args.seed)
        ok = ok and agree

    meta = {
        "n": args.n,
        "calls": args.calls,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "build_first_s": build_first,
        "build_again_s": build_again,
        "results_agree": ok,
    }
    if args.json:
        print(json.dumps({"meta": meta, "rows": rows, "instants": instants}, indent=2))
        return 0 if ok else 1
    print(
        f"Python {meta['python']}, numpy {meta['numpy']}; calendar build "
        f"{build_first * 1000:.0f} ms first, {build_again * 1000:.0f} ms after"
    )
    if rows:
        print(f"\n{args.n:,} start dates, limits 1-20 working days")
        print(f"{'method':44} {'items':>10} {'median s':>10} {'per second':>14} {'x naive':>9}")
        for r in rows:
            print(
                f"{r['method']:44} {r['items']:>10,} {r['median_s']:>10.4f} "
                f"{r['per_second']:>14,.0f} {r['vs_naive']:>9.1f}"
            )
    if instants:
        print(
            f"\nper call, {args.calls:,} random instants of 2024-2028 (us, median of "
            f"{args.repeats}); before = the datetime-only implementation (tests/calendar/calref.py)"
        )
        print(
            f"{'method':32} {'before':>8} {'datetime':>9} {'POSIX':>8} "
            f"{'before/dt':>10} {'before/POSIX':>13}"
        )
        for r in instants:
            if r["before_us"] is None:
                print(
                    f"{r['method']:32} {'':>8} {r['datetime_us']:>9.2f} {r['posix_us']:>8.2f}"
                    "   (to_ts, from_ts)"
                )
                continue
            print(
                f"{r['method']:32} {r['before_us']:>8.2f} {r['datetime_us']:>9.2f} "
                f"{r['posix_us']:>8.2f} {r['before_over_datetime']:>10.1f} "
                f"{r['before_over_posix']:>13.1f}" + ("" if r["agree"] else "  DISAGREE")
            )
    print("\nall methods agree with the baseline:", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
