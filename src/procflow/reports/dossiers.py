"""The late and overdue dossiers, one by one, with who made them late and why
their clock stopped.

Rates and accountability say how many; a reform officer then asks which
dossiers, which agency answers for each, and whether the applicant's time
(a supplement, a tax payment) explains part of the wait. Definitions
(docs/reports.md, "Late and overdue dossiers"):

* **late**: resolved (returned or refused) in the period and classified late
  against the statutory due date, the dossiers the accountability figures
  count; **overdue**: in progress at ``as_of`` and past the statutory due date;
* **past due**: working time from the statutory due date to closing (late) or
  to ``as_of`` (overdue), on the report's calendar;
* **agencies answering**: each agency's working time past the own due dates
  of its steps in the dossier: the late seconds of its late steps, and for an
  overdue dossier the step it still holds at ``as_of`` counted up to then.
  Empty when no agency ran over its own allotment (*unattributed*, as in the
  accountability figures);
* **pauses**: the dossier's stopped-clock time by legal reason
  (``{reason: {count, seconds}}``, working seconds), as the engine records it.

Memory grows with the late and overdue dossiers only (a few numbers each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["LateDossier", "LateDossiers", "LateDossiersBuilder"]


@dataclass(slots=True)
class LateDossier:
    code: str
    procedure: str
    received_at: str
    due_at: str
    """The statutory due date (ISO text, as stored)."""
    closed_at: str | None
    """None: still open at ``as_of`` (overdue)."""
    outcome: str | None
    past_due_seconds: float
    agencies: dict[str, float]
    """Agency -> working seconds past its own steps' due dates, largest first."""
    holder: str | None
    """An overdue dossier: the agency holding it at ``as_of`` (None while the
    applicant has it, or for a late one)."""
    pauses: dict[str, dict[str, float]]
    apologies: int

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure": self.procedure,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "closed_at": self.closed_at,
            "outcome": self.outcome,
            "past_due_seconds": self.past_due_seconds,
            "agencies": dict(self.agencies),
            "holder": self.holder,
            "pauses": {k: dict(v) for k, v in self.pauses.items()},
            "apologies": self.apologies,
        }


@dataclass(slots=True)
class LateDossiers:
    """The list (:meth:`ranked` orders it); merges by concatenation."""

    dossiers: list[LateDossier] = field(default_factory=list)

    def ranked(self) -> list[LateDossier]:
        """Still open first (they can still be acted on), then by working time
        past due, longest first; the code breaks ties so the order is stable."""
        return sorted(self.dossiers, key=lambda d: (not d.is_open, -d.past_due_seconds, d.code))

    def to_dict(self) -> dict[str, Any]:
        return {"dossiers": [d.to_dict() for d in self.ranked()]}


def _apologies(d: dict[str, Any]) -> int:
    # As the rates count them: appointments after the first that no calendar
    # recalculation gave (those carry a kind).
    return sum(1 for a in d["appointments"][1:] if not a.get("kind"))


class LateDossiersBuilder:
    """Feed late and overdue dossiers as the report's pass meets them."""

    def __init__(self, cum: Callable[[str], float], as_of: datetime) -> None:
        self._cum = cum
        self._as_of = as_of
        self._as_of_cum = cum(as_of.isoformat())
        self.report = LateDossiers()

    def add_late(self, d: dict[str, Any]) -> None:
        """A dossier resolved late."""
        agencies: dict[str, float] = {}
        for v in d["visits"]:
            agency = v["agency"]
            if agency is not None and v["timeliness"] == "late":
                agencies[agency] = agencies.get(agency, 0.0) + v["late_seconds"]
        closed = d["closed_at"]
        past = self._cum(closed) - self._cum(d["due_at"])
        self._add(d, closed, past, agencies, None)

    def add_overdue(self, d: dict[str, Any]) -> None:
        """A dossier in progress at ``as_of`` and past its statutory due date."""
        as_of = self._as_of
        parse = datetime.fromisoformat
        agencies: dict[str, float] = {}
        holder: str | None = None
        for v in d["visits"]:
            if parse(v["entered_at"]) > as_of:
                break  # entered after the instant judged at
            agency = v["agency"]
            left = v["left_at"]
            if left is not None and parse(left) <= as_of:
                if agency is not None and v["timeliness"] == "late":
                    agencies[agency] = agencies.get(agency, 0.0) + v["late_seconds"]
                continue
            # The step held at as_of: late so far if past its own due instant.
            holder = agency
            due = v["due_at"]
            if agency is not None and due is not None:
                over = self._as_of_cum - self._cum(due)
                if over > 0:
                    agencies[agency] = agencies.get(agency, 0.0) + over
        past = self._as_of_cum - self._cum(d["due_at"])
        self._add(d, None, past, agencies, holder)

    def _add(
        self,
        d: dict[str, Any],
        closed: str | None,
        past: float,
        agencies: dict[str, float],
        holder: str | None,
    ) -> None:
        ranked = dict(sorted(agencies.items(), key=lambda kv: (-kv[1], kv[0])))
        self.report.dossiers.append(
            LateDossier(
                code=d["code"],
                procedure=d["procedure_id"],
                received_at=d["received_at"],
                due_at=d["due_at"],
                closed_at=closed,
                outcome=d["outcome"] if closed is not None else None,
                past_due_seconds=max(0.0, past),
                agencies={k: v for k, v in ranked.items() if v > 0},
                holder=holder,
                pauses={k: dict(v) for k, v in (d.get("pauses") or {}).items()},
                apologies=_apologies(d),
            )
        )
