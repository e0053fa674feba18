"""The units in which Vietnamese procedures publish their time limits.

Each procedure is published with its own unit (domain notes, "Deadlines"):
most in working days, some in working hours, some construction and land rules
in calendar days, and many civil-status services "trong ngày" (same day) with
a cut-off hour after which the dossier counts from the next working day.
"""

from __future__ import annotations

import enum


class TimeUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: The range of years a calendar indexes by default (and so the longest a time
#: limit can be counted). Here, not in workcalendar, so that the procedure
#: models can name it without loading the calendar.
DEFAULT_YEARS = (2000, 2060)
