"""The table of forms in force by date, and the slips that carry their form.

Circular 01/2018/TT-VPCP (from 2019-01-06) numbers six forms; Circular
03/2025/TT-VPCP takes over on 2025-09-15 (the domain notes' effective date):
the apology becomes a letter of apology and request to extend (still Form
04), the stop notice is added (Form 05), the control slip and the register
move from 05/06 to 06/07. A slip follows the circular of its own date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.model.forms import (
    DEFAULT_TABLE,
    FormSpec,
    FormsTableError,
    LegalText,
    SlipKind,
    check_table,
    form_in_force,
    legal_date,
    text_in_force,
)
from procflow.model.slips import (
    ApologySlip,
    ControlSlip,
    ReceiptSlip,
    RefusalSlip,
    StopNotice,
    SupplementRequest,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SWITCH = date(2025, 9, 15)
OLD, NEW = "01/2018/TT-VPCP", "03/2025/TT-VPCP"


def test_the_national_table_switches_on_15_september_2025() -> None:
    assert [t.number for t in DEFAULT_TABLE] == [OLD, NEW]
    assert DEFAULT_TABLE[1].effective_from == SWITCH
    assert DEFAULT_TABLE[1].guides == "118/2025/NĐ-CP"
    day_before = SWITCH - timedelta(days=1)
    numbers = {
        kind: (form_in_force(kind, day_before), form_in_force(kind, SWITCH)) for kind in SlipKind
    }
    expected = {
        SlipKind.RECEIPT: ("01", "01"),
        SlipKind.SUPPLEMENT_REQUEST: ("02", "02"),
        SlipKind.REFUSAL: ("03", "03"),
        SlipKind.APOLOGY: ("04", "04"),
        SlipKind.STOP_NOTICE: (None, "05"),
        SlipKind.CONTROL_SLIP: ("05", "06"),
        SlipKind.REGISTER: ("06", "07"),
    }
    for kind, (before, after) in numbers.items():
        assert before is not None and after is not None
        assert (before.number, after.number) == expected[kind], kind
        assert (before.legal_basis, after.legal_basis) == (OLD, NEW)
        assert after.effective_from == SWITCH
    apology_old, apology_new = numbers[SlipKind.APOLOGY]
    assert apology_old.title_vi == "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    assert apology_new.title_vi == "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    assert apology_new.title_en is not None and "extend" in apology_new.title_en


def test_before_the_first_circular_there_is_no_form() -> None:
    assert form_in_force(SlipKind.RECEIPT, date(2019, 1, 5)) is None
    first = form_in_force(SlipKind.RECEIPT, date(2019, 1, 6))
    assert first is not None and first.legal_basis == OLD


def test_an_instant_counts_by_its_date_in_viet_nam() -> None:
    # 14/09/2025 17:30 UTC is 15/09/2025 00:30 in Hà Nội: the new circular.
    late_utc = datetime(2025, 9, 14, 17, 30, tzinfo=UTC)
    assert legal_date(late_utc) == SWITCH
    found = form_in_force(SlipKind.CONTROL_SLIP, late_utc)
    assert found is not None and (found.number, found.legal_basis) == ("06", NEW)
    # ...and 14/09 16:59 UTC is still 14/09 23:59 there.
    found = form_in_force(SlipKind.CONTROL_SLIP, datetime(2025, 9, 14, 16, 59, tzinfo=UTC))
    assert found is not None and (found.number, found.legal_basis) == ("05", OLD)


@given(
    day=st.dates(min_value=date(2019, 1, 6), max_value=date(2040, 12, 31)),
    kind=st.sampled_from(list(SlipKind)),
)
def test_the_text_in_force_is_the_latest_that_took_effect(day: date, kind: SlipKind) -> None:
    started = [t for t in DEFAULT_TABLE if t.effective_from <= day]
    latest = max(started, key=lambda t: t.effective_from)
    assert text_in_force(day) is latest
    found = form_in_force(kind, day)
    assert found is not None and found.legal_basis == latest.number
    spec = latest.forms.get(kind)
    assert found.number == (spec.number if spec else None)


# --- slips ---------------------------------------------------------------------


def _receipt(at: datetime) -> ReceiptSlip:
    return ReceiptSlip(
        "DESK-250914-00001",
        "vn.test",
        "1",
        "Thủ tục thử",
        {},
        [],
        at,
        at + timedelta(days=3),
        "3 working days",
        "lan@desk",
    )


def test_a_receipt_dated_14_september_2025_is_form_01_of_circular_01_2018() -> None:
    slip = _receipt(datetime(2025, 9, 14, 16, 0, tzinfo=VN))
    assert (slip.form, slip.legal_basis) == ("01", OLD)
    assert slip.form_title == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    data = slip.to_dict()
    assert (data["form"], data["legal_basis"], data["unconfirmed_days"]) == ("01", OLD, [])


def test_a_receipt_dated_15_september_2025_is_form_01_of_circular_03_2025() -> None:
    slip = _receipt(datetime(2025, 9, 15, 8, 0, tzinfo=VN))
    assert (slip.form, slip.legal_basis) == ("01", NEW)


def test_each_slip_takes_the_form_of_its_own_date() -> None:
    old = datetime(2025, 9, 12, 9, 0, tzinfo=VN)
    new = datetime(2025, 9, 16, 9, 0, tzinfo=VN)
    control = ControlSlip("C", "p", received_at=old, due_at=new)
    assert (control.form, control.legal_basis) == ("05", OLD)
    assert ControlSlip("C", "p", received_at=new, due_at=new).form == "06"
    apology = ApologySlip("C", "a", "why", old, new, old, issued_at=new, signed_by="x")
    assert (apology.form, apology.legal_basis) == ("04", NEW)
    assert apology.form_title == "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    assert SupplementRequest("C", "p", ["x"], None, "o", old, False).form == "02"
    assert RefusalSlip("C", "p", "why", "o", new).form == "03"
    stop_old = StopNotice("C", "p", "stopped", None, "s", "a", {}, old, old, "x")
    assert (stop_old.form, stop_old.legal_basis) == (None, OLD)
    stop_new = StopNotice("C", "p", "withdrawn", None, "s", "a", {}, old, new, "x")
    assert (stop_new.form, stop_new.legal_basis) == ("05", NEW)


def test_a_slip_made_with_a_legal_basis_keeps_it() -> None:
    at = datetime(2025, 9, 16, 9, 0, tzinfo=VN)
    slip = RefusalSlip("C", "p", "why", "o", at, form="3a", legal_basis="12/2025/QĐ-UBND")
    assert (slip.form, slip.legal_basis) == ("3a", "12/2025/QĐ-UBND")


# --- a table of one's own -------------------------------------------------------------

PROVINCE = (
    LegalText(
        number="15/2025/QĐ-UBND",
        effective_from=date(2025, 10, 1),
        guides="118/2025/NĐ-CP",
        forms={SlipKind.RECEIPT: FormSpec("TN-1", "Giấy biên nhận", "Receipt")},
    ),
    DEFAULT_TABLE[0],
)


def test_a_province_table_renumbers_from_its_date_and_keeps_the_rest() -> None:
    assert check_table(PROVINCE)[0].number == OLD  # sorted by date
    after = form_in_force(SlipKind.RECEIPT, date(2025, 10, 2), PROVINCE)
    assert after is not None and (after.number, after.legal_basis) == ("TN-1", "15/2025/QĐ-UBND")
    # its text has no control slip: none under it
    control = form_in_force(SlipKind.CONTROL_SLIP, date(2025, 10, 2), PROVINCE)
    assert control is not None and control.number is None
    # before it takes effect, the older text of the same table holds
    before = form_in_force(SlipKind.RECEIPT, date(2025, 9, 30), PROVINCE)
    assert before is not None and before.legal_basis == OLD


def test_under_restamps_a_slip_from_another_table() -> None:
    slip = _receipt(datetime(2025, 10, 6, 9, 0, tzinfo=VN))
    assert slip.legal_basis == NEW
    local = slip.under(PROVINCE)
    assert (local.form, local.legal_basis, local.form_title) == (
        "TN-1",
        "15/2025/QĐ-UBND",
        "Giấy biên nhận",
    )
    assert local.code == slip.code and local.appointment == slip.appointment


def test_a_table_that_does_not_cover_the_date_is_a_clear_error() -> None:
    slip = _receipt(datetime(2025, 9, 1, 9, 0, tzinfo=VN))
    with pytest.raises(FormsTableError, match=r"no legal text in force on 2025-09-01"):
        slip.under(PROVINCE[:1])


def test_bad_tables_are_refused_with_what_to_fix() -> None:
    with pytest.raises(FormsTableError, match="empty"):
        check_table([])
    twin = LegalText("99/2025/TT-VPCP", SWITCH, "118/2025/NĐ-CP", {})
    with pytest.raises(FormsTableError, match=r"two texts taking effect on 2025-09-15"):
        form_in_force(SlipKind.RECEIPT, SWITCH, [*DEFAULT_TABLE, twin])
