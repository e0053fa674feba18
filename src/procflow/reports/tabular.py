"""The report as rows: a long ("tidy") table for CSV and spreadsheets.

Each row is ``section, group_by, group, metric, value``, e.g.
``rates, agency, commune-police, rate, 0.6667``: every figure of the report
once, ready for a pivot table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from procflow.reports.report import Report

__all__ = ["HEADER", "rows"]

HEADER = ("section", "group_by", "group", "metric", "value")


def _flat(
    section: str, group_by: str, group: str, data: dict[str, Any]
) -> Iterator[tuple[Any, ...]]:
    for metric, value in data.items():
        if isinstance(value, dict | list):
            continue
        yield (section, group_by, group, metric, "" if value is None else value)


def rows(report: Report) -> Iterator[tuple[Any, ...]]:
    data = report.to_dict()
    rates = data["rates"]
    yield from _flat("rates", "all", "all", rates["total"])
    for key in ("procedure", "agency", "desk", "month"):
        for group, counts in rates[f"by_{key}"].items():
            yield from _flat("rates", key, group, counts)
    acc = data["accountability"]
    for agency in acc["agencies"]:
        yield from _flat("accountability", "agency", agency["agency"], agency)
    for h in acc["late_handoffs"]:
        yield ("accountability", "late_handoff", f"{h['from']} -> {h['to']}", "count", h["count"])
    yield ("accountability", "all", "all", "late_dossiers", acc["late_dossiers"])
    yield (
        "accountability",
        "all",
        "all",
        "unattributed_late_dossiers",
        acc["unattributed_late_dossiers"],
    )
    for step in data["bottlenecks"]["steps"]:
        yield from _flat("bottlenecks", "step", f"{step['procedure']}:{step['step']}", step)
    scores = data["scores"]
    yield from _flat("scores", "all", "all", scores["total"])
    for agency, score in scores["by_agency"].items():
        yield from _flat("scores", "agency", agency, score)
