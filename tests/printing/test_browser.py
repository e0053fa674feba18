"""The slips printed by a real browser: headless Chromium prints each page to
PDF as "Save as PDF" does (the page's own @page size), and the PDF is read
back with pypdf: its pages, their size, and the text on them.

Skipped, with the reason, when no Chromium, chromedriver or selenium is
installed, unless ``PROCFLOW_REQUIRE_BROWSER=1`` (set by .ci/run), which
makes it fail.
"""

from __future__ import annotations

import base64
import importlib
import io
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from printcase import APPLICANT, ROOT, Desk

from procflow.catalogue import Catalogue
from procflow.contrib.printing import Letterhead, context_for, render_slip, slip_for
from procflow.reports.register import build_register

DESK_EXAMPLE = ROOT / "examples" / "one_stop_desk"

# PDF points (1/72 inch) of the papers, portrait.
A5 = (419.5, 595.3)
A4 = (595.3, 841.9)


def _browser() -> ModuleType:
    """The desk example's Chromium helpers (find, start, and why not)."""
    if str(DESK_EXAMPLE) not in sys.path:
        sys.path.insert(0, str(DESK_EXAMPLE))
    return importlib.import_module("desk_browser")


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    reason = _browser().missing_reason()
    if reason is not None:
        if os.environ.get("PROCFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PROCFLOW_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"browser test skipped: {reason}")
    with _browser().chromium(width=900, height=1100) as opened:
        yield opened


class Printed:
    """A page printed to PDF: its pages' sizes and their text."""

    def __init__(self, pdf: bytes) -> None:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(pdf))
        self.sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
        self.pages = [
            " ".join(unicodedata.normalize("NFC", p.extract_text() or "").split())
            for p in reader.pages
        ]

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def print_page(driver: Any, html: str, folder: Path, name: str) -> Printed:
    page = folder / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    driver.get(page.as_uri())
    out = driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    return Printed(base64.b64decode(out["data"]))


def same_size(size: tuple[float, float], paper: tuple[float, float]) -> bool:
    return abs(size[0] - paper[0]) < 2 and abs(size[1] - paper[1]) < 2


HEAD = Letterhead(agency="UBND xã An Bình", parent="UBND tỉnh An Giang", place="An Bình")

# (which dossier, paper, what the printed page must say besides the code)
PAPERS = [
    (
        "new",
        "receipt",
        [
            "Mẫu số 01",
            "Thông tư số 03/2025/TT-VPCP",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "An Bình, ngày 03 tháng 03 năm 2026",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Tiếp nhận hồ sơ của: {APPLICANT['name']}",
            f"Số điện thoại: {APPLICANT['phone']}",
            "Giấy chứng sinh",
            "08 giờ 00 phút, ngày 03/03/2026",
            "17 giờ 00 phút, ngày 06/03/2026",
            "3 ngày làm việc",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "(Ký và ghi rõ họ tên)",
        ],
    ),
    (
        "old",
        "receipt",
        [
            "Mẫu số 01",
            "Thông tư số 01/2018/TT-VPCP",
            "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
            "08 giờ 00 phút, ngày 12/09/2025",
            "17 giờ 00 phút, ngày 17/09/2025",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
        ],
    ),
    (
        "old",
        "control",
        [
            "Mẫu số 05",
            "Thông tư số 01/2018/TT-VPCP",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Nhận: 08:00 12/09/2025",
            "Quá hạn",
        ],
    ),
    (
        "new",
        "control",
        ["Mẫu số 06", "Thông tư số 03/2025/TT-VPCP", "Công an cấp xã", "Đang giải quyết"],
    ),
    (
        "old",
        "apology",
        [
            "Mẫu số 04",
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN",
            "chờ xác minh nơi cư trú của người mẹ",
            "17 giờ 00 phút, ngày 22/09/2025",
            "THỦ TRƯỞNG CƠ QUAN",
        ],
    ),
    (
        "old",
        "stop",
        ["Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "khai sinh đã được đăng ký tại nơi khác"],
    ),
    ("supplement", "supplement", ["Mẫu số 02", "Tờ khai có chữ ký", "NGƯỜI HƯỚNG DẪN"]),
    ("guided", "supplement", ["Mẫu số 02", "Trần Văn Bình", "Giấy chứng sinh"]),
    ("refused", "refusal", ["Mẫu số 03", "Lê Văn Cường", "không thuộc thẩm quyền của xã"]),
]


@pytest.mark.parametrize(("which", "name", "expected"), PAPERS)
def test_each_paper_prints_on_one_page_with_its_fields(
    driver: Any,
    desk: Desk,
    catalogue: Catalogue,
    tmp_path: Path,
    which: str,
    name: str,
    expected: list[str],
) -> None:
    code = desk.supplement if which == "supplement" else getattr(desk, which).code
    d = desk.engine.get(code)
    ctx = context_for(
        catalogue, d.procedure_id, d.procedure_version, letterhead=HEAD, applicant=d.applicant
    )
    slip = slip_for(desk.engine, code, name)
    for paper, size in (("A5", A5), ("A4", A4)):
        printed = print_page(
            driver,
            render_slip(slip, context=ctx, paper=paper),
            tmp_path,
            f"{name}-{paper}",  # type: ignore[arg-type]
        )
        assert len(printed.pages) == 1, (paper, printed.pages)
        assert same_size(printed.sizes[0], size), printed.sizes
        assert code in printed.text
        for words in expected:
            assert words in printed.text, (paper, words, printed.text)


def test_the_register_prints_on_a4_landscape(
    driver: Any, desk: Desk, catalogue: Catalogue, tmp_path: Path
) -> None:
    book = build_register(desk.engine.store, catalogue=catalogue, as_of=desk.new.received_at.date())
    printed = print_page(driver, render_slip(book), tmp_path, "register")
    assert len(printed.pages) == 1
    assert same_size(printed.sizes[0], (A4[1], A4[0]))
    for words in (
        "Mẫu số 07",
        "SỔ THEO DÕI HỒ SƠ",
        desk.old.code,
        desk.withdrawn.code,
        "Rút hồ sơ",
    ):
        assert words in printed.text, words


def test_a_long_control_slip_runs_on_with_its_table_heading(
    driver: Any, desk: Desk, tmp_path: Path
) -> None:
    from dataclasses import replace

    slip = desk.engine.control_slip(desk.old.code)
    long = replace(slip, rows=slip.rows * 8)  # 32 stays: more than one sheet
    printed = print_page(driver, render_slip(long), tmp_path, "long")
    assert len(printed.pages) > 1
    assert all(same_size(size, A5) for size in printed.sizes)
    # The table's heading repeats on every page that the table runs on to.
    assert all("Tên cơ quan" in page for page in printed.pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in printed.pages[0]
