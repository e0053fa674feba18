"""The backlog (work in progress) day by day: how many dossiers were open at
the end of each day, and how many of those were past their statutory due date.

A provincial office watches the backlog more than any rate: a desk can keep a
high on-time rate while dossiers pile up unresolved. The figures come from
three instants per dossier that the report's pass reads anyway (received,
closed, statutory due), kept as counters per local day, so memory grows with
the days of the period, not with the dossiers, and partial passes (one per
process) merge by adding.

Definitions (docs/reports.md, "Backlog"):

* a dossier is **open at the end of day D** when it was received before
  midnight ending D and not closed by then: it counts from the day of receipt
  to the day before it closed (a dossier received and closed the same day
  never counts). Reception outcomes (guided, refused at reception) never
  open;
* it is **overdue at the end of day D** when it is open then and its
  statutory due date is before that midnight;
* the series runs from the first day of the period (or of the first dossier
  received, for an open period) to the last day that ended by the instant
  in-progress dossiers are judged at (``as_of``).

[design] Like the rates' in-progress figures, the due date is the dossier's
current one: a supplement pause that moved it applies to the whole series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

__all__ = ["BacklogBuilder", "BacklogCounters", "BacklogPoint", "BacklogReport"]


@dataclass(frozen=True, slots=True)
class BacklogPoint:
    """The backlog at the end of one day."""

    day: date
    open: int
    overdue: int

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "open": self.open, "overdue": self.overdue}


@dataclass(slots=True)
class BacklogCounters:
    """Per local day (ISO text): dossiers that opened, closed, fell overdue,
    and left the overdue count on it. Summed when partial passes merge."""

    opened: dict[str, int] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)
    overdue_from: dict[str, int] = field(default_factory=dict)
    overdue_to: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BacklogReport:
    """The day-by-day series (empty when the period has no whole day)."""

    points: tuple[BacklogPoint, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"points": [p.to_dict() for p in self.points]}

    def weekly(self) -> tuple[BacklogPoint, ...]:
        """The backlog at the end of each week (Sunday), and on the last day: a
        year of days is too dense to read as a line of points."""
        if not self.points:
            return ()
        out = [p for p in self.points if p.day.isoweekday() == 7]
        if not out or out[-1] is not self.points[-1]:
            out.append(self.points[-1])
        return tuple(out)


def _bump(counter: dict[str, int], day: date) -> None:
    key = day.isoformat()
    counter[key] = counter.get(key, 0) + 1


class BacklogBuilder:
    """Feed the dossiers the report reads (:meth:`add`); :meth:`build` the series."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.counters = BacklogCounters()

    def add(self, received: datetime, closed: datetime | None, due: datetime) -> None:
        """A dossier that went into processing (not a reception outcome)."""
        c = self.counters
        tz = self.tz
        opened_day = received.astimezone(tz).date()
        closed_day = closed.astimezone(tz).date() if closed is not None else None
        _bump(c.opened, opened_day)
        if closed_day is not None:
            _bump(c.closed, closed_day)
        due_day = due.astimezone(tz).date()
        # Overdue at the end of D for D in [due day, closed day): the due
        # instant is before midnight ending its own day.
        if closed_day is None or due_day < closed_day:
            _bump(c.overdue_from, due_day)
            if closed_day is not None:
                _bump(c.overdue_to, closed_day)

    @staticmethod
    def build(
        counters: BacklogCounters, tz: tzinfo, first: date | None, as_of: datetime
    ) -> BacklogReport:
        """The series from ``first`` (default: the first day a dossier opened)
        to the last day that ended by ``as_of``."""
        # The day of as_of itself has not ended by as_of (at 00:00 it has just begun).
        last = as_of.astimezone(tz).date() - timedelta(days=1)
        if first is None:
            if not counters.opened:
                return BacklogReport()
            first = date.fromisoformat(min(counters.opened))
        if last < first:
            return BacklogReport()

        def level_before(counter: dict[str, int]) -> int:
            start = first.isoformat()
            return sum(n for day, n in counter.items() if day < start)

        open_now = level_before(counters.opened) - level_before(counters.closed)
        overdue_now = level_before(counters.overdue_from) - level_before(counters.overdue_to)
        points: list[BacklogPoint] = []
        day = first
        while day <= last:
            key = day.isoformat()
            open_now += counters.opened.get(key, 0) - counters.closed.get(key, 0)
            overdue_now += counters.overdue_from.get(key, 0) - counters.overdue_to.get(key, 0)
            points.append(BacklogPoint(day, open_now, overdue_now))
            day += timedelta(days=1)
        return BacklogReport(tuple(points))
