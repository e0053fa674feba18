"""The forms of the one-stop mechanism, as structured data.

Circular 01/2018/TT-VPCP sets the forms (receipt and appointment slip,
supplement request, refusal, apology and new appointment, processing control
slip); Circular 03/2025/TT-VPCP renumbers and renames some of them. procflow
produces their content; printing them on the official template is the
embedding system's job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from procflow.model.dossier import Timeliness


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Timeliness):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Slip:
    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class ReceiptSlip(_Slip):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Circular 01/2018, Form 01)."""

    code: str
    procedure_id: str
    procedure_version: str
    procedure_name: str
    applicant: dict[str, Any]
    documents: list[dict[str, Any]]
    received_at: datetime
    appointment: datetime
    time_limit: str
    received_by: str


@dataclass(frozen=True)
class SupplementRequest(_Slip):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Form 02): what is missing and why."""

    code: str
    procedure_id: str
    missing: list[str]
    reason: str | None
    contact_officer: str
    issued_at: datetime
    during_processing: bool


@dataclass(frozen=True)
class RefusalSlip(_Slip):
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Form 03)."""

    code: str
    procedure_id: str
    reason: str
    officer: str
    issued_at: datetime


@dataclass(frozen=True)
class ApologySlip(_Slip):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Form 04; under Circular 03/2025 a
    letter of apology and request to extend the time)."""

    code: str
    agency: str
    reason: str
    previous_appointment: datetime
    new_appointment: datetime
    statutory_due: datetime
    issued_at: datetime
    signed_by: str


@dataclass(frozen=True)
class ControlRow:
    """One hand-over on the processing control slip."""

    step: str
    from_agency: str | None
    to_step: str | None
    to_agency: str | None
    sender: str | None
    receiver: str | None
    entered_at: datetime
    left_at: datetime | None
    due_at: datetime | None
    timeliness: Timeliness | None
    used_working_hours: float
    late_working_hours: float


@dataclass(frozen=True)
class ControlSlip(_Slip):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Form 05; Form 06 under Circular 03/2025).

    ``per_agency`` sums working hours used and late per agency: in an
    inter-agency procedure it shows who used the time and who ran over.
    """

    code: str
    procedure_id: str
    received_at: datetime
    due_at: datetime
    rows: list[ControlRow] = field(default_factory=list)
    per_agency: dict[str, dict[str, float]] = field(default_factory=dict)
