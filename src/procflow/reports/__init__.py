"""Reports from the engine's log: on-time rates, per-agency accountability,
bottlenecks and the evaluation score (docs/reports.md).

    from procflow.reports import ReportQuery, build_report
    report = build_report(store, ReportQuery(start=date(2026, 3, 1), end=date(2026, 3, 31)))
    report.rates.total.rate          # (early + on time) / resolved
    report.to_dict()                 # plain data, for JSON

Every figure streams over ``Store.iter_dossier_dicts`` in one pass.
"""

from procflow.reports.accountability import AccountabilityReport, AgencyAccount
from procflow.reports.bottlenecks import BottlenecksReport, StepStats, quantile
from procflow.reports.query import ReportQuery
from procflow.reports.rates import Counts, RatesReport
from procflow.reports.report import Report, build_report
from procflow.reports.scoring import DEFAULT_RULE, Score, ScoresReport, ScoringRule
from procflow.reports.worktime import WorkingTime

__all__ = [
    "DEFAULT_RULE",
    "AccountabilityReport",
    "AgencyAccount",
    "BottlenecksReport",
    "Counts",
    "RatesReport",
    "Report",
    "ReportQuery",
    "Score",
    "ScoresReport",
    "ScoringRule",
    "StepStats",
    "WorkingTime",
    "build_report",
    "quantile",
]
