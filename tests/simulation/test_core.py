"""The simulator's pieces: event core, working-time axis, bounded store, --out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from procflow.calendar import WorkCalendar
from procflow.compiler import compile_procedure
from procflow.definition.loader import read_procedure
from procflow.simulation import Simulation, read_scenario, save_results
from procflow.simulation.des import Core, Pool, Process
from procflow.simulation.store import SimulationStore

ROOT = Path(__file__).resolve().parents[2]
PROCEDURE = ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"
SCENARIO = ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml"
CAL = WorkCalendar.vietnam()


def test_core_runs_in_time_order_and_same_instant_in_scheduling_order() -> None:
    core = Core()
    log: list[tuple[float, str]] = []

    def proc(name: str, waits: list[float]) -> Process:
        for w in waits:
            yield w
            log.append((core.now, name))

    core.start(proc("a", [2.0, 1.0]))
    core.start(proc("b", [3.0]))
    core.start(proc("c", [1.0, 2.0]))
    core.run(10.0)
    # At 3.0: b's wait was scheduled first (at 0), then c's (at 1), then a's (at 2).
    assert log == [(1.0, "c"), (2.0, "a"), (3.0, "b"), (3.0, "c"), (3.0, "a")]
    assert core.now == 10.0 and core.pending() == 0


def test_core_leaves_events_at_until_for_the_next_run() -> None:
    core = Core()
    seen: list[float] = []

    def ticker() -> Process:
        while True:
            seen.append(core.now)
            yield 5.0

    core.start(ticker())
    core.run(10.0)
    assert seen == [0.0, 5.0]
    core.run(15.0)
    assert seen == [0.0, 5.0, 10.0]


def test_pool_is_fifo_with_capacity() -> None:
    core = Core()
    pool = Pool(core, 2)
    served: list[tuple[str, float, float]] = []

    def customer(name: str, arrive: float, work: float) -> Process:
        yield arrive
        yield pool
        start = core.now
        yield work
        pool.release()
        served.append((name, start, core.now))

    for i, (arrive, work) in enumerate([(0, 4), (1, 4), (2, 1), (3, 1), (3, 1)]):
        core.start(customer(f"c{i}", float(arrive), float(work)))
    samples: list[tuple[float, int, int]] = []

    def sampler() -> Process:
        while True:
            samples.append((core.now, pool.busy, len(pool.queue)))
            yield 1.0

    core.start(sampler())
    core.run(20.0)
    # Two officers: c2, c3, c4 wait in arrival order for a free slot.
    assert served == [
        ("c0", 0.0, 4.0),
        ("c1", 1.0, 5.0),
        ("c2", 4.0, 5.0),
        ("c3", 5.0, 6.0),
        ("c4", 5.0, 6.0),
    ]
    # (time, busy, queued). At 4.0 c0 has let go of its slot and c2 gets it
    # when the release comes up, after the sample scheduled before it.
    assert samples[:8] == [
        (0.0, 0, 0),
        (1.0, 2, 0),
        (2.0, 2, 1),
        (3.0, 2, 3),
        (4.0, 1, 3),
        (5.0, 1, 2),
        (6.0, 2, 0),
        (7.0, 0, 0),
    ]
    assert pool.busy == 0 and not pool.queue


def _setup(dossiers: int) -> tuple[object, object]:
    proc = compile_procedure(read_procedure(PROCEDURE))
    scenario, _ = read_scenario(SCENARIO)
    scenario = scenario.model_copy(
        update={"period": None, "start": scenario.first_day, "dossiers": dossiers}
    )
    return proc, scenario


def _dump(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        dossiers = sorted(conn.execute("SELECT * FROM dossiers").fetchall())
        events = sorted(conn.execute("SELECT * FROM events").fetchall())
    return dossiers, events


def test_closed_dossiers_leave_memory_and_out_writes_them_in_batches(tmp_path: Path) -> None:
    proc, scenario = _setup(300)
    lean = Simulation(scenario, proc, CAL)  # type: ignore[arg-type]
    result = lean.run()
    assert isinstance(lean.store, SimulationStore)
    assert list(lean.store.codes()) == [] and lean.store.closed_count == 300
    assert not lean.store.logs  # nothing kept, nothing written: no logs either
    # Kept, then saved at the end: what the simulator wrote before.
    kept = Simulation(scenario, proc, CAL, keep=True)  # type: ignore[arg-type]
    assert kept.run().to_dict() == result.to_dict()
    assert save_results(kept.store, str(tmp_path / "kept.db")) == 300
    # Written as dossiers close, 7 at a time: the same dossiers and events.
    out = tmp_path / "streamed.db"
    streamed = Simulation(scenario, proc, CAL, out=str(out), batch=7)  # type: ignore[arg-type]
    assert json.dumps(streamed.run().to_dict()) == json.dumps(result.to_dict())
    assert streamed.saved == 300
    assert _dump(out) == _dump(tmp_path / "kept.db")


def test_cli_simulate_out(tmp_path: Path) -> None:
    from procflow.cli.simulate import register

    group = click.Group("procflow")
    register(group)
    out = tmp_path / "sim.db"
    args = ["simulate", str(PROCEDURE), str(SCENARIO), "--dossiers", "60", "--format", "json"]
    run = CliRunner().invoke(group, [*args, "--out", str(out)])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["saved"] == {"database": str(out), "dossiers": 60}
    assert len(_dump(out)[0]) == 60
    again = CliRunner().invoke(group, [*args, "--out", str(out)])
    assert again.exit_code != 0 and "exists" in str(again.exception)
    assert len(_dump(out)[0]) == 60  # refused before running: the file is untouched


def test_a_store_without_logs_says_so_and_keeps_the_chain() -> None:
    """``logs=False`` (a run that keeps nothing but figures): the engine
    writes, hashes and chains every event as ever, so a dossier's record
    carries the hash of its last event; only the bodies are not kept. Asking
    for events, or for what hands them over, is refused with the fix."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from simtest import single_queue

    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Engine, VirtualClock
    from procflow.errors import StoreError

    clock = VirtualClock(datetime(2025, 3, 3, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    lan = Actor("lan", "office", "officer")
    codes, records = [], []
    for logs in (True, False):
        store = SimulationStore(logs=logs)
        engine = Engine(store, Catalogue([single_queue()]), CAL, VirtualClock(clock.now()))
        code = engine.receive("test.single-queue", actor=lan).code
        engine.set_facts(code, {"urgent": True}, lan)
        codes.append(code)
        records.append(store.record(code, clock.now().tzinfo))
    with_logs, without = records
    assert with_logs is not None and without is not None
    assert without.version == with_logs.version == 2
    assert without.last_hash == with_logs.last_hash  # the same chain, to its last hash
    with pytest.raises(StoreError, match=r"keeps no event logs.*no events to read.*logs=True"):
        store.events(codes[1])
    with pytest.raises(StoreError, match="on_close would be handed no events"):
        store.on_close = lambda dossier, events: None
    with pytest.raises(StoreError, match=r"keep=True would keep closed dossiers without events"):
        SimulationStore(keep=True, logs=False)
    with pytest.raises(StoreError, match=r"keep=True would keep closed dossiers without events"):
        store.keep = True
    assert store.on_close is None and not store.keep  # nothing was changed
