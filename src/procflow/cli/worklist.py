"""``procflow worklist DB``: an agency's, a role's or an officer's open
dossiers, soonest deadline first (:meth:`procflow.engine.Engine.worklist`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from procflow.cli.dossier import _utf8, _with_engine
from procflow.cli.output import FORMAT_OPTION, emit

if TYPE_CHECKING:
    from rich.console import Console

    from procflow.engine import Engine


def _flag(name: str, help: str) -> Callable[[Any], Any]:
    return click.option(
        f"--{name}/--not-{name}", name, default=None, help=help + " (default: either)."
    )


def _cursor(value: str | None) -> tuple[float, str] | None:
    if value is None:
        return None
    stamp, sep, code = value.partition("/")
    try:
        return (float(stamp), code) if sep and code else None
    except ValueError:
        pass
    raise click.BadParameter(
        f"{value!r} is not a cursor; pass the 'next' a previous page printed (e.g. "
        "1773741600/DESK-260303-00012)",
        param_hint="--after",
    )


def register(cli: click.Group) -> None:
    @cli.command("worklist")
    @_with_engine(defer=True)
    @click.option("--agency", default=None, callback=_utf8, help="Dossiers this agency holds.")
    @click.option(
        "--role", default=None, callback=_utf8, help="At steps naming this role, or assigned to it."
    )
    @click.option("--officer", default=None, callback=_utf8, help="Assigned to this officer.")
    @click.option("--procedure", default=None, callback=_utf8, help="Of this procedure only.")
    @click.option("--step", default=None, callback=_utf8, help="At this step only.")
    @_flag("warned", "Only dossiers warned of (or marked overdue on) a current deadline")
    @_flag("overdue", "Only dossiers past a current deadline")
    @_flag("paused", "Only dossiers waiting for the applicant")
    @click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
    @click.option("--after", default=None, help="Start after this cursor (the last page's 'next').")
    @FORMAT_OPTION
    def worklist(
        engine: Engine,
        agency: str | None,
        role: str | None,
        officer: str | None,
        procedure: str | None,
        step: str | None,
        warned: bool | None,
        overdue: bool | None,
        paused: bool | None,
        limit: int,
        after: str | None,
        fmt: str,
    ) -> None:
        """Open dossiers held by an agency, at a role's steps or assigned to an
        officer, soonest deadline first; one page at a time."""
        items = engine.worklist(
            agency=agency,
            role=role,
            officer=officer,
            procedure=procedure,
            step=step,
            warned=warned,
            overdue=overdue,
            paused=paused,
            limit=limit,
            after=_cursor(after),
        )
        nxt = None
        if len(items) == limit:
            stamp, code = items[-1].cursor
            nxt = f"{int(stamp) if float(stamp).is_integer() else stamp!r}/{code}"
        data = {"items": [i.to_dict() for i in items], "next": nxt}

        def render(console: Console) -> None:
            from rich.table import Table

            table = Table()
            for col in ("deadline", "code", "step", "holder", "assigned", "flags"):
                table.add_column(col)
            for i in items:
                flags = ", ".join(
                    word
                    for word, on in (
                        ("overdue", i.overdue),
                        ("warned", i.warned),
                        ("paused", i.paused),
                    )
                    if on
                )
                who = i.assignee or (f"role {i.assigned_role}" if i.assigned_role else "")
                when = f"{i.deadline:%d/%m/%Y %H:%M}" if i.deadline else ""
                table.add_row(when, i.code, i.state, i.holder or "", who, flags)
            console.print(table)
            more = f"; next page: --after {nxt}" if nxt else ""
            console.print(f"{len(items)} dossier(s){more}")

        emit(fmt, data, render)
