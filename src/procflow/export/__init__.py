"""Process-mining export of the engine's log: XES, OCEL 2.0, flat CSV.

Each format is one module of this package that defines ``FORMAT`` (an
:class:`ExportFormat`); :func:`formats` finds them, so a new format is a new
file. Every writer streams: it holds one dossier's events at a time.

    from procflow.export import export
    with open("log.xes", "w", encoding="utf-8") as out:
        export(store, "xes", out)
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import IO, TYPE_CHECKING

from procflow.errors import ProcflowError
from procflow.export.base import ExportFormat, ExportOptions, ExportStats
from procflow.export.cases import Case, CaseEvent, activity_of, iter_cases

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = [
    "Case",
    "CaseEvent",
    "ExportFormat",
    "ExportOptions",
    "ExportStats",
    "activity_of",
    "export",
    "formats",
    "iter_cases",
]


@cache
def formats() -> dict[str, ExportFormat]:
    """Every export format, by name (modules of this package defining ``FORMAT``)."""
    found: dict[str, ExportFormat] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        fmt = getattr(module, "FORMAT", None)
        if isinstance(fmt, ExportFormat):
            found[fmt.name] = fmt
    return dict(sorted(found.items()))


def export(
    store: Store, fmt: str, out: IO[str], options: ExportOptions | None = None
) -> ExportStats:
    """Write ``store``'s log to ``out`` in format ``fmt`` (``xes``, ``ocel``, ``csv``)."""
    known = formats()
    if fmt not in known:
        raise ProcflowError(f"unknown export format {fmt!r}; known: {', '.join(known)}")
    return known[fmt].write(store, out, options or ExportOptions())
