"""The slips as fixed-width plain text: the form's fields, the form and
wording of the circular in force on the slip's date, no line wider than the
paper, and each language in its own words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from printcase import APPLICANT, ROOT, Desk, at

from procflow.catalogue import Catalogue
from procflow.contrib.printing import (
    Letterhead,
    PrintingError,
    SlipContext,
    context_for,
    render_slip,
    slip_for,
)
from procflow.contrib.printing.text import fit
from procflow.model.slips import ApologySlip, StopNotice

WORDS = ROOT / "src" / "procflow" / "contrib" / "printing" / "templates" / "words"
HEAD = Letterhead(agency="UBND xã An Bình", parent="UBND tỉnh An Giang", place="An Bình")


def context(desk: Desk, code: str, catalogue: Catalogue, lang: str = "vi") -> SlipContext:
    d = desk.engine.get(code)
    return context_for(
        catalogue,
        d.procedure_id,
        d.procedure_version,
        lang=lang,
        letterhead=HEAD,
        applicant=d.applicant,
    )


def text_of(desk: Desk, code: str, name: str, catalogue: Catalogue, **kw: object) -> str:
    lang = str(kw.pop("lang", "vi"))
    slip = slip_for(desk.engine, code, name)
    return render_slip(
        slip,
        "text",
        lang,
        context=context(desk, code, catalogue, lang),
        **kw,  # type: ignore[arg-type]
    )


def flat(text: str) -> str:
    """The text as one line: wrapping and centring only move whitespace."""
    return " ".join(text.split())


def test_the_receipt_holds_the_forms_fields(desk: Desk, catalogue: Catalogue) -> None:
    text = flat(text_of(desk, desk.new.code, "receipt", catalogue))
    for expected in (
        "Mẫu số 01",
        "(Ban hành kèm theo Thông tư số 03/2025/TT-VPCP)",
        "UBND TỈNH AN GIANG",
        "UBND XÃ AN BÌNH",
        "BỘ PHẬN MỘT CỬA",  # the desk's name under Decree 118/2025
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "An Bình, ngày 03 tháng 03 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {desk.new.code}",
        f"Tiếp nhận hồ sơ của: {APPLICANT['name']}",
        f"Địa chỉ: {APPLICANT['address']}",
        f"Số điện thoại: {APPLICANT['phone']}",
        f"Email: {APPLICANT['email']}",
        "Nội dung yêu cầu giải quyết: Liên thông đăng ký khai sinh",
        "1. Giấy chứng sinh - Bản chính - số lượng: 1",
        "3. Căn cước của cha hoặc mẹ - Bản sao - số lượng: 2",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 3 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 08 giờ 00 phút, ngày 03/03/2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 06/03/2026",
        "6. Đăng ký nhận kết quả tại: ………………",  # a blank to fill in by hand
        "7. Phí, lệ phí: - Lệ phí đăng ký thường trú: Miễn phí",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
    ):
        assert expected in text, expected
    # The document recorded by name only takes its form from the procedure.
    assert "2. Tờ khai đăng ký khai sinh - Bản chính" in text


def test_a_receipt_before_15_09_2025_is_circular_01_2018s(desk: Desk, catalogue: Catalogue) -> None:
    text = flat(text_of(desk, desk.old.code, "receipt", catalogue))
    assert "Mẫu số 01 (Ban hành kèm theo Thông tư số 01/2018/TT-VPCP)" in text
    assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in text and "MỘT CỬA" not in text
    assert "An Bình, ngày 12 tháng 09 năm 2025" in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 17/09/2025" in text


def test_the_apology_follows_the_circular_of_its_own_date(desk: Desk, catalogue: Catalogue) -> None:
    # Issued 16/09/2025: Circular 03/2025's letter of apology and request to extend.
    new = flat(text_of(desk, desk.old.code, "apology", catalogue))
    assert "Mẫu số 04 (Ban hành kèm theo Thông tư số 03/2025/TT-VPCP)" in new
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in new
    assert "đề nghị gia hạn thời gian giải quyết hồ sơ đến 17 giờ 00 phút, ngày 22/09/2025" in new
    assert "Lý do chậm trễ: chờ xác minh nơi cư trú của người mẹ" in new
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu)" in new
    # The same apology dated the Friday before: Circular 01/2018's Form 04.
    slip = desk.apology
    old_slip = ApologySlip(
        code=slip.code,
        agency=slip.agency,
        reason=slip.reason,
        previous_appointment=slip.previous_appointment,
        new_appointment=slip.new_appointment,
        statutory_due=slip.statutory_due,
        issued_at=at("2025-09-12T16:00"),
        signed_by=slip.signed_by,
    )
    ctx = context(desk, desk.old.code, catalogue)
    old = flat(render_slip(old_slip, "text", context=ctx))
    assert "Mẫu số 04 (Ban hành kèm theo Thông tư số 01/2018/TT-VPCP)" in old
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in old
    assert "hẹn lại thời gian trả kết quả vào 17 giờ 00 phút, ngày 22/09/2025" in old
    assert "gia hạn" not in old


def test_a_stop_notice_before_circular_03_2025_says_there_was_no_form(
    desk: Desk, catalogue: Catalogue
) -> None:
    notice = desk.engine.stop_notice(desk.old.code)
    assert (notice.form, notice.legal_basis) == ("05", "03/2025/TT-VPCP")
    new = flat(render_slip(notice, "text", context=context(desk, desk.old.code, catalogue)))
    assert "Mẫu số 05" in new and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in new
    assert "Lý do dừng giải quyết: khai sinh đã được đăng ký tại nơi khác" in new
    assert "Hồ sơ đang ở bước: Đăng ký khai sinh." in new
    earlier = StopNotice(
        **{
            **{f: getattr(notice, f) for f in ("code", "procedure_id", "cause", "reason", "step")},
            "agency": notice.agency,
            "applicant": notice.applicant,
            "received_at": notice.received_at,
            "issued_at": at("2025-09-12T16:00"),
            "signed_by": notice.signed_by,
        }
    )
    assert (earlier.form, earlier.legal_basis) == (None, "01/2018/TT-VPCP")
    old = flat(render_slip(earlier, "text", context=context(desk, desk.old.code, catalogue)))
    assert "(Thông tư số 01/2018/TT-VPCP không quy định mẫu giấy này)" in old
    assert "Mẫu số" not in old
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in old  # the title from the wording


def test_the_withdrawal_notice_and_the_other_papers(desk: Desk, catalogue: Catalogue) -> None:
    withdrawn = flat(text_of(desk, desk.withdrawn.code, "stop", catalogue))
    assert "Hồ sơ được dừng giải quyết theo đề nghị rút hồ sơ của ông/bà." in withdrawn
    assert "Kính gửi: Phạm Thu Hà" in withdrawn
    guided = flat(text_of(desk, desk.guided.code, "supplement", catalogue))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in guided
    assert "1. Giấy chứng sinh" in guided and "Hồ sơ chưa được tiếp nhận." in guided
    during = flat(text_of(desk, desk.supplement, "supplement", catalogue))
    assert "không tính vào thời hạn giải quyết" in during
    assert "1. Tờ khai có chữ ký 2. Bản sao giấy chứng nhận kết hôn" in during
    refused = flat(text_of(desk, desk.refused.code, "refusal", catalogue))
    assert "Tiếp nhận hồ sơ của: Lê Văn Cường" in refused
    assert "hồ sơ không thuộc thẩm quyền của xã" in refused
    control = flat(text_of(desk, desk.new.code, "control", catalogue))
    assert "Mẫu số 06" in control and "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control
    assert "4. Công an cấp xã - Bước: Đăng ký thường trú" in control
    assert "Nhận: 13:30 03/03/2026" in control and "Đang giải quyết" in control


def _wording(lang: str) -> set[str]:
    """Every fixed piece of a language's wording ({names} cut out), 10 letters or
    more (shorter ones, such as "hồ sơ", also occur in the dossiers' own data)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, str):
            for piece in re.split(r"\{[a-z_]+\}|[():;,.]", value):
                piece = piece.strip(" -:")
                if len(re.sub(r"\W", "", piece)) >= 10:
                    found.add(piece)

    walk(yaml.safe_load((WORDS / f"{lang}.yaml").read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_language_prints_in_its_own_words_only(
    desk: Desk, catalogue: Catalogue, lang: str
) -> None:
    other = _wording("en" if lang == "vi" else "vi") - _wording(lang)
    papers = [
        (desk.old.code, "receipt"),
        (desk.old.code, "apology"),
        (desk.old.code, "control"),
        (desk.old.code, "stop"),
        (desk.supplement, "supplement"),
        (desk.refused.code, "refusal"),
        (desk.withdrawn.code, "stop"),
    ]
    for code, name in papers:
        text = flat(text_of(desk, code, name, catalogue, lang=lang))
        leaked = sorted(p for p in other if flat(p) in text)
        assert not leaked, (code, name, leaked)
    english = flat(text_of(desk, desk.new.code, "receipt", catalogue, lang="en"))
    assert "RECEIPT AND APPOINTMENT SLIP" in english and "Form No. 01" in english
    assert "4. Received at: 08:00, 2026-03-03" in english
    assert "3 working days" in english


# --- fixed width ---------------------------------------------------------------------------

_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
TEXT = st.text(
    alphabet=st.sampled_from(list(_LETTERS + _LETTERS.upper() + "0123456789 ,.-/()'\"<>&{}")),
    min_size=1,
    max_size=160,
).filter(lambda s: s.strip())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(width=st.integers(24, 120), name=TEXT, reason=TEXT, agency=TEXT)
def test_no_line_is_wider_than_the_paper_and_nothing_is_lost(
    desk: Desk, width: int, name: str, reason: str, agency: str
) -> None:
    apology = replace(desk.apology, reason=reason)
    ctx = SlipContext(letterhead=Letterhead(agency=agency), applicant={"name": name})
    for slip in (apology, desk.new, desk.engine.control_slip(desk.new.code)):
        text = render_slip(slip, "text", context=ctx, width=width)
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines), [ln for ln in lines if len(ln) > width]
        assert text.endswith("\n") and not text.startswith("\n")
        squeezed = "".join(text.split())
        assert slip.code in squeezed
        assert "".join(unicodedata.normalize("NFC", agency).upper().split()) in squeezed
    assert "".join(reason.split()) in "".join(
        render_slip(apology, "text", context=ctx, width=width).split()
    )


@given(text=st.text(max_size=400), width=st.integers(24, 100))
def test_fit_keeps_every_non_space_character_in_order(text: str, width: int) -> None:
    fitted = fit(text, width)
    assert all(len(line) <= width for line in fitted.splitlines())
    # Only NFC and whitespace change: the characters themselves stay, in order.
    assert "".join(fitted.split()) == "".join(unicodedata.normalize("NFC", text).split())


def test_a_width_or_a_format_that_cannot_be_printed_is_refused(desk: Desk) -> None:
    with pytest.raises(PrintingError, match="width 10: plain text needs 24 to 200 columns"):
        render_slip(desk.new, "text", width=10)
    with pytest.raises(PrintingError, match="format 'pdf': print as one of html, text"):
        render_slip(desk.new, "pdf")  # type: ignore[arg-type]
    with pytest.raises(PrintingError, match="paper 'Letter': print on one of A5, A4"):
        render_slip(desk.new, paper="Letter")  # type: ignore[arg-type]
    with pytest.raises(PrintingError, match="no wording for language 'fr'"):
        render_slip(desk.new, lang="fr")
    with pytest.raises(PrintingError, match="no printed form for a datetime"):
        render_slip(datetime(2026, 3, 3))
