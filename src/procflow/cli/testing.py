"""``procflow test``: run scenario files against the engine, like pytest runs tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from procflow.cli.output import output_option

if TYPE_CHECKING:
    from procflow.testing.report import JunitFamily

__all__ = ["register"]


def register(cli: click.Group) -> None:
    """Add the ``test`` command to ``cli``."""
    cli.add_command(test_command)


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="text for people, json for machines, junit (XML) for CI systems.",
)
@output_option("Write the report to FILE (a short summary still goes to the screen).", as_path=True)
@click.option(
    "--procedures",
    "procedure_dirs",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Where to look up procedures named by id (repeatable); default: the "
    "'procedures' folder above each scenario.",
)
@click.option(
    "--junit-family",
    type=click.Choice(["xunit1", "xunit2"]),
    default="xunit2",
    show_default=True,
    help="With --format junit: xunit2 validates against Jenkins' JUnit schema; xunit1 adds "
    "each test case's file and line (as pytest's junit_family).",
)
@click.option("-v", "--verbose", is_flag=True, help="Name every scenario, not only failures.")
def test_command(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    procedure_dirs: tuple[Path, ...],
    junit_family: JunitFamily,
    verbose: bool,
) -> None:
    """Run scenario files (or every scenario under folders) and report.

    A scenario file is a YAML file in a 'tests' folder with a top-level
    'scenario: <what it shows>' key; a file named explicitly is always run. Exits 0 when all
    pass, 1 when any fails or cannot run, 5 when no scenario was found.
    """
    from procflow.testing.discover import find_scenarios
    from procflow.testing.report import summary_line, to_json, to_junit, to_text
    from procflow.testing.runner import ScenarioRunner

    files = find_scenarios(paths)
    if not files:
        click.echo(
            "no scenario files found (YAML files in a 'tests' folder with a top-level "
            "'scenario: <what it shows>' key)",
            err=True,
        )
        raise SystemExit(5)
    runner = ScenarioRunner(procedure_dirs)
    results = [runner.run_file(f) for f in files]
    if fmt == "json":
        report = to_json(results)
    elif fmt == "junit":
        from procflow import __version__

        report = to_junit(results, family=junit_family, properties={"procflow": __version__})
    else:
        report = to_text(results, verbose=verbose)
    if output is not None:
        from procflow.cli.output import write_output

        write_output(output, report)
        click.echo(summary_line(results) + f" (report: {output})")
    else:
        click.echo(report, nl=False)
    if any(not r.passed for r in results):
        raise SystemExit(1)
