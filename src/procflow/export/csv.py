"""A flat CSV event log with pm4py's column names, one row per event.

``case:concept:name`` (dossier code), ``concept:name`` (activity),
``time:timestamp`` (ISO 8601 with offset), ``lifecycle:transition``,
``org:resource``, ``org:group``, ``org:role``, then the ``procflow:`` event
extras and the ``case:procflow:`` case attributes repeated on every row, as
``pm4py.format_dataframe`` / ``pm4py.read_csv`` expect.
"""

from __future__ import annotations

import csv
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from procflow.export.base import ExportFormat, ExportOptions, ExportStats
from procflow.export.cases import iter_cases

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = ["COLUMNS", "FORMAT", "write_csv"]

EVENT_EXTRAS = (
    "seq",
    "event_type",
    "trigger",
    "from_step",
    "to_step",
    "to_agency",
    "step_agency",
    "step_entered",
    "step_due",
    "working_seconds",
    "late_seconds",
    "lateness",
    "new_appointment",
    "due",
    "scope",
    "holder",
)
CASE_EXTRAS = (
    "procedure",
    "procedure_version",
    "desk",
    "received",
    "due",
    "closed",
    "status",
    "outcome",
    "lateness",
    "working_seconds",
    "paused_seconds",
    "supplements",
    "apologies",
)
COLUMNS = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "lifecycle:transition",
    "org:resource",
    "org:group",
    "org:role",
    *(f"procflow:{k}" for k in EVENT_EXTRAS),
    *(f"case:procflow:{k}" for k in CASE_EXTRAS),
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def write_csv(store: Store, out: IO[str], options: ExportOptions | None = None) -> ExportStats:
    stats = ExportStats()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for case in iter_cases(store, options):
        stats.cases += 1
        extras = case.extras()
        case_cells = [_cell(extras.get(k)) for k in CASE_EXTRAS]
        rows = []
        for e in case.events:
            stats.events += 1
            rows.append(
                [
                    case.code,
                    e.activity,
                    e.at.isoformat(),
                    "complete",
                    _cell(e.resource),
                    _cell(e.group),
                    _cell(e.role),
                    *(_cell(e.extras.get(k)) for k in EVENT_EXTRAS),
                    *case_cells,
                ]
            )
        writer.writerows(rows)
    return stats


def _write(store: Store, out: IO[str], options: ExportOptions) -> ExportStats:
    return write_csv(store, out, options)


FORMAT = ExportFormat(
    name="csv",
    suffix=".csv",
    description="flat CSV event log with pm4py column names",
    write=_write,
)
