"""Dates the way people read them on a slip: ``17:00 thứ Sáu, 06/03/2026``.

An instant is shown in its own offset (the desk's local time, as the event
recorded it), never converted to the reader's machine's zone.
"""

from __future__ import annotations

from datetime import datetime

_WEEKDAYS = {
    "vi": ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def human(value: datetime | str | None, language: str = "vi") -> str:
    """``17:00 thứ Sáu, 06/03/2026`` (vi) or ``17:00 Friday, 6 March 2026`` (en).

    Text is read as RFC 3339 first (events keep their instants as text); None
    gives "" so that a template may print an absent date as nothing.
    """
    if value is None:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    weekday = _WEEKDAYS["en" if language == "en" else "vi"][at.weekday()]
    if language == "en":
        return f"{at:%H:%M} {weekday}, {at.day} {_MONTHS_EN[at.month - 1]} {at.year}"
    return f"{at:%H:%M} {weekday}, {at:%d/%m/%Y}"


def human_day(value: datetime | str | None, language: str = "vi") -> str:
    """The day alone: ``thứ Sáu, 06/03/2026`` / ``Friday, 6 March 2026``."""
    text = human(value, language)
    return text.split(" ", 1)[1] if text else ""
