#!/usr/bin/env python
"""Benchmark: how long the ``procflow`` command takes to start and answer.

Times, in the same run and in fresh subprocesses (each command ``--repeats``
times, the commands taken in turn so that a busy machine slows them alike):

* ``import click``: the baseline (``python -c "import click"``), what any
  click program pays before doing anything;
* ``procflow --help`` and ``procflow --version``: must not import the
  command modules (numpy, networkx, pydantic, holidays...);
* ``procflow calendar due 2026-02-10T09:00 --working-days 15``: loads only
  the calendar;
* ``procflow dossier show DB CODE``: on a small SQLite database made first
  with the library (one dossier of the lien-thong procedure), run from the
  repository root so that ``./procedures`` is found.

Each command runs as the installed entry point does (``from
procflow.cli.main import main; main()``). The CPU time is user + system of
the child, from ``resource.getrusage(RUSAGE_CHILDREN)`` before and after;
the wall time includes starting the interpreter. The table shows medians and
the ratio of each median to the baseline's, and whether the targets hold:
``--help`` and ``--version`` within 1.5x of the baseline's CPU time,
``calendar due`` and ``dossier show`` under 0.5 s of CPU. A last row, for
comparison, runs ``dossier show`` with ``PROCFLOW_CACHE_DIR`` set (the
procedures' checks kept between runs). The children run with bytecode
written and read (``PYTHONDONTWRITEBYTECODE`` dropped, ``PYTHONPYCACHEPREFIX``
a folder of the run's own), as every start after a user's first. Run::

    python bench/bench_cli.py              # 7 repeats
    python bench/bench_cli.py --repeats 11 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PROCEDURE = "vn.lien-thong.child-under-6"
VN = ZoneInfo("Asia/Ho_Chi_Minh")

#: What the ``procflow`` console script runs (see ``[project.scripts]``).
ENTRY = "import sys; from procflow.cli.main import main; sys.argv[0] = 'procflow'; main()"


@dataclass
class Case:
    name: str
    argv: list[str]
    target: str
    """``xN``: CPU within N times the baseline's; ``<S``: CPU under S seconds; ``""``: none."""
    env: dict[str, str] | None = None
    """Environment variables added for this command."""


@dataclass
class Timing:
    cpu: list[float]
    wall: list[float]

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)


def make_db(folder: Path) -> tuple[Path, str]:
    """A small SQLite database with one dossier received and moved once."""
    from procflow.engine import Actor, VirtualClock
    from procflow.runtime import open_engine

    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    db = folder / "desk.db"
    engine = open_engine(db, procedures=[ROOT / "procedures"], clock=clock)
    try:
        desk = Actor("lan", "commune-pc", "desk-officer")
        slip = engine.receive(PROCEDURE, actor=desk, applicant={"name": "Nguyễn Văn A"})
        clock.set(datetime(2026, 3, 3, 9, 30, tzinfo=VN))
        engine.fire(slip.code, "forward", desk)
    finally:
        engine.store.close()
    return db, slip.code


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one fresh subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def verdict(case: Case, timing: Timing, baseline: Timing) -> str:
    if not case.target:
        return ""
    if case.target.startswith("x"):
        ok = timing.cpu_median <= float(case.target[1:]) * baseline.cpu_median
        return f"{'yes' if ok else 'NO'} (<= {case.target[1:]}x baseline)"
    limit = float(case.target[1:])
    ok = timing.cpu_median < limit
    return f"{'yes' if ok else 'NO'} (< {limit:g} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each command")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    py = sys.executable
    procflow = [py, "-c", ENTRY]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PROCFLOW_CACHE_DIR", "PYTHONDONTWRITEBYTECODE")
    }
    env["COLUMNS"] = "120"
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        # Compiled modules, as a user has them after the first run: where
        # PYTHONDONTWRITEBYTECODE is set (as on the machines this runs on),
        # an editable install would compile procflow's sources on every
        # start (a fifth of a CPU second); the warm-up runs write the
        # bytecode to a folder of the run's own, not into the source tree.
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        db, code = make_db(Path(tmp))
        cases = [
            Case("baseline: python -c 'import click'", [py, "-c", "import click"], ""),
            Case("procflow --help", [*procflow, "--help"], "x1.5"),
            Case("procflow --version", [*procflow, "--version"], "x1.5"),
            Case(
                "procflow calendar due ... --working-days 15",
                [*procflow, "calendar", "due", "2026-02-10T09:00", "--working-days", "15"],
                "<0.5",
            ),
            Case(
                "procflow dossier show DB CODE",
                [*procflow, "dossier", "show", str(db), code],
                "<0.5",
            ),
            # For comparison, not a target: the procedures' checks kept between runs.
            Case(
                "  the same, PROCFLOW_CACHE_DIR warm",
                [*procflow, "dossier", "show", str(db), code],
                "",
                {"PROCFLOW_CACHE_DIR": str(Path(tmp) / "cache")},
            ),
        ]
        timings = {c.name: Timing([], []) for c in cases}
        for case in cases:  # warm the file system cache: the first run reads every .pyc
            run_once(case.argv, ROOT, {**env, **(case.env or {})})
        for _ in range(args.repeats):
            for case in cases:
                cpu, wall = run_once(case.argv, ROOT, {**env, **(case.env or {})})
                timings[case.name].cpu.append(cpu)
                timings[case.name].wall.append(wall)

    baseline = timings[cases[0].name]
    rows = []
    for case in cases:
        t = timings[case.name]
        rows.append(
            {
                "command": case.name,
                "cpu_median_s": round(t.cpu_median, 4),
                "wall_median_s": round(t.wall_median, 4),
                "cpu_ratio": round(t.cpu_median / baseline.cpu_median, 2),
                "wall_ratio": round(t.wall_median / baseline.wall_median, 2),
                "target": verdict(case, t, baseline),
            }
        )
    if args.json:
        print(json.dumps({"repeats": args.repeats, "python": sys.version.split()[0], "rows": rows}))
        return 0
    width = max(len(r["command"]) for r in rows)
    version = sys.version.split()[0]
    print(f"procflow CLI start-up, medians of {args.repeats} fresh processes (Python {version})")
    head = f"{'CPU s':>7}  {'x base':>6}  {'wall s':>7}  {'x base':>6}"
    print(f"{'command':<{width}}  {head}  target met")
    for r in rows:
        print(
            f"{r['command']:<{width}}  {r['cpu_median_s']:>7.3f}  {r['cpu_ratio']:>6.2f}  "
            f"{r['wall_median_s']:>7.3f}  {r['wall_ratio']:>6.2f}  {r['target']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
