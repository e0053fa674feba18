"""The Vietnamese public sheet is wholly Vietnamese (issue 19, item 11); the
English sheet is as it was."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from visualtest import PROCEDURES, bundle, procedure_files

from procflow.contrib.sheet import build_sheet, render
from procflow.contrib.sheet.vietnamese import (
    UNCONFIRMED_MARK,
    citation,
    free_text,
    glossary,
    is_english,
    law_title,
    template,
)
from procflow.definition.loader import load_procedure, read_procedure
from procflow.definition.model import Procedure

FILES = procedure_files()
GOLDEN = Path(__file__).parent / "sheet_golden"

#: What the Vietnamese sheet used to print in English: kinds of document,
#: articles, units, provenance marks, notes and the words of English prose.
ENGLISH = re.compile(
    r"\b(?:Decree|Circular|Decision|Resolution|Law|Code|Articles?|Art\.|"
    r"working days?|working hours?|calendar days?|allotment|returned|electronically|"
    r"arrival|recalled|confirmed|not read|placeholder|cut-off|practice|amended|amends|"
    r"exempt|free|where|step|agency|the|of|for|with|per|not|in force)\b",
    re.IGNORECASE,
)


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, CSS or head metadata."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def _english_in(text: str, proc: Procedure) -> list[str]:
    """English words of ``text``, proper names aside: the procedure key
    (``vn.lien-thong.child-under-6@2024-06``) and procflow."""
    text = text.replace(proc.key, " ").replace("procflow", " ")
    return sorted({m.group() for m in ENGLISH.finditer(text)})


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_vietnamese_sheet_has_no_english(path: Path) -> None:
    proc = load_procedure(path, checks=False).procedure  # the words, whatever the checks say
    assert proc is not None
    sheet = build_sheet(proc, "vi")
    html = render(sheet, "html")
    assert _english_in(_visible(html), proc) == []
    assert _english_in(render(sheet, "md"), proc) == []
    for law in proc.legal_basis:  # numbers are left as they are
        assert law.number in html


def test_the_issue_examples() -> None:
    md = render(build_sheet(bundle(), "vi"), "md")
    assert "> Căn cứ: Nghị định 63/2024/NĐ-CP; Quyết định 296/QĐ-VPCP" in md
    assert '("không quá 3 ngày làm việc")' in md  # a Vietnamese quotation is kept
    assert "No allotment" not in md and "electronically" not in md
    assert "| 9 | Trả kết quả | Trả kết quả | UBND cấp xã | — |" in md


def test_legal_basis_in_vietnamese() -> None:
    proc = read_procedure(PROCEDURES / "residence" / "permanent-residence.yaml")
    sheet = build_sheet(proc, "vi")
    assert sheet.legal_basis[0] == "68/2020/QH14 — Luật Cư trú, ngày 13/11/2020 (Điều 20-22)"
    assert "Căn cứ: Luật Cư trú năm 2020, khoản 3 Điều 22" in sheet.time_notes
    assert sheet.fees[0].cells[2] == f"Thông tư 75/2022/TT-BTC {UNCONFIRMED_MARK}"


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_english_sheet_is_unchanged(fmt: str) -> None:
    """The bundle's English sheet, as printed before the Vietnamese one was
    made wholly Vietnamese (its notes and bases are English in the YAML)."""
    expected = (GOLDEN / f"child-under-6.en.{fmt}").read_text(encoding="utf-8")
    assert render(build_sheet(bundle(), "en"), fmt) == expected


def test_bilingual_and_vietnamese_text_is_kept() -> None:
    data = bundle().model_dump(mode="json")
    data["steps"][-1]["note"] = "Trả kết quả qua VNeID ngay khi nhận được."
    data["time_limit"]["basis"] = "Nghị định 63/2024/NĐ-CP, Điều 5"
    data["legal_basis"][0]["title"] = "Decree on electronic inter-agency procedures"
    proc = Procedure.model_validate(data)
    vi = build_sheet(proc, "vi")
    assert vi.steps[-1].note == "Trả kết quả qua VNeID ngay khi nhận được."
    assert "Căn cứ: Nghị định 63/2024/NĐ-CP, Điều 5" in vi.time_notes
    assert vi.legal_basis[0].startswith("63/2024/NĐ-CP — Nghị định, ngày 10/06/2024")
    assert vi.steps[1].cells[1] == "Đăng ký khai sinh"  # the vi of {vi:, en:}
    en = build_sheet(proc, "en")
    assert en.legal_basis[0].startswith("63/2024/NĐ-CP — Decree on electronic")
    assert en.steps[1].cells[1] == "Register the birth"


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("Decree 63/2024/NĐ-CP", "Nghị định 63/2024/NĐ-CP"),
        (
            "Circular 75/2022/TT-BTC [recalled, not confirmed]",
            f"Thông tư 75/2022/TT-BTC {UNCONFIRMED_MARK}",
        ),
        ("Decision 296/QĐ-VPCP", "Quyết định 296/QĐ-VPCP"),
        ("Law No. 68/2020/QH14", "Luật số 68/2020/QH14"),
        ("Residence Law 2020, Art. 22(3)", "Luật Cư trú năm 2020, khoản 3 Điều 22"),
        ("Art. 28(1)(a)", "điểm a khoản 1 Điều 28"),
        ("Articles 20-22", "Điều 20-22"),
        ("Clause 3 of Article 22", "khoản 3 Điều 22"),
        ("Article 1(36) amends Art. 102", "khoản 36 Điều 1 sửa đổi, bổ sung Điều 102"),
        ("Articles 89-103 (construction permits); Art. 102 (procedure)", "Điều 89-103; Điều 102"),
        ("Civil Status Law 2014; 15:00 cut-off per provincial practice", "Luật Hộ tịch năm 2014"),
        ("Decree 151/2025/NĐ-CP (18 working days in remote communes)", "Nghị định 151/2025/NĐ-CP"),
        ("0.5 working days per Decree 1/2020/NĐ-CP", "Nghị định 1/2020/NĐ-CP"),
        (
            'Construction Law 2014, Art. 102 as amended 2020 ("15 ngày", calendar days)',
            "Luật Xây dựng năm 2014, Điều 102 được sửa đổi, bổ sung năm 2020 "
            '("15 ngày", ngày lịch)',
        ),
        ("placeholder; the published time was not found (see the top)", ""),
    ],
)
def test_citations(english: str, vietnamese: str) -> None:
    assert citation(english) == vietnamese


def test_notes_titles_and_forms() -> None:
    assert free_text("No allotment; results are returned electronically on arrival.") is None
    assert free_text("Presented, not kept (căn cước).") is None
    assert free_text("Nộp bản in từ hệ thống [not confirmed].") == (
        f"Nộp bản in từ hệ thống {UNCONFIRMED_MARK}."
    )
    assert free_text("Theo điểm a khoản 1 Điều 28 (Residence Law).") == (
        "Theo điểm a khoản 1 Điều 28 (Luật Cư trú)."
    )
    names = glossary(["Luật Phí và lệ phí (Fee Law)", "Nghị định về X (business; registration)"])
    assert names["Fee Law"] == "Luật Phí và lệ phí" and "business; registration" not in names
    assert law_title("Luật Cư trú (Residence Law)", "68/2020/QH14") == "Luật Cư trú"
    assert law_title("Residence Law", "68/2020/QH14") == "Luật Cư trú"
    assert law_title("On fees", "75/2022/TT-BTC") == "Thông tư"
    assert (
        law_title("Nghị định (lĩnh vực Bộ Tài chính)", "x") == "Nghị định (lĩnh vực Bộ Tài chính)"
    )
    assert template("CT01") == "CT01"
    assert template("Form No. 11/ĐK (Decree 101/2024)") == "Mẫu số 11/ĐK (Nghị định 101/2024)"
    assert template("Declaration form") is None


def test_what_reads_as_english() -> None:
    for text in ("the time limit", "remote communes", "per copy", "Decree"):
        assert is_english(text), text
    for text in (
        "Công an cấp xã",
        "Trả qua Cổng Dịch vụ công quốc gia hoặc VNeID",
        "Bản in cho con theo điểm a",
        '"không quá 3 ngày làm việc"',
        "CT01",
    ):
        assert not is_english(text), text
