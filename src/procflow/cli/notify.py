"""``procflow notify``: deliver a database's notifications (the library's
:func:`procflow.notify.notify`), list the dead letters, requeue them."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import TYPE_CHECKING

import click

from procflow.cli.dossier import _instant
from procflow.cli.output import FORMAT_OPTION, emit, names_catalogue

if TYPE_CHECKING:
    from rich.console import Console

    from procflow.model.outbox import Delivery
    from procflow.notify.dispatch import NotifyRun


def _summary(run: NotifyRun) -> str:
    parts = [
        f"{run.fanned_out} outbox item(s) fanned out into {run.planned} delivery(ies)",
        f"{run.sent} sent",
        f"{run.retried} to retry",
        f"{run.dead} dead",
    ]
    if run.lost:
        parts.append(f"{run.lost} taken over by another worker")
    if run.deferred:
        parts.append(f"{run.deferred} left for the next run")
    return "; ".join(parts)


def register(cli: click.Group) -> None:
    @cli.command("notify")
    @click.argument("db")
    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="The notification configuration file (channels, recipients, retries).",
    )
    @click.option(
        "--procedures",
        "procedures",
        multiple=True,
        type=click.Path(exists=True),
        help="Procedure file or folder, for the names notices print (repeatable; "
        "default ./procedures when it exists, else ids).",
    )
    @click.option(
        "--at",
        "at",
        default=None,
        metavar="ISO-TIME",
        help="Act as if it were this instant: retries due by then are sent.",
    )
    @click.option(
        "--watch",
        type=click.FloatRange(min=1),
        default=None,
        metavar="SECONDS",
        help="Run again every SECONDS until interrupted (Ctrl-C).",
    )
    @click.option("--dead", is_flag=True, help="List the dead-lettered deliveries; send nothing.")
    @click.option(
        "--retry-dead",
        is_flag=True,
        help="Make the dead-lettered deliveries pending again (attempts from 0), then run.",
    )
    @FORMAT_OPTION
    def notify_command(
        db: str,
        config_path: str | None,
        procedures: tuple[str, ...],
        at: str | None,
        watch: float | None,
        dead: bool,
        retry_dead: bool,
        fmt: str,
    ) -> None:
        """Deliver DB's notifications by e-mail, webhook or file, each at least once.

        Every receipt, supplement request, apology, result and deadline alert
        was written to DB's outbox with its event. A run turns each into one
        delivery per recipient and channel (--config), sends what is due, and
        retries failures with backoff until they are dead-lettered. Safe to
        run from several workers at once, and to repeat (cron).
        """
        from procflow.store.url import open_store

        if dead:
            from procflow.model.outbox import DeliveryStatus

            store = open_store(db, mode="read")
            try:
                _show_dead(store.deliveries(status=DeliveryStatus.DEAD), fmt)
            finally:
                store.close()
            return
        if not config_path:
            raise click.UsageError("give the notification configuration: --config FILE")
        from procflow.notify import load_config, notify

        config = load_config(config_path)
        catalogue = names_catalogue(procedures)
        now = _instant(at)
        store = open_store(db, mode="write")
        try:
            if retry_dead:
                requeued = store.delivery_requeue(now or datetime.now().astimezone())
                if fmt != "json":
                    click.echo(f"{requeued} dead delivery(ies) pending again", err=True)
            while True:
                run = notify(store, config, catalogue=catalogue, now=now)
                _show_run(run, fmt, compact=watch is not None)
                if watch is None:
                    return
                try:
                    time.sleep(watch)
                except KeyboardInterrupt:
                    return
        finally:
            store.close()


def _show_run(run: NotifyRun, fmt: str, *, compact: bool) -> None:
    data = run.to_dict()
    if fmt == "json" and compact:
        click.echo(json.dumps(data, ensure_ascii=False))
        return

    def render(console: Console) -> None:
        from rich.markup import escape

        for error in run.errors:
            click.echo(f"note: {error}", err=True)
        if run.unreachable:
            click.echo(
                f"note: {run.unreachable} recipient/channel pair(s) skipped: no address for "
                "the channel (e.g. an applicant without an e-mail address)",
                err=True,
            )
        console.print(escape(_summary(run)))

    emit(fmt, data, render)


def _show_dead(rows: list[Delivery], fmt: str) -> None:
    def render(console: Console) -> None:
        from rich.markup import escape
        from rich.table import Table

        if not rows:
            console.print("no dead-lettered delivery")
            return
        table = Table("key", "to", "attempts", "last error")
        for d in rows:
            table.add_row(
                escape(d.key), escape(d.address), str(d.attempts), escape(d.last_error or "")
            )
        console.print(table)
        console.print(
            f"{len(rows)} dead delivery(ies); mend the cause, then run procflow notify --retry-dead"
        )

    emit(fmt, [d.to_dict() for d in rows], render)
