"""Benchmark: load + validate + compile a synthetic catalogue of procedures.

Generates 2,000 procedures of 10-30 steps (several agencies, hand-offs,
applicant loops, refusals, conditional branches) as YAML files in a
temporary folder, then times, over several rounds, the whole catalogue
through:

* ``load``: :func:`procflow.definition.loader.load_procedure` with
  ``checks=False`` (strict YAML reading + pydantic validation);
* ``load+validate``: the same with the whole-procedure checks;
* ``load+validate+compile``: plus :func:`procflow.compiler.compile_procedure`
  (``check=False``, since the procedure was just checked);
* the same with a warm :class:`procflow.definition.cache.LoadCache` (the files
  unchanged since the last load: no YAML, no validation, no checks);

and, as baselines on the same files, ``yaml.safe_load`` (PyYAML's pure-Python
safe loader) and ``yaml.load(..., Loader=yaml.CSafeLoader)`` (libyaml).
Medians are printed; the target is the whole catalogue in under 5 s.

Run:  python bench/bench_catalogue.py [--count 2000] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from procflow.checks.graph import working_day_hours
from procflow.definition.cache import LoadCache
from procflow.definition.loader import load_procedure

try:
    from procflow.compiler import compile_procedure
except ImportError:  # the compiler is optional for this benchmark
    compile_procedure = None  # type: ignore[assignment]

AGENCIES = [
    ("commune-pc", "Ủy ban nhân dân cấp xã", "commune"),
    ("commune-police", "Công an cấp xã", "commune"),
    ("tax", "Chi cục Thuế khu vực", "province"),
    ("land-office", "Văn phòng đăng ký đất đai", "province"),
    ("social-insurance", "Bảo hiểm xã hội", "province"),
    ("dept-justice", "Sở Tư pháp", "province"),
]
KINDS = ["review", "processing", "approval"]
WORKING_DAY_HOURS = working_day_hours()  # the day the checks count hours in


def make_procedure(rng: random.Random, number: int) -> dict[str, Any]:
    """One valid procedure with 10-30 steps."""
    n_agencies = rng.randint(1, 4)
    chosen = rng.sample(AGENCIES, n_agencies)
    desk = chosen[0][0]
    target_steps = rng.randint(10, 30)

    steps: list[dict[str, Any]] = []
    applicant: list[dict[str, Any]] = []
    holder = desk
    steps.append({"id": "reception", "kind": "reception", "agency": desk})
    while len(steps) + len(applicant) < target_steps - 1:
        if n_agencies > 1 and rng.random() < 0.2:
            other = rng.choice([a for a, _, _ in chosen if a != holder])
            steps.append(
                {"id": f"handoff-{len(steps)}", "kind": "handoff", "agency": holder, "to": other}
            )
            holder = other
            continue
        steps.append({"id": f"step-{len(steps)}", "kind": rng.choice(KINDS), "agency": holder})
        if rng.random() < 0.25 and len(steps) + len(applicant) < target_steps - 2:
            applicant.append({"id": f"supplement-{len(steps) - 1}", "of": len(steps) - 1})
    if holder != desk:
        steps.append(
            {"id": f"handoff-{len(steps)}", "kind": "handoff", "agency": holder, "to": desk}
        )
    steps.append({"id": "return", "kind": "return", "agency": desk})

    hours = [rng.randint(1, 8) for _ in steps]
    # Room for every step, on the national calendar's working day (7.5
    # hours, not 8: a limit counted in 8-hour days was short by half an hour
    # a day, and the checks rightly refused the procedure as over its time).
    total_days = math.ceil(sum(hours) / WORKING_DAY_HOURS) + rng.randint(0, 2)
    out_steps: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        nxt = steps[index + 1]["id"] if index + 1 < len(steps) else "returned"
        entry: dict[str, Any] = {
            "id": step["id"],
            "name": {"vi": f"Bước {index + 1}: xử lý hồ sơ", "en": f"Step {index + 1}"},
            "kind": step["kind"],
            "agency": step["agency"],
            "time": f"{hours[index]} working hours",
        }
        if step["kind"] == "handoff":
            entry["to_agency"] = step["to"]
        outcomes: dict[str, Any] = {"forward": nxt}
        if step["kind"] in KINDS:
            if rng.random() < 0.3 and index + 2 < len(steps):
                later = steps[rng.randint(index + 1, len(steps) - 1)]["id"]
                outcomes["forward"] = [{"to": later, "when": "fast_track"}, {"to": nxt}]
            if rng.random() < 0.5:
                outcomes["refuse"] = "refused"
        entry["outcomes"] = outcomes
        out_steps.append(entry)
    for item in applicant:
        of = out_steps[item["of"]]
        of["outcomes"]["request_supplement"] = item["id"]
        out_steps.append(
            {
                "id": item["id"],
                "name": "Người yêu cầu bổ sung hồ sơ",
                "kind": "applicant",
                "agency": of["agency"],
                "outcomes": {"resubmit": of["id"], "give_up": "withdrawn"},
            }
        )
    return {
        "procflow": 1,
        "id": f"bench.sector-{number % 20}.procedure-{number}",
        "version": "2025-07",
        "code": f"1.{number:06d}",
        "name": {"vi": f"Thủ tục hành chính số {number}", "en": f"Procedure {number}"},
        "sector": "Hộ tịch",
        "level": "commune",
        "legal_basis": [
            {"number": "118/2025/NĐ-CP", "title": "Nghị định một cửa", "date": "2025-06-09"}
        ],
        "effective_from": "2025-07-01",
        "time_limit": {"value": total_days, "unit": "working_days", "confirmed": False},
        "agencies": [
            {"id": aid, "name": name, "level": level, **({"desk": True} if aid == desk else {})}
            for aid, name, level in chosen
        ],
        "steps": out_steps,
        "documents": [
            {"name": "Tờ khai theo mẫu", "form": "original"},
            {"name": "Giấy tờ tùy thân", "form": "copy"},
        ],
        "fees": [{"name": "Lệ phí", "amount": rng.choice([0, 8000, 50000])}],
    }


def write_catalogue(folder: Path, count: int, seed: int = 2025) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for number in range(count):
        path = folder / f"sector-{number % 20}" / f"procedure-{number}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(
            make_procedure(rng, number), Dumper=dumper, allow_unicode=True, sort_keys=False
        )
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def timed(rounds: int, job: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--baseline-rounds",
        type=int,
        default=1,
        help="rounds of the slow pure-Python yaml.safe_load baseline (about 20 s each)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one full round")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="procflow-bench-") as tmp:
        paths = write_catalogue(Path(tmp), args.count)
        sizes = [p.stat().st_size for p in paths]
        steps = 0

        def check_all() -> None:
            nonlocal steps
            steps = 0
            for path in paths:
                result = load_procedure(path)
                if not result.ok:
                    raise SystemExit(f"generated procedure failed:\n{result.findings}")
                assert result.procedure is not None
                steps += len(result.procedure.steps)

        check_all()  # warm up, and make sure the catalogue is valid

        def load_only() -> None:
            for path in paths:
                load_procedure(path, checks=False)

        def full() -> None:
            for path in paths:
                result = load_procedure(path)
                if compile_procedure is not None and result.procedure is not None:
                    compile_procedure(result.procedure, check=False)

        def safe_load() -> None:
            for path in paths:
                yaml.safe_load(path.read_bytes())

        def c_safe_load() -> None:
            for path in paths:
                yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            full()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

        rows = [
            ("yaml.safe_load (pure Python)", timed(args.baseline_rounds, safe_load)),
            ("yaml.load CSafeLoader (libyaml)", timed(args.rounds, c_safe_load)),
            ("procflow load (YAML + model)", timed(args.rounds, load_only)),
            ("procflow load + validate", timed(args.rounds, check_all)),
        ]
        label = "procflow load + validate + compile"
        if compile_procedure is None:
            label = "procflow load + validate (compiler not importable)"
        rows.append((label, timed(args.rounds, full)))

        cache = LoadCache(Path(tmp) / "cache")

        def cached() -> None:
            for path in paths:
                result = load_procedure(path, cache=cache)
                if compile_procedure is not None and result.procedure is not None:
                    compile_procedure(result.procedure, check=False)

        cached()  # fill the cache (not timed)
        warm = "warm LoadCache: " + label.removeprefix("procflow ")
        rows.append((warm, timed(args.rounds, cached)))

        from procflow.catalogue import Catalogue

        def catalogue() -> None:
            Catalogue.from_paths(paths)

        rows.append(("Catalogue.from_paths (the API), cold", timed(args.rounds, catalogue)))

        print(
            f"catalogue: {len(paths)} procedures, {steps} steps "
            f"({steps / len(paths):.1f} per procedure), {sum(sizes) / 1e6:.1f} MB of YAML; "
            f"{args.rounds} rounds, python {sys.version.split()[0]}, "
            f"libyaml {'yes' if yaml.__with_libyaml__ else 'no'}"
        )
        base = statistics.median(rows[0][1])
        cbase = statistics.median(rows[1][1])
        for name, times in rows:
            median = statistics.median(times)
            print(
                f"  {name:<52} median {median:6.3f} s  "
                f"(min {min(times):.3f}, max {max(times):.3f})  "
                f"x{median / base:4.2f} of safe_load, x{median / cbase:4.2f} of CSafeLoader, "
                f"{median / len(paths) * 1e3:.2f} ms/procedure"
            )
        cold = statistics.median(rows[-3][1])
        total = statistics.median(rows[-2][1])
        split = statistics.median(rows[-1][1])
        outcomes = (("cold", cold), ("warm cache", total), ("cold, Catalogue.from_paths", split))
        for name, value in outcomes:
            verdict = "within" if value < 5.0 else "OVER"
            print(f"whole catalogue, {name}: {value:.2f} s, {verdict} the 5 s target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
