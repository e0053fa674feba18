#!/usr/bin/env python
"""Benchmark: validating hostile procedure files costs no more than valid ones.

A procedure file is at most 1 MiB (:data:`procflow.definition.yamlio.MAX_BYTES`),
so the question is not how fast procflow reads a typical file but how slow
the worst file of that size can make it. Validation used to grow with the
square of the number of problems (16,000 unknown keys: 107 s); this script
keeps it honest. In the same run and on files of the same size (``--size``,
1,000,000 bytes by default) it times :func:`~procflow.definition.loader.load_procedure`
(strict YAML + model + whole-procedure checks) on:

baselines (valid, no errors)

* ``valid catalogue``: many small valid procedures, one file each, adding up
  to ``--size`` bytes (what ``procflow validate procedures/`` reads);
* ``valid big procedure``: one valid procedure of ``--size`` bytes (thousands
  of steps, applicant loops, hand-offs), a single file;

hostile (one file of ``--size`` bytes each)

* ``unknown keys``: a small valid procedure plus tens of thousands of unknown
  keys at the top level and in a step;
* ``invalid steps``: thousands of steps each breaking several field rules
  (upper-case id, unknown kind, ``3 days``, a bad trigger name, an unknown key);
* ``duplicate keys``: tens of thousands of keys of a step, each written twice;
* ``broken graph``: thousands of model-valid steps with unknown agencies,
  agency-only loops, hand-offs to the wrong agency and no time: every
  whole-procedure check fires on every step;
* ``absurd numbers``: thousands of steps whose times are ``1e308``, ``inf``
  or 5,000-digit numbers.

Each figure is the median of ``--repeats`` rounds, each round running every
input once (interleaved, so that other load on the machine falls on all
alike); wall-clock and CPU times are both given. Each hostile file's median
is divided by the valid catalogue's (the target is at most 3x) and by the big
valid procedure's. Run::

    python bench/bench_validate.py               # 1,000,000-byte files, 5 repeats
    python bench/bench_validate.py --size 200000 --repeats 3 --json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from typing import Any

from procflow.checks.graph import working_day_hours
from procflow.definition.loader import DEFAULT_MAX_FINDINGS, LoadResult, load_procedure

WORKING_DAY_HOURS = working_day_hours()  # the day the checks count hours in

TARGET_RATIO = 3.0
"""A hostile file may take at most this many times the valid catalogue's time."""

HEAD = """\
procflow: 1
id: bench.validate.p{n}
version: "2025-07"
code: "1.{n:06d}"
name: {{vi: Thủ tục số {n}, en: Procedure {n}}}
sector: Hộ tịch
level: commune
legal_basis:
  - number: 118/2025/NĐ-CP
    title: Nghị định một cửa
    date: 2025-06-09
effective_from: 2025-07-01
time_limit: {days} working days
agencies:
  - id: commune-pc
    name: Ủy ban nhân dân cấp xã
    level: commune
    desk: true
"""

POLICE = """\
  - id: commune-police
    name: Công an cấp xã
    level: commune
"""

STEP = """\
  - id: {id}
    name: {{vi: Bước {i} - thẩm định hồ sơ, en: Step {i}}}
    kind: {kind}
    agency: {agency}
    time: 1 working hours
    outcomes:
      forward: {next}
"""


def valid_procedure(n: int, steps: int) -> str:
    """A valid procedure: a chain of review steps, with an applicant loop every 10."""
    # One working hour a step, reception and return included, on the
    # calendar's 7.5-hour working day (8-hour days left big procedures over
    # their own limit, and the checks refused them), and a day to spare.
    days = math.ceil((steps + 2) / WORKING_DAY_HOURS) + 1
    out = [HEAD.format(n=n, days=days), "steps:\n"]
    out.append(STEP.format(id="reception", i=0, kind="reception", agency="commune-pc", next="s1"))
    for i in range(1, steps + 1):
        nxt = f"s{i + 1}" if i < steps else "return"
        out.append(STEP.format(id=f"s{i}", i=i, kind="review", agency="commune-pc", next=nxt))
        if i % 10 == 0:
            out.append(f"      request_supplement: sup{i}\n      refuse: refused\n")
            out.append(
                f"  - id: sup{i}\n    name: Người dân bổ sung hồ sơ\n    kind: applicant\n"
                f"    agency: commune-pc\n    outcomes:\n      resubmit: s{i}\n"
                "      give_up: withdrawn\n"
            )
    out.append(
        STEP.format(id="return", i=steps + 1, kind="return", agency="commune-pc", next="returned")
    )
    return "".join(out)


def valid_catalogue(size: int) -> list[str]:
    """Small valid procedures (about 6 KB each) adding up to ``size`` bytes."""
    texts: list[str] = []
    total = 0
    n = 0
    while True:
        text = valid_procedure(n, 20 + n % 10)
        length = len(text.encode("utf-8"))
        if total + length > size:
            return texts
        texts.append(text)
        total += length
        n += 1


def valid_big(size: int) -> str:
    """One valid procedure of nearly ``size`` bytes."""
    per_step = len(STEP.encode("utf-8")) + 40
    steps = size // per_step
    while steps > 10:
        text = valid_procedure(0, steps)
        if len(text.encode("utf-8")) <= size:
            return text
        steps = steps * 97 // 100
    raise ValueError(f"size {size} is too small")


def _lines(template: str, budget: int) -> str:
    """``template.format(i=0), template.format(i=1)...`` up to ``budget`` bytes."""
    out: list[str] = []
    i = 0
    while True:
        line = template.format(i=i)
        budget -= len(line.encode("utf-8"))
        if budget < 0:
            return "".join(out)
        out.append(line)
        i += 1


def unknown_keys(size: int) -> str:
    """Tens of thousands of unknown keys, at the top level and inside a step."""
    base = valid_procedure(0, 3)
    head, tail = base.split("steps:\n", 1)
    first, rest = tail.split("  - id: s1\n", 1)
    room = size - len(base.encode("utf-8"))
    top = _lines("unknwon_key_{i}: 1\n", room // 2)
    inner = _lines("    stpe_key_{i}: 1\n", room // 2)
    return head + top + "steps:\n" + first + inner + "  - id: s1\n" + rest


def invalid_steps(size: int) -> str:
    """Thousands of steps, each breaking several field rules."""
    base = valid_procedure(0, 3)
    parts = [base]
    i = 0
    total = len(base.encode("utf-8"))
    while True:
        step = (
            f"  - id: Bad-Step-{i}\n    name: Bước {i}\n    kind: approve\n"
            f"    agency: commune-pc\n    time: 3 days\n    tmie: 1\n"
            f"    outcomes:\n      Go-On: s{i}\n"
        )
        total += len(step.encode("utf-8"))
        if total > size:
            return "".join(parts)
        parts.append(step)
        i += 1


def duplicate_keys(size: int) -> str:
    """Tens of thousands of keys of a step, each written twice (the first far above)."""
    base = valid_procedure(0, 3)
    room = size - len(base.encode("utf-8"))
    keys = _lines("    key_{i}: again\n", room // 2)
    return base.replace("    kind: review\n", "    kind: review\n" + keys + keys, 1)


def broken_graph(size: int) -> str:
    """Model-valid steps on which every whole-procedure check fires."""
    parts = [HEAD.format(n=0, days=1), POLICE, "steps:\n"]
    total = sum(len(p.encode("utf-8")) for p in parts)
    i = 0
    while True:
        if i % 3 == 0:
            step = (
                f"  - id: h{i}\n    name: Chuyển {i}\n    kind: handoff\n"
                f"    agency: commune-pc\n    to_agency: commune-pc\n"
                f"    outcomes:\n      send: h{max(i - 3, 0)}\n      go: x{i + 1}\n"
            )
        elif i % 3 == 1:
            step = (
                f"  - id: x{i}\n    name: Bước {i}\n    kind: review\n"
                f"    agency: agency-{i}\n    clock: pause\n    time: 5 calendar days\n"
                f"    outcomes:\n      back: h{i - 1}\n      on: y{i + 1}\n"
            )
        else:
            step = (
                f"  - id: y{i}\n    name: Bước {i}\n    kind: applicant\n    clock: run\n"
                f"    agency: commune-police\n    to_agency: nowhere\n"
                f"    outcomes:\n      again: x{i - 1}\n      next: h{i + 1}\n"
            )
        total += len(step.encode("utf-8"))
        if total > size:
            return "".join(parts)
        parts.append(step)
        i += 1


def absurd_numbers(size: int) -> str:
    """Thousands of steps whose times no calendar can count."""
    base = valid_procedure(0, 3)
    values = ["1e308", "inf", "Infinity", "1e20", "9" * 400 + " working days"]
    parts = [base]
    total = len(base.encode("utf-8"))
    i = 0
    while True:
        value = values[i % len(values)]
        time_text = value if "working" in value else f"{{value: {value}, unit: working_days}}"
        step = (
            f"  - id: t{i}\n    name: Bước {i}\n    kind: review\n    agency: commune-pc\n"
            f"    time: {time_text}\n    outcomes:\n      forward: return\n"
        )
        total += len(step.encode("utf-8"))
        if total > size:
            return "".join(parts)
        parts.append(step)
        i += 1


def _load_all(texts: list[str]) -> list[LoadResult]:
    return [load_procedure(f"bench-{i}.yaml", text=text) for i, text in enumerate(texts)]


def _timed(texts: list[str]) -> tuple[float, float]:
    """(wall-clock, CPU) seconds to load and check ``texts`` once."""
    wall, cpu = time.perf_counter(), time.process_time()
    _load_all(texts)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="bytes per input")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    inputs: dict[str, list[str]] = {
        "valid catalogue": valid_catalogue(args.size),
        "valid big procedure": [valid_big(args.size)],
        "unknown keys": [unknown_keys(args.size)],
        "invalid steps": [invalid_steps(args.size)],
        "duplicate keys": [duplicate_keys(args.size)],
        "broken graph": [broken_graph(args.size)],
        "absurd numbers": [absurd_numbers(args.size)],
    }
    counts: dict[str, tuple[int, int]] = {}
    for name, texts in inputs.items():
        results = _load_all(texts)  # warm up, and check the input is what it claims
        valid = name.startswith("valid")
        if valid != all(r.ok and not r.findings for r in results):
            shown = [str(f) for r in results for f in r.findings[:3]]
            raise SystemExit(f"{name}: unexpected validity\n" + "\n".join(shown))
        kept = sum(len(r.findings) for r in results)
        omitted = sum(sum(r.omitted.values()) for r in results)
        summaries = sum(1 for r in results if r.omitted)
        counts[name] = (kept, kept - summaries + omitted)
        del results  # a kept node tree would slow the collector down in later rounds

    # Rounds interleave the inputs, so that load from other processes on a
    # shared machine weighs on all of them alike rather than on one input.
    walls: dict[str, list[float]] = {name: [] for name in inputs}
    cpus: dict[str, list[float]] = {name: [] for name in inputs}
    for _ in range(args.repeats):
        for name, texts in inputs.items():
            wall, cpu = _timed(texts)
            walls[name].append(wall)
            cpus[name].append(cpu)

    rows: list[dict[str, Any]] = []
    for name, texts in inputs.items():
        rows.append(
            {
                "input": name,
                "files": len(texts),
                "bytes": sum(len(t.encode("utf-8")) for t in texts),
                "findings_shown": counts[name][0],
                "findings_total": counts[name][1],
                "median_s": statistics.median(walls[name]),
                "min_s": min(walls[name]),
                "max_s": max(walls[name]),
                "median_cpu_s": statistics.median(cpus[name]),
            }
        )
    base, base_cpu = rows[0]["median_s"], rows[0]["median_cpu_s"]
    big, big_cpu = rows[1]["median_s"], rows[1]["median_cpu_s"]
    for row in rows:
        row["ratio"] = row["median_s"] / base
        row["ratio_cpu"] = row["median_cpu_s"] / base_cpu
        row["ratio_to_big_valid"] = row["median_s"] / big
        row["ratio_cpu_to_big_valid"] = row["median_cpu_s"] / big_cpu
    worst = max(r["ratio"] for r in rows[2:])
    worst_cpu = max(r["ratio_cpu"] for r in rows[2:])
    ok = worst <= TARGET_RATIO and worst_cpu <= TARGET_RATIO
    if args.json:
        print(
            json.dumps(
                {
                    "target_ratio": TARGET_RATIO,
                    "worst": worst,
                    "worst_cpu": worst_cpu,
                    "rows": rows,
                },
                indent=2,
            )
        )
    else:
        print(
            f"{args.repeats} interleaved repeats, python {sys.version.split()[0]}, "
            f"findings capped at {DEFAULT_MAX_FINDINGS} per file; ratios to the valid "
            "catalogue (wall clock / CPU time) and to the big valid procedure (wall clock)"
        )
        for row in rows:
            print(
                f"  {row['input']:<20} {row['files']:>4} file(s) {row['bytes']:>9,} B "
                f"{row['findings_total']:>7,} findings  median {row['median_s']:6.3f} s "
                f"(min {row['min_s']:.3f}, max {row['max_s']:.3f}; CPU {row['median_cpu_s']:.3f})"
                f"  x{row['ratio']:4.2f} / x{row['ratio_cpu']:4.2f}"
                f"  x{row['ratio_to_big_valid']:4.2f}"
            )
        verdict = "within" if ok else "OVER"
        print(
            f"worst hostile input: x{worst:.2f} (CPU x{worst_cpu:.2f}) of the valid catalogue, "
            f"{verdict} x{TARGET_RATIO:g}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
