"""Shared helpers of the version tests (a uniquely named module, importable
from any test file whatever else is on sys.path)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store.base import Store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "versions"
OLD_FILE = EXAMPLES / "household-2021.yaml"
NEW_FILE = EXAMPLES / "household-2025.yaml"
MAPPING_FILE = EXAMPLES / "mapping.yaml"
PID = "vn.example.household-business"
VN = ZoneInfo("Asia/Ho_Chi_Minh")

DISTRICT = Actor("lan", "district-pc")
COMMUNE = Actor("hoa", "commune-pc")
COMMUNE_HEAD = Actor("minh", "commune-pc", "leader")

_CATALOGUE: Catalogue | None = None


def catalogue() -> Catalogue:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = Catalogue.from_paths([EXAMPLES])
    return _CATALOGUE


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def make_engine(store: Store, calendar: WorkCalendar, start: str) -> Engine:
    return Engine(store, catalogue(), calendar, VirtualClock(at(start)))


def snapshot(store: Store) -> dict[str, Any]:
    """Every dossier's state and event hashes: to check nothing changed."""
    return {
        code: (store.get(code).to_dict(), [e.hash for e in store.events(code)])  # type: ignore[union-attr]
        for code in store.codes()
    }


# The old version's steps, and the triggers (as the district) that reach each
# from reception; "supplement" pauses the clock.
PATHS: dict[str, list[str]] = {
    "reception": [],
    "review": ["forward"],
    "supplement": ["forward", "request_supplement"],
    "approval": ["forward", "propose"],
    "return": ["forward", "propose", "sign"],
    "returned": ["forward", "propose", "sign", "hand_over"],
}


def populate(engine: Engine, n: int, actor: Actor = DISTRICT) -> dict[str, str]:
    """Receive ``n`` dossiers on the engine's clock and spread them over the
    old version's steps (and one in six closed); returns code -> state."""
    clock = engine.clock
    assert isinstance(clock, VirtualClock)
    states = list(PATHS)
    out: dict[str, str] = {}
    for i in range(n):
        slip = engine.receive(PID, actor=actor, applicant={"name": f"Hộ {i}"})
        target = states[i % len(states)]
        for trigger in PATHS[target]:
            engine.fire(slip.code, trigger, actor)
        out[slip.code] = target
    return out
