"""OCEL 2.0 (JSON) object-centric event log, written as a stream.

Object types:

* ``dossier``: one per dossier (id = dossier code), with the case attributes
  of :mod:`procflow.export.cases` (procedure, desk, received, due, outcome,
  lateness, working seconds, ...) and relationships ``submitted by`` (its
  applicant) and ``received at`` (its desk agency);
* ``agency``: one per agency that acted or held a step (id ``agency:<id>``);
* ``applicant``: one per dossier (id ``applicant:<code>``; procflow keeps no
  identity across dossiers), with the name given at reception (may be empty).

Events: one per stored event (id ``<code>#<seq>``), typed by activity, with
``resource``, ``role`` and the ``procflow`` extras as attributes, related to
their dossier (qualifier ``dossier``), to the acting agency (``performed
by``), to the receiving agency of a hand-off (``handed to``) and, at
reception, to the applicant (``applicant``).

The file is written in two streaming passes: the ``events`` array from the
event log, then the ``objects`` array from the dossiers' states
(``iter_dossier_dicts``); the type declarations, which depend only on the
activities and agencies seen, come last (JSON key order does not matter).
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import orjson

from procflow.export.base import ExportFormat, ExportOptions, ExportStats
from procflow.export.cases import Case, iter_cases
from procflow.model.dossier import Dossier

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = ["FORMAT", "write_ocel"]

_BASE_TIME = "1970-01-01T00:00:00Z"
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


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def _events(case: Case, agencies: set[str]) -> list[dict[str, Any]]:
    out = []
    for e in case.events:
        attrs = [{"name": "resource", "value": e.resource}] if e.resource else []
        if e.role:
            attrs.append({"name": "role", "value": e.role})
        attrs += [{"name": k, "value": _value(v)} for k, v in e.extras.items()]
        rels = [{"objectId": case.code, "qualifier": "dossier"}]
        if e.group:
            agencies.add(e.group)
            rels.append({"objectId": f"agency:{e.group}", "qualifier": "performed by"})
        if e.to_agency and e.to_agency != e.group:
            agencies.add(e.to_agency)
            rels.append({"objectId": f"agency:{e.to_agency}", "qualifier": "handed to"})
        if e.seq == 1:
            rels.append({"objectId": f"applicant:{case.code}", "qualifier": "applicant"})
        out.append(
            {
                "id": f"{case.code}#{e.seq}",
                "type": e.activity,
                "time": e.at.isoformat(),
                "attributes": attrs,
                "relationships": rels,
            }
        )
    return out


def _dossier_object(d: Dossier) -> dict[str, Any]:
    extras = Case(d.code, d).extras()
    return {
        "id": d.code,
        "type": "dossier",
        "attributes": [
            {"name": k, "time": _BASE_TIME, "value": _value(v)} for k, v in extras.items()
        ],
        "relationships": [
            {"objectId": f"applicant:{d.code}", "qualifier": "submitted by"},
            {"objectId": f"agency:{d.desk_agency}", "qualifier": "received at"},
        ],
    }


def write_ocel(store: Store, out: IO[str], options: ExportOptions | None = None) -> ExportStats:
    """Write the store's log as OCEL 2.0 JSON to ``out``."""
    options = options or ExportOptions()
    stats = ExportStats()
    activities: set[str] = set()
    agencies: set[str] = set()
    out.write('{"events": [\n')
    first = True
    for case in iter_cases(store, options):
        stats.cases += 1
        for ev in _events(case, agencies):
            stats.events += 1
            activities.add(ev["type"])
            out.write(("" if first else ",\n") + _dumps(ev))
            first = False
    out.write('\n],\n"objects": [\n')
    first = True
    for data in store.iter_dossier_dicts(procedure_id=options.procedure):
        d = Dossier.from_dict(data)
        agencies.add(d.desk_agency)
        agencies.update(v.agency for v in d.visits if v.agency)
        applicant = {
            "id": f"applicant:{d.code}",
            "type": "applicant",
            "attributes": [
                {"name": "name", "time": _BASE_TIME, "value": str(d.applicant.get("name", ""))}
            ],
        }
        out.write(("" if first else ",\n") + _dumps(_dossier_object(d)) + ",\n")
        out.write(_dumps(applicant))
        stats.objects += 2
        first = False
    for agency in sorted(agencies):
        obj = {
            "id": f"agency:{agency}",
            "type": "agency",
            "attributes": [{"name": "name", "time": _BASE_TIME, "value": agency}],
        }
        out.write(("" if first else ",\n") + _dumps(obj))
        stats.objects += 1
        first = False
    object_types = [
        {
            "name": "dossier",
            "attributes": [{"name": k, "type": t} for k, t in _DOSSIER_ATTRS.items()],
        },
        {"name": "agency", "attributes": [{"name": "name", "type": "string"}]},
        {"name": "applicant", "attributes": [{"name": "name", "type": "string"}]},
    ]
    event_types = [
        {"name": a, "attributes": [{"name": k, "type": t} for k, t in _EVENT_ATTRS.items()]}
        for a in sorted(activities)
    ]
    out.write('\n],\n"objectTypes": ' + _dumps(object_types))
    out.write(',\n"eventTypes": ' + _dumps(event_types) + "\n}\n")
    return stats


def _write(store: Store, out: IO[str], options: ExportOptions) -> ExportStats:
    return write_ocel(store, out, options)


FORMAT = ExportFormat(
    name="ocel",
    suffix=".jsonocel",
    description="OCEL 2.0 JSON: dossier, agency and applicant objects",
    write=_write,
)
