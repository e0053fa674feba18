"""``procflow diff``, ``procflow migrate`` and ``procflow recalc``: procedure
versions and calendar changes on a procflow database (docs/versions.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from procflow.catalogue import Catalogue
from procflow.cli.dossier import _engine_options, _open
from procflow.cli.output import FORMAT_OPTION, console, dumps, emit, procedure_folders, progress
from procflow.definition.loader import read_procedure
from procflow.definition.model import Procedure
from procflow.engine import SYSTEM, Actor
from procflow.errors import UnknownProcedure
from procflow.versions.diff import diff_procedures
from procflow.versions.mapping import load_mapping
from procflow.versions.migrate import MigrationRefused, migrate
from procflow.versions.recalc import recalc
from procflow.versions.windows import VersionWindow, check_versions

__all__ = ["register"]


def _procedure(ref: str, procedures: tuple[str, ...]) -> Procedure:
    """A procedure file, or ``id@version`` looked up under ``--procedures``."""
    path = Path(ref)
    if path.is_file():
        return read_procedure(path)
    if "@" in ref:
        pid, _, version = ref.rpartition("@")
        roots = procedure_folders(procedures, f"{ref}: not a file, so taken as ID@VERSION")
        return Catalogue.from_paths(roots).get(pid, version).procedure
    raise click.BadParameter(
        f"{ref!r} is neither a procedure file nor ID@VERSION (with --procedures)",
        param_hint="OLD/NEW",
    )


def _actor(actor_id: str | None, agency: str | None) -> Actor:
    if actor_id is None:
        return SYSTEM
    return Actor(actor_id, agency or "system")


def _time(value: Any) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value is not None else ""


def register(cli: click.Group) -> None:
    @cli.command("diff")
    @click.argument("old")
    @click.argument("new")
    @click.option(
        "--procedures",
        "procedures",
        multiple=True,
        type=click.Path(exists=True),
        help="Where to find ID@VERSION references (default ./procedures).",
    )
    @FORMAT_OPTION
    def diff_cmd(old: str, new: str, procedures: tuple[str, ...], fmt: str) -> None:
        """What changed between two versions of a procedure: OLD and NEW are
        procedure files, or ID@VERSION with --procedures."""
        a, b = _procedure(old, procedures), _procedure(new, procedures)
        result = diff_procedures(a, b)
        windows = check_versions([VersionWindow.of(a, old), VersionWindow.of(b, new)])
        data = result.to_dict()
        data["window_findings"] = [f.to_dict() for f in windows]

        def render(con: Console) -> None:
            con.print(f"[bold]{a.id}[/bold]: version {a.version} → {b.version}")
            if result.other_procedure:
                con.print(
                    f"[yellow]note: these are two different procedures ({a.id}, "
                    f"{result.other_procedure})[/yellow]"
                )
            if result.same:
                con.print("No differences that matter to processing.")
            area = None
            for change in result.changes:
                if change.area != area:
                    area = change.area
                    con.print(f"\n[bold]{area.capitalize()}[/bold]")
                con.print(f"  • {change.text}")
            for finding in windows:
                con.print(f"\n[red]{finding}[/red]")

        emit(fmt, data, render)

    @cli.command("migrate")
    @click.argument("db")
    @click.argument("mapping", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="List what would happen; write nothing.")
    @click.option("--actor", "actor_id", default=None, help="The officer running the migration.")
    @click.option("--agency", default=None, help="The officer's agency.")
    @click.option("--summary", is_flag=True, help="Text: the totals only, not every dossier.")
    @_engine_options
    @FORMAT_OPTION
    def migrate_cmd(
        db: str,
        mapping: str,
        dry_run: bool,
        actor_id: str | None,
        agency: str | None,
        summary: bool,
        procedures: tuple[str, ...],
        calendars: tuple[str, ...],
        at: str | None,
        fmt: str,
    ) -> None:
        """Move the open dossiers of a procedure version to a new version,
        following the MAPPING file (old step: new step). Validated first: on
        any error nothing is changed."""
        plan = load_mapping(mapping)
        engine = _open(db, procedures, calendars, at)
        try:
            with progress("migrating", enabled=fmt != "json") as advance:
                report = migrate(
                    engine,
                    plan,
                    dry_run=dry_run,
                    actor=_actor(actor_id, agency),
                    on_progress=advance.to,
                )
        except MigrationRefused as exc:
            if fmt == "json":
                payload = {
                    "ok": False,
                    "refused": True,
                    "error": {
                        "type": "MigrationRefused",
                        "message": "migration refused, nothing was changed",
                    },
                    "findings": [f.to_dict() for f in exc.findings],
                }
                sys.stdout.write(dumps(payload) + "\n")
            else:
                err = console(stderr=True)
                err.print("error: migration refused, nothing was changed", style="red")
                for finding in exc.findings:
                    err.print(str(finding), markup=False)
            raise SystemExit(1) from None
        finally:
            engine.store.close()

        def render(con: Console) -> None:
            verb = "would move" if report.dry_run else "moved"
            done = report.planned if report.dry_run else report.migrated
            con.print(
                f"[bold]{report.procedure_id}[/bold] {report.from_version} → "
                f"{report.to_version}: {done} dossier(s) {verb}"
                + (" (dry run: nothing written)" if report.dry_run else "")
                + f", {report.skipped} skipped, {report.conflicts} conflict(s), "
                f"{report.seconds:.2f} s"
            )
            for finding in report.findings:
                con.print(str(finding), markup=False, style="yellow")
            table = Table(title="By step")
            for col in ("old step", "new step", "dossiers"):
                table.add_column(col)
            for old_step, new_step, n in report.by_state():
                table.add_row(old_step, new_step, str(n))
            con.print(table)
            rows = [m for m in report.moves if not summary or m.status in ("skipped", "conflict")]
            if not rows:
                return
            table = Table(title="Dossiers")
            for col in ("code", "step", "agency", "due date", "status"):
                table.add_column(col)
            for m in rows:
                due = _time(m.due_after)
                if m.due_changed:
                    due = f"{_time(m.due_before)} → {due}"
                step = f"{m.from_state} → {m.to_state}" if m.to_state else m.from_state
                agency = (
                    f"{m.from_agency} → {m.to_agency}"
                    if m.from_agency != m.to_agency
                    else m.to_agency or ""
                )
                status = m.status + (f": {m.note}" if m.note and m.status != "planned" else "")
                table.add_row(m.code, step, agency, due, status)
            con.print(table)

        emit(fmt, report.to_dict(), render)

    @cli.command("recalc")
    @click.argument("db")
    @click.option("--apply", "apply_", is_flag=True, help="Record the new due dates.")
    @click.option("--reason", default=None, help="Why (recorded), e.g. the dispatch number.")
    @click.option("--procedure", "procedure_id", default=None, help="Only this procedure id.")
    @click.option("--actor", "actor_id", default=None, help="The officer applying it.")
    @click.option("--agency", default=None, help="The officer's agency.")
    @_engine_options
    @FORMAT_OPTION
    def recalc_cmd(
        db: str,
        apply_: bool,
        reason: str | None,
        procedure_id: str | None,
        actor_id: str | None,
        agency: str | None,
        procedures: tuple[str, ...],
        calendars: tuple[str, ...],
        at: str | None,
        fmt: str,
    ) -> None:
        """After a calendar change (a new swap or extra day off, given with
        --calendar), list the open dossiers whose due dates move and by how
        much; with --apply, record the new due dates (the appointment already
        given stays recorded beside the new one)."""
        engine = _open(db, procedures, calendars, at)
        try:
            if procedure_id is not None and procedure_id not in engine.catalogue:
                raise UnknownProcedure(
                    f"--procedure {procedure_id}: no such procedure in the catalogue; it has: "
                    + ", ".join(engine.catalogue.ids())
                )
            with progress("recalculating", enabled=fmt != "json") as advance:
                report = recalc(
                    engine,
                    apply=apply_,
                    actor=_actor(actor_id, agency),
                    reason=reason,
                    procedure_id=procedure_id,
                    on_progress=advance.to,
                )
        finally:
            engine.store.close()

        def render(con: Console) -> None:
            n = len(report.changes)
            con.print(
                f"Calendar: {report.calendar}. {report.checked} open dossier(s) checked, "
                f"{n} due date(s) "
                + (f"moved ({report.moved} recorded)" if report.applied else "would move")
                + ("" if report.applied or not n else "; run again with --apply to record them")
            )
            for problem in report.errors:
                con.print(problem, style="red", markup=False)
            if not n:
                return
            table = Table()
            for col in ("code", "procedure", "step", "due date", "appointment", "status"):
                table.add_column(col)
            for c in report.changes:
                appointment = (
                    f"{_time(c.appointment_before)} → {_time(c.appointment_after)}"
                    if c.appointment_after
                    else f"{_time(c.appointment_before)} (stands)"
                )
                table.add_row(
                    c.code,
                    f"{c.procedure_id}@{c.procedure_version}",
                    c.state + (" (paused)" if c.paused else ""),
                    c.describe(),
                    appointment,
                    c.status,
                )
            con.print(table)

        emit(fmt, report.to_dict(), render)
