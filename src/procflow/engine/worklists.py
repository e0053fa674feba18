"""Worklists for a desk: whose open dossiers, soonest deadline first.

The engine turns "a role's worklist" into what the store can index: the
steps of the catalogue's procedures that name the role, plus the dossiers
assigned to that role (an escalation's ``reassign``, or an assignment by
role). Everything else is the store's indexed query
(:meth:`procflow.model.storage.Store.worklist`).
"""

from __future__ import annotations

from datetime import datetime

from procflow.engine.core import EngineCore
from procflow.errors import RuleViolation
from procflow.model.instant import ts_of
from procflow.model.worklist import MAX_PAGE, WorkItem, WorkQuery


class Worklists(EngineCore):
    """Open dossiers by agency, role or officer."""

    def worklist(
        self,
        *,
        agency: str | None = None,
        role: str | None = None,
        officer: str | None = None,
        procedure: str | None = None,
        step: str | None = None,
        warned: bool | None = None,
        overdue: bool | None = None,
        paused: bool | None = None,
        limit: int = 50,
        after: tuple[float, str] | None = None,
        now: datetime | None = None,
    ) -> list[WorkItem]:
        """Open dossiers held by ``agency`` (or at steps naming ``role``, or
        assigned to ``role`` or ``officer``), soonest deadline first.

        ``warned``/``overdue``/``paused`` filter when given (``overdue`` at
        ``now``, the clock's time by default). ``limit`` items a page (at most
        500); pass the last item's ``cursor`` as ``after`` for the next page.
        """
        if not 1 <= limit <= MAX_PAGE:
            raise RuleViolation(f"limit: ask for 1 to {MAX_PAGE} dossiers a page, not {limit}")
        if agency is None and role is None and officer is None:
            raise RuleViolation(
                "a worklist is someone's: give an agency, a role or an officer (or several)"
            )
        steps = None
        if role is not None:
            steps = frozenset(
                (proc.id, info.id)
                for proc in self.catalogue
                for info in proc.states.values()
                if info.role == role
            )
        query = WorkQuery(
            now=ts_of(now or self.clock.now()),
            agency=agency,
            officer=officer,
            assigned_role=role,
            steps=steps,
            procedure_id=procedure,
            step=step,
            warned=warned,
            overdue=overdue,
            paused=paused,
            limit=limit,
            after=after,
        )
        return self.store.worklist(query, self._tz)
