"""What a notice says: its kind and its facts, read from the event and the dossier.

The facts are plain data (text, numbers, RFC 3339 instants), the same for
every recipient and language: the templates word them, and webhooks receive
them as they are (``facts``), for gateways that write their own SMS text.
Names of procedures, agencies and steps come from the catalogue when one is
given, in the recipient's language; otherwise the ids stand in for them.
"""

from __future__ import annotations

import contextlib
from typing import Any

from procflow.catalogue import Catalogue
from procflow.contrib.labels import pause_reason_text, timeliness_text
from procflow.definition.model import StepKind
from procflow.errors import ProcflowError
from procflow.model.dossier import Dossier
from procflow.model.events import Event
from procflow.model.outbox import MOVES, RESULT_STEPS
from procflow.reports.names import ReportNames

KIND_OF_TYPE = {
    "received": "receipt",
    "guided": "supplement",
    "paused": "supplement",
    "apologised": "apology",
    "returned": "returned",
    "refused": "refusal",
    "refused_at_reception": "refusal",
    "warned": "warned",
    "overdue": "overdue",
    "escalated": "escalated",
}
"""The notice each outbox event type gives (moves into a result step: ``result_ready``)."""

FACTS = (
    "code",
    "procedure_id",
    "procedure",
    "desk",
    "applicant",
    "at",
    "appointment",
    "new_appointment",
    "missing",
    "reason",
    "at_reception",
    "pause_reason",
    "pause_reason_text",
    "agency",
    "step",
    "due",
    "holder",
    "scope",
    "role",
    "rule",
    "on",
    "note",
    "timeliness",
    "timeliness_text",
)
"""Every fact a template may use: those a notice has not are None, so that a
misspelt name fails (StrictUndefined) and an absent fact does not."""


def notice_kind(
    event: Event, dossier: Dossier | None = None, catalogue: Catalogue | None = None
) -> str | None:
    """The kind of notice ``event`` gives, or None. A move gives "result_ready"
    when it enters the procedure's ``kind: return`` step, whatever its id (the
    dossier's procedure version looked up in ``catalogue``); without them,
    by the step ids of :data:`~procflow.model.outbox.RESULT_STEPS`."""
    type_ = event.type.value
    if type_ in MOVES:
        to = event.data.get("to")
        kind = _step_kind(catalogue, dossier, to)
        if kind is not None:
            return "result_ready" if kind is StepKind.RETURN else None
        return "result_ready" if to in RESULT_STEPS else None
    return KIND_OF_TYPE.get(type_)


def _step_kind(catalogue: Catalogue | None, dossier: Dossier | None, step: Any) -> StepKind | None:
    """The kind of ``step`` in the procedure version the dossier runs under
    (None: no catalogue or dossier, or the catalogue lacks the version or
    the step)."""
    if catalogue is None or dossier is None or not isinstance(step, str):
        return None
    with contextlib.suppress(ProcflowError):
        proc = catalogue.get(dossier.procedure_id, dossier.procedure_version)
        info = proc.states.get(step)
        return info.kind if info is not None else None
    return None


def names_for(catalogue: Catalogue | None, dossier: Dossier, language: str) -> ReportNames:
    """The names of the dossier's own procedure version, in ``language``; ids
    when the catalogue does not have it."""
    procedures = []
    if catalogue is not None:
        with contextlib.suppress(ProcflowError):  # a version the catalogue lacks: ids
            procedures = [catalogue.get(dossier.procedure_id, dossier.procedure_version).procedure]
    return ReportNames(procedures, "en" if language == "en" else "vi")


def facts(kind: str, event: Event, dossier: Dossier, names: ReportNames) -> dict[str, Any]:
    """The facts of notice ``kind`` about ``event`` of ``dossier`` (see :data:`FACTS`)."""
    data = event.data
    lang = names.lang
    pid = dossier.procedure_id
    out: dict[str, Any] = dict.fromkeys(FACTS)
    applicant = dossier.applicant or {}
    out.update(
        code=dossier.code,
        procedure_id=dossier.procedure_id,
        procedure=names.procedure(pid),
        desk=names.agency(dossier.desk_agency),
        applicant=applicant.get("name"),
        at=event.at.isoformat(),
        missing=[],
    )
    type_ = event.type.value
    if kind == "receipt":
        out["appointment"] = data.get("due_at")
    elif kind == "supplement":
        reason = data.get("pause_reason") or "supplement"
        out.update(
            missing=list(data.get("missing") or []),
            reason=data.get("reason") if type_ == "guided" else data.get("note"),
            at_reception=type_ == "guided",
            pause_reason=reason,
            pause_reason_text=pause_reason_text(reason, lang),
            agency=names.agency(data.get("to_agency") or dossier.desk_agency),
            step=names.step(pid, data["to"]) if data.get("to") else None,
        )
    elif kind == "apology":
        out.update(
            new_appointment=data.get("new_due_at"),
            reason=data.get("reason"),
            agency=names.agency(event.actor.agency) if event.actor else None,
        )
    elif kind == "result_ready":
        out.update(
            appointment=dossier.appointment.isoformat(),
            agency=names.agency(data.get("to_agency")),
        )
    elif kind == "returned":
        timeliness = data.get("timeliness")
        out.update(
            timeliness=timeliness,
            timeliness_text=timeliness_text(timeliness, lang) if timeliness else None,
        )
    elif kind == "refusal":
        out.update(
            reason=data.get("reason") if type_ == "refused_at_reception" else data.get("note"),
            at_reception=type_ == "refused_at_reception",
        )
    else:  # warned, overdue, escalated
        holder = data.get("holder") or data.get("agency")
        out.update(
            step=names.step(pid, data.get("state") or dossier.state),
            holder=names.agency(holder),
        )
        if kind == "escalated":
            # The alert the rule acted on: "overdue:dossier:<due>" or
            # "overdue:step:<step>:<visit>" (procflow.engine.core._alerts).
            on, _, rest = str(data.get("alert") or "").partition(":")
            scope, _, tail = rest.partition(":")
            roles = escalation_roles(data)
            out.update(
                due=data.get("due_at") or (tail if scope == "dossier" and tail else None),
                scope=scope or None,
                on=data.get("on") or ("warned" if on == "warn" else on or None),
                role=", ".join(roles) or None,
                rule=data.get("rule"),
                note=data.get("note"),
            )
        else:
            out.update(due=data.get("due_at"), scope=data.get("scope"))
    return out


def escalation_roles(data: dict[str, Any]) -> list[str]:
    """The roles an ``escalated`` event names to be told (``notify``; ``roles``
    or ``role`` in events of other writers)."""
    named = data.get("notify") or data.get("roles") or data.get("role") or []
    return [named] if isinstance(named, str) else [str(r) for r in named]
