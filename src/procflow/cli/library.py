"""``procflow list``: a table of the procedures in a library.

Thin on purpose: each row is :func:`procflow.definition.summary.procedure_summary`;
this module only finds files, lays rows out (table, JSON or Markdown) and sets
the exit code (0, or 1 when a file cannot be loaded). ``docs/procedures.md``
embeds the Markdown form between two marker lines, and a test regenerates it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
from rich.console import Console
from rich.table import Table

from procflow.cli.output import console, dumps, output_file, output_option
from procflow.definition.loader import discover, load_procedure
from procflow.definition.summary import procedure_summary

__all__ = ["library_rows", "markdown_table", "register"]

_PATHS = click.Path(exists=True, path_type=Path)


def _display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def library_rows(paths: tuple[Path, ...]) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows for every procedure file under ``paths``, and the files that failed."""
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    for path in discover(paths):
        result = load_procedure(path)
        if result.procedure is None or result.errors:
            failed.append(_display_path(path))
            continue
        row = procedure_summary(result.procedure)
        row["file"] = _display_path(path)
        rows.append(row)
    rows.sort(key=lambda r: (r["id"], r["effective_from"] or "", r["version"]))
    return rows, failed


def _in_force(row: dict[str, Any]) -> str:
    start, end = row["effective_from"], row["effective_to"]
    if start and end:
        return f"{start} – {end}"
    if start:
        return f"from {start}"
    return f"until {end}" if end else ""


def _limit(row: dict[str, Any]) -> str:
    limit = str(row["time_limit"])
    return limit if row["time_limit_confirmed"] else limit + " (unconfirmed)"


def _agencies(row: dict[str, Any]) -> list[str]:
    return [a["name"] for a in row["agencies"]]


def _basis(row: dict[str, Any]) -> list[str]:
    return [d["number"] + (f" ({d['date']})" if d["date"] else "") for d in row["legal_basis"]]


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _link(file: str, base: Path | None) -> str:
    """The link target of a procedure file in a table written into ``base``.

    ``file`` is the path shown (relative to the working directory, or
    absolute). Written to a file (``-o``), a link must resolve from that
    file's folder; on standard output, from the working directory (where
    ``> FILE`` puts it), unless ``--links-from`` says otherwise.
    """
    if base is None:
        target = file
    else:
        try:
            target = Path(os.path.relpath(Path(file).resolve(), base.resolve())).as_posix()
        except ValueError:  # another drive (Windows): only an absolute link resolves
            target = Path(file).resolve().as_uri()
    return quote(target, safe="/:._-~")


def markdown_table(rows: list[dict[str, Any]], base: Path | None = None) -> str:
    """The rows as a GitHub-flavoured Markdown table (ends with a newline).

    ``base`` is the folder the table is written into: each file link is
    relative to it (default: the working directory, see :func:`_link`)."""
    head = [
        "Procedure",
        "Code (mã TTHC)",
        "In force",
        "Time limit",
        "Agencies",
        "Legal basis",
        "File",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        name = f"**{row['name']}**" + (f"<br>{row['name_en']}" if row["name_en"] else "")
        name += f"<br>`{row['id']}` v{row['version']}"
        cells = [
            name,
            f"`{row['code']}`" if row["code"] else "—",
            _in_force(row),
            _limit(row),
            "<br>".join(_agencies(row)),
            "<br>".join(_basis(row)),
            f"[`{row['file']}`]({_link(row['file'], base)})",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _print_table(rows: list[dict[str, Any]], out: Console | None = None) -> None:
    table = Table(title="Procedures (thủ tục hành chính)", title_justify="left")
    for column in ("id", "version", "code", "name", "time limit", "agencies", "legal basis"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["id"],
            f"{row['version']}\n{_in_force(row)}",
            row["code"] or "",
            row["name"] + (f"\n{row['name_en']}" if row["name_en"] else ""),
            _limit(row),
            "\n".join(_agencies(row)),
            "\n".join(_basis(row)),
        )
    (out or console()).print(table)


def register(cli: click.Group) -> None:
    @cli.command("list")
    @click.argument("paths", nargs=-1, required=True, type=_PATHS)
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "md"]),
        default="table",
        show_default=True,
        help="table for people, json for machines, md for docs/procedures.md.",
    )
    @output_option("Write to FILE; md links then resolve from FILE's folder.", as_path=True)
    @click.option(
        "--links-from",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        metavar="DIR",
        help="md links resolve from DIR (default: FILE's folder with -o, else the "
        "working directory).",
    )
    def list_cmd(
        paths: tuple[Path, ...], fmt: str, output: Path | None, links_from: Path | None
    ) -> None:
        """List the procedures under PATHS: id, code, name, time limit, agencies, legal basis.

        Paths are shown relative to the working directory. The md links
        resolve from where the table is written: FILE's folder with -o, the
        working directory on standard output (``> FILE`` writes it there), or
        DIR with --links-from (docs/procedures.md: ``--links-from docs``).
        """
        rows, failed = library_rows(paths)
        if output is None:
            if fmt == "json":
                sys.stdout.write(dumps(rows) + "\n")
            elif fmt == "md":
                sys.stdout.write(markdown_table(rows, base=links_from))
            else:
                _print_table(rows)
        else:
            with output_file(output) as stream:
                if fmt == "json":
                    stream.write(dumps(rows) + "\n")
                elif fmt == "md":
                    stream.write(markdown_table(rows, base=links_from or output.parent))
                else:
                    _print_table(rows, Console(file=stream, width=160, highlight=False))
            click.echo(f"wrote {output} ({len(rows)} procedures)", err=True)
        for file in failed:
            click.echo(f"error: {file} cannot be loaded; run: procflow validate {file}", err=True)
        if failed:
            raise SystemExit(1)
