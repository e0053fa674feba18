"""Every ``procflow`` command given user mistakes: a clear message, no traceback,
nothing written.

Each case is one command line run in a fresh folder holding a few bad files
(empty, a list, a YAML syntax error, bytes that are not UTF-8, a text file
posing as a database, a folder) and a real database with one dossier. For
each: the exit status is not 0, no traceback is printed, the message names the
culprit (the file, option or value), and every file in the folder is
byte-for-byte and mtime-for-mtime as it was, with no file added.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from procflow.cli.main import _register, cli

ROOT = Path(__file__).resolve().parents[2]
PROCS = str(ROOT / "procedures")
PROC_ID = "vn.lien-thong.child-under-6"
PROC = str(ROOT / "procedures" / "lien-thong" / "child-under-6.yaml")
SCENARIO = str(ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml")
SCENARIO_TEST = str(ROOT / "procedures" / "lien-thong" / "tests" / "child-under-6-flow.yaml")
VERSIONS = str(ROOT / "examples" / "versions")
MAPPING = str(ROOT / "examples" / "versions" / "mapping.yaml")
CODE = "COMMUNE-PC-260303-00001"
LAN = ("--actor", "lan", "--agency", "commune-pc")
HOA = ("--actor", "hoa", "--agency", "commune-pc", "--at", "2026-03-03T09:00")

_register()


def procflow(*args: str) -> Result:
    # Exceptions are not caught: a traceback fails the test outright.
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


BAD_FILES: dict[str, bytes] = {
    "empty.yaml": b"",
    "list.yaml": b"- a\n- b\n",
    "syntax.yaml": b"name: x\nsteps: [1,\n",
    "garbage.yaml": b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01garbage\x80\x81",
    "text.db": b"hello, I am not a database\n",
    "old.html": b"<p>last month's report</p>\n",
    # Scenario, overlay and mapping files with a field of the wrong type.
    "scenario-wrong.yaml": b"simulation: 1\nname: x\ndossiers: many\n",
    "overlay-wrong.yaml": b"version: 1\nname: x\nyears:\n  2026:\n    days_off: 5\n",
    "scenario-1850.yaml": (
        b"simulation: 1\nname: x\nperiod: {from: 1850-01-05, to: 1850-12-31}\n"
        b"arrivals: {per_working_day: 2}\nofficers: {commune-pc: 1}\n"
    ),
    "mapping-wrong.yaml": (
        b'migration: 1\nprocedure: vn.example.household-business\nfrom: "2021-01"\n'
        b'to: "2025-07"\nstates: 5\n'
    ),
}


@pytest.fixture(scope="module")
def desk_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding one dossier, received 03/03/2026 08:00."""
    path = tmp_path_factory.mktemp("desk") / "desk.db"
    result = procflow(
        "dossier", "receive", str(path), PROC_ID, *LAN, "--at", "2026-03-03T08:00",
        "--procedures", PROCS,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def workspace(tmp_path: Path, desk_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "adir").mkdir()
    shutil.copyfile(desk_db, tmp_path / "desk.db")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def case_id(args: tuple[str, ...]) -> str:
    return " ".join(a.replace(str(ROOT) + "/", "") for a in args)[:90]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# (command line, a fragment the message must contain)
CASES: list[tuple[tuple[str, ...], str]] = [
    # --- procedure definitions ---------------------------------------------
    (("validate", "missing.yaml"), "'missing.yaml' does not exist"),
    (("validate", "garbage.yaml"), "the file is not UTF-8"),
    (("show", "adir"), "'adir' is a directory"),
    (("show", "empty.yaml"), "but this is an empty file"),
    (("show", "list.yaml"), "but this is a list"),
    (("show", "syntax.yaml"), "invalid YAML"),
    (("show", "garbage.yaml"), "the file is not UTF-8"),
    (("schema", "-o", "nodir/schema.json"), "the folder nodir does not exist"),
    (("schema", "-o", "adir"), "'adir' is a directory"),
    (("list", "garbage.yaml"), "garbage.yaml cannot be loaded; run: procflow validate"),
    (("list", "missing"), "'missing' does not exist"),
    # --- dossiers ------------------------------------------------------------
    (("dossier", "receive", "new.db", "vn.nope", *LAN, "--procedures", PROCS),
     "unknown procedure 'vn.nope'"),
    (("dossier", "receive", "new.db", PROC_ID, "--actor", "lan", "--agency", "commune-police",
      "--procedures", PROCS), "received at the one-stop desk of 'commune-pc'"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--applicant", "[1]",
      "--procedures", PROCS), "'[1]' is not a JSON object"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--applicant", "{bad",
      "--procedures", PROCS), "--applicant: not JSON"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--fact", "paid=maybe",
      "--procedures", PROCS), "'paid=maybe': write NAME=true or NAME=false"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--fact", "=true",
      "--procedures", PROCS), "'=true': write NAME=true or NAME=false"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--at", "2300-01-01T09:00",
      "--procedures", PROCS), "--at: 2300-01-01 lies outside the working-day calendar"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--at", "3 March",
      "--procedures", PROCS), "'3 March' is not an ISO time"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--procedures", "garbage.yaml"),
     "the file is not UTF-8"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--procedures", "missing"),
     "'missing' does not exist"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--calendar", "garbage.yaml",
      "--procedures", PROCS), "garbage.yaml: cannot read calendar overlay"),
    (("dossier", "receive", "new.db", PROC_ID, *LAN, "--calendar", "overlay-wrong.yaml",
      "--procedures", PROCS), "years.2026.days_off"),
    (("dossier", "receive", "text.db", PROC_ID, *LAN, "--procedures", PROCS),
     "text.db: not an SQLite database"),
    (("dossier", "receive", "nodir/x.db", PROC_ID, *LAN, "--procedures", PROCS),
     "nodir/x.db: open failed"),
    (("dossier", "receive", "adir", PROC_ID, *LAN, "--procedures", PROCS),
     "adir is a folder, not a procflow database"),
    (("dossier", "receive", "mysql://u@db/procflow", PROC_ID, *LAN, "--procedures", PROCS),
     "unknown store scheme 'mysql://'"),
    (("dossier", "fire", "desk.db", CODE, "forward", "--actor", "x", "--agency",
      "commune-police", "--at", "2026-03-03T09:00", "--procedures", PROCS),
     "only that agency may move"),
    (("dossier", "fire", "desk.db", CODE, "nonsense", *HOA, "--procedures", PROCS),
     "has no trigger 'nonsense'"),
    (("dossier", "fire", "desk.db", CODE, "forward", "--actor", "hoa", "--agency",
      "commune-pc", "--at", "1850-01-01T09:00", "--procedures", PROCS),
     "--at: 1850-01-01 lies outside the working-day calendar"),
    (("dossier", "fire", "missing.db", CODE, "forward", *HOA, "--procedures", PROCS),
     "missing.db: no such procflow database"),
    (("dossier", "show", "desk.db", "NOPE-260303-00001", "--procedures", PROCS),
     "no dossier with code 'NOPE-260303-00001'; check the code"),
    (("dossier", "show", "desk.db", "not a code!", "--procedures", PROCS),
     "no dossier with code 'not a code!'"),
    (("dossier", "history", "desk.db", "NOPE", "--procedures", PROCS),
     "no dossier with code 'NOPE'"),
    (("dossier", "show", "text.db", CODE, "--procedures", PROCS), "not an SQLite database"),
    (("dossier", "show", "postgresql://nobody@127.0.0.1:1/x", CODE, "--procedures", PROCS),
     "nobody@127.0.0.1:1/x: connect failed"),
    (("sweep", "desk.db", "--at", "2300-01-01T09:00", "--procedures", PROCS),
     "--at: 2300-01-01 lies outside"),
    (("sweep", "missing.db", "--procedures", PROCS), "missing.db: no such procflow database"),
    (("verify", "text.db", "--procedures", PROCS), "not an SQLite database"),
    # --- calendar --------------------------------------------------------------
    (("calendar", "show", "1850"), "YEAR: 1850 lies outside the working-day calendar"),
    (("calendar", "show", "abc"), "'abc' is not a valid integer"),
    (("calendar", "show", "2026", "--calendar", "missing.yaml"),
     "missing.yaml: calendar overlay file not found"),
    (("calendar", "show", "2026", "--calendar", "adir"), "'adir' is a directory"),
    (("calendar", "show", "2026", "--calendar", "empty.yaml"), "empty.yaml:1"),
    (("calendar", "show", "2026", "--calendar", "list.yaml"), "list.yaml:1"),
    (("calendar", "show", "2026", "--calendar", "syntax.yaml"), "syntax.yaml:3: YAML"),
    (("calendar", "show", "2026", "--calendar", "garbage.yaml"), "garbage.yaml"),
    (("calendar", "show", "2026", "--calendar", "overlay-wrong.yaml"),
     "overlay-wrong.yaml:5: years.2026.days_off"),
    (("calendar", "due", "2026-02-10T09:00", "--working-days", "-3"),
     "'--working-days': -3 is not a time limit"),
    (("calendar", "due", "2026-02-10T09:00", "--working-days", "nan"),
     "'--working-days': nan is not a time limit"),
    (("calendar", "due", "2026-02-10T09:00", "--working-days", "abc"), "'abc' is not a valid"),
    (("calendar", "due", "2026-02-10T09:00", "--calendar-days", "-1"),
     "'--calendar-days': -1 is not a time limit"),
    (("calendar", "due", "2026-02-10T09:00", "--working-hours", "-1"),
     "'--working-hours': -1 is not a time limit"),
    (("calendar", "due", "10/02/2026", "--working-days", "3"), "START: '10/02/2026' is not"),
    (("calendar", "due", "2300-01-01", "--working-days", "3"), "START: 2300-01-01 lies outside"),
    (("calendar", "due", "2026-02-10T09:00", "--same-day", "--cutoff", "25:00"),
     "--cutoff: '25:00' is not a clock time"),
    (("calendar", "count", "2026-01-01", "1850-01-01"), "END: 1850-01-01 lies outside"),
    # --- reports and export -------------------------------------------------------
    (("report", "missing.db"), "missing.db: no such procflow database"),
    (("report", "text.db", "-o", "old.html", "--format", "html"), "not an SQLite database"),
    (("report", "desk.db", "-o", "nodir/r.html"), "the folder nodir does not exist"),
    (("report", "desk.db", "--from", "March"), "'March' is not a date"),
    (("report", "desk.db", "--workers", "0"), "0 is not in the range x>=1"),
    (("report", "desk.db", "--points", "1,2"), "'1,2': give three numbers"),
    (("report", "desk.db", "--calendar", "garbage.yaml"), "garbage.yaml"),
    (("export", "text.db", "--format", "csv"), "not an SQLite database"),
    (("export", "missing.db", "--format", "csv", "-o", "out.csv"),
     "missing.db: no such procflow database"),
    (("export", "desk.db", "--format", "csv", "-o", "nodir/out.csv"),
     "the folder nodir does not exist"),
    (("export", "desk.db", "--format", "csv", "-o", "adir"), "'adir' is a directory"),
    # --- simulation ------------------------------------------------------------------
    (("simulate", PROC, SCENARIO, "--dossiers", "0"), "0 is not in the range x>=1"),
    (("simulate", PROC, SCENARIO, "--dossiers", "-3"), "-3 is not in the range x>=1"),
    (("simulate", PROC, SCENARIO, "--seed", "abc"), "'abc' is not a valid integer"),
    (("simulate", "empty.yaml", SCENARIO), "but this is an empty file"),
    (("simulate", PROC, "garbage.yaml"), "the file is not UTF-8"),
    (("simulate", PROC, "list.yaml"), "the scenario lacks the required key"),
    (("simulate", PROC, "scenario-wrong.yaml"), "scenario-wrong.yaml:3:11 (dossiers)"),
    (("simulate", PROC, SCENARIO, "--from", "2026-05-01", "--to", "2026-01-01"),
     "'to' is before 'from'"),
    (("simulate", PROC, SCENARIO, "--from", "1850-01-01"), "--from: 1850-01-01 lies outside"),
    (("simulate", PROC, "scenario-1850.yaml", "--dossiers", "3"),
     "scenario-1850.yaml: the period: 1850-01-05 lies outside"),
    (("compare", PROC, PROC, "scenario-1850.yaml", "--replications", "1"),
     "scenario-1850.yaml: the period: 1850-01-05 lies outside"),
    (("simulate", PROC, SCENARIO, "--officers", "nope=3"),
     "nope: no such agency in vn.lien-thong.child-under-6"),
    (("simulate", PROC, SCENARIO, "--officers", "commune-pc=x"), "'commune-pc=x': write"),
    (("simulate", PROC, SCENARIO, "--dossiers", "3", "--out", "text.db"), "text.db exists"),
    (("simulate", PROC, SCENARIO, "--dossiers", "3", "--out", "nodir/sim.db"), "nodir/sim.db"),
    (("compare", PROC, PROC, SCENARIO, "--replications", "0"), "0 is not in the range x>=1"),
    (("compare", PROC, "garbage.yaml", SCENARIO), "the file is not UTF-8"),
    (("compare", PROC, PROC, "scenario-wrong.yaml"), "(dossiers)"),
    # --- scenario tests ---------------------------------------------------------------
    (("test", "missing"), "'missing' does not exist"),
    (("test", "garbage.yaml"), "the file is not UTF-8"),
    (("test", SCENARIO_TEST, "-o", "nodir/report.xml"), "the folder nodir does not exist"),
    # --- versions -------------------------------------------------------------------------
    (("diff", "missing.yaml", PROC), "'missing.yaml' is neither a procedure file"),
    (("diff", "garbage.yaml", PROC), "the file is not UTF-8"),
    (("diff", "vn.nope@1", "vn.nope@2", "--procedures", PROCS), "unknown procedure 'vn.nope'"),
    (("migrate", "desk.db", "empty.yaml", "--procedures", VERSIONS),
     "a migration mapping must be a mapping"),
    (("migrate", "desk.db", "mapping-wrong.yaml", "--procedures", VERSIONS),
     "mapping-wrong.yaml:5:9 (states)"),
    (("migrate", "missing.db", MAPPING, "--procedures", VERSIONS),
     "missing.db: no such procflow database"),
    (("migrate", "desk.db", MAPPING, "--procedures", VERSIONS, "--at", "2300-01-01T00:00"),
     "--at: 2300-01-01 lies outside"),
    (("recalc", "desk.db", "--procedure", "vn.nope", "--procedures", PROCS),
     "--procedure vn.nope: no such procedure"),
    (("recalc", "missing.db", "--procedures", PROCS), "missing.db: no such procflow database"),
    (("recalc", "desk.db", "--calendar", "syntax.yaml", "--procedures", PROCS),
     "syntax.yaml:3: YAML"),
    # --- pictures and sheets -------------------------------------------------------------
    (("diagram", "missing.yaml", "--procedures", "adir"), "missing.yaml: neither a file nor"),
    (("diagram", "garbage.yaml"), "the file is not UTF-8"),
    (("diagram", "vn.nope", "--procedures", PROCS), "vn.nope: neither a file nor"),
    (("diagram", PROC, "-o", "nodir/d.svg", "--format", "svg"), "the folder nodir does not"),
    (("diagram", "desk.db", "--dossier", "NOPE", "--procedures", PROCS),
     "no dossier with code 'NOPE'"),
    (("diagram", "missing.db", "--dossier", CODE, "--procedures", PROCS),
     "missing.db: no such database; check the path"),
    (("sheet", PROC, "-o", "nodir/s.html"), "the folder nodir does not exist"),
    (("sheet", "syntax.yaml"), "invalid YAML"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "fragment"), CASES, ids=[case_id(c[0]) for c in CASES])
def test_bad_input_is_a_clear_error_and_changes_nothing(
    workspace: Path, args: tuple[str, ...], fragment: str
) -> None:
    before = snapshot(workspace)
    result = procflow(*args)
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output
    assert fragment in result.output, result.output
    # Short: the message itself, or click's usage lines and its message, or a
    # few findings each with its line.
    assert len(result.stderr.strip().splitlines()) <= 5, result.stderr
    assert snapshot(workspace) == before


# The same mistakes with --format json: one JSON object on standard output,
# nothing on standard error.
JSON_CASES: list[tuple[tuple[str, ...], str, str]] = [
    (("dossier", "show", "desk.db", "NOPE-1", "--procedures", PROCS),
     "DossierNotFound", "no dossier with code 'NOPE-1'"),
    (("dossier", "receive", "new.db", "vn.nope", *LAN, "--procedures", PROCS),
     "UnknownProcedure", "unknown procedure 'vn.nope'"),
    (("dossier", "fire", "desk.db", CODE, "forward", "--actor", "x", "--agency", "nope",
      "--at", "2026-03-03T09:00", "--procedures", PROCS), "NotPermitted", "x@nope"),
    (("dossier", "fire", "desk.db", CODE, "forward", *LAN, "--at", "garbage",
      "--procedures", PROCS), "UsageError", "'garbage' is not an ISO time"),
    (("sweep", "text.db", "--procedures", PROCS), "StoreError", "text.db"),
    (("calendar", "due", "garbage", "--working-days", "3"), "CalendarError", "START: 'garbage'"),
    (("calendar", "show", "abc"), "UsageError", "'abc' is not a valid integer"),
    (("calendar", "show", "2026", "--calendar", "garbage.yaml"), "CalendarError", "garbage.yaml"),
    (("validate", "missing.yaml"), "UsageError", "'missing.yaml' does not exist"),
    (("list", "missing"), "UsageError", "'missing' does not exist"),
    (("report", "text.db"), "StoreError", "not an SQLite database"),
    (("simulate", PROC, "garbage.yaml"), "DefinitionError", "garbage.yaml"),
    (("recalc", "desk.db", "--procedure", "vn.nope", "--procedures", PROCS),
     "UnknownProcedure", "--procedure vn.nope"),
    (("test", "missing"), "UsageError", "'missing' does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "kind", "fragment"), JSON_CASES, ids=[case_id(c[0]) for c in JSON_CASES]
)
def test_bad_input_in_json_mode_is_a_json_error(
    workspace: Path, args: tuple[str, ...], kind: str, fragment: str
) -> None:
    before = snapshot(workspace)
    for json_format in (("--format", "json"), ("--format=json",)):
        result = procflow(*args, *json_format)
        assert result.exit_code not in (0, None), result.output
        assert result.stderr == "", result.stderr
        payload = json.loads(result.stdout)
        assert payload["ok"] is False
        assert payload["error"]["type"] == kind
        assert fragment in payload["error"]["message"]
    assert snapshot(workspace) == before


def test_json_error_of_a_bad_file_lists_its_findings(workspace: Path) -> None:
    result = procflow("simulate", PROC, "scenario-wrong.yaml", "--format", "json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["file"] == "scenario-wrong.yaml"
    dossiers = [f for f in error["findings"] if f["path"] == "dossiers"]
    assert dossiers and dossiers[0]["line"] == 3, error["findings"]


def test_a_failed_report_keeps_the_old_output_file(workspace: Path) -> None:
    old = (workspace / "old.html").read_bytes()
    result = procflow("report", "text.db", "--format", "html", "-o", "old.html")
    assert result.exit_code == 1
    assert (workspace / "old.html").read_bytes() == old
    # And a report that works replaces it whole, with no temporary file left.
    result = procflow("report", "desk.db", "--format", "html", "-o", "old.html")
    assert result.exit_code == 0, result.output
    assert (workspace / "old.html").read_bytes().startswith(b"<!")
    assert sorted(p.name for p in workspace.iterdir() if p.name.startswith(".")) == []


def test_a_failed_receive_leaves_no_database_but_keeps_one_in_use(workspace: Path) -> None:
    # A new file is not created by a refused receive...
    result = procflow("dossier", "receive", "new.db", "vn.nope", *LAN, "--procedures", PROCS)
    assert result.exit_code == 1
    assert not any(p.name.startswith("new.db") for p in workspace.iterdir())
    # ...nor is an existing database removed or changed by one.
    before = snapshot(workspace)
    result = procflow("dossier", "receive", "desk.db", "vn.nope", *LAN, "--procedures", PROCS)
    assert result.exit_code == 1
    assert snapshot(workspace) == before


def _make_read_only(path: Path) -> Callable[[], None]:
    """Make ``path`` unwritable, even for root; return what undoes it.

    Root ignores permission bits, so as root (CI, this project's machines)
    the file is made immutable with ``chattr +i``; elsewhere it loses its
    write bits."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
            pytest.skip("running as root on a file system without chattr +i")

        def undo() -> None:
            subprocess.run([chattr, "-i", str(path)], check=True)

        return undo
    path.chmod(0o444)
    return lambda: path.chmod(0o644)


def test_read_only_database(workspace: Path) -> None:
    db = workspace / "desk.db"
    undo = _make_read_only(db)
    try:
        before = snapshot(workspace)
        fire = ("dossier", "fire", "desk.db", CODE, "forward", *HOA)
        result = procflow(*fire, "--procedures", PROCS)
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "desk.db" in result.output and "readonly database" in result.output
        after = snapshot(workspace)
        # SQLite may leave its WAL side files beside a database it could not
        # write; everything else, the database first, is as it was.
        for side in ("desk.db-wal", "desk.db-shm"):
            after.pop(side, None)
            before.pop(side, None)
        assert after == before
    finally:
        undo()


@pytest.mark.parametrize(
    "command",
    [
        ("report", "desk.db"),
        ("report", "desk.db", "--format", "json"),
        ("export", "desk.db", "--format", "csv"),
    ],
)
def test_a_filter_that_matches_nothing_is_noted(workspace: Path, command: tuple[str, ...]) -> None:
    # A typo in --procedure used to give an empty report that looked like a
    # quiet desk; it still succeeds (it may be true), with a note on stderr.
    result = procflow(*command, "--procedure", "vn.nope")
    assert result.exit_code == 0, result.output
    assert "no dossier in the database matched --procedure 'vn.nope'" in result.stderr
    assert "no dossier in the database matched" not in result.stdout  # not in the data
    matched = procflow(*command, "--procedure", PROC_ID)
    assert matched.exit_code == 0 and "no dossier" not in matched.stderr
