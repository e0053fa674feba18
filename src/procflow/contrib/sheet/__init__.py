"""The public procedure sheet (niêm yết công khai thủ tục hành chính).

    from procflow.contrib.sheet import build_sheet, render
    render(build_sheet(procedure, lang="vi"), "html")   # or "md"

:mod:`~procflow.contrib.sheet.model` gathers the content in one language;
each format is one module with ``render(sheet) -> str``, listed in
:data:`FORMATS`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from procflow.contrib.sheet.model import LABELS, Sheet, SheetRow, build_sheet
from procflow.errors import ProcflowError

__all__ = ["FORMATS", "LABELS", "Sheet", "SheetRow", "build_sheet", "render", "renderer"]

#: format name -> module rendering it (each has ``render(sheet) -> str``).
FORMATS: dict[str, str] = {
    "html": "procflow.contrib.sheet.html",
    "md": "procflow.contrib.sheet.markdown",
}


def renderer(fmt: str) -> ModuleType:
    try:
        return importlib.import_module(FORMATS[fmt])
    except KeyError:
        raise ProcflowError(
            f"no sheet format {fmt!r}; choose one of: {', '.join(FORMATS)}"
        ) from None


def render(sheet: Sheet, fmt: str) -> str:
    """``sheet`` in ``fmt`` (one of :data:`FORMATS`)."""
    text: str = renderer(fmt).render(sheet)
    return text
