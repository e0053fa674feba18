"""docs/forms.md stays true: its Python example runs on a real engine and
prints what the page says, and its table names every paper procflow prints."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from printcase import DESK, ROOT, VN

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.contrib.printing import registered_forms
from procflow.engine import Engine, VirtualClock
from procflow.store.sqlite import SQLiteStore

DOC = ROOT / "docs" / "forms.md"


def python_blocks() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def test_the_python_example_prints_what_the_page_says(
    tmp_path: Path, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    store = SQLiteStore(tmp_path / "desk.db")
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    names: dict[str, object] = {"engine": Engine(store, catalogue, calendar, clock), "desk": DESK}
    exec(python_blocks()[0], names)
    store.close()
    page, text, english = str(names["page"]), str(names["text"]), str(names["english"])
    assert "size: A5 portrait" in page and "UBND TỈNH AN GIANG" in page
    assert all(len(line) <= 48 for line in text.splitlines())
    assert "Nguyễn Thị Lan" in text and "An Bình, ngày 03 tháng 03 năm 2026" in text
    assert "RECEIPT AND APPOINTMENT SLIP" in english


def test_the_table_names_every_paper_printed() -> None:
    text = DOC.read_text(encoding="utf-8")
    for slip_type in registered_forms():
        assert f"`{slip_type.__name__}`" in text, slip_type.__name__
