"""The engine benchmark's (g), the lean prototype with procflow's features
(``bench/lean_full.py``), writes the events procflow writes, byte for byte:
every body, and so every hash of every chain, on the benchmark's load and on
a slow one (steps left late, dossiers late as a whole). Without this, (g)
would be the bound of some other work, and (a)/(g) no measure of procflow's
design."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from bench_scripts import bench_module

from procflow.store import MemoryStore

bench_engine = bench_module("bench_engine")
lean_full = bench_module("lean_full")

N = 1200  # a full cohort and part of the next, on the next working day

SLOW = [
    (trigger, agency, delay * 16 if trigger in {"resubmit", "appraise", "send"} else delay)
    for trigger, agency, delay in bench_engine.SCRIPT
]


def _procflow_logs(script: Any) -> dict[str, list[bytes]]:
    store = MemoryStore()
    store.compact_closed = False  # keep each log as written: body and hash
    saved = bench_engine.SCRIPT
    bench_engine.SCRIPT = script
    try:
        bench_engine.run_procflow(N, store)
    finally:
        bench_engine.SCRIPT = saved
    return {code: list(log) for code, log in store._logs.items()}


@pytest.mark.parametrize("script", ["bench", "slow"])
def test_lean_full_writes_procflows_events_byte_for_byte(script: str) -> None:
    steps = SLOW if script == "slow" else bench_engine.SCRIPT
    ours = _procflow_logs(steps)
    theirs: dict[str, list[bytes]] = {}
    lean_full.run_lean_full(N, theirs, steps)
    assert sorted(ours) == sorted(theirs) and len(ours) == N
    seen = set()
    for code, log in ours.items():
        assert theirs[code] == log, code  # bodies and their hashes
        for raw in log[1:]:
            body = orjson.loads(raw[:-32])
            seen.add((body[3], body[16], body[23]))  # type, step left's and dossier's timeliness
    assert ("paused", "early", None) in seen and any(t == "resumed" for t, _, _ in seen)
    if script == "slow":  # what the slow load is for
        assert any(left == "late" for _, left, _ in seen)
        assert any(closed == "late" for _, _, closed in seen)


def test_lean_full_refuses_what_procflow_refuses() -> None:
    store = lean_full.LeanStore()
    clock = lean_full.LeanClock(bench_engine.START)
    receive, fire = lean_full.lean_full_engine(store, clock)
    desk, land = ("lan", "desk", "officer", None), ("minh", "land", "officer", None)
    with pytest.raises(lean_full.Refused):
        receive("bench.land-transfer", actor=land)  # not the desk's officer
    code = receive("bench.land-transfer", actor=desk, applicant={"name": "A"}).code
    with pytest.raises(lean_full.Refused):
        receive("bench.land-transfer", actor=desk, applicant={"name": ["A"]})  # not flat
    for trigger, actor in [("forward", land), ("appraise", desk), ("forward", desk)]:
        if actor is land or trigger == "appraise":
            with pytest.raises(lean_full.Refused):
                fire(code, trigger, actor)  # another agency's step, or no such move here
            continue
        fire(code, trigger, actor, expected_version=1)
    with pytest.raises(lean_full.Refused):
        fire(code, "request_supplement", desk, expected_version=1)  # stale
    fire(code, "request_supplement", desk)
    fire(code, "resubmit", desk)
    with pytest.raises(lean_full.Refused):
        fire(code, "request_supplement", desk)  # one supplement request allowed
    assert store.record(code)[lean_full.VERSION] == 4  # nothing refused was written
