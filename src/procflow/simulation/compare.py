"""Compare two versions of a procedure on the same dossiers.

Both versions run on the same scenario with the same seeds, so each
replication sees the same arrivals and the same work per dossier (common
random numbers); the difference in on-time rate is then measured per
replication and summarised with a 95% confidence interval (Student's t).
The runs are independent: ``jobs`` runs them on several cores.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
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


def _run(
    scenario: Scenario, compiled: CompiledProcedure, calendar: WorkCalendar
) -> SimulationResult:
    return Simulation(scenario, compiled, calendar).run()


def compare(
    scenario: Scenario,
    a: CompiledProcedure,
    b: CompiledProcedure,
    calendar: WorkCalendar,
    *,
    replications: int = 5,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> Comparison:
    """Run A and B on ``replications`` seeds (the scenario's, then the next ones).

    ``jobs`` > 1 runs the independent runs in that many processes; each run
    is the same as in one process, so the results do not change.
    """
    seeded = [scenario.model_copy(update={"seed": scenario.seed + r}) for r in range(replications)]
    runs_a: list[SimulationResult] = []
    runs_b: list[SimulationResult] = []
    if jobs > 1 and replications * 2 > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, 2 * replications)) as pool:
            futures_a = [pool.submit(_run, sc, a, calendar) for sc in seeded]
            futures_b = [pool.submit(_run, sc, b, calendar) for sc in seeded]
            for r, (fa, fb) in enumerate(zip(futures_a, futures_b, strict=True)):
                runs_a.append(fa.result())
                runs_b.append(fb.result())
                if progress is not None:
                    progress(r + 1)
    else:
        for r, sc in enumerate(seeded):
            runs_a.append(_run(sc, a, calendar))
            runs_b.append(_run(sc, b, calendar))
            if progress is not None:
                progress(r + 1)
    rates_a = [ra.on_time_rate or 0.0 for ra in runs_a]
    rates_b = [rb.on_time_rate or 0.0 for rb in runs_b]
    diffs = [y - x for x, y in zip(rates_a, rates_b, strict=True)]
    mean = statistics.fmean(diffs)
    ci = None
    if replications > 1:
        half = t975(replications - 1) * statistics.stdev(diffs) / math.sqrt(replications)
        ci = (mean - half, mean + half)
    return Comparison(a.key, b.key, replications, rates_a, rates_b, mean, ci, runs_a, runs_b)
