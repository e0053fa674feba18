"""Words shared by the diagrams and the public sheet, in Vietnamese and English.

Vietnamese labels follow the wording of the one-stop decrees and of published
procedure listings (thời hạn giải quyết, thành phần hồ sơ, căn cứ pháp lý...).
Numbers are written the Vietnamese way in ``vi`` (``0,5``; ``20.000 đồng``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from procflow.calendar.units import TimeUnit
from procflow.definition.model import (
    AgencyLevel,
    Duration,
    DurationCase,
    PauseReason,
    Procedure,
    StepKind,
    Terminal,
    Text,
)

__all__ = [
    "LANGS",
    "Lang",
    "date_text",
    "duration_text",
    "end_text",
    "form_text",
    "hours_text",
    "kind_text",
    "level_text",
    "money_text",
    "move_label",
    "move_text",
    "moves_known",
    "number_text",
    "pause_reason_text",
    "timeliness_text",
]

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

_UNITS: dict[TimeUnit, tuple[str, str]] = {
    TimeUnit.WORKING_DAYS: ("ngày làm việc", "working days"),
    TimeUnit.WORKING_HOURS: ("giờ làm việc", "working hours"),
    TimeUnit.CALENDAR_DAYS: ("ngày", "calendar days"),
}

_KINDS: dict[StepKind, tuple[str, str]] = {
    StepKind.RECEPTION: ("Tiếp nhận", "Reception"),
    StepKind.REVIEW: ("Thẩm định", "Review"),
    StepKind.PROCESSING: ("Xử lý", "Processing"),
    StepKind.APPROVAL: ("Phê duyệt, ký", "Approval"),
    StepKind.HANDOFF: ("Chuyển liên thông", "Hand-off"),
    StepKind.APPLICANT: ("Người dân thực hiện", "Applicant acts"),
    StepKind.RETURN: ("Trả kết quả", "Return"),
}

_ENDS: dict[str, tuple[str, str]] = {
    Terminal.RETURNED.value: ("Đã trả kết quả", "Returned"),
    Terminal.REFUSED.value: ("Từ chối giải quyết", "Refused"),
    Terminal.WITHDRAWN.value: ("Rút hồ sơ", "Withdrawn"),
    Terminal.STOPPED.value: ("Dừng giải quyết", "Stopped"),
}

_FORMS: dict[str, tuple[str, str]] = {
    "original": ("Bản chính", "Original"),
    "certified_copy": ("Bản sao có chứng thực", "Certified copy"),
    "copy": ("Bản sao", "Copy"),
    "original_or_copy": ("Bản chính hoặc bản sao", "Original or copy"),
}

_LEVELS: dict[AgencyLevel, tuple[str, str]] = {
    AgencyLevel.COMMUNE: ("Cấp xã", "Commune"),
    AgencyLevel.DISTRICT: ("Cấp huyện", "District"),
    AgencyLevel.PROVINCE: ("Cấp tỉnh", "Province"),
    AgencyLevel.MINISTRY: ("Cấp bộ", "Ministry"),
    AgencyLevel.CENTRAL: ("Trung ương", "Central"),
    AgencyLevel.OTHER: ("Khác", "Other"),
}


_TIMELINESS: dict[str, tuple[str, str]] = {
    "early": ("Trước hạn", "Early"),
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Quá hạn", "Late"),
}
"""The engine's classification of a dossier or step against its due date
(procflow.model.dossier.Timeliness), in the words of the one-stop reports."""

_PAUSE_REASONS: dict[str, tuple[str, str]] = {
    PauseReason.SUPPLEMENT.value: ("Bổ sung, hoàn thiện hồ sơ", "Supplementing the dossier"),
    PauseReason.FINANCIAL_OBLIGATIONS.value: (
        "Thực hiện nghĩa vụ tài chính",
        "Paying taxes, fees and charges",
    ),
    PauseReason.EXPERT_ASSESSMENT.value: ("Giám định, trưng cầu giám định", "Expert assessment"),
    PauseReason.VERIFICATION.value: (
        "Xác minh, kiểm tra thực địa",
        "Verification or site inspection",
    ),
    PauseReason.VIOLATION.value: ("Xem xét, xử lý vi phạm", "Handling a violation"),
}
"""Why the statutory clock stopped (procflow.definition.model.PauseReason, whose
docstrings give the legal wording and its standing)."""


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang == "en" else pair[0]


def number_text(value: float, lang: Lang = "vi", digits: int = 2) -> str:
    """``0.5`` → ``0,5`` (vi) or ``0.5`` (en); whole numbers without decimals."""
    rounded = round(float(value), digits)
    if rounded.is_integer():
        text = str(int(rounded))
    else:
        text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def duration_text(duration: Duration | None, lang: Lang = "vi") -> str:
    """A duration as published: ``0,5 ngày làm việc``, ``trong ngày``..."""
    if duration is None:
        return "—"
    if duration.unit is TimeUnit.SAME_DAY:
        if lang == "en":
            text = "same day"
            if duration.cutoff:
                text += f" (received before {duration.cutoff:%H:%M})"
            return text
        text = "trong ngày"
        if duration.cutoff:
            text += f" (tiếp nhận trước {duration.cutoff:%H:%M})"
        return text
    unit = _pick(_UNITS[duration.unit], lang)
    if lang == "en" and duration.value == 1:
        unit = unit.replace("days", "day").replace("hours", "hour")
    return f"{number_text(duration.value, lang)} {unit}"


def condition_text(case: DurationCase, lang: Lang = "vi") -> str:
    """When a case of a duration applies, for people: its label, else the
    facts as written (``khi needs_verification``, ``unless remote``)."""
    if case.label is not None:
        return case.label.get(lang)
    vi = lang != "en"
    parts = []
    if case.when is not None:
        parts.append(f"{'khi' if vi else 'when'} {case.when}")
    if case.unless is not None:
        parts.append(f"{'trừ khi' if vi else 'unless'} {case.unless}")
    return (" và " if vi else " and ").join(parts)


def cases_text(duration: Duration | None, lang: Lang = "vi") -> list[str]:
    """Each alternative of a duration chosen by facts, with its condition:
    ``5 ngày làm việc (trường hợp phải xác minh)``; none without cases."""
    if duration is None:
        return []
    return [
        f"{duration_text(duration.alternative(i), lang)} ({condition_text(case, lang)})"
        for i, case in enumerate(duration.cases)
    ]


def duration_cases_text(duration: Duration | None, lang: Lang = "vi") -> str:
    """A duration and its alternatives, for a table cell:
    ``0,5 ngày làm việc; 1 ngày làm việc (khi remote)``."""
    return "; ".join([duration_text(duration, lang), *cases_text(duration, lang)])


def hours_text(seconds: float, lang: Lang = "vi") -> str:
    """Working seconds as working hours: ``3,5 giờ làm việc``."""
    hours = number_text(seconds / 3600.0, lang, 1)
    return f"{hours} giờ làm việc" if lang == "vi" else f"{hours} working hours"


def kind_text(kind: StepKind, lang: Lang = "vi") -> str:
    return _pick(_KINDS[kind], lang)


def end_text(end: str, lang: Lang = "vi") -> str:
    return _pick(_ENDS[end], lang) if end in _ENDS else end


def form_text(form: str, lang: Lang = "vi") -> str:
    return _pick(_FORMS[form], lang) if form in _FORMS else form


def level_text(level: AgencyLevel, lang: Lang = "vi") -> str:
    return _pick(_LEVELS[level], lang)


def money_text(amount: int, lang: Lang = "vi") -> str:
    """``20000`` → ``20.000 đồng`` (vi), ``20,000 VND`` (en); 0 is exempt."""
    if amount == 0:
        return "Miễn phí" if lang == "vi" else "Free of charge"
    grouped = f"{amount:,}"
    return f"{grouped.replace(',', '.')} đồng" if lang == "vi" else f"{grouped} VND"


def date_text(day: dt.date | None, lang: Lang = "vi") -> str:
    """Dates as written in each language: ``10/06/2024`` (vi), ``2024-06-10`` (en)."""
    if day is None:
        return ""
    return f"{day:%d/%m/%Y}" if lang == "vi" else day.isoformat()


def timeliness_text(value: str, lang: Lang = "vi") -> str:
    """``on_time`` → ``Đúng hạn`` / ``On time``; an unknown value as it is."""
    return _pick(_TIMELINESS[value], lang) if value in _TIMELINESS else value


def pause_reason_text(value: str, lang: Lang = "vi") -> str:
    """``financial_obligations`` → ``Thực hiện nghĩa vụ tài chính``; an unknown value as it is."""
    return _pick(_PAUSE_REASONS[value], lang) if value in _PAUSE_REASONS else value


_MOVES: dict[str, tuple[str, str]] = {
    # The moves of the library's procedures (procedures/**/*.yaml).
    "approve": ("Phê duyệt", "Approve"),
    "confirm": ("Xác nhận", "Confirm"),
    "decide": ("Ra quyết định", "Decide"),
    "deregister": ("Xóa đăng ký", "Deregister"),
    "done": ("Hoàn thành", "Done"),
    "forward": ("Chuyển xử lý", "Forward"),
    "hand_over": ("Trả kết quả", "Hand over the result"),
    "issue": ("Cấp giấy tờ", "Issue the document"),
    "notify": ("Gửi thông báo", "Send the notice"),
    "paid": ("Đã nộp tiền", "Paid"),
    "propose": ("Đề xuất", "Propose"),
    "refuse": ("Từ chối giải quyết", "Refuse"),
    "register": ("Đăng ký", "Register"),
    "request_supplement": ("Yêu cầu bổ sung", "Request a supplement"),
    "resubmit": ("Nộp hồ sơ bổ sung", "Resubmit"),
    "send": ("Chuyển hồ sơ", "Send"),
    "sign": ("Ký duyệt", "Sign"),
    # The engine's own moves (procflow.compiler.compiled.ENGINE_TRIGGERS).
    "withdraw": ("Rút hồ sơ", "Withdraw"),
    "stop": ("Dừng giải quyết", "Stop processing"),
    # Other common words of one-stop procedures.
    "accept": ("Chấp thuận", "Accept"),
    "appraise": ("Thẩm định", "Appraise"),
    "certify": ("Chứng thực", "Certify"),
    "check": ("Kiểm tra", "Check"),
    "collect": ("Nhận kết quả", "Collect the result"),
    "complete": ("Hoàn thành", "Complete"),
    "consult": ("Lấy ý kiến", "Consult"),
    "extend": ("Gia hạn", "Extend"),
    "inspect": ("Kiểm tra thực địa", "Inspect the site"),
    "pay": ("Nộp phí, lệ phí", "Pay"),
    "publish": ("Niêm yết công khai", "Post publicly"),
    "receive": ("Tiếp nhận", "Receive"),
    "reject": ("Không chấp thuận", "Reject"),
    "reply": ("Trả lời", "Reply"),
    "return": ("Trả lại", "Send back"),
    "review": ("Xem xét", "Review"),
    "submit": ("Trình", "Submit"),
    "supplement": ("Bổ sung hồ sơ", "Supplement"),
    "transfer": ("Chuyển", "Transfer"),
    "update": ("Cập nhật", "Update"),
    "verify": ("Xác minh", "Verify"),
}
"""What a move is called when its procedure gives it no ``label`` [design:
procflow's wording, after the verbs of the one-stop forms (tiếp nhận, chuyển,
thẩm định, trình ký, trả kết quả)]. A trigger is an identifier for files and
the command line; people read these words."""


def moves_known() -> frozenset[str]:
    """The triggers the built-in table names (others get :func:`move_text`'s fallback)."""
    return frozenset(_MOVES)


def move_text(trigger: str, lang: Lang = "vi") -> str:
    """A move in words from the built-in table: ``forward`` → ``Chuyển xử lý`` /
    ``Forward``; an unknown trigger humanised: ``check_site`` → ``Check site``.

    The fallback is the author's own word with spaces, not a translation: give
    the outcome a ``label`` to name it in Vietnamese.
    """
    pair = _MOVES.get(trigger)
    if pair is not None:
        return _pick(pair, lang)
    words = trigger.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def move_label(
    procedure: Procedure, trigger: str, lang: Lang = "vi", step: str | None = None
) -> str:
    """What people read for ``trigger``: the procedure's own ``label`` first.

    The label of an outcome of ``step`` comes first, then one given for the
    same trigger at any other step (a procedure names a move once and means it
    everywhere), then :func:`move_text`. A label written in Vietnamese only
    does not stand in for English: the English page falls back to the table,
    so no Vietnamese word appears among English ones.
    """
    for label in _outcome_labels(procedure, trigger, step):
        if lang == "en" and not label.en:
            continue
        return label.get(lang)
    return move_text(trigger, lang)


def _outcome_labels(procedure: Procedure, trigger: str, step: str | None) -> list[Text]:
    """The labels given to ``trigger``'s outcomes, those of ``step`` first."""
    ordered = sorted(procedure.steps, key=lambda s: s.id != step)
    out: list[Text] = []
    for each in ordered:
        for name, outcome in each.branches():
            if name == trigger and outcome.label is not None:
                out.append(outcome.label)
    return out
