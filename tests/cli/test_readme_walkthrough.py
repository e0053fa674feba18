"""README's command-line walk-through, run as a reader would run it.

The commands are read from README.md itself (the ```bash block under "## The
command line"), so changing README changes this test. They run in order,
through bash, in a scratch folder holding copies of ./procedures and
./examples (the commands assume the repository root), with ``procflow``
being this interpreter's procflow. Each command must succeed without a
traceback, and the commands of the story print what README says they
print: the receipt's code and appointment, the step after ``fire``, a
control slip with the reception on time, one overdue event from the sweep
and none when it is repeated, ``verify`` ok, a report and an XES log that
parse. ``simulate`` and ``compare`` run in full on the shipped files (about
10 s together); the PostgreSQL section of README needs a server and is not
run here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CODE = re.compile(r"\b[A-Z][A-Z-]*-\d{6}-\d{5}\b")


@dataclass(frozen=True)
class Command:
    line: int  # README line where the command starts
    text: str  # as bash runs it (continuations joined, comment kept)
    claim: str  # README's comment on it ("" when none)

    @property
    def words(self) -> list[str]:
        return self.text.split(" #", 1)[0].split()


def walkthrough(readme: Path = README) -> list[Command]:
    """The commands of the bash block under '## The command line', in order."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
    m = re.search(r"^```bash\n(.*?)^```", section, re.S | re.M)
    assert m, "README: no ```bash block under '## The command line'"
    first = text.count("\n", 0, text.index(m.group(1))) + 1
    commands: list[Command] = []
    lines = m.group(1).splitlines()
    i = 0
    while i < len(lines):
        start, joined = i, lines[i].rstrip()
        while joined.endswith("\\") and i + 1 < len(lines):
            i += 1
            joined = joined[:-1].rstrip() + " " + lines[i].strip()
        i += 1
        if not joined.strip() or joined.lstrip().startswith("#"):
            continue
        claim = joined.split(" # ", 1)[1].strip() if " # " in joined else ""
        commands.append(Command(first + start, joined, claim))
    return commands


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` through bash in ``cwd``, ``procflow`` being this Python's."""
    env = {
        **os.environ,
        "PROCFLOW_PY": sys.executable,
        "COLUMNS": "200",  # tables unabridged
        "PROCFLOW_CACHE_DIR": "",
    }
    script = f'procflow() {{ "$PROCFLOW_PY" -m procflow.cli.main "$@"; }}\n{command}\n'
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def procflow_json(args: list[str], cwd: Path) -> object:
    result = subprocess.run(
        [sys.executable, "-m", "procflow.cli.main", *args, "--format", "json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


# --- what each command of the story must print -----------------------------------------

Check = Callable[[Command, subprocess.CompletedProcess[str], Path], None]


def check_receive(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert "--at" in cmd.words, f"README:{cmd.line}: receive acts at --at, not today"
    codes = CODE.findall(cmd.claim)
    assert codes, f"README:{cmd.line}: the comment names the code the receipt prints"
    assert f"— {codes[0]}" in result.stdout
    appointment = re.search(r"appointment (\d\d:\d\d \d\d/\d\d/\d{4})", cmd.claim)
    if appointment:
        assert f"appointment: {appointment.group(1)}" in result.stdout


def check_fire(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert "--at" in cmd.words, f"README:{cmd.line}: fire acts at --at, not today"
    step = re.search(r"-> ([a-z-]+)", cmd.claim)
    assert step, f"README:{cmd.line}: the comment names the step the dossier moves to"
    assert result.stdout.strip().endswith(f"-> {step.group(1)}"), result.stdout
    dossier = procflow_json(["dossier", "show", *cmd.words[3:5]], cwd)
    assert isinstance(dossier, dict) and dossier["state"] == step.group(1)
    due = re.search(r"due (\d\d:\d\d)", cmd.claim)
    if due:
        assert dossier["step_due_at"][11:16] == due.group(1), dossier["step_due_at"]


def check_show(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ" in result.stdout
    data = procflow_json(cmd.words[1:], cwd)
    assert isinstance(data, dict)
    rows = data["control_slip"]["rows"]
    reception = rows[0]
    assert reception["step"] == "reception"
    # Received and forwarded on the same morning: no late reception.
    assert reception["timeliness"] in ("early", "on_time"), reception
    assert reception["late_working_hours"] == 0
    assert all(r["late_working_hours"] == 0 for r in rows), rows
    if "on time" in cmd.claim:
        assert reception["timeliness"] == "on_time"
    used = re.search(r"(\d+(?:\.\d+)?) working hours? used", cmd.claim)
    if used:
        assert reception["used_working_hours"] == float(used.group(1))


def check_history(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    events = procflow_json(cmd.words[1:], cwd)
    assert isinstance(events, list)
    kinds = [e["type"] for e in events]
    for kind in re.findall(r"\b(received|moved|guided|overdue|warned)\b", cmd.claim):
        assert kind in kinds, (kind, kinds)
    assert all(len(e["hash"]) == 64 for e in events)


def check_sweep(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert "--at" in cmd.words, f"README:{cmd.line}: sweep acts at --at, not today"
    count = re.match(r"(\d+) events?", cmd.claim)
    assert count, f"README:{cmd.line}: the comment says how many events the sweep emits"
    assert f"{count.group(1)} event(s)" in result.stdout, result.stdout
    if "overdue" in cmd.claim:
        assert ": overdue (" in result.stdout
    assert "note:" not in result.stderr  # nothing left for another run
    if "run again: 0" in cmd.claim:
        again = run(cmd.text, cwd)
        assert again.returncode == 0, again.stderr
        assert "0 event(s)" in again.stdout, again.stdout


def check_verify(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert re.search(r"\d+ dossier\(s\) checked: ok", result.stdout), result.stdout


def check_report(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    words = cmd.words
    assert "--as-of" in words, f"README:{cmd.line}: judge in-progress dossiers at --as-of"
    out = cwd / words[words.index("-o") + 1]
    page = _Html()
    page.feed(out.read_text(encoding="utf-8"))
    assert {"html", "table"} <= page.tags
    # The same report as data: what the comment says of it.
    skip = {
        words.index("-o"),
        words.index("-o") + 1,
        words.index("--format"),
        words.index("--format") + 1,
    }
    data = procflow_json([w for i, w in enumerate(words[1:], 1) if i not in skip], cwd)
    assert isinstance(data, dict)
    total = data["rates"]["total"]
    progress = re.search(r"(\d+) dossiers? in progress", cmd.claim)
    if progress:
        assert total["in_progress"] == int(progress.group(1)), total
    if "within time" in cmd.claim:
        assert total["within_time"] == total["in_progress"] and total["overdue"] == 0, total


def check_export(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    out = cwd / cmd.words[cmd.words.index("-o") + 1]
    root = ET.parse(out).getroot()
    traces = [el for el in root if el.tag.endswith("trace")]
    assert len(traces) == 1  # the one dossier of the story
    events = [el for el in traces[0] if el.tag.endswith("event")]
    completes = [
        el
        for el in events
        if any(a.get("key") == "lifecycle:transition" and a.get("value") == "complete" for a in el)
    ]
    assert len(completes) == 3  # received, moved (the reception step), overdue
    assert len(events) == 5  # and the starts of the reception step and of the next one


def check_simulate(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    out = cwd / cmd.words[cmd.words.index("--out") + 1]
    assert out.is_file()


def check_compare(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert "B - A" in result.stdout


def check_migrate(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    assert "dry run: nothing written" in result.stdout
    moved = re.search(r"(\d+) to move", cmd.claim)
    if moved:
        assert f": {moved.group(1)} dossier(s) would move" in result.stdout


def check_recalc(cmd: Command, result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    if "moves no due date" in cmd.claim:
        assert "0 due date(s) would move" in result.stdout, result.stdout


CHECKS: dict[tuple[str, ...], Check] = {
    ("dossier", "receive"): check_receive,
    ("dossier", "fire"): check_fire,
    ("dossier", "show"): check_show,
    ("dossier", "history"): check_history,
    ("sweep",): check_sweep,
    ("verify",): check_verify,
    ("report",): check_report,
    ("export",): check_export,
    ("simulate",): check_simulate,
    ("compare",): check_compare,
    ("migrate",): check_migrate,
    ("recalc",): check_recalc,
}
# The story README tells: these must be in it.
STORY = {("dossier", "receive"), ("dossier", "fire"), ("dossier", "show"), ("sweep",), ("verify",)}
# Verbs that act at an instant: each must be given one (README's dates are 2026's).
ACTING = {"receive", "guide", "refuse", "fire", "set-facts", "apologise", "sweep"}


def check_for(cmd: Command) -> Check | None:
    words = cmd.words
    if not words or words[0] != "procflow":
        return None
    for key, check in CHECKS.items():
        if tuple(words[1 : 1 + len(key)]) == key:
            return check
    return None


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch 'repository root': copies of ./procedures and ./examples."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.db")
    for name in ("procedures", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    return tmp_path


def test_the_walkthrough_is_read_from_readme() -> None:
    commands = walkthrough()
    seen = {key for cmd in commands for key in CHECKS if check_for(cmd) is CHECKS[key]}
    assert seen >= STORY, STORY - seen
    for cmd in commands:
        words = cmd.words
        if words[:1] == ["procflow"] and (set(words[1:3]) & ACTING):
            assert "--at" in words, f"README:{cmd.line}: {cmd.text}: give it --at"


@pytest.mark.slow
def test_readme_walkthrough_runs_in_order_and_prints_what_readme_says(repo_copy: Path) -> None:
    checked = 0
    for cmd in walkthrough():
        result = run(cmd.text, repo_copy)
        where = f"README:{cmd.line}: {cmd.text}"
        assert result.returncode == 0, f"{where}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{where}\n{result.stderr}"
        assert "error:" not in result.stderr, f"{where}\n{result.stderr}"
        check = check_for(cmd)
        if check is not None:
            check(cmd, result, repo_copy)
            checked += 1
    assert checked >= len(STORY)
    # The story's files are where README says, in the folder it ran in.
    for name in ("desk.db", "report.html", "log.xes", "sim.db", "procedure.schema.json"):
        assert (repo_copy / name).is_file(), name
    assert json.loads((repo_copy / "procedure.schema.json").read_text())["$schema"]


def test_the_parser_joins_continuations_and_keeps_claims(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# x\n\n## The command line\n\ntext\n\n```bash\n"
        "procflow a \\\n    --at 1   # says 2\n\n# a comment\nsed x > y\n```\n\n## Next\n",
        encoding="utf-8",
    )
    cmds = walkthrough(readme)
    assert [(c.line, c.words, c.claim) for c in cmds] == [
        (8, ["procflow", "a", "--at", "1"], "says 2"),
        (12, ["sed", "x", ">", "y"], ""),
    ]
