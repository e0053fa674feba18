"""Instructions per dossier of the engine and simulation benchmarks' variants,
counted by callgrind.

    python bench/bench_instructions.py [--variants a,f,g,b] [--small N] [--large M]
    python bench/bench_instructions.py --variants sim,lsim   # the simulator and its bound

The machines this runs on drift by 1.5x within minutes: ``bench_engine.py``'s
lean prototype (f), whose code never changes, has run at 9,300 and at 14,800
dossiers/s on the same day. Timed ratios in one run hold up; single timings
do not. An instruction count does: ``valgrind --tool=callgrind`` counts the
same total for the same binary and input whatever else the machine does. So
this gives the figure to compare one commit with the next, and the ratios
between variants in instructions, next to the timed ratios of
``bench_engine.py`` (instructions are not time: a variant that misses the
cache more runs slower than its count says).

Each variant runs as ``bench_engine.py --child`` (the same code the timed
benchmark runs) under callgrind twice, with N and M dossiers; the count per
dossier is the difference over M - N, so interpreter start-up and imports,
which both runs pay, drop out. Needs ``valgrind`` (Debian: ``apt-get install
valgrind``); a run of the default variants takes about three minutes.

(c) is left out unless asked for (``--variants a,c``): its cost is memory
more than instructions. It counted 4.17 million instructions a dossier here
against (a)'s 787,500, a ratio of 5.3, while the timed (a)/(c) was 11.7-15.2:
a ``transitions.Machine`` per dossier fills the heap (7 GB per 100,000
dossiers), so its time goes to cache misses and to collections that walk
the heap, which grow with the run and which a count of a few hundred
dossiers does not see. Its instruction ratio is no stand-in for the timed one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "a": ("bench_engine.py", "procflow-memory", "(a) procflow, MemoryStore"),
    "f": ("bench_engine.py", "lean-prototype", "(f) the lean prototype"),
    "g": ("bench_engine.py", "lean-full", "(g) the lean prototype with procflow's features"),
    "b": ("bench_engine.py", "dict-fsm", "(b) dict state machine"),
    "c": ("bench_engine.py", "transitions", "(c) transitions.Machine per dossier"),
    "sim": ("bench_simulation.py", "simulator", "the simulator, a dossier of its year"),
    "lsim": ("bench_simulation.py", "lean-simulator", "the lean simulator (its bound)"),
}
"""Key: (benchmark script, its ``--child`` variant, label). The simulator's
variants run ``bench_simulation.py``'s load (4,000 dossiers a working day): a
simulated dossier is a receipt and its moves, as (a)'s is, on another
procedure's path and another clock."""
# (c) costs ~50x (a) per dossier: fewer dossiers keep its runs to a minute or two.
SCALE = {"c": 0.1}
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _child(key: str, dossiers: int) -> list[str]:
    """The command of one ``--child`` run of variant ``key``."""
    script, variant, _ = VARIANTS[key]
    return [sys.executable, str(HERE / script), "--child", variant, "--dossiers", str(dossiers)]


def instructions(key: str, dossiers: int) -> int:
    """The instructions one ``--child`` run of variant ``key`` executes, in all."""
    variant = VARIANTS[key][1]
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *_child(key, dossiers)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_env())
    found = _COLLECTED.findall(proc.stderr)
    if proc.returncode != 0 or not found:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise SystemExit(f"callgrind run of {variant} ({dossiers} dossiers) failed: {tail}")
    return int(found[-1])


def _env() -> dict[str, str]:
    """The children's environment, with one fixed string-hash seed: Python
    seeds string hashes at random per process, and the probes of its dicts
    follow the hashes, so two runs of the same code counted up to 5,500
    instructions a dossier apart (0.7%), more than some changes measured."""
    return {**os.environ, "PYTHONHASHSEED": "0"}


def warm_up(key: str) -> None:
    """One plain run of variant ``key`` on a few dossiers, before counting:
    where Python writes bytecode caches, the first run of a fresh checkout
    compiles every module and the second does not, which made the difference
    of the two runs (and so the count a dossier) negative."""
    subprocess.run(_child(key, 10), capture_output=True, check=False, env=_env())


def per_dossier(key: str, small: int, large: int) -> dict[str, Any]:
    """Instructions per dossier: the difference of two runs over their difference."""
    warm_up(key)
    low, high = instructions(key, small), instructions(key, large)
    return {
        "dossiers": [small, large],
        "instructions": [low, high],
        "per_dossier": (high - low) / (large - small),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--variants", default="a,f,g,b", help="of a, f, g, b, c, sim, lsim (comma-separated)"
    )
    ap.add_argument("--small", type=int, default=1000, help="dossiers of the first run")
    ap.add_argument("--large", type=int, default=3000, help="dossiers of the second run")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    keys = [k.strip() for k in args.variants.split(",") if k.strip()]
    unknown = [k for k in keys if k not in VARIANTS]
    if unknown or not keys:
        raise SystemExit(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    if not 0 < args.small < args.large:
        raise SystemExit("--small must be above 0 and below --large")

    results: dict[str, Any] = {}
    for key in keys:
        scale = SCALE.get(key, 1.0)
        small, large = max(1, int(args.small * scale)), max(2, int(args.large * scale))
        print(f"  {VARIANTS[key][2]}: {small:,} and {large:,} dossiers...", file=sys.stderr)
        results[key] = per_dossier(key, small, large)
    per = {k: r["per_dossier"] for k, r in results.items()}
    ratios = {}
    # Speed ratios as the timed benchmark states them: (a)/(c) is how many
    # times fewer instructions (a) needs than (c), and so on.
    pairs = (
        ("a", "c"), ("a", "b"), ("a", "f"), ("a", "g"), ("g", "f"), ("f", "c"), ("f", "b"),
        ("g", "c"), ("g", "b"), ("sim", "lsim"),
    )  # fmt: skip
    for num, den in pairs:
        if num in per and den in per and per[num] > 0:
            ratios[f"({num})/({den})"] = per[den] / per[num]
    report = {"python": sys.version.split()[0], "results": results, "ratios": ratios}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for key, r in results.items():
        print(f"{VARIANTS[key][2]:48} {r['per_dossier']:>10,.0f} instructions a dossier")
    for name, value in ratios.items():
        print(f"{name:>10} = {value:.3f} (in instructions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
