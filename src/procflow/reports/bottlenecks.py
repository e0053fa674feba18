"""Bottlenecks: where dossiers spend their time, step by step.

For every step of every procedure (visits *left* in the period, like
accountability), the distribution of the working time its agency used —
median, 90th percentile, maximum — and the working time spent waiting for the
applicant, ranked by the step's contribution to lateness.

Definitions (docs/reports.md, "Bottlenecks"):

* **working**: ``used_seconds`` of the visit: office time (on the calendar)
  between entering and leaving the step, charged to the holding agency;
* **waiting**: office time between entering and leaving the step that was
  *not* charged to the agency: the applicant's time in supplement steps, where
  the clock is stopped. procflow records no separate "work started" event, so
  a dossier sitting in an agency's queue counts as that agency's working time;
* **quantiles**: linear interpolation between order statistics (numpy's
  default, ``statistics.quantiles(method="inclusive")``): the median of
  ``[1, 2, 3, 10]`` is 2.5 and its p90 is 7.9;
* **contribution to lateness**: the step's late working seconds (past its own
  due instant) as a share of all steps' late seconds in the report; steps are
  ranked by late seconds, then late visits, then p90 working time.

Memory: the per-step values are kept in ``array('d')`` (8 bytes a visit), so
the report holds O(visits in the period) floats and nothing else that grows
with the log: about 13 MB for 100,000 dossiers of 8 steps.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BottlenecksBuilder", "BottlenecksReport", "StepStats", "quantile"]


def quantile(sorted_values: array[float] | list[float], q: float) -> float | None:
    """The ``q``-quantile of sorted values by linear interpolation (None if empty)."""
    n = len(sorted_values)
    if n == 0:
        return None
    pos = (n - 1) * q
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * frac


@dataclass(slots=True)
class _Acc:
    procedure: str
    step: str
    agencies: dict[str, int] = field(default_factory=dict)
    working: array[float] = field(default_factory=lambda: array("d"))
    waiting: array[float] = field(default_factory=lambda: array("d"))
    late_visits: int = 0
    late_seconds: float = 0.0


@dataclass(slots=True)
class StepStats:
    procedure: str
    step: str
    agency: str | None
    visits: int
    working_median: float | None
    working_p90: float | None
    working_max: float | None
    working_mean: float | None
    working_total: float
    waiting_median: float | None
    waiting_p90: float | None
    waiting_max: float | None
    waiting_total: float
    late_visits: int
    late_seconds: float
    lateness_share: float | None
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "procedure": self.procedure,
            "step": self.step,
            "agency": self.agency,
            "visits": self.visits,
            "working_median": self.working_median,
            "working_p90": self.working_p90,
            "working_max": self.working_max,
            "working_mean": self.working_mean,
            "working_total": self.working_total,
            "waiting_median": self.waiting_median,
            "waiting_p90": self.waiting_p90,
            "waiting_max": self.waiting_max,
            "waiting_total": self.waiting_total,
            "late_visits": self.late_visits,
            "late_seconds": self.late_seconds,
            "lateness_share": self.lateness_share,
        }


@dataclass(slots=True)
class BottlenecksReport:
    steps: list[StepStats] = field(default_factory=list)
    """Ranked: the step that contributes most to lateness first."""
    late_seconds: float = 0.0
    """All steps' late working seconds: the denominator of ``lateness_share``."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "late_seconds": self.late_seconds,
            "unit": "working seconds",
            "steps": [s.to_dict() for s in self.steps],
        }


class BottlenecksBuilder:
    def __init__(self) -> None:
        self._steps: dict[tuple[str, str], _Acc] = {}

    def add_visit(self, procedure: str, v: dict[str, Any], elapsed_working: float) -> None:
        key = (procedure, v["step"])
        acc = self._steps.get(key)
        if acc is None:
            acc = self._steps[key] = _Acc(procedure, v["step"])
        agency = v["agency"] or ""
        acc.agencies[agency] = acc.agencies.get(agency, 0) + 1
        used = v["used_seconds"]
        acc.working.append(used)
        acc.waiting.append(max(0.0, elapsed_working - used))
        if v["timeliness"] == "late":
            acc.late_visits += 1
            acc.late_seconds += v["late_seconds"]

    def build(self) -> BottlenecksReport:
        total_late = sum(a.late_seconds for a in self._steps.values())
        out: list[StepStats] = []
        for acc in self._steps.values():
            working = array("d", sorted(acc.working))
            waiting = array("d", sorted(acc.waiting))
            n = len(working)
            agency = max(acc.agencies.items(), key=lambda kv: kv[1])[0] or None
            out.append(
                StepStats(
                    procedure=acc.procedure,
                    step=acc.step,
                    agency=agency,
                    visits=n,
                    working_median=quantile(working, 0.5),
                    working_p90=quantile(working, 0.9),
                    working_max=working[-1] if n else None,
                    working_mean=sum(working) / n if n else None,
                    working_total=sum(working),
                    waiting_median=quantile(waiting, 0.5),
                    waiting_p90=quantile(waiting, 0.9),
                    waiting_max=waiting[-1] if n else None,
                    waiting_total=sum(waiting),
                    late_visits=acc.late_visits,
                    late_seconds=acc.late_seconds,
                    lateness_share=acc.late_seconds / total_late if total_late else None,
                )
            )
        out.sort(key=lambda s: (-s.late_seconds, -s.late_visits, -(s.working_p90 or 0.0), s.step))
        for i, s in enumerate(out, start=1):
            s.rank = i
        return BottlenecksReport(out, total_late)
