"""Entry point of the ``procflow`` command.

User mistakes (a bad file, a forbidden action) end with a clear message and a
non-zero exit code, never with a traceback: every :class:`ProcflowError`, and
any file the system refuses to read or write (:class:`OSError`), is caught
here and nowhere else. With ``--format json`` the message is a JSON object on
standard output (``{"ok": false, "error": {"type", "message", ...}}``), usage
errors included.

Commands are loaded lazily. Importing every command module costs over a
second of CPU (numpy, networkx, pydantic, holidays...), which ``procflow
--help``, ``--version`` and a quick ``procflow calendar due`` should not pay:
the top-level group knows each command's module and short help from a static
table (:data:`COMMANDS`) and imports a module only when one of its commands
runs. A test keeps the table in step with the commands' own help.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
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


class LazyCommand:
    """Where a top-level command lives, and its short help for ``procflow --help``.

    A plain class: a NamedTuple or dataclass would be built by generated code
    at import, which every ``procflow`` run pays."""

    __slots__ = ("help", "module")

    def __init__(self, module: str, help: str) -> None:
        self.module = module
        """The module whose ``register(cli)`` adds the command."""
        self.help = help
        """The first sentence of the command's help (kept equal to it by a test)."""


#: Every top-level command: name -> module and short help. A module adds its
#: commands with ``register(group)``; the lazy group calls it on a scratch
#: group the first time one of them is needed.
COMMANDS: dict[str, LazyCommand] = {
    "calendar": LazyCommand(
        "procflow.cli.calendar",
        "Working days, holidays and deadlines on Viet Nam's public-sector calendar.",
    ),
    "checkpoint": LazyCommand(
        "procflow.cli.audit",
        "Write a checkpoint of DB's log: its size, root hash and time, signed.",
    ),
    "compare": LazyCommand(
        "procflow.cli.simulate",
        "Run the same simulated dossiers through two versions A and B of a procedure.",
    ),
    "diagram": LazyCommand(
        "procflow.cli.visual",
        "Draw a procedure (swimlanes per agency, hand-offs, allotted times, applicant "
        "steps, critical path), or with --dossier one dossier's path and where its time went.",
    ),
    "diff": LazyCommand(
        "procflow.cli.versions",
        "What changed between two versions of a procedure: OLD and NEW are procedure "
        "files, or ID@VERSION with --procedures.",
    ),
    "dossier": LazyCommand(
        "procflow.cli.dossier",
        "Receive, move and inspect dossiers in a procflow database.",
    ),
    "export": LazyCommand(
        "procflow.cli.export",
        "Export DB's event log as XES (IEEE 1849), OCEL 2.0 JSON or a pm4py-style CSV.",
    ),
    "list": LazyCommand(
        "procflow.cli.library",
        "List the procedures under PATHS: id, code, name, time limit, agencies, legal basis.",
    ),
    "migrate": LazyCommand(
        "procflow.cli.versions",
        "Move the open dossiers of a procedure version to a new version, following the "
        "MAPPING file (old step: new step).",
    ),
    "recalc": LazyCommand(
        "procflow.cli.versions",
        "After a calendar change (a new swap or extra day off, given with --calendar), "
        "list the open dossiers whose due dates move and by how much; with --apply, record "
        "the new due dates (the appointment already given stays recorded beside the new one).",
    ),
    "worklist": LazyCommand(
        "procflow.cli.worklist",
        "Open dossiers held by an agency, at a role's steps or assigned to an officer, "
        "soonest deadline first; one page at a time.",
    ),
    "register": LazyCommand(
        "procflow.cli.register",
        "The dossier register (sổ theo dõi hồ sơ) of DB: one row per dossier received.",
    ),
    "keygen": LazyCommand(
        "procflow.cli.audit",
        "Make an Ed25519 key pair for signing checkpoints: STEM.key and STEM.pub.",
    ),
    "notify": LazyCommand(
        "procflow.cli.notify",
        "Deliver DB's notifications by e-mail, webhook or file, each at least once.",
    ),
    "prove": LazyCommand(
        "procflow.cli.audit",
        "Print dossier CODE's events with inclusion proofs against a checkpoint (JSON).",
    ),
    "report": LazyCommand(
        "procflow.cli.report",
        "On-time rates, per-agency accountability, bottlenecks and scores of DB.",
    ),
    "schema": LazyCommand(
        "procflow.cli.definition",
        "Print the JSON Schema of procedure, scenario, simulation or calendar files (for editors).",
    ),
    "sheet": LazyCommand(
        "procflow.cli.visual",
        "The public procedure sheet (niêm yết công khai): name, code, where to submit, "
        "time limit, steps, documents, fees, legal basis.",
    ),
    "show": LazyCommand(
        "procflow.cli.definition",
        "Describe one procedure: agencies, steps, times and the critical path.",
    ),
    "simulate": LazyCommand(
        "procflow.cli.simulate",
        "Run simulated dossiers through PROCEDURE under SCENARIO on the real engine.",
    ),
    "sweep": LazyCommand(
        "procflow.cli.dossier",
        "Emit warnings and overdue events for deadlines near or past (safe to repeat).",
    ),
    "test": LazyCommand(
        "procflow.cli.testing",
        "Run scenario files (or every scenario under folders) and report.",
    ),
    "validate": LazyCommand(
        "procflow.cli.definition",
        "Check procedure files (or folders of them) and report every problem.",
    ),
    "verify": LazyCommand(
        "procflow.cli.dossier",
        "Check the hash chain of every dossier and that replay equals stored state.",
    ),
    "verify-proof": LazyCommand(
        "procflow.cli.audit",
        "Check a proof from procflow prove, offline: signature, hashes, inclusion.",
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
    """The error handling every command runs under (subgroups included: their
    commands run inside this group's :meth:`invoke`)."""

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


# Commands each module registered, by module: a module is imported and
# registered once, whichever of its commands is asked for first.
_registered: dict[str, Mapping[str, click.Command]] = {}


def load_command(name: str, table: Mapping[str, LazyCommand] = COMMANDS) -> click.Command:
    """Import the module of command ``name`` and return the command it registers."""
    module_name = table[name].module
    commands = _registered.get(module_name)
    if commands is None:
        module = importlib.import_module(module_name)
        scratch = click.Group(name="procflow")
        module.register(scratch)
        commands = _registered[module_name] = dict(scratch.commands)
    command = commands.get(name)
    if command is None:  # a programming error: the table and the module disagree
        raise RuntimeError(f"{module_name}.register() adds no command {name!r}")
    return command


class _LazyGroup(_Group):
    """A group whose commands are imported when first used (see :data:`COMMANDS`)."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy:
            command = load_command(cmd_name, self.lazy)
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the static table for the commands
        not loaded yet (so that ``--help`` imports none of them)."""
        shown: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                command = click.Command(name, help=self.lazy[name].help)
            if not command.hidden:
                shown.append((name, command))
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in shown])


@click.group(
    cls=_LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="procflow")
def cli() -> None:
    """Run administrative procedures as state machines held to their legal deadlines."""


def _register() -> None:
    """Load every command now (for tests and tools that read ``cli.commands``)."""
    for name in COMMANDS:
        cli.get_command(click.Context(cli), name)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="procflow")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
