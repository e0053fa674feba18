"""Every variant of the two main benchmarks runs to the end on a small load.

A benchmark variant is only run by hand, so a change to what it stubs out can
break it unseen until the next measurement (the simulator's ``loop-only``
stub broke when visits went flat in ``Record.cells``). Each variant runs here
as the benchmark runs it, in its own process, on a few dossiers, and what it
reports is checked against the load it was given."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench_scripts import bench_module

BENCH = Path(__file__).resolve().parents[2] / "bench"
bench_engine = bench_module("bench_engine")
bench_simulation = bench_module("bench_simulation")


def _child(script: str, variant: str, n: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--child", variant, "--dossiers", str(n)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


@pytest.mark.parametrize("variant", sorted(bench_simulation.CHILDREN))
def test_simulation_variant_runs(variant: str) -> None:
    n = 300
    out = _child("bench_simulation.py", variant, n)
    assert out["elapsed"] > 0
    assert out["arrivals"] == n  # every dossier of the load came in
    if "on_time_rate" in out:  # the simulators and the lean one judge every dossier
        assert 0 <= out["on_time_rate"] <= 1
    if variant == "engine-share":
        assert 0 < out["engine_share"] < 1
        assert out["calls_per_dossier"] > 1  # a receipt and the moves after it


@pytest.mark.parametrize("variant", sorted(bench_engine.CHILDREN))
def test_engine_variant_runs(variant: str) -> None:
    out = _child("bench_engine.py", variant, 50)
    assert out["elapsed"] > 0
    assert out["variant"] == variant and out["dossiers"] == 50
    if variant.startswith("procflow"):
        assert out["last_timeliness"] in {"early", "on_time", "late"}


@pytest.mark.skipif(
    shutil.which("valgrind") is None, reason="needs valgrind (apt-get install valgrind)"
)
def test_instruction_counts_take_the_difference_of_two_runs() -> None:
    bench_instructions = bench_module("bench_instructions")
    # (b), the cheapest variant: 20 more dossiers of ten dict look-ups and
    # appends each, with start-up and imports paid by both runs and cancelled.
    got = bench_instructions.per_dossier("b", 20, 40)
    low, high = got["instructions"]
    assert high > low > 10_000_000  # an interpreter start-up is tens of millions
    assert 5_000 < got["per_dossier"] < 200_000  # ~29,000 on CPython 3.11


def test_the_catalogue_benchmark_generates_valid_procedures(tmp_path: Path) -> None:
    """bench_catalogue.py times loading a generated catalogue and stops at the
    first procedure that does not load; its time limits were once counted in
    8-hour days, half an hour a day more than the calendar's, and one
    procedure in a few hundred came out over its own limit."""
    bench_catalogue = bench_module("bench_catalogue")
    from procflow.definition.loader import load_procedure

    for path in bench_catalogue.write_catalogue(tmp_path, 400):
        result = load_procedure(path)
        assert result.ok, (path.name, [f.message for f in result.findings])


@pytest.mark.parametrize("steps", [20, 300])
def test_the_validation_benchmark_valid_procedures_are_valid(steps: int, tmp_path: Path) -> None:
    """bench_validate.py divides each hostile file's time by a valid one's;
    a "valid" procedure of more than ~200 steps came out over its own time
    limit when days were counted as 8 hours."""
    bench_validate = bench_module("bench_validate")
    from procflow.definition.loader import load_procedure

    path = tmp_path / "valid.yaml"
    path.write_text(bench_validate.valid_procedure(0, steps), encoding="utf-8")
    result = load_procedure(path)
    assert result.ok, [f.message for f in result.findings]


@pytest.mark.parametrize("key", ["sim", "lsim"])
def test_instruction_counts_run_the_simulation_benchmarks_children(key: str) -> None:
    """bench_instructions.py counts a simulated dossier through
    bench_simulation.py's own children: the command it runs under callgrind
    runs that benchmark's variant, as that benchmark does."""
    import json
    import subprocess

    bench_instructions = bench_module("bench_instructions")
    cmd = bench_instructions._child(key, 60)
    assert cmd[1].endswith("bench_simulation.py")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["arrivals"] == 60 and out["elapsed"] > 0
