"""The public procedure sheet: every procedure, both languages, both formats."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from visualtest import PROCEDURES, bundle, procedure_files

from procflow.contrib.labels import duration_text, money_text, number_text
from procflow.contrib.sheet import FORMATS, build_sheet, render
from procflow.definition.loader import read_procedure
from procflow.definition.model import Duration, Procedure
from procflow.errors import ProcflowError

FILES = procedure_files()
VOID = {"meta", "br", "link", "img", "hr", "input"}


class _Checker(HTMLParser):
    """Balanced tags, and every external reference noted."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)
        if tag == "link":
            self.external.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def _check_html(text: str) -> _Checker:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors[:3]
    assert not checker.stack, checker.stack
    return checker


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_procedure_has_a_sheet(path: Path) -> None:
    proc = read_procedure(path)
    for lang in ("vi", "en"):
        sheet = build_sheet(proc, lang)
        html = render(sheet, "html")
        checker = _check_html(html)
        assert checker.external == []  # one self-contained file
        assert proc.name.get(lang) in html.replace("&#x27;", "'").replace("&quot;", '"')
        md = render(sheet, "md")
        assert md.startswith(f"# {proc.name.get(lang)}")
        for line in md.splitlines():
            if line.startswith("|"):  # every table row has as many cells as its header
                cells = re.split(r"(?<!\\)\|", line)
                assert len(cells) >= 4
        for law in proc.legal_basis:
            assert law.number in md
        assert len(sheet.steps) == len(proc.steps)
        assert len(sheet.documents) == len(proc.documents)
        assert len(sheet.fees) == len(proc.fees)


def test_vietnamese_sheet_has_the_published_headings() -> None:
    proc = read_procedure(PROCEDURES / "residence" / "permanent-residence.yaml")
    html = render(build_sheet(proc, "vi"), "html")
    for heading in (
        "NIÊM YẾT CÔNG KHAI THỦ TỤC HÀNH CHÍNH",
        "Mã thủ tục",
        "Nơi tiếp nhận và trả kết quả",
        "Bộ phận Một cửa — Công an cấp xã",
        "Thời hạn giải quyết",
        "7 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Trình tự thực hiện",
        "Thành phần hồ sơ",
        "Phí, lệ phí",
        "20.000 đồng",
        "Căn cứ pháp lý",
        "68/2020/QH14",
        "ngày 13/11/2020",
        "không tính",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ):
        assert heading in html, heading
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert "@page" in html and "size: A4" in html
    assert "break-inside: avoid" in html and "table-header-group" in html


def test_english_sheet() -> None:
    md = render(build_sheet(bundle(), "en"), "md")
    assert "## Time limit" in md
    assert "**3 working days from receipt of a complete, valid dossier**" in md
    assert (
        "| 4 | Hand over to the commune police | Hand-off | "
        "Commune People's Committee → Commune police | 0.25 working days |"
    ) in md
    assert "Free of charge" in md  # the exempt fee
    assert "One-stop desk of Commune People's Committee" in md
    assert "Decree 63/2024" in md


def test_english_falls_back_to_vietnamese_names() -> None:
    data = bundle().model_dump(mode="json")
    data["steps"][1]["name"] = {"vi": "Đăng ký khai sinh"}
    sheet = build_sheet(Procedure.model_validate(data), "en")
    assert sheet.steps[1].cells[1] == "Đăng ký khai sinh"


def test_working_hours_limit_is_also_given_in_working_days() -> None:
    data = bundle().model_dump(mode="json")
    data["time_limit"] = {"value": 12, "unit": "working_hours"}
    for agency in data["agencies"]:
        agency["share"] = None
    sheet = build_sheet(Procedure.model_validate(data), "vi")
    assert sheet.time_limit.startswith("12 giờ làm việc")
    # 12 hours of the calendar's 7.5-hour working day (issue 19: one working
    # day, from the calendar; it was 8 hours, giving 1,5).
    assert "tương đương 1,6 ngày làm việc" in sheet.time_limit


def test_unconfirmed_limit_is_flagged() -> None:
    data = bundle().model_dump(mode="json")
    data["time_limit"]["confirmed"] = False
    sheet = build_sheet(Procedure.model_validate(data), "vi")
    assert any("chưa được đối chiếu" in note for note in sheet.time_notes)


def test_markdown_escapes_pipes() -> None:
    data = bundle().model_dump(mode="json")
    data["documents"][0]["name"] = {"vi": "Tờ khai | bản chính"}
    md = render(build_sheet(Procedure.model_validate(data), "vi"), "md")
    assert "Tờ khai \\| bản chính" in md


def test_labels() -> None:
    assert money_text(20000) == "20.000 đồng"
    assert money_text(1500000, "en") == "1,500,000 VND"
    assert money_text(0) == "Miễn phí"
    assert number_text(0.5) == "0,5" and number_text(0.5, "en") == "0.5"
    assert duration_text(Duration.model_validate("1 working days"), "en") == "1 working day"
    same_day = Duration.model_validate({"value": 0, "unit": "same_day", "cutoff": "15:00"})
    assert duration_text(same_day) == "trong ngày (tiếp nhận trước 15:00)"
    assert duration_text(Duration.model_validate("15 calendar days")) == "15 ngày"


def test_unknown_format_is_refused() -> None:
    assert set(FORMATS) == {"html", "md"}
    with pytest.raises(ProcflowError, match="html, md"):
        render(build_sheet(bundle()), "pdf")
