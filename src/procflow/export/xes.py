"""XES (IEEE 1849-2016) event log, written as a stream.

One ``<trace>`` per dossier (``concept:name`` = dossier code, plus the
``procflow:`` case attributes), one ``<event>`` per stored event with
``concept:name`` (activity), ``time:timestamp``, ``lifecycle:transition``,
``org:resource`` (officer), ``org:group`` (agency), ``org:role`` and the
``procflow:`` extras (step due date, working seconds used, lateness class...).
The mapping is in :mod:`procflow.export.cases`.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from procflow.export.base import ExportFormat, ExportOptions, ExportStats
from procflow.export.cases import iter_cases

if TYPE_CHECKING:
    from procflow.store.base import Store

__all__ = ["FORMAT", "write_xes"]

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>
  <string key="concept:name" value="procflow event log"/>
  <string key="source" value="procflow"/>
"""


def _attr(key: str, value: Any) -> str:
    if isinstance(value, bool):
        tag, text = "boolean", "true" if value else "false"
    elif isinstance(value, int):
        tag, text = "int", str(value)
    elif isinstance(value, float):
        tag, text = "float", repr(value)
    elif isinstance(value, datetime):
        tag, text = "date", value.isoformat(timespec="milliseconds")
    else:
        tag, text = "string", str(value)
    return f"<{tag} key={quoteattr(key)} value={quoteattr(text)}/>"


def write_xes(store: Store, out: IO[str], options: ExportOptions | None = None) -> ExportStats:
    """Write the store's log as XES to ``out``; returns how many cases and events."""
    stats = ExportStats()
    out.write(_HEADER)
    for case in iter_cases(store, options):
        stats.cases += 1
        parts = ["  <trace>\n    ", _attr("concept:name", case.code), "\n"]
        for key, value in case.extras().items():
            parts += ["    ", _attr(f"procflow:{key}", value), "\n"]
        for e in case.events:
            stats.events += 1
            parts += [
                "    <event>\n      ",
                _attr("concept:name", e.activity),
                "\n      ",
                _attr("time:timestamp", e.at),
                "\n      ",
                _attr("lifecycle:transition", "complete"),
                "\n",
            ]
            for key, value in (("org:resource", e.resource), ("org:group", e.group)):
                if value is not None:
                    parts += ["      ", _attr(key, value), "\n"]
            if e.role is not None:
                parts += ["      ", _attr("org:role", e.role), "\n"]
            for key, value in e.extras.items():
                parts += ["      ", _attr(f"procflow:{key}", value), "\n"]
            parts.append("    </event>\n")
        parts.append("  </trace>\n")
        out.write("".join(parts))
    out.write("</log>\n")
    return stats


def _write(store: Store, out: IO[str], options: ExportOptions) -> ExportStats:
    return write_xes(store, out, options)


FORMAT = ExportFormat(
    name="xes",
    suffix=".xes",
    description="XES (IEEE 1849) event log: one trace per dossier",
    write=_write,
)
