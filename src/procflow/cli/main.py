"""Entry point of the ``procflow`` command.

User mistakes (a bad file, a forbidden action) end with a clear message and a
non-zero exit code, never with a traceback: every :class:`ProcflowError`, and
any file the system refuses to read or write (:class:`OSError`), is caught
here and nowhere else. With ``--format json`` the message is a JSON object on
standard output (``{"ok": false, "error": {"type", "message", ...}}``), usage
errors included.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from procflow import __version__
from procflow.cli.output import fail, wants_json
from procflow.errors import DossierNotFound, ProcflowError

_JSON = "procflow.json_errors"

# What to do about it, for errors whose library message cannot know the
# command line (the library does not know which database was given).
_HINTS: dict[type[ProcflowError], str] = {
    DossierNotFound: (
        "check the code (it is printed on the receipt slip, e.g. COMMUNE-PC-260303-00001) "
        "and that DB is the database the dossier was received into"
    ),
}


def _message(exc: ProcflowError) -> str:
    text = str(exc)
    for kind, hint in _HINTS.items():
        if isinstance(exc, kind):
            return f"{text}; {hint}"
    return text


def _details(exc: ProcflowError) -> dict[str, Any]:
    """Findings with their file, line and key path, for errors that carry them
    (a procedure, scenario, mapping or calendar file that cannot be used)."""
    findings = getattr(exc, "findings", None)
    if not findings:
        return {}
    return {"file": getattr(exc, "source", None), "findings": [f.to_dict() for f in findings]}


class _Group(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Known before any option is parsed, so that a bad option is JSON too.
        ctx.meta[_JSON] = wants_json(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        as_json = bool(ctx.meta.get(_JSON))
        try:
            return super().invoke(ctx)
        except ProcflowError as exc:
            fail(_message(exc), kind=type(exc).__name__, as_json=as_json, details=_details(exc))
            ctx.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(
                f"{where}{exc.strerror or exc}; check the path and its permissions",
                kind=type(exc).__name__,
                as_json=as_json,
            )
            ctx.exit(1)
        except click.ClickException as exc:
            if not as_json:
                raise
            fail(exc.format_message(), kind="UsageError", as_json=True)
            ctx.exit(exc.exit_code)


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
