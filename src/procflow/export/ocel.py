"""OCEL 2.0 (JSON) object-centric event log, written as a stream.

Object types:

* ``dossier``: one per dossier (id = dossier code), with the case attributes
  of :mod:`procflow.export.cases` (procedure, desk, received, due, status,
  outcome, lateness, working seconds, supplements, ...) and relationships
  ``submitted by`` (its applicant) and ``received at`` (its desk agency);
* ``applicant``: one per dossier (id ``applicant:<code>``; procflow keeps no
  identity across dossiers), with the name given at reception (no ``name``
  attribute when none was given, as for guidance and refusals at the desk);
* ``agency``: one per agency that acted, held a step or received a dossier
  (id ``agency:<id>``);
* ``officer``: one per officer who acted (id ``officer:<agency>/<id>``, since
  an officer's id is only known to be unique within the agency), with
  ``role`` (and ``name`` when the engine was given one) and the relationship
  ``works for`` to the agency. The sweep (``procflow`` of agency ``system``)
  and the applicant acting on their own dossier (actor id ``applicant``, as
  the simulator writes it) are not officers: the sweep's events relate to no
  person, the applicant's to the ``applicant`` object.

Attributes carry the time they took their value, so a tool can follow a
dossier's state through time (pm4py reads the first value of each attribute
as the object's own and every later one as an object change): a dossier's
``status`` becomes ``closed`` when it closes, its ``due`` moves when the
applicant answers a supplement request, ``working_seconds`` grows at each
step it leaves. The times are those of the events that set the values: the
dossier's states are rebuilt event by event
(:func:`procflow.export.base.iter_case_logs`). An applicant's name dates from
the reception; an agency's name, and an officer's role and name, from the
first event of the log that involved them (a role that changes is written
again from the first event in the new role).

Events: one per stored event (id ``<code>#<seq>``), typed by activity: for a
move the step completed, as in :mod:`procflow.export.cases`; for the end of a
dossier its outcome (``returned``, ``refused``, ``withdrawn``, ``stopped``,
with the step it ended in as ``from_step``), so that a withdrawal and a
refusal are activities of their own, never the step they interrupted; for
the other events their type. Each has ``resource``, ``role`` and the
``procflow`` extras as attributes, and is related to its dossier (qualifier
``dossier``), to the acting agency (``performed by``), to the acting officer
(``officer``), to the receiving agency of a hand-off (``handed to``) and to
the applicant, at reception and whenever the applicant acts (``applicant``).

Values follow the OCEL 2.0 JSON schema, which types every attribute value as a
string: numbers and times are written as text (``"82350.0"``,
``"2026-03-13T09:00:00+07:00"``) and the type declarations (``integer``,
``float``, ``time``, ``string``) say how to read them back, which pm4py's
reader does.

Written in one pass over the log: the ``events`` array goes out as the
dossiers go by, their ``dossier`` and ``applicant`` objects to a spooled
temporary file (in memory while small) that is copied after the events, then
the agencies and officers seen and the type declarations (JSON key order does
not matter).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import orjson

from procflow.export.base import CaseLog, ExportFormat, ExportOptions, ExportStats, iter_case_logs
from procflow.export.cases import Case, CaseEvent
from procflow.model.events import CLOSING

if TYPE_CHECKING:
    from procflow.model.actor import Actor
    from procflow.store.base import Store

__all__ = ["FORMAT", "SPOOL_BYTES", "write_ocel"]

SPOOL_BYTES = 16 * 1024 * 1024
"""Objects are kept in memory up to this size while the events are written,
then in a temporary file."""

_SYSTEM_AGENCY = "system"
"""The sweep's agency (:data:`procflow.model.actor.SYSTEM`): not an officer."""
_APPLICANT_ACTOR = "applicant"
"""The actor id of the applicant acting on their own dossier."""

_EVENT_ATTRS = {
    "resource": "string",
    "role": "string",
    "event_type": "string",
    "seq": "integer",
    "trigger": "string",
    "from_step": "string",
    "to_step": "string",
    "to_agency": "string",
    "step_agency": "string",
    "step_entered": "time",
    "step_due": "time",
    "working_seconds": "float",
    "late_seconds": "float",
    "lateness": "string",
    "new_appointment": "time",
    "due": "time",
    "scope": "string",
    "holder": "string",
}
_DOSSIER_ATTRS = {
    "procedure": "string",
    "procedure_version": "string",
    "desk": "string",
    "received": "time",
    "due": "time",
    "closed": "time",
    "status": "string",
    "outcome": "string",
    "lateness": "string",
    "working_seconds": "float",
    "paused_seconds": "float",
    "supplements": "integer",
    "apologies": "integer",
}
_OFFICER_ATTRS = {"role": "string", "name": "string"}


def _text(value: Any) -> str:
    """An attribute value as the OCEL 2.0 JSON schema wants it: a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


@dataclass(slots=True)
class _Seen:
    """An agency or an officer: when the log first involved it, and the
    values its attributes had, each with the first instant seen with it."""

    agency: str
    first: datetime
    values: dict[str, dict[str, datetime]] = field(default_factory=dict)

    def saw(self, at: datetime, **attrs: str | None) -> None:
        self.first = min(self.first, at)
        for name, value in attrs.items():
            if value is None:
                continue
            times = self.values.setdefault(name, {})
            if value not in times or at < times[value]:
                times[value] = at

    def attributes(self) -> list[dict[str, str]]:
        # By attribute, then in time order (instants, not their text, which may
        # carry different offsets): pm4py takes the first as the value.
        seen = sorted(
            (name, at, value) for name, times in self.values.items() for value, at in times.items()
        )
        return [{"name": name, "time": at.isoformat(), "value": value} for name, at, value in seen]


class _Registry:
    """The agencies and officers the log involved, built up as it streams."""

    def __init__(self) -> None:
        self.agencies: dict[str, _Seen] = {}
        self.officers: dict[str, _Seen] = {}

    def agency(self, agency: str, at: datetime) -> str:
        seen = self.agencies.get(agency)
        if seen is None:
            self.agencies[agency] = _Seen(agency, at)
        else:
            seen.saw(at)
        return f"agency:{agency}"

    def officer(self, actor: Actor, at: datetime) -> str:
        oid = f"officer:{actor.agency}/{actor.id}"
        seen = self.officers.get(oid)
        if seen is None:
            seen = self.officers[oid] = _Seen(actor.agency, at)
        seen.saw(at, role=actor.role, name=actor.name)
        self.agency(actor.agency, at)
        return oid

    def objects(self) -> list[dict[str, Any]]:
        """The agency and officer objects, by id."""
        out: list[dict[str, Any]] = [
            {
                "id": f"agency:{agency}",
                "type": "agency",
                "attributes": [{"name": "name", "time": seen.first.isoformat(), "value": agency}],
            }
            for agency, seen in sorted(self.agencies.items())
        ]
        out += [
            {
                "id": oid,
                "type": "officer",
                "attributes": seen.attributes(),
                "relationships": [{"objectId": f"agency:{seen.agency}", "qualifier": "works for"}],
            }
            for oid, seen in sorted(self.officers.items())
        ]
        return out


def _activity(e: CaseEvent) -> str:
    """A closing event is its outcome; any other keeps its activity."""
    return e.event_type if e.event_type in CLOSING else e.activity


def _events(log: CaseLog, registry: _Registry) -> list[dict[str, Any]]:
    case = log.case
    actors = {event.seq: event.actor for event, _ in log.states}
    out = []
    for e in case.events:
        attrs = [{"name": "resource", "value": e.resource}] if e.resource else []
        if e.role:
            attrs.append({"name": "role", "value": e.role})
        attrs += [{"name": k, "value": _text(v)} for k, v in e.extras.items()]
        rels = [{"objectId": case.code, "qualifier": "dossier"}]
        if e.group:
            rels.append({"objectId": registry.agency(e.group, e.at), "qualifier": "performed by"})
        if e.to_agency and e.to_agency != e.group:
            rels.append({"objectId": registry.agency(e.to_agency, e.at), "qualifier": "handed to"})
        actor = actors.get(e.seq)
        applicant_acts = actor is not None and actor.id == _APPLICANT_ACTOR
        if actor is not None and not applicant_acts and actor.agency != _SYSTEM_AGENCY:
            rels.append({"objectId": registry.officer(actor, e.at), "qualifier": "officer"})
        if e.seq == 1 or applicant_acts:
            rels.append({"objectId": f"applicant:{case.code}", "qualifier": "applicant"})
        out.append(
            {
                "id": f"{case.code}#{e.seq}",
                "type": _activity(e),
                "time": e.at.isoformat(),
                "attributes": attrs,
                "relationships": rels,
            }
        )
    return out


def _dossier_attributes(log: CaseLog) -> list[dict[str, str]]:
    """Each case attribute every time it took a new value, at that event's time."""
    code = log.case.code
    attrs: list[dict[str, str]] = []
    before: dict[str, Any] = {}
    for event, dossier in log.states:
        now = Case(code, dossier).extras()
        at = event.at.isoformat()
        for name in _DOSSIER_ATTRS:
            value = now.get(name)
            if value is not None and (name not in before or before[name] != value):
                attrs.append({"name": name, "time": at, "value": _text(value)})
        before = now
    return attrs


def _objects(log: CaseLog, registry: _Registry) -> list[dict[str, Any]]:
    """The dossier and its applicant."""
    d = log.case.dossier
    first = log.states[0][0].at if log.states else d.received_at
    desk = registry.agency(d.desk_agency, first)
    for visit in d.visits:
        if visit.agency:
            registry.agency(visit.agency, visit.entered_at)
    dossier = {
        "id": d.code,
        "type": "dossier",
        "attributes": _dossier_attributes(log),
        "relationships": [
            {"objectId": f"applicant:{d.code}", "qualifier": "submitted by"},
            {"objectId": desk, "qualifier": "received at"},
        ],
    }
    name = d.applicant.get("name")
    applicant = {
        "id": f"applicant:{d.code}",
        "type": "applicant",
        "attributes": (
            [{"name": "name", "time": first.isoformat(), "value": str(name)}] if name else []
        ),
    }
    return [dossier, applicant]


def write_ocel(store: Store, out: IO[str], options: ExportOptions | None = None) -> ExportStats:
    """Write the store's log as OCEL 2.0 JSON to ``out``."""
    options = options or ExportOptions()
    stats = ExportStats()
    event_attrs: dict[str, set[str]] = {}
    registry = _Registry()
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        out.write('{"events": [\n')
        first_event = first_object = True
        for log in iter_case_logs(store, options):
            stats.cases += 1
            for ev in _events(log, registry):
                stats.events += 1
                event_attrs.setdefault(ev["type"], set()).update(
                    a["name"] for a in ev["attributes"]
                )
                out.write(("" if first_event else ",\n") + _dumps(ev))
                first_event = False
            for obj in _objects(log, registry):
                spool.write(("" if first_object else ",\n") + _dumps(obj))
                stats.objects += 1
                first_object = False
        out.write('\n],\n"objects": [\n')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    for obj in registry.objects():
        out.write(("" if first_object else ",\n") + _dumps(obj))
        stats.objects += 1
        first_object = False
    object_types = [
        {
            "name": "dossier",
            "attributes": [{"name": k, "type": t} for k, t in _DOSSIER_ATTRS.items()],
        },
        {"name": "applicant", "attributes": [{"name": "name", "type": "string"}]},
        {"name": "agency", "attributes": [{"name": "name", "type": "string"}]},
        {
            "name": "officer",
            "attributes": [{"name": k, "type": t} for k, t in _OFFICER_ATTRS.items()],
        },
    ]
    event_types = [
        {
            "name": activity,
            "attributes": [
                {"name": k, "type": t}
                for k, t in _EVENT_ATTRS.items()
                if k in event_attrs[activity]
            ],
        }
        for activity in sorted(event_attrs)
    ]
    out.write('\n],\n"objectTypes": ' + _dumps(object_types))
    out.write(',\n"eventTypes": ' + _dumps(event_types) + "\n}\n")
    return stats


def _write(store: Store, out: IO[str], options: ExportOptions) -> ExportStats:
    return write_ocel(store, out, options)


FORMAT = ExportFormat(
    name="ocel",
    suffix=".jsonocel",
    description="OCEL 2.0 JSON: dossier, applicant, agency and officer objects",
    write=_write,
)
