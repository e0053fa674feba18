"""``procflow report DB``: on-time rates, accountability, bottlenecks, scores."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from procflow.cli.output import (
    console,
    dumps,
    names_catalogue,
    output_file,
    output_option,
    parse_date,
    progress,
    warn_if_nothing_matched,
)
from procflow.reports import Report, ReportQuery, ScoringRule, build_report
from procflow.reports.html import render_html
from procflow.reports.tabular import HEADER, rows
from procflow.store.url import open_store

if TYPE_CHECKING:
    from procflow.catalogue import Catalogue
    from procflow.store.base import Store

FORMATS = ("table", "json", "csv", "html")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _h(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.2f}"


def _rates_table(title: str, groups: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in (
        "group",
        "resolved",
        "early",
        "on time",
        "late",
        "rate",
        "withdrawn",
        "stopped",
        "suppl.",
        "apology",
        "in progress",
        "overdue",
    ):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, c in groups.items():
        table.add_row(
            name,
            str(c["resolved"]),
            str(c["early"]),
            str(c["on_time"]),
            f"[red]{c['late']}[/]" if c["late"] else "0",
            _pct(c["rate"]),
            str(c["withdrawn"]),
            str(c["stopped"]),
            str(c["supplemented"]),
            str(c["apologised"]),
            str(c["in_progress"]),
            f"[red]{c['overdue']}[/]" if c["overdue"] else "0",
        )
    return table


def render_table(out: Console, report: Report) -> None:
    data = report.to_dict()
    q, rates = data["query"], data["rates"]
    t = rates["total"]
    out.print(
        f"[bold]procflow report[/] period {q['from'] or '…'} → {q['to'] or '…'}"
        + (f", procedure {q['procedure']}" if q["procedure"] else "")
        + (f", agency {q['agency']}" if q["agency"] else "")
        + f"; in progress as of {data['as_of']}"
    )
    out.print(
        f"On-time rate [bold green]{_pct(t['rate'])}[/] "
        f"({t['early']} early + {t['on_time']} on time of {t['resolved']} resolved; "
        f"{t['late']} late). Withdrawn {t['withdrawn']}, stopped {t['stopped']}; at reception "
        f"{t['guided']} guided, {t['refused_at_reception']} refused. "
        f"Supplement requests {t['supplemented']}, apologised {t['apologised']}. "
        f"In progress {t['in_progress']}: {t['within_time']} within time, "
        f"{t['overdue']} overdue, {t['paused']} paused."
    )
    out.print(_rates_table("By procedure", rates["by_procedure"]))
    out.print(_rates_table("By agency (dossiers it took part in)", rates["by_agency"]))
    out.print(_rates_table("By receiving desk", rates["by_desk"]))
    out.print(_rates_table("By month closed", rates["by_month"]))

    acc = data["accountability"]
    table = Table(
        title="Accountability (working days; steps left in the period)", title_justify="left"
    )
    for col in (
        "agency",
        "steps",
        "held",
        "allotted",
        "over",
        "late steps",
        "late",
        "late hand-offs",
        "late dossiers",
    ):
        table.add_column(col, justify="left" if col == "agency" else "right")
    day = acc["day_seconds"]
    for a in acc["agencies"]:
        table.add_row(
            a["agency"],
            str(a["steps"]),
            f"{a['held_days']:.2f}",
            f"{a['allotted_days']:.2f}",
            f"{a['overrun_seconds'] / day:+.2f}",
            str(a["late_steps"]),
            f"{a['late_days']:.2f}",
            f"{a['late_handoffs']}/{a['handoffs']}",
            str(a["late_dossiers"]),
            style="red" if a["late_steps"] else "",
        )
    out.print(table)
    for h in acc["late_handoffs"]:
        out.print(f"  late hand-off {h['from']} → {h['to']}: {h['count']} (whose: {h['whose']})")

    table = Table(title="Bottlenecks (working hours per step visit)", title_justify="left")
    for col in (
        "#",
        "procedure",
        "step",
        "agency",
        "visits",
        "median",
        "p90",
        "max",
        "waiting",
        "late",
        "late h",
        "share",
    ):
        table.add_column(col, justify="left" if col in ("procedure", "step", "agency") else "right")
    for s in data["bottlenecks"]["steps"]:
        table.add_row(
            str(s["rank"]),
            s["procedure"],
            s["step"],
            s["agency"] or "-",
            str(s["visits"]),
            _h(s["working_median"]),
            _h(s["working_p90"]),
            _h(s["working_max"]),
            _h(s["waiting_total"]),
            str(s["late_visits"]),
            _h(s["late_seconds"]),
            _pct(s["lateness_share"]),
        )
    out.print(table)

    scores = data["scores"]
    rule = scores["rule"]
    table = Table(
        title=f"Score (early {rule['early']:g} / on time {rule['on_time']:g} / late "
        f"{rule['late']:g}, {rule['standing']} rule, configurable with --points)",
        title_justify="left",
    )
    for col in ("", "scored", "points", "average", "percent"):
        table.add_column(col, justify="left" if not col else "right")
    for name, s in [("all dossiers", scores["total"]), *scores["by_agency"].items()]:
        table.add_row(
            name,
            str(s["scored"]),
            f"{s['points']:g}",
            "-" if s["average"] is None else f"{s['average']:.2f}",
            "-" if s["percent"] is None else f"{s['percent']:.1f}%",
        )
    out.print(table)


def _as_of_simulation(store: Store, query: ReportQuery, db: str) -> ReportQuery:
    """For a simulation's results, judge in-progress dossiers as of the end of
    the simulated period instead of the wall clock's now.

    A simulated year may lie in the future, or end after today: judged at
    now, its dossiers that close later would show as "in progress" although
    the run finished them all. The simulator records its period in the
    database (:func:`procflow.simulation.store.simulated_period`); ``--to``
    still caps the instant, as for any database.
    """
    from procflow.simulation.store import simulated_period

    period = simulated_period(store)
    if period is None:
        return query
    start, until = period
    upper = query.upper
    as_of = until if upper is None else min(upper, until)
    click.echo(
        f"note: {db} holds a simulation's results ({start:%Y-%m-%d} to {until:%Y-%m-%d}); "
        f"dossiers in progress are judged as of {as_of.isoformat()}"
        + (" (the end of --to)" if as_of != until else " (the end of the simulation)")
        + ", not now; give --as-of to choose another instant",
        err=True,
    )
    return dataclasses.replace(query, as_of=as_of)


def _html_catalogue(given: tuple[str, ...]) -> Catalogue | None:
    """The procedures that name the page's agencies and steps and draw its
    diagrams: those under ``--procedures``, else ``./procedures``. Loaded
    before the pass over the database, so a broken procedure file stops the
    command at once.

    Without either, the page still renders, with ids and no diagram, and a
    note on standard error says how to get the names: a report of a database
    is often made away from the procedure files.
    """
    from procflow.catalogue import Catalogue

    folders = [Path(p) for p in given] if given else [Path("procedures")]
    if not given and not folders[0].is_dir():
        click.echo(
            "note: no ./procedures folder here, so the page shows agency and procedure ids "
            "and no process diagram; pass --procedures DIR (the procedure YAML files) for "
            "their names",
            err=True,
        )
        return None
    return Catalogue.from_paths(folders)


def register(cli: click.Group) -> None:
    @cli.command("report")
    @click.argument("db")
    @click.option(
        "--from", "start", default=None, metavar="YYYY-MM-DD", help="First day (inclusive)."
    )
    @click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Last day (inclusive).")
    @click.option("--procedure", default=None, help="Only this procedure id.")
    @click.option("--agency", default=None, help="Only dossiers (and steps) of this agency.")
    @click.option(
        "--as-of",
        "as_of",
        default=None,
        metavar="ISO-TIME",
        help="Judge in-progress dossiers at this instant (default: end of --to, or now; "
        "for a simulation's results, the end of the simulated period).",
    )
    @click.option(
        "--calendar",
        "calendars",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Calendar overlay laid over the national one (repeatable).",
    )
    @click.option(
        "--points",
        default="2,1,0",
        show_default=True,
        metavar="EARLY,ON_TIME,LATE",
        help="Evaluation score per dossier [recalled rule; configurable].",
    )
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
    @click.option(
        "--lang",
        type=click.Choice(["vi", "en"]),
        default="vi",
        show_default=True,
        help="Language of the HTML page (Vietnamese or English).",
    )
    @click.option(
        "--procedures",
        "procedures",
        multiple=True,
        type=click.Path(exists=True),
        help="Procedure file or folder giving the HTML page its agency, procedure and step "
        "names and its diagrams, and every format the agencies' shares of the time "
        "(repeatable; default ./procedures).",
    )
    @click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Processes for the pass over an SQLite store (default: the CPUs, at most 4).",
    )
    @output_option("Write to FILE.")
    def report(
        db: str,
        start: str | None,
        end: str | None,
        procedure: str | None,
        agency: str | None,
        as_of: str | None,
        calendars: tuple[str, ...],
        points: str,
        fmt: str,
        lang: str,
        procedures: tuple[str, ...],
        output: str | None,
        workers: int | None,
    ) -> None:
        """On-time rates, per-agency accountability, bottlenecks and scores of DB.

        Dossiers count as finished in the period by their closing time; periods
        are local (Vietnam) days, both ends inclusive. Definitions: docs/reports.md.
        """
        from procflow.calendar import WorkCalendar

        calendar = WorkCalendar.vietnam(list(calendars) or None)
        instant = None
        if as_of is not None:
            try:
                instant = datetime.fromisoformat(as_of)
            except ValueError:
                raise click.BadParameter(
                    f"{as_of!r} is not an ISO time", param_hint="--as-of"
                ) from None
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=calendar.tz)
        try:
            early, on_time, late = (float(p) for p in points.split(","))
        except ValueError:
            raise click.BadParameter(
                f"{points!r}: give three numbers, e.g. 2,1,0", param_hint="--points"
            ) from None
        try:
            query = ReportQuery(
                start=parse_date(start, "--from"),
                end=parse_date(end, "--to"),
                procedure=procedure,
                agency=agency,
                as_of=instant,
                tz=calendar.tz,
            )
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        # The output file is checked before the (possibly long) pass over DB,
        # and replaced only once the whole report is written.
        catalogue = _html_catalogue(procedures) if fmt == "html" else names_catalogue(procedures)
        target = output_file(output, newline="") if output else contextlib.nullcontext(sys.stdout)
        with target as stream:
            store = open_store(db, mode="read")
            try:
                if instant is None:
                    query = _as_of_simulation(store, query, db)
                total = store.count() if procedure is None else None
                with progress("reporting", total, enabled=fmt != "json") as advance:
                    result = build_report(
                        store,
                        query,
                        calendar=calendar,
                        rule=ScoringRule(early, on_time, late),
                        workers=workers or min(os.cpu_count() or 1, 4),
                        on_progress=advance.to,
                        procedures=catalogue if catalogue is not None else (),
                    )
                filters = {
                    "--procedure": procedure,
                    "--agency": agency,
                    "--from": start,
                    "--to": end,
                }
                warn_if_nothing_matched(result.dossiers_matched, store, filters)
            finally:
                store.close()
            if fmt == "json":
                stream.write(dumps(result.to_dict()) + "\n")
            elif fmt == "csv":
                writer = csv.writer(stream, lineterminator="\n")
                writer.writerow(HEADER)
                writer.writerows(rows(result))
            elif fmt == "html":
                from procflow.reports.names import procedures_for_report

                stream.write(
                    render_html(
                        result,
                        lang="en" if lang == "en" else "vi",
                        procedures=(
                            procedures_for_report(catalogue, result.as_of.date())
                            if catalogue is not None
                            else ()
                        ),
                    )
                )
            elif output:
                render_table(Console(file=stream, width=160, highlight=False), result)
            else:
                out = console()
                if not out.is_terminal:
                    out = Console(width=160, highlight=False)
                render_table(out, result)
        if output:
            click.echo(f"wrote {Path(output)} ({fmt})", err=True)
