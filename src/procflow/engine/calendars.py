"""Which calendar each deadline of a procedure is counted on.

A province may add local days off, and an agency may keep other office hours,
so one engine can hold several named calendars (``Engine(...,
calendars={name: WorkCalendar})``) besides its default one. A procedure names
its desk's calendar (``calendar:``) and each agency may name its own:

* the **procedure's** calendar (the desk's) counts the statutory due date, the
  instant a receipt outside office hours counts from, the time a pause moves
  the due date by, the dossier's timeliness and its warnings;
* an **agency's** calendar counts its steps' allotments and due dates, the
  working time it uses, its lateness and its share of the statutory time.

Unnamed, the procedure's calendar is the engine's default and an agency's is
the procedure's [design]: a province's local day off is off for every agency
of a procedure that names the province's calendar, unless an agency (say, a
ministry's) names another. A step held by the desk (no agency of its own) is
on the desk agency's calendar.

Names are resolved once per procedure version (:func:`resolve`), when the
engine first uses the version, and the calendars go on its compiled moves:
the hot path reads them as attributes. A name the engine lacks is refused then
(:class:`UnknownCalendar`), never silently replaced by the default: a due date
counted on the wrong calendar is wrong by a local holiday.

All calendars of an engine must share its time zone (they are overlays on the
national calendar): the engine numbers days with one UTC offset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procflow.errors import CalendarError

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.definition.model import Procedure

__all__ = [
    "DEFAULT_CALENDAR_NAME",
    "ProcedureCalendars",
    "UnknownCalendar",
    "check_names",
    "resolve",
]

#: The name of the engine's default calendar unless it is given another.
DEFAULT_CALENDAR_NAME = "vn"
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")


class UnknownCalendar(CalendarError):
    """A procedure (or one of its agencies) names a calendar the engine was not given."""


@dataclass(frozen=True, slots=True)
class ProcedureCalendars:
    """The calendars of one procedure version, resolved."""

    statutory: WorkCalendar
    """The procedure's (the desk's) calendar."""
    statutory_name: str
    agencies: Mapping[str, WorkCalendar]
    """Each agency of the procedure -> its calendar."""
    names: Mapping[str, str]
    """Each agency -> the name of its calendar."""
    desk: str
    """The desk agency: a step with no agency of its own is on its calendar."""
    named: bool = False
    """The procedure names a calendar (its own or an agency's)."""

    def of_agency(self, agency: str | None) -> WorkCalendar:
        """The calendar of ``agency`` (None: the desk; an agency the procedure does
        not list, which its checks refuse: the procedure's)."""
        return self.agencies.get(agency if agency is not None else self.desk, self.statutory)

    def name_of(self, agency: str | None) -> str:
        """The name of the calendar of ``agency`` (as :meth:`of_agency`)."""
        return self.names.get(agency if agency is not None else self.desk, self.statutory_name)


def resolve(
    procedure: Procedure,
    default: WorkCalendar,
    default_name: str,
    named: Mapping[str, WorkCalendar],
) -> ProcedureCalendars:
    """The calendars ``procedure`` names, looked up in ``named`` (``default_name``
    is ``default``). Raises :class:`UnknownCalendar` for a name the engine lacks
    and :class:`CalendarError` for a calendar in another time zone."""

    def lookup(name: str | None, where: str) -> tuple[str, WorkCalendar]:
        if name is None or name == default_name:
            return default_name, default
        cal = named.get(name)
        if cal is None:
            known = ", ".join(sorted({default_name, *named}))
            raise UnknownCalendar(
                f"procedure {procedure.id!r} (version {procedure.version}) names calendar "
                f"{name!r} ({where}), but the engine has no calendar of that name (it has: "
                f"{known}). Pass it: on the command line --calendar {name}=FILE (a calendar "
                f"overlay file, laid over the national one), in Python "
                f"Engine(..., calendars={{{name!r}: WorkCalendar.vietnam([FILE])}}) or "
                f"open_engine(..., calendars={{{name!r}: FILE}})"
            )
        _same_zone(name, cal, default_name, default)
        return name, cal

    p_name, p_cal = lookup(procedure.calendar, "calendar:")
    agencies: dict[str, WorkCalendar] = {}
    names: dict[str, str] = {}
    for agency in procedure.agencies:
        if agency.calendar is None:
            names[agency.id], agencies[agency.id] = p_name, p_cal
        else:
            names[agency.id], agencies[agency.id] = lookup(
                agency.calendar, f"agencies: {agency.id}: calendar:"
            )
    desk = procedure.desk.id
    names_any = procedure.calendar is not None or any(
        a.calendar is not None for a in procedure.agencies
    )
    return ProcedureCalendars(p_cal, p_name, agencies, names, desk, names_any)


def _same_zone(name: str, cal: WorkCalendar, default_name: str, default: WorkCalendar) -> None:
    if cal is default:
        return
    if cal.tz.key != default.tz.key or cal.fixed_offset != default.fixed_offset:
        raise CalendarError(
            f"calendar {name!r} is in time zone {cal.tz.key}, the engine's calendar "
            f"{default_name!r} in {default.tz.key}: every calendar of one engine must share "
            "its time zone (a calendar file extends the national one; remove its timezone:)"
        )


def check_names(
    named: Mapping[str, WorkCalendar], default: WorkCalendar, default_name: str
) -> dict[str, WorkCalendar]:
    """The engine's named calendars, checked: names are ids (as the procedure's
    ``calendar:`` key spells them) and none takes the default's name."""
    out: dict[str, WorkCalendar] = {}
    for name, cal in named.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise CalendarError(
                f"calendar name {name!r}: use a lower-case id (letters a-z, digits, '-' and "
                "'_', starting with a letter), as the procedure's calendar: key spells it"
            )
        if name == default_name:
            if cal is default:
                continue
            raise CalendarError(
                f"calendar name {name!r} is the engine's default calendar; give the other "
                "calendar another name, or make it the engine's calendar"
            )
        out[name] = cal
    return out
