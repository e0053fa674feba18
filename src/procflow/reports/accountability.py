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

Step allotments are internal targets. What an agency is **charged** is its
working time across all its steps in a dossier against its **share** of the
statutory time (:func:`procflow.model.shares.agency_use`, the figure the
control slip shows, dossier by dossier). Those figures (``share_*``) count the
dossiers *closed* in the period whose procedure version the report was given
(``build_report(procedures=...)``); the others are counted as
``unknown_procedure``:

* **share used / share / over-run**: the sums, over those dossiers, of the
  agency's use, its share and its net over-run (max 0, use - share);
* **early / on time / late**: the dossiers by the agency's timeliness against
  its share; **from steps**: those where the procedure gives the agency no
  share and it is the sum of its steps' allotments;
* **late dossiers over share**: of the dossiers resolved late, those in which
  the agency over-ran its share; a late dossier with none counts as
  *unattributed by share*.

**Collection** (the result's two instants): of the dossiers returned in the
period, how many reached the desk's return step (*ready*), how many were
handed over after their due date, how many of those had their result ready by
the due date, and the applicant's collection time (ready to hand-over, working
time) summed over the dossiers collected after their due date: charged to no
agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procflow.model.shares import AgencyUse, ResultInstants

__all__ = [
    "UNATTRIBUTED",
    "AccountabilityBuilder",
    "AccountabilityReport",
    "AgencyAccount",
    "CollectionFigures",
]

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
    share_dossiers: int = 0
    """Dossiers in which the agency was judged against its share."""
    share_used_seconds: float = 0.0
    share_seconds: float = 0.0
    share_overrun_seconds: float = 0.0
    """Net over-runs of its share: what it is charged."""
    share_early: int = 0
    share_on_time: int = 0
    share_late: int = 0
    share_from_steps: int = 0
    """Of ``share_dossiers``, those where its share is its steps' allotments."""
    late_dossiers_over_share: int = 0

    def add_use(self, use: AgencyUse) -> None:
        """One dossier's figure for this agency (counted when it has a share)."""
        if use.share_seconds is None or use.timeliness is None:
            return
        self.share_dossiers += 1
        self.share_used_seconds += use.used_seconds
        self.share_seconds += use.share_seconds
        self.share_overrun_seconds += use.overrun_seconds
        if use.share_from == "steps":
            self.share_from_steps += 1
        t = use.timeliness.value
        if t == "early":
            self.share_early += 1
        elif t == "on_time":
            self.share_on_time += 1
        else:
            self.share_late += 1

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
            # Against the shares: flat, so the CSV rows carry them too.
            "share_dossiers": self.share_dossiers,
            "share_used_seconds": self.share_used_seconds,
            "share_seconds": self.share_seconds,
            "share_overrun_seconds": self.share_overrun_seconds,
            "share_used_days": days(self.share_used_seconds),
            "share_days": days(self.share_seconds),
            "share_overrun_days": days(self.share_overrun_seconds),
            "share_early": self.share_early,
            "share_on_time": self.share_on_time,
            "share_late": self.share_late,
            "share_from_steps": self.share_from_steps,
            "late_dossiers_over_share": self.late_dossiers_over_share,
        }


@dataclass(slots=True)
class CollectionFigures:
    """The applicant's time to collect results (see the module): never an agency's."""

    ready: int = 0
    """Dossiers returned in the period whose result reached a return step."""
    collected_after_due: int = 0
    ready_by_due: int = 0
    """Of those collected after their due date, the ones ready by it."""
    collection_seconds: float = 0.0
    """Working time from ready to hand-over, over the dossiers collected after
    their due date."""

    def add(self, result: ResultInstants) -> None:
        if result.returned_at is None:
            return
        if result.ready_at is not None:
            self.ready += 1
        if not result.collected_after_due:
            return
        self.collected_after_due += 1
        if result.ready_by_due:
            self.ready_by_due += 1
        self.collection_seconds += result.collection_seconds or 0.0

    def to_dict(self, day_seconds: float) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "collected_after_due": self.collected_after_due,
            "ready_by_due": self.ready_by_due,
            "collection_seconds": self.collection_seconds,
            "collection_days": round(self.collection_seconds / day_seconds, 4),
        }


@dataclass(slots=True)
class AccountabilityReport:
    agencies: dict[str, AgencyAccount] = field(default_factory=dict)
    late_handoffs: dict[tuple[str, str], int] = field(default_factory=dict)
    """(from agency, to agency) -> late hand-offs; the from agency's."""
    late_dossiers: int = 0
    unattributed_late_dossiers: int = 0
    day_seconds: float = 27000.0
    share_dossiers: int = 0
    """Dossiers closed in the period and judged against the agencies' shares."""
    unknown_procedure: int = 0
    """Dossiers closed in the period whose procedure version the report was not
    given: no share figures for them (their agencies are scored by their steps)."""
    unattributed_by_share: int = 0
    """Dossiers resolved late in which no agency over-ran its share."""
    collection: CollectionFigures = field(default_factory=CollectionFigures)
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per dossier (``build_report(per_dossier=True)``): each agency's figure and
    the result's instants, as on its control slip; empty otherwise."""

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
            "shares": {
                "dossiers": self.share_dossiers,
                "unknown_procedure": self.unknown_procedure,
                "unattributed_late_dossiers": self.unattributed_by_share,
            },
            "collection": self.collection.to_dict(self.day_seconds),
            **({"dossiers": self.dossiers} if self.dossiers else {}),
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

    def add_shares(
        self,
        code: str,
        uses: dict[str, AgencyUse],
        result: ResultInstants,
        late: bool,
        keep: bool = False,
    ) -> None:
        """A dossier closed in the period: each agency's use against its share
        (``uses``, from :func:`procflow.model.shares.agency_use`) and its
        result's instants; ``late``: resolved late; ``keep``: list it in
        ``dossiers`` too."""
        report = self.report
        report.share_dossiers += 1
        over = False
        for agency, use in uses.items():
            acc = self.account(agency)
            acc.add_use(use)
            if late and use.overrun_seconds > 0:
                acc.late_dossiers_over_share += 1
                over = True
        if late and not over:
            report.unattributed_by_share += 1
        report.collection.add(result)
        if keep:
            report.dossiers[code] = {
                "agencies": {a: u.to_dict() for a, u in uses.items()},
                **result.to_dict(),
            }

    def add_unknown(self) -> None:
        """A dossier closed in the period whose procedure version is not known."""
        self.report.unknown_procedure += 1
