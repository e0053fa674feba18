"""``procflow dossier ...``, ``procflow sweep`` and ``procflow verify``: the engine
on a database file."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from procflow.cli.calendar import check_in_calendar
from procflow.cli.output import FORMAT_OPTION, emit
from procflow.engine import Actor, Engine, SystemClock, VirtualClock
from procflow.engine.clock import VIETNAM
from procflow.errors import ProcflowError
from procflow.runtime import open_engine
from procflow.store.url import sqlite_file


def _engine_options(f: Any) -> Any:
    f = click.option(
        "--at",
        "at",
        default=None,
        metavar="ISO-TIME",
        help="Act as if it were this instant (for back-office entry and demos).",
    )(f)
    f = click.option(
        "--calendar",
        "calendars",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Calendar overlay laid over the national one (repeatable).",
    )(f)
    f = click.option(
        "--procedures",
        "procedures",
        multiple=True,
        type=click.Path(exists=True),
        help="Procedure file or folder (repeatable; default ./procedures).",
    )(f)
    return f


def _actor_options(f: Any) -> Any:
    f = click.option("--role", default=None, help="The officer's role.")(f)
    f = click.option("--agency", required=True, help="The agency the officer acts for.")(f)
    f = click.option("--actor", "actor_id", required=True, help="The officer's id.")(f)
    return f


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO time; write e.g. 2026-03-03T09:30", param_hint="--at"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)


def _open(
    db: str,
    procedures: tuple[str, ...],
    calendars: tuple[str, ...],
    at: str | None,
    create: bool = False,
) -> Engine:
    instant = _instant(at)
    clock = VirtualClock(instant) if instant else SystemClock()
    engine = open_engine(db, procedures=procedures, calendars=calendars, clock=clock, create=create)
    if instant is not None:
        try:
            local = instant.astimezone(engine.calendar.tz)
            check_in_calendar(engine.calendar, local.date(), "--at")
        except ProcflowError:
            engine.store.close()
            raise
    return engine


def _new_file(db: str) -> Path | None:
    """The SQLite file ``db`` names, if it does not exist yet (a command may create it)."""
    path = sqlite_file(db)
    return path if path is not None and not path.exists() else None


def _discard(engine: Engine | None, path: Path) -> None:
    """Remove the database file a failed command created, if it holds no dossier
    (so that a mistyped procedure or agency leaves no empty database behind)."""
    if engine is not None:
        try:
            empty = next(iter(engine.store.codes()), None) is None
        finally:
            engine.store.close()
        if not empty:
            return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _with_engine(create: bool = False) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the DB argument and the engine options, and call it with
    the opened :class:`Engine` in their place (one place for all commands).
    Only commands that ``create`` may start a new database file."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def run(
            db: str,
            procedures: tuple[str, ...],
            calendars: tuple[str, ...],
            at: str | None,
            **kwargs: Any,
        ) -> None:
            new = _new_file(db) if create else None
            engine: Engine | None = None
            try:
                engine = _open(db, procedures, calendars, at, create)
                command(engine, **kwargs)
            except BaseException:
                if new is not None and new.exists():
                    _discard(engine, new)
                    engine = None
                raise
            finally:
                if engine is not None:
                    engine.store.close()

        # Click lists a command's parameters in the reverse order of
        # decoration: DB, added last, comes first.
        return click.argument("db")(_engine_options(run))  # type: ignore[no-any-return]

    return decorate


def _dt(value: datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def _dossier_table(console: Console, data: dict[str, Any]) -> None:
    table = Table(title=f"Hồ sơ {data['code']}", show_header=False)
    for key in (
        "procedure_id",
        "procedure_version",
        "state",
        "status",
        "outcome",
        "timeliness",
        "received_at",
        "due_at",
        "paused_at",
        "supplements",
        "version",
    ):
        if data.get(key) not in (None, ""):
            table.add_row(key, str(data[key]))
    apps = data.get("appointments") or []
    if apps:
        why = {"resumed": " (after the supplement)", "recalculated": " (calendar changed)"}
        note = why.get(apps[-1].get("kind") or "", " (after apology)" if len(apps) > 1 else "")
        table.add_row("appointment", apps[-1]["due_at"] + note)
    console.print(table)


def register(cli: click.Group) -> None:
    @cli.group()
    def dossier() -> None:
        """Receive, move and inspect dossiers in a procflow database."""

    @dossier.command("receive")
    @_with_engine(create=True)
    @click.argument("procedure")
    @_actor_options
    @click.option("--applicant", default=None, help='Applicant as JSON, e.g. \'{"name": "..."}\'.')
    @click.option("--fact", "facts", multiple=True, metavar="NAME=true|false")
    @click.option("--document", "documents", multiple=True, help="A document received.")
    @FORMAT_OPTION
    def receive(
        engine: Engine,
        procedure: str,
        actor_id: str,
        agency: str,
        role: str | None,
        applicant: str | None,
        facts: tuple[str, ...],
        documents: tuple[str, ...],
        fmt: str,
    ) -> None:
        """Receive a complete dossier; prints the receipt-and-appointment slip."""
        try:
            who = json.loads(applicant) if applicant else {}
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--applicant") from None
        if not isinstance(who, dict):
            raise click.BadParameter(
                f'{applicant!r} is not a JSON object; write it as \'{{"name": "..."}}\'',
                param_hint="--applicant",
            )
        parsed_facts: dict[str, bool] = {}
        for fact in facts:
            name, _, value = fact.partition("=")
            if not name or value.lower() not in ("true", "false"):
                raise click.BadParameter(
                    f"{fact!r}: write NAME=true or NAME=false", param_hint="--fact"
                )
            parsed_facts[name] = value.lower() == "true"
        slip = engine.receive(
            procedure,
            actor=Actor(actor_id, agency, role),
            applicant=who,
            documents=list(documents),
            facts=parsed_facts,
        )

        def render(console: Console) -> None:
            console.print(f"[bold]Giấy tiếp nhận hồ sơ và hẹn trả kết quả[/] — {slip.code}")
            console.print(f"  {slip.procedure_name} ({slip.time_limit})")
            console.print(f"  received {_dt(slip.received_at)} by {slip.received_by}")
            console.print(f"  [bold]appointment: {_dt(slip.appointment)}[/]")

        emit(fmt, slip.to_dict(), render)

    @dossier.command("fire")
    @_with_engine()
    @click.argument("code")
    @click.argument("trigger")
    @_actor_options
    @click.option("--note", default=None)
    @click.option("--missing", multiple=True, help="For supplement requests: what is missing.")
    @FORMAT_OPTION
    def fire(
        engine: Engine,
        code: str,
        trigger: str,
        actor_id: str,
        agency: str,
        role: str | None,
        note: str | None,
        missing: tuple[str, ...],
        fmt: str,
    ) -> None:
        """Fire TRIGGER on dossier CODE as an officer of AGENCY."""
        result = engine.fire(
            code, trigger, Actor(actor_id, agency, role), note=note, missing=missing
        )
        data = result.to_dict()
        emit(fmt, data, lambda c: c.print(f"{code}: {trigger} -> [bold]{result.state}[/]"))

    @dossier.command("show")
    @_with_engine()
    @click.argument("code")
    @FORMAT_OPTION
    def show(engine: Engine, code: str, fmt: str) -> None:
        """Show a dossier's state and its processing control slip."""
        data = engine.get(code).to_dict()
        slip = engine.control_slip(code)
        data["control_slip"] = slip.to_dict()
        data["available"] = engine.available(code)

        def render(console: Console) -> None:
            _dossier_table(console, data)
            table = Table(title="Phiếu kiểm soát quá trình giải quyết hồ sơ")
            for col in (
                "step",
                "from",
                "to",
                "sent by",
                "received by",
                "left",
                "due",
                "status",
                "used h",
                "late h",
            ):
                table.add_column(col)
            for r in slip.rows:
                table.add_row(
                    r.step,
                    r.from_agency or "",
                    r.to_agency or "",
                    r.sender or "",
                    r.receiver or "",
                    _dt(r.left_at),
                    _dt(r.due_at),
                    r.timeliness.value if r.timeliness else "",
                    f"{r.used_working_hours:g}",
                    f"{r.late_working_hours:g}",
                )
            console.print(table)
            if data["available"]:
                console.print("possible now: " + ", ".join(data["available"]))

        emit(fmt, data, render)

    @dossier.command("history")
    @_with_engine()
    @click.argument("code")
    @FORMAT_OPTION
    def history(engine: Engine, code: str, fmt: str) -> None:
        """The dossier's event log, with its hash chain."""
        events = engine.history(code)

        def render(console: Console) -> None:
            table = Table(title=f"Events of {code}")
            for col in ("#", "at", "event", "by", "detail", "hash"):
                table.add_column(col)
            for e in events:
                detail = e.data.get("trigger") or e.data.get("alert") or e.data.get("reason") or ""
                table.add_row(
                    str(e.seq),
                    _dt(e.at),
                    e.type.value,
                    str(e.actor or ""),
                    str(detail),
                    e.hash[:12],
                )
            console.print(table)

        emit(fmt, [e.to_dict() for e in events], render)

    @cli.command("sweep")
    @_with_engine()
    @FORMAT_OPTION
    def sweep(engine: Engine, fmt: str) -> None:
        """Emit warnings and overdue events for deadlines near or past (safe to repeat)."""
        events = engine.sweep()

        def render(console: Console) -> None:
            for e in events:
                console.print(
                    f"{e.code}: {e.type.value} ({e.data['alert']}) held by {e.data['holder']}"
                )
            console.print(f"{len(events)} event(s)")

        emit(fmt, [e.to_dict() for e in events], render)

    @cli.command("verify")
    @_with_engine()
    @FORMAT_OPTION
    def verify(engine: Engine, fmt: str) -> None:
        """Check the hash chain of every dossier and that replay equals stored state."""
        report = engine.verify()

        def render(console: Console) -> None:
            for problem in report.problems:
                console.print(f"[red]{problem}[/]")
            verdict = "[green]ok[/]" if report.ok else "[red]FAILED[/]"
            console.print(f"{report.checked} dossier(s) checked: {verdict}")

        emit(fmt, report.to_dict(), render)
        if not report.ok:
            raise SystemExit(1)


__all__ = ["ProcflowError", "register"]
