"""``procflow calendar``: inspect the working-day calendar and compute deadlines.

Times given on the command line without a zone are read in the calendar's
zone (Asia/Ho_Chi_Minh by default); the library itself rejects naive times.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from procflow.calendar import TimeUnit, WorkCalendar
from procflow.calendar.hours import parse_clock
from procflow.calendar.unconfirmed import describe_unrecorded
from procflow.cli.output import FORMAT_OPTION, dumps, emit
from procflow.errors import CalendarError

if TYPE_CHECKING:
    from rich.console import Console

CALENDAR_OPTION = click.option(
    "--calendar",
    "calendars",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Overlay file added after the national one (repeatable), e.g. a province's holidays.",
)
NO_NATIONAL_OPTION = click.option(
    "--no-national",
    is_flag=True,
    help="Do not load the shipped national overlay (vn.yaml); use only --calendar files.",
)
STRICT_OPTION = click.option(
    "--confirmed-only",
    is_flag=True,
    help="Ignore overlay entries marked confirmed: false (their dates follow the weekly rule).",
)


def _calendar(calendars: tuple[Path, ...], no_national: bool, confirmed_only: bool) -> WorkCalendar:
    kwargs: dict[str, Any] = {}
    if confirmed_only:
        kwargs["include_unconfirmed"] = False
    if no_national:
        if not calendars:
            return WorkCalendar(country="VN", **kwargs)
        return WorkCalendar.from_files(*calendars, **kwargs)
    return WorkCalendar.vietnam(list(calendars), **kwargs)


def check_in_calendar(cal: WorkCalendar, day: date, label: str) -> None:
    """A CalendarError naming ``label`` when ``day`` lies outside the calendar's years."""
    if not cal.first_day <= day <= cal.last_day:
        raise CalendarError(
            f"{label}: {day.isoformat()} lies outside the working-day calendar, which covers "
            f"{cal.first_day.isoformat()} to {cal.last_day.isoformat()}; give a date in that range"
        )


def _instant(cal: WorkCalendar, text: str, label: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise CalendarError(
            f"{label}: {text!r} is not a date or time; write it as YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM, e.g. 2026-02-10T09:00 (a zone like +07:00 may follow)"
        ) from None
    instant = cal.localize(value)
    check_in_calendar(cal, instant.date(), label)
    return instant


def _limit(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A time limit given on the command line: a number, 0 or more.

    An infinite or huge one passes: the calendar says that it ends beyond
    the years it counts, which is the point to make about it."""
    if value is not None and (math.isnan(value) or value < 0):
        raise click.BadParameter(
            f"{value:g} is not a time limit; give a number of 0 or more, e.g. 3 or 0.5"
        )
    return value


def _yesno(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "NO")


def register(cli: click.Group) -> None:
    """Add the ``calendar`` command group to ``cli``."""
    cli.add_command(calendar_group)


@click.group("calendar")
def calendar_group() -> None:
    """Working days, holidays and deadlines on Viet Nam's public-sector calendar."""


@calendar_group.command("show")
@click.argument("year", type=int)
@CALENDAR_OPTION
@NO_NATIONAL_OPTION
@STRICT_OPTION
@click.option("--days", "list_days", is_flag=True, help="Also list every working day of the year.")
@FORMAT_OPTION
def show(
    year: int,
    calendars: tuple[Path, ...],
    no_national: bool,
    confirmed_only: bool,
    list_days: bool,
    fmt: str,
) -> None:
    """Working days, holidays, swaps and make-up days of YEAR."""
    from rich.table import Table

    cal = _calendar(calendars, no_national, confirmed_only)
    if not cal.first_day.year <= year <= cal.last_day.year:
        raise CalendarError(
            f"YEAR: {year} lies outside the working-day calendar, which covers "
            f"{cal.first_day.year} to {cal.last_day.year}; give a year in that range"
        )
    special = cal.special_days(year)
    working = cal.working_days(date(year, 1, 1), date(year, 12, 31))
    per_month = Counter(d.month for d in working)
    weekday_off = [s for s in special if not s.working and not s.weekend]
    make_up = [s for s in special if s.working and s.weekend]
    unconfirmed = [e for e in cal.overlay_entries(year) if not e.confirmed]
    differs = [s for s in special if s.working != s.package_working]
    recorded = not cal.unrecorded_years(date(year, 1, 1), date(year, 1, 1))
    data: dict[str, Any] = {
        "year": year,
        "calendar": cal.name,
        "timezone": cal.tz.key,
        "office_hours": cal.hours.as_strings(),
        "same_day_cutoff": cal.cutoff.strftime("%H:%M"),
        "working_day_count": len(working),
        "working_days_per_month": {m: per_month.get(m, 0) for m in range(1, 13)},
        "weekday_days_off": len(weekday_off),
        "make_up_days": len(make_up),
        "special_days": [s.to_dict() for s in special],
        "unconfirmed": [
            {"date": e.date, "kind": e.kind, "name": e.name, "source": e.source, "file": e.file}
            for e in unconfirmed
        ],
        "differs_from_holidays_package": [s.date for s in differs],
        "recorded": recorded,
    }
    if list_days:
        data["working_days"] = working

    def render(con: Console) -> None:
        con.print(
            f"[bold]{cal.name}[/bold] — {year}: {len(working)} working days "
            f"({len(weekday_off)} weekday days off, {len(make_up)} make-up days); "
            f"office {', '.join(cal.hours.as_strings())}, same-day cut-off "
            f"{cal.cutoff.strftime('%H:%M')}, {cal.tz.key}"
        )
        table = Table(show_lines=False)
        for col in ("date", "day", "kind"):
            table.add_column(col, no_wrap=True)
        table.add_column("name")
        table.add_column("source", overflow="fold")
        table.add_column("ok", no_wrap=True)
        table.add_column("pkg", no_wrap=True)
        for s in special:
            table.add_row(
                s.date.isoformat(),
                s.date.strftime("%a"),
                s.kind,
                s.name or "",
                s.source or s.origin,
                _yesno(s.confirmed),
                "≠" if s.working != s.package_working else "",
            )
        con.print(table)
        con.print(
            "ok: entry confirmed against its source; pkg ≠: differs from the holidays package"
        )
        con.print(
            "working days per month: "
            + "  ".join(f"{m:02d}:{per_month.get(m, 0)}" for m in range(1, 13))
        )
        for e in unconfirmed:
            con.print(
                f"[yellow]unconfirmed[/yellow]: {e.date.isoformat()} {e.name} ({e.source}) — "
                f"{e.file}:{e.line}"
            )
        if not recorded:
            con.print(
                f"[yellow]not recorded[/yellow]: no calendar file has a block for {year}; its "
                "days off are the holidays package's statutory ones alone, without the Prime "
                "Minister's yearly decision (Tết days, swaps). Record it in a calendar overlay "
                f"under 'years: {year}:' (--calendar FILE, docs/calendar.md)"
            )
        if list_days:
            con.print("working days: " + " ".join(d.isoformat() for d in working))

    emit(fmt, data, render)


@calendar_group.command("due")
@click.argument("start")
@click.option(
    "--working-days", type=float, callback=_limit, help="Time limit in working days (may be 0.5)."
)
@click.option("--working-hours", type=float, callback=_limit, help="Time limit in working hours.")
@click.option("--calendar-days", type=int, callback=_limit, help="Time limit in calendar days.")
@click.option("--same-day", is_flag=True, help="Same-day procedure (cut-off applies).")
@click.option("--cutoff", help="Same-day cut-off HH:MM (default: the calendar's, 15:00).")
@CALENDAR_OPTION
@NO_NATIONAL_OPTION
@STRICT_OPTION
@FORMAT_OPTION
def due(
    start: str,
    working_days: float | None,
    working_hours: float | None,
    calendar_days: int | None,
    same_day: bool,
    cutoff: str | None,
    calendars: tuple[Path, ...],
    no_national: bool,
    confirmed_only: bool,
    fmt: str,
) -> None:
    """Deadline of a dossier received at START, such as 2026-02-10T09:00."""
    chosen: list[tuple[TimeUnit, float]] = []
    if working_days is not None:
        chosen.append((TimeUnit.WORKING_DAYS, working_days))
    if working_hours is not None:
        chosen.append((TimeUnit.WORKING_HOURS, working_hours))
    if calendar_days is not None:
        chosen.append((TimeUnit.CALENDAR_DAYS, calendar_days))
    if same_day:
        chosen.append((TimeUnit.SAME_DAY, 0))
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --working-days N, --working-hours N, --calendar-days N, --same-day"
        )
    unit, value = chosen[0]
    cal = _calendar(calendars, no_national, confirmed_only)
    received = _instant(cal, start, "START")
    cut: time | None = parse_clock(cutoff, "--cutoff") if cutoff else None
    deadline = cal.due(received, value, unit, cutoff=cut)
    data = {
        "received": received,
        "received_on_working_day": cal.is_working_day(received),
        "limit": value,
        "unit": unit,
        "due": deadline,
        "due_date": deadline.date(),
        "due_weekday": deadline.strftime("%A"),
        "working_days_after_receipt": cal.count_working_days(received, deadline),
        "working_hours_until_due": round(cal.working_seconds_between(received, deadline) / 3600, 4),
        "calendar": cal.name,
        **_uncertain(cal, received, deadline),
    }

    if fmt == "json":
        sys.stdout.write(dumps(data) + "\n")
        return
    # click.echo rather than rich, whose import would add a tenth to the run
    # time of a command meant to answer at once.
    limit = "same day" if unit is TimeUnit.SAME_DAY else f"{value:g} {unit.label}"
    click.echo(
        f"received {received.strftime('%H:%M %d/%m/%Y')} ({received.strftime('%a')}), "
        f"{limit} → due {click.style(deadline.strftime('%H:%M %d/%m/%Y'), bold=True)} "
        f"({deadline.strftime('%A')})"
    )
    for line in _uncertain_lines(cal, received, deadline, "this date"):
        click.echo(line)


def _uncertain(cal: WorkCalendar, start: datetime, end: datetime) -> dict[str, Any]:
    """What a figure counted from ``start`` to ``end`` rests on that may still
    change: unconfirmed overlay entries, and years with no decision recorded."""
    return {
        "unconfirmed": [u.to_dict() for u in cal.unconfirmed_between(start, end)],
        "unrecorded_years": cal.unrecorded_years(start, end),
    }


def _uncertain_lines(cal: WorkCalendar, start: datetime, end: datetime, what: str) -> list[str]:
    """The lines that tell an officer why ``what`` may still move (see
    :func:`_uncertain`), with what to do about it; none when nothing may."""
    lines = [
        f"  rests on an unconfirmed entry: {u.describe()}; {what} moves if it is decided otherwise"
        for u in cal.unconfirmed_between(start, end)
    ]
    years = cal.unrecorded_years(start, end)
    if years:
        lines.append(
            f"  rests on {describe_unrecorded(years)}: the Prime Minister's yearly decision "
            f"may move {what}; record it in a calendar overlay (--calendar FILE, docs/calendar.md)"
        )
    return lines


@calendar_group.command("count")
@click.argument("start")
@click.argument("end")
@CALENDAR_OPTION
@NO_NATIONAL_OPTION
@STRICT_OPTION
@FORMAT_OPTION
def count(
    start: str,
    end: str,
    calendars: tuple[Path, ...],
    no_national: bool,
    confirmed_only: bool,
    fmt: str,
) -> None:
    """Working days after START up to and including END, and office hours between them."""
    cal = _calendar(calendars, no_national, confirmed_only)
    a, b = _instant(cal, start, "START"), _instant(cal, end, "END")
    days = cal.count_working_days(a, b)
    seconds = cal.working_seconds_between(a, b)
    data = {
        "start": a,
        "end": b,
        "working_days": days,
        "working_hours": round(seconds / 3600, 4),
        "standard_working_days": round(seconds / cal.day_seconds, 4),
        "calendar": cal.name,
        **_uncertain(cal, a, b),
    }

    def render(con: Console) -> None:
        con.print(
            f"{days} working day(s) after {a.date().isoformat()} up to {b.date().isoformat()}; "
            f"{seconds / 3600:g} office hour(s) from {a.strftime('%H:%M %d/%m/%Y')} to "
            f"{b.strftime('%H:%M %d/%m/%Y')}"
        )
        for line in _uncertain_lines(cal, a, b, "this count"):
            con.print(line, markup=False, highlight=False)

    emit(fmt, data, render)
