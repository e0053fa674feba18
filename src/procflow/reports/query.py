"""Which dossiers a report looks at: the period, the procedure, the agency.

A :class:`ReportQuery` is plain data. Dates are local dates of the calendar's
time zone (Asia/Ho_Chi_Minh by default) and both ends are inclusive: ``--from
2026-03-01 --to 2026-03-31`` is the whole of March, 00:00 on the 1st to
24:00 on the 31st, Vietnam time.

Definitions (docs/reports.md says the same):

* **finished in the period**: the dossier's ``closed_at`` falls in
  ``[start 00:00, end + 1 day 00:00)``;
* **in progress as of**: the instant ``as_of`` (default: the end of the
  period, or now when the period has no end); a dossier received at or before
  it and not closed by then;
* **a step in the period**: a step visit whose ``left_at`` falls in the period;
* **procedure**: the dossier's ``procedure_id``;
* **agency**: the dossier counts for an agency when the agency received it
  at its desk or held one of its steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["DEFAULT_TZ", "ReportQuery"]

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """The filters of a report; every field is optional."""

    start: date | None = None
    """First local day of the period (inclusive)."""
    end: date | None = None
    """Last local day of the period (inclusive)."""
    procedure: str | None = None
    agency: str | None = None
    as_of: datetime | None = None
    """The instant in-progress dossiers are judged at; default: end of period or now."""
    tz: tzinfo = DEFAULT_TZ

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(
                f"the period ends ({self.end}) before it starts ({self.start}); swap --from/--to"
            )
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone")

    @property
    def lower(self) -> datetime | None:
        """The first instant of the period, or None when open at the start."""
        if self.start is None:
            return None
        return datetime.combine(self.start, time(0), tzinfo=self.tz)

    @property
    def upper(self) -> datetime | None:
        """The first instant after the period, or None when open at the end."""
        if self.end is None:
            return None
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=self.tz)

    def in_progress_at(self, now: datetime | None = None) -> datetime:
        """The instant in-progress dossiers are judged at."""
        if self.as_of is not None:
            return self.as_of
        upper = self.upper
        current = now or datetime.now(self.tz)
        if upper is None:
            return current
        return min(upper, current)

    def in_period(self, instant: datetime | None) -> bool:
        if instant is None:
            return False
        lower, upper = self.lower, self.upper
        if lower is not None and instant < lower:
            return False
        return upper is None or instant < upper

    def matches(self, dossier: dict[str, Any]) -> bool:
        """Whether a dossier (``Dossier.to_dict()`` form) passes the procedure and
        agency filters (the period is applied per figure)."""
        if self.procedure is not None and dossier["procedure_id"] != self.procedure:
            return False
        if self.agency is None:
            return True
        if dossier["desk_agency"] == self.agency:
            return True
        return any(v["agency"] == self.agency for v in dossier["visits"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "procedure": self.procedure,
            "agency": self.agency,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "timezone": str(self.tz),
        }
