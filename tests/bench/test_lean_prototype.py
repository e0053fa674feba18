"""The engine benchmark's lean prototype (f) does the same required work as
procflow: on the benchmark's own load, every figure it writes into its events
(the instant, the working time used and late on the step left, that step's
timeliness, the statutory and the next step's due instants, the pause and
the dossier's timeliness) is procflow's, event for event. Without this, (f)
would be a bound on some other work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from bench_scripts import bench_module

from procflow.model.events import Event
from procflow.model.instant import ts_of
from procflow.store import MemoryStore

bench_engine = bench_module("bench_engine")

N = 2500  # two full cohorts and part of a third, across days and a weekend

# The benchmark's own script, and a slow one: steps past their allotment, a
# late applicant, and dossiers late as a whole.
SLOW = [
    (trigger, agency, delay * 16 if trigger in {"resubmit", "appraise", "send"} else delay)
    for trigger, agency, delay in bench_engine.SCRIPT
]


def _ts(text: str | None) -> Any:
    return None if text is None else ts_of(datetime.fromisoformat(text))


def _procflows() -> list[list[Event]]:
    store = MemoryStore()
    bench_engine.run_procflow(N, store)
    logs: dict[str, list[Event]] = {}
    for event in store.iter_events():
        logs.setdefault(event.code, []).append(event)
    return [logs[code] for code in sorted(logs)]  # codes number the receipts in order


def _prototypes() -> list[list[list[Any]]]:
    out: dict[str, list[bytes]] = {}
    bench_engine.child_lean_prototype(N, logs_out=out)
    return [[orjson.loads(b) for b in out[code]] for code in sorted(out)]


@pytest.mark.parametrize("script", ["bench", "slow"])
def test_the_lean_prototype_computes_procflows_figures(
    script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if script == "slow":
        monkeypatch.setattr(bench_engine, "SCRIPT", SLOW)
    ours, lean = _procflows(), _prototypes()
    seen: set[Any] = set()
    assert len(ours) == len(lean) == N
    due = None
    for events, bodies in zip(ours, lean, strict=True):
        assert len(events) == len(bodies) == bench_engine.EVENTS_PER_DOSSIER
        receipt, body = events[0], bodies[0]
        assert ts_of(receipt.at) == body[4]
        due = _ts(receipt.data["due_at"])
        assert due == body[13]
        assert _ts(receipt.data["step_due_at"]) == body[14]
        for event, body in zip(events[1:], bodies[1:], strict=True):
            d, left = event.data, event.data["left"]
            trigger, source, dest, used, late, step_timeliness = body[8:14]
            assert ts_of(event.at) == body[4]
            assert (d["trigger"], d["from"], d["to"]) == (trigger, source, dest)
            assert left["used_seconds"] == used
            assert left["late_seconds"] == late
            assert (left.get("timeliness") or None) == step_timeliness
            if d.get("due_at") is not None:  # a resume moved the statutory due date
                due = _ts(d["due_at"])
            assert due == body[14]
            assert _ts(d.get("paused_at")) == body[15]
            assert (d.get("timeliness") or None) == body[16]
            assert _ts(d.get("step_due_at")) == body[17]
            seen.add((step_timeliness, late > 0, body[16]))
    if script == "slow":  # what the slow script is for
        assert ("late", True, None) in seen  # a step left late, with its late time
        assert any(closed == "late" for _, _, closed in seen)  # a dossier late as a whole
