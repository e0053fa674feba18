"""The forms procflow prints, registered by slip type, and the values each
form's templates need beyond the slip.

Circular 01/2018/TT-VPCP designs its forms for screens and for A5 paper, the
dossier register for A4 [source, secondary: a legal-information site
reproducing the circular's annex]; those are the default papers here, and
every form prints on A4 too. Circular 03/2025/TT-VPCP's papers are taken to
keep them [recalled]. Sources and standing: docs/forms.md.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from procflow.contrib.printing.context import SlipContext
from procflow.contrib.printing.registry import PrintedForm, Stamp, register_form
from procflow.model.forms import SlipKind
from procflow.model.slips import (
    ApologySlip,
    ControlSlip,
    ReceiptSlip,
    RefusalSlip,
    StopNotice,
    SupplementRequest,
)
from procflow.reports.register import DossierRegister, RegisterRow

__all__ = ["register_builtin_forms", "time_limit_text"]

_SAME_DAY = re.compile(r"^same day(?: \(cut-off (?P<cutoff>\d{1,2}:\d{2})\))?$")


def time_limit_text(text: str, lang: str) -> str:
    """A receipt's time limit (``3 working days``, ``same day (cut-off 15:00)``)
    in the words of ``lang`` (``3 ngày làm việc``); text it cannot read, as it is."""
    from procflow.contrib.labels import duration_text
    from procflow.definition.model import Duration

    value: Any = text
    same = _SAME_DAY.match(text.strip())
    if same:
        value = {"value": 0, "unit": "same_day", "cutoff": same["cutoff"]}
    try:
        duration = Duration.model_validate(value)
    except ValueError:  # pydantic's ValidationError is one
        return text
    return duration_text(duration, "en" if lang == "en" else "vi")


def _lang(lang: str) -> Any:
    return "en" if lang == "en" else "vi"


def _receipt(slip: ReceiptSlip, ctx: SlipContext, lang: str) -> Mapping[str, Any]:
    from procflow.contrib.labels import form_text, money_text

    documents = []
    for no, doc in enumerate(slip.documents, 1):
        name = str(doc.get("name", ""))
        form = doc.get("form") or ctx.document_forms.get(name)
        documents.append(
            {
                "no": no,
                "name": name,
                "form": form_text(str(form), _lang(lang)) if form else "",
                "copies": doc.get("copies") or 1,
                "note": doc.get("note") or "",
            }
        )
    fees = [
        {
            "name": fee.name,
            "amount": money_text(fee.amount, _lang(lang)),
            "basis": fee.basis or "",
        }
        for fee in getattr(slip, "fees", ())
    ]
    starts = getattr(slip, "clock_starts_at", None)
    return {
        "documents": documents,
        "fees": fees,
        "procedure": ctx.procedure_name or slip.procedure_name or slip.procedure_id,
        "time_limit": time_limit_text(slip.time_limit, lang)
        # a limit chosen by the dossier's facts says by which: "5 ngày làm việc (…)"
        + (f" ({slip.time_limit_case})" if getattr(slip, "time_limit_case", None) else ""),
        # an online submission at night: the time limit counts from the next opening
        "clock_starts_at": starts if starts is not None and starts != slip.received_at else None,
    }


def _procedure(slip: Any, ctx: SlipContext, lang: str) -> Mapping[str, Any]:
    return {"procedure": ctx.procedure_name or slip.procedure_id}


def _control(slip: ControlSlip, ctx: SlipContext, lang: str) -> Mapping[str, Any]:
    from procflow.contrib.labels import number_text, timeliness_text

    rows = []
    for no, r in enumerate(slip.rows, 1):
        rows.append(
            {
                "no": no,
                "step": ctx.step(r.step),
                "agency": ctx.agency(r.from_agency),
                "to_step": ctx.step(r.to_step),
                "to_agency": ctx.agency(r.to_agency),
                "sender": ctx.officer(r.sender),
                "receiver": ctx.officer(r.receiver),
                "entered_at": r.entered_at,
                "left_at": r.left_at,
                "due_at": r.due_at,
                "result": timeliness_text(r.timeliness.value, _lang(lang)) if r.timeliness else "",
                "late": r.late_working_hours > 0,
                "used_hours": number_text(r.used_working_hours, _lang(lang), 1),
                "late_hours": number_text(r.late_working_hours, _lang(lang), 1),
            }
        )
    return {**_procedure(slip, ctx, lang), "rows": rows, "agencies": _agencies(slip, ctx, lang)}


def _agencies(slip: ControlSlip, ctx: SlipContext, lang: str) -> list[dict[str, Any]]:
    """Each agency's working time: against its share of the statutory time
    when the slip counts it (``agencies``), else step by step (``per_agency``)."""
    from procflow.contrib.labels import number_text, timeliness_text

    def hours(seconds: float | None) -> str:
        return "" if seconds is None else number_text(seconds / 3600, _lang(lang), 1)

    uses = getattr(slip, "agencies", None) or []
    if uses:
        return [
            {
                "agency": ctx.agency(u.agency),
                "used_hours": hours(u.used_seconds),
                "share_hours": hours(u.share_seconds),
                "late_hours": hours(u.overrun_seconds),
                "late": u.overrun_seconds > 0,
                "result": timeliness_text(u.timeliness.value, _lang(lang)) if u.timeliness else "",
            }
            for u in uses
        ]
    return [
        {
            "agency": ctx.agency(agency),
            "used_hours": number_text(used.get("used_hours", 0.0), _lang(lang), 1),
            "share_hours": "",
            "late_hours": number_text(used.get("late_hours", 0.0), _lang(lang), 1),
            "late": used.get("late_hours", 0.0) > 0,
            "result": "",
        }
        for agency, used in slip.per_agency.items()
    ]


# --- the register ------------------------------------------------------------------------

# The register's notes are English sentences (procflow.reports.register); a
# printed Vietnamese register says them in its own words, by these patterns.
_NOTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^new date after the supplement (?P<when>.+)$"), "resumed"),
    (re.compile(r"^new date, calendar (?P<when>.+)$"), "recalculated"),
    (re.compile(r"^apology, new appointment (?P<when>.+)$"), "apology"),
    (re.compile(r"^supplement requests: (?P<n>\d+)$"), "supplements"),
    (re.compile(r"^paused for (?P<reason>[a-z_]+): (?P<n>\d+)$"), "paused"),
    (re.compile(r"^overdue as of (?P<day>.+)$"), "overdue"),
)
_ENDINGS = frozenset({"stopped", "withdrawn", "refused"})
"""Notes that repeat the outcome, which the printed register has a column for."""


def register_note(
    note: str,
    words: Mapping[str, str],
    lang: str,
    when: Callable[[datetime], str] = str,
    day: Callable[[date], str] = str,
) -> str:
    """One note of the register in the wording ``words`` (``register.notes_words``),
    its instants written by ``when`` and its dates by ``day``; a note the
    patterns do not know, as it is."""
    from procflow.contrib.labels import pause_reason_text

    for pattern, key in _NOTES:
        m = pattern.match(note)
        if m is None:
            continue
        fields = m.groupdict()
        if "reason" in fields:
            fields["reason"] = pause_reason_text(fields["reason"], _lang(lang))
        with contextlib.suppress(ValueError):
            if "when" in fields:
                fields["when"] = when(datetime.strptime(fields["when"], "%d/%m/%Y %H:%M"))
            if "day" in fields:
                fields["day"] = day(datetime.strptime(fields["day"], "%d/%m/%Y").date())
        return words[key].format(**fields)
    return note


def _register_row(row: RegisterRow, lang: str) -> Mapping[str, Any]:
    from procflow.contrib.labels import end_text, timeliness_text

    if row.timeliness is not None:
        result = timeliness_text(row.timeliness.value, _lang(lang))
    elif row.outcome:
        result = end_text(row.outcome, _lang(lang))
    else:
        result = ""
    return {
        "no": row.no,
        "code": row.code,
        "procedure": row.procedure_name or row.procedure_id,
        "applicant": row.applicant,
        "contact": row.contact,
        "received_at": row.received_at,
        "appointment": row.appointment,
        "handed_to": "; ".join(row.handed_to),
        "result_at": row.result_at,
        "returned_at": row.returned_at,
        "open": row.outcome is None,
        "result": result,
        "notes": [n for n in row.notes if n not in _ENDINGS],
        "unconfirmed_days": list(row.unconfirmed_days),
    }


def _register(book: DossierRegister, ctx: SlipContext, lang: str) -> Mapping[str, Any]:
    return {"rows": [_register_row(r, lang) for r in book.rows]}


def _register_stamp(book: DossierRegister) -> Stamp:
    f = book.form
    if f is None:
        return Stamp(None, None, None, book.as_of)
    return Stamp(
        f.number, f.title_vi, f.legal_basis, f.on if isinstance(f.on, date) else book.as_of
    )


def register_builtin_forms() -> None:
    """Register the forms of the one-stop desk (called once, on import)."""
    register_form(ReceiptSlip, PrintedForm("receipt", SlipKind.RECEIPT, prepare=_receipt))
    register_form(
        SupplementRequest,
        PrintedForm("supplement_request", SlipKind.SUPPLEMENT_REQUEST, prepare=_procedure),
    )
    register_form(RefusalSlip, PrintedForm("refusal", SlipKind.REFUSAL, prepare=_procedure))
    register_form(ApologySlip, PrintedForm("apology", SlipKind.APOLOGY))
    register_form(ControlSlip, PrintedForm("control_slip", SlipKind.CONTROL_SLIP, prepare=_control))
    register_form(StopNotice, PrintedForm("stop_notice", SlipKind.STOP_NOTICE, prepare=_procedure))
    register_form(
        DossierRegister,
        PrintedForm(
            "register",
            SlipKind.REGISTER,
            paper="A4",
            landscape=True,
            prepare=_register,
            stamp=_register_stamp,
        ),
    )


register_builtin_forms()
