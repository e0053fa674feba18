"""Which official form a slip is, by the legal text in force on its date.

The one-stop desk's papers are forms prescribed by a circular of the
Government Office, and the circular changes: Circular 01/2018/TT-VPCP
(guiding Decree 61/2018/NĐ-CP) numbered six forms; Circular 03/2025/TT-VPCP
(guiding Decree 118/2025/NĐ-CP, which replaced Decrees 61 and 107 from
2025-07-01) numbers seven from 2025-09-15: Form 04 becomes a letter of
apology *and request to extend the processing time*, a notice to stop
processing is added as Form 05, and the control slip and the dossier
register move to Forms 06 and 07. A slip printed today for a dossier
received last year must carry the form of *its* date, so the forms are data
with effective dates, not constants in the slips.

:data:`DEFAULT_TABLE` is the national table; :func:`form_in_force` looks a
slip kind up in it, or in a table of your own (a province printing on
another numbering, a circular not yet in procflow): a sequence of
:class:`LegalText`, each with the date it takes effect. Sources and
standing: docs/engine.md, "Forms and the legal text in force".
"""

from __future__ import annotations

import enum
import functools
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from procflow.errors import ProcflowError

__all__ = [
    "DEFAULT_TABLE",
    "LEGAL_TZ",
    "FormInForce",
    "FormSpec",
    "FormsTableError",
    "LegalText",
    "SlipKind",
    "check_table",
    "form_in_force",
    "legal_date",
    "text_in_force",
]

LEGAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Legal texts take effect on a date in Viet Nam: a slip's instant is read
as a local date there before the table is consulted [design]."""


class FormsTableError(ProcflowError):
    """A table of forms cannot be used (no text in force on a slip's date,
    two texts taking effect the same day, ...)."""


class SlipKind(enum.StrEnum):
    """The papers of the one-stop desk that procflow produces as data."""

    RECEIPT = "receipt"
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    SUPPLEMENT_REQUEST = "supplement_request"
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    REFUSAL = "refusal"
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    APOLOGY = "apology"
    """Apology with a new date (and, from Circular 03/2025, request to extend)."""
    STOP_NOTICE = "stop_notice"
    """Thông báo dừng giải quyết hồ sơ (no form before Circular 03/2025)."""
    CONTROL_SLIP = "control_slip"
    """Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    REGISTER = "register"
    """Sổ theo dõi hồ sơ."""


@dataclass(frozen=True, slots=True)
class FormSpec:
    """One form of a circular: its number as printed ("Mẫu số 01") and title."""

    number: str
    title_vi: str
    title_en: str


@dataclass(frozen=True, slots=True)
class LegalText:
    """A circular prescribing the forms, from the day it takes effect until
    the next text of the table does."""

    number: str
    """The official number, e.g. ``03/2025/TT-VPCP``."""
    effective_from: date
    guides: str
    """The decree it guides, e.g. ``118/2025/NĐ-CP``."""
    forms: Mapping[SlipKind, FormSpec]
    """The forms it prescribes; a kind it lacks has no form under it."""
    standing: str = "[source]"
    """How well the entry is backed ([source], [recalled]): see the docs."""


@dataclass(frozen=True, slots=True)
class FormInForce:
    """The answer of :func:`form_in_force`: the form a slip of ``kind`` dated
    on ``on`` is printed on, and the circular prescribing it."""

    kind: SlipKind
    on: date
    number: str | None
    """None when the circular in force prescribes no form of this kind
    (a stop notice before Circular 03/2025)."""
    title_vi: str | None
    title_en: str | None
    legal_basis: str
    """The circular's number, e.g. ``03/2025/TT-VPCP``."""
    effective_from: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "on": self.on.isoformat(),
            "form": self.number,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "legal_basis": self.legal_basis,
            "effective_from": self.effective_from.isoformat(),
        }


_RECEIPT = FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment slip")
_SUPPLEMENT = FormSpec(
    "02",
    "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "Request to supplement and complete the dossier",
)
_REFUSAL = FormSpec(
    "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Refusal to receive the dossier"
)
_CONTROL = "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Processing control slip"
_REGISTER = "Sổ theo dõi hồ sơ", "Dossier register"

DEFAULT_TABLE: tuple[LegalText, ...] = (
    LegalText(
        number="01/2018/TT-VPCP",
        effective_from=date(2019, 1, 6),
        guides="61/2018/NĐ-CP",
        forms=MappingProxyType(
            {
                SlipKind.RECEIPT: _RECEIPT,
                SlipKind.SUPPLEMENT_REQUEST: _SUPPLEMENT,
                SlipKind.REFUSAL: _REFUSAL,
                SlipKind.APOLOGY: FormSpec(
                    "04",
                    "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
                    "Apology and new appointment",
                ),
                SlipKind.CONTROL_SLIP: FormSpec("05", *_CONTROL),
                SlipKind.REGISTER: FormSpec("06", *_REGISTER),
            }
        ),
        standing="[recalled]",
    ),
    LegalText(
        number="03/2025/TT-VPCP",
        effective_from=date(2025, 9, 15),
        guides="118/2025/NĐ-CP",
        forms=MappingProxyType(
            {
                SlipKind.RECEIPT: _RECEIPT,
                SlipKind.SUPPLEMENT_REQUEST: _SUPPLEMENT,
                SlipKind.REFUSAL: _REFUSAL,
                SlipKind.APOLOGY: FormSpec(
                    "04",
                    "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
                    "Letter of apology and request to extend the processing time",
                ),
                SlipKind.STOP_NOTICE: FormSpec(
                    "05", "Thông báo dừng giải quyết hồ sơ", "Notice to stop processing the dossier"
                ),
                SlipKind.CONTROL_SLIP: FormSpec("06", *_CONTROL),
                SlipKind.REGISTER: FormSpec("07", *_REGISTER),
            }
        ),
        standing="[source, secondary]",
    ),
)
"""The national table: Circular 01/2018/TT-VPCP from 2019-01-06, Circular
03/2025/TT-VPCP from 2025-09-15 (docs/engine.md gives the sources). Read-only:
another numbering is a table of its own, passed as ``table=``."""

_DEFAULT_STARTS: tuple[date, ...] = tuple(t.effective_from for t in DEFAULT_TABLE)


def check_table(table: Sequence[LegalText]) -> tuple[LegalText, ...]:
    """``table`` in date order, or :class:`FormsTableError` saying what to fix.

    A table needs at least one text, and no two texts may take effect on the
    same day (which one would a slip of that day follow?).
    """
    texts = tuple(sorted(table, key=lambda t: t.effective_from))
    if not texts:
        raise FormsTableError(
            "the forms table is empty; give at least one LegalText (or leave table=None "
            "for the national table)"
        )
    for a, b in pairwise(texts):
        if a.effective_from == b.effective_from:
            raise FormsTableError(
                f"the forms table has two texts taking effect on {a.effective_from.isoformat()} "
                f"({a.number} and {b.number}); keep one, or date the later one when it "
                "really takes effect"
            )
    return texts


def legal_date(on: date | datetime) -> date:
    """The date a slip counts as issued on: an aware instant's date in Viet Nam,
    a naive one's own date, a date as it is."""
    if isinstance(on, datetime):
        if on.tzinfo is LEGAL_TZ:  # already in Viet Nam's zone (every receipt's slip)
            return on.date()
        if on.tzinfo is not None and on.utcoffset() is not None:
            return on.astimezone(LEGAL_TZ).date()
        return on.date()
    return on


def text_in_force(
    on: date | datetime, table: Sequence[LegalText] | None = None
) -> LegalText | None:
    """The text of ``table`` (default: :data:`DEFAULT_TABLE`) in force on
    ``on``: the last one taking effect on or before it; None before the first."""
    day = legal_date(on)
    if table is None:
        texts, starts = DEFAULT_TABLE, _DEFAULT_STARTS
    else:
        texts = check_table(table)
        starts = tuple(t.effective_from for t in texts)
    i = bisect_right(starts, day)
    return texts[i - 1] if i else None


def form_in_force(
    kind: SlipKind, on: date | datetime, table: Sequence[LegalText] | None = None
) -> FormInForce | None:
    """The form a slip of ``kind`` dated ``on`` is printed on, and its circular.

    None when no text of the table is in force yet on that date; a
    :class:`FormInForce` with ``number`` None when the text in force has no
    form of that kind (a stop notice under Circular 01/2018)::

        form_in_force(SlipKind.RECEIPT, date(2025, 9, 14)).legal_basis  # '01/2018/TT-VPCP'
        form_in_force(SlipKind.CONTROL_SLIP, date(2025, 9, 15)).number  # '06'
    """
    day = legal_date(on)
    if table is None:
        return _national_form(kind, day)
    return _form(kind, day, text_in_force(day, table))


@functools.lru_cache(maxsize=4096)
def _national_form(kind: SlipKind, day: date) -> FormInForce | None:
    """:func:`form_in_force` on the national table, remembered: every receipt
    asks it, and a desk's receipts share a handful of dates."""
    return _form(kind, day, text_in_force(day))


def _form(kind: SlipKind, day: date, text: LegalText | None) -> FormInForce | None:
    if text is None:
        return None
    spec = text.forms.get(kind)
    return FormInForce(
        kind=kind,
        on=day,
        number=spec.number if spec else None,
        title_vi=spec.title_vi if spec else None,
        title_en=spec.title_en if spec else None,
        legal_basis=text.number,
        effective_from=text.effective_from,
    )
