"""When a scenario step happens, and what an expected date means.

Scenario files say *when* in two ways:

* an instant: ``2026-02-13T10:00`` (or ``2026-02-13 10:00``), read in the
  calendar's zone (Asia/Ho_Chi_Minh) unless it carries its own offset
  (``2026-02-13T10:00+07:00``);
* a time after the previous step: ``+2 working days``, ``+3 working hours``,
  ``+1 hour``, ``+30 minutes``, ``+5 calendar days``, optionally followed by a
  time of day: ``+1 working day at 08:00`` (the next working day, 08:00).

Expected dates (``appointment:``, ``due:``) are a date (``2026-02-27``,
compared by day) or an instant (compared to the second).

Parsing never needs the calendar; instants without a zone stay naive here
and are placed in the calendar's zone when the scenario runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

__all__ = ["UNITS", "Moment", "RelativeTime", "format_moment", "parse_at", "parse_moment"]

UNITS: dict[str, str] = {
    "working day": "working_days",
    "working days": "working_days",
    "working hour": "working_hours",
    "working hours": "working_hours",
    "working minute": "working_minutes",
    "working minutes": "working_minutes",
    "calendar day": "days",
    "calendar days": "days",
    "day": "days",
    "days": "days",
    "hour": "hours",
    "hours": "hours",
    "minute": "minutes",
    "minutes": "minutes",
}
"""The units ``at: +N <unit>`` accepts, and the clock argument each one means."""

_RELATIVE = re.compile(
    r"^\+\s*(?P<n>\d+(?:\.\d+)?)\s+(?P<unit>[a-z]+(?: [a-z]+)?)"
    r"(?:\s+at\s+(?P<tod>\d{1,2}:\d{2}))?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Moment = date | datetime
"""A date (compared by day) or an instant (naive means: in the calendar's zone)."""


@dataclass(frozen=True)
class RelativeTime:
    """``+N unit [at HH:MM]``: a time after the previous step."""

    amount: float
    unit: str
    """A :data:`UNITS` value: ``working_days``, ``working_hours``, ``hours``..."""
    at: time | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text or f"+{self.amount:g} {self.unit.replace('_', ' ')}"


def _clock_time(text: str) -> time:
    hours, minutes = (int(p) for p in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a time of day; write HH:MM, e.g. 08:00")
    return time(hours, minutes)


def parse_moment(value: object, *, need_time: bool = False) -> Moment:
    """A date or an instant from scenario text; ValueError with a fix on bad input."""
    if isinstance(value, datetime | date):
        moment: Moment = value
    else:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                f"{value!r} is not a date or an instant; write 2026-02-13 or 2026-02-13T10:00"
            )
        text = value.strip()
        try:
            if _DATE.match(text):
                moment = date.fromisoformat(text)
            else:
                moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise ValueError(
                f"{text!r} is not a date or an instant; write it as YYYY-MM-DD or "
                "YYYY-MM-DDTHH:MM, e.g. 2026-02-13T10:00 (a zone such as +07:00 may follow)"
            ) from None
    if need_time and not isinstance(moment, datetime):
        raise ValueError(
            f"{value!r} is a date without a time; write the instant, e.g. {value}T08:00"
        )
    return moment


def parse_at(value: object) -> Moment | RelativeTime:
    """The ``at:`` of a step: an instant, or ``+N unit [at HH:MM]``."""
    if isinstance(value, str) and value.strip().startswith("+"):
        text = " ".join(value.strip().lower().split())
        match = _RELATIVE.match(text)
        if match is None or match["unit"] not in UNITS:
            raise ValueError(
                f"{value!r} is not a time after the previous step; write e.g. "
                "'+2 working days', '+3 working hours', '+1 hour', '+30 minutes', "
                "'+5 calendar days' or '+1 working day at 08:00'"
            )
        unit = UNITS[match["unit"]]
        amount = float(match["n"])
        tod = _clock_time(match["tod"]) if match["tod"] else None
        return RelativeTime(amount, unit, tod, value.strip())
    return parse_moment(value, need_time=True)


def format_moment(value: Moment) -> str:
    return value.isoformat()
