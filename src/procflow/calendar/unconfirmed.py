"""Unconfirmed calendar entries: the days a deadline rests on that nobody has
checked against the official text yet.

An overlay entry with ``confirmed: false`` (for example Ngày Văn hóa Việt
Nam, 24/11/2026, chosen by Resolution 80-NQ/TW but not yet in the Labour
Code) is applied by default: it is the best knowledge at hand, and the
``holidays`` package agrees. A deadline counted across such a day may move
by a day when the decision is confirmed or dropped, so every slip and report
that depends on one names it, with its source: the officer can tell the
applicant why the date may change, and the reform office can find the
dossiers to recalculate (``procflow recalc``).

:meth:`procflow.calendar.WorkCalendar.unconfirmed_between` answers "which
unconfirmed entries lie between these two dates"; this module holds what it
returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["UnconfirmedDay", "describe_unrecorded"]


@dataclass(frozen=True, slots=True)
class UnconfirmedDay:
    """One date decided by an unconfirmed overlay entry, as the calendar uses it.

    ``kind`` is what the entry says (``day_off`` or ``working_day``; a swap
    gives one of each); ``applied`` whether the calendar follows it (the
    default) or ignores it (``include_unconfirmed=False``, CLI
    ``--confirmed-only``), and ``working`` the verdict the calendar reached
    for the date either way.
    """

    date: date
    kind: str
    name: str
    source: str
    note: str | None
    file: str
    applied: bool
    working: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "name": self.name,
            "source": self.source,
            "note": self.note,
            "calendar_file": Path(self.file).name,
            "applied": self.applied,
            "working": self.working,
        }

    def describe(self) -> str:
        """One line for a printed slip: ``24/11/2026 Ngày Văn hóa Việt Nam
        (day off, unconfirmed; source: ...)``."""
        treated = "day off" if not self.working else "working day"
        ignored = "" if self.applied else ", entry ignored"
        return (
            f"{self.date:%d/%m/%Y} {self.name} ({treated}, unconfirmed{ignored}; "
            f"source: {self.source})"
        )


def describe_unrecorded(years: Sequence[int]) -> str:
    """The years a date rests on that no calendar file records
    (:meth:`~procflow.calendar.WorkCalendar.unrecorded_years`), for a line
    that goes on with what follows: ``2027, whose days off and swaps no
    calendar file records yet (statutory holidays only)``."""
    which = ", ".join(map(str, years))
    return (
        f"{which}, whose days off and swaps no calendar file records yet (statutory holidays only)"
    )
