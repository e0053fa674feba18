"""The names a reader knows, for the ids the report counts by.

The store and the report count by ids (``commune-police``,
``vn.lien-thong.child-under-6``, ``residence``); the page shows the names the
procedure files give them, in the page's language (``Công an cấp xã`` /
``Commune police``). Without the procedure files an id stands for itself, so
a report of a database whose procedures are not at hand still renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procflow.catalogue import Catalogue
    from procflow.contrib.labels import Lang
    from procflow.definition.model import Procedure
    from procflow.reports.report import Report

__all__ = ["ReportNames", "procedures_for_report", "report_procedures"]


class ReportNames:
    """Agency, procedure and step names in one language, from procedures.

    An agency id that several procedures declare takes the name the first of
    them gives it: the procedures in ``prefer`` first, in that order (the
    report passes its procedures, most dossiers first), then the others by
    id. Procedures word an agency for their own purpose (the commune People's
    Committee "as the business registration office"), so the report's own
    procedures speak first.
    """

    def __init__(
        self,
        procedures: Iterable[Procedure] = (),
        lang: Lang = "vi",
        prefer: Sequence[str] = (),
    ) -> None:
        self.lang: Lang = lang
        self.procedures: dict[str, Procedure] = {}
        self._agencies: dict[str, str] = {}
        self._steps: dict[tuple[str, str], str] = {}
        rank = {pid: i for i, pid in enumerate(prefer)}
        for proc in sorted(procedures, key=lambda p: (rank.get(p.id, len(rank)), p.id)):
            self.procedures.setdefault(proc.id, proc)
        for proc in self.procedures.values():
            for agency in proc.agencies:
                self._agencies.setdefault(agency.id, agency.name.get(lang))
            for step in proc.steps:
                self._steps[(proc.id, step.id)] = step.name.get(lang)

    def agency(self, agency_id: str | None) -> str:
        """The agency's name, or its id when no procedure names it."""
        if agency_id is None:
            return ""
        return self._agencies.get(agency_id, agency_id)

    def procedure(self, procedure_id: str) -> str:
        proc = self.procedures.get(procedure_id)
        return proc.name.get(self.lang) if proc is not None else procedure_id

    def step(self, procedure_id: str, step_id: str) -> str:
        return self._steps.get((procedure_id, step_id), step_id)

    @property
    def agencies(self) -> Mapping[str, str]:
        """Every agency id named, with its name."""
        return dict(self._agencies)


def procedures_for_report(catalogue: Catalogue, on: dt.date) -> list[Procedure]:
    """One version of each procedure of ``catalogue``: the one in force on
    ``on`` (the day in-progress dossiers are judged), else the last one.

    [design] Dossiers keep the version they were received under, and the
    report does not split by version: the names and the process diagram are
    those of the version in force at the end of the period.
    """
    from procflow.errors import ProcflowError

    out: list[Procedure] = []
    for procedure_id in catalogue.ids():
        try:
            out.append(catalogue.in_force(procedure_id, on).procedure)
        except ProcflowError:
            out.append(catalogue.versions(procedure_id)[-1].procedure)
    return out


def report_procedures(report: Report) -> list[str]:
    """The procedures of ``report``, those with the most dossiers first."""
    counts = report.rates.by_procedure

    def size(pid: str) -> int:
        c = counts[pid]
        return c.finished + c.in_progress

    return sorted(counts, key=lambda pid: (-size(pid), pid))
