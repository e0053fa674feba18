"""A plain-data summary of a procedure, for ``procflow show`` and reports.

Kept out of the CLI so that other front ends (a web page, a catalogue
export) describe procedures the same way: identity, legal basis, time limit,
agencies with their shares, steps with their outcomes, and the critical path.
"""

from __future__ import annotations

from typing import Any

from procflow.checks.graph import critical_path, duration_days, time_basis
from procflow.definition.model import Duration, Outcome, Procedure

__all__ = ["procedure_summary", "summarise"]


def _duration(duration: Duration | None) -> str | None:
    return None if duration is None else str(duration)


def _cases(duration: Duration | None) -> list[str]:
    """Each alternative of a duration chosen by facts, with its condition as
    written: ``5 working days (needs_verification)``."""
    if duration is None:
        return []
    return [f"{duration.alternative(i)} ({c.condition})" for i, c in enumerate(duration.cases)]


def _target(outcome: Outcome) -> str:
    text = outcome.to
    if outcome.when:
        text += f" when {outcome.when}"
    if outcome.unless:
        text += f" unless {outcome.unless}"
    return text


def summarise(proc: Procedure) -> dict[str, Any]:
    """Describe ``proc`` as JSON-ready data (str, numbers, lists, dicts)."""
    path = critical_path(proc)
    on_path = frozenset(path.steps)  # a set: a test per step on the path tuple was quadratic
    basis = time_basis(proc)
    steps = []
    for step in proc.steps:
        outcomes: dict[str, list[str]] = {}
        for trigger, outcome in step.branches():
            outcomes.setdefault(trigger, []).append(_target(outcome))
        steps.append(
            {
                "id": step.id,
                "name": step.name.vi,
                "name_en": step.name.en,
                "kind": step.kind.value,
                "agency": step.agency,
                "to_agency": step.to_agency,
                "role": step.role,
                "time": _duration(step.time),
                "time_cases": _cases(step.time),
                "days": duration_days(step.time, basis),
                "clock": step.clock_policy.value,
                "outcomes": outcomes,
                "critical": step.id in on_path,
            }
        )
    return {
        "key": proc.key,
        "id": proc.id,
        "version": proc.version,
        "code": proc.code,
        "name": proc.name.vi,
        "name_en": proc.name.en,
        "sector": proc.sector,
        "level": proc.level.value if proc.level else None,
        "effective_from": proc.effective_from.isoformat() if proc.effective_from else None,
        "effective_to": proc.effective_to.isoformat() if proc.effective_to else None,
        "legal_basis": [
            {
                "number": doc.number,
                "title": doc.title,
                "date": doc.date.isoformat() if doc.date else None,
                "articles": doc.articles,
            }
            for doc in proc.legal_basis
        ],
        "time_limit": str(proc.time_limit),
        "time_limit_confirmed": proc.time_limit.confirmed,
        "time_limit_cases": _cases(proc.time_limit),
        "agencies": [
            {
                "id": agency.id,
                "name": agency.name.vi,
                "name_en": agency.name.en,
                "level": agency.level.value,
                "desk": agency.desk,
                "share": _duration(agency.share),
                "share_cases": _cases(agency.share),
            }
            for agency in proc.agencies
        ],
        "start": proc.start_step,
        "steps": steps,
        "critical_path": {
            "steps": list(path.steps),
            "days": path.days,
            "unit": path.unit.value,
            "limit": path.limit,
            "overrun": path.overrun,
            "untimed": list(path.untimed),
        },
        "documents": len(proc.documents),
        "fees": [{"name": fee.name.vi, "amount": fee.amount} for fee in proc.fees],
    }


def procedure_summary(proc: Procedure) -> dict[str, Any]:
    """One row of a library table: who, how long, on what legal basis.

    Plain data (str, bool, lists, dicts) so a CLI, a web page or a document
    generator lays it out the same way; see ``procflow list``.
    """
    limit = proc.time_limit
    return {
        "id": proc.id,
        "version": proc.version,
        "code": proc.code,
        "name": proc.name.vi,
        "name_en": proc.name.en,
        "level": proc.level.value if proc.level else None,
        "effective_from": proc.effective_from.isoformat() if proc.effective_from else None,
        "effective_to": proc.effective_to.isoformat() if proc.effective_to else None,
        "time_limit": str(limit),
        "time_limit_value": limit.value,
        "time_limit_unit": limit.unit.value,
        "time_limit_confirmed": limit.confirmed,
        "time_limit_basis": limit.basis,
        "agencies": [
            {"id": a.id, "name": a.name.vi, "name_en": a.name.en, "desk": a.desk}
            for a in proc.agencies
        ],
        "legal_basis": [
            {"number": doc.number, "date": doc.date.isoformat() if doc.date else None}
            for doc in proc.legal_basis
        ],
    }
