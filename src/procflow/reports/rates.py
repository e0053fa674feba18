"""Early / on-time / late counts and the on-time rate, by any grouping.

The figures the one-stop desks are judged by (tỷ lệ hồ sơ giải quyết trước
hạn và đúng hạn). Definitions (docs/reports.md, "Rates"):

* **finished in the period**: ``closed_at`` in the period, whatever the
  outcome;
* **resolved**: outcome ``returned`` (result handed over) or ``refused``
  (refusal after receipt, with reasons); each carries the engine's
  classification early / on time / late against the statutory due date (which
  pauses for supplements move, and apologies do not);
* **withdrawn** and **stopped** are finished but not resolved: counted apart,
  not in the rate;
* **guided** (incomplete at reception: written guidance, no clock) and
  **refused at reception** are reception outcomes, counted apart;
* **rate** = (early + on time) / resolved, or ``None`` when nothing was
  resolved;
* **supplemented**: finished dossiers that were asked for a supplement during
  processing (``supplements > 0``); **apologised**: finished dossiers that got
  an apology and a new appointment (an appointment after the first one, other
  than the dates a supplement or a calendar change gave);
* **in progress as of** T: received at or before T and not closed by T;
  **overdue** when the statutory due date is before T, else **within time**;
  **paused**: of those, waiting for the applicant at T (still open and paused
  now; a pause that ended after T is not known from the current state).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

__all__ = ["RECEPTION", "RESOLVED", "Counts", "RatesBuilder", "RatesReport"]

RESOLVED = frozenset({"returned", "refused"})
RECEPTION = frozenset({"guided", "refused_at_reception"})


@dataclass(slots=True)
class Counts:
    """The counts of one group (all dossiers, one procedure, one agency, one month...)."""

    early: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    refused: int = 0
    withdrawn: int = 0
    stopped: int = 0
    guided: int = 0
    refused_at_reception: int = 0
    supplemented: int = 0
    apologised: int = 0
    in_progress: int = 0
    within_time: int = 0
    overdue: int = 0
    paused: int = 0
    pauses: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per reason the clock stopped for (supplement, financial_obligations,
    ...): how many times, and the working hours it stood still."""

    @property
    def resolved(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def finished(self) -> int:
        return self.resolved + self.withdrawn + self.stopped

    @property
    def rate(self) -> float | None:
        """(early + on time) / resolved; None when nothing was resolved."""
        resolved = self.resolved
        return (self.early + self.on_time) / resolved if resolved else None

    @property
    def early_rate(self) -> float | None:
        resolved = self.resolved
        return self.early / resolved if resolved else None

    def add_finished(self, d: dict[str, Any]) -> None:
        outcome = d["outcome"]
        if outcome in RESOLVED:
            t = d["timeliness"]
            if t == "early":
                self.early += 1
            elif t == "on_time":
                self.on_time += 1
            else:
                self.late += 1
            if outcome == "returned":
                self.returned += 1
            else:
                self.refused += 1
        elif outcome == "withdrawn":
            self.withdrawn += 1
        elif outcome == "stopped":
            self.stopped += 1
        elif outcome == "guided":
            self.guided += 1
            return
        elif outcome == "refused_at_reception":
            self.refused_at_reception += 1
            return
        if d["supplements"]:
            self.supplemented += 1
        self._add_pauses(d)
        # Appointments after the first are apologies, except those a calendar
        # recalculation added (they carry a kind).
        if any(not a.get("kind") for a in d["appointments"][1:]):
            self.apologised += 1

    def _add_pauses(self, d: dict[str, Any]) -> None:
        for reason, acc in (d.get("pauses") or {}).items():
            mine = self.pauses.setdefault(reason, {"count": 0, "hours": 0.0})
            mine["count"] += acc["count"]
            mine["hours"] = round(mine["hours"] + acc["seconds"] / 3600, 4)

    def add_open(self, d: dict[str, Any], overdue: bool, paused: bool) -> None:
        self._add_pauses(d)
        self.in_progress += 1
        if overdue:
            self.overdue += 1
        else:
            self.within_time += 1
        if paused:
            self.paused += 1

    def merge(self, other: Counts) -> None:
        for f in fields(self):
            if f.name == "pauses":
                for reason, acc in other.pauses.items():
                    mine = self.pauses.setdefault(reason, {"count": 0, "hours": 0.0})
                    mine["count"] += acc["count"]
                    mine["hours"] = round(mine["hours"] + acc["hours"], 4)
                continue
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["pauses"] = {k: dict(v) for k, v in sorted(self.pauses.items())}
        out["resolved"] = self.resolved
        out["finished"] = self.finished
        out["rate"] = self.rate
        out["early_rate"] = self.early_rate
        return out


GROUPINGS = ("procedure", "agency", "desk", "month")


@dataclass(slots=True)
class RatesReport:
    """Counts for everything, and by procedure, agency, receiving desk and month.

    ``by_agency`` counts a dossier under every agency that held one of its
    steps (so the agencies' counts add up to more than the total in
    inter-agency procedures); ``by_month`` groups finished dossiers by the
    local month of ``closed_at`` and in-progress ones under none.
    """

    total: Counts = field(default_factory=Counts)
    by_procedure: dict[str, Counts] = field(default_factory=dict)
    by_agency: dict[str, Counts] = field(default_factory=dict)
    by_desk: dict[str, Counts] = field(default_factory=dict)
    by_month: dict[str, Counts] = field(default_factory=dict)
    as_of: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        def table(groups: dict[str, Counts]) -> dict[str, Any]:
            return {k: groups[k].to_dict() for k in sorted(groups)}

        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "total": self.total.to_dict(),
            "by_procedure": table(self.by_procedure),
            "by_agency": table(self.by_agency),
            "by_desk": table(self.by_desk),
            "by_month": table(self.by_month),
        }


class RatesBuilder:
    """Feed dossiers one at a time (:meth:`add`); memory grows with the number of
    groups, not of dossiers."""

    def __init__(self, as_of: datetime, tz: Any) -> None:
        self.report = RatesReport(as_of=as_of)
        self.as_of = as_of
        self.tz = tz

    def _groups(
        self, d: dict[str, Any], month: str | None, agencies: Iterable[str]
    ) -> list[Counts]:
        r = self.report
        out = [
            r.total,
            r.by_procedure.setdefault(d["procedure_id"], Counts()),
            r.by_desk.setdefault(d["desk_agency"], Counts()),
        ]
        by_agency = r.by_agency
        for agency in agencies or (d["desk_agency"],):
            c = by_agency.get(agency)
            if c is None:
                c = by_agency[agency] = Counts()
            out.append(c)
        if month is not None:
            out.append(r.by_month.setdefault(month, Counts()))
        return out

    def add_finished(
        self, d: dict[str, Any], closed_at: datetime, agencies: Collection[str] = ()
    ) -> None:
        """A finished dossier; ``agencies``: those that held its steps (default: none
        given, so it counts under its desk)."""
        local = closed_at.astimezone(self.tz)
        month = f"{local.year:04d}-{local.month:02d}"
        for c in self._groups(d, month, agencies):
            c.add_finished(d)

    def add_in_progress(
        self, d: dict[str, Any], overdue: bool, paused: bool, agencies: Collection[str] = ()
    ) -> None:
        for c in self._groups(d, None, agencies):
            c.add_open(d, overdue, paused)
