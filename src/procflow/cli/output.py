"""Shared output helpers: every command prints for people or, with
``--format json``, for machines, through the same two functions; errors go
through :func:`fail`, files a command writes through :func:`output_file`,
and progress bars through :func:`progress`.

Light on purpose: ``procflow --help`` imports this module (for
:func:`wants_json`), so rich, json, pathlib, tempfile and decimal are
imported where they are used, not here.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from procflow.errors import ProcflowError

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from procflow.catalogue import Catalogue
    from procflow.store.base import Store

_F = TypeVar("_F", bound=Callable[..., Any])


def output_option(
    help: str = "Write to FILE (default: standard output).", *, as_path: bool = False
) -> Callable[[_F], _F]:
    """The ``-o/--output FILE`` option every command that writes a file shares
    (the file, not a folder); ``as_path`` hands the command a :class:`Path`."""
    import pathlib

    kind = (
        click.Path(dir_okay=False, path_type=pathlib.Path)
        if as_path
        else click.Path(dir_okay=False)
    )
    return click.option("-o", "--output", type=kind, default=None, help=help)


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)


PIPE_WIDTH = 200
"""Columns of text written to a file or a pipe (no terminal, no ``COLUMNS``):
rich would lay tables out in 80 and cut what does not fit with an ellipsis
(an officer's id, a hash, a step's name), which a file should keep."""


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(stderr=stderr, highlight=False, soft_wrap=True, width=PIPE_WIDTH)
    return out


def _default(obj: Any) -> Any:
    from decimal import Decimal

    if isinstance(obj, datetime | date | time):
        return obj.isoformat()
    if isinstance(obj, timedelta):
        return obj.total_seconds()
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    to_dict = getattr(obj, "to_dict", None) or getattr(obj, "model_dump", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def dumps(data: Any) -> str:
    import json

    return json.dumps(data, default=_default, ensure_ascii=False, indent=2)


def emit(fmt: str, data: Any, render: Callable[[Console], None]) -> None:
    """Print ``data`` as JSON, or call ``render`` for the human form."""
    if fmt == "json":
        sys.stdout.write(dumps(data) + "\n")
    else:
        render(console())


def wants_json(args: Sequence[str]) -> bool:
    """Whether a command line asks for ``--format json`` (so errors are JSON too)."""
    for i, arg in enumerate(args):
        if arg == "--":
            return False
        if arg == "--format=json" or (arg == "--format" and args[i + 1 : i + 2] == ["json"]):
            return True
    return False


def fail(message: str, *, kind: str, as_json: bool, details: dict[str, Any] | None = None) -> None:
    """Report a user mistake: ``error: message`` on standard error or, for
    ``--format json``, ``{"ok": false, "error": {...}}`` on standard output
    (where the command's JSON would have gone). The caller sets the exit code."""
    if as_json:
        error: dict[str, Any] = {"type": kind, "message": message, **(details or {})}
        sys.stdout.write(dumps({"ok": False, "error": error}) + "\n")
    else:
        click.echo(f"error: {message}", err=True)


def warn_if_nothing_matched(matched: int, store: Store, filters: dict[str, str | None]) -> None:
    """Say so on stderr when filters left nothing of a ``store`` that has dossiers.

    An empty report after a typo in ``--procedure`` looks like a desk with
    no dossiers; this names the filters to check. (Not an error: an agency
    may truly have had nothing in a period.)
    """
    given = {name: value for name, value in filters.items() if value}
    if matched or not given or next(iter(store.codes()), None) is None:
        return
    shown = ", ".join(f"{name} {value!r}" for name, value in given.items())
    period = " and the period" if {"--from", "--to"} & given.keys() else ""
    click.echo(
        f"note: no dossier in the database matched {shown}; check the ids "
        f"(procflow list PROCEDURES shows the procedure ids and agencies){period}",
        err=True,
    )


@contextlib.contextmanager
def output_file(path: str | Path, *, newline: str | None = None) -> Iterator[IO[str]]:
    """A text stream for the file a command writes (``-o FILE``).

    The text goes to a temporary file beside ``path`` that replaces it only
    when the block ends without error: a failed command leaves no
    half-written file, and an existing file as it was.
    """
    from pathlib import Path

    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ProcflowError(
            f"{target}: cannot write it, the folder {folder} {what}; "
            "create the folder first or give another path"
        )
    if target.is_dir():
        raise ProcflowError(f"{target} is a folder; give the path of a file to write")
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ProcflowError(
            f"{target}: cannot write in {folder} ({exc.strerror}); check its permissions "
            "or give another path"
        ) from None
    try:
        with open(fd, "w", encoding="utf-8", newline=newline) as stream:
            yield stream
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode(target: Path) -> int:
    """The permissions the written file gets: the old file's, or the usual ones."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_output(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once (see :func:`output_file`)."""
    with output_file(path) as stream:
        stream.write(text)


class Advance:
    """Moves a progress bar: ``advance(n)`` adds ``n`` done; ``advance.to(done)``
    sets the count done, for library callbacks that report a running total
    (``Simulation.run(progress=...)``, ``on_progress=`` of reports, migrations
    and recalculations). A disabled bar makes both do nothing."""

    def __init__(self, update: Callable[[int], None] | None = None) -> None:
        self._update = update
        self.done = 0

    def __call__(self, n: int = 1) -> None:
        self.to(self.done + n)

    def to(self, done: int) -> None:
        if done != self.done:
            self.done = done
            if self._update is not None:
                self._update(done)


@contextlib.contextmanager
def progress(
    label: str, total: int | None = None, *, enabled: bool = True, unit: str = "dossiers"
) -> Iterator[Advance]:
    """A progress bar on standard error while the block runs, removed at its end.

    Drawn only when standard error is a terminal and ``enabled`` (commands
    pass ``enabled=False`` for ``--format json``): a pipe, a log file or a
    program reading the output sees nothing extra. ``total`` None (not known
    in advance) shows a running count instead of a fraction.
    """
    if not enabled or not _stderr_is_terminal():
        yield Advance()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    count = MofNCompleteColumn() if total else TextColumn(f"{{task.completed}} {unit}")
    bar = Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        count,
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
        # rich would otherwise route standard output through the bar's console
        # (standard error) while it runs: an export to stdout would land in stderr.
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield Advance(lambda done: bar.update(task, completed=done))


def _stderr_is_terminal() -> bool:
    # rich's own test, so that the bar shows exactly where rich would draw it
    # (it also honours FORCE_COLOR / TTY_COMPATIBLE and friends).
    return console(stderr=True).is_terminal


def procedure_folders(given: Sequence[str | Path], what: str) -> list[Path]:
    """The procedure folders a command looks in: ``given`` (``--procedures``),
    else ``./procedures``.

    Commands are meant to run from the repository root (README). Run from
    elsewhere without ``--procedures``, the error says what was being looked
    up (``what``), where, and the two ways out, instead of a bare "no such
    file" about a folder the user never named.
    """
    from pathlib import Path

    if given:
        return [Path(p) for p in given]
    default = Path("procedures")
    if default.is_dir():
        return [default]
    raise ProcflowError(
        f"{what}: looked for the procedures in ./procedures ({default.resolve()}) and did not "
        "find that folder; run procflow from the repository root, or pass --procedures DIR "
        "(a folder of procedure YAML files)"
    )


def parse_date(value: str | None, hint: str) -> date | None:
    """A ``YYYY-MM-DD`` option's date (None when not given), or a usage error
    naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=hint
        ) from None


def names_catalogue(given: Sequence[str]) -> Catalogue | None:
    """The procedures that give a command's output its names: those under
    ``--procedures``, else ``./procedures`` when there is one, else None (the
    output is complete without them, with ids). ``PROCFLOW_CACHE_DIR`` is
    honoured as by the other commands."""
    from pathlib import Path

    from procflow.catalogue import Catalogue

    paths = [Path(p) for p in given]
    if not paths and Path("procedures").is_dir():
        paths = [Path("procedures")]
    if not paths:
        return None
    return Catalogue.from_paths(paths, cache_dir=os.environ.get("PROCFLOW_CACHE_DIR") or None)
