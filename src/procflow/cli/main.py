"""Entry point of the ``procflow`` command.

User mistakes (a bad file, a forbidden action) end with a clear message and a
non-zero exit code, never with a traceback: every :class:`ProcflowError` is
caught here.
"""

from __future__ import annotations

import sys

import click

from procflow import __version__
from procflow.errors import ProcflowError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProcflowError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="procflow")
def cli() -> None:
    """Run administrative procedures as state machines held to their legal deadlines."""


def _register() -> None:
    # Each module adds its own commands; a missing optional module is not fatal
    # during development, but every shipped module is imported.
    from procflow.cli import calendar as calendar_cmds
    from procflow.cli import definition as definition_cmds
    from procflow.cli import dossier as dossier_cmds
    from procflow.cli import export as export_cmds
    from procflow.cli import library as library_cmds
    from procflow.cli import report as report_cmds
    from procflow.cli import simulate as simulate_cmds
    from procflow.cli import testing as testing_cmds
    from procflow.cli import versions as versions_cmds
    from procflow.cli import visual as visual_cmds

    for module in (
        definition_cmds,
        calendar_cmds,
        library_cmds,
        dossier_cmds,
        report_cmds,
        export_cmds,
        simulate_cmds,
        testing_cmds,
        versions_cmds,
        visual_cmds,
    ):
        module.register(cli)


def main(argv: list[str] | None = None) -> None:
    _register()
    cli.main(args=argv, prog_name="procflow")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
