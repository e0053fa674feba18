"""``procflow validate``, ``procflow schema`` and ``procflow show``.

Thin on purpose: the loading, checking and summarising live in
:mod:`procflow.definition`; these commands only choose files, print, and set
the exit code (0 clean, 1 any error, 2 usage error such as a missing path).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from procflow.cli.output import FORMAT_OPTION, console, emit, output_option, write_output
from procflow.definition.loader import LoadResult, discover, load_procedure
from procflow.definition.summary import summarise
from procflow.findings import Finding, Severity
from procflow.schemas import SCHEMA_KINDS, SchemaKind, json_schema

__all__ = ["register"]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}

_PATHS = click.Path(exists=True, path_type=Path)


def _counts(findings: list[Finding]) -> dict[str, int]:
    out = {"errors": 0, "warnings": 0, "infos": 0}
    for finding in findings:
        if finding.severity is Severity.ERROR:
            out["errors"] += 1
        elif finding.severity is Severity.WARNING:
            out["warnings"] += 1
        else:
            out["infos"] += 1
    return out


def _failed(result: LoadResult, strict: bool) -> bool:
    if result.procedure is None or result.errors:
        return True
    return strict and bool(result.warnings)


def _render_finding(out: Console, finding: Finding) -> None:
    line = Text("  ")
    where = f"{finding.line}:{finding.column}" if finding.line is not None else "-"
    line.append(f"{where:>8}  ", style="dim")
    line.append(f"{finding.severity.value:<8}", style=_STYLE[finding.severity])
    line.append(f"{finding.code}  ", style="bold")
    line.append(finding.message)
    out.print(line)
    if finding.path:
        out.print(Text(f"{'':12}at {finding.key_path}", style="dim"))
    if finding.hint:
        out.print(Text(f"{'':12}hint: {finding.hint}", style="green"))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _validate(paths: tuple[Path, ...], fmt: str, strict: bool) -> int:
    files = discover(paths)
    results = [load_procedure(path) for path in files]
    failed = [r for r in results if _failed(r, strict)]
    totals = _counts([f for r in results for f in r.findings])
    summary = {"files": len(results), "failed_files": len(failed), **totals}

    data: dict[str, Any] = {
        "ok": not failed,
        "strict": strict,
        "summary": summary,
        "files": [
            {
                "file": r.file,
                "procedure": r.procedure.key if r.procedure else None,
                "ok": not _failed(r, strict),
                **_counts(r.findings),
                "findings": [f.to_dict() for f in r.findings],
            }
            for r in results
        ],
    }

    def render(out: Console) -> None:
        for result in results:
            if not result.findings:
                continue
            head = Text(result.file, style="bold underline")
            if result.procedure is not None:
                head.append(f"  {result.procedure.key}", style="dim")
            out.print(head)
            for finding in result.findings:
                _render_finding(out, finding)
            out.print()
        if not results:
            out.print(Text("no procedure files found", style="yellow"))
        verdict = Text("✗ " if failed else "✓ ", style="bold red" if failed else "bold green")
        verdict.append(
            f"{_plural(len(results), 'file')} checked: {_plural(totals['errors'], 'error')}, "
            f"{_plural(totals['warnings'], 'warning')}"
        )
        if failed:
            verdict.append(f"; {_plural(len(failed), 'file')} failed")
            if strict:
                verdict.append(" (--strict: warnings count as errors)")
        out.print(verdict)

    emit(fmt, data, render)
    return 1 if failed else 0


def _show(path: Path, fmt: str) -> int:
    result = load_procedure(path)
    proc = result.procedure
    if proc is None:
        data = {"file": result.file, "procedure": None, "findings": result.findings}

        def render_broken(out: Console) -> None:
            out.print(Text(f"{result.file}: cannot be loaded", style="bold red"))
            for finding in result.findings:
                _render_finding(out, finding)

        emit(fmt, data, render_broken)
        return 1
    summary = summarise(proc)
    summary["file"] = result.file
    summary["findings"] = [f.to_dict() for f in result.findings]

    def render(out: Console) -> None:
        title = Text(summary["name"], style="bold")
        if summary["name_en"]:
            title.append(f"  ({summary['name_en']})", style="italic")
        out.print(title)
        ident = Table.grid(padding=(0, 2))
        ident.add_column(style="dim")
        ident.add_column()
        ident.add_row("procedure", summary["key"])
        for label, key in (
            ("code (mã TTHC)", "code"),
            ("sector", "sector"),
            ("level", "level"),
            ("in force from", "effective_from"),
            ("in force until", "effective_to"),
        ):
            if summary[key]:
                ident.add_row(label, str(summary[key]))
        limit = summary["time_limit"] + (
            "" if summary["time_limit_confirmed"] else " (unconfirmed)"
        )
        for case in summary["time_limit_cases"]:  # chosen by the dossier's facts
            limit += f"; {case}"
        ident.add_row("time limit", limit)
        ident.add_row("file", result.file)
        out.print(ident)

        if summary["legal_basis"]:
            out.print(Text("\nLegal basis (căn cứ pháp lý)", style="bold"))
            for doc in summary["legal_basis"]:
                line = f"  {doc['number']}"
                if doc["title"]:
                    line += f"  {doc['title']}"
                if doc["date"]:
                    line += f"  ({doc['date']})"
                if doc["articles"]:
                    line += f", {doc['articles']}"
                out.print(Text(line))

        agencies = Table(title="Agencies (cơ quan)", title_justify="left", title_style="bold")
        for column in ("id", "name", "level", "desk", "share"):
            agencies.add_column(column, overflow="fold")
        for agency in summary["agencies"]:
            agencies.add_row(
                agency["id"],
                agency["name"],
                agency["level"],
                "✓" if agency["desk"] else "",
                "\n".join([agency["share"] or "", *agency["share_cases"]]).strip(),
            )
        out.print(agencies)

        steps = Table(title="Steps (bước)", title_justify="left", title_style="bold")
        for column in ("#", "id", "kind", "agency", "time", "outcomes"):
            steps.add_column(column, overflow="fold")
        for number, step in enumerate(summary["steps"], start=1):
            agency = step["agency"] + (f" → {step['to_agency']}" if step["to_agency"] else "")
            outcomes = "\n".join(
                f"{trigger} → {', '.join(targets)}" for trigger, targets in step["outcomes"].items()
            )
            mark = "*" if step["critical"] else ""
            time = "\n".join([step["time"] or "", *step["time_cases"]]).strip()
            if step["kind"] == "applicant":
                time = (time + " " if time else "") + f"(clock {step['clock']})"
            steps.add_row(f"{number}{mark}", step["id"], step["kind"], agency, time, outcomes)
        out.print(steps)

        path = summary["critical_path"]
        unit = path["unit"].replace("_", " ")
        crit = Text("Critical path (* above): ", style="bold")
        if path["steps"]:
            crit.append(" → ".join(path["steps"]) + " → returned")
            crit.append(f"\n  total {path['days']:g} {unit}")
            if path["limit"] is not None:
                crit.append(f" of {path['limit']:g} allowed")
                if path["overrun"]:
                    crit.append(f", {path['overrun']:g} over", style="bold red")
            if path["untimed"]:
                crit.append(f"; no time given for {', '.join(path['untimed'])}", style="yellow")
        else:
            crit.append("none: 'returned' cannot be reached", style="bold red")
        out.print(crit)
        counts = _counts(result.findings)
        if result.findings:
            out.print(
                Text(
                    f"{_plural(counts['errors'], 'error')}, "
                    f"{_plural(counts['warnings'], 'warning')}: run 'procflow validate "
                    f"{result.file}' for details",
                    style="red" if counts["errors"] else "yellow",
                )
            )

    emit(fmt, summary, render)
    return 1 if result.errors else 0


def register(cli: click.Group) -> None:
    """Add the definition commands to the ``procflow`` group."""

    @cli.command("validate")
    @click.argument("paths", nargs=-1, required=True, type=_PATHS)
    @FORMAT_OPTION
    @click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
    @click.pass_context
    def validate_cmd(ctx: click.Context, paths: tuple[Path, ...], fmt: str, strict: bool) -> None:
        """Check procedure files (or folders of them) and report every problem.

        Folders are searched for *.yaml / *.yml files with a top-level
        'procflow:' or 'steps:' key, skipping calendars/, tests/ and
        scenarios/. Exit status: 0 no errors, 1 errors found, 2 usage error.
        """
        ctx.exit(_validate(paths, fmt, strict))

    @cli.command("schema")
    @click.option(
        "--kind",
        type=click.Choice(SCHEMA_KINDS),
        default="procedure",
        show_default=True,
        help="Which files: procedures, test scenarios, simulation scenarios or calendar overlays.",
    )
    @output_option("Write to this file instead of standard output.", as_path=True)
    def schema_cmd(kind: SchemaKind, output: Path | None) -> None:
        """Print the JSON Schema of procedure, scenario, simulation or calendar files
        (for editors).

        The repository keeps each one as docs/KIND.schema.json; a YAML file names
        its schema in a first-line comment for yaml-language-server, e.g.
        '# yaml-language-server: $schema=../../docs/scenario.schema.json'.
        """
        text = json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            write_output(output, text)
            console(stderr=True).print(Text(f"wrote {output}"))

    @cli.command("show")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @FORMAT_OPTION
    @click.pass_context
    def show_cmd(ctx: click.Context, path: Path, fmt: str) -> None:
        """Describe one procedure: agencies, steps, times and the critical path."""
        ctx.exit(_show(path, fmt))
