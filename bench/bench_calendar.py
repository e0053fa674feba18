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

Each figure is the median of several repeats. Run::

    python bench/bench_calendar.py            # 1,000,000 start dates
    python bench/bench_calendar.py --n 200000 --repeats 3 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from procflow.calendar import WorkCalendar, to_dates, to_datetime64


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of start dates")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fast methods")
    parser.add_argument("--naive-repeats", type=int, default=3, help="repeats of the baseline")
    parser.add_argument("--seed", type=int, default=20260210)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    cal = WorkCalendar.vietnam()
    build_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    WorkCalendar.vietnam(include_unconfirmed=True, years=(2000, 2060))  # uncached build
    build_again = time.perf_counter() - t0

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

    meta = {
        "n": args.n,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "build_first_s": build_first,
        "build_again_s": build_again,
        "results_agree": ok,
    }
    if args.json:
        print(json.dumps({"meta": meta, "rows": rows}, indent=2))
    else:
        print(
            f"{args.n:,} start dates, limits 1-20 working days; Python {meta['python']}, "
            f"numpy {meta['numpy']}; calendar build {build_first * 1000:.0f} ms first, "
            f"{build_again * 1000:.0f} ms after"
        )
        print(f"{'method':44} {'items':>10} {'median s':>10} {'per second':>14} {'x naive':>9}")
        for r in rows:
            print(
                f"{r['method']:44} {r['items']:>10,} {r['median_s']:>10.4f} "
                f"{r['per_second']:>14,.0f} {r['vs_naive']:>9.1f}"
            )
        print("all methods agree with the baseline:", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
