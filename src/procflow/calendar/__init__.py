"""Working-day calendar: Viet Nam's real public-sector calendar, and statutory
deadlines counted on it.

Quick start::

    from datetime import datetime
    from procflow.calendar import WorkCalendar

    cal = WorkCalendar.vietnam()
    cal.add_working_days(date(2026, 2, 10), 15)          # -> date(2026, 3, 10)
    cal.due(datetime(2026, 2, 10, 9, tzinfo=cal.tz), 15, "working_days")

See docs/calendar.md for the rules, the overlay file format and the sources.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procflow.calendar.bulk import BulkCalendar, to_dates, to_datetime64
    from procflow.calendar.days import DayTables
    from procflow.calendar.hours import DEFAULT_CUTOFF, DEFAULT_OFFICE_HOURS, OfficeHours
    from procflow.calendar.overlay import (
        DayEntry,
        Overlay,
        OverlayDay,
        OverlayFile,
        SwapEntry,
        load_overlay,
        parse_overlay,
    )
    from procflow.calendar.unconfirmed import UnconfirmedDay
    from procflow.calendar.units import DEFAULT_YEARS, TimeUnit
    from procflow.calendar.workcalendar import (
        DEFAULT_TIMEZONE,
        DayInfo,
        WorkCalendar,
        national_overlay_path,
    )

# Loaded on first use (PEP 562): a command that only needs TimeUnit, or only
# the calendar without NumPy's bulk functions, does not pay for the rest.
_HOMES = {
    "BulkCalendar": "bulk",
    "to_dates": "bulk",
    "to_datetime64": "bulk",
    "DayTables": "days",
    "DEFAULT_CUTOFF": "hours",
    "DEFAULT_OFFICE_HOURS": "hours",
    "OfficeHours": "hours",
    "DayEntry": "overlay",
    "Overlay": "overlay",
    "OverlayDay": "overlay",
    "OverlayFile": "overlay",
    "SwapEntry": "overlay",
    "load_overlay": "overlay",
    "parse_overlay": "overlay",
    "TimeUnit": "units",
    "UnconfirmedDay": "unconfirmed",
    "DEFAULT_TIMEZONE": "workcalendar",
    "DEFAULT_YEARS": "units",
    "DayInfo": "workcalendar",
    "WorkCalendar": "workcalendar",
    "national_overlay_path": "workcalendar",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'procflow.calendar' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"procflow.calendar.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_OFFICE_HOURS",
    "DEFAULT_TIMEZONE",
    "DEFAULT_YEARS",
    "BulkCalendar",
    "DayEntry",
    "DayInfo",
    "DayTables",
    "OfficeHours",
    "Overlay",
    "OverlayDay",
    "OverlayFile",
    "SwapEntry",
    "TimeUnit",
    "UnconfirmedDay",
    "WorkCalendar",
    "load_overlay",
    "national_overlay_path",
    "parse_overlay",
    "to_dates",
    "to_datetime64",
]
