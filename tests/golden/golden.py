"""Golden data: what today's engine produces, recorded so that a new engine core can
be checked against it field by field.

Two sources, both deterministic:

* every scenario file of the library (``procedures/**/tests/*.yaml``), run by the
  scenario runner on its own virtual clock;
* seeded random schedules: a procedure of the library, a receipt at a random
  instant of 2024-2028, then acts at random delays (seconds to weeks: nights,
  weekends, Tết, make-up Saturdays), each taken by an officer the procedure
  allows: moves, supplement pauses and resumes, refusals, withdrawals, stops,
  apologies, facts and sweeps, and now and then an act the rules refuse (it
  must stay refused, with the same error class).

A case records every event (type, instant, actor, data), the dossier's final
state and its control slip, and the outcome of each act. Hashes are left out:
the encoding that is hashed (and its format number) is the one thing a new core
may change.

``python tests/golden/golden.py`` rewrites ``engine.jsonl.gz``; do it only when
a behaviour change is intended, and say so in the commit.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import ENGINE_TRIGGERS, STOP, WITHDRAW, CompiledProcedure
from procflow.engine import Actor, Engine, Event, VirtualClock
from procflow.engine.authority import Act, roles_for
from procflow.errors import ProcflowError
from procflow.store import MemoryStore, Store

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("engine.jsonl.gz")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULES = 3000
SEED = 20261202
HASH_FIELDS = ("prev_hash", "hash", "last_hash", "format")


def _event(e: Event) -> dict[str, Any]:
    d = e.to_dict()
    for key in HASH_FIELDS:
        d.pop(key, None)
    return json.loads(json.dumps(d, default=str))


def _case(name: str, engine: Engine, codes: list[str], acts: list[Any]) -> dict[str, Any]:
    dossiers = []
    for code in codes:
        state = engine.get(code).to_dict()
        state.pop("last_hash", None)
        dossiers.append(
            {
                "events": [_event(e) for e in engine.history(code)],
                "state": json.loads(json.dumps(state, default=str)),
                "slip": json.loads(json.dumps(engine.control_slip(code).to_dict(), default=str)),
            }
        )
    return {"case": name, "acts": acts, "dossiers": dossiers}


# --- the library's scenarios -------------------------------------------------------------


def scenario_cases() -> Iterator[dict[str, Any]]:
    from procflow.testing import runner as runner_module

    engines: list[Engine] = []
    original = runner_module.Engine

    class Recording(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            engines.append(self)

    runner_module.Engine = Recording  # type: ignore[misc]
    try:
        files = sorted((ROOT / "procedures").glob("*/tests/*.yaml"))
        runner = runner_module.ScenarioRunner(procedures=[ROOT / "procedures"])
        for path in files:
            engines.clear()
            result = runner.run_file(path)
            name = f"scenario:{path.relative_to(ROOT)}"
            if not engines:
                yield {"case": name, "acts": [result.status.value], "dossiers": []}
                continue
            engine = engines[-1]
            codes = list(engine.store.codes())
            yield _case(name, engine, codes, [result.status.value])
    finally:
        runner_module.Engine = original  # type: ignore[misc]


# --- seeded random schedules ---------------------------------------------------------------


CALENDAR = WorkCalendar.vietnam()


def _catalogue() -> Catalogue:
    return Catalogue.from_paths([ROOT / "procedures"])


def _delay(rng: random.Random) -> timedelta:
    """Seconds to weeks, log-uniformly: a second after the last act up to a month."""
    return timedelta(seconds=round(10 ** rng.uniform(0, 6.4)))


def _actor(proc: CompiledProcedure, state: str, desk: str, act: Act, rng: random.Random) -> Actor:
    info = proc.states[state]
    agency = info.agency or desk
    if act is Act.WITHDRAW and rng.random() < 0.5:
        agency = desk
    roles = roles_for(proc, info, act)
    role = min(roles) if roles else rng.choice([None, "officer"])
    return Actor(f"{agency}-{role or 'staff'}", agency, role)


def random_case(
    catalogue: Catalogue, number: int, store: Callable[[], Store] = MemoryStore
) -> dict[str, Any]:
    rng = random.Random(SEED * 1_000_003 + number)
    start = datetime(2024, 1, 1, tzinfo=VN) + timedelta(seconds=rng.randrange(5 * 365 * 86400))
    clock = VirtualClock(start)
    engine = Engine(store(), catalogue, CALENDAR, clock)
    ids = sorted(catalogue.ids())
    acts: list[Any] = []
    day = start.date()
    candidates = []
    for pid in ids:
        try:
            candidates.append(catalogue.in_force(pid, day))
        except ProcflowError:
            continue
    if not candidates:
        return {"case": f"random:{number}", "acts": ["nothing in force"], "dossiers": []}
    proc = rng.choice(candidates)
    desk = proc.procedure.desk.id
    first = proc.states[proc.initial]
    try:
        code = engine.receive(
            proc.id,
            actor=Actor("desk", desk, first.role),
            applicant={"name": f"Người nộp {number}"},
            facts={},
        ).code
    except ProcflowError as exc:
        return {"case": f"random:{number}", "acts": [type(exc).__name__], "dossiers": []}
    acts.append(["receive", proc.key])
    for _ in range(rng.randrange(4, 24)):
        dossier = engine.get(code)
        if not dossier.is_open:
            break
        clock.advance(_delay(rng))
        state = dossier.state
        own = [t for t in proc.triggers(state) if t not in ENGINE_TRIGGERS]
        roll = rng.random()
        try:
            if roll < 0.70 and own:
                trigger = rng.choice(own)
                actor = _actor(proc, state, desk, Act.MOVE, rng)
                engine.fire(code, trigger, actor, note=rng.choice([None, "ghi chú"]))
                acts.append(["fire", trigger, str(actor)])
            elif roll < 0.76:
                actor = _actor(proc, state, desk, Act.SET_FACTS, rng)
                engine.set_facts(code, {"needs_verification": rng.random() < 0.5}, actor)
                acts.append(["set_facts", str(actor)])
            elif roll < 0.82:
                actor = _actor(proc, state, desk, Act.APOLOGISE, rng)
                later = dossier.appointment + timedelta(days=rng.randrange(1, 15))
                engine.apologise(code, actor, reason="chờ xác minh", new_appointment=later)
                acts.append(["apologise", str(actor)])
            elif roll < 0.90:
                events = engine.sweep()
                acts.append(["sweep", len(events)])
            elif roll < 0.93 and proc.procedure.rules.withdrawal:
                actor = _actor(proc, state, desk, Act.WITHDRAW, rng)
                engine.fire(code, WITHDRAW, actor)
                acts.append(["withdraw", str(actor)])
            elif roll < 0.95:
                actor = _actor(proc, state, desk, Act.STOP, rng)
                engine.fire(code, STOP, actor, note="thông báo dừng")
                acts.append(["stop", str(actor)])
            else:  # someone the rules do not allow, or a move that does not exist
                stranger = Actor("x", rng.choice(["tax-office", desk]), "intern")
                trigger = rng.choice([*own, "bogus"]) if own else "bogus"
                engine.fire(code, trigger, stranger)
                acts.append(["stranger", trigger])
        except ProcflowError as exc:
            acts.append(["refused", type(exc).__name__])
    return _case(f"random:{number}", engine, [code], acts)


def random_cases(n: int = SCHEDULES) -> Iterator[dict[str, Any]]:
    catalogue = _catalogue()
    for number in range(n):
        yield random_case(catalogue, number)


def all_cases() -> Iterator[dict[str, Any]]:
    yield from scenario_cases()
    yield from random_cases()


def write(path: Path = GOLDEN) -> int:
    count = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        for case in all_cases():
            out.write(json.dumps(case, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def read(path: Path = GOLDEN) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


if __name__ == "__main__":
    print(f"{write()} cases written to {GOLDEN}")
