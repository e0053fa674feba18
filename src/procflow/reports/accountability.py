"""Per-agency accountability: who held the dossier how long, and who ran over.

In an inter-agency (liên thông) procedure every agency has its share of the
statutory time, step by step; the processing control slip shows which agency
used more. Definitions (docs/reports.md, "Accountability"):

* a **step** counts in the period when it was *left* in the period (its
  ``left_at``); steps still held are not counted here;
* **held**: the working seconds the agency used in the step (``used_seconds``:
  office time on the calendar between entering and leaving the step;
  applicant steps use none);
* **allotted**: the working seconds from entering the step to the step's own
  due instant (its ``time:`` allotment), for steps that have one;
* **late steps**: steps the agency left after their due date (the engine's
  step classification), and **late seconds** the working time past it;
* a **late hand-off** is a late step that passed the dossier to another
  agency (``to_agency`` differs), listed as *from -> to* with whose it was
  (the agency that held the step);
* **late dossiers answered for**: of the dossiers finished late in the period,
  those in which this agency had at least one late step; a late dossier where
  no agency ran over its own allotment counts as *unattributed*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["UNATTRIBUTED", "AccountabilityBuilder", "AccountabilityReport", "AgencyAccount"]

UNATTRIBUTED = "(unattributed)"


@dataclass(slots=True)
class AgencyAccount:
    agency: str
    steps: int = 0
    timed_steps: int = 0
    held_seconds: float = 0.0
    """Working seconds used over all counted steps."""
    timed_held_seconds: float = 0.0
    """Working seconds used in steps that have an allotment."""
    allotted_seconds: float = 0.0
    late_steps: int = 0
    late_seconds: float = 0.0
    late_handoffs: int = 0
    handoffs: int = 0
    late_dossiers: int = 0

    @property
    def overrun_seconds(self) -> float:
        """Held minus allotted, over the steps that have an allotment (negative: spare)."""
        return self.timed_held_seconds - self.allotted_seconds

    @property
    def on_time_step_rate(self) -> float | None:
        return (self.timed_steps - self.late_steps) / self.timed_steps if self.timed_steps else None

    def to_dict(self, day_seconds: float) -> dict[str, Any]:
        def days(s: float) -> float:
            return round(s / day_seconds, 4)

        return {
            "agency": self.agency,
            "steps": self.steps,
            "timed_steps": self.timed_steps,
            "held_seconds": self.held_seconds,
            "timed_held_seconds": self.timed_held_seconds,
            "allotted_seconds": self.allotted_seconds,
            "overrun_seconds": self.overrun_seconds,
            "late_seconds": self.late_seconds,
            "held_days": days(self.held_seconds),
            "allotted_days": days(self.allotted_seconds),
            "late_days": days(self.late_seconds),
            "late_steps": self.late_steps,
            "on_time_step_rate": self.on_time_step_rate,
            "handoffs": self.handoffs,
            "late_handoffs": self.late_handoffs,
            "late_dossiers": self.late_dossiers,
        }


@dataclass(slots=True)
class AccountabilityReport:
    agencies: dict[str, AgencyAccount] = field(default_factory=dict)
    late_handoffs: dict[tuple[str, str], int] = field(default_factory=dict)
    """(from agency, to agency) -> late hand-offs; the from agency's."""
    late_dossiers: int = 0
    unattributed_late_dossiers: int = 0
    day_seconds: float = 27000.0

    def to_dict(self) -> dict[str, Any]:
        ranked = sorted(
            self.agencies.values(), key=lambda a: (-a.late_seconds, -a.late_steps, a.agency)
        )
        return {
            "day_seconds": self.day_seconds,
            "agencies": [a.to_dict(self.day_seconds) for a in ranked],
            "late_handoffs": [
                {"from": f, "to": t, "count": n, "whose": f}
                for (f, t), n in sorted(self.late_handoffs.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "late_dossiers": self.late_dossiers,
            "unattributed_late_dossiers": self.unattributed_late_dossiers,
        }


class AccountabilityBuilder:
    """Feed step visits and finished dossiers; memory grows with agencies only."""

    def __init__(self, day_seconds: float) -> None:
        self.report = AccountabilityReport(day_seconds=day_seconds)

    def account(self, agency: str) -> AgencyAccount:
        acc = self.report.agencies.get(agency)
        if acc is None:
            acc = self.report.agencies[agency] = AgencyAccount(agency)
        return acc

    def add_visit(self, v: dict[str, Any], allotted: float | None) -> None:
        agency = v["agency"]
        if agency is None:
            return
        acc = self.account(agency)
        used = v["used_seconds"]
        acc.steps += 1
        acc.held_seconds += used
        if allotted is not None:
            acc.timed_steps += 1
            acc.timed_held_seconds += used
            acc.allotted_seconds += allotted
        late = v["timeliness"] == "late"
        if late:
            acc.late_steps += 1
            acc.late_seconds += v["late_seconds"]
        to = v["to_agency"]
        if to is not None and to != agency:
            acc.handoffs += 1
            if late:
                acc.late_handoffs += 1
                key = (agency, to)
                self.report.late_handoffs[key] = self.report.late_handoffs.get(key, 0) + 1

    def add_late_dossier(self, parts: dict[str, str]) -> None:
        """A dossier finished late; ``parts``: each agency's worst step class in it."""
        self.report.late_dossiers += 1
        culprits = [agency for agency, t in parts.items() if t == "late"]
        if not culprits:
            self.report.unattributed_late_dossiers += 1
        for agency in culprits:
            self.account(agency).late_dossiers += 1
