"""``procflow dossier print DB CODE --slip ...``: a dossier's papers, printable.

The desk's verbs (``receive``, ``guide``, ``apologise``...) show each slip on
the terminal when they issue it; ``print`` rebuilds any of them later from
the database, or the dossier register, as an HTML page for the printer (A5,
the register A4 landscape) or as fixed-width text for a receipt printer or an
e-mail (:mod:`procflow.contrib.printing`). Registered as a ``dossier``
sub-command by :mod:`procflow.cli.dossier`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from procflow.cli.output import output_file, output_option, parse_date

if TYPE_CHECKING:
    from procflow.engine import Engine

SLIPS = ("receipt", "supplement", "refusal", "apology", "control", "stop", "register")
"""What ``--slip`` prints: a dossier's papers, or the register of the database."""


def officer_names(path: str) -> dict[str, str]:
    """``--officers FILE``: officer ids to the names printed under signatures,
    from a JSON list of ``{"id", "name"}`` objects (the desk example's
    officers.json) or a JSON object ``{"id": "name"}``."""
    from procflow.contrib.printing import PrintingError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PrintingError(
            f"{path} line {exc.lineno}: not JSON ({exc.msg}); write a list of "
            '{"id": ..., "name": ...} objects or an object {"id": "name"}'
        ) from None
    except UnicodeDecodeError:
        raise PrintingError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    if isinstance(data, Mapping) and all(isinstance(v, str) for v in data.values()):
        return {str(k): v for k, v in data.items()}
    if isinstance(data, list):
        names: dict[str, str] = {}
        for i, item in enumerate(data):
            if not (isinstance(item, Mapping) and "id" in item and "name" in item):
                raise PrintingError(
                    f"{path}: item {i + 1} is not an object with an id and a name, "
                    'e.g. {"id": "lan", "name": "Nguyễn Thị Lan"}'
                )
            names[str(item["id"])] = str(item["name"])
        return names
    raise PrintingError(
        f'{path}: write a list of {{"id": ..., "name": ...}} objects or an object {{"id": "name"}}'
    )


def _register_book(
    engine: Engine, procedure: str | None, start: str | None, end: str | None, as_of: str | None
) -> Any:
    from procflow.reports.register import build_register

    received_from, received_to = parse_date(start, "--from"), parse_date(end, "--to")
    if received_from and received_to and received_to < received_from:
        raise click.BadParameter(
            f"--to {end} is before --from {start}; give the period's first day first",
            param_hint="--to",
        )
    return build_register(
        engine.store,
        catalogue=engine.catalogue,
        calendar=engine.calendar,
        procedure=procedure,
        received_from=received_from,
        received_to=received_to,
        as_of=parse_date(as_of, "--as-of"),
    )


def register_print(dossier: click.Group) -> None:
    """Add ``print`` to the ``dossier`` group."""
    from procflow.cli.dossier import _utf8, _with_engine

    @dossier.command("print")
    @_with_engine(defer=True)
    @click.argument("code", required=False, callback=_utf8)
    @click.option(
        "--slip",
        type=click.Choice(SLIPS),
        default="receipt",
        show_default=True,
        help="Which paper: the dossier's receipt, supplement request, refusal, apology, "
        "control slip or stop notice, or the register of DB (no CODE).",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["html", "text"]),
        default="html",
        show_default=True,
        help="html: a page to print (A5; the register A4 landscape); text: fixed-width "
        "lines for a receipt printer or an e-mail.",
    )
    @click.option(
        "--lang",
        type=click.Choice(["vi", "en"]),
        default="vi",
        show_default=True,
        help="The paper's language (the legal paper is the Vietnamese one).",
    )
    @click.option(
        "--paper",
        type=click.Choice(["A5", "A4"]),
        default=None,
        help="Print on this paper instead of the form's own.",
    )
    @click.option(
        "--width",
        type=click.IntRange(24, 200),
        default=72,
        show_default=True,
        help="Columns of --format text (32 or 48 for a receipt printer).",
    )
    @click.option(
        "--templates",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="A folder of templates and words/<lang>.yaml laid over procflow's (docs/forms.md).",
    )
    @click.option(
        "--agency-name",
        default=None,
        callback=_utf8,
        help="The issuing agency as printed in the heading (default: the "
        "procedure's name for the desk agency).",
    )
    @click.option(
        "--parent",
        default=None,
        callback=_utf8,
        help="The governing body printed above it, e.g. 'UBND tỉnh An Giang'.",
    )
    @click.option(
        "--place",
        default=None,
        callback=_utf8,
        help="The place name of the date line, e.g. 'An Bình'.",
    )
    @click.option(
        "--pickup",
        default=None,
        callback=_utf8,
        help="Where the result is collected (the receipt's item 6).",
    )
    @click.option(
        "--officers",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="JSON file of officer ids and names, printed under the signatures.",
    )
    @click.option("--procedure", default=None, help="--slip register: only this procedure.")
    @click.option("--from", "start", default=None, help="--slip register: received on or after.")
    @click.option("--to", "end", default=None, help="--slip register: received on or before.")
    @click.option(
        "--as-of",
        "as_of",
        default=None,
        help="--slip register: its date (YYYY-MM-DD; default today), which picks the form.",
    )
    @output_option()
    def print_cmd(
        engine: Engine,
        code: str | None,
        slip: str,
        fmt: str,
        lang: str,
        paper: str | None,
        width: int,
        templates: str | None,
        agency_name: str | None,
        parent: str | None,
        place: str | None,
        pickup: str | None,
        officers: str | None,
        procedure: str | None,
        start: str | None,
        end: str | None,
        as_of: str | None,
        output: str | None,
    ) -> None:
        """Print dossier CODE's paper (--slip), or the dossier register, as HTML or text.

        The paper is rebuilt from DB's event log, in the layout and wording of
        the form in force on its date (Circular 01/2018/TT-VPCP, or Circular
        03/2025/TT-VPCP from 2025-09-15): receipt and appointment slip,
        supplement request, refusal, apology, processing control slip, notice
        to stop processing, or the register (sổ theo dõi hồ sơ).
        """
        from procflow.contrib.printing import Letterhead, context_for, render_slip, slip_for

        if slip == "register":
            if code is not None:
                raise click.BadParameter(
                    "the register lists every dossier of DB: leave out CODE (filter with "
                    "--procedure, --from and --to)",
                    param_hint="CODE",
                )
            paper_slip: Any = _register_book(engine, procedure, start, end, as_of)
            pid, version, applicant = procedure, None, None
        else:
            if code is None:
                raise click.BadParameter(
                    f"give the dossier's CODE (printed on its receipt) to print its {slip}",
                    param_hint="CODE",
                )
            paper_slip = slip_for(engine, code, slip)
            dossier = engine.get(code)
            pid, version, applicant = (
                dossier.procedure_id,
                dossier.procedure_version,
                dossier.applicant,
            )
        given = Letterhead(agency=agency_name, parent=parent, place=place)
        context = context_for(
            engine.catalogue if pid else None,
            pid or "",
            version,
            lang=lang,
            letterhead=given if agency_name else None,
            applicant=applicant,
            officer_names=officer_names(officers) if officers else None,
            pickup=pickup,
            tz=engine.calendar.tz,
        )
        if not agency_name and (parent or place):
            from dataclasses import replace

            context = replace(
                context,
                letterhead=replace(context.letterhead, parent=parent, place=place),
            )
        page = render_slip(
            paper_slip,
            "html" if fmt == "html" else "text",
            lang,
            context=context,
            paper="A4" if paper == "A4" else "A5" if paper == "A5" else None,
            width=width,
            templates=templates,
        )
        if output:
            with output_file(output) as out:
                out.write(page)
            click.echo(f"wrote {Path(output)}", err=True)
        else:
            sys.stdout.write(page)
