"""The slips as printable HTML: the page as parsed, the paper its print CSS
asks for, escaping, and a province's templates and wording laid over
procflow's (real files in a folder), including a form of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from printcase import APPLICANT, Desk, at

from procflow.catalogue import Catalogue
from procflow.contrib.printing import (
    PrintedForm,
    Printer,
    PrintingError,
    SlipContext,
    Stamp,
    context_for,
    register_form,
    render_slip,
)
from procflow.contrib.printing.registry import _FORMS
from procflow.model.forms import SlipKind


class Page(HTMLParser):
    """The parsed page: its language, title, each data-field's text, and CSS."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.css = ""
        self.fields: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag in ("title", "style"):
            self._in = tag
        if tag not in ("br", "meta", "col"):
            self._open.append((tag, a.get("data-field")))

    def handle_endtag(self, tag: str) -> None:
        self._in = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "style":
            self.css += data
        for _, name in self._open:
            if name:
                self.fields[name] = " ".join(f"{self.fields.get(name, '')} {data}".split())


def test_the_receipt_page_holds_the_forms_fields(desk: Desk, catalogue: Catalogue) -> None:
    ctx = context_for(catalogue, desk.new.procedure_id, desk.new.procedure_version)
    page = Page(render_slip(desk.new, "html", context=ctx))
    assert page.lang == "vi"
    assert page.title == f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả — {desk.new.code}"
    assert page.fields["form"] == "Mẫu số 01 (Ban hành kèm theo Thông tư số 03/2025/TT-VPCP)"
    assert page.fields["issuer"] == "UBND CẤP XÃ BỘ PHẬN MỘT CỬA"
    assert page.fields["nation"].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do")
    assert page.fields["dateline"] == "………………, ngày 03 tháng 03 năm 2026"  # no place given
    assert page.fields["title"] == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert page.fields["code"] == f"Mã hồ sơ: {desk.new.code}"
    assert page.fields["applicant"] == f"Tiếp nhận hồ sơ của: {APPLICANT['name']}"
    assert page.fields["received_at"] == "4. Thời gian nhận hồ sơ: 08 giờ 00 phút, ngày 03/03/2026"
    assert page.fields["appointment"].endswith("17 giờ 00 phút, ngày 06/03/2026")
    assert page.fields["signatures"] == (
        f"NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) {APPLICANT['name']} "
        "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) lan"
    )
    assert "size: A5 portrait" in page.css


def test_papers_print_on_the_forms_paper_unless_told(desk: Desk, catalogue: Catalogue) -> None:
    from procflow.reports.register import build_register

    assert "size: A4 portrait" in Page(render_slip(desk.new, paper="A4")).css
    book = build_register(desk.engine.store, catalogue=catalogue, as_of=at("2026-03-04").date())
    page = Page(render_slip(book))
    assert "size: A4 landscape" in page.css
    assert page.fields["form"] == "Mẫu số 07 (Ban hành kèm theo Thông tư số 03/2025/TT-VPCP)"
    assert page.fields["title"] == "SỔ THEO DÕI HỒ SƠ"
    rows = page.fields["rows"]
    assert desk.old.code in rows and desk.new.code in rows and desk.guided.code not in rows
    assert "Hẹn lại sau khi bổ sung hồ sơ: 17:00 18/09/2025" in rows  # the notes in Vietnamese
    assert "Dừng giải quyết" in rows and "Đang giải quyết" in rows
    assert "new date" not in rows and "supplement requests" not in rows


def test_values_are_escaped_and_the_officers_named(desk: Desk) -> None:
    ctx = SlipContext(
        applicant={"name": "<script>alert(1)</script> & Co"},
        officer_names={"lan": "Nguyễn Thị Lan"},
    )
    html = render_slip(desk.guided, context=ctx)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    page = Page(html)
    assert page.fields["contact_officer"].endswith("liên hệ với Nguyễn Thị Lan để được hướng dẫn.")
    assert page.fields["signatures"].endswith(
        "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Nguyễn Thị Lan"
    )


# --- a province's templates ---------------------------------------------------------------


def test_a_wording_file_changes_only_the_entries_it_gives(desk: Desk, tmp_path: Path) -> None:
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "vi.yaml").write_text(
        "receipt:\n  pickup: 6. Nhận kết quả tại Trung tâm Phục vụ hành chính công\n"
        "common:\n  desk:\n    by_circular:\n      default: Bộ phận Một cửa xã An Bình\n",
        encoding="utf-8",
    )
    text = render_slip(desk.new, "text", templates=tmp_path)
    assert "6. Nhận kết quả tại Trung tâm Phục vụ hành chính công: ………………" in text
    assert "BỘ PHẬN MỘT CỬA XÃ AN BÌNH" in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ:" in text  # the rest as shipped
    # A receipt under Circular 01/2018 has no entry of its own in the override:
    # the per-circular entry is replaced whole, so it takes the default too.
    assert "BỘ PHẬN MỘT CỬA XÃ AN BÌNH" in render_slip(desk.old, "text", templates=tmp_path)


def test_a_template_in_the_folder_replaces_procflows(desk: Desk, tmp_path: Path) -> None:
    (tmp_path / "receipt.txt.j2").write_text(
        "{{ slip.code }} | {{ slip.appointment | when }} | {{ form.number }}\n", encoding="utf-8"
    )
    assert render_slip(desk.new, "text", templates=tmp_path) == (
        f"{desk.new.code} | 17 giờ 00 phút, ngày 06/03/2026 | 01\n"
    )
    # The HTML receipt is still procflow's.
    assert "GIẤY TIẾP NHẬN" in render_slip(desk.new, "html", templates=tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("receipt.txt.j2", "{{ slip.nope }}\n", r"asks for a value that is not there: .*'nope'"),
        ("receipt.txt.j2", "{% if %}\n", r"receipt.txt.j2 line 1: .*fix the template"),
        ("words/vi.yaml", "receipt: [unclosed\n", r"words/vi.yaml line 2: not valid YAML"),
        ("words/vi.yaml", "- a list\n", r"the wording must be a mapping of sections"),
        (
            "words/vi.yaml",
            'receipt:\n  sets: "2. {count} bộ"\n',
            r"names a value it is not given \(KeyError\('count'\)\)",
        ),
    ],
)
def test_a_broken_override_is_named_with_how_to_fix_it(
    desk: Desk, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PrintingError, match=message):
        Printer(tmp_path).render(desk.new, "text")


def test_a_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PrintingError, match="no such folder of templates"):
        Printer(tmp_path / "missing")


@dataclass(frozen=True)
class HandOverNote:
    """A province's own paper: a note handing a dossier to another agency."""

    code: str
    to_agency: str
    issued_at: datetime


def test_a_new_form_is_a_registration_and_its_template_files(desk: Desk, tmp_path: Path) -> None:
    note = HandOverNote(desk.new.code, "commune-police", at("2026-03-03T13:30"))
    with pytest.raises(PrintingError, match="no printed form for a HandOverNote"):
        render_slip(note)
    register_form(
        HandOverNote,
        PrintedForm(
            "hand_over_note",
            SlipKind.CONTROL_SLIP,
            stamp=lambda n: Stamp(None, "Phiếu chuyển hồ sơ", None, n.issued_at.date()),
        ),
    )
    try:
        with pytest.raises(PrintingError, match=r"no template hand_over_note\.txt\.j2"):
            render_slip(note, "text", templates=tmp_path)
        (tmp_path / "hand_over_note.txt.j2").write_text(
            '{% extends "_page.txt.j2" %}{% block body %}\n'
            "{{ slip.code }} -> {{ ctx.agency(slip.to_agency) }} {{ slip.issued_at | when }}\n"
            "{% endblock %}",
            encoding="utf-8",
        )
        ctx = SlipContext(agency_names={"commune-police": "Công an xã"})
        text = render_slip(note, "text", context=ctx, templates=tmp_path)
        assert "PHIẾU CHUYỂN HỒ SƠ" in text
        assert f"{desk.new.code} -> Công an xã 13 giờ 30 phút, ngày 03/03/2026" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text  # the shared sheet
    finally:
        del _FORMS[HandOverNote]
