"""``procflow diagram`` and ``procflow sheet``: procedures and dossiers as
pictures, and the public procedure sheet.

``PROCEDURE`` is a procedure file, or a procedure id (``vn.x.y``, optionally
``@version``) looked up in ``--procedures`` folders (default ./procedures).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import cast

import click

from procflow.cli.output import output_option, procedure_folders, write_output
from procflow.contrib.diagram import FORMATS as DIAGRAM_FORMATS
from procflow.contrib.diagram import build_diagram
from procflow.contrib.diagram import render as render_diagram
from procflow.contrib.labels import Lang
from procflow.contrib.sheet import FORMATS as SHEET_FORMATS
from procflow.contrib.sheet import build_sheet
from procflow.contrib.sheet import render as render_sheet
from procflow.definition.loader import read_procedure
from procflow.definition.model import Procedure
from procflow.errors import ProcflowError

__all__ = ["load_procedure_arg", "register"]

_LANG = click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the labels (English falls back to Vietnamese where a name has no en).",
)
_OUTPUT = output_option("Write to this file instead of standard output.", as_path=True)
_PROCEDURES = click.option(
    "--procedures",
    "procedures",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Procedure file or folder (repeatable; default ./procedures).",
)


def load_procedure_arg(value: str, procedures: tuple[Path, ...] = ()) -> Procedure:
    """A procedure named by file path, or by id (``id`` or ``id@version``).

    By id, the version in force today is taken unless ``@version`` is given.
    """
    path = Path(value)
    if path.is_file():
        return read_procedure(path)
    from procflow.catalogue import Catalogue

    folders = procedure_folders(procedures, f"{value}: no such file, so taken as a procedure id")
    catalogue = Catalogue.from_paths(folders)
    proc_id, _, version = value.partition("@")
    if version:
        return catalogue.get(proc_id, version).procedure
    if proc_id not in catalogue:
        raise ProcflowError(
            f"{value}: neither a file nor a procedure id in {', '.join(map(str, folders))}"
        )
    versions = catalogue.versions(proc_id)
    try:
        return catalogue.in_force(proc_id, dt.date.today()).procedure
    except ProcflowError:
        return versions[-1].procedure


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    write_output(output, text)
    click.echo(f"wrote {output}", err=True)


def register(cli: click.Group) -> None:
    """Add ``diagram`` and ``sheet`` to ``cli``."""

    @cli.command("diagram")
    @click.argument("source", metavar="PROCEDURE|DB")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(list(DIAGRAM_FORMATS)),
        default="mermaid",
        show_default=True,
        help="mermaid (Markdown viewers), dot (graphviz source) or svg.",
    )
    @click.option(
        "--dossier",
        "dossier_code",
        default=None,
        metavar="CODE",
        help="SOURCE is a database: draw the path this dossier took and its time per step.",
    )
    @_PROCEDURES
    @click.option(
        "--calendar",
        "calendars",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Calendar overlay (for the time of the step a dossier is in now).",
    )
    @_LANG
    @_OUTPUT
    def diagram_cmd(
        source: str,
        fmt: str,
        dossier_code: str | None,
        procedures: tuple[Path, ...],
        calendars: tuple[str, ...],
        lang: str,
        output: Path | None,
    ) -> None:
        """Draw a procedure (swimlanes per agency, hand-offs, allotted times,
        applicant steps, critical path), or with --dossier one dossier's path
        and where its time went.

        \b
          procflow diagram procedures/lien-thong/child-under-6.yaml --format svg -o bundle.svg
          procflow diagram desk.db --dossier COMMUNE-PC-260303-00001 --format svg -o d.svg
        """
        language = cast(Lang, lang)
        if dossier_code is None:
            diagram = build_diagram(load_procedure_arg(source, procedures), lang=language)
        else:
            from procflow.runtime import open_engine
            from procflow.store.url import sqlite_file

            db_file = sqlite_file(source)
            if db_file is not None and not db_file.exists():
                raise ProcflowError(
                    f"{source}: no such database; check the path (with --dossier, "
                    "PROCEDURE|DB is the database that holds the dossier)"
                )
            engine = open_engine(source, procedures=procedures, calendars=calendars, mode="read")
            try:
                dossier = engine.get(dossier_code)
                proc = engine.procedure_of(dossier).procedure
                diagram = build_diagram(
                    proc,
                    lang=language,
                    dossier=dossier,
                    calendar=engine.calendar,
                    now=engine.clock.now(),
                )
            finally:
                engine.store.close()
        _write(render_diagram(diagram, fmt), output)

    @cli.command("sheet")
    @click.argument("procedure", metavar="PROCEDURE")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(list(SHEET_FORMATS)),
        default="html",
        show_default=True,
        help="html (one self-contained file, prints on A4) or md.",
    )
    @_PROCEDURES
    @_LANG
    @_OUTPUT
    def sheet_cmd(
        procedure: str,
        fmt: str,
        procedures: tuple[Path, ...],
        lang: str,
        output: Path | None,
    ) -> None:
        """The public procedure sheet (niêm yết công khai): name, code, where to
        submit, time limit, steps, documents, fees, legal basis.

        \b
          procflow sheet procedures/residence/permanent-residence.yaml -o sheet.html
          procflow sheet vn.civil-status.birth-registration --lang en --format md
        """
        sheet = build_sheet(load_procedure_arg(procedure, procedures), cast(Lang, lang))
        _write(render_sheet(sheet, fmt), output)
