"""Compare two versions of a procedure on the same dossiers.

Both versions run on the same scenario with the same seeds, so each
replication sees the same arrivals and the same work per dossier (common
random numbers); the difference in on-time rate is then measured per
replication and summarised with a 95% confidence interval (Student's t).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procflow.compiler import CompiledProcedure
from procflow.simulation.runner import Simulation, SimulationResult
from procflow.simulation.scenario import Scenario

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar

# Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
_T975 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
]  # fmt: skip


def t975(df: int) -> float:
    return _T975[df - 1] if df <= len(_T975) else 1.96


@dataclass
class Comparison:
    a: str
    b: str
    replications: int
    rates_a: list[float]
    rates_b: list[float]
    mean_difference: float
    ci95: tuple[float, float] | None
    results_a: list[SimulationResult]
    results_b: list[SimulationResult]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "replications": self.replications,
            "on_time_rate_a": self.rates_a,
            "on_time_rate_b": self.rates_b,
            "mean_a": statistics.fmean(self.rates_a),
            "mean_b": statistics.fmean(self.rates_b),
            "mean_difference_b_minus_a": self.mean_difference,
            "ci95": list(self.ci95) if self.ci95 else None,
        }


def compare(
    scenario: Scenario,
    a: CompiledProcedure,
    b: CompiledProcedure,
    calendar: WorkCalendar,
    *,
    replications: int = 5,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    rates_a, rates_b, runs_a, runs_b = [], [], [], []
    for r in range(replications):
        seeded = scenario.model_copy(update={"seed": scenario.seed + r})
        ra = Simulation(seeded, a, calendar).run()
        rb = Simulation(seeded, b, calendar).run()
        runs_a.append(ra)
        runs_b.append(rb)
        rates_a.append(ra.on_time_rate or 0.0)
        rates_b.append(rb.on_time_rate or 0.0)
        if progress is not None:
            progress(r + 1)
    diffs = [y - x for x, y in zip(rates_a, rates_b, strict=True)]
    mean = statistics.fmean(diffs)
    ci = None
    if replications > 1:
        half = t975(replications - 1) * statistics.stdev(diffs) / math.sqrt(replications)
        ci = (mean - half, mean + half)
    return Comparison(a.key, b.key, replications, rates_a, rates_b, mean, ci, runs_a, runs_b)
