"""Durations chosen by a dossier's facts: one procedure and the facts of a
dossier give the procedure that dossier runs under.

A duration's ``cases`` (:class:`~procflow.definition.model.DurationCase`)
name boolean facts; :func:`resolve_durations` replaces every duration of a
procedure (time limit, allotments, shares) by the figure that applies, so
that the compiler, the engine's plans, the control slip and the reports all
read one plain procedure, worked out in this one place. A procedure without
cases is returned as it is.

Only the truth of the facts the cases name matters, so the variants of a
procedure are keyed by :func:`case_key` (one bool per such fact) and at most
2 ** len(case_facts) of them exist; :func:`fact_combinations` lists them for
the checks and the reports.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from procflow.definition.model import Agency, Duration, Procedure, Step

__all__ = [
    "MAX_CASE_FACTS",
    "case_key",
    "fact_combinations",
    "limit_case",
    "resolve_durations",
]

MAX_CASE_FACTS = 8
"""How many distinct facts the checks and the reports enumerate every
combination of (2 ** 8 = 256 variants); a procedure naming more is checked on
the first 256 combinations only, and the checks say so."""


def case_key(procedure: Procedure, facts: Mapping[str, Any]) -> tuple[bool, ...]:
    """The truth of each of ``procedure.case_facts`` for ``facts``: two dossiers
    with the same key run under the same durations."""
    return tuple(bool(facts.get(name)) for name in procedure.case_facts)


def fact_combinations(
    procedure: Procedure, limit: int = 2**MAX_CASE_FACTS
) -> Iterator[dict[str, bool]]:
    """Every combination of the facts the procedure's cases name (all false
    first), at most ``limit``; one empty combination for a procedure without."""
    names = procedure.case_facts
    for values in itertools.islice(itertools.product((False, True), repeat=len(names)), limit):
        yield dict(zip(names, values, strict=True))


def resolve_durations(procedure: Procedure, facts: Mapping[str, Any]) -> Procedure:
    """``procedure`` with every duration replaced by the figure that applies to
    a dossier with ``facts`` (:meth:`Duration.for_facts`): no cases are left.

    The procedure itself when none of its durations has cases.
    """
    if not procedure.case_facts:
        return procedure

    def plain(d: Duration | None) -> Duration | None:
        return d.for_facts(facts) if d is not None else None

    steps: list[Step] = [
        s.model_copy(update={"time": plain(s.time)}) if s.time is not None and s.time.cases else s
        for s in procedure.steps
    ]
    agencies: list[Agency] = [
        a.model_copy(update={"share": plain(a.share)})
        if a.share is not None and a.share.cases
        else a
        for a in procedure.agencies
    ]
    return procedure.model_copy(
        update={
            "time_limit": procedure.time_limit.for_facts(facts),
            "steps": steps,
            "agencies": agencies,
        }
    )


def limit_case(procedure: Procedure, facts: Mapping[str, Any], lang: str = "vi") -> str | None:
    """Why the time limit of a dossier with ``facts`` is not the base figure:
    the condition of the case that chose it (its label in ``lang``, else the
    fact as written, e.g. ``needs_verification``); None for the base figure.
    The receipt slip prints it after the limit: "5 working days
    (needs_verification)"."""
    limit = procedure.time_limit
    index = limit.case_for(facts)
    return None if index is None else limit.cases[index].describe(lang)
