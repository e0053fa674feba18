"""``procflow register DB``: the dossier register (sổ theo dõi hồ sơ) as a
table, JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

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

if TYPE_CHECKING:
    from rich.console import Console

    from procflow.reports.register import DossierRegister

FORMATS = ("text", "json", "csv")


def _when(value: object) -> str:
    from datetime import datetime

    return value.strftime("%d/%m/%Y %H:%M") if isinstance(value, datetime) else ""


def render_register(out: Console, register: DossierRegister) -> None:
    """The register for people: its form and circular, one table row per
    dossier, then each dossier's notes and unconfirmed calendar days."""
    from rich.markup import escape
    from rich.table import Table

    from procflow.contrib.labels import end_text, timeliness_text

    f = register.form
    head = f"[bold]Sổ theo dõi hồ sơ[/] (dossier register) as of {register.as_of:%d/%m/%Y}"
    if f is not None:
        head += f" — Mẫu số {f.number} ({f.legal_basis})"
    out.print(head)
    table = Table()
    for col in (
        "STT",
        "code",
        "procedure",
        "applicant",
        "received",
        "appointment",
        "handed to",
        "result",
        "returned",
        "timeliness",
    ):
        table.add_column(col)
    for r in register.rows:
        table.add_row(
            str(r.no),
            r.code,
            r.procedure_id,
            escape(r.applicant),
            _when(r.received_at),
            _when(r.appointment),
            escape(", ".join(r.handed_to)),
            _when(r.result_at),
            _when(r.returned_at),
            timeliness_text(r.timeliness.value)
            if r.timeliness
            else end_text(r.outcome or r.status),
        )
    out.print(table)
    for r in register.rows:
        notes = list(r.notes) + [f"unconfirmed day {u.describe()}" for u in r.unconfirmed_days]
        if notes:
            out.print(f"  {r.no}. {r.code}: {escape('; '.join(notes))}")
    out.print(f"{len(register.rows)} dossier(s)")


def register(cli: click.Group) -> None:
    @cli.command("register")
    @click.argument("db")
    @click.option(
        "--procedures",
        multiple=True,
        type=click.Path(exists=True),
        help="Procedure file or folder, for procedure and agency names (repeatable; "
        "default ./procedures if present, else ids only).",
    )
    @click.option(
        "--calendar",
        "calendars",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Calendar overlay laid over the national one (repeatable).",
    )
    @click.option("--procedure", default=None, help="Only dossiers of this procedure.")
    @click.option("--from", "start", default=None, help="Received on or after (YYYY-MM-DD).")
    @click.option("--to", "end", default=None, help="Received on or before (YYYY-MM-DD).")
    @click.option(
        "--as-of",
        "as_of",
        default=None,
        help="The register's date (YYYY-MM-DD; default today): it picks the form and "
        "dates the overdue notes.",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text for people, json or csv for machines.",
    )
    @output_option()
    def register_cmd(
        db: str,
        procedures: tuple[str, ...],
        calendars: tuple[str, ...],
        procedure: str | None,
        start: str | None,
        end: str | None,
        as_of: str | None,
        fmt: str,
        output: str | None,
    ) -> None:
        """The dossier register (sổ theo dõi hồ sơ) of DB: one row per dossier received.

        Code, procedure, applicant, received, appointment and due date, the
        agencies it was handed to, result and return dates, early / on time /
        late, notes, and the unconfirmed calendar days its dates rest on. The
        form number and circular follow the register's date (Form 06 of
        Circular 01/2018/TT-VPCP, Form 07 of Circular 03/2025/TT-VPCP from
        2025-09-15). Columns: docs/engine.md.
        """
        from procflow.calendar import WorkCalendar
        from procflow.reports.register import (
            build_register,
            write_register_csv,
            write_register_json,
        )
        from procflow.store.url import open_store

        received_from, received_to = parse_date(start, "--from"), parse_date(end, "--to")
        day = parse_date(as_of, "--as-of")
        if received_from and received_to and received_to < received_from:
            raise click.BadParameter(
                f"--to {end} is before --from {start}; give the period's first day first",
                param_hint="--to",
            )
        catalogue = names_catalogue(procedures)
        calendar = WorkCalendar.vietnam(list(calendars) or None)
        store = open_store(db, mode="read")
        try:
            shown = fmt != "json" and (bool(output) or not sys.stdout.isatty())
            with progress("register", None, enabled=shown) as advance:
                book = build_register(
                    store,
                    catalogue=catalogue,
                    calendar=calendar,
                    procedure=procedure,
                    received_from=received_from,
                    received_to=received_to,
                    as_of=day,
                    on_row=advance.to,
                )
            filters = {"--procedure": procedure, "--from": start, "--to": end}
            if output:
                with output_file(output, newline="") as out:
                    if fmt == "csv":
                        write_register_csv(book.rows, out)
                    elif fmt == "json":
                        write_register_json(book, out)
                    else:
                        render_register(_file_console(out), book)
                click.echo(f"wrote {Path(output)}: {len(book.rows)} dossier(s)", err=True)
            elif fmt == "csv":
                write_register_csv(book.rows, sys.stdout)
            elif fmt == "json":
                sys.stdout.write(dumps(book.to_dict()) + "\n")
            else:
                render_register(console(), book)
            warn_if_nothing_matched(len(book.rows), store, filters)
        finally:
            store.close()


def _file_console(out: object) -> Console:
    from rich.console import Console

    return Console(file=out, highlight=False, soft_wrap=True, width=200)  # type: ignore[arg-type]
