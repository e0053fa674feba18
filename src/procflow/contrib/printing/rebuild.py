"""A stored dossier's papers, rebuilt from its event log.

The engine hands back each slip when it acts (``receive`` returns the
receipt); a desk that prints later (a lost receipt, the register at the end
of the day, the control slip for a complaint) rebuilds it from the log:
everything the slip said was recorded with the event that issued it. The
control slip and the stop notice come from the engine
(:meth:`~procflow.engine.Engine.control_slip`,
:meth:`~procflow.engine.Engine.stop_notice`); this module rebuilds the
others, and :func:`slip_for` picks one by the name ``procflow dossier print
--slip`` knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procflow.contrib.printing.errors import NoSuchSlip
from procflow.definition.cases import limit_case
from procflow.errors import ProcflowError
from procflow.model.events import Event, EventType
from procflow.model.reducer import replay
from procflow.model.slips import (
    ApologySlip,
    FeeLine,
    ReceiptSlip,
    RefusalSlip,
    SupplementRequest,
)

if TYPE_CHECKING:
    from procflow.engine import Engine

__all__ = [
    "SLIP_NAMES",
    "apology_slip",
    "receipt_slip",
    "refusal_slip",
    "slip_for",
    "supplement_request",
]

SLIP_NAMES: tuple[str, ...] = ("receipt", "supplement", "refusal", "apology", "control", "stop")
"""The papers of one dossier, by the names ``--slip`` takes."""

_OPENED_HOW = {
    EventType.RECEIVED: "received",
    EventType.GUIDED: "not received: guided to supplement it at the desk (--slip supplement)",
    EventType.REFUSED_AT_RECEPTION: "not received: refused at the desk (--slip refusal)",
}


def _actor(event: Event) -> str:
    return str(event.actor) if event.actor is not None else ""


def _opened(events: list[Event]) -> str:
    return _OPENED_HOW.get(events[0].type, events[0].type.value)


def _documents(raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for doc in raw or []:
        out.append(dict(doc) if isinstance(doc, Mapping) else {"name": str(doc)})
    return out


def receipt_slip(engine: Engine, code: str) -> ReceiptSlip:
    """The receipt-and-appointment slip of dossier ``code``, as issued at receipt:
    the documents received, the appointment first given, the receiving officer,
    when the time limit started counting. Its procedure's name, time limit and
    fees come from the catalogue (ids, no time limit and no fees when the
    version is no longer there)."""
    events = engine.history(code)
    first = events[0]
    if first.type is not EventType.RECEIVED:
        raise NoSuchSlip(
            f"{code} has no receipt slip: it was {_opened(events)}; a receipt is issued "
            "only for a dossier received complete"
        )
    data = first.data
    pid, version = str(data["procedure_id"]), str(data["procedure_version"])
    name, limit = pid, ""
    case: str | None = None
    fees: tuple[FeeLine, ...] = ()
    try:
        proc = engine.catalogue.get(pid, version).procedure
    except ProcflowError:
        pass
    else:
        from procflow.engine.documents import DeskList

        facts = dict(data.get("facts") or {})
        # the limit the receipt chose, by the facts given at receipt
        name, limit = proc.name.vi, str(proc.time_limit.for_facts(facts))
        case = limit_case(proc, facts)
        fees = DeskList(proc).fees_for(facts)
    appointment = datetime.fromisoformat(str(data["due_at"]))
    starts = engine.calendar.received_at(first.at)
    return ReceiptSlip(
        code=code,
        procedure_id=pid,
        procedure_version=version,
        procedure_name=name,
        applicant=dict(data.get("applicant") or {}),
        documents=_documents(data.get("documents")),
        received_at=first.at,
        appointment=appointment,
        time_limit=limit,
        time_limit_case=case,
        received_by=_actor(first),
        unconfirmed_days=engine.calendar.unconfirmed_between(first.at, appointment),
        unrecorded_years=engine.calendar.unrecorded_years(first.at, appointment),
        fees=fees,
        clock_starts_at=first.at if starts == first.at else starts,
    )


def supplement_request(engine: Engine, code: str) -> SupplementRequest:
    """The latest supplement request of dossier ``code``: the written guidance at
    the desk (no clock started), or the request during processing (the clock
    stopped), with what was missing and why."""
    events = engine.history(code)
    for event in reversed(events):
        data = event.data
        if event.type is EventType.GUIDED:
            return SupplementRequest(
                code=code,
                procedure_id=str(data["procedure_id"]),
                missing=[str(m) for m in data.get("missing") or []],
                reason=data.get("reason"),
                contact_officer=_actor(event),
                issued_at=event.at,
                during_processing=False,
            )
        if event.type is EventType.PAUSED and data.get("supplement"):
            return SupplementRequest(
                code=code,
                procedure_id=str(events[0].data["procedure_id"]),
                missing=[str(m) for m in data.get("missing") or []],
                reason=data.get("note"),
                contact_officer=_actor(event),
                issued_at=event.at,
                during_processing=True,
            )
    raise NoSuchSlip(
        f"{code} has no supplement request: nothing was asked of the applicant "
        f"({_opened(events)}, {len(events)} event(s))"
    )


def refusal_slip(engine: Engine, code: str) -> RefusalSlip:
    """The refusal to receive dossier ``code`` at the desk, with its reason."""
    events = engine.history(code)
    first = events[0]
    if first.type is not EventType.REFUSED_AT_RECEPTION:
        raise NoSuchSlip(
            f"{code} has no refusal slip: it was {_opened(events)}; the slip is issued only "
            "when the desk refuses to receive a dossier"
        )
    data = first.data
    return RefusalSlip(
        code, str(data["procedure_id"]), str(data["reason"]), _actor(first), first.at
    )


def apology_slip(engine: Engine, code: str) -> ApologySlip:
    """The latest apology of dossier ``code``: its reason and new appointment, the
    appointment it replaced and the statutory due date as they stood then."""
    events = engine.history(code)
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.type is not EventType.APOLOGISED:
            continue
        before = replay(events[:i], engine.calendar.tz)
        new = datetime.fromisoformat(str(event.data["new_due_at"]))
        return ApologySlip(
            code=code,
            agency=event.actor.agency if event.actor is not None else before.holder or "",
            reason=str(event.data.get("reason") or ""),
            previous_appointment=before.appointment,
            new_appointment=new,
            statutory_due=before.due_at,
            issued_at=event.at,
            signed_by=_actor(event),
            unconfirmed_days=engine.calendar.unconfirmed_between(before.received_at, new),
            unrecorded_years=engine.calendar.unrecorded_years(before.received_at, new),
        )
    raise NoSuchSlip(
        f"{code} has no apology: none was issued (an apology with a new appointment is "
        "given with procflow dossier apologise)"
    )


def slip_for(engine: Engine, code: str, name: str) -> object:
    """Dossier ``code``'s paper named ``name`` (one of :data:`SLIP_NAMES`)."""
    if name == "receipt":
        return receipt_slip(engine, code)
    if name == "supplement":
        return supplement_request(engine, code)
    if name == "refusal":
        return refusal_slip(engine, code)
    if name == "apology":
        return apology_slip(engine, code)
    if name == "control":
        engine.history(code)  # an unknown code: DossierNotFound, as for the others
        if engine.get(code).outcome in ("guided", "refused_at_reception"):
            raise NoSuchSlip(
                f"{code} has no control slip: it was {_opened(engine.history(code))}; "
                "a control slip follows a dossier received"
            )
        return engine.control_slip(code)
    if name == "stop":
        return engine.stop_notice(code)
    raise NoSuchSlip(f"no paper named {name!r}; name one of {', '.join(SLIP_NAMES)}")
