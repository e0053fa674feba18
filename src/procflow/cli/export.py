"""``procflow export DB --format xes|ocel|csv``: the log for process-mining tools."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from procflow.cli.output import output_file, output_option, progress, warn_if_nothing_matched
from procflow.export import ExportOptions, export, formats
from procflow.store.url import open_store

if TYPE_CHECKING:
    from procflow.model.events import Event
    from procflow.store.base import Store


class _Counting:
    """``store`` as the export writers see it, counting the dossiers whose
    events go by (every format streams them through ``iter_events`` in code
    order, one dossier after the other) for the progress bar; everything
    else is the store's own. The format modules stay as they are."""

    def __init__(self, store: Store, done: Callable[[int], None]) -> None:
        self._store = store
        self._done = done

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def iter_events(self, code: str | None = None) -> Iterator[Event]:
        seen, last = 0, None
        for event in self._store.iter_events(code):
            if event.code != last:
                seen, last = seen + 1, event.code
                if seen % 100 == 0:
                    self._done(seen)
            yield event
        self._done(seen)


def register(cli: click.Group) -> None:
    names = list(formats())

    @cli.command("export")
    @click.argument("db")
    @click.option("--format", "fmt", type=click.Choice(names), required=True, help="Log format.")
    @output_option()
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
        store = open_store(db, mode="read")
        try:
            total = store.count() if procedure is None else None
            # No bar over a log printed on the terminal: the two would garble each other.
            shown = bool(output) or not sys.stdout.isatty()
            with progress("exporting", total, enabled=shown) as advance:
                # The store's methods, forwarded: a Store to the writers.
                counted = cast("Store", _Counting(store, advance.to))
                if output:
                    with output_file(output, newline="") as out:
                        stats = export(counted, fmt, out, options)
                else:
                    stats = export(counted, fmt, sys.stdout, options)
            if output:
                click.echo(
                    f"wrote {Path(output)}: {stats.cases} cases, {stats.events} events"
                    + (f", {stats.objects} objects" if stats.objects else ""),
                    err=True,
                )
            warn_if_nothing_matched(stats.cases, store, {"--procedure": procedure})
        finally:
            store.close()
