"""The ``procflow`` command starts light and shows progress only on a terminal.

* ``procflow --help`` and ``--version`` import none of the heavy libraries
  (the commands are loaded lazily, from the table in ``cli/main.py``), and
  every command ``--help`` lists resolves to a command whose help matches the
  table's; ``calendar due`` loads the calendar but not the catalogue.
* Long commands draw a progress bar on standard error when it is a terminal
  (run here under a pseudo-terminal), and nothing when it is a pipe or with
  ``--format json``.

The timings themselves are in ``bench/bench_cli.py``; tests only check what
is imported, which does not depend on the machine's load.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from procflow.cli.main import COMMANDS, _Group, _LazyGroup, cli, load_command

ROOT = Path(__file__).resolve().parents[2]
PROC = str(ROOT / "procedures" / "lien-thong" / "child-under-6.yaml")
SCENARIO = str(ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml")
OVERLAY = str(ROOT / "procedures" / "calendars" / "example-province.yaml")
HEAVY = ("numpy", "networkx", "pydantic", "holidays")

# Runs procflow as the console script does, then lists the modules loaded.
_PROBE = """\
import json, sys
from procflow.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write("\\nMODULES=" + json.dumps(sorted(sys.modules)) + "\\n")
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORCE_", "TTY_", "NO_"))}
    env.update(COLUMNS="100", LINES="40", TERM="xterm-256color", **extra)
    return env


def _loaded(*args: str) -> tuple[set[str], str]:
    """The modules a fresh ``procflow ARGS`` process has loaded, and its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    marker = done.stderr.rpartition("\nMODULES=")[2]
    return set(json.loads(marker)), done.stdout


def _tops(modules: set[str]) -> set[str]:
    return {m.partition(".")[0] for m in modules}


# --- lazy loading ---------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"]])
def test_help_and_version_import_no_heavy_module(args: list[str]) -> None:
    modules, out = _loaded(*args)
    assert not _tops(modules) & set(HEAVY), sorted(_tops(modules) & set(HEAVY))
    command_modules = {c.module for c in COMMANDS.values()}
    assert not modules & command_modules, sorted(modules & command_modules)
    if args == ["--version"]:
        assert out.strip() == "procflow, version 0.1.0"
    else:
        for name in COMMANDS:
            assert re.search(rf"^  {name}\s", out, re.M), f"{name} missing from --help"


def test_calendar_due_loads_the_calendar_only() -> None:
    modules, out = _loaded("calendar", "due", "2026-02-10T09:00", "--working-days", "15")
    assert "17:00 10/03/2026" in out
    assert "networkx" not in _tops(modules)
    assert not {"procflow.catalogue", "procflow.definition.model", "rich"} & modules


@pytest.fixture(scope="module")
def desk_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A database with one dossier just received, and its code."""
    from procflow.engine import Actor, VirtualClock
    from procflow.runtime import open_engine

    db = tmp_path_factory.mktemp("desk") / "desk.db"
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    engine = open_engine(db, procedures=[ROOT / "procedures"], clock=clock)
    desk = Actor("lan", "commune-pc", "desk-officer")
    code = engine.receive("vn.lien-thong.child-under-6", actor=desk).code
    engine.store.close()
    return str(db), code


def test_dossier_show_checks_the_procedures_without_networkx(desk_db: tuple[str, str]) -> None:
    """``dossier show`` loads the procedures (the control slip names their
    steps), which runs their checks; networkx is needed only for a procedure
    whose escalation rules fire moves, and a module-level import of it had
    crept back into the checks (a tenth of a CPU second)."""
    db, code = desk_db
    modules, out = _loaded("dossier", "show", db, code)
    assert code in out
    assert re.search(r"possible now: .*\bforward\b", out), out[-500:]
    assert "procflow.catalogue" in modules  # the procedures were loaded and checked
    assert "networkx" not in _tops(modules)


def test_dossier_history_builds_no_calendar(desk_db: tuple[str, str]) -> None:
    """``dossier history`` prints what was stored: the engine reads its
    calendar's zone on first use, not when it is made, so the national
    calendar (the holidays package and sixty years of dates, a sixth of a
    CPU second) is never built."""
    db, code = desk_db
    modules, out = _loaded("dossier", "history", db, code)
    assert "received" in out and code in out
    assert "holidays" not in _tops(modules)


def _help(group: click.Group) -> str:
    result = CliRunner().invoke(group, ["--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_listed_resolves_with_the_same_help() -> None:
    lazy = _LazyGroup("procflow", lazy=COMMANDS)
    text = _help(lazy)
    listed = re.findall(r"^  (\S+)\s", text.partition("Commands:")[2], re.M)
    assert listed == sorted(COMMANDS)
    eager = _Group("procflow")
    for name in listed:
        command = load_command(name)
        assert isinstance(command, click.Command) and command.name == name
        # The table's short help is the command's own first sentence.
        assert command.get_short_help_str(10**6) == COMMANDS[name].help, name
        eager.add_command(command)
    # So --help reads the same, lazy or with every command imported.
    assert _help(eager).partition("Commands:")[2] == text.partition("Commands:")[2]
    assert lazy.get_command(click.Context(lazy), "nope") is None


def test_the_table_lists_every_command_a_module_registers() -> None:
    for module in sorted({c.module for c in COMMANDS.values()}):
        scratch = click.Group()
        __import__(module, fromlist=["register"]).register(scratch)
        for name in scratch.commands:
            assert name in COMMANDS and COMMANDS[name].module == module, (module, name)


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "due", "tomorrow", "--working-days", "1"],
        ["calendar", "due", "2026-02-10T09:00", "--calendar-days", "1000000000"],
        ["dossier", "show", "{tmp}/none.db", "X"],
        ["report", "{tmp}/none.db"],
    ],
)
def test_errors_of_lazy_commands_and_subgroups_stay_clear(args: list[str], tmp_path: Path) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    runner = CliRunner()
    text = runner.invoke(cli, argv, catch_exceptions=False)
    assert text.exit_code == 1 and "error: " in text.stderr and "Traceback" not in text.output
    as_json = runner.invoke(cli, [*argv, "--format", "json"], catch_exceptions=False)
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["ok"] is False


# --- progress bars -----------------------------------------------------------------


def _run(args: list[str], *, tty: bool) -> tuple[int, str, str]:
    """``procflow ARGS`` with standard error on a pseudo-terminal (``tty``) or a pipe."""
    argv = [sys.executable, "-c", "from procflow.cli.main import main; main()", *args]
    if not tty:
        done = subprocess.run(
            argv, cwd=ROOT, env=_env(), capture_output=True, text=True, check=False, timeout=300
        )
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    with subprocess.Popen(
        argv, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL
    ) as proc:
        os.close(slave)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        code = proc.wait(timeout=300)
    return code, out, b"".join(chunks).decode(errors="replace")


BAR = "━"  # what rich's bar is drawn with


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = str(tmp_path_factory.mktemp("progress") / "sim.db")
    code, _, err = _run(["simulate", PROC, SCENARIO, "--dossiers", "40", "--out", out], tty=True)
    assert code == 0, err
    # The simulation's own bar, drawn while it ran.
    assert "simulating" in err and BAR in err, err
    return out


def _commands(sim_db: str, tmp: Path) -> dict[str, list[str]]:
    html = str(tmp / "r.html")
    return {
        "reporting": ["report", sim_db, "--workers", "1", "-o", html, "--format", "html"],
        "exporting": ["export", sim_db, "--format", "xes", "-o", str(tmp / "log.xes")],
        "recalculating": ["recalc", sim_db, "--calendar", OVERLAY, "--procedures", "procedures"],
        "verify": ["verify", sim_db, "--procedures", "procedures"],
        "comparing": [
            *("compare", PROC, PROC, SCENARIO),
            *("--replications", "2", "--dossiers", "10", "--jobs", "1"),
        ],
    }


@pytest.mark.parametrize(
    "label", ["reporting", "exporting", "recalculating", "verify", "comparing"]
)
def test_a_progress_bar_on_a_terminal(label: str, sim_db: str, tmp_path: Path) -> None:
    code, _, err = _run(_commands(sim_db, tmp_path)[label], tty=True)
    assert code == 0, err
    assert label in err and BAR in err, err


@pytest.mark.parametrize(
    "label", ["simulating", "reporting", "exporting", "recalculating", "verify"]
)
def test_no_progress_output_on_a_pipe(label: str, sim_db: str, tmp_path: Path) -> None:
    commands = _commands(sim_db, tmp_path)
    commands["simulating"] = [
        "simulate", PROC, SCENARIO, "--dossiers", "20", "--out", str(tmp_path / "s.db")
    ]  # fmt: skip
    code, _, err = _run(commands[label], tty=False)
    assert code == 0, err
    assert label not in err and BAR not in err and "\x1b" not in err, err


def test_no_progress_bar_with_format_json(tmp_path: Path) -> None:
    args = ["simulate", PROC, SCENARIO, "--dossiers", "20", "--format", "json"]
    code, out, err = _run(args, tty=True)
    assert code == 0, err
    assert "simulating" not in err and BAR not in err
    assert json.loads(out)["summary"]["received"] == 20
