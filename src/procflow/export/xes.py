"""XES (IEEE 1849-2016) event log, written as a stream.

One ``<trace>`` per dossier (``concept:name`` = dossier code, plus the
``procflow:`` case attributes of :mod:`procflow.export.cases`). Events carry
``concept:name`` (activity), ``time:timestamp``, ``lifecycle:transition``,
``org:resource`` (officer), ``org:group`` (agency), ``org:role`` and the
``procflow:`` extras (step due date, working seconds used, lateness class...).

Each stay of the dossier in a step (a row of its control slip) is one
*activity instance* with two events, so that process-mining tools measure the
time spent in each step from the standard lifecycle alone (pm4py's
``interval_lifecycle.to_interval`` and ``get_service_time``, ProM's
performance views) without being told of a procflow-specific key:

* ``start`` when the dossier entered the step: ``org:group`` is the agency
  that holds the step; no ``org:resource``, since no officer has acted on it
  yet;
* ``complete`` when it left the step, by the officer who moved it on (but
  see withdrawals below), with the step's figures
  (``procflow:working_seconds``, ``late_seconds``, ...).

Both carry ``concept:instance`` (the stay's number in the dossier, counting
from 1), which pairs them even when a dossier comes back to a step (a
supplement sends it back to ``birth-registration``). A ``supplement`` stay is
a step like the others: its service time is the applicant's.

How a dossier ended is an activity of its own, so that a process map tells a
withdrawal from a refusal from a hand-over: a closing transition is the
``complete`` of the step it ended in, then one more event, ``returned``,
``refused``, ``withdrawn`` or ``stopped``, at the same instant, by the actor
of the stored event. A withdrawal or a stop cuts the stay short rather than
finishing it: its ``complete`` keeps the step's agency as ``org:group`` and
names no ``org:resource`` or ``org:role`` (the applicant who withdrew is the
resource of ``withdrawn``, not of the step they left), so resource analyses
do not credit the applicant, or whoever stopped the dossier, with the step's
work; it is still ``complete`` rather than ``ate_abort``, so that the time the
agency held the dossier counts in its service time (pm4py's ``to_interval``
pairs ``start`` with ``complete`` only). A migration to another version of
the procedure likewise completes the old step, writes ``migrated`` and starts
the new step. Every other stored
event (``received``, ``guided``, ``refused_at_reception``, ``apologised``,
``facts_set``, ``recalculated``, ``warned``, ``overdue``) is a single
``complete`` event named by its type, as in :mod:`procflow.export.cases`.
Filtering the log on ``lifecycle:transition = complete`` gives the path
through the steps plus those events, in order.

The document validates against the IEEE 1849-2016 XSD: ``xes.version`` is
the decimal the XSD requires (``2.0``, the XES version that IEEE 1849-2016
standardised; pm4py writes ``1849-2016``, which the XSD rejects), and
classifier names are ``xs:NCName`` (no spaces). Attribute values use the
XSD's types: ``xs:long`` for int, ``xs:double`` for float, ``xs:dateTime``
(with the offset) for date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from procflow.export.base import ExportFormat, ExportOptions, ExportStats, iter_case_logs
from procflow.export.cases import Case, CaseEvent
from procflow.model.events import CLOSING, TRANSITIONS, EventType

if TYPE_CHECKING:
    from procflow.model.dossier import StepVisit
    from procflow.store.base import Store

__all__ = ["CLASSIFIERS", "FORMAT", "XES_VERSION", "lifecycle_events", "write_xes"]

XES_VERSION = "2.0"
"""``xes.version``: an ``xs:decimal`` in the IEEE 1849-2016 XSD."""

CLASSIFIERS = {
    "Activity": "concept:name",
    "Activity_and_lifecycle": "concept:name lifecycle:transition",
}
"""Classifier name (an ``xs:NCName``) -> its keys."""

_LEAVES_STEP = frozenset(TRANSITIONS | {EventType.MIGRATED})
"""Event types after which the dossier is no longer in the step it was in."""
_ENDS_IN_OUTCOME = frozenset(CLOSING | {EventType.MIGRATED})
"""Event types that are an activity of their own besides the step they end."""
_INTERRUPTS = frozenset({EventType.WITHDRAWN, EventType.STOPPED})
"""Ends that cut a stay short: its ``complete`` names no officer."""
_OUTCOME_EXTRAS = ("event_type", "seq", "trigger", "from_step")

_CLASSIFIER_LINES = "".join(
    f'  <classifier name="{name}" keys="{keys}"/>\n' for name, keys in CLASSIFIERS.items()
)
_HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="{XES_VERSION}" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
{_CLASSIFIER_LINES}  <string key="concept:name" value="procflow event log"/>
  <string key="lifecycle:model" value="standard"/>
  <string key="source" value="procflow"/>
"""


def _attr(key: str, value: Any) -> str:
    if isinstance(value, bool):
        tag, text = "boolean", "true" if value else "false"
    elif isinstance(value, int):
        tag, text = "int", str(value)
    elif isinstance(value, float):
        tag, text = "float", repr(value)
    elif isinstance(value, datetime):
        tag, text = "date", value.isoformat(timespec="milliseconds")
    else:
        tag, text = "string", str(value)
    return f"<{tag} key={quoteattr(key)} value={quoteattr(text)}/>"


def _event(
    activity: str,
    at: datetime,
    transition: str,
    *,
    instance: int | None = None,
    resource: str | None = None,
    group: str | None = None,
    role: str | None = None,
    extras: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One XES event as ordered ``key -> value`` pairs (``None`` left out)."""
    attrs: dict[str, Any] = {
        "concept:name": activity,
        "time:timestamp": at,
        "lifecycle:transition": transition,
        "concept:instance": str(instance) if instance is not None else None,
        "org:resource": resource,
        "org:group": group,
        "org:role": role,
    }
    for key, value in (extras or {}).items():
        attrs[f"procflow:{key}"] = value
    return {k: v for k, v in attrs.items() if v is not None}


def _start(visit: StepVisit, number: int, opened_by: CaseEvent) -> dict[str, Any]:
    return _event(
        visit.step,
        visit.entered_at,
        "start",
        instance=number,
        group=visit.agency,
        extras={
            "event_type": opened_by.event_type,
            "seq": opened_by.seq,
            "step_due": visit.due_at,
        },
    )


def lifecycle_events(case: Case) -> Iterator[dict[str, Any]]:
    """The XES events of one case, in order (see the module docstring).

    ``case.dossier`` must be the dossier's final state, as
    :func:`procflow.export.base.iter_case_logs` gives it.

    Step stays come from the dossier's visits (its control slip), which the
    engine opens and closes exactly at the transitions; the events that open
    and close them come from the log, so both must agree on the order, which
    they do by construction (the reducer builds the visits from the same
    events).
    """
    visits = case.dossier.visits
    opened = 0  # visits started so far
    current: int | None = None  # number (1-based) of the visit the dossier is in
    for e in case.events:
        kind = e.event_type
        if kind == EventType.RECEIVED:
            yield _event(
                e.activity,
                e.at,
                "complete",
                resource=e.resource,
                group=e.group,
                role=e.role,
                extras=e.extras,
            )
        elif kind in _LEAVES_STEP:
            if current is not None:
                visit = visits[current - 1]
                if kind in _INTERRUPTS:  # nobody of the holding agency ended the stay
                    yield _event(
                        visit.step,
                        e.at,
                        "complete",
                        instance=current,
                        group=visit.agency,
                        extras=e.extras,
                    )
                else:
                    yield _event(
                        visit.step,
                        e.at,
                        "complete",
                        instance=current,
                        resource=e.resource,
                        group=e.group,
                        role=e.role,
                        extras=e.extras,
                    )
                current = None
            if kind in _ENDS_IN_OUTCOME:
                extras = {k: e.extras[k] for k in _OUTCOME_EXTRAS if k in e.extras}
                yield _event(
                    kind,
                    e.at,
                    "complete",
                    resource=e.resource,
                    group=e.group,
                    role=e.role,
                    extras=extras,
                )
            if kind in CLOSING:
                continue
        else:
            yield _event(
                e.activity,
                e.at,
                "complete",
                resource=e.resource,
                group=e.group,
                role=e.role,
                extras=e.extras,
            )
            continue
        # received, a move within the procedure, a migration: into the next stay.
        if opened < len(visits):
            opened += 1
            current = opened
            yield _start(visits[opened - 1], opened, e)


def write_xes(store: Store, out: IO[str], options: ExportOptions | None = None) -> ExportStats:
    """Write the store's log as XES to ``out``; returns how many cases and
    ``<event>`` elements (start and complete events both count)."""
    stats = ExportStats()
    out.write(_HEADER)
    for log in iter_case_logs(store, options):
        case = log.case
        stats.cases += 1
        parts = ["  <trace>\n    ", _attr("concept:name", case.code), "\n"]
        for key, value in case.extras().items():
            parts += ["    ", _attr(f"procflow:{key}", value), "\n"]
        for event in lifecycle_events(case):
            stats.events += 1
            parts.append("    <event>\n")
            for key, value in event.items():
                parts += ["      ", _attr(key, value), "\n"]
            parts.append("    </event>\n")
        parts.append("  </trace>\n")
        out.write("".join(parts))
    out.write("</log>\n")
    return stats


def _write(store: Store, out: IO[str], options: ExportOptions) -> ExportStats:
    return write_xes(store, out, options)


FORMAT = ExportFormat(
    name="xes",
    suffix=".xes",
    description="XES (IEEE 1849) event log: one trace per dossier, start/complete per step",
    write=_write,
)
