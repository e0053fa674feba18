"""Office hours: the periods of a working day during which working time runs.

Procedures counted in working hours (and fractions of working days) consume
office time only. A working day has one or more office periods, e.g. the
default ``07:30-11:30`` and ``13:30-17:00`` ([design]: commonly posted public
office hours; they vary by province and agency, so they are configurable in
the calendar overlay or the :class:`~procflow.calendar.WorkCalendar`
constructor). Every working day, make-up Saturdays included, has the same
periods.

Times of day are handled as seconds after local midnight (a float, so that
microseconds survive), which keeps the arithmetic cheap.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import time

from procflow.errors import CalendarError

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_OFFICE_HOURS",
    "OfficeHours",
    "parse_clock",
    "seconds_of",
    "time_of",
]

#: The default office periods ([design], see the module docstring).
DEFAULT_OFFICE_HOURS: tuple[str, ...] = ("07:30-11:30", "13:30-17:00")
#: The same-day cut-off: a dossier received at or after it counts from the next
#: working day ([source] for same-day procedures, domain notes "Deadlines").
DEFAULT_CUTOFF = time(15, 0)

_EPS = 1e-6  # seconds: below datetime's resolution
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def parse_clock(text: str, where: str = "time") -> time:
    """Parse ``HH:MM`` or ``HH:MM:SS`` (24-hour clock) into a :class:`time`."""
    m = _CLOCK.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise CalendarError(
            f"{where}: {text!r} is not a clock time; write it as HH:MM on a 24-hour "
            "clock, e.g. '07:30' or '15:00'"
        )
    return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def seconds_of(t: time) -> float:
    """Seconds after midnight of a time of day."""
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def time_of(seconds: float) -> time:
    """The time of day ``seconds`` after midnight (``86400`` is not allowed)."""
    whole = int(seconds)
    micro = round((seconds - whole) * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    return time(whole // 3600, (whole // 60) % 60, whole % 60, micro)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The office periods of one working day, as ``(start, end)`` seconds.

    Periods are sorted, do not overlap, and lie within one day. Build them
    with :meth:`parse` from strings like ``"07:30-11:30"``.
    """

    periods: tuple[tuple[float, float], ...]
    # Derived once in __post_init__ (the calendar asks for them on every
    # call, so they are not summed again each time): the period bounds
    # flattened, [start0, end0, start1, end1, ...], for a bisection; the
    # office time of the periods before each period (and of all of them); and
    # the day's total. The running sums are the ones the plain loop of
    # ``before`` would compute, in the same order, so reading them gives the
    # same floats to the last bit.
    _bounds: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _cum: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _day: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.periods:
            raise CalendarError("office hours: at least one period is needed, e.g. '07:30-11:30'")
        prev_end = -1.0
        for start, end in self.periods:
            if not 0 <= start < end <= 86400:
                raise CalendarError(
                    f"office hours: period {time_of(start)}-{time_of(min(end, 86399))} is empty "
                    "or outside the day; the start must come before the end"
                )
            if start < prev_end:
                raise CalendarError(
                    "office hours: periods overlap or are out of order; list them in order, "
                    "e.g. ['07:30-11:30', '13:30-17:00']"
                )
            prev_end = end
        cum = [0.0]
        for start, end in self.periods:
            cum.append(cum[-1] + (end - start))
        object.__setattr__(self, "_bounds", tuple(b for period in self.periods for b in period))
        object.__setattr__(self, "_cum", tuple(cum))
        object.__setattr__(self, "_day", sum(end - start for start, end in self.periods))

    @classmethod
    def parse(cls, specs: Iterable[str], where: str = "office_hours") -> OfficeHours:
        periods: list[tuple[float, float]] = []
        for k, spec in enumerate(specs):
            if not isinstance(spec, str) or spec.count("-") != 1:
                raise CalendarError(
                    f"{where}[{k}]: {spec!r} is not a period; write it as 'HH:MM-HH:MM', "
                    "e.g. '07:30-11:30'"
                )
            a, b = spec.split("-")
            start = seconds_of(parse_clock(a, f"{where}[{k}]"))
            end_t = b.strip()
            end = 86400.0 if end_t == "24:00" else seconds_of(parse_clock(end_t, f"{where}[{k}]"))
            periods.append((start, end))
        return cls(tuple(periods))

    @classmethod
    def default(cls) -> OfficeHours:
        return cls.parse(DEFAULT_OFFICE_HOURS)

    # --- derived figures -------------------------------------------------------

    @property
    def day_seconds(self) -> float:
        """Office seconds in one standard working day (7.5 h = 27,000 s by default)."""
        return self._day

    @property
    def opening(self) -> float:
        return self.periods[0][0]

    @property
    def closing(self) -> float:
        """The end of the last office period: the time of day a day-based deadline falls due."""
        return self.periods[-1][1]

    def as_strings(self) -> list[str]:
        def hhmm(s: float) -> str:
            return "24:00" if s >= 86400 else time_of(s).strftime("%H:%M")

        return [f"{hhmm(a)}-{hhmm(b)}" for a, b in self.periods]

    # --- arithmetic within one day --------------------------------------------

    def before(self, t: float) -> float:
        """Office seconds of the day elapsed before time of day ``t``.

        With ``k`` the number of period bounds below ``t``: inside period
        ``k // 2`` (``k`` odd), the office time of the earlier periods plus
        ``t - start``; between periods, that of the periods before. The same
        sums, in the same order, as adding the periods up one by one."""
        bounds = self._bounds
        k = bisect_left(bounds, t)
        if k & 1:
            return self._cum[k >> 1] + (t - bounds[k - 1])
        if k == 0 and t != t:  # NaN: the loop counted every period (no comparison held)
            return self._cum[-1]
        return self._cum[k >> 1]

    def after(self, t: float) -> float:
        """Office seconds of the day left from time of day ``t`` on."""
        return self._day - self.before(t)

    def between(self, t0: float, t1: float) -> float:
        """Office seconds between two times of the same day (``t0 <= t1``)."""
        return self.before(t1) - self.before(t0)

    def advance(self, t: float, seconds: float) -> float:
        """The time of day reached after ``seconds`` of office time from ``t``.

        ``seconds`` must not exceed :meth:`after` of ``t``. Landing exactly on
        the end of a period returns that end (11:30, not 13:30).
        """
        return advance_in(self.periods, t, seconds)

    def retreat(self, t: float, seconds: float) -> float:
        """The time of day ``seconds`` of office time before ``t`` (the mirror of
        :meth:`advance`; ``seconds`` must not exceed :meth:`before` of ``t``).
        Landing exactly on the start of a period returns that start."""
        return retreat_in(self.periods, t, seconds)

    def at_office_seconds(self, seconds: float) -> float:
        """The time of day at which ``seconds`` of the day's office time have run."""
        return self.advance(0.0, seconds)


def advance_in(periods: tuple[tuple[float, float], ...], t: float, seconds: float) -> float:
    """:meth:`OfficeHours.advance` on a tuple of periods: a plain function, which
    the calendar's core calls without looking up a method."""
    for start, end in periods:
        if t >= end:
            continue
        begin = t if t > start else start
        avail = end - begin
        if seconds <= avail + _EPS:  # below a microsecond, datetime cannot tell
            return begin + min(seconds, avail)
        seconds -= avail
    return periods[-1][1]


def retreat_in(periods: tuple[tuple[float, float], ...], t: float, seconds: float) -> float:
    """:meth:`OfficeHours.retreat` on a tuple of periods."""
    for start, end in reversed(periods):
        if t <= start:
            continue
        stop = t if t < end else end
        avail = stop - start
        if seconds <= avail + _EPS:
            return stop - min(seconds, avail)
        seconds -= avail
    return periods[0][0]


def periods_of(specs: Sequence[str] | None) -> OfficeHours:
    return OfficeHours.default() if specs is None else OfficeHours.parse(specs)
