"""The content of the public procedure sheet (niêm yết công khai thủ tục hành chính).

:func:`build_sheet` gathers, in one language, what a one-stop desk posts
about a procedure: name and code, where to submit, the total time limit (in
working days where it is published in working time), the steps in order with
the agency and the time of each, the documents to bring, the fees, what the
applicant receives, and the legal basis. Renderers (``html``, ``markdown``)
only lay this out, so both formats say the same thing.

The Vietnamese sheet is wholly Vietnamese: the free-text fields an author may
have written in English (bases, articles, form numbers, notes) go through
:mod:`~procflow.contrib.sheet.vietnamese`, which translates citations and
leaves out what it cannot translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import procflow.contrib.sheet.vietnamese as vietnamese
from procflow.calendar.units import TimeUnit
from procflow.checks.graph import critical_path, duration_days
from procflow.contrib.labels import (
    Lang,
    cases_text,
    date_text,
    duration_cases_text,
    duration_text,
    form_text,
    kind_text,
    level_text,
    money_text,
    number_text,
)
from procflow.definition.model import Procedure, StepKind

__all__ = ["LABELS", "Sheet", "SheetRow", "build_sheet"]

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "heading": "NIÊM YẾT CÔNG KHAI THỦ TỤC HÀNH CHÍNH",
        "code": "Mã thủ tục",
        "no_code": "chưa có mã",
        "sector": "Lĩnh vực",
        "level": "Cấp thực hiện",
        "version": "Phiên bản",
        "effective": "Hiệu lực",
        "from": "từ",
        "to": "đến",
        "where": "Nơi tiếp nhận và trả kết quả",
        "desk_of": "Bộ phận Một cửa",
        "time_limit": "Thời hạn giải quyết",
        "from_receipt": "kể từ ngày nhận đủ hồ sơ hợp lệ",
        "working_days_total": "tương đương",
        "unconfirmed": "chưa được đối chiếu với văn bản gốc",
        "basis": "Căn cứ",
        "applicant_time": (
            "Thời gian người dân bổ sung hồ sơ hoặc thực hiện nghĩa vụ tài chính "
            "không tính vào thời hạn giải quyết."
        ),
        "agencies": "Cơ quan thực hiện",
        "agency": "Cơ quan",
        "share": "Thời gian",
        "desk": "tiếp nhận và trả kết quả",
        "steps": "Trình tự thực hiện",
        "no": "TT",
        "step": "Bước",
        "kind": "Loại",
        "time": "Thời gian",
        "not_counted": "không tính",
        "documents": "Thành phần hồ sơ",
        "document": "Giấy tờ",
        "form": "Loại bản",
        "copies": "Số lượng",
        "required": "Bắt buộc",
        "yes": "Có",
        "optional": "Nếu có",
        "template": "mẫu",
        "none": "Không quy định.",
        "fees": "Phí, lệ phí",
        "fee": "Khoản",
        "amount": "Mức thu",
        "result": "Kết quả thực hiện",
        "legal_basis": "Căn cứ pháp lý",
        "dated": "ngày",
        "articles": "",
        "footer": "Lập từ định nghĩa thủ tục",
    },
    "en": {
        "nation": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto": "Independence - Freedom - Happiness",
        "heading": "PUBLIC LISTING OF AN ADMINISTRATIVE PROCEDURE",
        "code": "Procedure code",
        "no_code": "not assigned",
        "sector": "Sector",
        "level": "Level",
        "version": "Version",
        "effective": "In force",
        "from": "from",
        "to": "to",
        "where": "Where to submit and collect the result",
        "desk_of": "One-stop desk of",
        "time_limit": "Time limit",
        "from_receipt": "from receipt of a complete, valid dossier",
        "working_days_total": "that is",
        "unconfirmed": "not checked against the published text",
        "basis": "Basis",
        "applicant_time": (
            "Time the applicant takes to supplement the dossier or to pay financial "
            "obligations is not counted in the time limit."
        ),
        "agencies": "Agencies",
        "agency": "Agency",
        "share": "Time",
        "desk": "receives the dossier and returns the result",
        "steps": "Steps",
        "no": "No.",
        "step": "Step",
        "kind": "Kind",
        "time": "Time",
        "not_counted": "not counted",
        "documents": "Documents to submit",
        "document": "Document",
        "form": "Form",
        "copies": "Copies",
        "required": "Required",
        "yes": "Yes",
        "optional": "If any",
        "template": "form",
        "none": "None prescribed.",
        "fees": "Fees and charges",
        "fee": "Item",
        "amount": "Amount",
        "result": "Result",
        "legal_basis": "Legal basis",
        "dated": "dated",
        "articles": "",
        "footer": "Generated from the procedure definition",
    },
}


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row of a table: cells already in the sheet's language."""

    cells: tuple[str, ...]
    note: str | None = None
    note_at: int = 1
    """The cell the note is printed under."""
    mark: str | None = None
    """``applicant`` or ``handoff`` for steps drawn distinctly."""


@dataclass(frozen=True)
class Sheet:
    lang: Lang
    labels: dict[str, str]
    title: str
    key: str
    facts: tuple[tuple[str, str], ...]
    """(label, value) lines under the title: code, sector, level, version..."""
    where: str
    time_limit: str
    time_notes: tuple[str, ...]
    agencies: tuple[SheetRow, ...]
    steps: tuple[SheetRow, ...]
    documents: tuple[SheetRow, ...]
    fees: tuple[SheetRow, ...]
    result: str | None
    legal_basis: tuple[str, ...]
    desk_agency: str
    notes: tuple[str, ...] = field(default_factory=tuple)


class _Words:
    """The free-text fields of a procedure in the sheet's language: as written
    for ``en``; translated, or left out, for ``vi``."""

    def __init__(self, proc: Procedure, lang: Lang) -> None:
        self.vi = lang != "en"
        self.names = vietnamese.glossary(law.title for law in proc.legal_basis) if self.vi else {}

    def citation(self, text: str | None) -> str:
        if not self.vi:
            return text or ""
        return vietnamese.citation(text, self.names)

    def note(self, text: str | None) -> str | None:
        return vietnamese.free_text(text, self.names) if self.vi else text

    def template(self, text: str) -> str | None:
        return vietnamese.template(text, self.names) if self.vi else text

    def law_title(self, title: str | None, number: str) -> str | None:
        return vietnamese.law_title(title, number, self.names) if self.vi else title


def _time_limit(
    proc: Procedure, lang: Lang, words: dict[str, str], text_of: _Words
) -> tuple[str, list[str]]:
    limit = proc.time_limit
    text = f"{duration_text(limit, lang)} {words['from_receipt']}"
    if limit.unit is TimeUnit.WORKING_HOURS:
        days = duration_days(limit, TimeUnit.WORKING_DAYS)
        if days is not None:
            unit = "ngày làm việc" if lang == "vi" else "working days"
            text += f" ({words['working_days_total']} {number_text(days, lang)} {unit})"
    notes = []
    basis = text_of.citation(limit.basis)
    if basis:
        notes.append(f"{words['basis']}: {basis}")
    if not limit.confirmed:
        notes.append(f"({words['unconfirmed']})")
    # a limit chosen by the dossier's facts: each alternative, with when and why
    for i, figure in enumerate(cases_text(limit, lang)):
        case = limit.alternative(i)
        line = f"{figure} {words['from_receipt']}"
        case_basis = text_of.citation(case.basis) if limit.cases[i].basis else ""
        if case_basis:
            line += f". {words['basis']}: {case_basis}"
        if not case.confirmed and words["unconfirmed"] not in line:  # "[recalled]" says it
            line += f" ({words['unconfirmed']})"
        notes.append(line)
    if any(step.kind is StepKind.APPLICANT for step in proc.steps):
        notes.append(words["applicant_time"])
    return text, notes


def build_sheet(proc: Procedure, lang: Lang = "vi") -> Sheet:
    """The public sheet of ``proc`` in ``lang`` (``vi`` or ``en``)."""
    words = LABELS["en" if lang == "en" else "vi"]
    text_of = _Words(proc, lang)
    desk = proc.desk
    facts: list[tuple[str, str]] = [(words["code"], proc.code or words["no_code"])]
    if proc.sector:
        facts.append((words["sector"], proc.sector))
    if proc.level:
        facts.append((words["level"], level_text(proc.level, lang)))
    facts.append((words["version"], proc.version))
    if proc.effective_from or proc.effective_to:
        span = ""
        if proc.effective_from:
            span += f"{words['from']} {date_text(proc.effective_from, lang)}"
        if proc.effective_to:
            span += f" {words['to']} {date_text(proc.effective_to, lang)}"
        facts.append((words["effective"], span.strip()))

    agency_names = {a.id: a.name.get(lang) for a in proc.agencies}
    agencies = []
    for agency in proc.agencies:
        note = words["desk"] if agency.desk else None
        agencies.append(
            SheetRow(
                (
                    agency.name.get(lang),
                    level_text(agency.level, lang),
                    duration_cases_text(agency.share, lang) if agency.share else "—",
                ),
                note=note,
                note_at=0,
            )
        )

    path = critical_path(proc)
    steps = []
    for number, step in enumerate(proc.steps, start=1):
        applicant = step.kind is StepKind.APPLICANT
        if applicant:
            time = words["not_counted"]
        else:
            time = duration_cases_text(step.time, lang) if step.time else "—"
        holder = agency_names.get(step.agency, step.agency)
        if step.kind is StepKind.HANDOFF and step.to_agency:
            holder += f" → {agency_names.get(step.to_agency, step.to_agency)}"
        mark = "applicant" if applicant else ("handoff" if step.kind is StepKind.HANDOFF else None)
        if step.id in path.steps and mark is None:
            mark = "critical"
        steps.append(
            SheetRow(
                (str(number), step.name.get(lang), kind_text(step.kind, lang), holder, time),
                note=text_of.note(step.note),
                mark=mark,
            )
        )

    documents = []
    for number, doc in enumerate(proc.documents, start=1):
        name = doc.name.get(lang)
        form = text_of.template(doc.template) if doc.template else None
        if form and lang != "en" and form.lower().startswith("mẫu"):
            name += f" ({form})"  # "Mẫu số 02", not "mẫu Mẫu số 02"
        elif form:
            name += f" ({words['template']} {form})"
        documents.append(
            SheetRow(
                (
                    str(number),
                    name,
                    form_text(doc.form, lang),
                    str(doc.copies),
                    words["yes"] if doc.required else words["optional"],
                ),
                note=text_of.note(doc.note),
            )
        )

    fees = []
    for fee in proc.fees:
        fees.append(
            SheetRow(
                (fee.name.get(lang), money_text(fee.amount, lang), text_of.citation(fee.basis)),
                text_of.note(fee.note),
            )
        )

    legal = []
    for law in proc.legal_basis:
        text = law.number
        title = text_of.law_title(law.title, law.number)
        if title:
            text += f" — {title}"
        if law.date:
            text += f", {words['dated']} {date_text(law.date, lang)}"
        articles = text_of.citation(law.articles)
        if articles:
            text += f" ({articles})"
        legal.append(text)

    time_limit, time_notes = _time_limit(proc, lang, words, text_of)
    desk_name = desk.name.get(lang)
    where = (
        f"{words['desk_of']} {desk_name}" if lang == "en" else f"{words['desk_of']} — {desk_name}"
    )
    return Sheet(
        lang=lang,
        labels=words,
        title=proc.name.get(lang),
        key=proc.key,
        facts=tuple(facts),
        where=where,
        time_limit=time_limit,
        time_notes=tuple(time_notes),
        agencies=tuple(agencies),
        steps=tuple(steps),
        documents=tuple(documents),
        fees=tuple(fees),
        result=proc.result.get(lang) if proc.result else None,
        legal_basis=tuple(legal),
        desk_agency=desk_name,
    )
