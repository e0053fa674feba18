"""Helpers of the procedure-library tests (a module with a unique name, so test
files import it whatever else is on sys.path).

Dossiers run on the real engine, the real national calendar
(``WorkCalendar.vietnam()``), a ``MemoryStore`` and a ``VirtualClock``. The
actor for each trigger is taken from the step the dossier is in (its agency
and role), so a scenario only lists triggers and times.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.model.dossier import Dossier
from procflow.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = ROOT / "procedures"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@cache
def catalogue() -> Catalogue:
    return Catalogue.from_paths([PROCEDURES])


@cache
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


class Desk:
    """One engine on a virtual clock, with actors derived from the steps."""

    def __init__(self, start: datetime) -> None:
        self.clock = VirtualClock(start)
        self.engine = Engine(MemoryStore(), catalogue(), calendar(), self.clock)

    def receive(self, procedure_id: str) -> str:
        version = catalogue().in_force(procedure_id, self.clock.now().date())
        desk = next(a for a in version.procedure.agencies if a.desk)
        actor = Actor("desk", desk.id, "desk-officer")
        return self.engine.receive(
            procedure_id, actor=actor, applicant={"name": "Nguyễn Văn A"}
        ).code

    def actor(self, code: str) -> Actor:
        dossier = self.engine.get(code)
        proc = catalogue().get(dossier.procedure_id, dossier.procedure_version).procedure
        step = next(s for s in proc.steps if s.id == dossier.state)
        return Actor(f"officer-{step.agency}", step.agency, step.role)

    def fire(self, code: str, trigger: str, when: datetime | None = None, **kw: object) -> Dossier:
        if when is not None:
            self.clock.set(when)
        return self.engine.fire(code, trigger, self.actor(code), **kw)  # type: ignore[arg-type]

    def run(self, code: str, *triggers: str, minutes: int = 20) -> Dossier:
        """Fire ``triggers`` in order, ``minutes`` apart."""
        dossier = self.engine.get(code)
        for trigger in triggers:
            self.clock.advance(minutes=minutes)
            dossier = self.fire(code, trigger)
        return dossier
