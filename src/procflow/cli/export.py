"""``procflow export DB --format xes|ocel|csv``: the log for process-mining tools."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from procflow.cli.output import output_file, warn_if_nothing_matched
from procflow.export import ExportOptions, export, formats
from procflow.store.url import open_store


def register(cli: click.Group) -> None:
    names = list(formats())

    @cli.command("export")
    @click.argument("db")
    @click.option("--format", "fmt", type=click.Choice(names), required=True, help="Log format.")
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False),
        default=None,
        help="Write to FILE (default: standard output).",
    )
    @click.option("--procedure", default=None, help="Only dossiers of this procedure.")
    @click.option("--no-alerts", is_flag=True, help="Leave out the sweep's warned/overdue events.")
    def export_cmd(
        db: str, fmt: str, output: str | None, procedure: str | None, no_alerts: bool
    ) -> None:
        """Export DB's event log as XES (IEEE 1849), OCEL 2.0 JSON or a pm4py-style CSV.

        One case per dossier (case id = dossier code); the activity is the step
        completed. Mapping and attributes: docs/reports.md.
        """
        options = ExportOptions(procedure=procedure, alerts=not no_alerts)
        store = open_store(db, must_exist=True)
        try:
            if output:
                with output_file(output, newline="") as out:
                    stats = export(store, fmt, out, options)
                click.echo(
                    f"wrote {Path(output)}: {stats.cases} cases, {stats.events} events"
                    + (f", {stats.objects} objects" if stats.objects else ""),
                    err=True,
                )
            else:
                stats = export(store, fmt, sys.stdout, options)
            warn_if_nothing_matched(stats.cases, store, {"--procedure": procedure})
        finally:
            store.close()
