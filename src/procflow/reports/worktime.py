"""Working time between many pairs of instants, fast.

:meth:`WorkCalendar.working_seconds_between` does the exact office-hours
arithmetic but costs microseconds a call; a report over 100,000 dossiers asks
it about a million times. :class:`WorkingTime` gives the same answer as a
difference of *cumulative working seconds*: ``cum(t)`` is the office time
from a fixed anchor to ``t``, computed once per local date with the calendar
itself and then only added to, so ``cum(b) - cum(a) ==
calendar.working_seconds_between(a, b)`` (tested).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar

__all__ = ["WorkingTime"]


class WorkingTime:
    """Cumulative working seconds on one calendar, cached per local date."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.tz = calendar.tz
        self._anchor = datetime.combine(calendar.first_day, time(0), tzinfo=calendar.tz)
        self._days: dict[date, tuple[float, bool]] = {}
        self._text_days: dict[str, tuple[float, bool, str]] = {}
        self._before = calendar.hours.before

    def _day(self, day: date) -> tuple[float, bool]:
        hit = self._days.get(day)
        if hit is None:
            cal = self.calendar
            start = datetime.combine(day, time(0), tzinfo=self.tz)
            hit = self._days[day] = (
                cal.working_seconds_between(self._anchor, start),
                cal.is_working_day(day),
            )
        return hit

    def cumulative(self, instant: datetime) -> float:
        """Working seconds from the calendar's first day to ``instant``."""
        local = instant.astimezone(self.tz)
        base, working = self._day(local.date())
        if not working:
            return base
        tod = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return base + self.calendar.hours.before(tod)

    def between(self, a: datetime, b: datetime) -> float:
        """``calendar.working_seconds_between(a, b)``, from the cache."""
        return self.cumulative(b) - self.cumulative(a)

    def cumulative_iso(self, text: str) -> float:
        """:meth:`cumulative` of an ISO timestamp as the engine writes it.

        Fast path: when the text carries the calendar's own UTC offset for that
        day (always, for dossiers written in that time zone), the local date
        and time of day are read straight from the text, with no datetime
        built; anything else goes through :meth:`cumulative`.
        """
        if len(text) >= 25 and text[10] == "T":
            day = self._text_days.get(text[:10])
            if day is None:
                day = self._text_day(text[:10])
            base, working, offset = day
            if text[-6:] == offset:
                if not working:
                    return base
                tod = int(text[11:13]) * 3600 + int(text[14:16]) * 60 + float(text[17:-6])
                return base + self._before(tod)
        return self.cumulative(datetime.fromisoformat(text))

    def _text_day(self, key: str) -> tuple[float, bool, str]:
        day = date.fromisoformat(key)
        base, working = self._day(day)
        noon = datetime.combine(day, time(12), tzinfo=self.tz)
        offset = noon.isoformat()[-6:]
        # A day with a change of offset (daylight saving) never takes the fast path.
        midnight = datetime.combine(day, time(0), tzinfo=self.tz).isoformat()[-6:]
        hit = self._text_days[key] = (base, working, offset if offset == midnight else "")
        return hit
