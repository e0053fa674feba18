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

from procflow.calendar.bulk import BulkCalendar, to_dates, to_datetime64
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
from procflow.calendar.units import TimeUnit
from procflow.calendar.workcalendar import (
    DEFAULT_TIMEZONE,
    DEFAULT_YEARS,
    DayInfo,
    WorkCalendar,
    national_overlay_path,
)

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_OFFICE_HOURS",
    "DEFAULT_TIMEZONE",
    "DEFAULT_YEARS",
    "BulkCalendar",
    "DayEntry",
    "DayInfo",
    "OfficeHours",
    "Overlay",
    "OverlayDay",
    "OverlayFile",
    "SwapEntry",
    "TimeUnit",
    "WorkCalendar",
    "load_overlay",
    "national_overlay_path",
    "parse_overlay",
    "to_dates",
    "to_datetime64",
]
