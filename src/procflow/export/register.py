"""The dossier register (sổ theo dõi hồ sơ) as CSV, one row per dossier received.

Not an event log: one row per dossier, the columns of
:data:`procflow.reports.register.COLUMNS` (code, procedure, applicant,
received, appointment, due, agencies handed to, result, returned,
timeliness, notes). Ids rather than names: an export has no catalogue (use
``procflow register DB --procedures ...`` for names and JSON).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from procflow.export.base import ExportFormat, ExportOptions, ExportStats

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = ["FORMAT"]


def _write(store: Store, out: IO[str], options: ExportOptions) -> ExportStats:
    # Imported here: finding the formats imports every format module, and the
    # reports package is not needed by the event-log formats.
    from procflow.reports.register import iter_register_rows, write_register_csv

    rows = iter_register_rows(store, procedure=options.procedure)
    return ExportStats(cases=write_register_csv(rows, out))


FORMAT = ExportFormat(
    name="register",
    suffix=".csv",
    description="the dossier register (sổ theo dõi hồ sơ) as CSV, one row per dossier",
    write=_write,
)
