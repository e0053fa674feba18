"""``procflow dossier ...``, ``procflow sweep`` and ``procflow verify``: the engine
on a database file.

Every engine operation a one-stop desk needs has its verb here (receive,
guide, refuse, fire, set-facts, apologise, show, history), so the command
line can do what the library does. The module imports only click, rich and
procflow's light modules at load time: the engine, store, catalogue and
calendar are imported inside the commands, so that ``procflow --help`` and
commands of other modules do not pay for them.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from procflow.cli.output import FORMAT_OPTION, emit, progress
from procflow.errors import ProcflowError

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.engine import Actor, Dossier, Engine

#: Most characters of ``--applicant``: the applicant's particulars (name,
#: address, identity number...) fit easily; more is a mistake.
APPLICANT_MAX_CHARS = 16_384

#: Fact names as the procedure language writes them in ``when:``/``unless:``.
_FACT_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")


def _utf8(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Refuse text that cannot be stored: bytes that are not UTF-8 on the command
    line reach Python as lone surrogates, which the event log's serializer
    cannot write. (A callback, not a ParamType: that is generic only in newer
    click versions.)"""
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, str) and not _encodable(text):
            shown = text.encode("utf-8", "backslashreplace").decode()
            raise click.BadParameter(
                f"'{shown}' is not valid UTF-8 text; check the terminal's encoding "
                "(a UTF-8 locale) and type it again",
                ctx=ctx,
                param=param,
            )
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _calendar_files(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Check ``--calendar`` values (FILE or NAME=FILE) when the command line is
    read: a missing file is a usage error, not a traceback."""
    from procflow.calendar.named import split_calendar_options

    try:
        split_calendar_options(value)
    except ProcflowError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def _named_calendars(calendars: Iterable[str]) -> tuple[list[str], dict[str, list[Path]]]:
    """The default calendar's overlays and the named calendars' files."""
    from procflow.calendar.named import split_calendar_options

    files = split_calendar_options(list(calendars))
    plain = [str(p) for p in files.pop(None)]
    return plain, {name: paths for name, paths in files.items() if name is not None}


def _engine_options(f: Any) -> Any:
    f = click.option(
        "--at",
        "at",
        default=None,
        metavar="ISO-TIME",
        help="Act as if it were this instant (for back-office entry and demos).",
    )(f)
    f = click.option(
        "--calendar",
        "calendars",
        multiple=True,
        metavar="FILE|NAME=FILE",
        callback=_calendar_files,
        help=(
            "Calendar overlay laid over the national one (repeatable). NAME=FILE: a "
            "named calendar, the national one with FILE over it, for the procedures "
            "and agencies that say calendar: NAME (a province's days off, an agency's "
            "office hours)."
        ),
    )(f)
    f = click.option(
        "--procedures",
        "procedures",
        multiple=True,
        type=click.Path(exists=True),
        help="Procedure file or folder (repeatable; default ./procedures).",
    )(f)
    return f


def _actor_options(f: Any) -> Any:
    f = click.option("--role", default=None, callback=_utf8, help="The officer's role.")(f)
    f = click.option(
        "--agency", required=True, callback=_utf8, help="The agency the officer acts for."
    )(f)
    f = click.option(
        "--actor", "actor_id", required=True, callback=_utf8, help="The officer's id."
    )(f)
    return f


def _applicant_option(f: Any) -> Any:
    return click.option(
        "--applicant",
        default=None,
        callback=_utf8,
        metavar="JSON",
        help='Applicant as a JSON object, e.g. \'{"name": "..."}\'.',
    )(f)


def _fact_option(required: bool = False) -> Callable[[Any], Any]:
    return click.option(
        "--fact",
        "facts",
        multiple=True,
        required=required,
        callback=_utf8,
        metavar="NAME=true|false",
        help="A fact that steers the procedure's when:/unless: branches (repeatable).",
    )


def _parse_time(text: str, option: str) -> datetime:
    """An instant from the command line; without a zone, Vietnam's time."""
    from procflow.engine.clock import VIETNAM

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO time; write e.g. 2026-03-03T09:30", param_hint=option
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else _parse_time(text, "--at")


def _procedure_paths(procedures: tuple[str, ...]) -> list[str]:
    """The procedures to load: those given, or ``./procedures``; run away from
    the repository root without ``--procedures``, the error says where it
    looked and what to do."""
    from procflow.cli.output import procedure_folders

    ctx = click.get_current_context(silent=True)
    command = ctx.command_path if ctx is not None else "procflow"
    return [str(p) for p in procedure_folders(procedures, command)]


class _Deferred:
    """An object built on first attribute access.

    Read-only commands (``show``, ``history``, ``verify``) hand the engine a
    catalogue and a calendar they may never touch: building the national
    calendar costs about a quarter of a CPU second, more than the rest of
    ``dossier show``. Only attribute access is forwarded, which is all the
    engine does with either.
    """

    def __init__(self, build: Callable[[], object]) -> None:
        self._build = build
        self._value: object | None = None

    def __getattr__(self, name: str) -> Any:
        # Only called for names the instance lacks; never for its own two.
        if name.startswith("__"):
            raise AttributeError(name)
        if self._value is None:
            self._value = self._build()
        return getattr(self._value, name)


def _open(
    db: str,
    procedures: tuple[str, ...],
    calendars: tuple[str, ...],
    at: str | None,
    create: bool = False,
    *,
    defer: bool = False,
) -> Engine:
    """The engine on ``db``; with ``defer``, procedures and calendar are loaded
    only if the command uses them (see :class:`_Deferred`)."""
    from procflow.engine import SystemClock, VirtualClock

    instant = _instant(at)
    clock = VirtualClock(instant) if instant else SystemClock()
    paths = _procedure_paths(procedures)
    if defer:
        engine = _deferred_engine(db, paths, calendars, clock)
    else:
        from procflow.runtime import open_engine

        engine = open_engine(db, procedures=paths, calendars=calendars, clock=clock, create=create)
    if instant is not None:
        from procflow.cli.calendar import check_in_calendar

        try:
            local = instant.astimezone(engine.calendar.tz)
            check_in_calendar(engine.calendar, local.date(), "--at")
        except ProcflowError:
            engine.store.close()
            raise
    return engine


def _deferred_engine(
    db: str, paths: Iterable[str], calendars: tuple[str, ...], clock: Any
) -> Engine:
    """An engine on an existing ``db`` whose catalogue and calendar are built
    as :func:`procflow.runtime.open_engine` builds them, when first used."""
    from procflow.engine import Engine
    from procflow.store.url import open_store

    def catalogue() -> Catalogue:
        from procflow.catalogue import Catalogue

        cache_dir = os.environ.get("PROCFLOW_CACHE_DIR") or None
        return Catalogue.from_paths(list(paths), cache_dir=cache_dir)

    plain, named = _named_calendars(calendars)

    def calendar(files: list[str] | list[Path]) -> Callable[[], WorkCalendar]:
        def build() -> WorkCalendar:
            from procflow.calendar import WorkCalendar

            return WorkCalendar.vietnam(list(files) or None)

        return build

    store = open_store(db, mode="read")  # nothing is written, nothing created
    return Engine(
        store,
        cast("Catalogue", _Deferred(catalogue)),
        cast("WorkCalendar", _Deferred(calendar(plain))),
        clock,
        calendars={
            name: cast("WorkCalendar", _Deferred(calendar(files))) for name, files in named.items()
        },
    )


def _new_file(db: str) -> Path | None:
    """The SQLite file ``db`` names, if it does not exist yet (a command may create it)."""
    from procflow.store.url import sqlite_file

    path = sqlite_file(db)
    return path if path is not None and not path.exists() else None


def _discard(engine: Engine | None, path: Path) -> None:
    """Remove the database file a failed command created, if it holds no dossier
    (so that a mistyped procedure or agency leaves no empty database behind)."""
    if engine is not None:
        try:
            empty = next(iter(engine.store.codes()), None) is None
        finally:
            engine.store.close()
        if not empty:
            return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _with_engine(
    create: bool = False, defer: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the DB argument and the engine options, and call it with
    the opened :class:`Engine` in their place (one place for all commands).
    Only commands that ``create`` may start a new database file; read-only
    commands ``defer`` loading what they may not need."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def run(
            db: str,
            procedures: tuple[str, ...],
            calendars: tuple[str, ...],
            at: str | None,
            **kwargs: Any,
        ) -> None:
            new = _new_file(db) if create else None
            engine: Engine | None = None
            try:
                engine = _open(db, procedures, calendars, at, create, defer=defer)
                command(engine, **kwargs)
            except BaseException:
                if new is not None and new.exists():
                    _discard(engine, new)
                    engine = None
                raise
            finally:
                if engine is not None:
                    engine.store.close()

        # Click lists a command's parameters in the reverse order of
        # decoration: DB, added last, comes first.
        return click.argument("db")(_engine_options(run))  # type: ignore[no-any-return]

    return decorate


# --- what the command line gives ----------------------------------------------------


def _actor(actor_id: str, agency: str, role: str | None) -> Actor:
    from procflow.engine import Actor

    return Actor(actor_id, agency, role)


def _json_depth(text: str) -> int:
    """How deeply the objects and lists of JSON ``text`` nest (strings skipped).

    Measured before parsing: the parser recurses once per level, and 20,000
    levels end in a RecursionError rather than an error message.
    """
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is too large for a JSON number")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _check_json_text(value: Any, option: str) -> None:
    """Refuse strings the event log cannot store: a lone surrogate such as
    ``"\\ud800"`` is valid JSON but not valid Unicode text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not _encodable(item):
            shown = item.encode("utf-8", "backslashreplace").decode()[:40]
            raise click.BadParameter(
                f"'{shown}' is not valid Unicode text (an unpaired surrogate such as "
                "\\ud800); write the character itself or its full surrogate pair",
                param_hint=option,
            )


def _applicant(text: str | None) -> dict[str, Any]:
    """``--applicant``: a JSON object of the applicant's particulars, held to
    what the engine stores (:mod:`procflow.model.payload`), so that a mistake
    ends with a message naming the option rather than a traceback."""
    from procflow.errors import RuleViolation
    from procflow.model.payload import MAX_DEPTH, check_payload

    if not text:
        return {}
    option = "--applicant"
    # Measured before parsing: the parser recurses once per level, and 20,000
    # levels end in a RecursionError (300 in the event log's serializer).
    depth = _json_depth(text)
    if depth > MAX_DEPTH + 1:
        raise click.BadParameter(
            f"the JSON nests {depth:,} levels deep; at most {MAX_DEPTH} levels below the "
            'top object are accepted, e.g. \'{"name": "...", "address": {"commune": "..."}}\'',
            param_hint=option,
        )
    if len(text) > APPLICANT_MAX_CHARS:
        raise click.BadParameter(
            f"{len(text):,} characters is too long; at most {APPLICANT_MAX_CHARS:,} are "
            "accepted (the applicant's particulars: name, address, identity number...)",
            param_hint=option,
        )
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=option) from None
    except (ValueError, RecursionError) as exc:
        raise click.BadParameter(f"not usable JSON: {exc}", param_hint=option) from None
    if not isinstance(value, dict):
        raise click.BadParameter(
            f'{text[:60]!r} is not a JSON object; write it as \'{{"name": "..."}}\'',
            param_hint=option,
        )
    _check_json_text(value, option)
    try:
        check_payload("applicant", value)
    except RuleViolation as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    return value


def _facts(values: Iterable[str]) -> dict[str, bool]:
    """``--fact NAME=true|false``, each fact once, named as ``when:`` names it."""
    facts: dict[str, bool] = {}
    for fact in values:
        name, _, value = fact.partition("=")
        if not name or value.lower() not in ("true", "false"):
            raise click.BadParameter(
                f"{fact!r}: write NAME=true or NAME=false", param_hint="--fact"
            )
        if not _FACT_NAME.fullmatch(name):
            raise click.BadParameter(
                f"{fact!r}: {name!r} is not a fact name; facts are named as the procedure's "
                "when:/unless: name them (lower-case a-z, digits, '-' and '_', starting with "
                "a letter), e.g. needs_verification=true",
                param_hint="--fact",
            )
        if name in facts:
            raise click.BadParameter(
                f"{name!r} is given twice; give each fact once", param_hint="--fact"
            )
        facts[name] = value.lower() == "true"
    return facts


def _note_unused_facts(
    engine: Engine, procedure_id: str, version: str, names: Iterable[str]
) -> None:
    """Say on stderr which facts steer no branch of the procedure: a misspelt
    fact is recorded without effect, which looks like success."""
    proc = engine.catalogue.get(procedure_id, version)
    used = {n for t in proc.transitions for n in (t.when, t.unless) if n}
    # facts also decide which documents are asked for and which fees are charged
    p = proc.procedure
    used.update(n for d in p.documents for n in (d.when, d.unless) if n)
    used.update(n for f in p.fees for n in (f.when, f.unless) if n)
    # and which time limit, allotment or share applies (durations' cases)
    used.update(p.case_facts)
    unused = sorted(set(names) - used)
    if unused:
        known = ", ".join(sorted(used)) or "none"
        click.echo(
            f"note: {procedure_id}@{version} has no when:/unless: branch on "
            f"{', '.join(unused)}; recorded, but it steers nothing (facts it branches on: "
            f"{known})",
            err=True,
        )


def _document(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """``--document NAME[:form[:copies]]``: a plain name (the document as the
    procedure asks for it), or a dict with the form and copies handed in.

    Only a known form after the last ``:`` (and a number after it) is split
    off, so a name that contains ``:`` stays whole."""
    from procflow.engine.documents import FORMS

    _utf8(ctx, param, value)
    out: list[str | dict[str, Any]] = []
    for text in value:
        name, copies = text, None
        head, sep, tail = name.rpartition(":")
        if sep and tail.strip().isdigit() and head.rpartition(":")[2].strip() in FORMS:
            name, copies = head, int(tail)
            if copies < 1:
                raise click.BadParameter(
                    f"{text!r}: give 1 or more copies, e.g. 'Bản vẽ:copy:2'", ctx, param
                )
        head, sep, tail = name.rpartition(":")
        form = tail.strip() if sep and tail.strip() in FORMS else None
        if form is not None:
            name = head
        if not name.strip():
            raise click.BadParameter(
                f"{text!r}: name the document, e.g. 'Giấy chứng sinh:original'", ctx, param
            )
        if form is None and copies is None:
            out.append(name.strip())
        else:
            entry: dict[str, Any] = {"name": name.strip()}
            if form is not None:
                entry["form"] = form
            if copies is not None:
                entry["copies"] = copies
            out.append(entry)
    return tuple(out)


_document_option = click.option(
    "--document",
    "documents",
    multiple=True,
    callback=_document,
    metavar="NAME[:FORM[:COPIES]]",
    help="A document handed in, by name or id (repeatable); FORM is original, "
    "certified_copy, copy or original_or_copy (default: as the procedure asks), "
    "e.g. 'Giấy chứng sinh:original' or 'Bản vẽ:copy:2'.",
)


def _refuse_missing(exc: Any, fmt: str) -> None:
    """A receipt refused for missing documents: what is missing, then exit 1
    (``--format json``: the error object with the ``missing`` list)."""
    from procflow.cli.output import fail

    details = {
        "missing": [m.to_dict() for m in exc.missing],
        "unknown": list(exc.unknown),
    }
    fail(str(exc), kind=type(exc).__name__, as_json=fmt == "json", details=details)
    if fmt != "json":
        click.echo("missing (thành phần hồ sơ còn thiếu):", err=True)
        for item in exc.missing:
            click.echo(f"  - {item.describe()}", err=True)
        click.echo(
            "hint: procflow dossier guide with the same --document and --fact options "
            "gives the applicant the supplement request",
            err=True,
        )
    raise click.exceptions.Exit(1)


def _reason(text: str, example: str) -> str:
    """``--reason``, which the slip prints to the applicant: never blank."""
    if not text.strip():
        raise click.BadParameter(
            f"give the reason in words, e.g. {example!r}", param_hint="--reason"
        )
    return text


# --- output ------------------------------------------------------------------------------


def _dt(value: datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def _form(slip: Any) -> str:
    """`` — Mẫu số 01, Thông tư 03/2025/TT-VPCP``: the form a slip is, by its date."""
    if slip.legal_basis is None:
        return ""
    if slip.form is None:
        return f" — no prescribed form under Thông tư {slip.legal_basis}"
    return f" — Mẫu số {slip.form}, Thông tư {slip.legal_basis}"


def _unconfirmed(console: Console, days: Iterable[Any], years: Iterable[int] = ()) -> None:
    """The unconfirmed calendar days a slip's dates rest on, with their source,
    and the years no calendar file records yet."""
    days = list(days)
    if days:
        console.print("  [yellow]the dates rest on unconfirmed calendar day(s):[/]")
        for day in days:
            console.print(f"    - {escape(day.describe())}")
    years = list(years)
    if years:
        from procflow.calendar.unconfirmed import describe_unrecorded

        console.print(
            f"  [yellow]the dates rest on {escape(describe_unrecorded(years))}[/]: they may "
            "move when the Prime Minister's decision is recorded (procflow calendar show, "
            "docs/calendar.md)"
        )


def _moves_text(triggers: Iterable[str], label: Callable[[str], str]) -> str:
    """``forward (Chuyển xử lý), refuse (Từ chối giải quyết)``: the trigger is what
    one types, the words are what the move is called at the desk."""
    return ", ".join(f"{t} ({escape(label(t))})" for t in triggers)


def _shares_and_result(console: Console, slip: Any) -> None:
    """The control slip's per-agency figures (working time across each agency's
    steps against its share: what it is charged) and the result's two instants,
    with the applicant's collection time when collected after the due date."""
    if slip.agencies:
        table = Table(title="Agencies against their shares (what each is charged)")
        for col in ("agency", "steps", "used h", "share h", "over-run h", "status", "share from"):
            table.add_column(col)
        for a in slip.agencies:
            share = f"{a.share_seconds / 3600:g}" if a.share_seconds is not None else "-"
            status = a.timeliness.value if a.timeliness else "not judged"
            table.add_row(
                a.agency,
                str(a.steps),
                f"{round(a.used_seconds / 3600, 4):g}",
                share,
                f"{round(a.overrun_seconds / 3600, 4):g}",
                status + (" (holding)" if a.holding else ""),
                a.share_from or "",
            )
        console.print(table)
    calendars = getattr(slip, "calendars", None)
    if calendars:
        # Several calendars in one engine: which one each agency's figures used.
        each = ", ".join(f"{escape(a)}: {escape(c)}" for a, c in calendars.items())
        console.print(
            f"calendars: statutory due date on {escape(str(slip.statutory_calendar))}; {each}"
        )
    if slip.ready_at is not None or slip.returned_at is not None:
        counts = f" (rules.result_counts: {slip.result_counts})" if slip.result_counts else ""
        console.print(
            f"result ready at the desk: {_dt(slip.ready_at) or '-'}; "
            f"handed over: {_dt(slip.returned_at) or '-'}{counts}"
        )
    if slip.collection_seconds is not None:
        console.print(
            f"collected after the due date: the result waited "
            f"{round(slip.collection_seconds / 3600, 4):g} working hours for the applicant "
            "(charged to no agency)"
        )


def _dossier_table(console: Console, data: dict[str, Any]) -> None:
    from procflow.contrib.labels import timeliness_text

    table = Table(title=f"Hồ sơ {data['code']}", show_header=False)
    for key in (
        "procedure_id",
        "procedure_version",
        "state",
        "status",
        "outcome",
        "timeliness",
        "received_at",
        "due_at",
        "paused_at",
        "supplements",
        "version",
    ):
        if data.get(key) not in (None, ""):
            value = str(data[key])
            table.add_row(key, timeliness_text(value) if key == "timeliness" else value)
    apps = data.get("appointments") or []
    if apps:
        why = {"resumed": " (after the supplement)", "recalculated": " (calendar changed)"}
        note = why.get(apps[-1].get("kind") or "", " (after apology)" if len(apps) > 1 else "")
        table.add_row("appointment", apps[-1]["due_at"] + note)
    console.print(table)


def _stop_notice(console: Console, notice: Any) -> None:
    """The notice to stop processing of a stopped or withdrawn dossier."""
    cause = "withdrawn at the applicant's request" if notice.cause == "withdrawn" else "stopped"
    console.print(f"[bold]Thông báo dừng giải quyết hồ sơ[/] — {notice.code}{_form(notice)}")
    console.print(f"  {cause} at step {notice.step}, {_dt(notice.issued_at)}")
    if notice.reason:
        console.print(f"  reason: {escape(notice.reason)}")
    console.print(f"  by {escape(notice.signed_by)}")


def _facts_text(facts: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(facts.items())) or "none"


def register(cli: click.Group) -> None:
    @cli.group()
    def dossier() -> None:
        """Receive, move and inspect dossiers in a procflow database."""

    @dossier.command("receive")
    @_with_engine(create=True)
    @click.argument("procedure", callback=_utf8)
    @_actor_options
    @_applicant_option
    @_fact_option()
    @_document_option
    @click.option(
        "--check-documents/--no-check-documents",
        "check_documents",
        default=None,
        help="Check the --document options against the documents the procedure requires "
        "for the facts, and refuse the dossier with the list of what is missing "
        "(default: the procedure's rules.check_documents).",
    )
    @click.option(
        "--version",
        "version",
        default=None,
        callback=_utf8,
        help="Receive under this version (default: the one in force); it must be in force "
        "too, unless --version-override gives the ground.",
    )
    @click.option(
        "--version-override",
        default=None,
        callback=_utf8,
        metavar="GROUND",
        help="The legal ground for receiving under a --version outside its effective window "
        "(e.g. a court-ordered re-receipt); recorded on the receipt event.",
    )
    @FORMAT_OPTION
    def receive(
        engine: Engine,
        procedure: str,
        actor_id: str,
        agency: str,
        role: str | None,
        applicant: str | None,
        facts: tuple[str, ...],
        documents: tuple[str | dict[str, Any], ...],
        check_documents: bool | None,
        version: str | None,
        version_override: str | None,
        fmt: str,
    ) -> None:
        """Receive a complete dossier; prints the receipt-and-appointment slip.

        With --check-documents (or the procedure's rules.check_documents) a
        dossier lacking a required document is refused: nothing is written,
        what is missing is printed (exit code 1), and ``procflow dossier guide``
        with the same --document and --fact options gives the supplement request."""
        from procflow.errors import MissingDocuments

        who = _applicant(applicant)
        parsed_facts = _facts(facts)
        if version_override is not None and not version_override.strip():
            raise click.BadParameter(
                "give the legal ground, e.g. 'court judgment 12/2026/HC-ST'",
                param_hint="--version-override",
            )
        try:
            slip = engine.receive(
                procedure,
                actor=_actor(actor_id, agency, role),
                applicant=who,
                documents=list(documents),
                facts=parsed_facts,
                version=version,
                version_override=version_override,
                check_documents=check_documents,
            )
        except MissingDocuments as exc:
            _refuse_missing(exc, fmt)
            return
        if parsed_facts:
            _note_unused_facts(engine, slip.procedure_id, slip.procedure_version, parsed_facts)

        def render(console: Console) -> None:
            console.print(
                f"[bold]Giấy tiếp nhận hồ sơ và hẹn trả kết quả[/] — {slip.code}{_form(slip)}"
            )
            console.print(f"  {escape(slip.procedure_name)} ({escape(slip.time_limit_shown)})")
            console.print(f"  received {_dt(slip.received_at)} by {escape(slip.received_by)}")
            if slip.clock_starts_at is not None and slip.clock_starts_at != slip.received_at:
                console.print(
                    f"  counted as received {_dt(slip.clock_starts_at)} (outside office hours)"
                )
            console.print(f"  [bold]appointment: {_dt(slip.appointment)}[/]")
            for fee in slip.fees:
                basis = f" — {escape(fee.basis)}" if fee.basis else ""
                console.print(f"  fee: {escape(fee.name)}: {fee.amount:,} {fee.currency}{basis}")
            _unconfirmed(console, slip.unconfirmed_days, slip.unrecorded_years)

        emit(fmt, slip.to_dict(), render)

    @dossier.command("guide")
    @_with_engine(create=True)
    @click.argument("procedure", callback=_utf8)
    @_actor_options
    @click.option(
        "--missing",
        multiple=True,
        callback=_utf8,
        help="What the applicant must still bring (repeatable); or give --document and "
        "--fact, and the procedure's list of documents says what is missing.",
    )
    @_document_option
    @_fact_option()
    @click.option("--reason", default=None, callback=_utf8, help="Why it is needed (optional).")
    @_applicant_option
    @FORMAT_OPTION
    def guide(
        engine: Engine,
        procedure: str,
        actor_id: str,
        agency: str,
        role: str | None,
        missing: tuple[str, ...],
        documents: tuple[str | dict[str, Any], ...],
        facts: tuple[str, ...],
        reason: str | None,
        applicant: str | None,
        fmt: str,
    ) -> None:
        """An incomplete dossier at reception: prints the written guidance on what
        to supplement (no clock starts; receive it when it comes back complete)."""
        blank = [m for m in missing if not m.strip()]
        if blank:
            raise click.BadParameter(
                "an empty item; name each missing document, e.g. --missing 'Giấy chứng sinh'",
                param_hint="--missing",
            )
        if not missing and not documents and not facts:
            raise click.UsageError(
                "Missing option '--missing': name what the applicant must still bring, or "
                "give what was handed in (--document, and --fact for the dossier's facts) "
                "and the procedure's list of documents says what is missing"
            )
        slip = engine.guide(
            procedure,
            actor=_actor(actor_id, agency, role),
            missing=list(missing),
            reason=reason or None,
            applicant=_applicant(applicant),
            documents=None if missing else list(documents),
            facts=None if missing else _facts(facts),
        )

        def render(console: Console) -> None:
            console.print(
                f"[bold]Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ[/] — {slip.code}{_form(slip)}"
            )
            console.print(f"  {slip.procedure_id}: not received, no clock started; missing:")
            for item in slip.missing:
                console.print(f"    - {escape(item)}")
            if slip.reason:
                console.print(f"  reason: {escape(slip.reason)}")
            console.print(f"  issued {_dt(slip.issued_at)} by {escape(slip.contact_officer)}")

        emit(fmt, slip.to_dict(), render)

    @dossier.command("refuse")
    @_with_engine(create=True)
    @click.argument("procedure", callback=_utf8)
    @_actor_options
    @click.option("--reason", required=True, callback=_utf8, help="Why the desk refuses it.")
    @_applicant_option
    @FORMAT_OPTION
    def refuse(
        engine: Engine,
        procedure: str,
        actor_id: str,
        agency: str,
        role: str | None,
        reason: str,
        applicant: str | None,
        fmt: str,
    ) -> None:
        """Refuse to receive a dossier (e.g. not within the desk's competence);
        prints the refusal slip."""
        slip = engine.refuse_at_reception(
            procedure,
            actor=_actor(actor_id, agency, role),
            reason=_reason(reason, "not within the commune's competence"),
            applicant=_applicant(applicant),
        )

        def render(console: Console) -> None:
            console.print(
                f"[bold]Phiếu từ chối tiếp nhận giải quyết hồ sơ[/] — {slip.code}{_form(slip)}"
            )
            console.print(f"  {slip.procedure_id}: refused at reception")
            console.print(f"  reason: {escape(slip.reason)}")
            console.print(f"  issued {_dt(slip.issued_at)} by {escape(slip.officer)}")

        emit(fmt, slip.to_dict(), render)

    @dossier.command("fire")
    @_with_engine()
    @click.argument("code", callback=_utf8)
    @click.argument("trigger", callback=_utf8)
    @_actor_options
    @click.option("--note", default=None, callback=_utf8)
    @click.option(
        "--missing", multiple=True, callback=_utf8, help="For supplement requests: what is missing."
    )
    @FORMAT_OPTION
    def fire(
        engine: Engine,
        code: str,
        trigger: str,
        actor_id: str,
        agency: str,
        role: str | None,
        note: str | None,
        missing: tuple[str, ...],
        fmt: str,
    ) -> None:
        """Fire TRIGGER on dossier CODE as an officer of AGENCY."""
        result = engine.fire(
            code, trigger, _actor(actor_id, agency, role), note=note, missing=missing
        )
        data = result.to_dict()

        def render(console: Console) -> None:
            from procflow.contrib.labels import move_label

            words = escape(move_label(engine.procedure_of(result).procedure, trigger))
            console.print(f"{code}: {trigger} ({words}) -> [bold]{result.state}[/]")
            if result.outcome in ("stopped", "withdrawn"):
                _stop_notice(console, engine.stop_notice(code))

        emit(fmt, data, render)

    @dossier.command("set-facts")
    @_with_engine()
    @click.argument("code", callback=_utf8)
    @_actor_options
    @_fact_option(required=True)
    @FORMAT_OPTION
    def set_facts(
        engine: Engine,
        code: str,
        actor_id: str,
        agency: str,
        role: str | None,
        facts: tuple[str, ...],
        fmt: str,
    ) -> None:
        """Record facts that steer the procedure's branches (only the agency
        holding the dossier may)."""
        parsed = _facts(facts)
        before = engine.get(code).due_at
        result: Dossier = engine.set_facts(code, parsed, _actor(actor_id, agency, role))
        _note_unused_facts(engine, result.procedure_id, result.procedure_version, parsed)

        def render(console: Console) -> None:
            console.print(
                f"{code}: facts {_facts_text(result.facts)} (at step [bold]{result.state}[/])"
            )
            if result.due_at != before:
                # a time limit with cases: these facts chose another one
                limit = engine.procedure_of(result).procedure.time_limit
                console.print(
                    f"  time limit now {limit}: due {result.due_at:%H:%M %d/%m/%Y} "
                    f"(was {before:%H:%M %d/%m/%Y}); the appointment given stays "
                    f"{result.appointment:%d/%m/%Y} unless the desk gives a new one "
                    "(procflow dossier apologise)"
                )

        emit(fmt, result.to_dict(), render)

    @dossier.command("assign")
    @_with_engine()
    @click.argument("code", callback=_utf8)
    @_actor_options
    @click.option("--officer", default=None, callback=_utf8, help="The officer id to assign it to.")
    @click.option(
        "--to-role", "to_role", default=None, callback=_utf8, help="Or a role of the agency."
    )
    @click.option("--note", default=None, callback=_utf8)
    @FORMAT_OPTION
    def assign(
        engine: Engine,
        code: str,
        actor_id: str,
        agency: str,
        role: str | None,
        officer: str | None,
        to_role: str | None,
        note: str | None,
        fmt: str,
    ) -> None:
        """Assign dossier CODE to an officer (or a role) of the agency holding it,
        or reassign it; with neither --officer nor --to-role, clear the assignment."""
        result = engine.assign(
            code, _actor(actor_id, agency, role), officer=officer, role=to_role, note=note
        )

        def render(console: Console) -> None:
            who = result.assignee or (
                f"role {result.assigned_role}" if result.assigned_role else "nobody"
            )
            console.print(f"{code}: assigned to [bold]{who}[/] at step {result.state}")

        emit(fmt, result.to_dict(), render)

    @dossier.command("apologise")
    @_with_engine()
    @click.argument("code", callback=_utf8)
    @_actor_options
    @click.option("--reason", required=True, callback=_utf8, help="Why the dossier will be late.")
    @click.option(
        "--new-appointment",
        "new_appointment",
        required=True,
        metavar="ISO-TIME",
        help="The new date and time for the result, e.g. 2026-03-10T17:00.",
    )
    @FORMAT_OPTION
    def apologise(
        engine: Engine,
        code: str,
        actor_id: str,
        agency: str,
        role: str | None,
        reason: str,
        new_appointment: str,
        fmt: str,
    ) -> None:
        """Apologise for a delay and give a new appointment, before the dossier is
        late; prints the apology slip. The statutory due date does not move."""
        option = "--new-appointment"
        when = _parse_time(new_appointment, option)
        try:
            date.fromisoformat(new_appointment)
        except ValueError:
            pass
        else:
            raise click.BadParameter(
                f"{new_appointment!r} has no time of day; give the hour the result is "
                f"ready, e.g. {new_appointment}T17:00",
                param_hint=option,
            )
        from procflow.cli.calendar import check_in_calendar

        check_in_calendar(engine.calendar, when.astimezone(engine.calendar.tz).date(), option)
        slip = engine.apologise(
            code,
            _actor(actor_id, agency, role),
            reason=_reason(reason, "not within the commune's competence"),
            new_appointment=when,
        )

        def render(console: Console) -> None:
            # The form's title follows the circular of the apology's date (Form 04
            # became a letter of apology and request to extend under 03/2025).
            title = slip.form_title or "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
            console.print(f"[bold]{title}[/] — {slip.code}{_form(slip)}")
            console.print(f"  reason: {escape(slip.reason)}")
            console.print(
                f"  [bold]new appointment: {_dt(slip.new_appointment)}[/] "
                f"(was {_dt(slip.previous_appointment)})"
            )
            console.print(
                f"  statutory due date, unchanged: {_dt(slip.statutory_due)} "
                "(the dossier is judged against it)"
            )
            console.print(f"  issued {_dt(slip.issued_at)} by {escape(slip.signed_by)}")
            _unconfirmed(console, slip.unconfirmed_days, slip.unrecorded_years)

        emit(fmt, slip.to_dict(), render)

    @dossier.command("show")
    @_with_engine(defer=True)
    @click.argument("code", callback=_utf8)
    @FORMAT_OPTION
    def show(engine: Engine, code: str, fmt: str) -> None:
        """Show a dossier's state and its processing control slip."""
        dossier = engine.get(code)
        data = dossier.to_dict()
        slip = engine.control_slip(code)
        data["control_slip"] = slip.to_dict()
        data["available"] = engine.available(code)
        notice = engine.stop_notice(code) if dossier.outcome in ("stopped", "withdrawn") else None
        if notice is not None:
            data["stop_notice"] = notice.to_dict()

        def render(console: Console) -> None:
            from procflow.contrib.labels import move_label, timeliness_text

            _dossier_table(console, data)
            table = Table(title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ{_form(slip)}")
            for col in (
                "step",
                "from",
                "to",
                "sent by",
                "received by",
                "left",
                "due",
                "status",
                "used h",
                "late h",
            ):
                table.add_column(col)
            for r in slip.rows:
                table.add_row(
                    r.step,
                    r.from_agency or "",
                    r.to_agency or "",
                    escape(r.sender or ""),
                    escape(r.receiver or ""),
                    _dt(r.left_at),
                    _dt(r.due_at),
                    timeliness_text(r.timeliness.value) if r.timeliness else "",
                    f"{r.used_working_hours:g}",
                    f"{r.late_working_hours:g}",
                )
            console.print(table)
            _shares_and_result(console, slip)
            _unconfirmed(console, slip.unconfirmed_days)
            if notice is not None:
                _stop_notice(console, notice)
            if data["available"]:
                proc = engine.procedure_of(dossier).procedure
                moves = _moves_text(
                    data["available"], lambda t: move_label(proc, t, "vi", dossier.state)
                )
                console.print("possible now: " + moves)

        emit(fmt, data, render)

    @dossier.command("history")
    @_with_engine(defer=True)
    @click.argument("code", callback=_utf8)
    @FORMAT_OPTION
    def history(engine: Engine, code: str, fmt: str) -> None:
        """The dossier's event log, with its hash chain."""
        events = engine.history(code)

        def render(console: Console) -> None:
            table = Table(title=f"Events of {code}")
            for col in ("#", "at", "event", "by", "detail", "hash"):
                table.add_column(col)
            for e in events:
                detail = e.data.get("trigger") or e.data.get("alert") or e.data.get("reason") or ""
                table.add_row(
                    str(e.seq),
                    _dt(e.at),
                    e.type.value,
                    escape(str(e.actor or "")),
                    escape(str(detail)),
                    e.hash[:12],
                )
            console.print(table)

        emit(fmt, [e.to_dict() for e in events], render)

    @cli.command("sweep")
    @_with_engine()
    @click.option(
        "--limit",
        type=click.IntRange(min=1),
        default=1000,
        show_default=True,
        help="Look at most at this many due dossiers in this run.",
    )
    @FORMAT_OPTION
    def sweep(engine: Engine, limit: int, fmt: str) -> None:
        """Emit warnings and overdue events for deadlines near or past (safe to repeat).

        One run looks at most at --limit due dossiers, soonest first; when more
        are due, it says how many (stderr, or "remaining" in JSON): run it
        again, or with a larger --limit.
        """
        now = engine.clock.now()
        store = engine.store
        # The dossiers this run looks at are the first ``limit`` due ones; those
        # due after it that are not among them are the ones it did not reach.
        reached = set(store.due_for_alert(now, limit))
        events = engine.sweep(now, limit=limit)
        # One more than could be unreached tells "exactly N" from "N or more".
        cap = len(reached) + limit + 1
        still_due = store.due_for_alert(now, cap)
        remaining = sum(1 for code in still_due if code not in reached)
        exact = len(still_due) < cap
        data = {
            "events": [e.to_dict() for e in events],
            "limit": limit,
            "remaining": remaining,
            "remaining_exact": exact,
        }

        def render(console: Console) -> None:
            for e in events:
                what = e.data.get("alert") or e.data.get("trigger")
                held = e.data.get("holder") or e.data.get("from")
                console.print(f"{e.code}: {e.type.value} ({what}) held by {held}")
            console.print(f"{len(events)} event(s)")
            if remaining:
                count = f"{remaining:,}" if exact else f"{remaining:,} or more"
                click.echo(
                    f"note: {count} more due dossier(s) were not looked at (--limit {limit}); "
                    "run procflow sweep again, or with a larger --limit",
                    err=True,
                )

        emit(fmt, data, render)

    @cli.command("verify")
    @_with_engine(defer=True)
    @click.option(
        "--checkpoint",
        "checkpoints",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Prove DB still holds everything this checkpoint covered (repeatable).",
    )
    @click.option(
        "--key",
        type=click.Path(exists=True, dir_okay=False),
        help="The public key the checkpoints must be signed with (procflow keygen's .pub).",
    )
    @FORMAT_OPTION
    def verify(engine: Engine, checkpoints: tuple[str, ...], key: str | None, fmt: str) -> None:
        """Check the hash chain of every dossier and that replay equals stored state.

        Where the database keeps the global log (SQLite, PostgreSQL), also
        the log against the events, every dossier row against its log, and
        each desk's daily numbering; with --checkpoint, that nothing the
        checkpoint covered was removed or changed since.
        """
        from procflow.audit.checkpoint import load_public, read
        from procflow.audit.log import check_against, check_log, check_row
        from procflow.model.storage import Capability

        store = engine.store
        logged = Capability.LOG in store.capabilities
        cps = [(path, read(path)) for path in checkpoints]
        public = load_public(key) if key else None
        seen: list[str] = []
        with progress("verify", enabled=fmt != "json") as advance:

            def codes() -> Iterator[str]:
                for code in store.codes():
                    seen.append(code)
                    yield code
                    advance()

            report = engine.verify(codes(), (lambda rec: check_row(store, rec)) if logged else None)
        if logged:
            report.problems.extend(check_log(store, seen))
            for path, cp in cps:
                report.problems.extend(check_against(store, cp, public, path))
        elif cps:
            report.problems.append("this store keeps no log: checkpoints cannot be checked")

        def render(console: Console) -> None:
            for problem in report.problems:
                console.print(f"[red]{escape(problem)}[/]")
            verdict = "[green]ok[/]" if report.ok else "[red]FAILED[/]"
            console.print(f"{report.checked} dossier(s) checked: {verdict}")

        emit(fmt, report.to_dict(), render)
        if not report.ok:
            raise SystemExit(1)

    # procflow dossier print: the papers, printable (procflow.cli.printing)
    from procflow.cli.printing import register_print

    register_print(dossier)


__all__ = ["ProcflowError", "register"]
